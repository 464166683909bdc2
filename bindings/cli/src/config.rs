//! The project config (`.secretsift.toml`) and turning rule flags into an [`Engine`].
//!
//! ```toml
//! # .secretsift.toml (every key optional)
//! disable = ["generic-password"]     # rule ids to leave out
//! entropy = 3.8                      # generic rules' minimum entropy, bits per byte
//! rules_files = ["team-gitleaks.toml"]  # more rule files (ours or gitleaks), relative to this file
//! [allowlist]
//! paths = ["tests/fixtures/", "**/testdata/**"]  # gitignore syntax, relative to this file
//! [[rules]]                          # extra rules, in secretsift's rule format
//! id = "acme-token"
//! ...
//! ```
//!
//! Errors never stop a scan: a config or rule file that does not load is reported (path and
//! reason) and left out, the rest is used, and the exit code becomes 2.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use secretsift::{Engine, RuleSyntax};
use serde::Deserialize;

use crate::RuleArgs;

/// The name looked for in the scanned directory and its parents.
pub const CONFIG_NAME: &str = ".secretsift.toml";

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct ProjectConfig {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    rules_files: Vec<PathBuf>,
    #[serde(default)]
    allowlist: AllowSection,
    #[serde(default)]
    rules: Vec<RuleSyntax>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct AllowSection {
    #[serde(default)]
    paths: Vec<String>,
}

/// Paths never scanned: the config's `[allowlist] paths`, gitignore syntax, rooted at the
/// config file's directory.
#[derive(Clone, Debug)]
pub struct PathAllow {
    root: PathBuf,
    globs: Gitignore,
}

impl PathAllow {
    /// Whether `abs` (an absolute, canonical-rooted path) is allowlisted.
    pub fn is_allowed(&self, abs: &Path, is_dir: bool) -> bool {
        // Paths outside the config's directory are not covered (and `ignore` would panic).
        if abs.strip_prefix(&self.root).is_err() {
            return false;
        }
        self.globs
            .matched_path_or_any_parents(abs, is_dir)
            .is_ignore()
    }
}

/// What [`load`] produced.
pub struct Loaded {
    pub engine: Engine,
    pub allow: Option<Arc<PathAllow>>,
    /// Problems with config or rule files, each naming the file and the reason.
    pub errors: Vec<String>,
}

/// Finds the nearest `.secretsift.toml` in `start` or its parents.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(CONFIG_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Reads a rule file in either format, with the error naming the file.
fn read_rule_file(path: &Path) -> Result<Vec<RuleSyntax>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rules = secretsift::gitleaks::parse_any(&text, &path.display().to_string())
        .map_err(|e| e.to_string())?;
    // Compile the file's rules on their own, so a bad rule is blamed on its file and the
    // other sources still load.
    Engine::builder()
        .default_rules(false)
        .add_rules(rules.clone())
        .build()
        .map_err(|e| with_origin(e, path))?;
    Ok(rules)
}

fn with_origin(e: secretsift::BuildError, path: &Path) -> String {
    match e.origin() {
        Some(_) => e.to_string(),
        None => format!("{}: {e}", path.display()),
    }
}

/// Loads the config (explicit, or discovered from `base`), rule files and flags, then builds the
/// engine. Returns `Err` only when not even the default rules compile.
pub fn load(args: &RuleArgs, base: &Path) -> Result<Loaded, String> {
    let mut errors = Vec::new();
    let config_path = if args.no_config {
        None
    } else {
        args.config.clone().or_else(|| discover(base))
    };
    let mut config = ProjectConfig::default();
    let mut config_dir: Option<PathBuf> = None;
    if let Some(path) = &config_path {
        match std::fs::read_to_string(path) {
            Err(e) => errors.push(format!("{}: {e}", path.display())),
            Ok(text) => match toml::from_str::<ProjectConfig>(&text) {
                Err(e) => errors.push(format!(
                    "{}: {}",
                    path.display(),
                    e.to_string().trim_end().replace('\n', " | ")
                )),
                Ok(c) => {
                    config = c;
                    config_dir = path
                        .canonicalize()
                        .ok()
                        .and_then(|p| p.parent().map(Path::to_path_buf));
                }
            },
        }
    }

    let mut builder = Engine::builder();
    builder.default_rules(!args.no_default_rules);
    if !config.rules.is_empty() {
        let path = config_path.as_deref().unwrap_or(Path::new(CONFIG_NAME));
        match Engine::builder()
            .default_rules(false)
            .add_rules(config.rules.clone())
            .build()
        {
            Ok(_) => {
                builder.add_rules(config.rules.clone());
            }
            Err(e) => errors.push(with_origin(e, path)),
        }
    }
    let dir = config_dir.clone().unwrap_or_default();
    let files = config
        .rules_files
        .iter()
        .map(|f| dir.join(f))
        .chain(args.rules.iter().cloned());
    for file in files {
        match read_rule_file(&file) {
            Ok(rules) => {
                builder.add_rules(rules);
            }
            Err(e) => errors.push(e),
        }
    }
    builder.disable(config.disable.iter().chain(args.disable.iter()));
    if !args.only.is_empty() {
        builder.only(&args.only);
    }
    if let Some(bits) = args.entropy.or(config.entropy) {
        builder.generic_entropy(bits);
    }
    // A process scans one input set and exits: compiling only the rules its input selects
    // (on their keywords' first occurrence) starts it in ~1 ms instead of ~70, and keeps the
    // regex scratch of the hundreds of rules that never fire out of memory (peak RSS ~12 MiB
    // instead of ~75 on a 1 GiB log file). Findings are the same; what lazy gives up, that a
    // stream's first hits allocate, matters to an embedding host, not to a process.
    builder.lazy(true);
    let engine = match builder.build() {
        Ok(e) => e,
        Err(e) => {
            // Each source compiled on its own, so this is a clash between them (a duplicate id)
            // or an entropy value out of range: report it and fall back to the defaults.
            errors.push(format!("rules: {e}"));
            let mut b = Engine::builder();
            b.default_rules(!args.no_default_rules)
                .disable(config.disable.iter().chain(args.disable.iter()));
            b.build().map_err(|e| format!("default rules: {e}"))?
        }
    };

    let mut allow = None;
    if let (Some(dir), false) = (&config_dir, config.allowlist.paths.is_empty()) {
        let mut gb = GitignoreBuilder::new(dir);
        let origin = config_path.as_deref().unwrap_or(Path::new(CONFIG_NAME));
        for p in &config.allowlist.paths {
            if let Err(e) = gb.add_line(Some(origin.to_path_buf()), p) {
                errors.push(format!("{}: allowlist.paths: `{p}`: {e}", origin.display()));
            }
        }
        match gb.build() {
            Ok(globs) => {
                allow = Some(Arc::new(PathAllow {
                    root: dir.clone(),
                    globs,
                }))
            }
            Err(e) => errors.push(format!("{}: allowlist.paths: {e}", origin.display())),
        }
    }
    Ok(Loaded {
        engine,
        allow,
        errors,
    })
}
