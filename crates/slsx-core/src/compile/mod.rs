//! The CloudFormation compiler: a pure function of the service and its packaged artifacts.

pub mod collate;
mod core_template;
pub mod custom_resources;
pub mod durable;
mod events;
mod functions;
mod iam;
mod invoke_config;
mod layers;
mod logs;
pub mod naming;
mod outputs;
pub mod plugin_naming;
mod resources;
mod targets;
mod url;
mod versions;

use serde_json::{Map, Value};

use crate::config::Service;
use crate::error::Result;

pub use core_template::core_template;
pub use iam::{custom_execution_role, is_existing_role};
pub use layers::layer_logical_id;
pub use targets::{target_alias, truthy};

/// Both templates Serverless writes to `.serverless/`.
#[derive(Debug, Clone)]
pub struct Templates {
    /// `cloudformation-template-create-stack.json`: the deployment bucket only.
    pub create: Value,
    /// `cloudformation-template-update-stack.json`: the whole service.
    pub update: Value,
    /// Per function key: the version logical ID, when versions are on.
    pub version_ids: Vec<(String, Option<String>)>,
}

/// Where a function's code is.
#[derive(Debug, Clone)]
pub enum FunctionCode {
    /// A zip in the deployment bucket.
    Zip {
        s3_key: String,
        sha256_base64: String,
    },
    /// A container image, by digest.
    Image { uri: String, digest_hex: String },
}

/// A layer's zip: where it is locally (its bytes go into the layer hash) and in the bucket.
#[derive(Debug, Clone)]
pub struct LayerCode {
    pub key: String,
    pub path: std::path::PathBuf,
    pub s3_key: String,
    pub sha256_base64: String,
}

/// S3 key of a content-addressed code artifact: `<prefix>/<service>/<stage>/code-artifacts/<sha256>.zip`.
pub fn code_artifact_key(service: &Service, sha256_hex: &str) -> String {
    format!(
        "{}/code-artifacts/{sha256_hex}.zip",
        service.s3_stage_prefix()
    )
}

/// Compiles the service: `functions` gives each function's code (by key), `layers` each layer's zip.
/// The stages of the package lifecycle, one after the other (`deploy::build` runs them with the
/// plugins' hooks between them).
pub fn compile(
    service: &Service,
    functions: &[(String, FunctionCode)],
    layers: &[LayerCode],
) -> Result<Templates> {
    let create = core_template(service, None);
    let mut update = create.clone();
    setup_provider(service, &mut update);
    let compiled_layers = compile_layers(service, layers, &mut update)?;
    let version_ids = compile_functions(service, functions, &compiled_layers, &mut update)?;
    compile_events(service, &mut update)?;
    finalize(service, &mut update)?;
    Ok(Templates {
        create,
        update,
        version_ids,
    })
}

/// `package:setupProviderConfiguration`: the log groups and the execution role, added to the
/// compiled template (which starts as the core template, the create template).
pub fn setup_provider(service: &Service, update: &mut Value) {
    logs::add_log_groups(service, resources_mut(update));
    let durable_statement = durable::role_statement(service);
    iam::add_execution_role(service, resources_mut(update), durable_statement);
}

/// `package:compileLayers`.
pub fn compile_layers(
    service: &Service,
    layers: &[LayerCode],
    template: &mut Value,
) -> Result<Vec<layers::CompiledLayer>> {
    let zips: Vec<(&str, &std::path::Path, String, String)> = layers
        .iter()
        .map(|l| {
            (
                l.key.as_str(),
                l.path.as_path(),
                l.s3_key.clone(),
                l.sha256_base64.clone(),
            )
        })
        .collect();
    let (mut resources, mut outputs) = take_sections(template);
    let compiled = layers::add_layers(service, &zips, &mut resources, &mut outputs);
    put_sections(template, resources, outputs);
    compiled
}

/// `package:compileFunctions`: functions, versions, aliases, URLs…; the version logical ID of each
/// function key, in function order.
pub fn compile_functions(
    service: &Service,
    functions: &[(String, FunctionCode)],
    compiled_layers: &[layers::CompiledLayer],
    template: &mut Value,
) -> Result<Vec<(String, Option<String>)>> {
    let (mut resources, mut outputs) = take_sections(template);
    let ids = functions::add_functions(
        service,
        functions,
        compiled_layers,
        &mut resources,
        &mut outputs,
    );
    put_sections(template, resources, outputs);
    ids
}

/// `package:compileEvents`.
pub fn compile_events(service: &Service, template: &mut Value) -> Result<()> {
    let (mut resources, mut outputs) = take_sections(template);
    let done = events::add_events(service, &mut resources, &mut outputs);
    put_sections(template, resources, outputs);
    done
}

/// The first three events `package:finalize` spawns: export names, the user's `resources`, nulls
/// stripped.
pub fn finalize(service: &Service, template: &mut Value) -> Result<()> {
    outputs::add_export_names(service, template);
    resources::merge_resources(service, template)?;
    resources::strip_nulls(template);
    Ok(())
}

pub use layers::CompiledLayer;
pub use outputs::add_export_names;
pub use resources::{merge_resources, strip_nulls};

fn take_sections(template: &mut Value) -> (Map<String, Value>, Map<String, Value>) {
    (
        std::mem::take(resources_mut(template)),
        std::mem::take(outputs_mut(template)),
    )
}

fn put_sections(template: &mut Value, resources: Map<String, Value>, outputs: Map<String, Value>) {
    *resources_mut(template) = resources;
    *outputs_mut(template) = outputs;
}

/// Where code lives: the stack's deployment bucket, or the custom `deploymentBucket` by name.
pub fn bucket_ref(service: &Service) -> serde_json::Value {
    match custom_bucket(service) {
        Some(name) => serde_json::Value::String(name),
        None => serde_json::json!({ "Ref": naming::DEPLOYMENT_BUCKET }),
    }
}

/// `provider.deploymentBucket` (a name, or an object with `name`).
pub fn custom_bucket(service: &Service) -> Option<String> {
    service.provider.settings.deployment_bucket_name.clone()
}

fn resources_mut(template: &mut Value) -> &mut Map<String, Value> {
    section_mut(template, "Resources")
}

fn outputs_mut(template: &mut Value) -> &mut Map<String, Value> {
    section_mut(template, "Outputs")
}

fn section_mut<'a>(template: &'a mut Value, name: &str) -> &'a mut Map<String, Value> {
    let root = template
        .as_object_mut()
        .expect("a template is always an object");
    root.entry(name)
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("template sections are objects")
}
