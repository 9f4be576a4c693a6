//! The spill and the zips it assembles: reuse, compaction, truncation, and the index format.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use super::index::{decode_index, encode_index};
use super::*;

fn tree(name: &str, files: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slsx-spill-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for i in 0..files {
        std::fs::write(
            dir.join("src").join(format!("f{i}.js")),
            format!("exports.n = {i}\n").repeat(50),
        )
        .unwrap();
    }
    dir
}

fn sources(root: &Path) -> Vec<Source> {
    crate::package::walk(&root.join("src"), &[])
        .unwrap()
        .iter()
        .map(Source::from)
        .collect()
}

fn package(sources: &[Source], out: &Path, previous: Option<&Spill>) -> (Spill, Vec<u8>) {
    std::fs::create_dir_all(out).unwrap();
    let refs: Vec<&Source> = sources.iter().collect();
    let spill = compress_all(&refs, out, previous).unwrap();
    let bytes = spill.open().unwrap();
    assemble(&out.join("a.zip"), sources, Some((&spill, &bytes))).unwrap();
    (spill, std::fs::read(out.join("a.zip")).unwrap())
}

fn from_scratch(sources: &[Source], out: &Path) -> Vec<u8> {
    write_zip_file(&out.join("scratch.zip"), sources.to_vec()).unwrap();
    std::fs::read(out.join("scratch.zip")).unwrap()
}

#[cfg(unix)]
fn length(spill: &Spill) -> u64 {
    std::fs::metadata(&spill.path).unwrap().len()
}

#[cfg(unix)]
fn same_file(a: &Spill, b: &Spill) -> bool {
    use std::os::unix::fs::MetadataExt;
    let inode = |s: &Spill| std::fs::metadata(&s.path).unwrap().ino();
    inode(a) == inode(b)
}

#[test]
fn the_index_reads_back_what_was_written_and_rejects_anything_else() {
    let mut entries = HashMap::new();
    for (i, name) in ["/a/b.js", "/a/é.js", "/x"].iter().enumerate() {
        let n = i as u64;
        let c = Compressed {
            crc: 7 + i as u32,
            compressed: n,
            uncompressed: 2 * n,
            offset: 3 * n,
            size: 4 * n,
            stamp: u64::MAX - n,
        };
        entries.insert(OsString::from(name), c);
    }
    let bytes = encode_index(&entries);
    assert_eq!(decode_index(&bytes), Some(entries));
    assert_eq!(decode_index(&bytes[..bytes.len() - 1]), None, "truncated");
    assert_eq!(
        decode_index(&[bytes.as_slice(), b"x"].concat()),
        None,
        "trailing bytes"
    );
    assert_eq!(
        decode_index(b"{\"/a/b.js\": {}}"),
        None,
        "the former JSON index"
    );
}

#[test]
#[cfg(unix)]
fn a_small_change_appends_to_the_previous_spill_which_stays_valid() {
    let root = tree("append", 40);
    let before = sources(&root);
    let (first, first_zip) = package(&before, &root.join("out1"), None);
    let first_len = length(&first);

    std::fs::write(root.join("src/f3.js"), "changed\n").unwrap();
    let after = sources(&root);
    let previous = Spill::read(&root.join("out1")).unwrap();
    let (second, second_zip) = package(&after, &root.join("out2"), Some(&previous));
    assert!(
        same_file(&first, &second),
        "the previous spill was linked, not copied"
    );
    assert!(length(&second) > first_len, "the changed file was appended");
    assert_eq!(
        second_zip,
        from_scratch(&after, &root),
        "the zip is the one a package from scratch writes"
    );

    // The previous package's index still describes its (longer) spill.
    let again = Spill::read(&root.join("out1")).unwrap();
    let bytes = again.open().unwrap();
    assemble(
        &root.join("out1/again.zip"),
        &before,
        Some((&again, &bytes)),
    )
    .unwrap();
    assert_eq!(
        std::fs::read(root.join("out1/again.zip")).unwrap(),
        first_zip
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
#[cfg(unix)]
fn a_spill_mostly_out_of_use_is_written_anew() {
    let root = tree("compact", 10);
    let (first, _) = package(&sources(&root), &root.join("out1"), None);
    for i in 0..8 {
        std::fs::write(
            root.join("src").join(format!("f{i}.js")),
            format!("changed {i}\n"),
        )
        .unwrap();
    }
    let after = sources(&root);
    let previous = Spill::read(&root.join("out1")).unwrap();
    let (second, zip) = package(&after, &root.join("out2"), Some(&previous));
    assert!(!same_file(&first, &second), "a new spill");
    let used: u64 = second.entries.values().map(|c| c.compressed).sum();
    assert_eq!(length(&second), used, "holding only the files in use");
    assert_eq!(zip, from_scratch(&after, &root));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_truncated_spill_costs_compressions_not_a_broken_zip() {
    let root = tree("truncated", 20);
    let files = sources(&root);
    let (first, _) = package(&files, &root.join("out1"), None);
    let length = std::fs::metadata(&first.path).unwrap().len();
    let f = File::options().write(true).open(&first.path).unwrap();
    f.set_len(length / 2).unwrap();
    drop(f);
    let previous = Spill::read(&root.join("out1")).unwrap();
    let (_, zip) = package(&files, &root.join("out2"), Some(&previous));
    assert_eq!(zip, from_scratch(&files, &root));
    std::fs::remove_dir_all(&root).unwrap();
}
