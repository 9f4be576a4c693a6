//! Container images of image functions, resolved to an ECR URI pinned by digest before anything is
//! compiled: a URI with a digest as it is, a tag URI through ECR DescribeImages, and an image named
//! in `provider.ecr.images` with a `path` built with the `docker` CLI (`SLSX_DOCKER` names another
//! compatible one) and pushed to the service's repository `serverless-<service>-<stage>`, created
//! when missing (with `scanOnPush` and the `maxImageCount` lifecycle policy). Each image is built
//! once however many functions use it, and different images are built concurrently. The registry
//! login is done when a push asks for it, with the password on the CLI's stdin, never in its argv.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::aws::{errors, AwsContext};
use crate::config::error_at as config_error;
use crate::config::{ResolvedImage, Service};
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

/// What a function's `image` asks for.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Uri(String),
    Build(Build),
}

#[derive(Debug, Clone, PartialEq)]
struct Build {
    name: String,
    path: String,
    file: String,
    build_args: Vec<(String, String)>,
    build_options: Vec<String>,
    cache_from: Vec<String>,
    platform: Option<String>,
    provenance: Option<String>,
}

fn image_error(code: &'static str, message: String) -> Error {
    Error::Package { code, message }
}

/// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:…]`, or anything pinned by digest.
fn is_ecr_uri(s: &str) -> bool {
    let ecr = s.split_once('/').is_some_and(|(host, repo)| {
        let parts: Vec<&str> = host.split('.').collect();
        parts.len() >= 6
            && parts[0].chars().all(|c| c.is_ascii_digit())
            && parts[1] == "dkr"
            && parts[2] == "ecr"
            && !repo.is_empty()
    });
    ecr || s
        .split_once("@sha256:")
        .is_some_and(|(_, d)| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// What each image function needs, by function key (validating the configuration as osls does).
fn sources(service: &Service) -> Result<Vec<(String, Source)>> {
    let ecr = service.provider.raw.get("ecr");
    let images = ecr.and_then(|e| e.get("images")).and_then(Value::as_object);
    let mut out = Vec::new();
    for f in &service.functions {
        let Some(image) = &f.image else { continue };
        let at = format!("functions.{}.image", f.key);
        let (uri, name) = match image {
            Value::Object(o) => {
                let uri = o.get("uri").filter(|v| !v.is_null()).map(text);
                let name = o.get("name").filter(|v| !v.is_null()).map(text);
                match (&uri, &name) {
                    (None, None) => return Err(config_error(service, at, "FUNCTION_IMAGE_NEITHER_URI_NOR_NAME_DEFINED_ERROR", format!("Either \"uri\" or \"name\" property needs to be set on image for function: {}", f.key))),
                    (Some(_), Some(_)) => return Err(config_error(service, at, "FUNCTION_IMAGE_BOTH_URI_AND_NAME_DEFINED_ERROR", format!("Either \"uri\" or \"name\" property (not both) needs to be set on image for function: {}", f.key))),
                    _ => (uri, name),
                }
            }
            Value::String(s) if is_ecr_uri(s) => (Some(s.clone()), None),
            other => (None, Some(text(other))),
        };
        if let Some(uri) = uri {
            out.push((f.key.clone(), Source::Uri(uri)));
            continue;
        }
        let name = name.unwrap_or_default();
        let at = format!("provider.ecr.images.{name}");
        let Some(def) = images.and_then(|i| i.get(&name)).filter(|v| !v.is_null()) else {
            return Err(config_error(
                service,
                format!("functions.{}.image", f.key),
                "REFERENCED_FUNCTION_IMAGE_NOT_DEFINED_IN_PROVIDER",
                format!("Referenced \"{name}\" not defined in \"provider.ecr.images\""),
            ));
        };
        let (uri, path) = match def {
            Value::Object(o) => (
                o.get("uri").filter(|v| !v.is_null()).map(text),
                o.get("path").filter(|v| !v.is_null()).map(text),
            ),
            Value::String(s) => (None, Some(s.clone())),
            _ => (None, None),
        };
        match (&uri, &path) {
            (None, None) => return Err(config_error(service, at, "ECR_IMAGE_NEITHER_URI_NOR_PATH_DEFINED_ERROR", format!("Either \"uri\" or \"path\" property needs to be set on image \"{name}\""))),
            (Some(_), Some(_)) => return Err(config_error(service, at, "ECR_IMAGE_BOTH_URI_AND_PATH_DEFINED_ERROR", format!("Either \"uri\" or \"path\" property (not both) needs to be set on image \"{name}\""))),
            _ => {}
        }
        if let Some(uri) = uri {
            for (key, code) in [
                (
                    "buildArgs",
                    "ECR_IMAGE_BOTH_URI_AND_BUILDARGS_DEFINED_ERROR",
                ),
                (
                    "buildOptions",
                    "ECR_IMAGE_URI_AND_BUILDOPTIONS_DEFINED_ERROR",
                ),
                (
                    "cacheFrom",
                    "ECR_IMAGE_BOTH_URI_AND_CACHEFROM_DEFINED_ERROR",
                ),
                ("platform", "ECR_IMAGE_BOTH_URI_AND_PLATFORM_DEFINED_ERROR"),
                (
                    "provenance",
                    "ECR_IMAGE_BOTH_URI_AND_PROVENANCE_DEFINED_ERROR",
                ),
            ] {
                if def.get(key).is_some_and(|v| !v.is_null()) {
                    return Err(config_error(service, format!("{at}.{key}"), code, format!("The \"{key}\" property cannot be used with \"uri\" property \"{name}\"")));
                }
            }
            out.push((f.key.clone(), Source::Uri(uri)));
            continue;
        }
        let get = |k: &str| def.get(k).filter(|v| !v.is_null());
        let build_args = get("buildArgs")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            .unwrap_or_default();
        out.push((
            f.key.clone(),
            Source::Build(Build {
                name: name.clone(),
                path: path.unwrap_or_default(),
                file: get("file").map(text).unwrap_or_else(|| "Dockerfile".into()),
                build_args,
                build_options: strings(get("buildOptions")),
                cache_from: strings(get("cacheFrom")),
                platform: get("platform").map(text).filter(|s| !s.is_empty()),
                provenance: get("provenance").map(text).filter(|s| !s.is_empty()),
            }),
        ));
    }
    Ok(out)
}

/// Resolves every image function's image; builds and pushes what needs building.
pub async fn resolve(
    ctx: &AwsContext,
    service: &Service,
    reporter: &dyn Reporter,
) -> Result<BTreeMap<String, ResolvedImage>> {
    let sources = sources(service)?;
    let mut resolved: BTreeMap<String, ResolvedImage> = BTreeMap::new();
    if sources.is_empty() {
        return Ok(resolved);
    }
    // Distinct URIs and builds, each resolved once.
    let mut uris: Vec<String> = Vec::new();
    let mut builds: Vec<Build> = Vec::new();
    for (_, s) in &sources {
        match s {
            Source::Uri(u) if !uris.contains(u) => uris.push(u.clone()),
            Source::Build(b) if !builds.iter().any(|x| x.name == b.name) => builds.push(b.clone()),
            _ => {}
        }
    }
    let uri_results =
        futures::future::try_join_all(uris.iter().map(|u| resolve_uri(ctx, service, u))).await?;
    let mut built: Vec<(String, ResolvedImage)> = Vec::new();
    if !builds.is_empty() {
        let docker = Docker::from_env();
        docker.ensure_available().await?;
        for b in &builds {
            let dockerfile = dockerfile_path(service, b);
            if !dockerfile.is_file() {
                return Err(image_error(
                    "DOCKERFILE_NOT_AVAILABLE_ERROR",
                    format!(
                        "Could not access Dockerfile under path: \"{}\"",
                        dockerfile.display()
                    ),
                ));
            }
        }
        let repo = Repository::ensure(ctx, service).await?;
        let login = tokio::sync::OnceCell::new();
        let results = futures::future::try_join_all(
            builds
                .iter()
                .map(|b| build_and_push(ctx, service, &docker, &repo, &login, b, reporter)),
        )
        .await?;
        built = builds.iter().map(|b| b.name.clone()).zip(results).collect();
    }
    for (key, s) in sources {
        let image = match s {
            Source::Uri(u) => {
                uri_results[uris.iter().position(|x| *x == u).expect("resolved")].clone()
            }
            Source::Build(b) => built
                .iter()
                .find(|(n, _)| *n == b.name)
                .map(|(_, r)| r.clone())
                .expect("built"),
        };
        resolved.insert(key, image);
    }
    Ok(resolved)
}

/// A URI pinned by digest as it is; a tag resolved to its digest through ECR.
async fn resolve_uri(ctx: &AwsContext, service: &Service, uri: &str) -> Result<ResolvedImage> {
    if let Some((_, digest)) = uri.split_once("@sha256:") {
        return Ok(ResolvedImage {
            uri: uri.to_string(),
            digest_hex: digest.to_string(),
        });
    }
    let (host, path) = uri.split_once('/').unwrap_or((uri, ""));
    let (repository, tag) = path.split_once(':').unwrap_or((path, "latest"));
    let parts: Vec<&str> = host.split('.').collect();
    let (registry, region) = (
        parts.first().copied().unwrap_or_default(),
        parts.get(3).copied().unwrap_or_default(),
    );
    if region != service.region {
        return Err(image_error(
            "LAMBDA_ECR_REGION_MISMATCH_ERROR",
            format!("The region \"{region}\" of the ECR image \"{uri}\" must match provider region \"{}\".", service.region),
        ));
    }
    let out = ctx
        .ecr()
        .describe_images()
        .repository_name(repository)
        .registry_id(registry)
        .image_ids(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_tag(tag)
                .build(),
        )
        .send()
        .await
        .map_err(|e| errors::wrap("ECR", "DESCRIBE_IMAGES", format!("find image {uri}"), e))?;
    let digest = out
        .image_details()
        .first()
        .and_then(|d| d.image_digest())
        .ok_or_else(|| image_error("ECR_IMAGE_NOT_FOUND", format!("ECR has no image {uri}")))?;
    Ok(ResolvedImage {
        uri: format!("{host}/{repository}@{digest}"),
        digest_hex: digest.trim_start_matches("sha256:").to_string(),
    })
}

/// The service's ECR repository, created when missing.
struct Repository {
    name: String,
    uri: String,
}

impl Repository {
    async fn ensure(ctx: &AwsContext, service: &Service) -> Result<Repository> {
        let ecr_config = service.provider.raw.get("ecr");
        let scan_on_push = ecr_config
            .and_then(|e| e.get("scanOnPush"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let max_images = ecr_config
            .and_then(|e| e.get("maxImageCount"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let mut name = format!("serverless-{}-{}", service.name, service.stage).to_lowercase();
        while name.contains("--") {
            name = name.replace("--", "-");
        }
        let name = name.trim_end_matches('-').to_string();
        let (registry, _) = ctx.caller_account().await?;
        let ecr = ctx.ecr();
        let uri = match ecr
            .describe_repositories()
            .repository_names(&name)
            .registry_id(&registry)
            .send()
            .await
        {
            Ok(out) => out
                .repositories()
                .first()
                .and_then(|r| r.repository_uri())
                .unwrap_or_default()
                .to_string(),
            Err(e) if errors::has_code(&e, "RepositoryNotFoundException") => {
                let out = ecr
                    .create_repository()
                    .repository_name(&name)
                    .image_scanning_configuration(
                        aws_sdk_ecr::types::ImageScanningConfiguration::builder()
                            .scan_on_push(scan_on_push)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|e| {
                        errors::wrap(
                            "ECR",
                            "CREATE_REPOSITORY",
                            format!("create ECR repository {name}"),
                            e,
                        )
                    })?;
                out.repository()
                    .and_then(|r| r.repository_uri())
                    .unwrap_or_default()
                    .to_string()
            }
            Err(e) => {
                return Err(errors::wrap(
                    "ECR",
                    "DESCRIBE_REPOSITORIES",
                    format!("read ECR repository {name}"),
                    e,
                ))
            }
        };
        if max_images > 0 {
            let policy = serde_json::json!({ "rules": [{ "rulePriority": 1, "action": { "type": "expire" }, "selection": { "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": max_images } }] });
            ecr.put_lifecycle_policy()
                .repository_name(&name)
                .lifecycle_policy_text(policy.to_string())
                .send()
                .await
                .map_err(|e| {
                    errors::wrap(
                        "ECR",
                        "PUT_LIFECYCLE_POLICY",
                        format!("set the lifecycle policy of {name}"),
                        e,
                    )
                })?;
        }
        Ok(Repository { name, uri })
    }
}

/// The docker-compatible CLI.
struct Docker {
    program: String,
}

/// What a CLI run printed (stdout and stderr together) and whether it succeeded.
struct Run {
    ok: bool,
    output: String,
}

impl Docker {
    fn from_env() -> Docker {
        Docker {
            program: std::env::var("SLSX_DOCKER")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "docker".into()),
        }
    }

    async fn run(&self, args: &[String], stdin: Option<&str>, cwd: &Path) -> std::io::Result<Run> {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(args)
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn()?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input.as_bytes()).await?;
            drop(pipe);
        }
        let out = child.wait_with_output().await?;
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok(Run {
            ok: out.status.success(),
            output,
        })
    }

    async fn ensure_available(&self) -> Result<()> {
        match self.run(&["--version".to_string()], None, Path::new(".")).await {
            Ok(r) if r.ok => Ok(()),
            _ => Err(image_error(
                "DOCKER_COMMAND_NOT_AVAILABLE",
                format!("Could not find Docker installation (\"{}\"). Ensure Docker is installed before continuing, or name a compatible CLI in SLSX_DOCKER.", self.program),
            )),
        }
    }

    /// Runs a step; a failure is `code` with the command line and its output.
    async fn step(&self, args: Vec<String>, cwd: &Path, code: &'static str) -> Result<String> {
        let line = format!("{} {}", self.program, args.join(" "));
        match self.run(&args, None, cwd).await {
            Ok(r) if r.ok => Ok(r.output),
            Ok(r) => Err(image_error(
                code,
                format!(
                    "Encountered error during executing: {line}\nOutput of the command:\n{}",
                    r.output.trim_end()
                ),
            )),
            Err(e) => Err(image_error(
                code,
                format!("Encountered error during executing: {line}: {e}"),
            )),
        }
    }
}

/// Logs the CLI into the registry: the password from GetAuthorizationToken goes to its stdin.
async fn login(ctx: &AwsContext, docker: &Docker, cwd: &Path) -> Result<()> {
    let out = ctx
        .ecr()
        .get_authorization_token()
        .send()
        .await
        .map_err(|e| {
            errors::wrap(
                "ECR",
                "GET_AUTHORIZATION_TOKEN",
                "get an ECR login token",
                e,
            )
        })?;
    let data = out.authorization_data().first().ok_or_else(|| {
        image_error(
            "DOCKER_LOGIN_ERROR",
            "ECR returned no authorization data".into(),
        )
    })?;
    use base64::Engine as _;
    let decoded = data
        .authorization_token()
        .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok())
        .unwrap_or_default();
    let decoded = String::from_utf8_lossy(&decoded).into_owned();
    let Some((_, password)) = decoded.split_once(':').filter(|(_, p)| !p.is_empty()) else {
        return Err(image_error(
            "DOCKER_LOGIN_ERROR",
            "Unexpected ECR authorization token format".into(),
        ));
    };
    let endpoint = data.proxy_endpoint().unwrap_or_default().to_string();
    let args: Vec<String> = ["login", "--username", "AWS", "--password-stdin", &endpoint]
        .iter()
        .map(|s| s.to_string())
        .collect();
    match docker.run(&args, Some(password), cwd).await {
        Ok(r) if r.ok => Ok(()),
        // The output is the CLI's, never the password (it was only written to stdin).
        Ok(r) => Err(image_error(
            "DOCKER_LOGIN_ERROR",
            format!(
                "Encountered error during executing: {} {}\nOutput of the command:\n{}",
                docker.program,
                args.join(" "),
                r.output.replace(password, "****").trim_end()
            ),
        )),
        Err(e) => Err(image_error(
            "DOCKER_LOGIN_ERROR",
            format!(
                "Encountered error during executing: {} {}: {e}",
                docker.program,
                args.join(" ")
            ),
        )),
    }
}

async fn build_and_push(
    ctx: &AwsContext,
    service: &Service,
    docker: &Docker,
    repo: &Repository,
    logged_in: &tokio::sync::OnceCell<()>,
    b: &Build,
    reporter: &dyn Reporter,
) -> Result<ResolvedImage> {
    let cwd: PathBuf = service.service_dir.clone();
    let dockerfile = dockerfile_path(service, b);
    let local = format!("{}:{}", repo.name, b.name);
    let remote = format!("{}:{}", repo.uri, b.name);
    let mut args: Vec<String> = vec![
        "build".into(),
        "-t".into(),
        local.clone(),
        "-f".into(),
        dockerfile.display().to_string(),
    ];
    for (k, v) in &b.build_args {
        args.push("--build-arg".into());
        args.push(format!("{k}={v}"));
    }
    for c in &b.cache_from {
        args.push("--cache-from".into());
        args.push(c.clone());
    }
    args.extend(b.build_options.iter().cloned());
    args.push(b.path.clone());
    if let Some(p) = &b.platform {
        args.push(format!("--platform={p}"));
    }
    if let Some(p) = &b.provenance {
        args.push(format!("--provenance={p}"));
    }
    reporter.report(ProgressEvent::PhaseStarted {
        phase: "image",
        message: format!("Building image \"{}\"", b.name),
    });
    docker.step(args, &cwd, "DOCKER_BUILD_ERROR").await?;
    reporter.report(ProgressEvent::PhaseStarted {
        phase: "image",
        message: format!("Tagging image \"{}\"", b.name),
    });
    docker
        .step(
            vec!["tag".into(), local, remote.clone()],
            &cwd,
            "DOCKER_TAG_ERROR",
        )
        .await?;
    reporter.report(ProgressEvent::PhaseStarted {
        phase: "image",
        message: format!("Uploading image \"{}\"", b.name),
    });
    let push = vec!["push".to_string(), remote.clone()];
    let output = match docker.run(&push, None, &cwd).await {
        Ok(r) if r.ok => r.output,
        Ok(r)
            if r.output.contains("no basic auth credentials")
                || r.output.contains("authorization token has expired") =>
        {
            // Log in once for every image, then push again.
            logged_in
                .get_or_try_init(|| login(ctx, docker, &cwd))
                .await?;
            docker.step(push.clone(), &cwd, "DOCKER_PUSH_ERROR").await?
        }
        Ok(r) => {
            return Err(image_error(
                "DOCKER_PUSH_ERROR",
                format!(
                "Encountered error during executing: {} push {remote}\nOutput of the command:\n{}",
                docker.program,
                r.output.trim_end()
            ),
            ))
        }
        Err(e) => {
            return Err(image_error(
                "DOCKER_PUSH_ERROR",
                format!(
                    "Encountered error during executing: {} push {remote}: {e}",
                    docker.program
                ),
            ))
        }
    };
    let digest = find_digest(&output).ok_or_else(|| {
        image_error(
            "DOCKER_PUSH_ERROR",
            format!(
                "The output of \"{} push {remote}\" holds no image digest (sha256:…)",
                docker.program
            ),
        )
    })?;
    Ok(ResolvedImage {
        uri: format!("{}@sha256:{digest}", repo.uri),
        digest_hex: digest,
    })
}

/// `<service>/<path>/<file>` with `.` and `..` resolved (as Node's `path.resolve`), not touching the disk.
fn dockerfile_path(service: &Service, b: &Build) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in service.service_dir.join(&b.path).join(&b.file).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The first `sha256:<64 hex>` in a push's output.
fn find_digest(output: &str) -> Option<String> {
    let mut rest = output;
    while let Some(i) = rest.find("sha256:") {
        let candidate = &rest[i + 7..];
        let hex: String = candidate
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .collect();
        if hex.len() >= 64 {
            return Some(hex[..64].to_string());
        }
        rest = &rest[i + 7..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_pushed_digest() {
        let out = "The push refers to repository [x]\nlatest: digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef size: 1234\n";
        assert_eq!(
            find_digest(out).as_deref(),
            Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        );
        assert_eq!(find_digest("sha256:abc"), None);
    }

    #[test]
    fn recognizes_ecr_uris() {
        assert!(is_ecr_uri(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag"
        ));
        assert!(is_ecr_uri(
            "repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ));
        assert!(!is_ecr_uri("my-image"));
    }
}
