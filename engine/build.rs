//! Embeds the default ruleset (every `rulesets/*.toml` file), parsed and checked at build time.
//!
//! The list is generated so that adding a provider family is just adding a file: no code
//! change, and no chance of a file that ships but is never loaded.
//!
//! Besides the TOML text (for `default_rule_files()`), it writes each rule as a Rust static,
//! with the facts the engine derives from its regex (capture groups, longest match, which
//! keywords start a match): building an engine then parses no TOML and, for a lazy engine, no
//! regex at all. A rule file that does not parse, or a regex that does not, fails the build
//! here, naming the file and rule.
use std::fmt::Write as _;
use std::{env, fs, path::PathBuf};

// The very types and functions the engine uses, so the build-time parse cannot drift from the
// run-time one (a test in `builtin.rs` also recomputes everything at run time and compares).
#[allow(dead_code)]
#[path = "src/rule/syntax.rs"]
mod syntax;

#[allow(dead_code)]
#[path = "src/regex_facts.rs"]
mod regex_facts;

use syntax::{AllowTarget, Kind, RuleFile, RuleSyntax};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = manifest.join("../rulesets");
    println!("cargo:rerun-if-changed={}", dir.display());
    // Listing any path replaces cargo's default (rerun when anything in the package changes),
    // so this script must list itself, or a change to what it emits goes unseen by a build
    // whose output folder already holds the previous table.
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/rule/syntax.rs");
    println!("cargo:rerun-if-changed=src/regex_facts.rs");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut out = String::from("/// Embedded default rule files: (file name, TOML text).\npub(crate) static DEFAULT_RULE_FILES: &[(&str, &str)] = &[\n");
    let mut rules = String::from(
        "/// The embedded default rules, parsed and analysed at build time.\npub(crate) static DEFAULT_RULES: &[StaticRule] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        let abs = fs::canonicalize(f).unwrap();
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name,
            abs.display().to_string()
        ));
        let text = fs::read_to_string(f).unwrap();
        let file: RuleFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for r in &file.rules {
            rule_static(&mut rules, r, &name);
        }
    }
    out.push_str("];\n");
    rules.push_str("];\n");
    out.push_str(&rules);
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("default_rules.rs");
    fs::write(dest, out).unwrap();
}

/// Appends rule `r` as a `StaticRule` literal.
fn rule_static(out: &mut String, r: &RuleSyntax, file: &str) {
    let fail = |field: &str, e: regex_facts::ParseError| -> ! {
        panic!("{file}: rule `{}`, field `{field}`: {e:?}", r.id)
    };
    let hir = regex_facts::parse(&r.regex).unwrap_or_else(|e| fail("regex", e));
    for p in &r.allowlist.regexes {
        regex_facts::parse(p).unwrap_or_else(|e| fail("allowlist.regexes", e));
    }
    let keywords: Vec<String> = r.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
    let facts = regex_facts::facts(&hir, &keywords);
    let strs = |v: &[String]| format!("&{v:?}");
    let kind = match r.kind {
        Kind::Secret => "Secret",
        Kind::Publishable => "Publishable",
    };
    let target = match r.allowlist.target {
        AllowTarget::Secret => "Secret",
        AllowTarget::Match => "Match",
    };
    let anchors = match &facts.anchors {
        Some(a) => format!("Some(&{a:?})"),
        None => "None".into(),
    };
    let follow = match &facts.follow {
        Some(f) => format!("Some(&{f:?})"),
        None => "None".into(),
    };
    let guard = match &facts.guard {
        Some(g) => format!("Some({g:?})"),
        None => "None".into(),
    };
    // `{:?}` of a str is a valid Rust string literal; of an f64, a valid float literal.
    let _ = writeln!(
        out,
        "    StaticRule {{ id: {:?}, description: {:?}, provider: {:?}, regex: {:?}, \
         secret_group: {:?}, keywords: {}, entropy: {:?}, validator: {:?}, kind: Kind::{kind}, \
         keep_prefix: {}, tags: {}, allow_regexes: {}, allow_target: AllowTarget::{target}, \
         stopwords: {}, allow_placeholders: {}, examples: {}, negative_examples: {}, \
         overlaps: {}, groups: {}, max_len: {:?}, anchors: {anchors}, follow: {follow}, guard: {guard} }},",
        r.id,
        r.description,
        r.provider,
        r.regex,
        r.secret_group,
        strs(&r.keywords),
        r.entropy,
        r.validator,
        r.keep_prefix,
        strs(&r.tags),
        strs(&r.allowlist.regexes),
        strs(&r.allowlist.stopwords),
        r.allow_placeholders,
        strs(&r.examples),
        strs(&r.negative_examples),
        strs(&r.overlaps),
        facts.groups,
        facts.max_len,
    );
}
