//! The sources that read AWS: `aws:accountId|region`, `cf(region?):stack.Output`, `s3:bucket/key` and
//! `ssm(region?, raw?, noDecrypt?):/name`. Lookups are memoized; `AwsLookups::prefetch` finds every such
//! variable whose address is known up front and fetches them all concurrently — SSM parameters ten
//! names per `GetParameters` call — so resolution itself rarely waits on AWS.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use serde_json::Value;

use super::super::parse::{parse, Param, Part, Source};
use super::super::resolve::{Path_, Resolver};
use crate::aws::{errors, AwsContext, AwsSettings};
use crate::error::Result;

/// What the AWS variable sources need; `Err` is a message for the user.
pub trait AwsSource: Sync {
    fn account_id(&self) -> Result<String, String>;
    fn stack_output(
        &self,
        region: &str,
        stack: &str,
        output: &str,
    ) -> Result<Option<String>, String>;
    fn s3_object(&self, bucket: &str, key: &str) -> Result<Option<String>, String>;
    /// `(type, value)` of a parameter, or None when it does not exist.
    fn ssm_parameter(
        &self,
        region: &str,
        name: &str,
        decrypt: bool,
    ) -> Result<Option<(String, String)>, String>;
}

pub(in super::super) fn resolve(
    r: &mut Resolver<'_, '_>,
    kind: &str,
    params: &[Value],
    address: Option<&str>,
    path: &Path_,
) -> Result<Value> {
    if kind == "aws" && address == Some("region") {
        return super::region(r).map(Value::String);
    }
    let Some(aws) = r.ctx.aws else {
        return Err(r.error(
            path,
            "VARIABLES_RESOLUTION_ERROR",
            &format!("\"{kind}\" variables need AWS access, which is not available here"),
        ));
    };
    let fail = |r: &Resolver<'_, '_>, e: String| r.error(path, "VARIABLES_RESOLUTION_ERROR", &e);
    match kind {
        "aws" => match address {
            Some("accountId") => aws.account_id().map(Value::String).map_err(|e| fail(r, e)),
            other => Err(fail(
                r,
                format!(
                    "Unsupported \"aws\" address \"{}\": use accountId or region",
                    other.unwrap_or("")
                ),
            )),
        },
        "cf" => {
            let Some((stack, output)) = address.and_then(|a| a.split_once('.')) else {
                return Err(fail(r, "\"cf\" needs ${cf:<stack>.<output>}".into()));
            };
            let region = match params.first() {
                Some(Value::String(reg)) => reg.clone(),
                _ => super::region(r)?,
            };
            aws.stack_output(&region, stack, output)
                .map(|v| v.map_or(Value::Null, Value::String))
                .map_err(|e| fail(r, e))
        }
        "s3" => {
            let Some((bucket, key)) = address.and_then(|a| a.split_once('/')) else {
                return Err(fail(r, "\"s3\" needs ${s3:<bucket>/<key>}".into()));
            };
            aws.s3_object(bucket, key)
                .map(|v| v.map_or(Value::Null, Value::String))
                .map_err(|e| fail(r, e))
        }
        "ssm" => {
            let Some(name) = address.filter(|a| !a.is_empty()) else {
                return Err(fail(
                    r,
                    "\"ssm\" needs a parameter name: ${ssm:/path/name}".into(),
                ));
            };
            let opts = SsmOptions::from_params(params);
            let region = match opts.region {
                Some(reg) => reg,
                None => super::region(r)?,
            };
            let found = aws
                .ssm_parameter(&region, name, opts.decrypt)
                .map_err(|e| fail(r, e))?;
            Ok(found.map_or(Value::Null, |(kind, value)| {
                ssm_value(name, &kind, value, opts.raw)
            }))
        }
        _ => unreachable!("dispatched by kind"),
    }
}

struct SsmOptions {
    region: Option<String>,
    raw: bool,
    decrypt: bool,
}

impl SsmOptions {
    fn from_params(params: &[Value]) -> SsmOptions {
        let mut o = SsmOptions {
            region: None,
            raw: false,
            decrypt: true,
        };
        for p in params {
            match p.as_str() {
                Some("raw") => o.raw = true,
                Some("noDecrypt") => o.decrypt = false,
                Some(s) if !s.is_empty() => o.region = Some(s.to_string()),
                _ => {}
            }
        }
        o
    }
}

/// StringList -> a list; a SecureString or a Secrets Manager reference holding JSON -> parsed; unless
/// `raw`.
fn ssm_value(name: &str, kind: &str, value: String, raw: bool) -> Value {
    if raw {
        return Value::String(value);
    }
    if kind == "StringList" {
        return Value::Array(
            value
                .split(',')
                .map(|s| Value::String(s.to_string()))
                .collect(),
        );
    }
    if kind == "SecureString" || name.starts_with("/aws/reference/secretsmanager/") {
        if let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(&value)
        {
            return v;
        }
    }
    Value::String(value)
}

type Memo<T> = Mutex<HashMap<String, Result<T, String>>>;

/// The real AWS sources: memoized, concurrent, batched.
pub struct AwsLookups {
    handle: tokio::runtime::Handle,
    /// The service's region (the default one) and what chooses the credentials.
    settings: AwsSettings,
    contexts: Mutex<HashMap<String, AwsContext>>,
    account: Memo<String>,
    outputs: Memo<Option<Vec<(String, String)>>>,
    objects: Memo<Option<String>>,
    parameters: Memo<Option<(String, String)>>,
}

impl AwsLookups {
    /// Must be created inside the tokio runtime; its methods are called from blocking threads.
    pub fn new(settings: AwsSettings) -> AwsLookups {
        AwsLookups {
            handle: tokio::runtime::Handle::current(),
            settings,
            contexts: Mutex::new(HashMap::new()),
            account: Mutex::new(HashMap::new()),
            outputs: Mutex::new(HashMap::new()),
            objects: Mutex::new(HashMap::new()),
            parameters: Mutex::new(HashMap::new()),
        }
    }

    /// Requests made so far by the lookups' clients.
    pub fn request_count(&self) -> u64 {
        self.contexts
            .lock()
            .map(|c| c.values().map(AwsContext::request_count).sum())
            .unwrap_or(0)
    }

    async fn context(&self, region: &str) -> AwsContext {
        if let Some(c) = self
            .contexts
            .lock()
            .ok()
            .and_then(|c| c.get(region).cloned())
        {
            return c;
        }
        let ctx = AwsContext::new(&AwsSettings {
            region: region.to_string(),
            ..self.settings.clone()
        })
        .await;
        if let Ok(mut c) = self.contexts.lock() {
            c.entry(region.to_string()).or_insert_with(|| ctx.clone());
        }
        ctx
    }

    fn memo<T: Clone>(memo: &Memo<T>, key: &str) -> Option<Result<T, String>> {
        memo.lock().ok().and_then(|m| m.get(key).cloned())
    }

    fn store<T>(memo: &Memo<T>, key: String, value: Result<T, String>) {
        if let Ok(mut m) = memo.lock() {
            m.insert(key, value);
        }
    }

    /// Fetches, concurrently, every AWS value that `config` references with a literal address:
    /// distinct SSM names per (region, decryption) in `GetParameters` batches of ten, each stack and S3
    /// object once, the account id once.
    pub async fn prefetch(&self, config: &Value, region_for_default: &str) {
        let refs = collect(config);
        let mut tasks = Vec::new();
        if refs.account {
            tasks.push(Box::pin(async {
                let v = self.fetch_account().await;
                Self::store(&self.account, String::new(), v);
            })
                as std::pin::Pin<
                    Box<dyn std::future::Future<Output = ()> + Send + '_>,
                >);
        }
        for (region, stack) in refs.stacks {
            let region = region.unwrap_or_else(|| region_for_default.to_string());
            tasks.push(Box::pin(async move {
                let v = self.fetch_stack(&region, &stack).await;
                Self::store(&self.outputs, format!("{region}|{stack}"), v);
            }));
        }
        for (bucket, key) in refs.objects {
            tasks.push(Box::pin(async move {
                let v = self.fetch_object(&bucket, &key).await;
                Self::store(&self.objects, format!("{bucket}/{key}"), v);
            }));
        }
        let mut groups: HashMap<(String, bool), Vec<String>> = HashMap::new();
        for (region, name, decrypt) in refs.parameters {
            let region = region.unwrap_or_else(|| region_for_default.to_string());
            if name.starts_with("/aws/reference/") {
                // Secrets Manager references are read with GetParameter only.
                tasks.push(Box::pin(async move {
                    let v = self.fetch_parameter(&region, &name, decrypt).await;
                    Self::store(&self.parameters, format!("{region}|{decrypt}|{name}"), v);
                }));
                continue;
            }
            groups.entry((region, decrypt)).or_default().push(name);
        }
        for ((region, decrypt), names) in groups {
            for chunk in names.chunks(10).map(<[String]>::to_vec) {
                let region = region.clone();
                tasks.push(Box::pin(async move {
                    self.fetch_parameters(&region, &chunk, decrypt).await
                }));
            }
        }
        let _ = join_all(tasks).await;
    }

    async fn fetch_account(&self) -> Result<String, String> {
        let ctx = self.context(&self.settings.region).await;
        let out = ctx
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| errors::describe(&e).1)?;
        out.account()
            .map(str::to_string)
            .ok_or_else(|| "STS returned no account id".to_string())
    }

    async fn fetch_stack(
        &self,
        region: &str,
        stack: &str,
    ) -> Result<Option<Vec<(String, String)>>, String> {
        let ctx = self.context(region).await;
        match ctx
            .cloudformation()
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(out) => Ok(out.stacks().first().map(|s| {
                s.outputs()
                    .iter()
                    .filter_map(|o| {
                        Some((
                            o.output_key()?.to_string(),
                            o.output_value().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect()
            })),
            Err(e) if errors::is_stack_missing(&e) => Ok(None),
            Err(e) => Err(format!(
                "cannot read stack {stack} in {region}: {}",
                errors::describe(&e).1
            )),
        }
    }

    async fn fetch_object(&self, bucket: &str, key: &str) -> Result<Option<String>, String> {
        let ctx = self.context(&self.settings.region).await;
        match ctx.s3().get_object().bucket(bucket).key(key).send().await {
            Ok(out) => {
                let bytes = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_bytes();
                Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
            }
            Err(e) if e.as_service_error().is_some_and(|se| se.is_no_such_key()) => Ok(None),
            Err(e) => Err(format!(
                "cannot read s3://{bucket}/{key}: {}",
                errors::describe(&e).1
            )),
        }
    }

    async fn fetch_parameters(&self, region: &str, names: &[String], decrypt: bool) {
        let ctx = self.context(region).await;
        let result = ctx
            .ssm()
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(decrypt)
            .send()
            .await;
        // A failed batch leaves its names to be fetched one by one, with their own errors.
        if let Ok(out) = result {
            for p in out.parameters() {
                let (Some(name), Some(value)) = (p.name(), p.value()) else {
                    continue;
                };
                let kind = p
                    .r#type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default();
                Self::store(
                    &self.parameters,
                    format!("{region}|{decrypt}|{name}"),
                    Ok(Some((kind, value.to_string()))),
                );
            }
            for name in out.invalid_parameters() {
                Self::store(
                    &self.parameters,
                    format!("{region}|{decrypt}|{name}"),
                    Ok(None),
                );
            }
        }
    }

    async fn fetch_parameter(
        &self,
        region: &str,
        name: &str,
        decrypt: bool,
    ) -> Result<Option<(String, String)>, String> {
        let ctx = self.context(region).await;
        match ctx
            .ssm()
            .get_parameter()
            .name(name)
            .with_decryption(decrypt)
            .send()
            .await
        {
            Ok(out) => Ok(out.parameter().map(|p| {
                (
                    p.r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    p.value().unwrap_or_default().to_string(),
                )
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_parameter_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(format!(
                "cannot read SSM parameter {name}: {}",
                errors::describe(&e).1
            )),
        }
    }
}

impl AwsSource for AwsLookups {
    fn account_id(&self) -> Result<String, String> {
        if let Some(v) = Self::memo(&self.account, "") {
            return v;
        }
        let v = self.handle.block_on(self.fetch_account());
        Self::store(&self.account, String::new(), v.clone());
        v
    }

    fn stack_output(
        &self,
        region: &str,
        stack: &str,
        output: &str,
    ) -> Result<Option<String>, String> {
        let key = format!("{region}|{stack}");
        let outputs = match Self::memo(&self.outputs, &key) {
            Some(v) => v,
            None => {
                let v = self.handle.block_on(self.fetch_stack(region, stack));
                Self::store(&self.outputs, key, v.clone());
                v
            }
        }?;
        // A missing stack, like a missing output, has no value: the fallback applies.
        Ok(outputs.and_then(|o| o.into_iter().find(|(k, _)| k == output).map(|(_, v)| v)))
    }

    fn s3_object(&self, bucket: &str, key: &str) -> Result<Option<String>, String> {
        let k = format!("{bucket}/{key}");
        if let Some(v) = Self::memo(&self.objects, &k) {
            return v;
        }
        let v = self.handle.block_on(self.fetch_object(bucket, key));
        Self::store(&self.objects, k, v.clone());
        v
    }

    fn ssm_parameter(
        &self,
        region: &str,
        name: &str,
        decrypt: bool,
    ) -> Result<Option<(String, String)>, String> {
        let k = format!("{region}|{decrypt}|{name}");
        if let Some(v) = Self::memo(&self.parameters, &k) {
            return v;
        }
        let v = self
            .handle
            .block_on(self.fetch_parameter(region, name, decrypt));
        Self::store(&self.parameters, k, v.clone());
        v
    }
}

async fn join_all<'a>(
    tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>>,
) {
    // Concurrent on the current task: the futures only wait on the network.
    struct JoinAll<'a>(
        Vec<Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>>>,
    );
    impl std::future::Future for JoinAll<'_> {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            let mut pending = false;
            for slot in self.0.iter_mut() {
                if let Some(f) = slot {
                    if f.as_mut().poll(cx).is_ready() {
                        *slot = None;
                    } else {
                        pending = true;
                    }
                }
            }
            if pending {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        }
    }
    JoinAll(tasks.into_iter().map(Some).collect()).await
}

#[derive(Default)]
struct Refs {
    account: bool,
    stacks: BTreeSet<(Option<String>, String)>,
    objects: BTreeSet<(String, String)>,
    parameters: BTreeSet<(Option<String>, String, bool)>,
}

/// AWS variables with literal addresses and params anywhere in `config`.
fn collect(config: &Value) -> Refs {
    let mut refs = Refs::default();
    let mut stack = vec![config];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains("${") => {
                if let Ok(Some(t)) = parse(s) {
                    collect_template(&t, &mut refs);
                }
            }
            Value::Array(a) => stack.extend(a),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    refs
}

fn collect_template(t: &[Part], refs: &mut Refs) {
    for part in t {
        let Part::Var(var) = part else { continue };
        for source in &var.sources {
            let Source::Typed {
                kind,
                params,
                address,
            } = source
            else {
                continue;
            };
            for p in params.iter().chain(address.iter()) {
                if let Param::Template(inner) = p {
                    collect_template(inner, refs);
                }
            }
            let literal_params: Option<Vec<Value>> = params
                .iter()
                .map(|p| {
                    if let Param::Literal(v) = p {
                        Some(v.clone())
                    } else {
                        None
                    }
                })
                .collect();
            let (Some(params), Some(Param::Literal(Value::String(address)))) =
                (literal_params, address)
            else {
                continue;
            };
            match kind.as_str() {
                "aws" if address == "accountId" => refs.account = true,
                "cf" => {
                    if let Some((stack, _)) = address.split_once('.') {
                        let region = params.first().and_then(Value::as_str).map(str::to_string);
                        refs.stacks.insert((region, stack.to_string()));
                    }
                }
                "s3" => {
                    if let Some((b, k)) = address.split_once('/') {
                        refs.objects.insert((b.to_string(), k.to_string()));
                    }
                }
                "ssm" => {
                    let o = SsmOptions::from_params(&params);
                    refs.parameters
                        .insert((o.region, address.clone(), o.decrypt));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_literal_aws_references_once() {
        let config = json!({
            "a": "${ssm:/a}", "b": "${ssm:/a}", "c": "${ssm(eu-west-1, raw):/b}", "d": "x-${cf:st.Out}",
            "e": "${s3:bk/k/ey}", "f": "${aws:accountId}", "g": "${ssm:/c-${opt:stage}}"
        });
        let r = collect(&config);
        assert!(r.account);
        assert_eq!(r.parameters.len(), 2, "{:?}", r.parameters);
        assert!(r.stacks.contains(&(None, "st".into())));
        assert!(r.objects.contains(&("bk".into(), "k/ey".into())));
    }

    #[test]
    fn ssm_values_by_type() {
        assert_eq!(
            ssm_value("/l", "StringList", "a,b".into(), false),
            json!(["a", "b"])
        );
        assert_eq!(
            ssm_value("/s", "SecureString", "{\"k\":1}".into(), false),
            json!({ "k": 1 })
        );
        assert_eq!(
            ssm_value("/s", "SecureString", "{\"k\":1}".into(), true),
            json!("{\"k\":1}")
        );
        assert_eq!(
            ssm_value("/p", "String", "{\"k\":1}".into(), false),
            json!("{\"k\":1}")
        );
    }
}
