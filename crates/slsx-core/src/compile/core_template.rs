//! The template a new stack is created with: the deployment bucket, its TLS-only policy, and the
//! bucket-name output.

use serde_json::{json, Value};

use super::naming::{DEPLOYMENT_BUCKET, DEPLOYMENT_BUCKET_OUTPUT, DEPLOYMENT_BUCKET_POLICY};
use crate::config::Service;

pub fn core_template(_service: &Service) -> Value {
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
    json!({
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
    })
}
