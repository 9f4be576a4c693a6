use std::collections::HashMap;

use aws_smithy_types::body::SdkBody;

use super::*;

/// `select` over a fixed environment and a fixed set of existing profiles.
fn pick(
    vars: &[(&str, &str)],
    profiles: &[&str],
    cli: Option<&str>,
    provider: Option<&str>,
) -> CredentialSource {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
    let exists = |p: &str| profiles.contains(&p);
    select(Some("prod"), cli, provider, &lookup, &exists)
}

fn profile(name: &str, from: &str) -> CredentialSource {
    CredentialSource::Profile {
        name: name.into(),
        from: from.into(),
    }
}

fn keys(prefix: &str, session_token: bool) -> CredentialSource {
    CredentialSource::Keys {
        prefix: prefix.into(),
        session_token,
    }
}

const EVERYTHING: &[(&str, &str)] = &[
    ("AWS_PROD_PROFILE", "stage-profile"),
    ("AWS_PROD_ACCESS_KEY_ID", "AKIASTAGE"),
    ("AWS_PROD_SECRET_ACCESS_KEY", "s"),
    ("AWS_PROFILE", "env-profile"),
    ("AWS_ACCESS_KEY_ID", "AKIAENV"),
    ("AWS_SECRET_ACCESS_KEY", "s"),
    ("AWS_DEFAULT_PROFILE", "default-profile"),
];

/// Removes the sources one by one, from the strongest: each time the next one in osls's order wins.
#[test]
fn sources_in_osls_order() {
    let all = |skip: &[&str]| -> Vec<(&str, &str)> {
        EVERYTHING
            .iter()
            .copied()
            .filter(|(k, _)| !skip.contains(k))
            .collect()
    };
    let files = &["default", "default-profile"];
    let p = Some("provider-profile");
    assert_eq!(
        pick(&all(&[]), files, Some("cli"), p),
        profile("cli", "--aws-profile")
    );
    assert_eq!(
        pick(&all(&[]), files, None, p),
        profile("stage-profile", "AWS_PROD_PROFILE")
    );
    let mut skip = vec!["AWS_PROD_PROFILE"];
    assert_eq!(pick(&all(&skip), files, None, p), keys("AWS_PROD", false));
    skip.push("AWS_PROD_ACCESS_KEY_ID");
    assert_eq!(
        pick(&all(&skip), files, None, p),
        profile("env-profile", "AWS_PROFILE")
    );
    skip.push("AWS_PROFILE");
    assert_eq!(pick(&all(&skip), files, None, p), keys("AWS", false));
    skip.push("AWS_SECRET_ACCESS_KEY");
    assert_eq!(
        pick(&all(&skip), files, None, p),
        profile("provider-profile", "provider.profile")
    );
    assert_eq!(
        pick(&all(&skip), files, None, None),
        profile("default-profile", "AWS_DEFAULT_PROFILE")
    );
    skip.push("AWS_DEFAULT_PROFILE");
    assert_eq!(pick(&all(&skip), files, None, None), profile("default", ""));
    assert_eq!(
        pick(&all(&skip), &[], None, None),
        CredentialSource::Chain {
            missing_default: None
        }
    );
}

#[test]
fn keys_need_both_halves_and_empty_values_are_unset() {
    let only_id = [("AWS_PROD_ACCESS_KEY_ID", "AKIASTAGE"), ("AWS_PROFILE", "")];
    assert_eq!(
        pick(&only_id, &[], None, Some("p")),
        profile("p", "provider.profile")
    );
    let with_token = [
        ("AWS_PROD_ACCESS_KEY_ID", "AKIASTAGE"),
        ("AWS_PROD_SECRET_ACCESS_KEY", "s"),
        ("AWS_PROD_SESSION_TOKEN", "t"),
    ];
    assert_eq!(pick(&with_token, &[], None, None), keys("AWS_PROD", true));
    assert_eq!(
        pick(&[], &[], Some(""), Some("")),
        CredentialSource::Chain {
            missing_default: None
        }
    );
}

#[test]
fn a_default_profile_no_file_has_falls_back_to_the_chain_with_a_warning() {
    let source = pick(&[("AWS_DEFAULT_PROFILE", "gone")], &["default"], None, None);
    assert_eq!(
        source,
        CredentialSource::Chain {
            missing_default: Some("gone".into())
        }
    );
    assert!(source
        .warning()
        .unwrap()
        .contains("Profile \"gone\" (from AWS_DEFAULT_PROFILE)"));
    assert_eq!(profile("x", "--aws-profile").warning(), None);
}

#[test]
fn the_stage_variables_are_named_in_upper_case() {
    let env = |k: &str| (k == "AWS_MY-STAGE_PROFILE").then(|| "p".to_string());
    assert_eq!(
        select(Some("my-stage"), None, None, &env, &|_| false),
        profile("p", "AWS_MY-STAGE_PROFILE")
    );
}

#[test]
fn descriptions_name_the_source_and_never_a_value() {
    assert_eq!(
        profile("prod", "provider.profile").to_string(),
        "profile \"prod\" from provider.profile"
    );
    assert_eq!(profile("default", "").to_string(), "profile \"default\"");
    assert_eq!(
        keys("AWS_PROD", true).to_string(),
        "AWS_PROD_ACCESS_KEY_ID/AWS_PROD_SECRET_ACCESS_KEY/AWS_PROD_SESSION_TOKEN environment variables"
    );
}

#[test]
fn profiles_are_found_as_osls_finds_them() {
    let credentials = "[default]\naws_access_key_id = a\n  [prod]  ; comment\n#[commented]\n";
    let config = "[profile dev]\n[profile\t\"quoted\"]\n[plain]\n[profilex]\n[sso-session s] # c\n";
    for name in ["default", "prod", "dev", "quoted", "plain"] {
        assert!(profile_in_files(name, credentials, config), "{name}");
    }
    for name in ["commented", "x", "profilex ", "s", "sso-session s "] {
        assert!(!profile_in_files(name, credentials, config), "{name}");
    }
    assert!(profile_in_files("default", "", "[profile default]"));
}

#[allow(deprecated)]
fn named(name: &str, credentials: &str) -> NamedProfile {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    let files = ProfileFiles::builder()
        .with_contents(ProfileFileKind::Credentials, credentials)
        .build();
    // Static keys need no request; the client is there because the provider insists on one.
    let http = aws_smithy_http_client::test_util::infallible_client_fn(|_| {
        http::Response::builder()
            .status(500)
            .body(SdkBody::empty())
            .unwrap()
    });
    let conf = ProviderConfig::without_region().with_http_client(http);
    NamedProfile {
        name: name.into(),
        inner: ProfileFileCredentialsProvider::builder()
            .configure(&conf)
            .profile_files(files)
            .profile_name(name)
            .build(),
    }
}

#[tokio::test]
async fn a_named_profile_gives_its_keys_or_unrecognized_aws_profile() {
    let file =
        "[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s\n[empty]\nregion = x\n";
    let creds = named("prod", file).provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "AKIAPROD");
    for name in ["empty", "missing"] {
        let err = named(name, file).provide_credentials().await.unwrap_err();
        let failure = failure_in(&err).expect("a CredentialsFailure in the chain");
        assert_eq!(failure.code, "UNRECOGNIZED_AWS_PROFILE");
        assert_eq!(
            failure.message,
            format!("AWS profile \"{name}\" doesn't seem to be configured")
        );
    }
}
