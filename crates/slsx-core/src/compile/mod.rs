//! The CloudFormation compiler: a pure function of the service and its packaged artifacts.

pub mod collate;
mod core_template;
mod functions;
mod iam;
mod logs;
pub mod naming;
mod outputs;

use serde_json::{Map, Value};

use crate::config::Service;
use crate::error::Result;
use crate::package::Artifact;

pub use core_template::core_template;

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

/// Where the code of a function lives once uploaded.
#[derive(Debug, Clone)]
pub struct CodeLocation<'a> {
    pub artifact: &'a Artifact,
    pub s3_key: String,
}

/// S3 key of a content-addressed code artifact: `<prefix>/<service>/<stage>/code-artifacts/<sha256>.zip`.
pub fn code_artifact_key(service: &Service, artifact: &Artifact) -> String {
    format!(
        "{}/code-artifacts/{}.zip",
        service.s3_stage_prefix(),
        artifact.sha256_hex
    )
}

/// Compiles the service. `code` gives, per function key, the artifact holding its code.
pub fn compile(service: &Service, code: &[(String, CodeLocation<'_>)]) -> Result<Templates> {
    let create = core_template(service);
    let mut update = create.clone();
    let resources = resources_mut(&mut update);

    logs::add_log_groups(service, resources);
    iam::add_execution_role(service, resources);
    let version_ids = functions::add_functions(service, code, resources)?;

    let outputs = outputs_mut(&mut update);
    for (key, version) in &version_ids {
        if let Some(version) = version {
            outputs.insert(
                naming::qualified_arn_output_id(key),
                serde_json::json!({
                    "Description": "Current Lambda function version",
                    "Value": { "Ref": version },
                }),
            );
        }
    }
    outputs::add_export_names(service, &mut update);
    Ok(Templates {
        create,
        update,
        version_ids,
    })
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
