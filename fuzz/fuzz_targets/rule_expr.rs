//! Arbitrary text as a monitoring-scheme rule (the first line) and a post (the rest): the
//! parser must answer Ok or a RuleError, never overflow its stack, hang or panic; a rule
//! that parses must compile, match the post with spans inside it, and read back the same
//! from its canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoutu_text::monitor::{RuleError, RuleId, RuleSet, parse_rule};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (rule_src, post) = input.split_once('\n').unwrap_or((input, ""));
    let Ok(rule) = parse_rule(rule_src) else {
        return;
    };
    // The canonical form reads back as the same rule, unless its added brackets and
    // quotes take it past the length or nesting bound (it is shown, never stored).
    let canonical = rule.to_string();
    match parse_rule(&canonical) {
        Ok(again) => assert_eq!(again, rule, "{canonical:?}"),
        Err(RuleError::TooDeep { .. } | RuleError::TooLong { .. }) => {}
        Err(e) => panic!("{canonical:?} does not parse again: {e}"),
    }
    let set = RuleSet::compile([(RuleId(1), rule_src)]).expect("a rule that parses compiles");
    for text in [post, rule_src] {
        for m in set.matches(text) {
            assert_eq!(m.rule, RuleId(1));
            // Spans are character offsets into the text as given; they must stay inside it.
            let n = text.chars().count();
            assert!(m.spans.iter().all(|&(s, e)| s <= e && e <= n), "{m:?}");
        }
    }
});
