//! The encryption settings of `provider.deploymentBucket`, sent with every upload (and with the
//! existence checks, which SSE-C objects need).

use crate::deploy::plan::Plan;

/// The encryption settings of `provider.deploymentBucket` (`config::BucketEncryption`).
pub(super) type Encryption = crate::config::BucketEncryption;

pub(super) fn of(plan: &Plan) -> Encryption {
    plan.service.provider.settings.stack.encryption.clone()
}

/// Server-side encryption on a request that writes an object (the S3 request builders share no trait).
macro_rules! with_encryption {
    ($req:expr, $enc:expr) => {
        $crate::deploy::upload::encryption::with_customer_key!(
            $req.set_server_side_encryption(
                $enc.server_side
                    .as_deref()
                    .map(aws_sdk_s3::types::ServerSideEncryption::from)
            )
            .set_ssekms_key_id($enc.kms_key_id.clone()),
            $enc
        )
    };
}
pub(super) use with_encryption;

/// The SSE-C key, which every request touching such an object must carry.
macro_rules! with_customer_key {
    ($req:expr, $enc:expr) => {
        $req.set_sse_customer_algorithm($enc.customer_algorithm.clone())
            .set_sse_customer_key($enc.customer_key.clone())
            .set_sse_customer_key_md5($enc.customer_key_md5.clone())
    };
}
pub(super) use with_customer_key;
