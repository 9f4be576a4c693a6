//! The loading stage: read the configuration file → resolve its variables (the AWS sources fetched
//! first, concurrently) → apply osls's set-up (array merges, defaults before validation) → coerce and
//! validate against the schema → build the typed model (`config::Service`, with its typed function
//! settings and events). Everything after this stage reads the typed model; a configuration error is
//! raised here, at its line.
//!
//! This module sits above `config` (the file formats, the schema and the model) and `variables` (the
//! resolver): they do not import each other or this stage.

mod aws_settings;
mod options;

pub use options::ServiceOptions;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::config::Service;
use crate::error::{Error, Result};
use crate::source::{find_config_file, load_config, LoadedConfig};

impl Service {
    /// Finds, reads, resolves and checks the service at `options.service_path`, without AWS access
    /// (an AWS variable is an error).
    pub fn load(options: &ServiceOptions) -> Result<Service> {
        let (loaded, service_dir) = Service::read(options)?;
        Service::resolve(loaded, service_dir, options, None)
    }

    /// Finds and reads the config file (or takes the preloaded one), variables unresolved.
    pub fn read(options: &ServiceOptions) -> Result<(LoadedConfig, PathBuf)> {
        let service_dir = absolute(&options.service_path)?;
        let loaded = match &options.preloaded {
            Some((name, value)) => LoadedConfig {
                path: service_dir.join(name),
                source: std::fs::read_to_string(service_dir.join(name)).unwrap_or_default(),
                value: value.clone(),
            },
            None => load_config(&find_config_file(&service_dir, options.config.as_deref())?)?,
        };
        Ok((loaded, service_dir))
    }

    /// Resolves the variables of a read config and checks it.
    pub fn resolve(
        loaded: LoadedConfig,
        service_dir: PathBuf,
        options: &ServiceOptions,
        aws: Option<&dyn crate::variables::sources::AwsSource>,
    ) -> Result<Service> {
        let mut value = resolve_variables(&loaded, &service_dir, options, aws)?;
        crate::config::merge::merge_arrays(&mut value)
            .map_err(|e| crate::config::merge::locate_error(e, &loaded.path, &loaded.source))?;
        crate::config::osls_setup::before_validation(&mut value, options.stage.as_deref());
        // osls's default is `error` (Serverless 3 warned). The schema converts values (`'false'` to
        // false, a scalar to a list …) in every mode: osls compiles the converted configuration.
        let mode = crate::config::schema::mode_of(value.get("configValidationMode"));
        let osls = crate::config::schema::Schema::osls();
        let definitions = options
            .hooks
            .as_ref()
            .map(|h| h.schema_definitions())
            .unwrap_or_default();
        let extended;
        let schema = if definitions.is_empty() {
            osls
        } else {
            extended = osls.extended(definitions).map_err(|message| {
                crate::Error::config("PLUGIN_SCHEMA_DEFINITION_ERROR", message)
            })?;
            &extended
        };
        let mut problems = schema.check(&mut value);
        if options.skip_schema {
            problems.clear();
        }
        let warnings = crate::config::schema::apply(&mode, &problems, &|path| {
            crate::source::locate_in(&loaded.path, &loaded.source, path)
        })?;
        let mut service = Service::from_loaded(
            LoadedConfig { value, ..loaded },
            service_dir,
            &options.model(),
        )?;
        service.warnings = warnings;
        service
            .warnings
            .extend(crate::config::events::unsupported_warnings(&service));
        Ok(service)
    }
}

/// Reads the config, fetches the AWS values its variables need (concurrently, batched), resolves it.
pub async fn load_with_aws(options: &ServiceOptions) -> Result<Service> {
    let join = |e: tokio::task::JoinError| Error::Internal {
        message: format!("loading task failed: {e}"),
    };
    let opts = options.clone();
    // The region and credentials of the AWS variable sources come from properties resolved first.
    let (loaded, service_dir, settings) = tokio::task::spawn_blocking(move || {
        let (loaded, dir) = Service::read(&opts)?;
        refuse_unhosted_plugins(&loaded, &opts)?;
        let settings = Service::early_aws_settings(&loaded, &dir, &opts)?;
        Ok::<_, Error>((loaded, dir, settings))
    })
    .await
    .map_err(join)??;
    let region = settings.region.clone();
    let lookups = std::sync::Arc::new(crate::variables::AwsLookups::new(settings));
    lookups.prefetch(&loaded.value, &region).await;
    let opts = options.clone();
    tokio::task::spawn_blocking(move || {
        Service::resolve(loaded, service_dir, &opts, Some(lookups.as_ref()))
    })
    .await
    .map_err(join)?
}

/// A service that lists plugins runs only with its plugins: without the Node.js plugin host (a
/// caller of the engine that gave no hooks) it is refused, never deployed without them. The package
/// entry takes this answer as its cue to load the plugins, so a service without plugins pays nothing.
fn refuse_unhosted_plugins(
    loaded: &crate::source::LoadedConfig,
    options: &ServiceOptions,
) -> Result<()> {
    if options.hooks.is_some() || options.skip_schema {
        return Ok(());
    }
    let lists = match loaded.value.get("plugins") {
        Some(serde_json::Value::Array(a)) => !a.is_empty(),
        Some(serde_json::Value::Object(o)) => o
            .get("modules")
            .is_some_and(|m| m.as_array().is_none_or(|a| !a.is_empty())),
        // A variable: only its value says.
        Some(serde_json::Value::String(s)) => s.contains("${"),
        _ => false,
    };
    if !lists {
        return Ok(());
    }
    Err(Error::Config {
        code: PLUGINS_NEED_HOST,
        message: "The service lists plugins: they run only through slsx's Node.js package (its plugin host), not from the engine alone".into(),
        path: Some("plugins".into()),
        location: crate::source::locate_in(&loaded.path, &loaded.source, "plugins"),
    })
}

/// The code of `refuse_unhosted_plugins`' refusal.
pub const PLUGINS_NEED_HOST: &str = "PLUGINS_NEED_HOST";

/// The `plugins:` section of the service (null without one): as written, or resolved when it holds
/// variables.
pub async fn plugins_section(options: &ServiceOptions) -> Result<serde_json::Value> {
    let opts = options.clone();
    let (loaded, _) = tokio::task::spawn_blocking(move || Service::read(&opts))
        .await
        .map_err(|e| Error::Internal {
            message: format!("reading the configuration failed: {e}"),
        })??;
    let section = loaded
        .value
        .get("plugins")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    if !section.to_string().contains("${") {
        return Ok(section);
    }
    let opts = ServiceOptions {
        skip_schema: true,
        ..options.clone()
    };
    let service = load_with_aws(&opts).await?;
    Ok(service
        .raw
        .get("plugins")
        .cloned()
        .unwrap_or(serde_json::Value::Null))
}

/// Serverless's order: `useDotenv` and `provider.stage` first (without AWS), then the `.env` files,
/// then everything.
fn resolve_variables(
    loaded: &LoadedConfig,
    service_dir: &Path,
    options: &ServiceOptions,
    aws: Option<&dyn crate::variables::sources::AwsSource>,
) -> Result<Value> {
    let mut ctx = variables_context(loaded, service_dir, options)?;
    ctx.aws = aws;
    crate::variables::resolve_config(loaded.value.clone(), &ctx)
}

/// What variables resolve in, without AWS: the options, and the environment with the `.env` files
/// when `useDotenv` says so.
fn variables_context<'a>(
    loaded: &LoadedConfig,
    service_dir: &Path,
    options: &'a ServiceOptions,
) -> Result<crate::variables::Context<'a>> {
    use crate::variables::{dotenv, resolve_paths, Context};
    let mut ctx = Context {
        service_dir: service_dir.to_path_buf(),
        config_file: loaded.path.clone(),
        source: loaded.source.clone(),
        options: options.cli_options(),
        params: options.params.clone(),
        env: std::env::vars().collect(),
        instance_id: crate::clock::now_ms().to_string(),
        aws: None,
        js: options
            .js_files
            .as_deref()
            .map(|j| j as &dyn crate::variables::JsFiles),
        tolerate_unknown_sources: options.skip_schema,
    };
    let early = resolve_paths(
        &loaded.value,
        &ctx,
        &[&["useDotenv"], &["provider", "stage"]],
    )?;
    if early[0] == Some(Value::Bool(true)) {
        let stage = crate::defaults::stage(
            options.stage.as_deref(),
            early[1].as_ref().and_then(Value::as_str),
        );
        let extra = dotenv::load(service_dir, &stage, &ctx.env);
        ctx.env.extend(extra);
    }
    Ok(ctx)
}

fn absolute(path: &Path) -> Result<PathBuf> {
    let p = if path.as_os_str().is_empty() {
        std::env::current_dir().map_err(|e| Error::io("cannot read the current directory", e))?
    } else {
        path.to_path_buf()
    };
    std::fs::canonicalize(&p).map_err(|e| {
        Error::io(
            format!("cannot open the service directory \"{}\"", p.display()),
            e,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(value: serde_json::Value) -> LoadedConfig {
        LoadedConfig {
            path: "serverless.yml".into(),
            source: "service: a\nplugins:\n  - x\n".into(),
            value,
        }
    }

    #[test]
    fn a_service_with_plugins_is_refused_without_the_plugin_host() {
        let opts = ServiceOptions::default();
        let with = loaded(serde_json::json!({ "service": "a", "plugins": ["x"] }));
        let e = refuse_unhosted_plugins(&with, &opts).unwrap_err();
        assert_eq!(e.code(), PLUGINS_NEED_HOST);
        assert_eq!(e.location().map(|l| l.line), Some(2));
        let modules = loaded(serde_json::json!({ "plugins": { "modules": ["x"] } }));
        assert!(refuse_unhosted_plugins(&modules, &opts).is_err());
        let variable = loaded(serde_json::json!({ "plugins": "${file(p.yml)}" }));
        assert!(refuse_unhosted_plugins(&variable, &opts).is_err());
        for none in [
            serde_json::json!({ "service": "a" }),
            serde_json::json!({ "plugins": [] }),
            serde_json::json!({ "plugins": { "localPath": "x" , "modules": [] } }),
        ] {
            assert!(refuse_unhosted_plugins(&loaded(none), &opts).is_ok());
        }
        // With the host's hooks (even none registered) the engine runs.
        let hosted = ServiceOptions {
            hooks: Some(std::sync::Arc::new(crate::lifecycle::NoHooks)),
            ..Default::default()
        };
        assert!(refuse_unhosted_plugins(&with, &hosted).is_ok());
    }
}
