//! The execution role `deploy function` sets: the function's custom role, else `provider.iam.role`
//! when it names an existing role, else `provider.role` (osls's `getCustomExecutionRole`), turned
//! into an ARN the way osls's `normalizeArnRole` does:
//!
//! - a string with a `:` is an ARN, sent as it is;
//! - any other string is the logical ID of an `AWS::IAM::Role` in `resources.Resources` with a
//!   `RoleName`: `arn:<partition>:iam::<account>:role<Path or />` + `RoleName`;
//! - `Fn::GetAtt: [X, Arn]` is the role the stack made for `X`. osls asks IAM for a role *named* `X`,
//!   which is that role only when its name is its logical ID; slsx asks the stack which role `X` is,
//!   which gives the same ARN then and the right one otherwise.
//!
//! Every other form (`Fn::ImportValue`, `Fn::Sub`, `Ref` …) makes osls fail with a TypeError; slsx
//! refuses it before anything is deployed. So do the template checks: they run before any update.

use serde_json::Value;

use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::compile::naming::ROLE_LAMBDA_EXECUTION;
use crate::config::{error_at, Function, Service};
use crate::error::{Error, Result};

/// What the role setting asks for, checked against the template without AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    Arn(String),
    /// A role of `resources` by name: its path and `RoleName`.
    Named {
        path: String,
        name: String,
    },
    /// `Fn::GetAtt [X, Arn]`: the stack's resource `X`, with the path its template gives.
    StackRole {
        logical_id: String,
        path: String,
    },
}

/// The custom role of `f` as osls reads it, checked; `None` when the function uses the role the
/// stack creates (nothing to send then).
pub fn role_ref(service: &Service, f: &Function) -> Result<Option<RoleRef>> {
    let Some(role) = crate::compile::custom_execution_role(service, f) else {
        return Ok(None);
    };
    let at = setting_path(service, f);
    let refuse =
        |code: &'static str, message: String| Err(error_at(service, at.clone(), code, message));
    match &role {
        Value::String(s) if s.contains(':') => Ok(Some(RoleRef::Arn(s.clone()))),
        Value::String(id) => {
            let Some(resource) = template_resource(service, id) else {
                return refuse("ROLE_NOT_IN_RESOURCES", format!("Role \"{id}\" is not a resource of resources.Resources: deploy function takes a role ARN, the logical ID of an AWS::IAM::Role there, or Fn::GetAtt [Role, Arn]"));
            };
            if resource.get("Type").and_then(Value::as_str) != Some("AWS::IAM::Role") {
                return refuse("ROLE_REFERENCES_NON_AWS_IAM_ROLE", "Provided resource is not IAM Role".into());
            }
            let props = resource.get("Properties");
            let name = match props.and_then(|p| p.get("RoleName")) {
                None | Some(Value::Null) => {
                    return refuse("MISSING_ROLENAME_FOR_ROLE", "Role resource missing RoleName property".into())
                }
                Some(Value::String(n)) if !n.is_empty() => n.clone(),
                Some(other) => {
                    return refuse("ROLE_NAME_NOT_RESOLVABLE", format!("The RoleName of role \"{id}\" is {other}, which only the stack can resolve: use Fn::GetAtt [{id}, Arn] as the role, or run slsx deploy"))
                }
            };
            let Some(path) = role_path(props.and_then(|p| p.get("Path"))) else {
                return refuse("ROLE_NAME_NOT_RESOLVABLE", format!("The Path of role \"{id}\" only the stack can resolve: use Fn::GetAtt [{id}, Arn] as the role, or run slsx deploy"));
            };
            Ok(Some(RoleRef::Named { path, name }))
        }
        Value::Object(o) => match o.get("Fn::GetAtt").and_then(Value::as_array).map(Vec::as_slice) {
            Some([Value::String(id), Value::String(attr)]) if attr == "Arn" => {
                let path = if id == ROLE_LAMBDA_EXECUTION {
                    service.provider.settings.iam_role.as_ref().and_then(|r| r.get("path")).cloned()
                } else {
                    template_resource(service, id).and_then(|r| r.pointer("/Properties/Path").cloned())
                };
                let Some(path) = role_path(path.as_ref()) else {
                    return refuse("ROLE_NAME_NOT_RESOLVABLE", format!("The Path of role \"{id}\" only the stack can resolve: deploy function cannot make the role's ARN; run slsx deploy"));
                };
                Ok(Some(RoleRef::StackRole {
                    logical_id: id.clone(),
                    path,
                }))
            }
            _ => refuse("DEPLOY_FUNCTION_ROLE_UNSUPPORTED", format!("deploy function cannot resolve the role {role} (osls 4.3.1 fails on it too): use a role ARN, the logical ID of an AWS::IAM::Role in resources, or Fn::GetAtt [Role, Arn] — or run slsx deploy")),
        },
        other => refuse("DEPLOY_FUNCTION_ROLE_UNSUPPORTED", format!("deploy function cannot resolve the role {other}: use a role ARN, the logical ID of an AWS::IAM::Role in resources, or Fn::GetAtt [Role, Arn]")),
    }
}

/// The role's ARN. The account and partition are the function's own (from its ARN; an execution role
/// is always in the function's account), else the caller's.
pub async fn resolve(
    ctx: &AwsContext,
    service: &Service,
    role: &RoleRef,
    remote: &aws_sdk_lambda::types::FunctionConfiguration,
) -> Result<String> {
    let (path, name) = match role {
        RoleRef::Arn(arn) => return Ok(arn.clone()),
        RoleRef::Named { path, name } => (path.clone(), name.clone()),
        RoleRef::StackRole { logical_id, path } => (
            path.clone(),
            stack_role_name(ctx, service, logical_id).await?,
        ),
    };
    let (partition, account) = match remote
        .function_arn()
        .map(|a| a.split(':').collect::<Vec<_>>())
    {
        Some(parts) if parts.len() > 4 && !parts[4].is_empty() => {
            (parts[1].to_string(), parts[4].to_string())
        }
        _ => {
            let (account, partition) = ctx.caller_account().await?;
            (partition, account)
        }
    };
    Ok(format!("arn:{partition}:iam::{account}:role{path}{name}"))
}

/// Where the role setting is, for errors: the function's `role`, else the provider's.
fn setting_path(service: &Service, f: &Function) -> String {
    if f.settings.role.as_ref().is_some_and(crate::compile::truthy) {
        format!("functions.{}.role", f.key)
    } else if service
        .provider
        .settings
        .iam_role
        .as_ref()
        .is_some_and(crate::compile::is_existing_role)
    {
        "provider.iam.role".into()
    } else {
        "provider.role".into()
    }
}

fn template_resource<'a>(service: &'a Service, id: &str) -> Option<&'a Value> {
    service.resources.as_ref()?.get("Resources")?.get(id)
}

/// A role's `Path` (`/` when absent or empty, as osls's `Path || '/'`); none when it is an intrinsic.
fn role_path(path: Option<&Value>) -> Option<String> {
    match path {
        None | Some(Value::Null) => Some("/".into()),
        Some(Value::String(p)) if p.is_empty() => Some("/".into()),
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => None,
    }
}

/// The name of the role the stack created for `logical_id` (its physical ID), from the stack's
/// resource list. (Not DescribeStackResource(s) by logical ID: the local emulator fails on those for
/// stacks holding resource types it does not model.)
async fn stack_role_name(ctx: &AwsContext, service: &Service, logical_id: &str) -> Result<String> {
    let stack = service.stack_name();
    let mut pages = ctx
        .cloudformation()
        .list_stack_resources()
        .stack_name(&stack)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Err(e) if errors::is_stack_missing(&e) => break,
            other => other.or_aws("CLOUD_FORMATION", "LIST_STACK_RESOURCES", || {
                format!("find role {logical_id} in stack {stack}")
            })?,
        };
        if let Some(id) = page
            .stack_resource_summaries()
            .iter()
            .find(|r| r.logical_resource_id() == Some(logical_id))
            .and_then(|r| r.physical_resource_id())
            .filter(|id| !id.is_empty())
        {
            return Ok(id.to_string());
        }
    }
    Err(Error::Stack {
        code: "ROLE_NOT_IN_STACK".into(),
        message: format!(
            "Role {logical_id} is not a resource of stack {stack}: run slsx deploy first"
        ),
    })
}
