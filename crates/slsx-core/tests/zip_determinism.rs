use std::fs;
use std::path::{Path, PathBuf};

use slsx_core::package::walk;
use slsx_core::package::zip::{write_zip_file, Source};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slsx-zip-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn make_tree(root: &Path) {
    fs::create_dir_all(root.join("src/lib")).unwrap();
    fs::create_dir_all(root.join("node_modules/dep")).unwrap();
    fs::write(
        root.join("handler.js"),
        "module.exports.h = async () => 1\n",
    )
    .unwrap();
    fs::write(root.join("src/lib/util.js"), "exports.x = 1\n".repeat(500)).unwrap();
    fs::write(root.join("src/Zeta.js"), "z").unwrap();
    fs::write(root.join("src/alpha.js"), "a").unwrap();
    fs::write(root.join("src/é.js"), "accent").unwrap();
    fs::write(
        root.join("node_modules/dep/index.js"),
        "module.exports = 2\n",
    )
    .unwrap();
    fs::write(root.join("empty.txt"), "").unwrap();
}

fn zip_tree(root: &Path, out: &Path) -> (Vec<u8>, [u8; 32]) {
    let files = walk(root, &[]).unwrap();
    let written = write_zip_file(out, files.iter().map(Source::from)).unwrap();
    let bytes = fs::read(out).unwrap();
    assert_eq!(bytes.len() as u64, written.size);
    (bytes, written.sha256)
}

#[test]
fn same_tree_gives_identical_bytes_across_runs_touch_and_location() {
    let base = temp_dir("det");
    let a = base.join("a");
    make_tree(&a);
    let out = base.join("out");
    fs::create_dir_all(&out).unwrap();

    let (first, sha1) = zip_tree(&a, &out.join("1.zip"));
    let (second, sha2) = zip_tree(&a, &out.join("2.zip"));
    assert_eq!(first, second, "two runs differ");
    assert_eq!(sha1, sha2);
    assert_eq!(
        sha1,
        slsx_core::package::hash::sha256(&first),
        "streamed hash is the hash of the bytes"
    );

    // New modification times change nothing.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let now = std::time::SystemTime::now();
    for f in walk(&a, &[]).unwrap() {
        fs::File::options()
            .write(true)
            .open(&f.abs)
            .unwrap()
            .set_modified(now)
            .unwrap();
    }
    let (touched, _) = zip_tree(&a, &out.join("3.zip"));
    assert_eq!(first, touched, "touch changed the zip");

    // A copy of the tree somewhere else gives the same bytes.
    let b = base.join("elsewhere/deeper/b");
    make_tree(&b);
    let (copied, _) = zip_tree(&b, &out.join("4.zip"));
    assert_eq!(first, copied, "another location changed the zip");
    fs::remove_dir_all(base).ok();
}

#[cfg(unix)]
#[test]
fn exec_bit_changes_the_zip() {
    use std::os::unix::fs::PermissionsExt;
    let base = temp_dir("exec");
    let a = base.join("a");
    make_tree(&a);
    let (before, _) = zip_tree(&a, &base.join("1.zip"));
    let handler = a.join("handler.js");
    fs::set_permissions(&handler, fs::Permissions::from_mode(0o755)).unwrap();
    let (after, _) = zip_tree(&a, &base.join("2.zip"));
    assert_ne!(before, after);
    fs::remove_dir_all(base).ok();
}

/// Reads the central directory back with a minimal parser: names in UTF-8 byte order, fixed DOS date,
/// modes, no extra fields, and each entry inflates to the file's bytes.
#[test]
fn entries_are_sorted_with_fixed_metadata_and_valid_data() {
    let base = temp_dir("meta");
    let a = base.join("a");
    make_tree(&a);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(a.join("src/alpha.js"), fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (bytes, _) = zip_tree(&a, &base.join("1.zip"));
    let eocd = bytes.len() - 22;
    assert_eq!(&bytes[eocd..eocd + 4], &[0x50, 0x4b, 0x05, 0x06]);
    let count = u16::from_le_bytes([bytes[eocd + 10], bytes[eocd + 11]]) as usize;
    let mut at = u32::from_le_bytes(bytes[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let mut names = Vec::new();
    for _ in 0..count {
        let h = &bytes[at..];
        assert_eq!(&h[0..4], &[0x50, 0x4b, 0x01, 0x02]);
        let time = u16::from_le_bytes([h[12], h[13]]);
        let date = u16::from_le_bytes([h[14], h[15]]);
        assert_eq!((time, date), (0, (1 << 5) | 1), "1980-01-01 00:00");
        let csize = u32::from_le_bytes(h[20..24].try_into().unwrap()) as usize;
        let name_len = u16::from_le_bytes([h[28], h[29]]) as usize;
        let extra_len = u16::from_le_bytes([h[30], h[31]]) as usize;
        assert_eq!(extra_len, 0, "no extra fields");
        let mode = u32::from_le_bytes(h[38..42].try_into().unwrap()) >> 16;
        let offset = u32::from_le_bytes(h[42..46].try_into().unwrap()) as usize;
        let name = String::from_utf8(h[46..46 + name_len].to_vec()).unwrap();
        let expected_mode = if cfg!(unix) && name == "src/alpha.js" {
            0o100755
        } else {
            0o100644
        };
        assert_eq!(mode, expected_mode, "{name}");
        // Local header: 30 bytes + name, then the deflated data.
        let data_start = offset + 30 + name_len;
        let mut inflated = Vec::new();
        use std::io::Read;
        flate2::read::DeflateDecoder::new(&bytes[data_start..data_start + csize])
            .read_to_end(&mut inflated)
            .unwrap();
        assert_eq!(inflated, fs::read(a.join(&name)).unwrap(), "{name}");
        names.push(name);
        at += 46 + name_len + extra_len;
    }
    let mut sorted = names.clone();
    sorted.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
    assert_eq!(names, sorted);
    assert_eq!(names.first().map(String::as_str), Some("empty.txt"));
    assert!(
        names.iter().position(|n| n == "src/Zeta.js")
            < names.iter().position(|n| n == "src/alpha.js")
    );
    fs::remove_dir_all(base).ok();
}
