//! Schema checks of the resolved configuration, in the spirit of Serverless's JSON-schema validation:
//! unknown keys at the top level and in `provider`, `package`, functions, their events and layers, and
//! the types and ranges of the settings that most often go wrong. `configValidationMode` decides: `warn`
//! (default) reports, `error` stops before anything changes, `off` skips.

use serde_json::{Map, Value};

use crate::error::{Error, SourceLocation};

const TOP_LEVEL: &[&str] = &[
    "service",
    "provider",
    "functions",
    "layers",
    "resources",
    "custom",
    "plugins",
    "package",
    "params",
    "useDotenv",
    "configValidationMode",
    "frameworkVersion",
    "variablesResolutionMode",
    "deprecationNotificationMode",
    "disabledDeprecations",
    "app",
    "org",
    "outputs",
    "console",
    "dashboard",
    "stages",
    "build",
];

const PROVIDER: &[&str] = &[
    "name",
    "stage",
    "region",
    "profile",
    "credentials",
    "runtime",
    "runtimeManagement",
    "memorySize",
    "timeout",
    "architecture",
    "environment",
    "layers",
    "vpc",
    "tags",
    "stackTags",
    "stackName",
    "stackParameters",
    "stackPolicy",
    "rollbackConfiguration",
    "notificationArns",
    "disableRollback",
    "deploymentMethod",
    "deploymentBucket",
    "deploymentPrefix",
    "iam",
    "iamRoleStatements",
    "iamManagedPolicies",
    "role",
    "rolePermissionsBoundary",
    "cfnRole",
    "versionFunctions",
    "logRetentionInDays",
    "logDataProtectionPolicy",
    "logs",
    "tracing",
    "kmsKeyArn",
    "apiGateway",
    "apiName",
    "endpointType",
    "vpcEndpointIds",
    "httpApi",
    "websocketsApiName",
    "websocketsApiRouteSelectionExpression",
    "websocketsDescription",
    "websocket",
    "alb",
    "eventBridge",
    "kinesis",
    "ecr",
    "s3",
    "cloudFront",
    "lambdaHashingVersion",
    "disableDefaultOutputExportNames",
    "pruneFunctionVersions",
    "deletionProtection",
    "usagePlan",
    "apiKeys",
    "resourcePolicy",
    "resolvers",
];

const FUNCTION: &[&str] = &[
    "name",
    "handler",
    "image",
    "runtime",
    "runtimeManagement",
    "memorySize",
    "timeout",
    "architecture",
    "description",
    "environment",
    "layers",
    "vpc",
    "role",
    "tags",
    "tracing",
    "kmsKeyArn",
    "onError",
    "destinations",
    "maximumEventAge",
    "maximumRetryAttempts",
    "reservedConcurrency",
    "provisionedConcurrency",
    "snapStart",
    "ephemeralStorageSize",
    "fileSystemConfig",
    "url",
    "logs",
    "logRetentionInDays",
    "logDataProtectionPolicy",
    "disableLogs",
    "versionFunction",
    "condition",
    "dependsOn",
    "events",
    "package",
    "recursiveLoop",
    "durableConfig",
    "memory",
];

const EVENTS: &[&str] = &[
    "http",
    "httpApi",
    "websocket",
    "schedule",
    "sqs",
    "sns",
    "s3",
    "stream",
    "eventBridge",
    "cloudwatchLog",
    "cloudwatchEvent",
    "cognitoUserPool",
    "alb",
    "iot",
    "iotFleetProvisioning",
    "alexaSkill",
    "alexaSmartHome",
    "msk",
    "kafka",
    "activemq",
    "rabbitmq",
    "cloudFront",
];

const PACKAGE: &[&str] = &[
    "patterns",
    "include",
    "exclude",
    "individually",
    "artifact",
    "excludeDevDependencies",
    "path",
    "disable",
];

const LAYER: &[&str] = &[
    "path",
    "name",
    "description",
    "compatibleRuntimes",
    "compatibleArchitectures",
    "licenseInfo",
    "retain",
    "allowedAccounts",
    "package",
];

const RETENTION: &[u64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `functions.hello.memorySize`.
    pub path: String,
    pub message: String,
}

/// Checks `config`; returns the problems (the caller applies `configValidationMode`).
pub fn check(config: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(root) = config.as_object() else {
        return out;
    };
    unknown(root, TOP_LEVEL, "", &mut out);
    if let Some(provider) = root.get("provider").and_then(Value::as_object) {
        unknown(provider, PROVIDER, "provider", &mut out);
        settings(provider, "provider", &mut out);
    }
    if let Some(package) = root.get("package").and_then(Value::as_object) {
        unknown(package, PACKAGE, "package", &mut out);
    }
    if let Some(functions) = root.get("functions").and_then(Value::as_object) {
        for (key, f) in functions {
            let at = format!("functions.{key}");
            let Some(f) = f.as_object() else { continue };
            unknown(f, FUNCTION, &at, &mut out);
            settings(f, &at, &mut out);
            if let Some(p) = f.get("package").and_then(Value::as_object) {
                unknown(p, PACKAGE, &format!("{at}.package"), &mut out);
            }
            match f.get("events") {
                None | Some(Value::Null) => {}
                Some(Value::Array(events)) => {
                    for (i, e) in events.iter().enumerate() {
                        let at = format!("{at}.events.{i}");
                        match e.as_object() {
                            Some(m) if m.len() == 1 => {
                                let kind = m.keys().next().expect("one key");
                                if !EVENTS.contains(&kind.as_str()) {
                                    out.push(Problem {
                                        path: at,
                                        message: format!("unsupported event type '{kind}'"),
                                    });
                                }
                            }
                            _ => out.push(Problem {
                                path: at,
                                message: "must be an object with exactly one event type key".into(),
                            }),
                        }
                    }
                }
                Some(_) => out.push(Problem {
                    path: format!("{at}.events"),
                    message: "must be array".into(),
                }),
            }
        }
    }
    if let Some(layers) = root.get("layers").and_then(Value::as_object) {
        for (key, l) in layers {
            if let Some(l) = l.as_object() {
                unknown(l, LAYER, &format!("layers.{key}"), &mut out);
            }
        }
    }
    out
}

fn unknown(map: &Map<String, Value>, allowed: &[&str], at: &str, out: &mut Vec<Problem>) {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            out.push(
                Problem {
                    path: at_or_root(at),
                    message: format!("unrecognized property '{key}'"),
                }
                .with_path(path),
            );
        }
    }
}

fn at_or_root(at: &str) -> String {
    if at.is_empty() {
        "root".into()
    } else {
        at.to_string()
    }
}

impl Problem {
    fn with_path(self, path: String) -> Problem {
        Problem { path, ..self }
    }
}

/// Types and ranges shared by provider and function settings.
fn settings(m: &Map<String, Value>, at: &str, out: &mut Vec<Problem>) {
    let int_range = |key: &str, min: u64, max: u64, out: &mut Vec<Problem>| {
        if let Some(v) = m.get(key).filter(|v| !v.is_null()) {
            let n = v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            match n {
                Some(n) if (min..=max).contains(&n) => {}
                Some(_) => out.push(Problem {
                    path: format!("{at}.{key}"),
                    message: format!("must be >= {min} and <= {max}"),
                }),
                None => out.push(Problem {
                    path: format!("{at}.{key}"),
                    message: "must be integer".into(),
                }),
            }
        }
    };
    int_range("memorySize", 128, 10240, out);
    int_range("timeout", 1, 900, out);
    int_range("ephemeralStorageSize", 512, 10240, out);
    if let Some(v) = m.get("logRetentionInDays").filter(|v| !v.is_null()) {
        if !v.as_u64().is_some_and(|n| RETENTION.contains(&n)) {
            out.push(Problem {
                path: format!("{at}.logRetentionInDays"),
                message: format!(
                    "must be one of {}",
                    RETENTION
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    if let Some(v) = m.get("architecture").filter(|v| !v.is_null()) {
        if !matches!(v.as_str(), Some("x86_64" | "arm64")) {
            out.push(Problem {
                path: format!("{at}.architecture"),
                message: "must be equal to one of the allowed values [x86_64, arm64]".into(),
            });
        }
    }
    for key in ["handler", "runtime", "description", "name"] {
        if m.get(key).is_some_and(|v| !v.is_null() && !v.is_string()) {
            out.push(Problem {
                path: format!("{at}.{key}"),
                message: "must be string".into(),
            });
        }
    }
    if let Some(env) = m.get("environment").and_then(Value::as_object) {
        for (k, v) in env {
            let ok = k
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                out.push(Problem {
                    path: format!("{at}.environment"),
                    message: format!(
                        "unrecognized property '{k}' (environment names are letters, digits and _)"
                    ),
                });
            }
            if v.is_array() {
                out.push(Problem {
                    path: format!("{at}.environment.{k}"),
                    message: "must be a string, a number, a boolean or a CloudFormation intrinsic"
                        .into(),
                });
            }
        }
    }
}

/// Applies `configValidationMode` to the problems: an error (the first problem's position, every
/// problem listed), warnings, or nothing.
pub fn apply(
    mode: &str,
    problems: Vec<Problem>,
    locate: &dyn Fn(&str) -> Option<Box<SourceLocation>>,
) -> Result<Vec<String>, Error> {
    if problems.is_empty() || mode == "off" {
        return Ok(Vec::new());
    }
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("at '{}': {}", p.path, p.message))
        .collect();
    if mode == "error" {
        let message = if lines.len() == 1 {
            format!("Configuration error {}", lines[0])
        } else {
            format!("Configuration error:\n     {}", lines.join("\n     "))
        };
        return Err(Error::Config {
            code: "INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION",
            message,
            path: Some(problems[0].path.clone()),
            location: locate(&problems[0].path),
        });
    }
    Ok(lines
        .into_iter()
        .map(|l| format!("Invalid configuration {l}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_unknown_keys_types_and_ranges() {
        let config = json!({
            "service": "s",
            "provider": { "name": "aws", "memorySize": "lots", "frobnicate": 1 },
            "functions": { "f": { "handler": "h.x", "timeout": 901, "events": [{ "htp": {} }] } },
            "extra": true
        });
        let problems = check(&config);
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"extra"));
        assert!(paths.contains(&"provider.frobnicate"));
        assert!(paths.contains(&"provider.memorySize"));
        assert!(paths.contains(&"functions.f.timeout"));
        assert!(paths.contains(&"functions.f.events.0"));
        let err = apply("error", problems.clone(), &|_| None).unwrap_err();
        assert_eq!(err.code(), "INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION");
        assert_eq!(
            apply("off", problems.clone(), &|_| None).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(apply("warn", problems, &|_| None).unwrap().len(), 5);
    }
}
