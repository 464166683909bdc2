//! Checks rule files against their own examples: `cargo run -p secretsift --example check_rules -- rulesets/aws.toml ...`
//! (no arguments: every embedded default file). Every rule must find something in each of its
//! `examples` and nothing in its `negative_examples`; every other rule must stay silent on them
//! unless listed in `overlaps`. Prints one line per problem and exits 1 if there is any.
use secretsift::{rule::parse_toml, Engine};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rules = Vec::new();
    if args.is_empty() {
        rules = secretsift::default_rules();
    }
    for path in &args {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        match parse_toml(&text, path) {
            Ok(r) => rules.extend(r),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
    let engine = match Engine::builder()
        .default_rules(args.is_empty())
        .add_rules(if args.is_empty() {
            vec![]
        } else {
            rules.clone()
        })
        .build()
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut problems = 0;
    for r in &rules {
        if r.examples.is_empty() {
            println!("{}: no examples", r.id);
            problems += 1;
        }
        for ex in &r.examples {
            let found = engine.scan(ex.as_bytes());
            if !found.iter().any(|f| f.rule_id == r.id) {
                println!(
                    "{}: example not found: {ex:?} (found: {:?})",
                    r.id,
                    found.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
                );
                problems += 1;
            }
            for f in found
                .iter()
                .filter(|f| f.rule_id != r.id && !r.overlaps.contains(&f.rule_id))
            {
                println!(
                    "{}: rule {} also fires on example {ex:?} (add it to `overlaps` if intended)",
                    r.id, f.rule_id
                );
                problems += 1;
            }
        }
        for ex in &r.negative_examples {
            for f in engine
                .scan(ex.as_bytes())
                .iter()
                .filter(|f| f.rule_id == r.id)
            {
                println!(
                    "{}: negative example matched: {ex:?} at {}..{}",
                    r.id, f.start, f.end
                );
                problems += 1;
            }
        }
    }
    println!("{} rules checked, {problems} problem(s)", rules.len());
    std::process::exit(if problems == 0 { 0 } else { 1 });
}
