//! What plugins see of a package in the making (`Build`) or made (`Plan`), and how their changes come
//! back. The JSON is osls's `serverless.service` at the same event: the configuration with the
//! defaults osls fills in (`provider.stage`, `functions.*.name`, `events`), `serviceObject`,
//! `provider.compiledCloudFormationTemplate` / `coreCloudFormationTemplate` once they exist, each
//! function's `package.artifact` once it is packaged (absolute, as osls sets it) and
//! `package.artifactDirectoryName`.
//!
//! Coming back, the values slsx added are taken out again when a plugin left them as they were, the
//! rest becomes the service's configuration (the typed model is rebuilt from it), the templates replace
//! the engine's, and an artifact path a plugin changed is followed.

mod artifacts;
mod returned;
mod view;

use serde_json::{json, Value};

use super::build::Build;
use super::plan::Plan;
use crate::config::Service;
use crate::error::{Error, Result};
use crate::lifecycle::HookState;
use crate::package::Packaged;
use artifacts::follow_artifacts;
use returned::{rebuild, returned};
use view::view;

/// One value slsx put into the view (a JSON pointer and the value).
type Injected = Vec<(String, Value)>;

/// What the view is made of at an event.
struct Parts<'a> {
    service: &'a Service,
    create: &'a Value,
    update: &'a Value,
    packaged: Option<&'a Packaged>,
    /// `package.artifactDirectoryName`, once the package names it.
    deployment_dir: Option<&'a str>,
}

/// The service alone (before any packaging), and what slsx added to it.
pub fn service_state(service: &Service) -> Value {
    let (mut view, injected) = view(&Parts {
        service,
        create: &Value::Null,
        update: &Value::Null,
        packaged: None,
        deployment_dir: None,
    });
    let injected: Vec<Value> = injected.into_iter().map(|(p, v)| json!([p, v])).collect();
    let mut service = view["service"].take();
    crate::variables::sources::restore_unresolved(&mut service);
    json!({ "service": service, "injected": injected })
}

/// The state of the commands without a template (`info`, `deploy function`): the service, and the
/// zips `deploy function` made once it has packaged.
pub struct ServiceState {
    pub service: Service,
    pub packaged: Option<Packaged>,
    /// A hook ran after packaging: the zips are hashed again.
    pub touched: bool,
}

impl ServiceState {
    pub fn new(service: Service) -> ServiceState {
        ServiceState {
            service,
            packaged: None,
            touched: false,
        }
    }

    fn parts(&self) -> (Value, Injected) {
        view(&Parts {
            service: &self.service,
            create: &Value::Null,
            update: &Value::Null,
            packaged: self.packaged.as_ref(),
            deployment_dir: None,
        })
    }
}

/// A package in the making, as plugins see it.
fn build_view(b: &Build) -> (Value, Injected) {
    view(&Parts {
        service: &b.service,
        create: &b.create,
        update: &b.update,
        packaged: b.packaged.as_ref(),
        deployment_dir: Some(&b.deployment_dir),
    })
}

/// A made package, as plugins see it.
fn plan_view(p: &Plan) -> (Value, Injected) {
    view(&Parts {
        service: &p.service,
        create: &p.templates.create,
        update: &p.templates.update,
        packaged: Some(&p.packaged),
        deployment_dir: Some(&p.deployment_dir),
    })
}

impl HookState for ServiceState {
    fn to_js(&self) -> Value {
        self.parts().0
    }

    fn apply_js(&mut self, state: Value) -> Result<()> {
        let (_, injected) = self.parts();
        let r = returned(state, &injected, &self.service)?;
        if r.config != self.service.raw {
            self.service = rebuild(&self.service, r.config)?;
        }
        if let Some(dir) = r.service_dir {
            self.service.service_dir = dir;
        }
        if let Some(p) = &mut self.packaged {
            follow_artifacts(p, &r.artifacts);
        }
        Ok(())
    }

    fn hooks_ran(&mut self) {
        self.touched |= self.packaged.is_some();
    }
}

impl HookState for Build {
    fn to_js(&self) -> Value {
        build_view(self).0
    }

    fn apply_js(&mut self, state: Value) -> Result<()> {
        let (_, injected) = build_view(self);
        let r = returned(state, &injected, &self.service)?;
        if let Some(t) = r.update.filter(|_| !self.update.is_null()) {
            self.update = t;
        }
        if let Some(t) = r.create.filter(|_| !self.create.is_null()) {
            self.create = t;
        }
        if r.config != self.service.raw {
            self.service = rebuild(&self.service, r.config)?;
        }
        if let Some(dir) = r.service_dir {
            // The package directory moves with the service directory, unless it was given.
            if self.out_dir == crate::package::output_dir(&self.service) {
                self.out_dir = dir.join(".serverless");
            }
            self.service.service_dir = dir;
        }
        if let Some(p) = &mut self.packaged {
            follow_artifacts(p, &r.artifacts);
        }
        Ok(())
    }

    /// serverless-python-requirements adds to slsx's zips without a word in the service.
    fn hooks_ran(&mut self) {
        self.artifacts_touched |= self.packaged.is_some();
    }
}

impl HookState for Plan {
    fn to_js(&self) -> Value {
        plan_view(self).0
    }

    fn apply_js(&mut self, state: Value) -> Result<()> {
        let (_, injected) = plan_view(self);
        let r = returned(state, &injected, &self.service)?;
        let mut changed = false;
        if let Some(t) = r.update.filter(|t| *t != self.templates.update) {
            self.templates.update = t;
            changed = true;
        }
        if let Some(t) = r.create.filter(|t| *t != self.templates.create) {
            self.templates.create = t;
            changed = true;
        }
        if r.config != self.service.raw {
            self.service = rebuild(&self.service, r.config)?;
        }
        if changed {
            let provider = self.state["service"]["provider"]
                .as_object_mut()
                .ok_or_else(|| Error::Internal {
                    message: "the saved state has no provider".into(),
                })?;
            provider.insert(
                "compiledCloudFormationTemplate".into(),
                self.templates.update.clone(),
            );
            provider.insert(
                "coreCloudFormationTemplate".into(),
                self.templates.create.clone(),
            );
            self.write()?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "hook_state_tests.rs"]
mod tests;
