//! The rules check as a test (the same checks as `examples/check_rules.rs`, over every embedded
//! default rule), plus: every default rule's regex has a bounded maximum match length, ids are
//! unique kebab-case, and descriptions are non-empty.
//!
//! Like Nosey Parker's `rules check`: rules are data, and their examples are tests.

use std::collections::HashSet;

use secretsift::{default_rules, Engine, DEFAULT_MAX_MATCH_LEN};

/// Default rules whose regex is unbounded today (from rule files other than the starter set;
/// see the rules-check report). This list may only shrink: the test fails on a new unbounded
/// rule and also on a listed rule that has been fixed, so the list stays exact.
const KNOWN_UNBOUNDED: &[&str] = &["blynk-auth-token-url"];

/// Fails with every problem listed, so one run shows all of them.
fn assert_no_problems(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn engine() -> Engine {
    Engine::builder()
        .build()
        .expect("the default ruleset compiles")
}

#[test]
fn every_rule_has_examples_and_negative_examples() {
    let mut problems = Vec::new();
    for r in default_rules() {
        if r.examples.is_empty() {
            problems.push(format!("{}: no examples", r.id));
        }
        if r.negative_examples.is_empty() {
            problems.push(format!("{}: no negative_examples", r.id));
        }
    }
    assert_no_problems(&problems);
}

#[test]
fn examples_are_found_negatives_are_not_and_overlaps_are_declared() {
    let engine = engine();
    let mut problems = Vec::new();
    for r in default_rules() {
        for ex in &r.examples {
            let found = engine.scan(ex.as_bytes());
            if !found.iter().any(|f| f.rule_id == r.id) {
                let ids: Vec<&str> = found.iter().map(|f| f.rule_id.as_str()).collect();
                problems.push(format!(
                    "{}: example not found: {ex:?} (found: {ids:?})",
                    r.id
                ));
            }
            for f in found
                .iter()
                .filter(|f| f.rule_id != r.id && !r.overlaps.contains(&f.rule_id))
            {
                problems.push(format!(
                    "{}: rule {} also fires on example {ex:?} (add it to `overlaps` if intended)",
                    r.id, f.rule_id
                ));
            }
        }
        for ex in &r.negative_examples {
            for f in engine
                .scan(ex.as_bytes())
                .iter()
                .filter(|f| f.rule_id == r.id)
            {
                problems.push(format!(
                    "{}: negative example matched: {ex:?} at {}..{}",
                    r.id, f.start, f.end
                ));
            }
        }
    }
    assert_no_problems(&problems);
}

/// The engine windows a rule's search by the longest match its regex can produce; an
/// unbounded regex (`+`, `*`, `{n,}`) is silently capped at `max_match_len`, so a default rule
/// must state its bound. Parsed with the engine's own syntax settings (bytes, ASCII classes,
/// multi-line, CRLF-aware), and compiled through the engine first so the settings cannot drift.
#[test]
fn every_default_regex_has_a_bounded_match_length() {
    let mut problems = Vec::new();
    let known: HashSet<&str> = KNOWN_UNBOUNDED.iter().copied().collect();
    let mut unbounded_known = HashSet::new();
    for r in default_rules() {
        // Compiling the rule alone through the engine proves it is valid in the engine's dialect.
        let mut b = Engine::builder();
        b.default_rules(false).add_rules([r.clone()]);
        if let Err(e) = b.build() {
            problems.push(format!("{}: does not compile alone: {e}", r.id));
            continue;
        }
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .multi_line(true)
            .crlf(true)
            .build()
            .parse(&r.regex)
            .expect("compiled above");
        match hir.properties().maximum_len() {
            None if known.contains(r.id.as_str()) => {
                unbounded_known.insert(r.id.clone());
            }
            None => problems.push(format!(
                "{}: regex match length is unbounded (use {{m,n}} instead of +, * or {{m,}})",
                r.id
            )),
            Some(n) if n > DEFAULT_MAX_MATCH_LEN => problems.push(format!(
                "{}: regex can match {n} bytes, more than max_match_len {DEFAULT_MAX_MATCH_LEN}",
                r.id
            )),
            Some(_) => {}
        }
    }
    for id in KNOWN_UNBOUNDED
        .iter()
        .filter(|id| !unbounded_known.contains(**id))
    {
        problems.push(format!(
            "{id}: listed in KNOWN_UNBOUNDED but now bounded (or gone): remove it from the list"
        ));
    }
    assert_no_problems(&problems);
}

#[test]
fn ids_are_unique_kebab_case_and_descriptions_non_empty() {
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    for r in default_rules() {
        if !seen.insert(r.id.clone()) {
            problems.push(format!("{}: duplicate id", r.id));
        }
        let kebab = !r.id.is_empty()
            && r.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !r.id.starts_with('-')
            && !r.id.ends_with('-')
            && !r.id.contains("--");
        if !kebab {
            problems.push(format!("{}: id is not kebab-case", r.id));
        }
        if r.description.trim().is_empty() {
            problems.push(format!("{}: empty description", r.id));
        }
        if r.provider.trim().is_empty() {
            problems.push(format!("{}: empty provider", r.id));
        }
    }
    assert_no_problems(&problems);
}

/// The engine runs a rule's regex anchored at a keyword, or only its rest after a leading
/// guard such as `(?:^|[^A-Za-z0-9])` (checking the byte before the keyword itself), or over
/// a window: each finding must still be a match of the whole regex as written, run over the
/// whole input, with the same match and secret spans. Checked for every default rule on its
/// examples in contexts that test a guard: line starts (LF, CRLF), a name glued to a word,
/// an underscore or a space before it, and two in a row.
#[test]
fn findings_are_matches_of_the_whole_regex() {
    use regex_automata::meta;
    use regex_automata::util::syntax;
    let contexts = ["{}", "x {}", "x_{}", "xy{}", "a\r\n{}", "a\n{}\n", "{} {}"];
    let mut problems = Vec::new();
    let mut checked = 0;
    for r in default_rules() {
        let re = meta::Builder::new()
            .syntax(
                syntax::Config::new()
                    .unicode(false)
                    .utf8(false)
                    .multi_line(true)
                    .crlf(true),
            )
            .build(&r.regex)
            .expect("default regexes compile");
        let group = match r.secret_group {
            Some(g) => g as usize,
            None if re.captures_len() > 1 => 1,
            None => 0,
        };
        let mut b = Engine::builder();
        b.default_rules(false).decode(false).add_rules([r.clone()]);
        let engine = b.build().expect("compiled alone above");
        for ex in &r.examples {
            for c in contexts {
                let text = c.replace("{}", ex);
                let matches: Vec<_> = re
                    .captures_iter(text.as_bytes())
                    .filter_map(|caps| {
                        let (m, s) = (caps.get_match()?, caps.get_group(group)?);
                        Some((m.start(), m.end(), s.start, s.end))
                    })
                    .collect();
                for f in engine.scan(text.as_bytes()) {
                    checked += 1;
                    let span = (
                        f.match_start as usize,
                        f.match_end as usize,
                        f.start as usize,
                        f.end as usize,
                    );
                    if !matches.contains(&span) {
                        problems.push(format!(
                            "{}: finding {span:?} in {text:?} is not a match of the regex {matches:?}",
                            r.id
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} findings checked");
    assert_no_problems(&problems);
}
