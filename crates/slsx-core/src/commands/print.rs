//! `print` (the resolved configuration) and the service plugins are constructed with.

use crate::error::Result;
use crate::load::ServiceOptions;

/// What plugins are constructed with: the service loaded (variables resolved, values converted,
/// not yet refused by the schema, which plugins extend) as osls's `serverless.service`, and the
/// values slsx added to it (`{ service, injected: [[pointer, value]…] }`).
pub async fn plugin_service_state(options: &ServiceOptions) -> Result<serde_json::Value> {
    let opts = ServiceOptions {
        skip_schema: true,
        hooks: None,
        ..options.clone()
    };
    let service = crate::load::load_with_aws(&opts).await?;
    Ok(crate::deploy::hook_state::service_state(&service))
}

/// `print`: the configuration with every variable resolved, and the defaults Serverless fills in
/// before printing (`provider.stage` `dev` when absent — the CLI's `--stage` does not show there,
/// its `--region` does — `versionFunctions`, each function's `name` and `events`).
pub async fn print_config(options: &ServiceOptions) -> Result<serde_json::Value> {
    let options = ServiceOptions {
        skip_compile_checks: true,
        ..options.clone()
    };
    let service = crate::load::load_with_aws(&options).await?;
    let mut config = service.raw.clone();
    if let Some(provider) = config.get_mut("provider").and_then(|p| p.as_object_mut()) {
        provider
            .entry("stage")
            .or_insert(crate::defaults::STAGE.into());
        provider.insert("region".into(), service.region.clone().into());
        provider
            .entry("versionFunctions")
            .or_insert(service.provider.version_functions.into());
        // osls's `initialize`: a bucket given as an object (a list too, for JavaScript) moves to
        // `deploymentBucketObject`, and `deploymentBucket` becomes its name, or null without one.
        if let Some(bucket @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) =
            provider.get("deploymentBucket").cloned()
        {
            let name = bucket
                .get("name")
                .filter(|n| crate::config::js_truthy(n))
                .cloned()
                .unwrap_or_default();
            provider.insert("deploymentBucketObject".into(), bucket);
            provider.insert("deploymentBucket".into(), name);
        }
    }
    // osls's package plugin (`initialize`) names the code artifacts' S3 directory in the user's own
    // `package` object (there is none to print when the service has no `package`).
    if let Some(package) = config.get_mut("package").and_then(|p| p.as_object_mut()) {
        let dir = format!(
            "{}/{}/{}/code-artifacts",
            service.provider.deployment_prefix, service.name, service.stage
        );
        package.insert("artifactsS3KeyDirname".into(), dir.into());
    }
    if let Some(functions) = config.get_mut("functions").and_then(|f| f.as_object_mut()) {
        for f in &service.functions {
            if let Some(fo) = functions.get_mut(&f.key).and_then(|v| v.as_object_mut()) {
                fo.entry("events").or_insert_with(|| serde_json::json!([]));
                fo.insert("name".into(), f.name.clone().into());
            }
        }
    }
    Ok(config)
}
