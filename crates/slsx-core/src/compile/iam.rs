//! `IamRoleLambdaExecution`: the execution role shared by the service's functions, allowed to write
//! their logs.

use serde_json::{json, Map, Value};

use super::naming::ROLE_LAMBDA_EXECUTION;
use crate::config::Service;

pub fn add_execution_role(service: &Service, resources: &mut Map<String, Value>) {
    if service.functions.is_empty() {
        return;
    }
    let log_prefix = format!(
        "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{}-{}*",
        service.name, service.stage
    );
    resources.insert(
        ROLE_LAMBDA_EXECUTION.to_string(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Service": ["lambda.amazonaws.com"] },
                        "Action": ["sts:AssumeRole"]
                    }]
                },
                "Policies": [{
                    "PolicyName": { "Fn::Join": ["-", [service.name, service.stage, "lambda"]] },
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
                                "Resource": [{ "Fn::Sub": format!("{log_prefix}:*") }]
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["logs:PutLogEvents"],
                                "Resource": [{ "Fn::Sub": format!("{log_prefix}:*:*") }]
                            }
                        ]
                    }
                }],
                "Path": "/",
                "RoleName": {
                    "Fn::Join": ["-", [service.name, service.stage, { "Ref": "AWS::Region" }, "lambdaRole"]]
                }
            }
        }),
    );
}
