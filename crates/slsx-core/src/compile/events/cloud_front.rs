//! `cloudFront`: Lambda@Edge. One CloudFront distribution for the service with an origin per
//! distinct origin and a cache behavior per path pattern, each associating the function's published
//! version; cache policies from `provider.cloudFront.cachePolicies`; invoke permissions for
//! `edgelambda.amazonaws.com`; the execution role trusted by Lambda@Edge. The events are parsed and
//! the distribution checked while the service loads (`config::events::cloud_front`).

use serde_json::{json, Map, Value};

use crate::compile::naming::{function_logical_id, normalized_name, ROLE_LAMBDA_EXECUTION};
use crate::config::events::cloud_front::Distribution;
use crate::config::{Function, Service};
use crate::error::Result;

const DISTRIBUTION: &str = "CloudFrontDistribution";

fn cache_policy_logical_id(name: &str) -> String {
    format!("CloudFrontCachePolicy{}", normalized_name(name))
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    add_cache_policies(service, resources);
    let edge: Vec<&Function> = service.functions.iter().filter(|f| f.is_edge()).collect();
    let mut versions: Vec<(&str, String)> = Vec::new();
    for f in &edge {
        versions.push((&f.key, prepare_function(f, resources)));
    }
    let version_of = |f: &Function| {
        let id = versions
            .iter()
            .find(|(k, _)| *k == f.key)
            .map(|(_, v)| v.clone());
        json!({ "Ref": id.unwrap_or_default() })
    };
    let Some(plan) = Distribution::plan(service, version_of, cache_policy_logical_id) else {
        return Ok(());
    };
    for (key, version_id) in &versions {
        resources.insert(
            format!("{}InvokePermission", function_logical_id(key)),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": { "Ref": version_id },
                    "Action": "lambda:InvokeFunction",
                    "Principal": "edgelambda.amazonaws.com",
                    "SourceArn": { "Fn::Join": ["", ["", "arn:", { "Ref": "AWS::Partition" }, ":cloudfront::", { "Ref": "AWS::AccountId" }, ":distribution/", { "Ref": DISTRIBUTION }]] }
                }
            }),
        );
    }
    trust_edge_lambda(resources);
    let mut config = Map::new();
    config.insert(
        "Comment".into(),
        json!(format!("{} {}", service.name, service.stage)),
    );
    config.insert("Enabled".into(), json!(true));
    let mut behaviors = plan.behaviors.into_iter();
    config.insert(
        "DefaultCacheBehavior".into(),
        Value::Object(behaviors.next().unwrap_or_default()),
    );
    config.insert("Origins".into(), json!(plan.origins));
    let rest: Vec<Map<String, Value>> = behaviors.collect();
    if !rest.is_empty() {
        config.insert("CacheBehaviors".into(), json!(rest));
    }
    resources.insert(DISTRIBUTION.into(), json!({ "Type": "AWS::CloudFront::Distribution", "Properties": { "DistributionConfig": config } }));
    outputs.insert(
        DISTRIBUTION.into(),
        json!({ "Description": "CloudFront Distribution Id", "Value": { "Ref": DISTRIBUTION } }),
    );
    outputs.insert(
        "CloudFrontDistributionDomainName".into(),
        json!({ "Description": "CloudFront Distribution Domain Name", "Value": { "Fn::GetAtt": [DISTRIBUTION, "DomainName"] } }),
    );
    Ok(())
}

/// `provider.cloudFront.cachePolicies`, each named `<service>-<stage>-<key>`.
fn add_cache_policies(service: &Service, resources: &mut Map<String, Value>) {
    let Some(p) = &service.provider.settings.api.cache_policies else {
        return;
    };
    for (name, config) in p {
        let mut c = config.as_object().cloned().unwrap_or_default();
        c.insert(
            "Name".into(),
            json!(format!("{}-{}-{name}", service.name, service.stage)),
        );
        resources.insert(
            cache_policy_logical_id(name),
            json!({ "Type": "AWS::CloudFront::CachePolicy", "Properties": { "CachePolicyConfig": c } }),
        );
    }
}

/// An edge function has no VPC nor environment and is retained (its replicas outlive the stack);
/// gives its published version's logical ID.
fn prepare_function(f: &Function, resources: &mut Map<String, Value>) -> String {
    let function_id = function_logical_id(&f.key);
    if let Some(r) = resources.get_mut(&function_id) {
        if let Some(Value::Object(p)) = r.get_mut("Properties") {
            p.remove("VpcConfig");
            p.remove("Environment");
        }
        r["DeletionPolicy"] = json!("Retain");
    }
    resources
        .iter()
        .find(|(_, r)| {
            r["Type"] == "AWS::Lambda::Version"
                && r.pointer("/Properties/FunctionName/Ref")
                    .and_then(Value::as_str)
                    == Some(function_id.as_str())
        })
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

/// The execution role trusted by `edgelambda.amazonaws.com`, allowed to log in every region.
fn trust_edge_lambda(resources: &mut Map<String, Value>) {
    let Some(role) = resources.get_mut(ROLE_LAMBDA_EXECUTION) else {
        return;
    };
    if let Some(Value::Array(statements)) =
        role.pointer_mut("/Properties/AssumeRolePolicyDocument/Statement")
    {
        let lambda = json!("lambda.amazonaws.com");
        if let Some(Value::Array(services)) = statements.iter_mut().find_map(|s| {
            s.pointer_mut("/Principal/Service")
                .filter(|v| v.as_array().is_some_and(|a| a.contains(&lambda)))
        }) {
            services.push(json!("edgelambda.amazonaws.com"));
        }
    }
    crate::compile::iam::push_statement(
        resources,
        json!({ "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:TagResource"], "Resource": [{ "Fn::Sub": "arn:${AWS::Partition}:logs:*:*:*" }] }),
        false,
    );
}
