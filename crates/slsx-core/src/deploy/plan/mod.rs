//! The local half of a deploy: package, compile, write `.serverless/`, and hash what will be compared
//! with the last deployment. No AWS call happens here.
//!
//! `Plan` (here) is what a deploy sends; it is built by the package steps (`Plan::build`, on
//! `deploy::build`) or read from a package directory (`from_dir`). `state` writes
//! `serverless-state.json` and the hashes, `dir` the package directory's files, `code` an image
//! function's code.

mod code;
mod dir;
mod from_dir;
mod state;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::compile::{self, Templates};
use crate::config::Service;
use crate::error::Result;
use crate::package::{self, Artifact, Packaged};
use crate::progress::Reporter;

pub(in crate::deploy) use code::image_code;
pub(in crate::deploy) use dir::clean_output;
pub use dir::{deployment_dir_name, iso8601};
pub use state::{state_hash, template_hash};

use dir::write_json;
use state::state_json;

pub const TEMPLATE_FILE: &str = "compiled-cloudformation-template.json";
pub const STATE_FILE: &str = "serverless-state.json";
pub const CREATE_TEMPLATE_FILE: &str = "cloudformation-template-create-stack.json";
pub const UPDATE_TEMPLATE_FILE: &str = "cloudformation-template-update-stack.json";

#[derive(Debug, Clone)]
pub struct Plan {
    pub service: Service,
    pub packaged: Packaged,
    pub artifacts: Vec<Artifact>,
    /// S3 key of each artifact, parallel to `artifacts`.
    pub artifact_keys: Vec<String>,
    pub templates: Templates,
    /// `serverless-state.json` as written.
    pub state: Value,
    /// `<prefix>/<service>/<stage>/<epochms>-<ISO>`: where this deployment's template and state go.
    pub deployment_dir: String,
    /// Base64 SHA-256 of the normalized template and state: the `filesha256` compared on skip.
    pub template_hash: String,
    pub state_hash: String,
    pub out_dir: PathBuf,
}

impl Plan {
    /// Packages and compiles `service` into `out_dir` (emptied first, as Serverless does): the steps
    /// of the `package` lifecycle, without plugins. `fetch` downloads `s3://` artifacts.
    pub fn build(
        service: Service,
        out_dir: &Path,
        fetch: package::Fetch<'_>,
        reporter: &dyn Reporter,
        now_ms: u64,
    ) -> Result<Plan> {
        let mut b = super::build::Build::new(service, out_dir.to_path_buf(), now_ms);
        b.cleanup()?;
        b.initialize();
        b.setup_provider();
        b.create_artifacts(fetch, reporter)?;
        b.compile_layers()?;
        b.compile_functions()?;
        b.compile_events()?;
        b.add_export_names();
        b.merge_resources()?;
        b.strip_nulls();
        b.save_state()
    }

    /// The end of `aws:package:finalize:saveServiceState`: the state, the files of `.serverless/`
    /// and the hashes compared on the next deploy.
    pub(super) fn finish(
        service: Service,
        packaged: Packaged,
        artifacts: Vec<Artifact>,
        artifact_keys: Vec<String>,
        templates: Templates,
        deployment_dir: String,
        out_dir: PathBuf,
    ) -> Result<Plan> {
        let state = state_json(&service, &templates, &packaged, &deployment_dir);
        let mut plan = Plan {
            service,
            packaged,
            artifacts,
            artifact_keys,
            templates,
            state,
            deployment_dir,
            template_hash: String::new(),
            state_hash: String::new(),
            out_dir,
        };
        plan.write()?;
        Ok(plan)
    }

    /// Writes the templates and the state into the package directory and hashes them (again, when
    /// a plugin changed them after they were first saved).
    pub(super) fn write(&mut self) -> Result<()> {
        // With its own deployment bucket a service has no core stack to create (osls writes no file).
        if compile::custom_bucket(&self.service).is_none() {
            write_json(
                &self.out_dir.join(CREATE_TEMPLATE_FILE),
                &self.templates.create,
            )?;
        }
        write_json(
            &self.out_dir.join(UPDATE_TEMPLATE_FILE),
            &self.templates.update,
        )?;
        write_json(&self.out_dir.join(STATE_FILE), &self.state)?;
        self.template_hash = template_hash(&self.templates.update);
        self.state_hash = state_hash(&self.state);
        Ok(())
    }
}
