//! Plain result objects for JavaScript.

use std::collections::HashMap;

use napi_derive::napi;
use slsx_core::commands::{ArtifactResult, DeployResult, FunctionResult, PackageResult};

#[napi(object, js_name = "Artifact")]
pub struct JsArtifact {
    /// File name in `.serverless/`.
    pub name: String,
    pub path: String,
    pub size: f64,
    /// Base64 SHA-256 of the zip (Lambda's `CodeSha256`).
    pub sha256: String,
    pub s3_key: String,
    /// false when the object was already in the bucket, the deploy was skipped, or nothing was deployed.
    pub uploaded: bool,
}

#[napi(object, js_name = "FunctionInfo")]
pub struct JsFunction {
    /// Key under `functions:`.
    pub key: String,
    /// Deployed Lambda function name.
    pub name: String,
    pub artifact: String,
    pub size: f64,
}

#[napi(object, js_name = "Timing")]
pub struct JsTiming {
    pub phase: String,
    pub millis: f64,
}

#[napi(object, js_name = "DeployResult")]
pub struct JsDeployResult {
    pub service: String,
    pub stage: String,
    pub region: String,
    pub stack_name: String,
    /// Nothing changed since the last successful deployment: nothing was uploaded or updated.
    pub skipped: bool,
    /// The change set held no changes and was deleted.
    pub empty_change_set: bool,
    /// This deploy created the stack.
    pub stack_created: bool,
    pub change_set: Option<String>,
    pub stack_status: Option<String>,
    pub bucket: String,
    /// `<prefix>/<service>/<stage>/<epochms>-<ISO>` in the deployment bucket.
    pub deployment_dir: String,
    pub artifacts: Vec<JsArtifact>,
    pub functions: Vec<JsFunction>,
    pub outputs: HashMap<String, String>,
    pub timings: Vec<JsTiming>,
    /// HTTP requests made to AWS, retries included.
    pub aws_requests: f64,
    /// S3 keys the cleanup of old deployments removed.
    pub deleted: Vec<String>,
    /// REST / HTTP API, websocket and CloudFront endpoints, function URLs (`<function>: <url>`).
    pub endpoints: Vec<String>,
    /// Layer key -> version ARN.
    pub layers: HashMap<String, String>,
}

impl From<DeployResult> for JsDeployResult {
    fn from(r: DeployResult) -> Self {
        JsDeployResult {
            service: r.service,
            stage: r.stage,
            region: r.region,
            stack_name: r.stack_name,
            skipped: r.skipped,
            empty_change_set: r.empty_change_set,
            stack_created: r.stack_created,
            change_set: r.change_set,
            stack_status: r.stack_status,
            bucket: r.bucket,
            deployment_dir: r.deployment_dir,
            artifacts: r.artifacts.into_iter().map(JsArtifact::from).collect(),
            functions: r.functions.into_iter().map(JsFunction::from).collect(),
            outputs: r.outputs.into_iter().collect(),
            timings: timings(r.timings),
            aws_requests: r.aws_requests as f64,
            deleted: r.deleted,
            endpoints: r.endpoints,
            layers: r.layers.into_iter().collect(),
        }
    }
}

impl From<ArtifactResult> for JsArtifact {
    fn from(a: ArtifactResult) -> Self {
        JsArtifact {
            name: a.name,
            path: a.path,
            size: a.size as f64,
            sha256: a.sha256,
            s3_key: a.s3_key,
            uploaded: a.uploaded,
        }
    }
}

impl From<FunctionResult> for JsFunction {
    fn from(f: FunctionResult) -> Self {
        JsFunction {
            key: f.key,
            name: f.name,
            artifact: f.artifact,
            size: f.size as f64,
        }
    }
}

fn timings(t: Vec<(String, u64)>) -> Vec<JsTiming> {
    t.into_iter()
        .map(|(phase, millis)| JsTiming {
            phase,
            millis: millis as f64,
        })
        .collect()
}

#[napi(object, js_name = "PackageResult")]
pub struct JsPackageResult {
    pub service: String,
    pub stage: String,
    pub region: String,
    /// Where the templates, the state and the zips were written.
    pub package_dir: String,
    pub artifacts: Vec<JsArtifact>,
    pub functions: Vec<JsFunction>,
    pub warnings: Vec<String>,
    pub timings: Vec<JsTiming>,
}

impl From<PackageResult> for JsPackageResult {
    fn from(r: PackageResult) -> Self {
        JsPackageResult {
            service: r.service,
            stage: r.stage,
            region: r.region,
            package_dir: r.package_dir,
            artifacts: r.artifacts.into_iter().map(JsArtifact::from).collect(),
            functions: r.functions.into_iter().map(JsFunction::from).collect(),
            warnings: r.warnings,
            timings: timings(r.timings),
        }
    }
}

#[napi(object, js_name = "InfoResult")]
pub struct JsInfoResult {
    pub service: String,
    pub stage: String,
    pub region: String,
    pub stack_name: String,
    pub stack_status: String,
    /// Function key -> deployed name.
    pub functions: HashMap<String, String>,
    pub endpoints: Vec<String>,
    /// Layer key -> version ARN.
    pub layers: HashMap<String, String>,
    pub outputs: HashMap<String, String>,
}

impl From<slsx_core::commands::InfoResult> for JsInfoResult {
    fn from(r: slsx_core::commands::InfoResult) -> Self {
        JsInfoResult {
            service: r.service,
            stage: r.stage,
            region: r.region,
            stack_name: r.stack_name,
            stack_status: r.stack_status,
            functions: r.functions.into_iter().collect(),
            endpoints: r.endpoints,
            layers: r.layers.into_iter().collect(),
            outputs: r.outputs.into_iter().collect(),
        }
    }
}

/// One function sent by `deployFunction`.
#[napi(object, js_name = "FunctionDeployed")]
pub struct JsFunctionDeployed {
    /// The key under `functions:`.
    pub key: String,
    /// The Lambda function name.
    pub name: String,
    /// `updated`, `unchanged` (same CodeSha256 as deployed) or `skipped` (`updateConfig`).
    pub code: String,
    /// `updated` or `unchanged`.
    pub configuration: String,
    /// Base64 SHA-256 of the zip, as Lambda reports it.
    pub sha256: String,
    /// Zip size in bytes.
    pub size: f64,
    /// The version published with `publish`.
    pub version: Option<String>,
}

impl From<slsx_core::commands::FunctionDeployed> for JsFunctionDeployed {
    fn from(f: slsx_core::commands::FunctionDeployed) -> Self {
        JsFunctionDeployed {
            key: f.key,
            name: f.name,
            code: f.code,
            configuration: f.configuration,
            sha256: f.sha256,
            size: f.size as f64,
            version: f.version,
        }
    }
}
