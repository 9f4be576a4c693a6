//! `aws::v2_request` (plugins' `provider.request`) against the local AWS emulator: every served
//! operation on a real stack, function, layer and bucket, its answer in the SDK v2 shape plugins read,
//! and AWS errors with AWS's code. The emulator is the one `scripts/test.sh` starts (moto on 127.0.0.1,
//! `AWS_ENDPOINT_URL`); the test refuses to run against anything else.

use serde_json::{json, Value};
use slsx_core::aws::v2_request::{request, request_with_status};
use slsx_core::aws::{AwsContext, AwsSettings};

fn local_context() -> impl std::future::Future<Output = AwsContext> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "this test needs the local emulator: run it through scripts/test.sh, or start \
         scripts/moto_server.py and set AWS_ENDPOINT_URL=http://127.0.0.1:<port> (with test keys)"
    );
    async {
        AwsContext::new(&AwsSettings {
            region: "us-east-1".into(),
            ..Default::default()
        })
        .await
    }
}

/// Names of this run (the emulator may be shared with other tests).
fn unique(base: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{base}-{}-{nanos:x}", std::process::id())
}

async fn call(ctx: &AwsContext, service: &str, method: &str, params: Value) -> Value {
    request(ctx, service, method, &params)
        .await
        .unwrap_or_else(|e| panic!("{service}.{method}: {e} ({})", e.code()))
}

fn strings(v: &Value, list: &str, member: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} is not a list in {v}"))
        .iter()
        .map(|x| x[member].as_str().unwrap_or_default().to_string())
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A stack with a role and a function, as a deployed service has them.
fn template(function: &str) -> String {
    json!({
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                               "Action": "sts:AssumeRole"}]}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": function, "Runtime": "nodejs22.x", "Handler": "index.h",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": "exports.h = async (e) => e"}}}
        },
        "Outputs": {"FnArn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}, "Description": "the function"}}
    })
    .to_string()
}

#[test]
fn cloudformation_and_lambda_in_v2_shapes() {
    runtime().block_on(async {
        let ctx = local_context().await;
        let stack = unique("v2req");
        let function = unique("v2req-fn");
        ctx.cloudformation()
            .create_stack()
            .stack_name(&stack)
            .template_body(template(&function))
            .send()
            .await
            .unwrap();

        let stacks = call(
            &ctx,
            "CloudFormation",
            "describeStacks",
            json!({"StackName": stack}),
        )
        .await;
        let s = &stacks["Stacks"][0];
        assert_eq!(s["StackName"], stack.as_str());
        assert_eq!(s["StackStatus"], "CREATE_COMPLETE");
        assert!(s["CreationTime"].as_str().unwrap().ends_with('Z'), "{s}");
        assert_eq!(strings(s, "Outputs", "OutputKey"), ["FnArn"]);
        assert!(s["Outputs"][0]["OutputValue"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":function:{function}")));

        let detail = call(
            &ctx,
            "CloudFormation",
            "describeStackResource",
            json!({"StackName": stack, "LogicalResourceId": "Fn"}),
        )
        .await;
        assert_eq!(
            detail["StackResourceDetail"]["PhysicalResourceId"],
            function.as_str()
        );
        assert_eq!(
            detail["StackResourceDetail"]["ResourceType"],
            "AWS::Lambda::Function"
        );
        let resources = call(
            &ctx,
            "CloudFormation",
            "describeStackResources",
            json!({"StackName": stack}),
        )
        .await;
        let mut logical = strings(&resources, "StackResources", "LogicalResourceId");
        logical.sort();
        assert_eq!(logical, ["Fn", "Role"]);
        let summaries = call(
            &ctx,
            "CloudFormation",
            "listStackResources",
            json!({"StackName": stack}),
        )
        .await;
        assert!(
            strings(&summaries, "StackResourceSummaries", "PhysicalResourceId").contains(&function)
        );

        // A missing stack: AWS's own code, as plugins test `err.providerError.code`.
        let missing = request_with_status(
            &ctx,
            "CloudFormation",
            "describeStacks",
            &json!({"StackName": unique("v2req-missing")}),
        )
        .await
        .unwrap_err();
        assert_eq!(missing.error.code(), "ValidationError");
        assert_eq!(missing.status_code, Some(400));
        assert!(
            missing.error.to_string().contains("does not exist"),
            "{}",
            missing.error
        );

        // Versions 1..3 and an alias on 1, as serverless-prune-plugin finds them.
        let lambda = ctx.lambda();
        for d in ["one", "two", "three"] {
            lambda
                .update_function_configuration()
                .function_name(&function)
                .description(d)
                .send()
                .await
                .unwrap();
            lambda
                .publish_version()
                .function_name(&function)
                .send()
                .await
                .unwrap();
        }
        lambda
            .create_alias()
            .function_name(&function)
            .name("live")
            .function_version("1")
            .send()
            .await
            .unwrap();
        let versions = call(
            &ctx,
            "Lambda",
            "listVersionsByFunction",
            json!({"FunctionName": function}),
        )
        .await;
        assert_eq!(
            strings(&versions, "Versions", "Version"),
            ["$LATEST", "1", "2", "3"]
        );
        assert_eq!(versions["Versions"][1]["FunctionName"], function.as_str());
        let aliases = call(
            &ctx,
            "Lambda",
            "listAliases",
            json!({"FunctionName": function}),
        )
        .await;
        assert_eq!(strings(&aliases, "Aliases", "FunctionVersion"), ["1"]);
        assert_eq!(strings(&aliases, "Aliases", "Name"), ["live"]);

        call(
            &ctx,
            "Lambda",
            "deleteFunction",
            json!({"FunctionName": function, "Qualifier": "2"}),
        )
        .await;
        let versions = call(
            &ctx,
            "Lambda",
            "listVersionsByFunction",
            json!({"FunctionName": function}),
        )
        .await;
        assert_eq!(
            strings(&versions, "Versions", "Version"),
            ["$LATEST", "1", "3"]
        );

        let got = call(
            &ctx,
            "Lambda",
            "getFunction",
            json!({"FunctionName": function}),
        )
        .await;
        assert_eq!(got["Configuration"]["FunctionName"], function.as_str());
        assert_eq!(got["Configuration"]["Runtime"], "nodejs22.x");
        let listed = call(&ctx, "Lambda", "listFunctions", json!({})).await;
        assert!(strings(&listed, "Functions", "FunctionName").contains(&function));

        // The emulator runs no code: its answer is text, which is what the shape needs.
        let invoked = call(
            &ctx,
            "Lambda",
            "invoke",
            json!({"FunctionName": function, "InvocationType": "RequestResponse", "LogType": "None",
                   "Payload": "{\"source\":\"serverless-plugin-warmup\"}"}),
        )
        .await;
        assert_eq!(invoked["StatusCode"], 200);
        assert!(invoked["Payload"].is_string(), "{invoked}");

        let layer = unique("v2req-layer");
        for content in ["one", "two"] {
            lambda
                .publish_layer_version()
                .layer_name(&layer)
                .content(
                    aws_sdk_lambda::types::LayerVersionContentInput::builder()
                        .zip_file(aws_smithy_types::Blob::new(content))
                        .build(),
                )
                .send()
                .await
                .unwrap();
        }
        let layers = call(
            &ctx,
            "Lambda",
            "listLayerVersions",
            json!({"LayerName": layer}),
        )
        .await;
        let numbers: Vec<&Value> = layers["LayerVersions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["Version"])
            .collect();
        assert_eq!(numbers, [&json!(2), &json!(1)]);
        call(
            &ctx,
            "Lambda",
            "deleteLayerVersion",
            json!({"LayerName": layer, "VersionNumber": 1}),
        )
        .await;
        let layers = call(
            &ctx,
            "Lambda",
            "listLayerVersions",
            json!({"LayerName": layer}),
        )
        .await;
        assert_eq!(layers["LayerVersions"].as_array().unwrap().len(), 1);

        let identity = call(&ctx, "STS", "getCallerIdentity", json!({})).await;
        assert!(
            identity["Account"].as_str().is_some_and(|a| a.len() == 12),
            "{identity}"
        );
        assert!(identity["Arn"].as_str().unwrap().starts_with("arn:aws:"));

        ctx.cloudformation()
            .delete_stack()
            .stack_name(&stack)
            .send()
            .await
            .unwrap();
    });
}

#[test]
fn s3_objects_as_text() {
    runtime().block_on(async {
        let ctx = local_context().await;
        let bucket = unique("v2req-bucket");
        ctx.s3().create_bucket().bucket(&bucket).send().await.unwrap();
        for key in ["state/a.json", "state/b.json", "other/c.txt"] {
            let put = call(
                &ctx,
                "S3",
                "putObject",
                json!({"Bucket": bucket, "Key": key, "Body": format!("{{\"key\":\"{key}\"}}"),
                       "ContentType": "application/json"}),
            )
            .await;
            assert!(put["ETag"].is_string(), "{put}");
        }
        let got = call(&ctx, "S3", "getObject", json!({"Bucket": bucket, "Key": "state/a.json"})).await;
        assert_eq!(got["Body"], "{\"key\":\"state/a.json\"}");
        assert_eq!(got["ContentType"], "application/json");
        let head = call(&ctx, "S3", "headObject", json!({"Bucket": bucket, "Key": "state/b.json"})).await;
        assert_eq!(head["ContentLength"], 22);
        assert!(head["LastModified"].as_str().unwrap().ends_with(".000Z"), "{head}");

        // Pages of one key, followed by the continuation token.
        let mut keys = Vec::new();
        let mut pages = 0;
        let mut token: Option<String> = None;
        loop {
            let mut params = json!({"Bucket": bucket, "Prefix": "state/", "MaxKeys": 1});
            if let Some(t) = &token {
                params["ContinuationToken"] = json!(t);
            }
            let page = call(&ctx, "S3", "listObjectsV2", params).await;
            keys.extend(strings(&page, "Contents", "Key"));
            pages += 1;
            match page["NextContinuationToken"].as_str() {
                Some(t) if page["IsTruncated"] == true => token = Some(t.to_string()),
                _ => break,
            }
        }
        assert_eq!(keys, ["state/a.json", "state/b.json"]);
        assert_eq!(pages, 2);

        let deleted = call(
            &ctx,
            "S3",
            "deleteObjects",
            json!({"Bucket": bucket, "Delete": {"Objects": [{"Key": "state/a.json"}, {"Key": "state/b.json"}]}}),
        )
        .await;
        let mut gone = strings(&deleted, "Deleted", "Key");
        gone.sort();
        assert_eq!(gone, ["state/a.json", "state/b.json"]);

        let missing = request_with_status(&ctx, "S3", "headObject", &json!({"Bucket": bucket, "Key": "state/a.json"}))
            .await
            .unwrap_err();
        assert_eq!(missing.error.code(), "NotFound");
        assert_eq!(missing.status_code, Some(404));

        call(&ctx, "S3", "deleteObjects", json!({"Bucket": bucket, "Delete": {"Objects": [{"Key": "other/c.txt"}]}})).await;
        ctx.s3().delete_bucket().bucket(&bucket).send().await.unwrap();
    });
}
