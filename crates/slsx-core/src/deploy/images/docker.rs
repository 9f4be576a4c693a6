//! The docker-compatible CLI (`docker`, or what `SLSX_DOCKER` names): running it, its failures as
//! errors, and what its output and the configuration say about an image.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use super::source::Build;
use crate::config::Service;
use crate::error::{Error, Result};

pub(super) fn image_error(code: &'static str, message: String) -> Error {
    Error::Package { code, message }
}

/// The docker-compatible CLI.
pub(super) struct Docker {
    pub program: String,
}

/// What a CLI run printed (stdout and stderr together) and whether it succeeded.
pub(super) struct Run {
    pub ok: bool,
    pub output: String,
}

impl Docker {
    pub fn from_env() -> Docker {
        Docker {
            program: std::env::var("SLSX_DOCKER")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "docker".into()),
        }
    }

    pub async fn run(
        &self,
        args: &[String],
        stdin: Option<&str>,
        cwd: &Path,
    ) -> std::io::Result<Run> {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(args)
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn()?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input.as_bytes()).await?;
            drop(pipe);
        }
        let out = child.wait_with_output().await?;
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok(Run {
            ok: out.status.success(),
            output,
        })
    }

    pub async fn ensure_available(&self) -> Result<()> {
        match self.run(&["--version".to_string()], None, Path::new(".")).await {
            Ok(r) if r.ok => Ok(()),
            _ => Err(image_error(
                "DOCKER_COMMAND_NOT_AVAILABLE",
                format!("Could not find Docker installation (\"{}\"). Ensure Docker is installed before continuing, or name a compatible CLI in SLSX_DOCKER.", self.program),
            )),
        }
    }

    /// Runs a step; a failure is `code` with the command line and its output.
    pub async fn step(&self, args: Vec<String>, cwd: &Path, code: &'static str) -> Result<String> {
        match self.run(&args, None, cwd).await {
            Ok(r) if r.ok => Ok(r.output),
            Ok(r) => Err(self.failure(code, &args, Ok(&r.output))),
            Err(e) => Err(self.failure(code, &args, Err(&e))),
        }
    }

    /// The error `code` for a run of `args` that failed: with what it printed (`Ok`, anything secret
    /// already masked), or why it could not run (`Err`).
    pub fn failure(
        &self,
        code: &'static str,
        args: &[String],
        outcome: std::result::Result<&str, &std::io::Error>,
    ) -> Error {
        let line = format!("{} {}", self.program, args.join(" "));
        let message = match outcome {
            Ok(output) => format!(
                "Encountered error during executing: {line}\nOutput of the command:\n{}",
                output.trim_end()
            ),
            Err(e) => format!("Encountered error during executing: {line}: {e}"),
        };
        image_error(code, message)
    }
}

/// `<service>/<path>/<file>` with `.` and `..` resolved (as Node's `path.resolve`), not touching the disk.
pub(super) fn dockerfile_path(service: &Service, b: &Build) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in service.service_dir.join(&b.path).join(&b.file).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The first `sha256:<64 hex>` in a push's output.
pub(super) fn find_digest(output: &str) -> Option<String> {
    let mut rest = output;
    while let Some(i) = rest.find("sha256:") {
        let candidate = &rest[i + 7..];
        let hex: String = candidate
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .collect();
        if hex.len() >= 64 {
            return Some(hex[..64].to_string());
        }
        rest = &rest[i + 7..];
    }
    None
}
