//! A poll as the browser knows it: read from the board's entries (spec: api
//! §7.5 `GET /v1/polls/{poll}/entries`), chain-checked, its facts derived
//! from the entries alone — never from the server's word.

use std::cell::OnceCell;

use serde::Serialize;
use serde_json::Value;
use shortlist_board::definition::CandidateRegistration;
use shortlist_board::entry::{Entry, EntryKind};
use shortlist_board::manifest::RevotePolicy;
use shortlist_client::board::{entry_from_json, PollView};
use shortlist_crypto::ballot::ContestShape;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_crypto::transcript::ElectionContext;
use wasm_bindgen::prelude::*;

use crate::{hex_array, to_json, Error, Result};

/// A poll read from its board entries.
#[wasm_bindgen]
pub struct Poll {
    pub(crate) view: PollView,
    /// Each candidate's statement, by `(contest id, candidate id)`.
    statements: Vec<((u32, u32), String)>,
    /// The joint key's tables, built by the first ballot prepared.
    encrypter: OnceCell<Encrypter>,
}

/// A candidate as the page shows it.
#[derive(Serialize)]
struct CandidateJson<'a> {
    candidate_id: u32,
    name: &'a str,
    statement: &'a str,
    attributes: serde_json::Map<String, Value>,
}

/// A slate rule as the page shows it.
#[derive(Serialize)]
struct SlateRuleJson<'a> {
    attribute: &'a str,
    value: &'a str,
    min_seats: u16,
}

/// A contest as the page shows it.
#[derive(Serialize)]
struct ContestJson<'a> {
    contest_id: u32,
    title: &'a str,
    seats: u16,
    min_selections: u16,
    max_selections: u16,
    slate_rules: Vec<SlateRuleJson<'a>>,
    candidates: Vec<CandidateJson<'a>>,
}

#[wasm_bindgen]
impl Poll {
    /// Reads a poll from the JSON array of its board entries from entry 0 on
    /// (every page of `GET …/entries?from=N` concatenated). Entries from the
    /// first ballot on are not needed and are ignored. Throws if an entry's
    /// hash is not its own, the chain is broken, or any verification step
    /// fails over the entries read.
    #[wasm_bindgen(js_name = fromEntries)]
    pub fn from_entries(json: &str) -> Result<Poll> {
        let items: Vec<Value> = serde_json::from_str(json)
            .map_err(|e| Error::new(format!("the entries are not a JSON list: {e}")))?;
        let mut entries: Vec<Entry> = Vec::new();
        for item in &items {
            let e = entry_from_json(item)?;
            if matches!(e.kind, EntryKind::Ballot | EntryKind::SpoiledBallot) {
                break;
            }
            entries.push(e);
        }
        let view = PollView::from_entries(&entries)?;
        if !view.failed.is_empty() {
            return Err(Error::new(format!(
                "the board fails verification step {}: this poll cannot be trusted",
                view.failed.join(", ")
            )));
        }
        let statements = entries
            .iter()
            .filter(|e| e.kind == EntryKind::Candidate)
            .filter_map(|e| CandidateRegistration::from_bytes(&e.payload).ok())
            .map(|r| ((r.contest_id, r.candidate.candidate_id), r.statement))
            .collect();
        Ok(Poll { view, statements, encrypter: OnceCell::new() })
    }

    /// The manifest hash `h_M` (hex): it names the poll.
    #[wasm_bindgen(js_name = manifestHash)]
    pub fn manifest_hash(&self) -> String {
        hex::encode(self.view.manifest_hash)
    }

    /// Throws unless the manifest hash equals `expected` (hex, e.g. from the
    /// booth link). The page calls this before it encrypts anything.
    #[wasm_bindgen(js_name = checkManifestHash)]
    pub fn check_manifest_hash(&self, expected: &str) -> Result<()> {
        let want: [u8; 32] = hex_array("the expected manifest hash", expected)?;
        if want != self.view.manifest_hash {
            return Err(Error::new(format!(
                "this is not the poll you were sent: its manifest hash is {}, the link says {}",
                self.manifest_hash(),
                hex::encode(want)
            )));
        }
        Ok(())
    }

    /// The poll id.
    #[wasm_bindgen(js_name = pollId)]
    pub fn poll_id(&self) -> String {
        self.view.manifest.poll_id.clone()
    }

    /// The poll's title.
    pub fn title(&self) -> String {
        self.view.manifest.title.clone()
    }

    /// The timetable, JSON: `{nominations_close, voting_open, voting_close}`
    /// in Unix seconds.
    #[wasm_bindgen(js_name = timetableJson)]
    pub fn timetable_json(&self) -> String {
        let t = &self.view.manifest.timetable;
        serde_json::json!({
            "nominations_close": t.nominations_close,
            "voting_open": t.voting_open,
            "voting_close": t.voting_close,
        })
        .to_string()
    }

    /// The revote policy: `"last"` (the last ballot counts) or `"first"`.
    pub fn revote(&self) -> String {
        match self.view.manifest.revote {
            RevotePolicy::LastCounts => "last".into(),
            RevotePolicy::FirstCounts => "first".into(),
        }
    }

    /// The server's checkpoint key (hex), from the manifest.
    #[wasm_bindgen(js_name = serverKey)]
    pub fn server_key(&self) -> String {
        hex::encode(self.view.manifest.server_key.to_bytes())
    }

    /// Whether the ballot is defined and the joint key derived: a ballot can
    /// be prepared.
    #[wasm_bindgen(js_name = canVote)]
    pub fn can_vote(&self) -> bool {
        self.view.context().is_some()
    }

    /// The contests in manifest order, JSON: `[{contest_id, title, seats,
    /// min_selections, max_selections, slate_rules: [{attribute, value,
    /// min_seats}], candidates: [{candidate_id, name, statement,
    /// attributes: {key: value}}]}]`. `max_selections` is capped at the
    /// number of candidates; `candidates` is empty until the ballot is defined.
    #[wasm_bindgen(js_name = contestsJson)]
    pub fn contests_json(&self) -> Result<String> {
        let def = self.view.definition.as_ref().map(|(d, _)| d);
        let mut out = Vec::new();
        for rules in &self.view.manifest.contests {
            let defined = def.and_then(|d| d.contests.iter().find(|c| c.contest_id == rules.contest_id));
            let candidates: Vec<CandidateJson<'_>> = defined
                .map(|d| {
                    d.candidates
                        .iter()
                        .map(|c| CandidateJson {
                            candidate_id: c.candidate_id,
                            name: &c.name,
                            statement: self.statement(rules.contest_id, c.candidate_id),
                            attributes: c
                                .attributes
                                .iter()
                                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                                .collect(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let max = match (defined, u16::try_from(candidates.len())) {
                (Some(_), Ok(n)) => rules.max_selections.min(n),
                _ => rules.max_selections,
            };
            out.push(ContestJson {
                contest_id: rules.contest_id,
                title: &rules.title,
                seats: rules.seats,
                min_selections: rules.min_selections,
                max_selections: max,
                slate_rules: rules
                    .slate_rules
                    .iter()
                    .map(|r| SlateRuleJson {
                        attribute: &r.attribute,
                        value: &r.value,
                        min_seats: r.min_seats,
                    })
                    .collect(),
                candidates,
            });
        }
        to_json(&out)
    }
}

impl Poll {
    fn statement(&self, contest_id: u32, candidate_id: u32) -> &str {
        self.statements.iter().find(|(k, _)| *k == (contest_id, candidate_id)).map_or("", |(_, s)| s.as_str())
    }

    /// The election context, or why there is none yet.
    pub(crate) fn context(&self) -> Result<ElectionContext> {
        self.view.context().ok_or_else(|| {
            Error::new("voting has not opened: the ballot or the joint key is not on the board yet")
        })
    }

    /// The encrypter for the joint key: its tables are built once per poll.
    pub(crate) fn encrypter(&self) -> Result<&Encrypter> {
        let key = self.context()?.joint_key;
        Ok(self.encrypter.get_or_init(|| Encrypter::new(&key)))
    }

    /// The contests' shapes and candidate ids, in manifest order.
    pub(crate) fn shapes(&self) -> Result<Vec<(ContestShape, Vec<u32>)>> {
        let shapes = self.view.shapes()?;
        let (def, _) = self.view.definition.as_ref().ok_or_else(|| Error::new("no ballot definition yet"))?;
        shapes
            .into_iter()
            .map(|s| {
                let ids = def
                    .contests
                    .iter()
                    .find(|c| c.contest_id == s.contest_id)
                    .map(|c| c.candidates.iter().map(|x| x.candidate_id).collect())
                    .ok_or_else(|| Error::new(format!("contest {} is not defined", s.contest_id)))?;
                Ok((s, ids))
            })
            .collect()
    }

    /// The candidates' names of a contest, by position in the definition.
    pub(crate) fn candidate_names(&self, contest_id: u32) -> Vec<String> {
        self.view
            .definition
            .as_ref()
            .and_then(|(d, _)| d.contests.iter().find(|c| c.contest_id == contest_id))
            .map(|c| c.candidates.iter().map(|x| x.name.clone()).collect())
            .unwrap_or_default()
    }
}
