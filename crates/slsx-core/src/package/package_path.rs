//! Top-level `package.path` (osls 4.3.1): the directory `package` writes its artifacts to and `deploy`
//! deploys from, relative to the service directory. `--package DIR` comes first. With either set,
//! `deploy` does not package: it deploys what is in that directory, as osls does.

use std::path::{Path, PathBuf};

use crate::config::Service;

/// The service's `package.path`, when it is set to a non-empty string.
pub fn configured(service: &Service) -> Option<&str> {
    service.package.path.as_deref()
}

/// `p` relative to the service directory (an absolute path stays as it is).
fn resolve(service: &Service, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        service.service_dir.join(p)
    }
}

/// Where `deploy` takes a finished package from instead of packaging: `--package`, else
/// `package.path`.
pub fn read_dir(service: &Service, option: Option<&Path>) -> Option<PathBuf> {
    let p = option
        .map(Path::to_path_buf)
        .or_else(|| configured(service).map(PathBuf::from))?;
    Some(resolve(service, &p))
}

/// Where `package` writes: `--package`, else `package.path`, else `.serverless/`. osls packages into
/// `.serverless/` and then moves the artifacts to a path whose name does not end in `.serverless`;
/// one that does end so (`.serverless`, `build/.serverless`) keeps them in `.serverless/`.
pub fn write_dir(service: &Service, option: Option<&Path>) -> PathBuf {
    let chosen = option
        .map(Path::to_path_buf)
        .or_else(|| configured(service).map(PathBuf::from));
    match chosen {
        Some(p) if !p.to_string_lossy().ends_with(".serverless") => resolve(service, &p),
        _ => super::output_dir(service),
    }
}

/// The exclusion (`dir/**`) that keeps a package directory inside the service out of the service's
/// zips, unless `.serverless/` already covers it. osls leaves such a directory in (its next package
/// then holds the previous one's zips); slsx never packages its own output.
pub fn exclude_pattern(service: &Service, dir: &Path) -> Option<String> {
    let rel = dir.strip_prefix(&service.service_dir).ok()?;
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != ".")
        .collect();
    if rel.is_empty() || rel[0] == ".serverless" || rel.iter().any(|c| c == "..") {
        return None;
    }
    Some(format!("{}/**", rel.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(package: &str) -> Service {
        let dir = std::env::temp_dir().join(format!(
            "slsx-package-path-{}-{}",
            std::process::id(),
            package.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("serverless.yml"),
            format!("service: svc\nprovider:\n  name: aws\n{package}"),
        )
        .unwrap();
        Service::load(&crate::load::ServiceOptions {
            service_path: dir,
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn package_path_then_option_decide_where_package_writes_and_deploy_reads() {
        let plain = service("");
        assert_eq!(read_dir(&plain, None), None);
        assert_eq!(
            write_dir(&plain, None),
            plain.service_dir.join(".serverless")
        );
        assert_eq!(
            write_dir(&plain, Some(Path::new("out"))),
            plain.service_dir.join("out")
        );

        let s = service("package:\n  path: build/artifacts\n");
        let build = s.service_dir.join("build/artifacts");
        assert_eq!(read_dir(&s, None), Some(build.clone()));
        assert_eq!(write_dir(&s, None), build);
        // --package wins.
        assert_eq!(
            read_dir(&s, Some(Path::new("/abs/pkg"))),
            Some(PathBuf::from("/abs/pkg"))
        );
        assert_eq!(
            exclude_pattern(&s, &build).as_deref(),
            Some("build/artifacts/**")
        );
        assert_eq!(exclude_pattern(&s, Path::new("/elsewhere/pkg")), None);
        assert_eq!(
            exclude_pattern(&s, &s.service_dir.join(".serverless")),
            None
        );

        // A path ending in .serverless: osls leaves the artifacts in .serverless/.
        let dot = service("package:\n  path: dist/.serverless\n");
        assert_eq!(write_dir(&dot, None), dot.service_dir.join(".serverless"));
        assert_eq!(
            read_dir(&dot, None),
            Some(dot.service_dir.join("dist/.serverless"))
        );
    }
}
