//! Every template slsx compiles for the fixtures passes cfn-lint (pinned in the project virtualenv made
//! by scripts/local-aws.sh; `SLSX_CFN_LINT` may name another binary).

use std::path::{Path, PathBuf};
use std::process::Command;

use slsx_core::config::Service;
use slsx_core::deploy::Plan;
use slsx_core::load::ServiceOptions;
use slsx_core::progress::Silent;

fn cfn_lint() -> PathBuf {
    if let Some(p) = std::env::var_os("SLSX_CFN_LINT") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/cfn-lint");
    assert!(
        venv.exists(),
        "cfn-lint not found: run `scripts/local-aws.sh install` (npm test does) or set SLSX_CFN_LINT"
    );
    venv
}

#[test]
fn compiled_templates_pass_cfn_lint() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let work = std::env::temp_dir().join(format!("slsx-cfnlint-{}", std::process::id()));
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let case = entry.unwrap().path();
        // The fixtures with template goldens (variables fixtures need AWS or fail on purpose).
        // plugin-* fixtures need their plugins (`__test__/plugins.test.js` lints those).
        if !case
            .join("golden/cloudformation-template-update-stack.json")
            .exists()
            || case
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("plugin-")
        {
            continue;
        }
        let dir = work.join(case.file_name().unwrap());
        super::golden::copy_dir(&case, &dir);
        let service = Service::load(&ServiceOptions {
            service_path: dir.clone(),
            ..Default::default()
        })
        .unwrap();
        let plan = Plan::build(
            service,
            &dir.join(".serverless"),
            &slsx_core::package::no_fetch,
            &Silent,
            1_795_749_631_966,
        )
        .unwrap_or_else(|e| panic!("{}: {}", dir.display(), e.render()));
        for f in [
            "cloudformation-template-create-stack.json",
            "cloudformation-template-update-stack.json",
        ] {
            files.push(plan.out_dir.join(f));
        }
    }
    assert!(!files.is_empty());
    // Errors fail; warnings (a deprecated runtime a fixture pins, a DependsOn a user wrote next to a Ref)
    // do not: Serverless's own templates draw some (W3005 on every HTTP API).
    let files: Vec<PathBuf> = files.into_iter().filter(|f| f.exists()).collect();
    let out = Command::new(cfn_lint())
        .args(["--non-zero-exit-code", "error"])
        .args(&files)
        .output()
        .expect("run cfn-lint");
    assert!(
        out.status.success(),
        "cfn-lint found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(work).ok();
}
