//! What `deploy function` checks and sends beyond the basic settings: the refusal of durable
//! functions, `snapStart`, the VPC with `ipv6AllowedForDualStack`, and `recursiveLoop`.

use aws_sdk_lambda::types::{
    FunctionConfiguration, RecursiveLoop, SnapStart, SnapStartApplyOn, VpcConfig,
};
use serde_json::Value;

use crate::aws::{errors, AwsContext};
use crate::compile::truthy;
use crate::config::Function;
use crate::error::{Error, Result};

/// osls's `rejectDurableFunctionDeploy`: a durable function (here or in AWS) only changes through a
/// stack deploy, which publishes the version its `durable` alias must point at.
pub fn reject_durable(f: &Function, remote: Option<&FunctionConfiguration>) -> Result<()> {
    let local = crate::compile::durable::config(f).is_some();
    let deployed = remote.is_some_and(|c| c.durable_config().is_some());
    if !local && !deployed {
        return Ok(());
    }
    Err(Error::Stack {
        code: "DURABLE_DEPLOY_FUNCTION_UNSUPPORTED".into(),
        message: format!("Function \"{}\" is configured with durableConfig locally or in AWS. Use \"slsx deploy\" so slsx can publish a new durable function version and update the generated alias.", f.key),
    })
}

/// `SnapStart` on published versions when `snapStart` is set and the function does not have it yet.
/// (osls sends it whenever the setting is on; only the deployed value decides here.)
pub fn snap_start(f: &Function, remote: &FunctionConfiguration) -> Option<SnapStart> {
    if !f.settings.snap_start {
        return None;
    }
    let deployed = remote.snap_start().and_then(|s| s.apply_on());
    (deployed != Some(&SnapStartApplyOn::PublishedVersions)).then(|| {
        SnapStart::builder()
            .apply_on(SnapStartApplyOn::PublishedVersions)
            .build()
    })
}

/// The VPC (the function's `vpc`, else the provider's, as osls's `deploy function` picks it) when its
/// security groups, subnets or `ipv6AllowedForDualStack` differ from the deployed ones. Only lists of
/// plain IDs are sent: an intrinsic only a stack can resolve leaves the VPC as deployed.
pub fn vpc(f: &Function, remote: &FunctionConfiguration) -> Option<VpcConfig> {
    let vpc = f.settings.vpc_for_update.as_ref()?;
    let list = |k: &str| -> Option<Vec<String>> {
        vpc.get(k)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let (sg, subnets) = (list("securityGroupIds")?, list("subnetIds")?);
    // osls compares a missing flag as false, and sends the flag only when it is on.
    let ipv6 = vpc.get("ipv6AllowedForDualStack").is_some_and(truthy);
    let have = remote.vpc_config();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let same = sorted(sg.clone())
        == sorted(
            have.map(|v| v.security_group_ids().to_vec())
                .unwrap_or_default(),
        )
        && sorted(subnets.clone())
            == sorted(have.map(|v| v.subnet_ids().to_vec()).unwrap_or_default())
        && ipv6
            == have
                .and_then(|v| v.ipv6_allowed_for_dual_stack())
                .unwrap_or(false);
    if same {
        return None;
    }
    // Turning the flag off says so (Lambda treats an absent flag as false too).
    let deployed_ipv6 = have
        .and_then(|v| v.ipv6_allowed_for_dual_stack())
        .unwrap_or(false);
    Some(
        VpcConfig::builder()
            .set_security_group_ids(Some(sg))
            .set_subnet_ids(Some(subnets))
            .set_ipv6_allowed_for_dual_stack((ipv6 || deployed_ipv6).then_some(ipv6))
            .build(),
    )
}

/// `recursiveLoop` (`Allow` / `Terminate`), set when it differs from the function's recursion
/// configuration. Lambda keeps it apart from the function's configuration (Get/PutFunctionRecursionConfig):
/// osls puts it in its UpdateFunctionConfiguration request, whose API has no such field, so its SDK
/// drops it and the setting only changes with `deploy`. Returns whether it was changed.
pub async fn update_recursive_loop(ctx: &AwsContext, f: &Function) -> Result<bool> {
    let Some(wanted) = f.settings.recursive_loop.as_ref().and_then(Value::as_str) else {
        return Ok(false);
    };
    let lambda = ctx.lambda();
    let current = lambda
        .get_function_recursion_config()
        .function_name(&f.name)
        .send()
        .await
        .map_err(errors::lambda(
            "GET_FUNCTION_RECURSION_CONFIG",
            format!("read the recursion configuration of {}", f.name),
        ))?;
    if current.recursive_loop().map(RecursiveLoop::as_str) == Some(wanted) {
        return Ok(false);
    }
    lambda
        .put_function_recursion_config()
        .function_name(&f.name)
        .recursive_loop(RecursiveLoop::from(wanted))
        .send()
        .await
        .map_err(errors::lambda(
            "PUT_FUNCTION_RECURSION_CONFIG",
            format!("set the recursion configuration of {}", f.name),
        ))?;
    Ok(true)
}

#[cfg(test)]
#[path = "function_settings_tests.rs"]
mod tests;
