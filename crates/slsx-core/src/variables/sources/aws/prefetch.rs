//! `AwsLookups::prefetch`: every AWS variable whose address and params are literal is found in the
//! configuration up front and fetched concurrently — each stack, S3 object and the account id once,
//! SSM parameters ten names per `GetParameters` call — so resolution itself rarely waits on AWS.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::lookups::{object_key, parameter_key, stack_key, AwsLookups};
use super::ssm::SsmOptions;
use crate::variables::parse::{parse, Param, Part, Source};

type Task<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

impl AwsLookups {
    /// Fetches, concurrently, every AWS value that `config` references with a literal address:
    /// distinct SSM names per (region, decryption) in `GetParameters` batches of ten, each stack and S3
    /// object once, the account id once.
    pub async fn prefetch(&self, config: &Value, region_for_default: &str) {
        let refs = collect(config);
        let mut tasks: Vec<Task<'_>> = Vec::new();
        if refs.account {
            tasks.push(Box::pin(async {
                let v = self.fetch_account().await;
                Self::store(&self.account, String::new(), v);
            }));
        }
        for (region, stack) in refs.stacks {
            let region = region.unwrap_or_else(|| region_for_default.to_string());
            tasks.push(Box::pin(async move {
                let v = self.fetch_stack(&region, &stack).await;
                Self::store(&self.outputs, stack_key(&region, &stack), v);
            }));
        }
        for (bucket, key) in refs.objects {
            tasks.push(Box::pin(async move {
                let v = self.fetch_object(&bucket, &key).await;
                Self::store(&self.objects, object_key(&bucket, &key), v);
            }));
        }
        self.parameter_tasks(refs.parameters, region_for_default, &mut tasks);
        // Concurrent on the current task: the futures only wait on the network.
        futures::future::join_all(tasks).await;
    }

    /// The SSM tasks: batches of ten names per (region, decryption); a Secrets Manager reference alone,
    /// as only `GetParameter` reads those.
    fn parameter_tasks<'a>(
        &'a self,
        parameters: BTreeSet<(Option<String>, String, bool)>,
        region_for_default: &str,
        tasks: &mut Vec<Task<'a>>,
    ) {
        let mut groups: HashMap<(String, bool), Vec<String>> = HashMap::new();
        for (region, name, decrypt) in parameters {
            let region = region.unwrap_or_else(|| region_for_default.to_string());
            if name.starts_with("/aws/reference/") {
                tasks.push(Box::pin(async move {
                    let v = self.fetch_parameter(&region, &name, decrypt).await;
                    Self::store(&self.parameters, parameter_key(&region, decrypt, &name), v);
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
    }
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
                .map(|p| match p {
                    Param::Literal(v) => Some(v.clone()),
                    Param::Template(_) => None,
                })
                .collect();
            if let (Some(params), Some(Param::Literal(Value::String(address)))) =
                (literal_params, address)
            {
                refs.add(kind, &params, address);
            }
        }
    }
}

impl Refs {
    /// One AWS variable of literal params and address.
    fn add(&mut self, kind: &str, params: &[Value], address: &str) {
        match kind {
            "aws" if address == "accountId" => self.account = true,
            "cf" => {
                if let Some((stack, _)) = address.split_once('.') {
                    let region = params.first().and_then(Value::as_str).map(str::to_string);
                    self.stacks.insert((region, stack.to_string()));
                }
            }
            "s3" => {
                if let Some((b, k)) = address.split_once('/') {
                    self.objects.insert((b.to_string(), k.to_string()));
                }
            }
            "ssm" => {
                let o = SsmOptions::from_params(params);
                self.parameters
                    .insert((o.region, address.to_string(), o.decrypt));
            }
            _ => {}
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
}
