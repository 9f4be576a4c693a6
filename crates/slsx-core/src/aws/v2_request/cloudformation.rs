//! CloudFormation: the stack and its resources, as plugins read them (serverless-step-functions takes
//! `Stacks[0].Outputs[].OutputKey`/`OutputValue`; split-stacks and others the physical ids).

use aws_sdk_cloudformation::types::{Stack, StackResource, StackResourceSummary};
use serde_json::Value;

use super::{failure, Failure, Out, Params};
use crate::aws::AwsContext;

pub async fn call(ctx: &AwsContext, method: &str, p: &Params<'_>) -> Result<Value, Failure> {
    let cf = ctx.cloudformation();
    match method {
        "describeStacks" => {
            p.only(&["StackName", "NextToken"])?;
            let r = cf
                .describe_stacks()
                .set_stack_name(p.str("StackName")?)
                .set_next_token(p.str("NextToken")?)
                .send()
                .await
                .map_err(|e| failure(p, e))?;
            Ok(Out::new()
                .list("Stacks", r.stacks(), stack)
                .s("NextToken", r.next_token())
                .done())
        }
        "describeStackResource" => {
            p.only(&["StackName", "LogicalResourceId"])?;
            let r = cf
                .describe_stack_resource()
                .stack_name(p.req_str("StackName")?)
                .logical_resource_id(p.req_str("LogicalResourceId")?)
                .send()
                .await
                .map_err(|e| failure(p, e))?;
            let detail = r.stack_resource_detail().map(|d| {
                Out::new()
                    .s("StackName", d.stack_name())
                    .s("StackId", d.stack_id())
                    .s("LogicalResourceId", d.logical_resource_id())
                    .s("PhysicalResourceId", d.physical_resource_id())
                    .s("ResourceType", d.resource_type())
                    .t("LastUpdatedTimestamp", d.last_updated_timestamp())
                    .s("ResourceStatus", d.resource_status().map(|s| s.as_str()))
                    .s("ResourceStatusReason", d.resource_status_reason())
                    .s("Description", d.description())
                    .s("Metadata", d.metadata())
                    .done()
            });
            Ok(Out::new().v("StackResourceDetail", detail).done())
        }
        "describeStackResources" => {
            p.only(&["StackName", "LogicalResourceId", "PhysicalResourceId"])?;
            let r = cf
                .describe_stack_resources()
                .set_stack_name(p.str("StackName")?)
                .set_logical_resource_id(p.str("LogicalResourceId")?)
                .set_physical_resource_id(p.str("PhysicalResourceId")?)
                .send()
                .await
                .map_err(|e| failure(p, e))?;
            Ok(Out::new()
                .list("StackResources", r.stack_resources(), stack_resource)
                .done())
        }
        "listStackResources" => {
            p.only(&["StackName", "NextToken"])?;
            let r = cf
                .list_stack_resources()
                .stack_name(p.req_str("StackName")?)
                .set_next_token(p.str("NextToken")?)
                .send()
                .await
                .map_err(|e| failure(p, e))?;
            Ok(Out::new()
                .list(
                    "StackResourceSummaries",
                    r.stack_resource_summaries(),
                    summary,
                )
                .s("NextToken", r.next_token())
                .done())
        }
        _ => Err(super::unlisted(p)),
    }
}

fn stack(s: &Stack) -> Value {
    Out::new()
        .s("StackId", s.stack_id())
        .s("StackName", s.stack_name())
        .s("ChangeSetId", s.change_set_id())
        .s("Description", s.description())
        .list("Parameters", s.parameters(), |p| {
            Out::new()
                .s("ParameterKey", p.parameter_key())
                .s("ParameterValue", p.parameter_value())
                .s("ResolvedValue", p.resolved_value())
                .done()
        })
        .t("CreationTime", s.creation_time())
        .t("DeletionTime", s.deletion_time())
        .t("LastUpdatedTime", s.last_updated_time())
        .s("StackStatus", s.stack_status().map(|x| x.as_str()))
        .s("StackStatusReason", s.stack_status_reason())
        .b("DisableRollback", s.disable_rollback())
        .strings("NotificationARNs", s.notification_arns())
        .n("TimeoutInMinutes", s.timeout_in_minutes())
        .list("Capabilities", s.capabilities(), |c| {
            Value::from(c.as_str())
        })
        .list("Outputs", s.outputs(), |o| {
            Out::new()
                .s("OutputKey", o.output_key())
                .s("OutputValue", o.output_value())
                .s("Description", o.description())
                .s("ExportName", o.export_name())
                .done()
        })
        .s("RoleARN", s.role_arn())
        .list("Tags", s.tags(), |t| {
            Out::new().s("Key", t.key()).s("Value", t.value()).done()
        })
        .b(
            "EnableTerminationProtection",
            s.enable_termination_protection(),
        )
        .s("ParentId", s.parent_id())
        .s("RootId", s.root_id())
        .done()
}

fn stack_resource(r: &StackResource) -> Value {
    Out::new()
        .s("StackName", r.stack_name())
        .s("StackId", r.stack_id())
        .s("LogicalResourceId", r.logical_resource_id())
        .s("PhysicalResourceId", r.physical_resource_id())
        .s("ResourceType", r.resource_type())
        .t("Timestamp", r.timestamp())
        .s("ResourceStatus", r.resource_status().map(|s| s.as_str()))
        .s("ResourceStatusReason", r.resource_status_reason())
        .s("Description", r.description())
        .done()
}

fn summary(r: &StackResourceSummary) -> Value {
    Out::new()
        .s("LogicalResourceId", r.logical_resource_id())
        .s("PhysicalResourceId", r.physical_resource_id())
        .s("ResourceType", r.resource_type())
        .t("LastUpdatedTimestamp", r.last_updated_timestamp())
        .s("ResourceStatus", r.resource_status().map(|s| s.as_str()))
        .s("ResourceStatusReason", r.resource_status_reason())
        .done()
}
