//! The typed view of a loaded service. The raw JSON stays available (`Service::raw`) for the parts that
//! are copied into the template as they are.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::source::LoadedConfig;

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

/// A `package:` block (service, function or layer level).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageConfig {
    pub patterns: Vec<String>,
    /// Legacy (v1/v2) `package.include` / `package.exclude`.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub individually: bool,
    /// A prebuilt zip: a path relative to the service, or `s3://bucket/key`.
    pub artifact: Option<String>,
    /// `functions.X.package.disable`: the function is not packaged.
    pub disable: bool,
    /// Service level only; default true.
    pub exclude_dev_dependencies: bool,
    /// Service level only: `package.path`, when a non-empty string (a prebuilt package directory).
    pub path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Layer {
    /// The key under `layers:`.
    pub key: String,
    /// Directory of the layer's files, relative to the service.
    pub path: Option<String>,
    pub package: PackageConfig,
    /// `name`, as written (the layer's key names it otherwise).
    pub name: Option<String>,
    /// `retain`: old versions are kept (the logical ID carries the content's hash).
    pub retain: bool,
    /// `allowedAccounts`: who may use the layer.
    pub allowed_accounts: Vec<Value>,
    /// `description`, `licenseInfo`, `compatibleRuntimes`, `compatibleArchitectures` when set: copied
    /// into the layer version as they are.
    pub optional: Map<String, Value>,
    pub raw: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Function {
    /// The key under `functions:`.
    pub key: String,
    /// Deployed name: `name:` or `<service>-<stage>-<key>`.
    pub name: String,
    /// Empty for image functions.
    pub handler: String,
    /// `image:` (a URI, a name in `provider.ecr.images`, or an object): not zipped.
    pub image: Option<Value>,
    pub package: PackageConfig,
    pub runtime: Option<String>,
    pub memory_size: Option<u64>,
    pub timeout: Option<u64>,
    pub description: Option<String>,
    pub environment: Map<String, Value>,
    /// The settings the compiler and `deploy function` read, with the provider's fallback.
    pub settings: super::FunctionSettings,
    /// `events`, parsed (filled once the whole service is read: events refer to other parts).
    pub events: Vec<super::events::FunctionEvent>,
    pub raw: Map<String, Value>,
}

/// A function's container image, resolved to an ECR URI pinned by digest (by `deploy::images`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    pub uri: String,
    pub digest_hex: String,
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
    /// Image functions' images by function key, once resolved (empty until then).
    pub images: std::collections::BTreeMap<String, ResolvedImage>,
}

impl Service {
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
                &format!(
                    "\"{name}\" must start with a letter and hold only letters, digits and \"-\""
                ),
            ));
        }

        let provider_raw = match root.get("provider") {
            Some(Value::Object(o)) => o.clone(),
            Some(_) => return Err(ctx.invalid("provider", "must be a mapping")),
            None => return Err(ctx.invalid("provider", "is required (provider.name: aws)")),
        };
        match provider_raw.get("name") {
            Some(Value::String(s)) if s == "aws" => {}
            Some(_) => {
                return Err(
                    ctx.invalid("provider.name", "must be \"aws\": slsx deploys to AWS only")
                )
            }
            None => return Err(ctx.invalid("provider.name", "is required and must be \"aws\"")),
        }

        let stage = crate::defaults::stage(
            options.stage,
            opt_string(&provider_raw, "stage", "provider", &ctx)?.as_deref(),
        );
        if stage.is_empty() || !stage.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(ctx.invalid(
                "provider.stage",
                &format!("\"{stage}\" may hold only letters, digits and \"-\""),
            ));
        }
        let region = crate::defaults::region(
            options.region,
            opt_string(&provider_raw, "region", "provider", &ctx)?.as_deref(),
        );

        let provider = Provider {
            runtime: opt_string(&provider_raw, "runtime", "provider", &ctx)?,
            memory_size: opt_u64(&provider_raw, "memorySize", "provider", &ctx)?,
            timeout: opt_u64(&provider_raw, "timeout", "provider", &ctx)?,
            stack_name: opt_string(&provider_raw, "stackName", "provider", &ctx)?,
            deployment_prefix: opt_string(&provider_raw, "deploymentPrefix", "provider", &ctx)?
                .unwrap_or_else(|| "serverless".to_string()),
            version_functions: match provider_raw.get("versionFunctions") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(ctx.invalid("provider.versionFunctions", "must be true or false"))
                }
            },
            environment: opt_map(&provider_raw, "environment", "provider", &ctx)?,
            settings: super::ProviderSettings::read(&provider_raw, &stage),
            raw: provider_raw.clone(),
        };

        let mut functions = Vec::new();
        match root.get("functions") {
            None | Some(Value::Null) => {}
            Some(Value::Object(fns)) => {
                for (key, f) in fns {
                    functions.push(function(key, f, &provider_raw, &name, &stage, &ctx)?);
                }
            }
            Some(_) => return Err(ctx.invalid("functions", "must be a mapping of function keys")),
        }

        let mut layers = Vec::new();
        match root.get("layers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(ls)) => {
                for (key, l) in ls {
                    layers.push(layer(key, l, &ctx)?);
                }
            }
            Some(_) => return Err(ctx.invalid("layers", "must be a mapping of layer keys")),
        }
        let package = package_config(root.get("package"), "package", &ctx)?;
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
            images: Default::default(),
        };
        let checked = !options.skip_schema && !options.skip_compile_checks;
        for f in &service.functions {
            if checked {
                super::function_checks::check(&service, f)?;
            }
        }
        for i in 0..service.functions.len() {
            match super::events::parse(&service, &service.functions[i]) {
                Ok(events) => service.functions[i].events = events,
                // Loaded for the plugins' constructors (the events are checked once they ran), or
                // for `print`.
                Err(_) if !checked => {}
                Err(e) => return Err(e),
            }
        }
        match super::events::check_service(&service) {
            Err(e) if checked => return Err(e),
            _ => {}
        }
        Ok(service)
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

fn function(
    key: &str,
    f: &Value,
    provider: &Map<String, Value>,
    service: &str,
    stage: &str,
    ctx: &Ctx,
) -> Result<Function> {
    let at = format!("functions.{key}");
    if !is_name(key) {
        return Err(ctx.invalid(
            &at,
            "function keys may hold only letters, digits, \"-\" and \"_\"",
        ));
    }
    let raw = match f {
        Value::Object(o) => o.clone(),
        _ => return Err(ctx.invalid(&at, "must be a mapping with at least a handler")),
    };
    let image = raw.get("image").filter(|v| !v.is_null()).cloned();
    let handler = match raw.get("handler") {
        Some(Value::String(h)) if !h.is_empty() => h.clone(),
        Some(_) => return Err(ctx.invalid(&format!("{at}.handler"), "must be a non-empty string")),
        None if image.is_some() => String::new(),
        None => {
            return Err(ctx.invalid(
                &format!("{at}.handler"),
                "is required (e.g. handler: handler.main), unless the function has an image",
            ))
        }
    };
    if image.is_some() && raw.get("handler").is_some() {
        return Err(ctx.invalid(&at, "cannot have both \"handler\" and \"image\""));
    }
    let name =
        opt_string(&raw, "name", &at, ctx)?.unwrap_or_else(|| format!("{service}-{stage}-{key}"));
    Ok(Function {
        key: key.to_string(),
        name,
        handler,
        image,
        package: package_config(raw.get("package"), &format!("{at}.package"), ctx)?,
        runtime: opt_string(&raw, "runtime", &at, ctx)?,
        memory_size: opt_u64(&raw, "memorySize", &at, ctx)?,
        timeout: opt_u64(&raw, "timeout", &at, ctx)?,
        description: opt_string(&raw, "description", &at, ctx)?,
        environment: opt_map(&raw, "environment", &at, ctx)?,
        events: Vec::new(),
        settings: super::FunctionSettings::read(&raw, provider),
        raw,
    })
}

fn layer(key: &str, l: &Value, ctx: &Ctx) -> Result<Layer> {
    let at = format!("layers.{key}");
    if !is_name(key) {
        return Err(ctx.invalid(
            &at,
            "layer keys may hold only letters, digits, \"-\" and \"_\"",
        ));
    }
    let raw = match l {
        Value::Object(o) => o.clone(),
        _ => return Err(ctx.invalid(&at, "must be a mapping with a path")),
    };
    let package = package_config(raw.get("package"), &format!("{at}.package"), ctx)?;
    let path = opt_string(&raw, "path", &at, ctx)?;
    if path.is_none() && package.artifact.is_none() {
        return Err(ctx.invalid(&format!("{at}.path"), "is required (or package.artifact)"));
    }
    if let Some(p) = &path {
        let normalized = p.trim_end_matches('/');
        if normalized.is_empty()
            || normalized == "."
            || Path::new(normalized).is_absolute()
            || normalized.split('/').any(|s| s == "..")
        {
            return Err(ctx.invalid(
                &format!("{at}.path"),
                "must be a directory inside the service",
            ));
        }
    }
    Ok(Layer {
        key: key.to_string(),
        path: path.map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string()),
        package,
        name: raw.get("name").and_then(Value::as_str).map(str::to_string),
        retain: raw.get("retain").and_then(Value::as_bool).unwrap_or(false),
        allowed_accounts: raw
            .get("allowedAccounts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        optional: [
            "description",
            "licenseInfo",
            "compatibleRuntimes",
            "compatibleArchitectures",
        ]
        .into_iter()
        .filter_map(|k| Some((k.to_string(), raw.get(k).filter(|v| !v.is_null())?.clone())))
        .collect(),
        raw,
    })
}

fn package_config(v: Option<&Value>, at: &str, ctx: &Ctx) -> Result<PackageConfig> {
    let o = match v {
        None | Some(Value::Null) => {
            return Ok(PackageConfig {
                exclude_dev_dependencies: true,
                ..Default::default()
            })
        }
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ctx.invalid(at, "must be a mapping")),
    };
    let list = |key: &str| -> Result<Vec<String>> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    _ => {
                        Err(ctx.invalid(&format!("{at}.{key}"), "must be a list of glob patterns"))
                    }
                })
                .collect(),
            Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a list of glob patterns")),
        }
    };
    let flag = |key: &str, default: bool| -> Result<bool> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be true or false")),
        }
    };
    Ok(PackageConfig {
        patterns: list("patterns")?,
        include: list("include")?,
        exclude: list("exclude")?,
        individually: flag("individually", false)?,
        artifact: opt_string(o, "artifact", at, ctx)?.filter(|a| !a.is_empty()),
        disable: flag("disable", false)?,
        exclude_dev_dependencies: flag("excludeDevDependencies", true)?,
        path: o
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    })
}

struct Ctx<'a> {
    file: &'a Path,
    source: &'a str,
}

impl Ctx<'_> {
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

fn opt_string(m: &Map<String, Value>, key: &str, at: &str, ctx: &Ctx) -> Result<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a string")),
    }
}

fn opt_u64(m: &Map<String, Value>, key: &str, at: &str, ctx: &Ctx) -> Result<Option<u64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        // YAML `memorySize: "512"` is accepted by Serverless's schema coercion.
        Some(Value::String(s)) if s.parse::<u64>().is_ok() => Ok(s.parse().ok()),
        Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a whole number")),
    }
}

fn opt_map(m: &Map<String, Value>, key: &str, at: &str, ctx: &Ctx) -> Result<Map<String, Value>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a mapping")),
    }
}
