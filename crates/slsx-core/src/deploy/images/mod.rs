//! Container images of image functions, resolved to an ECR URI pinned by digest before anything is
//! compiled: a URI with a digest as it is, a tag URI through ECR DescribeImages, and an image named
//! in `provider.ecr.images` with a `path` built with the `docker` CLI (`SLSX_DOCKER` names another
//! compatible one) and pushed to the service's repository `serverless-<service>-<stage>`, created
//! when missing (with `scanOnPush` and the `maxImageCount` lifecycle policy). Each image is built
//! once however many functions use it, and different images are built concurrently. The registry
//! login is done when a push asks for it, with the password on the CLI's stdin, never in its argv.
//!
//! `resolve` (here) runs it: `source` reads what each function asks for, `ecr` resolves URIs and
//! owns the repository and the login, `build` builds and pushes through the CLI of `docker`.

mod build;
mod docker;
mod ecr;
mod source;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use self::docker::{dockerfile_path, image_error, Docker};
use self::ecr::Repository;
use self::source::{Build, Source};
use crate::aws::AwsContext;
use crate::config::Service;
use crate::error::Result;
use crate::progress::Reporter;

/// A function's container image, resolved to an ECR URI pinned by digest (by `deploy::images`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    pub uri: String,
    pub digest_hex: String,
}

/// Resolves every image function's image; builds and pushes what needs building.
pub async fn resolve(
    ctx: &AwsContext,
    service: &Service,
    reporter: &dyn Reporter,
) -> Result<BTreeMap<String, ResolvedImage>> {
    let sources = source::sources(service)?;
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
        futures::future::try_join_all(uris.iter().map(|u| ecr::resolve_uri(ctx, service, u)))
            .await?;
    let built = build_all(ctx, service, &builds, reporter).await?;
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

/// Builds and pushes every image of `builds` concurrently, by name.
async fn build_all(
    ctx: &AwsContext,
    service: &Service,
    builds: &[Build],
    reporter: &dyn Reporter,
) -> Result<Vec<(String, ResolvedImage)>> {
    if builds.is_empty() {
        return Ok(Vec::new());
    }
    let docker = Docker::from_env();
    docker.ensure_available().await?;
    for b in builds {
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
            .map(|b| build::build_and_push(ctx, service, &docker, &repo, &login, b, reporter)),
    )
    .await?;
    Ok(builds.iter().map(|b| b.name.clone()).zip(results).collect())
}
