//! The `package` lifecycle: one built-in step per event, on a `Build` that plugins' hooks see and
//! change between the steps (`hook_state.rs`). `Plan::build` runs the same steps without hooks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::plan::{self, Plan};
use crate::compile::{self, code_artifact_key, CompiledLayer, FunctionCode, LayerCode};
use crate::config::Service;
use crate::deploy::images::ResolvedImage;
use crate::error::{Error, Result};
use crate::lifecycle::{self, Hooks};
use crate::package::{self, Artifact, Code, Packaged};
use crate::progress::Reporter;

/// A package in the making.
pub struct Build {
    pub service: Service,
    pub out_dir: PathBuf,
    /// The previous package, moved aside by `package:cleanup` (its unchanged zips are reused).
    previous: Option<PathBuf>,
    /// `<prefix>/<service>/<stage>/<epochms>-<ISO>`: `package.artifactDirectoryName`.
    pub deployment_dir: String,
    /// Set by `package:createDeploymentArtifacts`.
    pub packaged: Option<Packaged>,
    /// The core (create) template and the compiled (update) template, from
    /// `package:setupProviderConfiguration` on.
    pub create: Value,
    pub update: Value,
    compiled_layers: Vec<CompiledLayer>,
    version_ids: Vec<(String, Option<String>)>,
    /// S3 transfer acceleration asked for on the command line (a compile input, not configuration).
    pub accelerate: Option<bool>,
    /// Image functions' images by function key, built or resolved before packaging (a compile
    /// input, not configuration).
    pub images: BTreeMap<String, ResolvedImage>,
    /// A hook ran after the artifacts were made: they are hashed again before they are compiled in
    /// (a plugin may have rewritten a zip, or pointed a function at another one).
    pub(super) artifacts_touched: bool,
}

impl Build {
    pub fn new(service: Service, out_dir: PathBuf, now_ms: u64) -> Build {
        let deployment_dir = format!(
            "{}/{}",
            service.s3_stage_prefix(),
            plan::deployment_dir_name(now_ms)
        );
        Build {
            service,
            out_dir,
            previous: None,
            accelerate: None,
            images: BTreeMap::new(),
            deployment_dir,
            packaged: None,
            create: Value::Null,
            update: Value::Null,
            compiled_layers: Vec::new(),
            version_ids: Vec::new(),
            artifacts_touched: false,
        }
    }

    /// `package:cleanup`: the package directory emptied (its files moved aside for reuse).
    pub fn cleanup(&mut self) -> Result<()> {
        self.previous = plan::clean_output(&self.service, &self.out_dir)?;
        Ok(())
    }

    /// `package:initialize`: the core template, which the compiled template starts from.
    pub fn initialize(&mut self) {
        self.create = compile::core_template(&self.service, self.accelerate);
        self.update = self.create.clone();
    }

    /// `package:setupProviderConfiguration`: the log groups and the execution role.
    pub fn setup_provider(&mut self) {
        compile::setup_provider(&self.service, &mut self.update);
    }

    /// `package:createDeploymentArtifacts`.
    pub fn create_artifacts(
        &mut self,
        fetch: package::Fetch<'_>,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        let packaged = package::package_service(
            &self.service,
            &self.out_dir,
            self.previous.as_deref(),
            fetch,
            reporter,
        );
        if let Some(p) = self.previous.take() {
            let _ = std::fs::remove_dir_all(p);
        }
        self.packaged = Some(packaged?);
        Ok(())
    }

    fn packaged(&self) -> Result<&Packaged> {
        self.packaged.as_ref().ok_or_else(|| Error::Internal {
            message: "compiling before the artifacts were created".into(),
        })
    }

    /// Hashes the artifacts again when a hook may have changed them.
    fn refresh_artifacts(&mut self) -> Result<()> {
        if std::mem::take(&mut self.artifacts_touched) {
            if let Some(p) = &mut self.packaged {
                package::rehash(&mut p.artifacts)?;
            }
        }
        Ok(())
    }

    /// `package:compileLayers`.
    pub fn compile_layers(&mut self) -> Result<()> {
        self.refresh_artifacts()?;
        let packaged = self.packaged()?;
        let layers: Vec<LayerCode> = packaged
            .layers
            .iter()
            .map(|(key, i)| {
                let a = &packaged.artifacts[*i];
                LayerCode {
                    key: key.clone(),
                    path: a.path.clone(),
                    s3_key: code_artifact_key(&self.service, &a.sha256_hex),
                    sha256_base64: a.sha256_base64.clone(),
                }
            })
            .collect();
        self.compiled_layers = compile::compile_layers(&self.service, &layers, &mut self.update)?;
        Ok(())
    }

    /// `package:compileFunctions`.
    pub fn compile_functions(&mut self) -> Result<()> {
        self.refresh_artifacts()?;
        let packaged = self.packaged()?;
        let functions = packaged
            .functions
            .iter()
            .map(|(key, code)| {
                let code = match code {
                    Code::Zip(i) => FunctionCode::Zip {
                        s3_key: code_artifact_key(
                            &self.service,
                            &packaged.artifacts[*i].sha256_hex,
                        ),
                        sha256_base64: packaged.artifacts[*i].sha256_base64.clone(),
                    },
                    Code::Image => plan::image_code(&self.service, &self.images, key)?,
                };
                Ok((key.clone(), code))
            })
            .collect::<Result<Vec<_>>>()?;
        self.version_ids = compile::compile_functions(
            &self.service,
            &functions,
            &self.compiled_layers,
            &mut self.update,
        )?;
        Ok(())
    }

    /// `package:compileEvents`.
    pub fn compile_events(&mut self) -> Result<()> {
        compile::compile_events(&self.service, &mut self.update)
    }

    /// `aws:package:finalize:addExportNameForOutputs`.
    pub fn add_export_names(&mut self) {
        compile::add_export_names(&self.service, &mut self.update);
    }

    /// `aws:package:finalize:mergeCustomProviderResources`.
    pub fn merge_resources(&mut self) -> Result<()> {
        compile::merge_resources(&self.service, &mut self.update)
    }

    /// `aws:package:finalize:stripNullPropsFromTemplateResources`.
    pub fn strip_nulls(&mut self) {
        compile::strip_nulls(&mut self.update);
    }

    /// `aws:package:finalize:saveServiceState`: slsx's custom-resource zip when the template uses it,
    /// both templates and `serverless-state.json` written, the plan hashed.
    pub fn save_state(mut self) -> Result<Plan> {
        self.refresh_artifacts()?;
        let packaged = self.packaged.take().ok_or_else(|| Error::Internal {
            message: "saving the state before the artifacts were created".into(),
        })?;
        let service = self.service;
        let mut artifacts = packaged.artifacts.clone();
        let mut artifact_keys: Vec<String> = artifacts
            .iter()
            .map(|a| code_artifact_key(&service, &a.sha256_hex))
            .collect();
        if let Some(path) = compile::custom_resources::write_if_used(&self.update, &self.out_dir)? {
            let zip = compile::custom_resources::artifact();
            artifact_keys.push(code_artifact_key(&service, &zip.sha256_hex));
            artifacts.push(Artifact {
                file_name: compile::custom_resources::ARTIFACT_NAME.into(),
                path,
                size: zip.bytes.len() as u64,
                sha256_hex: zip.sha256_hex.clone(),
                sha256_base64: zip.sha256_base64.clone(),
                entries: 0,
                prebuilt: false,
            });
        }
        let templates = compile::Templates {
            create: self.create,
            update: self.update,
            version_ids: self.version_ids,
        };
        Plan::finish(
            service,
            packaged,
            artifacts,
            artifact_keys,
            templates,
            self.deployment_dir,
            self.out_dir,
        )
    }
}

/// Downloads an `s3://` artifact (shared with the blocking packaging step).
pub type SharedFetch = std::sync::Arc<dyn Fn(&str, &std::path::Path) -> Result<()> + Send + Sync>;

/// Runs the `package` lifecycle (and the `aws:package:finalize` events it spawns) with the plugins'
/// hooks between the steps. The steps that write files run on blocking threads.
pub async fn run(
    build: Build,
    fetch: SharedFetch,
    reporter: crate::progress::SharedReporter,
    hooks: &dyn Hooks,
) -> Result<Plan> {
    let mut b = build;
    // osls's `package:cleanup` handler spawns the validation and the temp-dir cleanup first.
    lifecycle::before(hooks, "package:cleanup", &mut b).await?;
    for spawned in [
        "aws:common:validate:validate",
        "aws:common:cleanupTempDir:cleanup",
    ] {
        lifecycle::before(hooks, spawned, &mut b).await?;
        lifecycle::after(hooks, spawned, &mut b).await?;
    }
    b = blocking(b, |b| b.cleanup()).await?;
    lifecycle::after(hooks, "package:cleanup", &mut b).await?;
    // The artifact directory was named in `Build::new`.
    lifecycle::before(hooks, "package:initialize", &mut b).await?;
    b.initialize();
    lifecycle::after(hooks, "package:initialize", &mut b).await?;
    lifecycle::before(hooks, "package:setupProviderConfiguration", &mut b).await?;
    b.setup_provider();
    lifecycle::after(hooks, "package:setupProviderConfiguration", &mut b).await?;

    let event = "package:createDeploymentArtifacts";
    lifecycle::before(hooks, event, &mut b).await?;
    let rep = reporter.clone();
    b = blocking(b, move |b| b.create_artifacts(&*fetch, rep.as_ref())).await?;
    lifecycle::after(hooks, event, &mut b).await?;

    lifecycle::before(hooks, "package:compileLayers", &mut b).await?;
    b = blocking(b, |b| b.compile_layers()).await?;
    lifecycle::after(hooks, "package:compileLayers", &mut b).await?;
    lifecycle::before(hooks, "package:compileFunctions", &mut b).await?;
    b = blocking(b, |b| b.compile_functions()).await?;
    lifecycle::after(hooks, "package:compileFunctions", &mut b).await?;
    lifecycle::before(hooks, "package:compileEvents", &mut b).await?;
    b = blocking(b, |b| b.compile_events()).await?;
    lifecycle::after(hooks, "package:compileEvents", &mut b).await?;

    // `package:finalize` spawns `aws:package:finalize` from its own handler: its events run between
    // the `before:` and the other hooks of `package:finalize`.
    lifecycle::before(hooks, "package:finalize", &mut b).await?;
    let [exports, merge, strip, save] = lifecycle::AWS_PACKAGE_FINALIZE else {
        unreachable!("four events")
    };
    lifecycle::before(hooks, exports, &mut b).await?;
    b.add_export_names();
    lifecycle::after(hooks, exports, &mut b).await?;
    lifecycle::before(hooks, merge, &mut b).await?;
    b.merge_resources()?;
    lifecycle::after(hooks, merge, &mut b).await?;
    lifecycle::before(hooks, strip, &mut b).await?;
    b.strip_nulls();
    lifecycle::after(hooks, strip, &mut b).await?;
    lifecycle::before(hooks, save, &mut b).await?;
    // Its handler spawns osls's move of the artifacts into the package directory (slsx writes them
    // there in the first place).
    let moved = "aws:common:moveArtifactsToPackage:move";
    lifecycle::before(hooks, moved, &mut b).await?;
    lifecycle::after(hooks, moved, &mut b).await?;
    let mut plan = tokio::task::spawn_blocking(move || b.save_state())
        .await
        .map_err(join_error)??;
    lifecycle::after(hooks, save, &mut plan).await?;
    lifecycle::after(hooks, "package:finalize", &mut plan).await?;
    Ok(plan)
}

/// Runs a step on a blocking thread, moving the build there and back.
async fn blocking<F>(mut b: Build, step: F) -> Result<Build>
where
    F: FnOnce(&mut Build) -> Result<()> + Send + 'static,
{
    tokio::task::spawn_blocking(move || step(&mut b).map(|()| b))
        .await
        .map_err(join_error)?
}

fn join_error(e: tokio::task::JoinError) -> Error {
    Error::Internal {
        message: format!("packaging task failed: {e}"),
    }
}
