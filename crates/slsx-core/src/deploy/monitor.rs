//! Following a stack operation: poll stack events from 250 ms backing off to 5 s, report each new
//! event, remember the first failure, and stop when the stack reaches a final state (after a rollback
//! has finished, so the stack is usable again).

use std::time::Duration;

use aws_sdk_cloudformation::types::StackEvent;

use crate::aws::errors;
use crate::aws::errors::OrAws;
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

/// Poll delays: 250 ms doubling to 5 s, capped by `SLS_AWS_MONITORING_FREQUENCY` (ms) when set.
pub fn poll_delays() -> impl Iterator<Item = Duration> {
    let cap = std::env::var("SLS_AWS_MONITORING_FREQUENCY")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(5000)
        .max(1);
    let mut next = 250u64.min(cap);
    std::iter::repeat_with(move || {
        let d = next;
        next = (next * 2).min(cap);
        Duration::from_millis(d)
    })
}

/// What kind of operation is being followed; it names the statuses that end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
}

impl Action {
    fn word(self) -> &'static str {
        match self {
            Action::Create => "CREATE",
            Action::Update => "UPDATE",
        }
    }
}

/// The first failed resource of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

/// Event bookkeeping, separate from polling so it can be tested on recorded events.
#[derive(Debug)]
pub struct Tracker {
    stack_name: String,
    action: Action,
    /// Newest event id seen before the operation began; it and everything older are ignored.
    boundary: Option<String>,
    seen: std::collections::HashSet<String>,
    done: std::collections::HashSet<String>,
    pub total: Option<u32>,
    pub failure: Option<Failure>,
    pub final_status: Option<String>,
}

impl Tracker {
    pub fn new(
        stack_name: &str,
        action: Action,
        boundary: Option<String>,
        total: Option<u32>,
    ) -> Tracker {
        Tracker {
            stack_name: stack_name.to_string(),
            action,
            boundary,
            seen: Default::default(),
            done: Default::default(),
            total,
            failure: None,
            final_status: None,
        }
    }

    /// Takes one page of events (newest first, as CloudFormation returns them) and reports the new
    /// ones oldest first. Returns true once the stack reached a final state.
    pub fn observe(&mut self, newest_first: &[StackEvent], reporter: &dyn Reporter) -> bool {
        let mut fresh: Vec<&StackEvent> = Vec::new();
        for e in newest_first {
            let id = e.event_id().unwrap_or_default();
            if self.boundary.as_deref() == Some(id) || self.seen.contains(id) {
                break;
            }
            fresh.push(e);
        }
        for e in fresh.into_iter().rev() {
            self.seen
                .insert(e.event_id().unwrap_or_default().to_string());
            let logical_id = e.logical_resource_id().unwrap_or_default().to_string();
            let resource_type = e.resource_type().unwrap_or_default().to_string();
            let status = e
                .resource_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            let reason = e.resource_status_reason().map(str::to_string);
            let is_stack =
                resource_type == "AWS::CloudFormation::Stack" && logical_id == self.stack_name;
            if is_stack && status == "REVIEW_IN_PROGRESS" {
                continue;
            }
            if !is_stack && status.ends_with("_COMPLETE") && !status.starts_with("DELETE") {
                self.done.insert(logical_id.clone());
            }
            let failed = status.ends_with("FAILED") || status == "UPDATE_ROLLBACK_IN_PROGRESS";
            if failed && self.failure.is_none() {
                // A stack-level failure usually only repeats the resource's; prefer the resource.
                let reason_text = reason.clone().unwrap_or_else(|| status.clone());
                if !is_stack || !reason_text.is_empty() {
                    self.failure = Some(Failure {
                        logical_id: logical_id.clone(),
                        resource_type: resource_type.clone(),
                        status: status.clone(),
                        reason: reason_text,
                    });
                }
            }
            reporter.report(ProgressEvent::StackEvent {
                logical_id: logical_id.clone(),
                resource_type,
                status: status.clone(),
                reason,
                done: Some(self.done.len() as u32),
                total: self.total,
            });
            if is_stack && is_final(&status) {
                self.final_status = Some(status);
            }
        }
        self.final_status.is_some()
    }

    /// The error for a failed operation, in Serverless's words and code form.
    pub fn error(&self, region: &str, stack_id: &str) -> Option<Error> {
        let status = self.final_status.as_deref()?;
        let succeeded = status == format!("{}_COMPLETE", self.action.word());
        if succeeded {
            return None;
        }
        let link = console_link(region, stack_id);
        let (code, message) = match &self.failure {
            Some(f) => (
                format!(
                    "AWS_CLOUD_FORMATION_{}_STACK_INTERNAL_{}_{}",
                    self.action.word(),
                    type_code(&f.resource_type),
                    f.status
                ),
                format!(
                    "An error occurred: {} - {}.\n\nView the full error: {link}\nStack status: {status}",
                    f.logical_id, f.reason
                ),
            ),
            None => (
                format!("AWS_CLOUD_FORMATION_{}_STACK_{status}", self.action.word()),
                format!("Stack {} ended in {status}.\n\nView the full error: {link}", self.stack_name),
            ),
        };
        Some(Error::Stack { code, message })
    }
}

/// `AWS::Lambda::Function` -> `LAMBDA_FUNCTION`.
fn type_code(resource_type: &str) -> String {
    resource_type
        .trim_start_matches("AWS::")
        .split("::")
        .map(errors::screaming_snake)
        .collect::<Vec<_>>()
        .join("_")
}

pub fn is_final(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE"
            | "UPDATE_COMPLETE"
            | "DELETE_COMPLETE"
            | "CREATE_FAILED"
            | "DELETE_FAILED"
            | "ROLLBACK_COMPLETE"
            | "ROLLBACK_FAILED"
            | "UPDATE_ROLLBACK_COMPLETE"
            | "UPDATE_ROLLBACK_FAILED"
            | "UPDATE_FAILED"
            | "IMPORT_COMPLETE"
            | "IMPORT_ROLLBACK_COMPLETE"
            | "IMPORT_ROLLBACK_FAILED"
    )
}

pub fn console_link(region: &str, stack_id: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/cloudformation/home?region={region}#/stack/detail?stackId={}",
        stack_id.replace(':', "%3A").replace('/', "%2F")
    )
}

/// Polls events until the operation ends; returns the tracker for the caller to judge.
pub async fn follow(
    cfn: &aws_sdk_cloudformation::Client,
    stack_id: &str,
    mut tracker: Tracker,
    reporter: &dyn Reporter,
) -> Result<Tracker> {
    let mut delays = poll_delays();
    loop {
        let mut events = Vec::new();
        let mut token = None;
        // Page back until the events already seen (or the operation's start) are reached.
        loop {
            let page = cfn
                .describe_stack_events()
                .stack_name(stack_id)
                .set_next_token(token)
                .send()
                .await
                .or_aws("CLOUD_FORMATION", "DESCRIBE_STACK_EVENTS", || {
                    format!("read the events of stack {stack_id}")
                })?;
            let reached_known = page.stack_events().iter().any(|e| {
                let id = e.event_id().unwrap_or_default();
                tracker.boundary.as_deref() == Some(id) || tracker.seen.contains(id)
            });
            events.extend(page.stack_events().iter().cloned());
            token = page.next_token().map(str::to_string);
            if reached_known || token.is_none() {
                break;
            }
        }
        if tracker.observe(&events, reporter) {
            return Ok(tracker);
        }
        tokio::time::sleep(delays.next().unwrap_or(Duration::from_secs(5))).await;
    }
}
