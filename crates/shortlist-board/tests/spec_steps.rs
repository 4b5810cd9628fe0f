//! Issue 12, item 2: the verifier's steps and the API's error codes are the
//! spec's, exactly. The table of `spec/board.md` §8 and [`Step::ALL`] hold
//! the same ids, titles and order; the table of `spec/api.md` §2 and
//! `ErrorCode::ALL` the same codes. A step or code added, renamed or dropped
//! on one side fails here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use shortlist_board::verify::Step;

/// The `| id | title |` rows of the first table after `heading`.
fn table_after(text: &str, heading: &str) -> Vec<(String, String)> {
    let start = text.find(heading).unwrap_or_else(|| panic!("no {heading:?} in the spec"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and its rule
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect()
}

#[test]
fn every_verification_step_of_the_spec_is_a_step_of_the_code_and_back() {
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/board.md")).unwrap();
    let table = table_after(&spec, "## 8. Verification steps");
    let code: Vec<(String, String)> =
        Step::ALL.iter().map(|s| (s.id().to_string(), s.title().to_string())).collect();
    assert_eq!(table, code, "spec/board.md §8's table and Step::ALL differ");
    for s in Step::ALL {
        assert_eq!(Step::from_id(s.id()), Some(s));
    }
    assert_eq!(Step::from_id("V9.9"), None);
}

#[test]
fn every_error_code_of_the_spec_is_a_code_of_the_code_and_back() {
    use shortlist_board::error_code::ErrorCode;
    use std::collections::BTreeSet;
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/api.md")).unwrap();
    // | status | code | meaning |: the code is the second cell, in backticks.
    let start = spec.find("## 2. Errors").expect("api §2");
    let table: BTreeSet<String> = spec[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| status | code |"))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.split('|').nth(2).unwrap().trim().trim_matches('`').to_string())
        .collect();
    let code: BTreeSet<String> = ErrorCode::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let only_spec: Vec<&String> = table.difference(&code).collect();
    let only_code: Vec<&String> = code.difference(&table).collect();
    assert!(
        only_spec.is_empty() && only_code.is_empty(),
        "api §2 and ErrorCode differ: only in the spec {only_spec:?}, only in the code {only_code:?}"
    );
    for c in ErrorCode::ALL {
        assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
    }
}
