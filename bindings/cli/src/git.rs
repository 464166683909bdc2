//! `--git` (history) and `--staged` (index) scans.
//!
//! We shell out to the `git` binary rather than linking gix: `git log --all -p` already walks
//! every commit reachable from every ref and computes each commit's diff, it is present
//! wherever a repository is, and it honours the repository's own config (replace refs,
//! grafts, partial clones) with no extra code or build time. Only *added* lines (`+` in a
//! zero-context diff) are scanned, so a secret is reported in the commit that introduced it,
//! with that commit's id and author date, even if a later commit deleted it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use secretsift::Scanner;

use crate::output::{CommitInfo, Hit};
use crate::scan::{has_allow_marker, Ctx, HitSink};

/// Marks a commit header line in our `git log --format`.
const COMMIT_MARK: &[u8] = b"\x1ecommit ";

/// The added lines of one file in one commit (or in the index), as one stream.
struct FileDiff {
    path: String,
    /// Added lines, each ending in `\n`.
    text: Vec<u8>,
    /// For each line of `text`, its line number in the new file.
    lines: Vec<u64>,
    /// Lines of `text` (1-based) that carry an allow marker.
    allowed: Vec<u64>,
}

fn git(repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(repo).args(["-c", "core.quotePath=false"]);
    c
}

/// The repository's top-level directory, or an error naming `repo`.
fn toplevel(repo: &Path) -> Result<PathBuf, String> {
    let out = git(repo)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("{}: cannot run git: {e}", repo.display()))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr)
            .trim()
            .replace('\n', " ");
        return Err(format!("{}: not a git repository ({why})", repo.display()));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', '\r']),
    ))
}

/// Undoes git's C-style quoting of unusual paths (`"a\tb"`).
fn unquote(p: &[u8]) -> String {
    let s = String::from_utf8_lossy(p).into_owned();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        let inner = &s[1..s.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('t') => out.push('\t'),
                    Some('n') => out.push('\n'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    s
}

/// Scans history (`staged == false`: every commit from every ref) or the index.
pub fn scan(
    repo: &Path,
    staged: bool,
    ctx: &Ctx,
    threads: usize,
    hits: &mut Vec<Hit>,
) -> Result<(), String> {
    let top = toplevel(repo)?;
    let top_abs = top.canonicalize().unwrap_or(top.clone());
    let mut cmd = git(repo);
    if staged {
        cmd.args(["diff", "--cached"]);
    } else {
        cmd.args(["log", "--all", "--format=%x1ecommit %H %aI"]);
    }
    cmd.args([
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: cannot run git: {e}", repo.display()))?;
    let mut stderr = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let reader = BufReader::with_capacity(256 * 1024, child.stdout.take().expect("piped"));
    // The parser (this thread) hands each file diff to `threads` scanning workers; the bounded
    // queue keeps memory at a few diffs.
    let found = std::sync::Mutex::new(Vec::new());
    let (tx, rx) =
        std::sync::mpsc::sync_channel::<(FileDiff, Option<Arc<CommitInfo>>)>(2 * threads.max(1));
    let rx = std::sync::Mutex::new(rx);
    let parsed = std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let (rx, found, top_abs) = (&rx, &found, &top_abs);
            scope.spawn(move || {
                let mut scanner = ctx.engine.scanner();
                loop {
                    let job = rx.lock().expect("queue lock").recv();
                    let Ok((diff, commit)) = job else { break };
                    let h = scan_diff(diff, &mut scanner, ctx, top_abs, commit);
                    if !h.is_empty() {
                        found.lock().expect("hits lock").extend(h);
                    }
                }
            });
        }
        // Dropping the sender when parsing ends is what stops the workers.
        let tx = tx;
        parse(reader, &tx)
    });
    hits.extend(found.into_inner().expect("hits lock"));
    let files = parsed.map_err(|e| format!("{}: reading git output: {e}", repo.display()))?;
    let status = child
        .wait()
        .map_err(|e| format!("{}: git: {e}", repo.display()))?;
    let err = err_reader.join().unwrap_or_default();
    ctx.files.fetch_add(files, Ordering::Relaxed);
    if !status.success() {
        let why = err.trim().replace('\n', " ");
        return Err(format!(
            "{}: git {} failed ({why})",
            repo.display(),
            if staged { "diff --cached" } else { "log" }
        ));
    }
    Ok(())
}

/// Parses `git log -p` / `git diff` output, sending each file's added lines to `tx`. Returns
/// the number of file diffs sent.
fn parse(
    mut reader: impl BufRead,
    tx: &SyncSender<(FileDiff, Option<Arc<CommitInfo>>)>,
) -> std::io::Result<u64> {
    let mut commit: Option<Arc<CommitInfo>> = None;
    let mut file: Option<FileDiff> = None;
    let mut in_hunk = false;
    let mut next_line = 0u64;
    let mut line = Vec::new();
    let mut files = 0u64;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        if in_hunk {
            match line.first() {
                Some(b'+') => {
                    if let Some(f) = &mut file {
                        f.text.extend_from_slice(&line[1..]);
                        if !f.text.ends_with(b"\n") {
                            f.text.push(b'\n');
                        }
                        f.lines.push(next_line);
                        if has_allow_marker(&line) {
                            f.allowed.push(f.lines.len() as u64);
                        }
                    }
                    next_line += 1;
                    continue;
                }
                Some(b'-') | Some(b'\\') | Some(b' ') => continue,
                Some(b'@') => {}
                _ => in_hunk = false,
            }
        }
        if line.starts_with(COMMIT_MARK) {
            send(&mut file, tx, &mut files, &commit);
            let rest = String::from_utf8_lossy(&line[COMMIT_MARK.len()..])
                .trim()
                .to_string();
            let (id, date) = rest.split_once(' ').unwrap_or((rest.as_str(), ""));
            commit = Some(Arc::new(CommitInfo {
                id: id.to_string(),
                author_date: date.to_string(),
            }));
        } else if line.starts_with(b"diff --git ") {
            send(&mut file, tx, &mut files, &commit);
            in_hunk = false;
        } else if let Some(p) = line.strip_prefix(b"+++ ") {
            let p = p.strip_suffix(b"\n").unwrap_or(p);
            let p = p.strip_suffix(b"\r").unwrap_or(p);
            file = if p == b"/dev/null" {
                None
            } else {
                let p = unquote(p);
                let p = p.strip_prefix("b/").unwrap_or(&p).to_string();
                Some(FileDiff {
                    path: p,
                    text: Vec::new(),
                    lines: Vec::new(),
                    allowed: Vec::new(),
                })
            };
        } else if line.starts_with(b"@@ ") {
            // @@ -a[,b] +c[,d] @@
            let s = String::from_utf8_lossy(&line);
            next_line = s
                .split(' ')
                .find_map(|t| t.strip_prefix('+'))
                .and_then(|t| t.split(',').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or(1);
            in_hunk = true;
        }
    }
    send(&mut file, tx, &mut files, &commit);
    Ok(files)
}

fn send(
    file: &mut Option<FileDiff>,
    tx: &SyncSender<(FileDiff, Option<Arc<CommitInfo>>)>,
    files: &mut u64,
    commit: &Option<Arc<CommitInfo>>,
) {
    if let Some(f) = file.take().filter(|f| !f.text.is_empty()) {
        *files += 1;
        // Workers only stop when the queue closes, so sending cannot fail.
        let _ = tx.send((f, commit.clone()));
    }
}

/// Scans one file diff; returns its hits (allowlisted paths, binary content and allow
/// comments already applied).
fn scan_diff(
    f: FileDiff,
    scanner: &mut Scanner,
    ctx: &Ctx,
    top: &Path,
    commit: Option<Arc<CommitInfo>>,
) -> Vec<Hit> {
    if ctx
        .allow
        .as_ref()
        .is_some_and(|a| a.is_allowed(&top.join(&f.path), false))
    {
        return Vec::new();
    }
    if !ctx.include_binary && memchr::memchr(0, &f.text).is_some() {
        ctx.binary_skipped.fetch_add(1, Ordering::Relaxed);
        return Vec::new();
    }
    ctx.bytes.fetch_add(f.text.len() as u64, Ordering::Relaxed);
    let lines = &f.lines;
    let map = |l: u64| {
        lines
            .get((l as usize).saturating_sub(1))
            .copied()
            .unwrap_or(l)
    };
    let mut sink = HitSink {
        path: &f.path,
        show: ctx.show_secrets,
        line_map: map,
        commit,
        hits: Vec::new(),
        line_starts: Vec::new(),
    };
    let Ok(()) = scanner.scan(&f.text, &mut sink);
    // Allowed lines are lines of the diff stream; hits carry file lines, so map them first.
    let allowed: Vec<u64> = f.allowed.iter().map(|&l| map(l)).collect();
    sink.hits
        .into_iter()
        .filter(|h| !allowed.contains(&h.line))
        .collect()
}
