//! Lambda: versions, aliases and layer versions (serverless-prune-plugin reads `Versions[].Version`,
//! `Aliases[].FunctionVersion`, `LayerVersions[].Version` and pages with `NextMarker`), deletions, and
//! invoke (serverless-plugin-warmup sends a text `Payload`).

use aws_sdk_lambda::types::{
    AliasConfiguration, FunctionConfiguration, FunctionVersion, InvocationType,
    LayerVersionsListItem, LogType,
};
use aws_smithy_types::Blob;
use serde_json::Value;

use super::{failure, Failure, Out, Params};
use crate::aws::AwsContext;

pub async fn call(ctx: &AwsContext, method: &str, p: &Params<'_>) -> Result<Value, Failure> {
    match method {
        "listVersionsByFunction" => list_versions_by_function(ctx, p).await,
        "listAliases" => list_aliases(ctx, p).await,
        "deleteFunction" => delete_function(ctx, p).await,
        "listLayerVersions" => list_layer_versions(ctx, p).await,
        "deleteLayerVersion" => delete_layer_version(ctx, p).await,
        "invoke" => invoke(ctx, p).await,
        "getFunction" => get_function(ctx, p).await,
        "listFunctions" => list_functions(ctx, p).await,
        _ => Err(super::unlisted(p)),
    }
}

/// `{ FunctionName, Marker, MaxItems }`.
async fn list_versions_by_function(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["FunctionName", "Marker", "MaxItems"])?;
    let r = ctx
        .lambda()
        .list_versions_by_function()
        .function_name(p.req_str("FunctionName")?)
        .set_marker(p.str("Marker")?)
        .set_max_items(p.int32("MaxItems")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .list("Versions", r.versions(), function_configuration)
        .s("NextMarker", r.next_marker())
        .done())
}

/// `{ FunctionName, FunctionVersion, Marker, MaxItems }`.
async fn list_aliases(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["FunctionName", "FunctionVersion", "Marker", "MaxItems"])?;
    let r = ctx
        .lambda()
        .list_aliases()
        .function_name(p.req_str("FunctionName")?)
        .set_function_version(p.str("FunctionVersion")?)
        .set_marker(p.str("Marker")?)
        .set_max_items(p.int32("MaxItems")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .list("Aliases", r.aliases(), alias)
        .s("NextMarker", r.next_marker())
        .done())
}

/// `{ FunctionName, Qualifier }`.
async fn delete_function(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["FunctionName", "Qualifier"])?;
    ctx.lambda()
        .delete_function()
        .function_name(p.req_str("FunctionName")?)
        .set_qualifier(p.str("Qualifier")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new().done())
}

/// `{ LayerName, Marker, MaxItems }`.
async fn list_layer_versions(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["LayerName", "Marker", "MaxItems"])?;
    let r = ctx
        .lambda()
        .list_layer_versions()
        .layer_name(p.req_str("LayerName")?)
        .set_marker(p.str("Marker")?)
        .set_max_items(p.int32("MaxItems")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .list("LayerVersions", r.layer_versions(), layer_version)
        .s("NextMarker", r.next_marker())
        .done())
}

/// `{ LayerName, VersionNumber }`.
async fn delete_layer_version(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["LayerName", "VersionNumber"])?;
    ctx.lambda()
        .delete_layer_version()
        .layer_name(p.req_str("LayerName")?)
        .version_number(p.req_int("VersionNumber")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new().done())
}

/// `{ FunctionName, Qualifier }`.
async fn get_function(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["FunctionName", "Qualifier"])?;
    let r = ctx
        .lambda()
        .get_function()
        .function_name(p.req_str("FunctionName")?)
        .set_qualifier(p.str("Qualifier")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    let code = r.code().map(|c| {
        Out::new()
            .s("RepositoryType", c.repository_type())
            .s("Location", c.location())
            .s("ImageUri", c.image_uri())
            .s("ResolvedImageUri", c.resolved_image_uri())
            .done()
    });
    let concurrency = r.concurrency().map(|c| {
        Out::new()
            .n(
                "ReservedConcurrentExecutions",
                c.reserved_concurrent_executions(),
            )
            .done()
    });
    Ok(Out::new()
        .v(
            "Configuration",
            r.configuration().map(function_configuration),
        )
        .v("Code", code)
        .map("Tags", r.tags())
        .v("Concurrency", concurrency)
        .done())
}

/// `{ Marker, MaxItems, FunctionVersion, MasterRegion }`.
async fn list_functions(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["Marker", "MaxItems", "FunctionVersion", "MasterRegion"])?;
    let r = ctx
        .lambda()
        .list_functions()
        .set_marker(p.str("Marker")?)
        .set_max_items(p.int32("MaxItems")?)
        .set_function_version(
            p.str("FunctionVersion")?
                .map(|v| FunctionVersion::from(v.as_str())),
        )
        .set_master_region(p.str("MasterRegion")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .list("Functions", r.functions(), function_configuration)
        .s("NextMarker", r.next_marker())
        .done())
}

/// v2 answers with the `Payload` as a Buffer; plugins read it as text (`JSON.parse(Payload)`), and a
/// Lambda function's answer is JSON, so it is given as UTF-8 text.
async fn invoke(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&[
        "FunctionName",
        "InvocationType",
        "LogType",
        "ClientContext",
        "Payload",
        "Qualifier",
    ])?;
    let r = ctx
        .lambda()
        .invoke()
        .function_name(p.req_str("FunctionName")?)
        .set_invocation_type(
            p.str("InvocationType")?
                .map(|t| InvocationType::from(t.as_str())),
        )
        .set_log_type(p.str("LogType")?.map(|t| LogType::from(t.as_str())))
        .set_client_context(p.str("ClientContext")?)
        .set_payload(p.text_blob("Payload")?.map(Blob::new))
        .set_qualifier(p.str("Qualifier")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    let payload = r
        .payload()
        .map(|b| Value::from(String::from_utf8_lossy(b.as_ref()).into_owned()));
    Ok(Out::new()
        .n("StatusCode", Some(r.status_code()))
        .s("FunctionError", r.function_error())
        .s("LogResult", r.log_result())
        .v("Payload", payload)
        .s("ExecutedVersion", r.executed_version())
        .done())
}

fn function_configuration(f: &FunctionConfiguration) -> Value {
    let environment = f
        .environment()
        .map(|e| Out::new().map("Variables", e.variables()).done());
    let vpc = f.vpc_config().map(|v| {
        Out::new()
            .strings("SubnetIds", v.subnet_ids())
            .strings("SecurityGroupIds", v.security_group_ids())
            .s("VpcId", v.vpc_id())
            .done()
    });
    let dead_letter = f
        .dead_letter_config()
        .map(|d| Out::new().s("TargetArn", d.target_arn()).done());
    let tracing = f
        .tracing_config()
        .map(|t| Out::new().s("Mode", t.mode().map(|m| m.as_str())).done());
    let logging = f.logging_config().map(|l| {
        Out::new()
            .s("LogFormat", l.log_format().map(|x| x.as_str()))
            .s(
                "ApplicationLogLevel",
                l.application_log_level().map(|x| x.as_str()),
            )
            .s("SystemLogLevel", l.system_log_level().map(|x| x.as_str()))
            .s("LogGroup", l.log_group())
            .done()
    });
    Out::new()
        .s("FunctionName", f.function_name())
        .s("FunctionArn", f.function_arn())
        .s("Runtime", f.runtime().map(|r| r.as_str()))
        .s("Role", f.role())
        .s("Handler", f.handler())
        .n("CodeSize", Some(f.code_size()))
        .s("Description", f.description())
        .n("Timeout", f.timeout())
        .n("MemorySize", f.memory_size())
        .s("LastModified", f.last_modified())
        .s("CodeSha256", f.code_sha256())
        .s("Version", f.version())
        .v("VpcConfig", vpc)
        .v("DeadLetterConfig", dead_letter)
        .v("Environment", environment)
        .s("KMSKeyArn", f.kms_key_arn())
        .v("TracingConfig", tracing)
        .s("MasterArn", f.master_arn())
        .s("RevisionId", f.revision_id())
        .list("Layers", f.layers(), |l| {
            Out::new()
                .s("Arn", l.arn())
                .n("CodeSize", Some(l.code_size()))
                .done()
        })
        .s("State", f.state().map(|s| s.as_str()))
        .s("StateReason", f.state_reason())
        .s(
            "LastUpdateStatus",
            f.last_update_status().map(|s| s.as_str()),
        )
        .s("PackageType", f.package_type().map(|t| t.as_str()))
        .list("Architectures", f.architectures(), |a| {
            Value::from(a.as_str())
        })
        .v(
            "EphemeralStorage",
            f.ephemeral_storage()
                .map(|e| Out::new().n("Size", Some(e.size())).done()),
        )
        .v("LoggingConfig", logging)
        .done()
}

fn alias(a: &AliasConfiguration) -> Value {
    let routing = a.routing_config().map(|r| {
        Out::new()
            .v(
                "AdditionalVersionWeights",
                r.additional_version_weights().map(|w| {
                    Value::Object(
                        w.iter()
                            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
                            .collect(),
                    )
                }),
            )
            .done()
    });
    Out::new()
        .s("AliasArn", a.alias_arn())
        .s("Name", a.name())
        .s("FunctionVersion", a.function_version())
        .s("Description", a.description())
        .v("RoutingConfig", routing)
        .s("RevisionId", a.revision_id())
        .done()
}

fn layer_version(l: &LayerVersionsListItem) -> Value {
    Out::new()
        .s("LayerVersionArn", l.layer_version_arn())
        .n("Version", Some(l.version()))
        .s("Description", l.description())
        .s("CreatedDate", l.created_date())
        .list("CompatibleRuntimes", l.compatible_runtimes(), |r| {
            Value::from(r.as_str())
        })
        .s("LicenseInfo", l.license_info())
        .list(
            "CompatibleArchitectures",
            l.compatible_architectures(),
            |a| Value::from(a.as_str()),
        )
        .done()
}
