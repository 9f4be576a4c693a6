//! Turns the configuration schema's YAML files (src/config/schema/*.yml, events/*.yml) into one JSON
//! document the engine embeds: `{root, provider, function, events: {<name>: …}}`, so no YAML is parsed
//! at run time.

use std::fs;
use std::path::Path;

fn main() {
    let dir = Path::new("src/config/schema");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed={}", dir.join("events").display());
    let mut out = serde_json::Map::new();
    for part in ["root", "provider", "function"] {
        let file = dir.join(format!("{part}.yml"));
        if file.exists() {
            out.insert(part.into(), read(&file));
        }
    }
    let mut events = serde_json::Map::new();
    let mut names: Vec<_> = fs::read_dir(dir.join("events"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for file in names {
        if file.extension().is_some_and(|e| e == "yml") {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            events.insert(name, read(&file));
        }
    }
    out.insert("events".into(), serde_json::Value::Object(events));
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("config-schema.json");
    fs::write(dest, serde_json::to_string(&out).unwrap()).unwrap();
}

fn read(file: &Path) -> serde_json::Value {
    println!("cargo:rerun-if-changed={}", file.display());
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}
