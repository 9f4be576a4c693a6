//! Reading a push's digest and recognizing ECR URIs.

use super::docker::find_digest;
use super::source::is_ecr_uri;

#[test]
fn finds_the_pushed_digest() {
    let out = "The push refers to repository [x]\nlatest: digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef size: 1234\n";
    assert_eq!(
        find_digest(out).as_deref(),
        Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
    );
    assert_eq!(find_digest("sha256:abc"), None);
}

#[test]
fn recognizes_ecr_uris() {
    assert!(is_ecr_uri(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag"
    ));
    assert!(is_ecr_uri(
        "repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    ));
    assert!(!is_ecr_uri("my-image"));
}
