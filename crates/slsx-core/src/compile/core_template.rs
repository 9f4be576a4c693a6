//! The template a new stack is created with: the deployment bucket, its TLS-only policy, and the
//! bucket-name output.

use serde_json::{json, Value};

use super::naming::{DEPLOYMENT_BUCKET, DEPLOYMENT_BUCKET_OUTPUT, DEPLOYMENT_BUCKET_POLICY};
use crate::config::Service;

/// With `provider.deploymentBucket` naming an existing bucket there are no bucket resources, and the
/// output is the name itself.
/// `accelerate`: `--aws-s3-accelerate` (`Some(true)`) / `--no-aws-s3-accelerate` (`Some(false)`).
pub fn core_template(service: &Service, accelerate: Option<bool>) -> Value {
    let bucket_arn = |suffix: Option<&str>| {
        let mut parts = vec![
            json!("arn:"),
            json!({ "Ref": "AWS::Partition" }),
            json!(":s3:::"),
            json!({ "Ref": DEPLOYMENT_BUCKET }),
        ];
        if let Some(s) = suffix {
            parts.push(json!(s));
        }
        json!({ "Fn::Join": ["", parts] })
    };
    let mut template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "The AWS CloudFormation template for this Serverless application",
        "Resources": {
            DEPLOYMENT_BUCKET: {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }
                        ]
                    }
                }
            },
            DEPLOYMENT_BUCKET_POLICY: {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": { "Ref": DEPLOYMENT_BUCKET },
                    "PolicyDocument": {
                        "Statement": [{
                            "Action": "s3:*",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Resource": [bucket_arn(Some("/*")), bucket_arn(None)],
                            "Condition": { "Bool": { "aws:SecureTransport": false } }
                        }]
                    }
                }
            }
        },
        "Outputs": {
            DEPLOYMENT_BUCKET_OUTPUT: { "Value": { "Ref": DEPLOYMENT_BUCKET } }
        }
    });
    let options = service.provider.settings.deployment_bucket_options.as_ref();
    if let Some(o) = options {
        let bucket = &mut template["Resources"][DEPLOYMENT_BUCKET]["Properties"];
        if let Some(Value::Object(tags)) = o
            .get("tags")
            .filter(|t| t.as_object().is_some_and(|m| !m.is_empty()))
        {
            bucket["Tags"] = tags
                .iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
        }
        if o.get("blockPublicAccess")
            .is_some_and(super::targets::truthy)
        {
            bucket["PublicAccessBlockConfiguration"] = json!({
                "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true
            });
        }
        if o.get("versioning").is_some_and(super::targets::truthy) {
            bucket["VersioningConfiguration"] = json!({ "Status": "Enabled" });
        }
        if o.get("skipPolicySetup").is_some_and(super::targets::truthy) {
            template["Resources"]
                .as_object_mut()
                .expect("object")
                .remove(DEPLOYMENT_BUCKET_POLICY);
        }
    }
    // Transfer acceleration, where the S3 endpoint offers it (not in China, GovCloud or ISO regions).
    let supported = !["cn-", "us-gov-", "us-iso"]
        .iter()
        .any(|p| service.region.starts_with(p));
    if let (Some(on), true, None) = (accelerate, supported, super::custom_bucket(service)) {
        let status = if on { "Enabled" } else { "Suspended" };
        template["Resources"][DEPLOYMENT_BUCKET]["Properties"]["AccelerateConfiguration"] =
            json!({ "AccelerationStatus": status });
        if on {
            template["Outputs"]["ServerlessDeploymentBucketAccelerated"] = json!({ "Value": true });
        }
    }
    if let Some(name) = super::custom_bucket(service) {
        let resources = template["Resources"].as_object_mut().expect("object");
        resources.remove(DEPLOYMENT_BUCKET);
        resources.remove(DEPLOYMENT_BUCKET_POLICY);
        template["Outputs"][DEPLOYMENT_BUCKET_OUTPUT]["Value"] = json!(name);
    }
    template
}
