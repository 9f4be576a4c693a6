//! The typed view of a loaded service. The raw JSON stays available (`Service::raw`) for the parts that
//! are copied into the template as they are.

mod function;
mod layer;
mod package;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::source::LoadedConfig;
pub use function::Function;
pub use layer::Layer;
pub use package::PackageConfig;

/// What the loading stage decided for the typed model: the CLI's stage and region (they win over
/// the configuration's) and which checks are made.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelOptions<'a> {
    pub stage: Option<&'a str>,
    pub region: Option<&'a str>,
    /// The schema's problems are not raised (the plugins' constructors see the service first).
    pub skip_schema: bool,
    /// The checks osls makes only while compiling are not made (`print`).
    pub skip_compile_checks: bool,
}

#[derive(Debug, Clone)]
pub struct Provider {
    pub runtime: Option<String>,
    pub memory_size: Option<u64>,
    pub timeout: Option<u64>,
    pub stack_name: Option<String>,
    pub deployment_prefix: String,
    pub version_functions: bool,
    pub environment: Map<String, Value>,
    /// The settings the compiler and the deploy steps read.
    pub settings: super::ProviderSettings,
    pub raw: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub stage: String,
    pub region: String,
    pub provider: Provider,
    /// In the order of `serverless.yml`.
    pub functions: Vec<Function>,
    /// In the order of `serverless.yml`.
    pub layers: Vec<Layer>,
    pub package: PackageConfig,
    /// `useDotenv: true`: `.env*` files are left out of packages.
    pub use_dotenv: bool,
    /// Absolute service directory.
    pub service_dir: PathBuf,
    /// Absolute path of the config file that was read.
    pub config_file: PathBuf,
    pub source: String,
    pub raw: Value,
    /// Schema warnings (`configValidationMode: warn`), to report.
    pub warnings: Vec<String>,
    /// `resources`: CloudFormation merged into the template as written (`Resources`, `Outputs`,
    /// `extensions` …).
    pub resources: Option<Map<String, Value>>,
    /// `plugins.localPath`, left out of packages.
    pub plugins_local_path: Option<String>,
}

impl Service {
    /// The typed service from the loaded configuration: its name, provider, stage and region,
    /// functions, layers and package; then the checks and every function's events.
    pub fn from_loaded(
        loaded: LoadedConfig,
        service_dir: PathBuf,
        options: &ModelOptions,
    ) -> Result<Service> {
        let LoadedConfig {
            path,
            source,
            value,
        } = loaded;
        let ctx = Ctx {
            file: &path,
            source: &source,
        };
        let root = value.as_object().cloned().unwrap_or_default();
        let name = service_name(&root, &ctx)?;
        let provider_raw = provider_raw(&root, &ctx)?;
        let (stage, region) = stage_and_region(&provider_raw, options, &ctx)?;
        let provider = Provider::read(&provider_raw, &stage, &ctx)?;
        let functions = entries(
            &root,
            ("functions", "function"),
            "must be a mapping with at least a handler",
            &ctx,
            |key, at, raw| function::function(key, at, raw, &provider_raw, &name, &stage, &ctx),
        )?;
        let layers = entries(
            &root,
            ("layers", "layer"),
            "must be a mapping with a path",
            &ctx,
            |key, at, raw| layer::layer(key, at, raw, &ctx),
        )?;
        let package = package::package_config(root.get("package"), "package", &ctx)?;
        let use_dotenv = matches!(root.get("useDotenv"), Some(Value::Bool(true)));

        let resources = root.get("resources").and_then(Value::as_object).cloned();
        let plugins_local_path = root
            .get("plugins")
            .and_then(|p| p.get("localPath"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut service = Service {
            resources,
            plugins_local_path,
            name,
            stage,
            region,
            provider,
            functions,
            layers,
            package,
            use_dotenv,
            service_dir,
            config_file: path,
            source,
            raw: value,
            warnings: Vec::new(),
        };
        let checked = !options.skip_schema && !options.skip_compile_checks;
        service.check_and_parse_events(checked)?;
        Ok(service)
    }

    /// The checks osls makes while compiling (when `checked`), then every function's events parsed,
    /// then the checks across events.
    fn check_and_parse_events(&mut self, checked: bool) -> Result<()> {
        for f in &self.functions {
            if checked {
                super::function_checks::check(self, f)?;
            }
        }
        for i in 0..self.functions.len() {
            match super::events::parse(self, &self.functions[i]) {
                Ok(events) => self.functions[i].events = events,
                // Loaded for the plugins' constructors (the events are checked once they ran), or
                // for `print`.
                Err(_) if !checked => {}
                Err(e) => return Err(e),
            }
        }
        match super::events::check_service(self) {
            Err(e) if checked => return Err(e),
            _ => {}
        }
        Ok(())
    }

    /// `provider.stackName` or `<service>-<stage>`.
    pub fn stack_name(&self) -> String {
        self.provider
            .stack_name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", self.name, self.stage))
    }

    /// The config file's name as the user wrote it (e.g. `serverless.yml`), relative to the service.
    pub fn config_file_name(&self) -> String {
        self.config_file
            .strip_prefix(&self.service_dir)
            .unwrap_or(&self.config_file)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// `<prefix>/<service>/<stage>`: the S3 key prefix of every deployment of this stage.
    pub fn s3_stage_prefix(&self) -> String {
        format!(
            "{}/{}/{}",
            self.provider.deployment_prefix, self.name, self.stage
        )
    }
}

/// A non-empty name of ASCII letters, digits, "-" and "_" (function and layer keys, stage names in
/// API Gateway).
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `service` (or v1/v2's `service.name`): a name that starts with a letter, of letters, digits and "-".
fn service_name(root: &Map<String, Value>, ctx: &Ctx) -> Result<String> {
    let name = match root.get("service") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        // Serverless v1/v2 allowed `service: { name: x }`.
        Some(Value::Object(o)) => match o.get("name") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(ctx.invalid("service.name", "must be a non-empty string")),
        },
        Some(_) => return Err(ctx.invalid("service", "must be a non-empty string")),
        None => return Err(ctx.invalid("service", "is required: the name of the service")),
    };
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Err(ctx.invalid(
            "service",
            &format!("\"{name}\" must start with a letter and hold only letters, digits and \"-\""),
        ));
    }
    Ok(name)
}

/// `provider`: a mapping whose `name` is `aws`.
fn provider_raw(root: &Map<String, Value>, ctx: &Ctx) -> Result<Map<String, Value>> {
    let provider_raw = match root.get("provider") {
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(ctx.invalid("provider", "must be a mapping")),
        None => return Err(ctx.invalid("provider", "is required (provider.name: aws)")),
    };
    match provider_raw.get("name") {
        Some(Value::String(s)) if s == "aws" => {}
        Some(_) => {
            return Err(ctx.invalid("provider.name", "must be \"aws\": slsx deploys to AWS only"))
        }
        None => return Err(ctx.invalid("provider.name", "is required and must be \"aws\"")),
    }
    Ok(provider_raw)
}

/// The stage (the CLI's, else `provider.stage`, else `dev`; letters, digits and "-") and the region.
fn stage_and_region(
    provider_raw: &Map<String, Value>,
    options: &ModelOptions,
    ctx: &Ctx,
) -> Result<(String, String)> {
    let stage = crate::defaults::stage(
        options.stage,
        opt_string(provider_raw, "stage", "provider", ctx)?.as_deref(),
    );
    if stage.is_empty() || !stage.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ctx.invalid(
            "provider.stage",
            &format!("\"{stage}\" may hold only letters, digits and \"-\""),
        ));
    }
    let region = crate::defaults::region(
        options.region,
        opt_string(provider_raw, "region", "provider", ctx)?.as_deref(),
    );
    Ok((stage, region))
}

impl Provider {
    /// The provider's typed settings (`stage` decides the stage-dependent ones).
    fn read(provider_raw: &Map<String, Value>, stage: &str, ctx: &Ctx) -> Result<Provider> {
        Ok(Provider {
            runtime: opt_string(provider_raw, "runtime", "provider", ctx)?,
            memory_size: opt_u64(provider_raw, "memorySize", "provider", ctx)?,
            timeout: opt_u64(provider_raw, "timeout", "provider", ctx)?,
            stack_name: opt_string(provider_raw, "stackName", "provider", ctx)?,
            deployment_prefix: opt_string(provider_raw, "deploymentPrefix", "provider", ctx)?
                .unwrap_or_else(|| "serverless".to_string()),
            version_functions: match provider_raw.get("versionFunctions") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(ctx.invalid("provider.versionFunctions", "must be true or false"))
                }
            },
            environment: opt_map(provider_raw, "environment", "provider", ctx)?,
            settings: super::ProviderSettings::read(provider_raw, stage),
            raw: provider_raw.clone(),
        })
    }
}

/// Each entry of the mapping `root[section]` (of `kind` keys) read by `read` with its path and mapping,
/// in order, once its key (letters, digits, "-" and "_") and its shape (a mapping, else `shape`) are
/// checked; none when absent or null.
fn entries<T>(
    root: &Map<String, Value>,
    (section, kind): (&str, &str),
    shape: &str,
    ctx: &Ctx,
    mut read: impl FnMut(&str, String, Map<String, Value>) -> Result<T>,
) -> Result<Vec<T>> {
    let entries = match root.get(section) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(entries)) => entries,
        Some(_) => {
            return Err(ctx.invalid(section, &format!("must be a mapping of {kind} keys")));
        }
    };
    let mut read_one = |key: &str, v: &Value| {
        let at = format!("{section}.{key}");
        if !is_name(key) {
            let what = format!("{kind} keys may hold only letters, digits, \"-\" and \"_\"");
            return Err(ctx.invalid(&at, &what));
        }
        match v {
            Value::Object(o) => read(key, at, o.clone()),
            _ => Err(ctx.invalid(&at, shape)),
        }
    };
    entries.iter().map(|(k, v)| read_one(k, v)).collect()
}

/// The file being read, for errors that point into it.
struct Ctx<'a> {
    file: &'a Path,
    source: &'a str,
}

impl Ctx<'_> {
    /// `CONFIGURATION_INVALID`: `<file>: "<path>" <what>`, located in the source.
    fn invalid(&self, path: &str, what: &str) -> Error {
        let location = crate::source::locate_in(self.file, self.source, path);
        Error::Config {
            code: "CONFIGURATION_INVALID",
            message: format!(
                "{}: \"{path}\" {what}",
                self.file
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ),
            path: Some(path.to_string()),
            location,
        }
    }
}

/// An optional string setting.
fn opt_string(m: &Map<String, Value>, key: &str, at: &str, ctx: &Ctx) -> Result<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a string")),
    }
}

/// An optional whole number (a numeric string is accepted, as Serverless's coercion does).
fn opt_u64(m: &Map<String, Value>, key: &str, at: &str, ctx: &Ctx) -> Result<Option<u64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        // YAML `memorySize: "512"` is accepted by Serverless's schema coercion.
        Some(Value::String(s)) if s.parse::<u64>().is_ok() => Ok(s.parse().ok()),
        Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a whole number")),
    }
}

/// An optional mapping (empty when absent).
fn opt_map(m: &Map<String, Value>, key: &str, at: &str, ctx: &Ctx) -> Result<Map<String, Value>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a mapping")),
    }
}
