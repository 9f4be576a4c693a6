//! Integration tests of slsx-core, all in one binary: packaging determinism, templates against the
//! goldens osls 4.3.1 produced for the fixtures (`scripts/osls-golden.sh` regenerates them), cfn-lint,
//! the stack monitor on the SDK's test HTTP client, and plugins' `provider.request` on the local emulator.

mod cfn_lint;
mod golden;
mod monitor;
mod support;
mod v2_request;
mod zip_determinism;
