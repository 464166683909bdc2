//! Reading rules written in the gitleaks configuration format (`[[rules]]` with `id`,
//! `regex`, `secretGroup`, `keywords`, `entropy`, `allowlist`), so teams can bring their rules.
//!
//! [`parse`] maps each gitleaks rule to a [`RuleSyntax`]:
//!
//! | gitleaks | secretsift |
//! |---|---|
//! | `id` | `id` (lowercased; characters outside `a-z0-9.-` become `-`) |
//! | `description` | `description` |
//! | — | `provider`: the first `-`-separated part of the id (`aws-access-token` → `aws`) |
//! | `regex` | `regex` (Go RE2 syntax is a subset of ours, except `\A`/`\z`, refused by name) |
//! | `secretGroup` | `secret_group` |
//! | `keywords` | `keywords`; when empty, derived from the literal prefixes (else suffixes) of the regex, or a [`BuildErrorKind::NoKeyword`] error naming the rule |
//! | `entropy` | `entropy` |
//! | `tags` | `tags` |
//! | `allowlist` / `[[rules.allowlists]]`: `regexes`, `regexTarget`, `stopwords` | `allowlist` (`regexTarget = "line"` is read as `"match"`, which allows less) |
//! | top-level `[allowlist]` / `[[allowlists]]` (`regexes`, `stopwords`, `targetRules`) | merged into each rule it targets |
//!
//! What cannot be expressed is dropped in the direction that reports *more*, never less:
//! allowlist `paths` and `commits` are ignored (an allowlist whose `condition = "AND"` combines
//! them with regexes is ignored whole), `path` on a rule is ignored, and rules with a `path` but
//! no `regex` (file-name-only rules) are skipped. `[extend]` is ignored: secretsift's own
//! default rules stay loaded unless the host turns them off.

use serde::Deserialize;

use crate::error::{BuildError, BuildErrorKind};
use crate::rule::{toml_error, AllowTarget, AllowlistSyntax, RuleSyntax};

/// The rule-file formats secretsift reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// secretsift's own TOML format (`rulesets/README.md`).
    Secretsift,
    /// The gitleaks configuration format.
    Gitleaks,
}

/// Guesses the format of a rule file: gitleaks when it has a top-level key other than `rules`
/// (`title`, `allowlist`, `extend`, ...), or a rule without `provider` or with a gitleaks-only
/// field (`secretGroup`, `allowlists`, `path`); secretsift otherwise. A file that is not TOML is
/// reported as secretsift, whose parser then names the syntax error.
pub fn detect(text: &str) -> Format {
    let Ok(value) = text.parse::<toml::Table>() else {
        return Format::Secretsift;
    };
    if value.keys().any(|k| k != "rules") {
        return Format::Gitleaks;
    }
    let rules = value.get("rules").and_then(|r| r.as_array());
    let gitleaks_rule = |r: &toml::Value| {
        r.as_table().is_some_and(|t| {
            !t.contains_key("provider")
                || ["secretGroup", "allowlists", "path"]
                    .iter()
                    .any(|k| t.contains_key(*k))
        })
    };
    if rules.is_some_and(|rs| rs.iter().any(gitleaks_rule)) {
        Format::Gitleaks
    } else {
        Format::Secretsift
    }
}

/// Parses a rule file in either format, choosing with [`detect`].
///
/// # Errors
/// As [`parse`] or [`crate::rule::parse_toml`].
pub fn parse_any(text: &str, origin: &str) -> Result<Vec<RuleSyntax>, BuildError> {
    match detect(text) {
        Format::Secretsift => crate::rule::parse_toml(text, origin),
        Format::Gitleaks => parse(text, origin),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Config {
    #[serde(default)]
    rules: Vec<Rule>,
    #[serde(default)]
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    secret_group: Option<u32>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
struct Allowlist {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    regex_target: Option<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    condition: Option<String>,
    /// Global allowlists only: the rule ids they apply to (all when empty).
    #[serde(default)]
    target_rules: Vec<String>,
}

/// Parses a gitleaks configuration into rules (see the module docs for the mapping).
///
/// # Errors
/// A TOML error (with line), a rule without a usable keyword, or an allowlist that cannot be
/// expressed; each names `origin` and the rule id.
pub fn parse(text: &str, origin: &str) -> Result<Vec<RuleSyntax>, BuildError> {
    let config: Config = toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?;
    let globals: Vec<Allowlist> = config
        .allowlist
        .into_iter()
        .chain(config.allowlists)
        .collect();
    let mut out = Vec::with_capacity(config.rules.len());
    for r in config.rules {
        let Some(regex) = r.regex.filter(|s| !s.is_empty()) else {
            if r.path.is_some() {
                continue; // a file-name-only rule: nothing to match in content
            }
            return Err(BuildError::rule(
                BuildErrorKind::InvalidValue,
                &r.id,
                "regex",
                "the rule has neither `regex` nor `path`",
            )
            .with_origin(origin));
        };
        let id = normalise_id(&r.id);
        let mut keywords: Vec<String> = r
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .filter(|k| !k.is_empty())
            .collect();
        if keywords.is_empty() {
            keywords = derive_keywords(&regex).map_err(|why| {
                BuildError::rule(
                    BuildErrorKind::NoKeyword,
                    &r.id,
                    "keywords",
                    format!("the rule has no `keywords` and none can be derived from its regex ({why}); add `keywords = [...]`"),
                )
                .with_origin(origin)
            })?;
        }
        let mut allow = AllowlistSyntax::default();
        let mut target: Option<AllowTarget> = None;
        let own = r.allowlist.into_iter().chain(r.allowlists);
        let global = globals
            .iter()
            .filter(|g| g.target_rules.is_empty() || g.target_rules.iter().any(|t| t == &r.id))
            .cloned();
        for a in own.chain(global) {
            let and = a
                .condition
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("and"));
            if and && (!a.paths.is_empty() || !a.commits.is_empty()) {
                continue; // would only apply together with paths/commits we cannot check
            }
            allow.stopwords.extend(a.stopwords);
            if a.regexes.is_empty() {
                continue;
            }
            let t = match a.regex_target.as_deref().unwrap_or("secret") {
                "" | "secret" => AllowTarget::Secret,
                "match" | "line" => AllowTarget::Match,
                other => {
                    return Err(BuildError::rule(
                        BuildErrorKind::InvalidValue,
                        &r.id,
                        "allowlist.regexTarget",
                        format!("unknown regexTarget `{other}` (expected secret, match or line)"),
                    )
                    .with_origin(origin))
                }
            };
            if target.is_some_and(|prev| prev != t) {
                return Err(BuildError::rule(
                    BuildErrorKind::InvalidValue,
                    &r.id,
                    "allowlist.regexTarget",
                    "allowlists with different regexTarget values apply to this rule; secretsift supports one target per rule",
                )
                .with_origin(origin));
            }
            target = Some(t);
            allow.regexes.extend(a.regexes);
        }
        allow.target = target.unwrap_or_default();
        out.push(RuleSyntax {
            provider: id
                .split('-')
                .next()
                .filter(|p| !p.is_empty())
                .unwrap_or("gitleaks")
                .to_string(),
            id,
            description: r.description,
            regex,
            secret_group: r.secret_group.filter(|&g| g > 0),
            keywords,
            entropy: r.entropy.filter(|&e| e > 0.0),
            tags: r.tags,
            allowlist: allow,
            ..RuleSyntax::default()
        });
    }
    Ok(out)
}

fn normalise_id(id: &str) -> String {
    let s: String = id
        .trim()
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.trim_start_matches(['-', '.']).to_string()
}

/// Keywords for a rule that lists none: the literal prefixes of its regex (or, failing that,
/// its suffixes), lowercased. Every match contains one of them, which is what the prefilter
/// needs.
pub fn derive_keywords(regex: &str) -> Result<Vec<String>, String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let c = crate::compile::syntax_config();
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(c.get_unicode())
        .utf8(c.get_utf8())
        .multi_line(c.get_multi_line())
        .crlf(c.get_crlf())
        .build()
        .parse(regex)
        .map_err(|e| {
            format!(
                "the regex does not parse: {}",
                e.to_string().lines().last().unwrap_or("")
            )
        })?;
    let mut last_why = String::new();
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut ex = Extractor::new();
        ex.kind(kind.clone())
            .limit_total(10_000)
            .limit_literal_len(64);
        let seq = ex.extract(&hir);
        let Some(lits) = seq.literals() else {
            last_why = "it does not start or end with a literal".into();
            continue;
        };
        let mut words: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut ok = !lits.is_empty();
        for l in lits {
            let w = String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase();
            if w.len() < 2 {
                ok = false;
                last_why = format!("the literal `{w}` is shorter than 2 bytes");
                break;
            }
            let w = if w.len() > 64 {
                // At most 64 bytes, cut at a character boundary (found by fuzzing: a cut
                // inside a multi-byte character panicked).
                let cut = if matches!(kind, ExtractKind::Prefix) {
                    let mut end = 64;
                    while !w.is_char_boundary(end) {
                        end -= 1;
                    }
                    &w[..end]
                } else {
                    let mut start = w.len() - 64;
                    while !w.is_char_boundary(start) {
                        start += 1;
                    }
                    &w[start..]
                };
                cut.to_string()
            } else {
                w
            };
            // A set, and an early stop: up to 10,000 literals come out of a class repeated a
            // few times (`[0-9]{24}`), and a linear `contains` per literal made one such rule
            // take seconds (found by fuzzing).
            if seen.insert(w.clone()) {
                words.push(w);
            }
            if words.len() > 256 {
                ok = false;
                last_why = "more than 256 alternatives is too many".to_string();
                break;
            }
        }
        if ok {
            return Ok(words);
        }
    }
    Err(last_why)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
title = "team rules"

[allowlist]
stopwords = ["sample"]

[[rules]]
id = "acme_api_key"
description = "Acme API key"
regex = '''(?i)\b(acme_[a-z0-9]{24})\b'''
secretGroup = 1
entropy = 3.0
tags = ["acme"]
[[rules.allowlists]]
regexes = ['''acme_0{24}''']

[[rules]]
id = "no-keyword-rule"
regex = '''(?:tok|key)-[A-Z0-9]{20}'''

[[rules]]
id = "pkcs12-file"
path = '''(?i)\.p12$'''
"#;

    #[test]
    fn maps_fields_and_derives_keywords() {
        assert_eq!(detect(CONFIG), Format::Gitleaks);
        let rules = parse(CONFIG, "team.toml").unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].id, "acme-api-key");
        assert_eq!(rules[0].provider, "acme");
        assert_eq!(rules[0].keywords, vec!["acme_"]);
        assert_eq!(rules[0].secret_group, Some(1));
        assert_eq!(rules[0].allowlist.regexes, vec!["acme_0{24}"]);
        assert_eq!(rules[0].allowlist.stopwords, vec!["sample"]);
        assert_eq!(rules[1].keywords, vec!["tok-", "key-"]);
        let engine = crate::Engine::builder()
            .default_rules(false)
            .add_rules(rules)
            .build()
            .unwrap();
        let text = format!("x = {}{}\n", "acme_", "q8w7e6r5t4y3u2i1o9p8a7s6");
        assert_eq!(engine.scan(text.as_bytes()).len(), 1);
    }

    #[test]
    fn underivable_keywords_name_the_rule() {
        let e = parse(
            "[[rules]]\nid = \"x-y\"\nregex = '''[a-z]+[0-9]+[a-z]+'''\n",
            "g.toml",
        )
        .unwrap_err();
        assert_eq!(e.rule_id(), Some("x-y"));
        assert_eq!(e.kind(), BuildErrorKind::NoKeyword);
        assert!(e.to_string().contains("g.toml"), "{e}");
    }

    #[test]
    fn detects_secretsift_format() {
        let ours = "[[rules]]\nid = \"a\"\nprovider = \"p\"\nregex = 'x'\nkeywords = [\"xx\"]\n";
        assert_eq!(detect(ours), Format::Secretsift);
    }
}
