//! `deploy function`'s extra settings and role forms: what is sent for each deployed state, what is
//! refused before anything is deployed; `recursiveLoop` on the SDK's test HTTP client (the local
//! emulator has no recursion configuration API).

use aws_sdk_lambda::types::{FunctionConfiguration, SnapStartResponse, VpcConfigResponse};

use super::super::function_role::{role_ref, RoleRef};
use super::*;
use crate::config::Service;
use crate::deploy::scripted_sdk;
use crate::load::ServiceOptions;

fn service(name: &str, yaml: &str) -> Service {
    let dir = std::env::temp_dir().join(format!("slsx-fn-settings-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    Service::load(&ServiceOptions {
        service_path: dir,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{name}: {}", e.render()))
}

fn function(s: &Service) -> &Function {
    &s.functions[0]
}

const VPC: &str = "service: svc\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  vpc:\n    securityGroupIds: [sg-1]\n    subnetIds: [subnet-1, subnet-2]\n";

fn deployed_vpc(ipv6: Option<bool>) -> FunctionConfiguration {
    FunctionConfiguration::builder()
        .vpc_config(
            VpcConfigResponse::builder()
                .security_group_ids("sg-1")
                .subnet_ids("subnet-2")
                .subnet_ids("subnet-1")
                .set_ipv6_allowed_for_dual_stack(ipv6)
                .build(),
        )
        .build()
}

#[test]
fn the_vpc_is_sent_when_ipv6_differs_and_only_then() {
    let off = service(
        "vpc-off",
        &format!("{VPC}functions:\n  a:\n    handler: h.a\n"),
    );
    assert_eq!(vpc(function(&off), &deployed_vpc(None)), None);
    assert_eq!(vpc(function(&off), &deployed_vpc(Some(false))), None);
    let on = service(
        "vpc-on",
        &format!("{VPC}functions:\n  a:\n    handler: h.a\n    vpc:\n      ipv6AllowedForDualStack: true\n      securityGroupIds: [sg-1]\n      subnetIds: [subnet-1, subnet-2]\n"),
    );
    let sent = vpc(function(&on), &deployed_vpc(None)).expect("ipv6 turned on");
    assert_eq!(sent.ipv6_allowed_for_dual_stack(), Some(true));
    assert_eq!(sent.subnet_ids(), ["subnet-1", "subnet-2"]);
    assert_eq!(vpc(function(&on), &deployed_vpc(Some(true))), None);
    // Turned off: said explicitly.
    let sent = vpc(function(&off), &deployed_vpc(Some(true))).expect("ipv6 turned off");
    assert_eq!(sent.ipv6_allowed_for_dual_stack(), Some(false));
    // The function's vpc wins over the provider's.
    let own = service(
        "vpc-own",
        &format!("{VPC}functions:\n  a:\n    handler: h.a\n    vpc:\n      securityGroupIds: [sg-2]\n      subnetIds: [subnet-1, subnet-2]\n"),
    );
    let sent = vpc(function(&own), &deployed_vpc(None)).expect("other groups");
    assert_eq!(sent.security_group_ids(), ["sg-2"]);
    assert_eq!(sent.ipv6_allowed_for_dual_stack(), None);
}

#[test]
fn snapstart_is_sent_until_published_versions_have_it() {
    let s = service(
        "snap",
        "service: svc\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\n    runtime: java21\n    snapStart: true\n  b:\n    handler: h.b\n",
    );
    let none = FunctionConfiguration::builder()
        .snap_start(
            SnapStartResponse::builder()
                .apply_on(SnapStartApplyOn::None)
                .build(),
        )
        .build();
    let sent = snap_start(&s.functions[0], &none).expect("sent");
    assert_eq!(sent.apply_on(), Some(&SnapStartApplyOn::PublishedVersions));
    let on = FunctionConfiguration::builder()
        .snap_start(
            SnapStartResponse::builder()
                .apply_on(SnapStartApplyOn::PublishedVersions)
                .build(),
        )
        .build();
    assert_eq!(snap_start(&s.functions[0], &on), None);
    assert_eq!(snap_start(&s.functions[1], &none), None);
}

#[test]
fn durable_functions_are_refused_locally_and_when_deployed_as_such() {
    let s = service(
        "durable",
        "service: svc\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  a:\n    handler: h.a\n    durableConfig:\n      executionTimeout: 60\n  b:\n    handler: h.b\n",
    );
    let err = reject_durable(&s.functions[0], None).unwrap_err();
    assert_eq!(err.code(), "DURABLE_DEPLOY_FUNCTION_UNSUPPORTED");
    assert!(err
        .to_string()
        .starts_with("Function \"a\" is configured with durableConfig locally or in AWS."));
    reject_durable(
        &s.functions[1],
        Some(&FunctionConfiguration::builder().build()),
    )
    .unwrap();
    let deployed = FunctionConfiguration::builder()
        .durable_config(
            aws_sdk_lambda::types::DurableConfig::builder()
                .execution_timeout(60)
                .build(),
        )
        .build();
    let err = reject_durable(&s.functions[1], Some(&deployed)).unwrap_err();
    assert_eq!(err.code(), "DURABLE_DEPLOY_FUNCTION_UNSUPPORTED");
}

const RESOURCES: &str = "resources:\n  Resources:\n    NamedRole:\n      Type: AWS::IAM::Role\n      Properties:\n        RoleName: svc-named\n        Path: /team/\n        AssumeRolePolicyDocument: {}\n    UnnamedRole:\n      Type: AWS::IAM::Role\n      Properties:\n        AssumeRolePolicyDocument: {}\n    JoinedRole:\n      Type: AWS::IAM::Role\n      Properties:\n        RoleName:\n          Fn::Join: ['-', [a, b]]\n        AssumeRolePolicyDocument: {}\n    Queue:\n      Type: AWS::SQS::Queue\n";

/// The role reference of a service whose function `a` (or provider) sets `role_yaml`.
fn role_of(name: &str, provider: &str, function: &str) -> crate::error::Result<Option<RoleRef>> {
    let s = service(
        name,
        &format!("service: svc\nprovider:\n  name: aws\n{provider}functions:\n  a:\n    handler: h.a\n{function}{RESOURCES}"),
    );
    role_ref(&s, &s.functions[0])
}

#[test]
fn role_forms_osls_accepts() {
    assert_eq!(role_of("none", "", "").unwrap(), None);
    assert_eq!(
        role_of("arn", "", "    role: arn:aws:iam::123456789012:role/x\n").unwrap(),
        Some(RoleRef::Arn("arn:aws:iam::123456789012:role/x".into()))
    );
    assert_eq!(
        role_of(
            "provider-role",
            "  role: arn:aws:iam::123456789012:role/p\n",
            ""
        )
        .unwrap(),
        Some(RoleRef::Arn("arn:aws:iam::123456789012:role/p".into()))
    );
    assert_eq!(
        role_of("iam-role", "  iam:\n    role: NamedRole\n", "").unwrap(),
        Some(RoleRef::Named {
            path: "/team/".into(),
            name: "svc-named".into()
        })
    );
    // The function's role comes first.
    assert_eq!(
        role_of(
            "logical",
            "  role: arn:aws:iam::123456789012:role/p\n",
            "    role: NamedRole\n"
        )
        .unwrap(),
        Some(RoleRef::Named {
            path: "/team/".into(),
            name: "svc-named".into()
        })
    );
    assert_eq!(
        role_of(
            "getatt",
            "",
            "    role:\n      Fn::GetAtt: [UnnamedRole, Arn]\n"
        )
        .unwrap(),
        Some(RoleRef::StackRole {
            logical_id: "UnnamedRole".into(),
            path: "/".into()
        })
    );
    assert_eq!(
        role_of(
            "getatt-default",
            "  iam:\n    role:\n      path: /svc/\n",
            "    role: !GetAtt IamRoleLambdaExecution.Arn\n"
        )
        .unwrap(),
        Some(RoleRef::StackRole {
            logical_id: "IamRoleLambdaExecution".into(),
            path: "/svc/".into()
        })
    );
}

#[test]
fn role_forms_osls_fails_on_are_refused_at_their_line() {
    for (name, provider, function, code, path) in [
        (
            "import",
            "",
            "    role:\n      Fn::ImportValue: shared-role\n",
            "DEPLOY_FUNCTION_ROLE_UNSUPPORTED",
            "functions.a.role",
        ),
        (
            "sub",
            "  iam:\n    role:\n      Fn::Sub: 'arn:aws:iam::${AWS::AccountId}:role/x'\n",
            "",
            "DEPLOY_FUNCTION_ROLE_UNSUPPORTED",
            "provider.iam.role",
        ),
        (
            "missing",
            "",
            "    role: NoSuchRole\n",
            "ROLE_NOT_IN_RESOURCES",
            "functions.a.role",
        ),
        (
            "not-a-role",
            "",
            "    role: Queue\n",
            "ROLE_REFERENCES_NON_AWS_IAM_ROLE",
            "functions.a.role",
        ),
        (
            "no-name",
            "  role: UnnamedRole\n",
            "",
            "MISSING_ROLENAME_FOR_ROLE",
            "provider.role",
        ),
        (
            "joined-name",
            "",
            "    role: JoinedRole\n",
            "ROLE_NAME_NOT_RESOLVABLE",
            "functions.a.role",
        ),
    ] {
        match role_of(name, provider, function) {
            Err(Error::Config {
                code: got,
                path: at,
                location,
                ..
            }) => {
                assert_eq!((got, at.as_deref()), (code, Some(path)), "{name}");
                assert!(location.is_some(), "{name}: the error has a line");
            }
            other => panic!("{name}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn scripted_sdk_recursive_loop_is_put_only_when_it_differs() {
    let s = service(
        "recursion",
        "service: svc\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\n    recursiveLoop: Allow\n  b:\n    handler: h.b\n",
    );
    let (ctx, log) = scripted_sdk::context(|line| {
        if line.starts_with("GET") {
            (200, r#"{"RecursiveLoop":"Terminate"}"#.into())
        } else {
            (200, r#"{"RecursiveLoop":"Allow"}"#.into())
        }
    })
    .await;
    assert!(update_recursive_loop(&ctx, &s.functions[0]).await.unwrap());
    assert!(!update_recursive_loop(&ctx, &s.functions[1]).await.unwrap());
    assert_eq!(
        *log.lock().unwrap(),
        [
            "GET /2024-08-31/functions/svc-dev-a/recursion-config  ",
            "PUT /2024-08-31/functions/svc-dev-a/recursion-config  {\"RecursiveLoop\":\"Allow\"}",
        ]
    );
    let (ctx, log) = scripted_sdk::context(|_| (200, r#"{"RecursiveLoop":"Allow"}"#.into())).await;
    assert!(!update_recursive_loop(&ctx, &s.functions[0]).await.unwrap());
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "only read: it is Allow already"
    );
}
