//! # secretsift
//!
//! A streaming secret-scanning engine: provider rules and entropy checks, compiled once,
//! run over byte streams of any size in chunks of any size.
//!
//! Three types do the work:
//! - [`Engine`]: the compiled rules. Immutable, `Send + Sync`, cheap to clone. Build once with
//!   [`Engine::builder`] (the default ruleset is embedded) and share it.
//! - [`Scanner`]: the state of one stream. Feed it `&[u8]` chunks; it reports each
//!   [`Finding`] once, to a [`Sink`], with absolute offsets, line and column and a masked
//!   preview. Create one per stream or per thread and reuse it.
//! - [`Redactor`]: a scanner that writes its input through with secrets replaced.
//!
//! ```
//! use secretsift::{Engine, sink::Collect};
//!
//! let engine = Engine::with_default_rules()?;
//! // Assemble a fake key at run time so this file does not itself look like a leak.
//! let line = format!("deploy ok aws_key={}{}\n", "AKIA", "Q3EGRT4WZYPLN5DX");
//! let mut scanner = engine.scanner();
//! let mut sink = Collect::default();
//! for chunk in line.as_bytes().chunks(5) {
//!     scanner.feed(chunk, &mut sink)?;
//! }
//! scanner.finish(&mut sink)?;
//! let f = &sink.findings[0];
//! assert_eq!(f.rule_id, "aws-access-key-id");
//! assert_eq!((f.line, f.column), (1, 19));
//! assert_eq!(f.preview, "AKIA************");          // masked
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # API themes
//! - **Offsets** are absolute byte offsets from the start of the stream, as `u64`.
//! - **Chunking never changes results**: any split of the input gives the findings (and the
//!   redacted output) of one call over the whole input.
//! - **No allocation while feeding**: all scratch is sized when a scanner is created (in an
//!   eager engine, the default; a [lazy](EngineBuilder::lazy) one trades this for start-up).
//! - **Nothing leaks**: `Debug` and `Display` of findings show the masked preview only; raw
//!   bytes come from `expose_secret()`.
//! - **Errors name their place**: a [`BuildError`] carries the file, line, rule id and field.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod base64_runs;
mod builtin;
mod compile;
mod decode;
mod engine;
pub mod entropy;
mod error;
mod finding;
mod gate;
pub mod gitleaks;
pub mod placeholder;
mod prefilter;
mod redact;
mod regex_facts;
mod required;
pub mod rule;
mod scanner;
mod shared_gate;
pub mod sink;
pub mod validate;

pub use builtin::{default_rule_files, default_rules};
pub use compile::RuleInfo;
pub use engine::{Engine, EngineBuilder, DEFAULT_MAX_MATCH_LEN, NEAR};
pub use error::{BuildError, BuildErrorKind};
pub use finding::{Finding, FindingBuf, Preview, SecretBytes};
pub use redact::{RedactOptions, Redactor};
pub use rule::{Kind, RuleSyntax};
pub use scanner::{RuleStats, Scanner};
pub use sink::Sink;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
