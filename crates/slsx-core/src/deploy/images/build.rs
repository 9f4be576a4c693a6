//! Building an image of `provider.ecr.images` with the docker CLI, tagging it for the service's
//! repository and pushing it (logging in to the registry once, when a push asks for it).

use std::path::Path;

use tokio::sync::OnceCell;

use super::docker::{dockerfile_path, find_digest, image_error, Docker};
use super::ecr::{login, Repository};
use super::source::Build;
use super::ResolvedImage;
use crate::aws::AwsContext;
use crate::config::Service;
use crate::error::Result;
use crate::progress::{ProgressEvent, Reporter};

/// Builds, tags and pushes `b`; the image pinned by the digest the push printed.
pub(super) async fn build_and_push(
    ctx: &AwsContext,
    service: &Service,
    docker: &Docker,
    repo: &Repository,
    logged_in: &OnceCell<()>,
    b: &Build,
    reporter: &dyn Reporter,
) -> Result<ResolvedImage> {
    let cwd = &service.service_dir;
    let local = format!("{}:{}", repo.name, b.name);
    let remote = format!("{}:{}", repo.uri, b.name);
    let phase = |step: &str| {
        reporter.report(ProgressEvent::PhaseStarted {
            phase: "image",
            message: format!("{step} image \"{}\"", b.name),
        })
    };
    phase("Building");
    let args = build_args(service, b, &local);
    docker.step(args, cwd, "DOCKER_BUILD_ERROR").await?;
    phase("Tagging");
    let tag = vec!["tag".into(), local, remote.clone()];
    docker.step(tag, cwd, "DOCKER_TAG_ERROR").await?;
    phase("Uploading");
    let output = push(ctx, docker, &remote, logged_in, cwd).await?;
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

/// `build -t <local> -f <Dockerfile> [--build-arg k=v]… [--cache-from c]… <options>… <path>
/// [--platform=p] [--provenance=p]`.
fn build_args(service: &Service, b: &Build, local: &str) -> Vec<String> {
    let dockerfile = dockerfile_path(service, b);
    let mut args: Vec<String> = vec![
        "build".into(),
        "-t".into(),
        local.to_string(),
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
    args
}

/// Pushes `remote`; what the push printed. A push the registry refuses for want of a login logs in
/// (once for every image) and pushes again.
async fn push(
    ctx: &AwsContext,
    docker: &Docker,
    remote: &str,
    logged_in: &OnceCell<()>,
    cwd: &Path,
) -> Result<String> {
    let push = vec!["push".to_string(), remote.to_string()];
    match docker.run(&push, None, cwd).await {
        Ok(r) if r.ok => Ok(r.output),
        // The CLI's own words: the registry answers it, not an AWS SDK call.
        Ok(r)
            if r.output.contains("no basic auth credentials")
                || r.output.contains("authorization token has expired") =>
        {
            logged_in
                .get_or_try_init(|| login(ctx, docker, cwd))
                .await?;
            docker.step(push, cwd, "DOCKER_PUSH_ERROR").await
        }
        Ok(r) => Err(docker.failure("DOCKER_PUSH_ERROR", &push, Ok(&r.output))),
        Err(e) => Err(docker.failure("DOCKER_PUSH_ERROR", &push, Err(&e))),
    }
}
