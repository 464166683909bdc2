//! `secretsift scan`: files, directories and stdin, streamed through the engine in parallel.

use std::collections::HashSet;
use std::convert::Infallible;
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use ignore::WalkBuilder;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use memchr::memmem;
use rayon::prelude::*;
use secretsift::{Engine, Finding, Scanner, Sink};

use crate::config::{self, PathAllow};
use crate::output::{self, display_path, Hit};
use crate::{
    report_error, ColorChoice, ScanArgs, EXIT_BROKEN_PIPE, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS,
};

/// Bytes read and fed per call. The scanner's own buffer is fixed too, so memory per file
/// does not depend on the file's size.
pub const CHUNK: usize = 64 * 1024;
/// A NUL byte in this many leading bytes marks a file as binary (as git and ripgrep do).
const BINARY_SNIFF: usize = 8 * 1024;
/// Inline markers that silence findings on their line.
pub const ALLOW_MARKERS: [&str; 2] = ["secretsift:allow", "gitleaks:allow"];

/// What every scan path shares.
pub struct Ctx {
    pub engine: Engine,
    pub allow: Option<Arc<PathAllow>>,
    pub show_secrets: bool,
    pub include_binary: bool,
    /// Errors so far; each has been printed when it happened.
    pub errors: AtomicUsize,
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub binary_skipped: AtomicU64,
}

impl Ctx {
    pub fn error(&self, msg: impl std::fmt::Display) {
        report_error(msg);
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
}

/// Collects hits for one stream.
pub struct HitSink<'a, F: Fn(u64) -> u64> {
    pub path: &'a str,
    pub show: bool,
    pub line_map: F,
    pub commit: Option<Arc<output::CommitInfo>>,
    pub hits: Vec<Hit>,
    /// Per hit: the stream offset where its line starts (for [`AllowLines`]).
    pub line_starts: Vec<u64>,
}

impl<F: Fn(u64) -> u64> Sink for HitSink<'_, F> {
    type Error = Infallible;
    fn finding(&mut self, f: &Finding<'_>) -> Result<(), Infallible> {
        self.hits.push(Hit::new(
            f,
            self.path,
            self.show,
            &self.line_map,
            self.commit.clone(),
        ));
        // Columns count bytes from 1.
        self.line_starts
            .push(f.span().start.saturating_sub(f.column().saturating_sub(1)));
        Ok(())
    }
}

/// The part all [`ALLOW_MARKERS`] end with: one search finds every marker.
const MARKER_TAIL: &str = ":allow";

/// Finds the lines that carry an allow marker, across chunk boundaries, without keeping
/// more than a few bytes of the stream. Lines are told by the offset they start at, so only
/// the newline before each marker is looked for: counting every newline of every chunk (to
/// number the lines) and one search per marker took 6% of a scan of 128 MiB of logs.
struct AllowLines {
    tail_finder: memmem::Finder<'static>,
    /// Stream offset of the next chunk's first byte.
    pos: u64,
    /// Stream offset where the line holding the next chunk's first byte starts.
    line_start: u64,
    /// The last bytes of the previous chunk (shorter than the longest marker).
    tail: Vec<u8>,
    /// Where the lines with a marker start.
    marked: HashSet<u64>,
}

impl AllowLines {
    fn new() -> AllowLines {
        AllowLines {
            tail_finder: memmem::Finder::new(MARKER_TAIL.as_bytes()),
            pos: 0,
            line_start: 0,
            tail: Vec::new(),
            marked: HashSet::new(),
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        let keep = ALLOW_MARKERS.iter().map(|m| m.len()).max().unwrap_or(1) - 1;
        // A marker straddling the boundary has no newline in it, so it sits on the line the
        // chunk starts on.
        if !self.tail.is_empty() {
            let mut joint = self.tail.clone();
            joint.extend_from_slice(&chunk[..chunk.len().min(keep)]);
            let tail_len = self.tail.len();
            let straddles = ALLOW_MARKERS.iter().any(|m| {
                memmem::find_iter(&joint, m.as_bytes())
                    .any(|at| at < tail_len && at + m.len() > tail_len)
            });
            if straddles {
                self.marked.insert(self.line_start);
            }
        }
        for at in self.tail_finder.find_iter(chunk) {
            let end = at + MARKER_TAIL.len();
            // Markers that begin in this chunk (the rest straddle, above).
            let starts = ALLOW_MARKERS.iter().filter_map(|m| {
                let start = end.checked_sub(m.len())?;
                (&chunk[start..end] == m.as_bytes()).then_some(start)
            });
            for start in starts {
                let line_start = match memchr::memrchr(b'\n', &chunk[..start]) {
                    Some(nl) => self.pos + nl as u64 + 1,
                    None => self.line_start,
                };
                self.marked.insert(line_start);
            }
        }
        if let Some(nl) = memchr::memrchr(b'\n', chunk) {
            self.line_start = self.pos + nl as u64 + 1;
        }
        self.pos += chunk.len() as u64;
        let mut tail = std::mem::take(&mut self.tail);
        tail.extend_from_slice(&chunk[chunk.len().saturating_sub(keep)..]);
        if tail.len() > keep {
            tail.drain(..tail.len() - keep);
        }
        self.tail = tail;
    }

    /// Whether the line starting at `line_start` carries a marker.
    fn is_marked(&self, line_start: u64) -> bool {
        self.marked.contains(&line_start)
    }
}

/// Whether a line of text carries an allow marker.
pub fn has_allow_marker(line: &[u8]) -> bool {
    ALLOW_MARKERS
        .iter()
        .any(|m| memmem::find(line, m.as_bytes()).is_some())
}

pub enum Outcome {
    Scanned(Vec<Hit>),
    Binary,
}

/// Reads until `buf` is full or the input ends.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Streams one input through `scanner`, chunk by chunk.
pub fn scan_stream(
    r: &mut impl Read,
    scanner: &mut Scanner,
    buf: &mut [u8],
    ctx: &Ctx,
    path: &str,
    sniff: bool,
) -> io::Result<Outcome> {
    scanner.reset();
    let mut sink = HitSink {
        path,
        show: ctx.show_secrets,
        line_map: |l| l,
        commit: None,
        hits: Vec::new(),
        line_starts: Vec::new(),
    };
    let mut allow = AllowLines::new();
    let mut first = true;
    loop {
        // stdin is read as it comes (a pipe may deliver little at a time); files fill the chunk.
        let n = if sniff {
            read_full(r, buf)?
        } else {
            read_some(r, buf)?
        };
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if first
            && sniff
            && !ctx.include_binary
            && memchr::memchr(0, &chunk[..n.min(BINARY_SNIFF)]).is_some()
        {
            scanner.reset();
            return Ok(Outcome::Binary);
        }
        first = false;
        ctx.bytes.fetch_add(n as u64, Ordering::Relaxed);
        allow.feed(chunk);
        let Ok(()) = scanner.feed(chunk, &mut sink);
    }
    let Ok(()) = scanner.finish(&mut sink);
    let hits = sink
        .hits
        .into_iter()
        .zip(sink.line_starts)
        .filter(|(_, line_start)| !allow.is_marked(*line_start))
        .map(|(hit, _)| hit)
        .collect();
    Ok(Outcome::Scanned(hits))
}

fn read_some(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// One file to scan: where to open it and how to show it.
struct Job {
    open: PathBuf,
    shown: String,
}

/// Walks the path arguments (honouring ignore files and the allowlist) into files to scan.
fn collect(args: &ScanArgs, ctx: &Ctx, paths: &[PathBuf]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for root in paths {
        if let Err(e) = std::fs::metadata(root) {
            ctx.error(format!("{}: {e}", root.display()));
            continue;
        }
        let root_abs = root.canonicalize().unwrap_or_else(|_| root.clone());
        let allow = ctx.allow.clone();
        let root_given = root.clone();
        let root_abs2 = root_abs.clone();
        let mut wb = WalkBuilder::new(root);
        let honour = !args.no_ignore;
        wb.hidden(false)
            .git_ignore(honour)
            .git_exclude(honour)
            .git_global(honour)
            .ignore(honour)
            .parents(honour)
            .require_git(false)
            .follow_links(args.follow)
            .filter_entry(move |e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if is_dir && e.depth() > 0 && e.file_name() == ".git" {
                    return false;
                }
                match &allow {
                    Some(a) => {
                        let rel = e.path().strip_prefix(&root_given).unwrap_or(e.path());
                        !a.is_allowed(&root_abs2.join(rel), is_dir)
                    }
                    None => true,
                }
            });
        for entry in wb.build() {
            match entry {
                Err(e) => ctx.error(e),
                Ok(e) => {
                    let is_file = e.file_type().is_some_and(|t| t.is_file());
                    if is_file {
                        jobs.push(Job {
                            shown: display_path(e.path()),
                            open: e.into_path(),
                        });
                    }
                }
            }
        }
    }
    jobs
}

fn progress(n: u64, quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{spinner} scanning {pos}/{len} files [{elapsed}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

pub fn run(args: ScanArgs) -> u8 {
    let history = args.git.is_some() || args.staged;
    if history && !args.paths.is_empty() {
        report_error("PATH arguments cannot be combined with --git or --staged (give the repository to --git)");
        return EXIT_ERROR;
    }
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let base = match (&args.git, paths.iter().find(|p| p.as_os_str() != "-")) {
        (Some(repo), _) => repo.clone(),
        (None, Some(p)) if !history => p.clone(),
        _ => PathBuf::from("."),
    };
    let loaded = match config::load(&args.rules, &base) {
        Ok(l) => l,
        Err(e) => {
            report_error(e);
            return EXIT_ERROR;
        }
    };
    let ctx = Ctx {
        engine: loaded.engine,
        allow: loaded.allow,
        show_secrets: args.show_secrets,
        include_binary: args.include_binary,
        errors: AtomicUsize::new(0),
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        binary_skipped: AtomicU64::new(0),
    };
    loaded.errors.iter().for_each(|e| ctx.error(e));
    let baseline = match &args.baseline {
        None => None,
        Some(p) => match output::read_baseline(p) {
            Ok(b) => Some(b),
            Err(e) => {
                ctx.error(e);
                None
            }
        },
    };

    let mut hits: Vec<Hit> = Vec::new();
    if history {
        let repo = args.git.clone().unwrap_or_else(|| PathBuf::from("."));
        if let Err(e) = crate::git::scan(
            &repo,
            args.staged,
            &ctx,
            args.threads.unwrap_or_else(rayon::current_num_threads),
            &mut hits,
        ) {
            ctx.error(e);
        }
    } else {
        let stdin = paths.iter().any(|p| p.as_os_str() == "-");
        let files: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .cloned()
            .collect();
        if stdin {
            let mut scanner = ctx.engine.scanner();
            let mut buf = vec![0u8; CHUNK];
            match scan_stream(
                &mut io::stdin().lock(),
                &mut scanner,
                &mut buf,
                &ctx,
                "<stdin>",
                false,
            ) {
                Ok(Outcome::Scanned(h)) => hits.extend(h),
                Ok(Outcome::Binary) => {}
                Err(e) => ctx.error(format!("<stdin>: {e}")),
            }
            ctx.files.fetch_add(1, Ordering::Relaxed);
        }
        let jobs = collect(&args, &ctx, &files);
        let pb = progress(jobs.len() as u64, args.quiet);
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            pool = pool.num_threads(n.max(1));
        }
        let pool = match pool.build() {
            Ok(p) => p,
            Err(e) => {
                report_error(format!("thread pool: {e}"));
                return EXIT_ERROR;
            }
        };
        let found: Vec<Vec<Hit>> = pool.install(|| {
            jobs.par_iter()
                .map_init(
                    || (ctx.engine.scanner(), vec![0u8; CHUNK]),
                    |(scanner, buf), job| {
                        let r = File::open(&job.open).and_then(|mut f| {
                            scan_stream(&mut f, scanner, buf, &ctx, &job.shown, true)
                        });
                        pb.inc(1);
                        match r {
                            Ok(Outcome::Scanned(h)) => {
                                ctx.files.fetch_add(1, Ordering::Relaxed);
                                h
                            }
                            Ok(Outcome::Binary) => {
                                ctx.binary_skipped.fetch_add(1, Ordering::Relaxed);
                                Vec::new()
                            }
                            Err(e) => {
                                ctx.error(format!("{}: {e}", job.shown));
                                Vec::new()
                            }
                        }
                    },
                )
                .collect()
        });
        pb.finish_and_clear();
        hits.extend(found.into_iter().flatten());
    }

    let commit_key = |h: &Hit| {
        h.commit
            .as_ref()
            .map(|c| (c.author_date.clone(), c.id.clone()))
    };
    hits.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.rule_index, commit_key(a)).cmp(&(
            &b.path,
            b.line,
            b.column,
            b.rule_index,
            commit_key(b),
        ))
    });
    let before_baseline = hits.len();
    if let Some(b) = &baseline {
        hits.retain(|h| !b.contains(&h.fingerprint));
    }
    if let Some(p) = &args.write_baseline {
        if let Err(e) = output::write_baseline(p, &ctx.engine, &hits) {
            ctx.error(e);
        }
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let report = output::render(args.format, &ctx.engine, &hits, color);
    let written = match &args.output {
        Some(p) => std::fs::write(p, &report).map_err(|e| format!("{}: {e}", p.display())),
        None => match output::write_stdout(&report) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return EXIT_BROKEN_PIPE,
            Err(e) => Err(format!("stdout: {e}")),
        },
    };
    if let Err(e) = written {
        ctx.error(e);
    }

    let errors = ctx.errors.load(Ordering::Relaxed);
    let secrets = hits
        .iter()
        .filter(|h| {
            ctx.engine
                .rule(h.rule_index)
                .is_some_and(|r| r.kind != secretsift::Kind::Publishable)
        })
        .count();
    if !args.quiet {
        let mut summary = format!(
            "secretsift: {} finding(s) ({} secret, {} publishable)",
            hits.len(),
            secrets,
            hits.len() - secrets,
        );
        if history {
            let what = if args.staged {
                "staged changes"
            } else {
                "git history"
            };
            summary.push_str(&format!(
                " in {what} ({} file diff(s))",
                ctx.files.load(Ordering::Relaxed)
            ));
        } else {
            summary.push_str(&format!(
                " in {} file(s), {} bytes",
                ctx.files.load(Ordering::Relaxed),
                ctx.bytes.load(Ordering::Relaxed)
            ));
        }
        let skipped = ctx.binary_skipped.load(Ordering::Relaxed);
        if skipped > 0 {
            summary.push_str(&format!(
                "; {skipped} binary file(s) skipped (--include-binary scans them)"
            ));
        }
        if before_baseline > hits.len() {
            summary.push_str(&format!(
                "; {} in the baseline",
                before_baseline - hits.len()
            ));
        }
        if errors > 0 {
            summary.push_str(&format!("; {errors} error(s)"));
        }
        if let Some(p) = &args.write_baseline {
            summary.push_str(&format!("; baseline written to {}", Path::new(p).display()));
        }
        eprintln!("{summary}");
    }
    let code = if errors > 0 {
        EXIT_ERROR
    } else if secrets > 0 && args.write_baseline.is_none() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    // The process ends here: freeing the compiled rules one allocation at a time took 5% of
    // a scan of 4 MiB of npm bundles, for memory the exit returns anyway.
    std::mem::forget(ctx);
    code
}
