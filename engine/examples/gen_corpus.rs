//! Writes one of the bench corpora to disk, so other scanners (benches/peers/) scan exactly the
//! text the engine's criterion benches scan.
//!
//! `cargo run --release -p secretsift --example gen_corpus -- <kind> <bytes> <out> [--files N]`
//!
//! kinds: logs, minified-js, dense-base64-hex, keyword-dense, single-line (one file), and
//! source-tree (always a folder of many files). With `--files N` (N > 1) `<out>` is a folder of
//! N files split at line ends. Prints one JSON line: kind, bytes, files, planted secrets.

#[path = "../../benches/corpus.rs"]
mod corpus;

use std::fs;
use std::path::Path;
use std::process::ExitCode;

/// One planted secret per this many log lines / JS statements / keyword lines / source files.
const EVERY_LINE: u64 = 5000;
const EVERY_JS: u64 = 2000;
const EVERY_FILE: u64 = 50;

fn ext(kind: &str) -> &'static str {
    match kind {
        "logs" => "log",
        "minified-js" | "single-line" => "js",
        _ => "txt",
    }
}

/// Splits `data` into `n` parts of about equal size, each ending at a newline where one exists.
fn split_lines(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = data;
    for i in (1..=n).rev() {
        if i == 1 || rest.is_empty() {
            parts.push(rest);
            break;
        }
        let want = rest.len() / i;
        let cut = memchr::memchr(b'\n', &rest[want..]).map_or(rest.len(), |p| want + p + 1);
        let (head, tail) = rest.split_at(cut);
        parts.push(head);
        rest = tail;
    }
    parts
}

fn write(path: &Path, data: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(args: &[String]) -> Result<String, String> {
    let usage = "usage: gen_corpus <kind> <bytes> <out> [--files N]";
    let [kind, bytes, out, rest @ ..] = args else {
        return Err(usage.into());
    };
    let size: usize = bytes
        .parse()
        .map_err(|_| format!("<bytes>: not a number: {bytes:?}"))?;
    let files: usize = match rest {
        [] => 1,
        [flag, n] if flag == "--files" => n
            .parse()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| format!("--files: not a positive number: {n:?}"))?,
        _ => return Err(usage.into()),
    };
    let out = Path::new(out);
    if kind == "source-tree" {
        let (tree, planted) = corpus::source_tree(size, EVERY_FILE);
        let total: usize = tree.iter().map(|(_, d)| d.len()).sum();
        for (rel, data) in &tree {
            write(&out.join(rel), data)?;
        }
        return Ok(format!(
            r#"{{"kind":"{kind}","bytes":{total},"files":{},"planted":{planted}}}"#,
            tree.len()
        ));
    }
    let c = match kind.as_str() {
        "logs" => corpus::logs(size, EVERY_LINE),
        "minified-js" => corpus::minified_js(size, EVERY_JS),
        "dense-base64-hex" => corpus::dense_base64_hex(size),
        "keyword-dense" => corpus::keyword_dense(size, EVERY_LINE),
        "single-line" => corpus::single_line(size, EVERY_JS),
        _ => return Err(format!("<kind>: unknown corpus {kind:?}\n{usage}")),
    };
    if files == 1 || kind == "single-line" {
        write(out, &c.data)?;
    } else {
        for (i, part) in split_lines(&c.data, files).iter().enumerate() {
            write(&out.join(format!("part{i:03}.{}", ext(kind))), part)?;
        }
    }
    Ok(format!(
        r#"{{"kind":"{kind}","bytes":{},"files":{},"planted":{}}}"#,
        c.data.len(),
        if kind == "single-line" { 1 } else { files },
        c.planted
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: error: {e}");
            ExitCode::from(2)
        }
    }
}
