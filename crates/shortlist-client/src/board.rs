//! Reading the board as a role's client does: every entry, chain-checked,
//! and the poll's facts derived from the entries themselves (never from the
//! server's word): manifest, definition, and the key ceremony's joint key
//! recomputed by the verifier (spec: board V5.6).

use serde_json::Value;
use shortlist_board::definition::BallotDefinition;
use shortlist_board::entry::{Entry, EntryKind, Hash};
use shortlist_board::manifest::Manifest;
use shortlist_board::record::Frame;
use shortlist_board::verify::Verifier;
use shortlist_crypto::ballot::ContestShape;
use shortlist_crypto::dkg::GroupPublic;
use shortlist_crypto::transcript::ElectionContext;

use crate::api::{hex_field, Api, Transport};
use crate::{ClientError, Result};

/// Parses an entry from its JSON form (spec: api §7.5) and checks its hash.
pub fn entry_from_json(v: &Value) -> Result<Entry> {
    let num = |k: &str| {
        v.get(k).and_then(Value::as_u64).ok_or_else(|| ClientError::protocol(format!("entry field {k}")))
    };
    let kind = u8::try_from(num("kind_code")?).map_err(|_| ClientError::protocol("kind code"))?;
    let prev: Hash = hex_field(v, &["prev"])?.try_into().map_err(|_| ClientError::protocol("prev"))?;
    let e = Entry {
        index: num("index")?,
        prev,
        kind: EntryKind::from_code(kind)?,
        time: num("time")?,
        payload: hex_field(v, &["payload"])?,
    };
    if hex_field(v, &["hash"])? != e.hash() {
        return Err(ClientError::protocol(format!(
            "entry {}: the server's hash is not the entry's",
            e.index
        )));
    }
    Ok(e)
}

/// Reads entries from `from` to the end, page by page.
pub async fn entries<T: Transport>(api: &Api<T>, from: u64, stop_at_ballot: bool) -> Result<Vec<Entry>> {
    let mut out: Vec<Entry> = Vec::new();
    let mut next = from;
    loop {
        let page = api.get(&format!("/entries?from={next}")).await?;
        let items = page.as_array().ok_or_else(|| ClientError::protocol("entries is not a list"))?;
        if items.is_empty() {
            return Ok(out);
        }
        for item in items {
            let e = entry_from_json(item)?;
            if let Some(last) = out.last() {
                if e.index != last.index + 1 || e.prev != last.hash() {
                    return Err(ClientError::protocol(format!(
                        "entry {} does not continue the chain",
                        e.index
                    )));
                }
            }
            if stop_at_ballot && matches!(e.kind, EntryKind::Ballot | EntryKind::SpoiledBallot) {
                return Ok(out);
            }
            next = e.index + 1;
            out.push(e);
        }
    }
}

/// What a client knows of a poll, from the board.
#[derive(Clone, Debug)]
pub struct PollView {
    /// The manifest.
    pub manifest: Manifest,
    /// Its hash.
    pub manifest_hash: Hash,
    /// The definition and its hash, once posted.
    pub definition: Option<(BallotDefinition, Hash)>,
    /// The key ceremony's outcome, recomputed.
    pub group: Option<GroupPublic>,
    /// Steps that failed over the entries read.
    pub failed: Vec<&'static str>,
}

impl PollView {
    /// Reads the board up to the first ballot and derives the poll's facts.
    pub async fn fetch<T: Transport>(api: &Api<T>) -> Result<Self> {
        let entries = entries(api, 0, true).await?;
        Self::from_entries(&entries)
    }

    /// Derives the poll's facts from entries (from entry 0, in order).
    pub fn from_entries(entries: &[Entry]) -> Result<Self> {
        let first = entries.first().ok_or_else(|| ClientError::protocol("the board is empty"))?;
        let manifest = Manifest::from_bytes(&first.payload)?;
        let mut definition = None;
        let mut v = Verifier::new();
        for e in entries {
            if matches!(e.kind, EntryKind::Ballot | EntryKind::SpoiledBallot) {
                break;
            }
            if e.kind == EntryKind::Definition {
                definition = Some((BallotDefinition::from_bytes(&e.payload)?, e.payload_hash()));
            }
            v.feed(&Frame::Entry(e.clone()), 0);
        }
        let group = if definition.is_some() { v.ceremony_group() } else { None };
        Ok(Self {
            manifest,
            manifest_hash: first.payload_hash(),
            definition,
            group,
            failed: v.report().failed_steps(),
        })
    }

    /// The crypto context, once defined and keyed.
    pub fn context(&self) -> Option<ElectionContext> {
        let (_, dh) = self.definition.as_ref()?;
        Some(ElectionContext {
            manifest_hash: self.manifest_hash,
            definition_hash: *dh,
            joint_key: self.group.as_ref()?.joint_key,
        })
    }

    /// Contest shapes in manifest order.
    pub fn shapes(&self) -> Result<Vec<ContestShape>> {
        let (def, _) =
            self.definition.as_ref().ok_or_else(|| ClientError::protocol("no ballot definition yet"))?;
        Ok(self
            .manifest
            .contests
            .iter()
            .map(|c| def.shape(&self.manifest, c.contest_id))
            .collect::<Result<_, _>>()?)
    }
}
