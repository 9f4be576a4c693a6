//! The stage and region every part of the pipeline agrees on (osls's `getStage()` / `getRegion()`):
//! the command line's, else the configuration's, else `dev` / `us-east-1`. An empty value counts as
//! none, as JavaScript's `||` has it.

pub const STAGE: &str = "dev";
/// Serverless's function defaults when neither the function nor the provider sets a value (osls 4.3.1).
pub const DEFAULT_RUNTIME: &str = "nodejs24.x";
pub const DEFAULT_MEMORY_SIZE: u64 = 1024;
pub const DEFAULT_TIMEOUT: u64 = 6;
pub const REGION: &str = "us-east-1";

/// `--stage`, else `provider.stage`, else `dev`.
pub fn stage(cli: Option<&str>, configured: Option<&str>) -> String {
    first(cli, configured, STAGE)
}

/// `--region`, else `provider.region`, else `us-east-1`.
pub fn region(cli: Option<&str>, configured: Option<&str>) -> String {
    first(cli, configured, REGION)
}

fn first(cli: Option<&str>, configured: Option<&str>, default: &str) -> String {
    [cli, configured]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .unwrap_or(default)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cli_then_the_configuration_then_the_default() {
        assert_eq!(super::stage(Some("prod"), Some("qa")), "prod");
        assert_eq!(super::stage(None, Some("qa")), "qa");
        assert_eq!(super::stage(Some(""), Some("")), "dev");
        assert_eq!(super::region(None, None), "us-east-1");
    }
}
