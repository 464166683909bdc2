//! `secretsift`: the command-line host of the secretsift engine.
//!
//! A thin adapter: argument parsing (clap), file walking (ignore + rayon), git history (the `git`
//! binary), report formats (text, JSON lines, SARIF) and the `redact` filter. All matching is
//! the engine's.

mod config;
mod git;
mod output;
mod redact;
mod rsyslog;
mod scan;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit code: nothing found.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: at least one secret (not publishable) was reported.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: an error (bad config, unreadable file, git failure); takes precedence over 1.
pub const EXIT_ERROR: u8 = 2;
/// Exit code of `redact` when its output pipe is closed (128 + SIGPIPE, as a shell reports it).
pub const EXIT_BROKEN_PIPE: u8 = 141;

#[derive(Parser, Debug)]
#[command(
    name = "secretsift",
    version,
    about = "Find secrets in files, stdin and git history; redact them from log streams"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files, directories (recursively, honouring .gitignore), stdin (`-`) or git history.
    Scan(ScanArgs),
    /// List the loaded rules: id, provider, secret/publishable, description.
    Rules(RulesArgs),
    /// Filter stdin to stdout with every secret replaced, line by line.
    Redact(RedactArgs),
}

/// Where rules come from; shared by every subcommand.
#[derive(Args, Debug, Clone, Default)]
pub struct RuleArgs {
    /// Project config file (default: the nearest `.secretsift.toml` above the scanned path or
    /// the current directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not read any `.secretsift.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Add rules from FILE: secretsift TOML or a gitleaks config (detected). Repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Leave out the embedded default rules.
    #[arg(long)]
    pub no_default_rules: bool,
    /// Disable the rule with this id. Repeatable.
    #[arg(long = "disable", value_name = "RULE_ID")]
    pub disable: Vec<String>,
    /// Keep only the rules with these ids. Repeatable.
    #[arg(long = "only", value_name = "RULE_ID")]
    pub only: Vec<String>,
    /// Minimum entropy (bits per byte) for generic rules' values (overrides the config).
    #[arg(long, value_name = "BITS")]
    pub entropy: Option<f64>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// `path:line:column: rule (provider) preview`
    #[default]
    Text,
    /// One JSON object per finding per line.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files and directories to scan; `-` reads stdin. Default: `.` (or the repository with --git/--staged).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Scan git history instead of files: every commit reachable from any ref (default REPO: `.`).
    #[arg(long, value_name = "REPO", num_args = 0..=1, default_missing_value = ".")]
    pub git: Option<PathBuf>,
    /// Scan what is staged in the git index (for a commit hook); the repository is --git's or `.`.
    #[arg(long)]
    pub staged: bool,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the fingerprints of this scan's findings in FILE; exit 0 unless an error occurred.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Include the raw secret in reports (field `secret`). Off by default: reports show a masked preview.
    #[arg(long)]
    pub show_secrets: bool,
    /// Scan binary files too (files with a NUL byte in their first 8 KiB are skipped by default).
    #[arg(long)]
    pub include_binary: bool,
    /// Do not honour .gitignore / .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links.
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Threads for scanning files (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format (text or json; one object per rule).
    #[arg(short, long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum RedactFormat {
    /// Any text; secrets replaced in place.
    #[default]
    Text,
    /// JSON lines: secrets replaced inside string values, the JSON stays valid. Lines that are
    /// not JSON are redacted as text.
    Json,
}

/// What rsyslog's mmexternal action sends: its `interface.input` setting.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RsyslogInput {
    /// The MSG property, one message per line. Only with rsyslog's default escaping of control
    /// characters: a raw newline inside a message would split it into two replies.
    Msg,
    /// The message as received, header included, one per line (same caveat as `msg`).
    Rawmsg,
    /// The whole message object as JSON (keeps multi-line messages whole); `msg` is redacted
    /// and rsyslog rebuilds `rawmsg` from it.
    Fulljson,
}

#[derive(Args, Debug)]
pub struct RedactArgs {
    /// Input format.
    #[arg(short, long, value_enum, default_value_t)]
    pub format: RedactFormat,
    /// Replacement: `{rule}`, `{provider}` and `{prefix}` (the rule's public prefix) are filled in.
    #[arg(long, default_value = "[REDACTED:{rule}]")]
    pub template: String,
    /// Do not print the per-rule counts to stderr at exit.
    #[arg(short, long)]
    pub quiet: bool,
    /// Run as an rsyslog mmexternal program: one message per line in, one JSON reply per
    /// message out. INPUT must be the action's `interface.input` (default `msg`).
    #[arg(long, value_enum, value_name = "INPUT", num_args = 0..=1,
          default_missing_value = "msg", conflicts_with = "format")]
    pub rsyslog: Option<RsyslogInput>,
    /// With --rsyslog: pass messages longer than BYTES through unscanned, prefixed with
    /// `[secretsift: redaction failed] `, and count them as failed.
    #[arg(long, value_name = "BYTES", requires = "rsyslog")]
    pub max_message: Option<usize>,
    /// With --rsyslog: append the counts (messages, secrets per rule, failed) to FILE at exit.
    /// rsyslog reads the program's stderr as replies, so they cannot go there.
    #[arg(long, value_name = "FILE", requires = "rsyslog")]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Prints an error the way every part of the tool does: `secretsift: error: <what>: <why>`.
pub fn report_error(msg: impl std::fmt::Display) {
    eprintln!("secretsift: error: {msg}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => rules(args),
        Command::Redact(args) => redact::run(args),
    };
    ExitCode::from(code)
}

fn rules(args: RulesArgs) -> u8 {
    let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let loaded = match config::load(&args.rules, &base) {
        Ok(l) if l.errors.is_empty() => l,
        Ok(l) => {
            l.errors.iter().for_each(report_error);
            return EXIT_ERROR;
        }
        Err(e) => {
            report_error(e);
            return EXIT_ERROR;
        }
    };
    let mut out = String::new();
    let rules: Vec<_> = loaded.engine.rules().collect();
    let w = rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let pw = rules
        .iter()
        .map(|r| r.provider.len())
        .max()
        .unwrap_or(8)
        .max(8);
    if args.format == Format::Text {
        out.push_str(&format!(
            "{:w$}  {:pw$}  {:11}  DESCRIPTION\n",
            "ID", "PROVIDER", "KIND"
        ));
    }
    for r in &rules {
        let kind = match r.kind {
            secretsift::Kind::Publishable => "publishable",
            _ => "secret",
        };
        match args.format {
            Format::Json => {
                let v = serde_json::json!({
                    "id": r.id, "provider": r.provider, "kind": kind, "description": r.description,
                    "tags": r.tags, "generic": r.generic,
                });
                out.push_str(&v.to_string());
                out.push('\n');
            }
            _ => out.push_str(&format!(
                "{:w$}  {:pw$}  {:11}  {}\n",
                r.id, r.provider, kind, r.description
            )),
        }
    }
    if args.format == Format::Text && std::io::stdout().is_terminal() {
        out.push_str(&format!("{} rules\n", rules.len()));
    }
    match output::write_stdout(out.as_bytes()) {
        Ok(()) => EXIT_CLEAN,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_BROKEN_PIPE,
        Err(e) => {
            report_error(format!("stdout: {e}"));
            EXIT_ERROR
        }
    }
}
