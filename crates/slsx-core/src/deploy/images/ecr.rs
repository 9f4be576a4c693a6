//! ECR: tag URIs resolved to digests, the service's repository (created when missing, with its scan
//! and lifecycle settings), and the registry login the docker CLI needs to push.

use std::path::Path;

use super::docker::{image_error, Docker};
use super::ResolvedImage;
use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::config::Service;
use crate::error::Result;

/// A URI pinned by digest as it is; a tag resolved to its digest through ECR.
pub(super) async fn resolve_uri(
    ctx: &AwsContext,
    service: &Service,
    uri: &str,
) -> Result<ResolvedImage> {
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
        .or_aws("ECR", "DESCRIBE_IMAGES", || format!("find image {uri}"))?;
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
pub(super) struct Repository {
    pub name: String,
    pub uri: String,
}

impl Repository {
    pub async fn ensure(ctx: &AwsContext, service: &Service) -> Result<Repository> {
        let ecr_config = &service.provider.settings.stack.ecr;
        let (scan_on_push, max_images) = (ecr_config.scan_on_push, ecr_config.max_image_count);
        let name = repository_name(service);
        let uri = find_or_create(ctx, &name, scan_on_push).await?;
        if max_images > 0 {
            let policy = serde_json::json!({ "rules": [{ "rulePriority": 1, "action": { "type": "expire" }, "selection": { "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": max_images } }] });
            ctx.ecr()
                .put_lifecycle_policy()
                .repository_name(&name)
                .lifecycle_policy_text(policy.to_string())
                .send()
                .await
                .or_aws("ECR", "PUT_LIFECYCLE_POLICY", || {
                    format!("set the lifecycle policy of {name}")
                })?;
        }
        Ok(Repository { name, uri })
    }
}

/// `serverless-<service>-<stage>`, lower case, without doubled or trailing dashes.
fn repository_name(service: &Service) -> String {
    let mut name = format!("serverless-{}-{}", service.name, service.stage).to_lowercase();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    name.trim_end_matches('-').to_string()
}

/// The URI of the repository `name` in the account, created when missing.
async fn find_or_create(ctx: &AwsContext, name: &str, scan_on_push: bool) -> Result<String> {
    let (registry, _) = ctx.caller_account().await?;
    let ecr = ctx.ecr();
    match ecr
        .describe_repositories()
        .repository_names(name)
        .registry_id(&registry)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .repositories()
            .first()
            .and_then(|r| r.repository_uri())
            .unwrap_or_default()
            .to_string()),
        Err(e) if errors::has_code(&e, "RepositoryNotFoundException") => {
            let out = ecr
                .create_repository()
                .repository_name(name)
                .image_scanning_configuration(
                    aws_sdk_ecr::types::ImageScanningConfiguration::builder()
                        .scan_on_push(scan_on_push)
                        .build(),
                )
                .send()
                .await
                .or_aws("ECR", "CREATE_REPOSITORY", || {
                    format!("create ECR repository {name}")
                })?;
            Ok(out
                .repository()
                .and_then(|r| r.repository_uri())
                .unwrap_or_default()
                .to_string())
        }
        Err(e) => Err(errors::wrap(
            "ECR",
            "DESCRIBE_REPOSITORIES",
            format!("read ECR repository {name}"),
            e,
        )),
    }
}

/// Logs the CLI into the registry: the password from GetAuthorizationToken goes to its stdin.
pub(super) async fn login(ctx: &AwsContext, docker: &Docker, cwd: &Path) -> Result<()> {
    let out = ctx.ecr().get_authorization_token().send().await.or_aws(
        "ECR",
        "GET_AUTHORIZATION_TOKEN",
        || "get an ECR login token",
    )?;
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
        Ok(r) => Err(docker.failure(
            "DOCKER_LOGIN_ERROR",
            &args,
            Ok(&r.output.replace(password, "****")),
        )),
        Err(e) => Err(docker.failure("DOCKER_LOGIN_ERROR", &args, Err(&e))),
    }
}
