//! Compiled templates equal what osls 4.3.1 produced for the same fixture, after normalizing only the
//! values that change from run to run (the rules of scripts/normalize-template.js).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use slsx_core::config::Service;
use slsx_core::deploy::Plan;
use slsx_core::load::ServiceOptions;
use slsx_core::package::Code;
use slsx_core::progress::Silent;

use super::support::zip_entries;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies a fixture (symlinks as symlinks, modes kept), without its goldens.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "golden" || name == ".serverless" || name == "osls-package" {
            continue;
        }
        // Fixtures cannot hold a `.git` directory of their own: `dot-git` stands in for it.
        let name = if name == "dot-git" {
            std::ffi::OsString::from(".git")
        } else {
            name
        };
        let kind = e.file_type().unwrap();
        if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(e.path()).unwrap(), to.join(&name)).unwrap();
        } else if kind.is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else {
            fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

/// `golden.args` holds the osls CLI args used for the golden (default `--stage dev --region us-east-1`).
fn options_for(case_dir: &Path, service_path: PathBuf) -> ServiceOptions {
    let args = fs::read_to_string(case_dir.join("golden.args"))
        .unwrap_or_else(|_| "--stage dev --region us-east-1".into());
    let words: Vec<&str> = args.split_whitespace().collect();
    let value = |flag: &str| {
        words
            .iter()
            .position(|w| *w == flag)
            .and_then(|i| words.get(i + 1))
            .map(|s| s.to_string())
    };
    ServiceOptions {
        service_path,
        stage: value("--stage"),
        region: value("--region"),
        ..Default::default()
    }
}

/// Version IDs -> `{F}LambdaVersion__HASH__`, code keys -> `__S3KEY__`, version CodeSha256 ->
/// `__CODESHA256__`, REST deployment IDs -> `ApiGatewayDeployment__INSTANCE__`, and the zip-dependent
/// layer hashes (outputs, retained layer IDs) -> `__LAYERHASH__`.
fn normalize(template: &Value) -> Value {
    let mut renames = Vec::new();
    if let Some(resources) = template["Resources"].as_object() {
        for id in resources.keys() {
            if let Some(i) = id.find("LambdaVersion") {
                renames.push((id.clone(), format!("{}LambdaVersion__HASH__", &id[..i])));
            } else if id.len() > 40
                && id[id.len() - 40..]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                && id[..id.len() - 40].contains("LambdaLayer")
            {
                // A retained layer's ID ends with its hash (of the zip bytes).
                renames.push((id.clone(), format!("{}__LAYERHASH__", &id[..id.len() - 40])));
            } else if id.starts_with("ApiGatewayDeployment")
                && id[20..].bytes().all(|b| b.is_ascii_digit())
            {
                renames.push((id.clone(), "ApiGatewayDeployment__INSTANCE__".into()));
            }
        }
    }
    fn walk(v: &Value, renames: &[(String, String)]) -> Value {
        match v {
            Value::String(s) => Value::String(
                renames
                    .iter()
                    .find(|(from, _)| from == s)
                    .map_or_else(|| s.clone(), |(_, to)| to.clone()),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, renames)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        let key = renames
                            .iter()
                            .find(|(from, _)| from == k)
                            .map_or_else(|| k.clone(), |(_, to)| to.clone());
                        (key, walk(x, renames))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let mut out = walk(template, &renames);
    if let Some(outputs) = out.get_mut("Outputs").and_then(Value::as_object_mut) {
        for (k, o) in outputs.iter_mut() {
            if k.ends_with("LambdaLayerHash") {
                o["Value"] = "__LAYERHASH__".into();
            }
            if k.ends_with("LambdaLayerS3Key") {
                o["Value"] = "__S3KEY__".into();
            }
        }
    }
    if let Some(resources) = out.get_mut("Resources").and_then(Value::as_object_mut) {
        for r in resources.values_mut() {
            let t = r["Type"].as_str().unwrap_or_default().to_string();
            let props = &mut r["Properties"];
            match t.as_str() {
                "AWS::Lambda::Function" if props["Code"].get("S3Key").is_some() => {
                    props["Code"]["S3Key"] = "__S3KEY__".into();
                }
                "AWS::Lambda::LayerVersion" if props["Content"].get("S3Key").is_some() => {
                    props["Content"]["S3Key"] = "__S3KEY__".into();
                }
                "AWS::Lambda::Version" if props.get("CodeSha256").is_some() => {
                    props["CodeSha256"] = "__CODESHA256__".into();
                }
                _ => {}
            }
        }
    }
    out
}

/// The prefix a deliberate difference's pointer carries for each template file.
fn file_section(file: &str) -> &'static str {
    if file.contains("create") {
        "create"
    } else {
        "update"
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

/// The fixtures with template goldens that the engine alone packages (plugin-* fixtures run their
/// plugins: `__test__/plugins.test.js` compares those).
fn golden_fixtures() -> Vec<String> {
    let mut cases: Vec<String> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.join("golden/cloudformation-template-update-stack.json")
                .is_file()
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("plugin-"))
        .collect();
    cases.sort();
    cases
}

// One test per fixture (`cargo test svc_ev_http_cors`), listed in golden_cases.rs, which
// scripts/golden-cases.sh writes from the fixtures; `every_golden_fixture_has_its_test` checks the list.
macro_rules! golden_cases {
    ($($test:ident => $case:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_case($case);
            }
        )*
        const GOLDEN_CASES: &[&str] = &[$($case),*];
    };
}

include!("golden_cases.rs");

#[test]
fn every_golden_fixture_has_its_test() {
    assert_eq!(
        GOLDEN_CASES.to_vec(),
        golden_fixtures(),
        "tests/golden_cases.rs is not the list of fixtures with goldens: run scripts/golden-cases.sh"
    );
}

/// One fixture against its goldens: templates (key order aside: osls's depends on async timing), the
/// entry list of each zip osls built, and which zip each function and layer points at.
fn check_case(name: &str) {
    let case = &fixtures().join(name);
    let work = std::env::temp_dir().join(format!("slsx-golden-{}-{name}", std::process::id()));
    let mut failures: Vec<String> = Vec::new();
    {
        let dir = work.join(name);
        copy_dir(case, &dir);
        let service = Service::load(&options_for(case, dir.clone()))
            .unwrap_or_else(|e| panic!("{name}: {}", e.render()));
        let out = dir.join(".serverless");
        let plan = Plan::build(
            service,
            &out,
            &slsx_core::package::no_fetch,
            &Silent,
            1_795_749_631_966,
        )
        .unwrap_or_else(|e| panic!("{name}: {}", e.render()));
        for (file, ours) in [
            (
                "cloudformation-template-create-stack.json",
                &plan.templates.create,
            ),
            (
                "cloudformation-template-update-stack.json",
                &plan.templates.update,
            ),
        ] {
            let golden_file = case.join("golden").join(file);
            if !golden_file.exists() {
                // osls writes no create template for a service with its own deployment bucket; nor does slsx.
                assert!(
                    !plan.out_dir.join(file).exists(),
                    "{name}: slsx wrote {file}, osls did not"
                );
                continue;
            }
            let golden: Value =
                serde_json::from_str(&fs::read_to_string(golden_file).unwrap()).unwrap();
            let ours = normalize(ours);
            let mut golden = normalize(&golden);
            // golden/deliberate.json: where slsx differs on purpose, each with its reason.
            if let Ok(text) = fs::read_to_string(case.join("golden/deliberate.json")) {
                let list: Vec<Value> = serde_json::from_str(&text).unwrap();
                for d in list {
                    assert!(
                        d["why"].as_str().is_some_and(|w| !w.is_empty()),
                        "{name}: every deliberate difference says why"
                    );
                    let pointer = d["pointer"].as_str().unwrap();
                    if !pointer.starts_with(&format!("/{}/", file_section(file))) {
                        continue;
                    }
                    let slot = golden
                        .pointer_mut(&pointer[file_section(file).len() + 1..])
                        .unwrap_or_else(|| panic!("{name}: {pointer} is not in the golden"));
                    *slot = d["slsx"].clone();
                }
            }
            if ours != golden {
                let out = dir.join(format!("actual-{file}"));
                fs::write(&out, pretty(&ours)).unwrap();
                failures.push(format!(
                    "{name}/{file}: differs; see diff {} {}",
                    case.join("golden").join(file).display(),
                    out.display()
                ));
            }
            // What was written to the package directory is what was compiled.
            let written: Value =
                serde_json::from_str(&fs::read_to_string(plan.out_dir.join(file)).unwrap())
                    .unwrap();
            assert_eq!(normalize(&written), ours, "{name}/{file} on disk");
        }

        // zips.v3.json: Serverless v3's answer where osls 4.3.1 no longer gives it (legacy include/exclude).
        let golden_zips = [
            case.join("golden/zips.v3.json"),
            case.join("golden/zips.json"),
        ]
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_default();
        if golden_zips.exists() {
            // custom-resources.zip holds each implementation's own handlers: not compared.
            let mut expected: BTreeMap<String, Vec<String>> =
                serde_json::from_str(&fs::read_to_string(&golden_zips).unwrap()).unwrap();
            expected.remove("custom-resources.zip");
            let ours: BTreeMap<String, Vec<String>> = plan
                .artifacts
                .iter()
                .filter(|a| !a.prebuilt && a.file_name != "custom-resources.zip")
                .map(|a| {
                    (
                        a.file_name.clone(),
                        zip_entries(&a.path)
                            .into_iter()
                            .map(|(n, m)| format!("{n} {m:o}"))
                            .collect(),
                    )
                })
                .collect();
            if ours != expected {
                for (zip, entries) in &expected {
                    match ours.get(zip) {
                        None => failures.push(format!("{name}: slsx built no {zip}")),
                        Some(o) if o != entries => {
                            let missing: Vec<_> =
                                entries.iter().filter(|e| !o.contains(e)).collect();
                            let extra: Vec<_> = o.iter().filter(|e| !entries.contains(e)).collect();
                            failures.push(format!(
                                "{name}/{zip}: missing {missing:?}, extra {extra:?}"
                            ));
                        }
                        _ => {}
                    }
                }
                for zip in ours.keys().filter(|z| !expected.contains_key(*z)) {
                    failures.push(format!("{name}: slsx built {zip}, osls did not"));
                }
            }
        }
        let golden_artifacts = case.join("golden/artifacts.json");
        if golden_artifacts.exists() {
            let expected: BTreeMap<String, Value> =
                serde_json::from_str(&fs::read_to_string(&golden_artifacts).unwrap()).unwrap();
            let mut ours: BTreeMap<String, Value> = BTreeMap::new();
            for (key, code) in &plan.packaged.functions {
                ours.insert(
                    key.clone(),
                    match code {
                        Code::Zip(i) => Value::String(plan.artifacts[*i].file_name.clone()),
                        Code::Image => Value::Null,
                    },
                );
            }
            for (key, i) in &plan.packaged.layers {
                ours.insert(
                    format!("layer:{key}"),
                    Value::String(plan.artifacts[*i].file_name.clone()),
                );
            }
            if ours != expected {
                failures.push(format!("{name}: artifacts {ours:?}, osls {expected:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    fs::remove_dir_all(work).ok();
}

/// The development-only packages are worked out again when a package.json changes, and taken from
/// the previous package while none does.
#[test]
fn dev_dependencies_follow_package_json_changes_between_packages() {
    let case = fixtures().join("pkg-devdeps-npm-v3");
    let dir = std::env::temp_dir().join(format!("slsx-devdeps-cache-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    copy_dir(&case, &dir);
    let package = || {
        let service = Service::load(&options_for(&case, dir.clone())).unwrap();
        let plan = Plan::build(
            service,
            &dir.join(".serverless"),
            &slsx_core::package::no_fetch,
            &Silent,
            1,
        )
        .unwrap_or_else(|e| panic!("{}", e.render()));
        let names: Vec<String> = zip_entries(&plan.artifacts[0].path)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        names
            .iter()
            .any(|n| n.starts_with("node_modules/left-pad/"))
    };
    assert!(!package(), "left-pad is a devDependency");
    assert!(!package(), "still one, from the previous package's record");

    let manifest = dir.join("package.json");
    let mut pkg: Value = serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    let version = pkg["devDependencies"]
        .as_object_mut()
        .unwrap()
        .remove("left-pad")
        .unwrap();
    pkg["dependencies"]
        .as_object_mut()
        .unwrap()
        .insert("left-pad".into(), version);
    fs::write(&manifest, serde_json::to_string_pretty(&pkg).unwrap()).unwrap();
    assert!(package(), "left-pad became a dependency: packaged");
    fs::remove_dir_all(&dir).ok();
}
