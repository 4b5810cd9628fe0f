//! A ballot in the booth (spec: protocol §8.3–8.4, board §4.6–4.7): prepared
//! before the member chooses (every scalar multiplication), chosen, then
//! either signed for casting or opened for a Benaloh audit — never both.

use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};
use shortlist_board::entry::Hash;
use shortlist_board::payload::{fingerprint, Ballot, Purpose, SpoiledBallot};
use shortlist_crypto::ballot::{
    BallotContext, ChosenContest, ContestOpening, ContestShape, EncryptedContest, PreparedContest,
};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::transcript::ElectionContext;
use wasm_bindgen::prelude::*;

use crate::credential::Credential;
use crate::poll::Poll;
use crate::{Error, Result};

/// What a ballot is for: the election and each contest's shape and
/// candidate ids, in manifest order.
#[derive(Clone)]
struct Context {
    election: ElectionContext,
    contests: Vec<ContestInfo>,
}

/// A contest's shape and its candidates' ids and names, in ballot order.
#[derive(Clone)]
struct ContestInfo {
    shape: ContestShape,
    ids: Vec<u32>,
    names: Vec<String>,
}

impl Context {
    fn definition_hash(&self) -> Hash {
        self.election.definition_hash
    }
}

/// A ballot prepared before the member chooses: one prepared contest per
/// manifest contest.
///
/// # Security
/// Holds the ballot's randomness (zeroized on drop by the crypto core). Use
/// it for one choice only: [`PreparedBallot::choose`] empties it.
#[wasm_bindgen]
pub struct PreparedBallot {
    context: Context,
    contests: Option<Vec<PreparedContest>>,
}

/// A ballot whose ciphertexts are fixed (protocol §8.3 step 5), not yet
/// bound to a credential: show its fingerprint, then cast it or audit it,
/// never both.
///
/// # Security
/// Holds the selections, randomness and proof nonces (zeroized on drop by
/// the crypto core) until it is cast or audited.
#[wasm_bindgen]
pub struct ChosenBallot {
    context: Context,
    fingerprint: Hash,
    state: State,
}

enum State {
    Chosen(Vec<ChosenContest>),
    Cast(Vec<u8>),
    Audited,
}

/// An audited ballot: the spoiled-ballot payload and what it opens to.
#[wasm_bindgen]
pub struct AuditedBallot {
    payload: Vec<u8>,
    summary: String,
}

#[wasm_bindgen]
impl Poll {
    /// Prepares a ballot for every contest: all the scalar multiplications,
    /// before the member chooses (spec: protocol §8.3 steps 1–3). Throws
    /// until voting has opened on the board.
    pub fn prepare(&self) -> Result<PreparedBallot> {
        prepare_with(self, &mut OsRng)
    }
}

/// Prepares a ballot with `rng`.
pub(crate) fn prepare_with(poll: &Poll, rng: &mut (impl RngCore + CryptoRng)) -> Result<PreparedBallot> {
    let election = poll.context()?;
    let contests = poll
        .shapes()?
        .into_iter()
        .map(|(shape, ids)| ContestInfo { names: poll.candidate_names(shape.contest_id), shape, ids })
        .collect();
    let context = Context { election, contests };
    let enc = poll.encrypter()?;
    let contests = context
        .contests
        .iter()
        .map(|c| EncryptedContest::prepare(enc, &c.shape, rng))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PreparedBallot { context, contests: Some(contests) })
}

#[wasm_bindgen]
impl PreparedBallot {
    /// Fixes the member's choice (protocol §8.3 steps 4–5). `selections` is
    /// JSON: one list of chosen candidate ids per contest, in manifest
    /// order, e.g. `[[3, 7, 12]]`. Throws (and stays usable) if the choice
    /// is not valid; once it succeeds the prepared ballot is used up.
    pub fn choose(&mut self, selections: &str) -> Result<ChosenBallot> {
        let chosen = parse_selections(&self.context, selections)?;
        let prepared = self
            .contests
            .take()
            .ok_or_else(|| Error::new("this prepared ballot was already chosen; prepare a new one"))?;
        let contests =
            prepared.into_iter().zip(&chosen).map(|(p, s)| p.choose(s)).collect::<Result<Vec<_>, _>>()?;
        Ok(ChosenBallot {
            context: self.context.clone(),
            fingerprint: fingerprint(contests.iter().map(ChosenContest::ciphertexts)),
            state: State::Chosen(contests),
        })
    }
}

#[wasm_bindgen]
impl ChosenBallot {
    /// The ballot fingerprint (hex, board §4.7): the page shows it before
    /// the member decides to cast or audit; the cast or audited ballot on
    /// the board carries the same.
    pub fn fingerprint(&self) -> String {
        hex::encode(self.fingerprint)
    }

    /// The ballot proven with `credential` bound and signed for casting:
    /// the bytes to post (hex) as `{ballot}` to `POST …/ballots` (board
    /// §4.6). Calling it again with the same credential gives the same
    /// bytes; after it the ballot can no longer be audited.
    #[wasm_bindgen(js_name = castPayload)]
    pub fn cast_payload(&mut self, credential: &Credential) -> Result<Vec<u8>> {
        match std::mem::replace(&mut self.state, State::Audited) {
            State::Chosen(contests) => {
                let payload = cast(&self.context, &credential.secret, contests)?;
                self.state = State::Cast(payload.clone());
                Ok(payload)
            }
            State::Cast(payload) => {
                let key = credential.secret.public_key().to_bytes();
                let same = Ballot::from_bytes(&payload).is_ok_and(|b| b.credential.to_bytes() == key);
                self.state = State::Cast(payload.clone());
                if same {
                    Ok(payload)
                } else {
                    Err(Error::new("this ballot was signed for another credential"))
                }
            }
            State::Audited => Err(Error::new("this ballot was audited: it can never be cast")),
        }
    }

    /// Opens the ballot for a Benaloh audit (protocol §8.4): the
    /// spoiled-ballot payload, with no credential and no signature, to post
    /// (hex) as `{spoiled}` to `POST …/audits`, and a summary of what it
    /// opens to. After it the ballot can never be cast; prepare a new one.
    #[wasm_bindgen(js_name = auditPayload)]
    pub fn audit_payload(&mut self) -> Result<AuditedBallot> {
        let contests = match std::mem::replace(&mut self.state, State::Audited) {
            State::Chosen(contests) => contests,
            State::Cast(payload) => {
                self.state = State::Cast(payload);
                return Err(Error::new("this ballot was signed for casting: it cannot be audited"));
            }
            State::Audited => return Err(Error::new("this ballot was already audited")),
        };
        let spoiled = SpoiledBallot::open(contests);
        let summary = summary(&self.context, &spoiled.openings)?;
        Ok(AuditedBallot { payload: spoiled.to_bytes(), summary })
    }
}

/// What the openings open to: each contest's chosen candidates.
fn summary(context: &Context, openings: &[ContestOpening]) -> Result<String> {
    let contests: Vec<serde_json::Value> = openings
        .iter()
        .zip(&context.contests)
        .map(|(o, c)| {
            let chosen: Vec<serde_json::Value> = o
                .selections
                .iter()
                .zip(c.ids.iter().zip(&c.names))
                .filter(|(s, _)| **s == 1)
                .map(|(_, (id, name))| serde_json::json!({ "candidate_id": id, "name": name }))
                .collect();
            serde_json::json!({ "contest_id": o.contest_id, "chosen": chosen })
        })
        .collect();
    crate::to_json(&contests)
}

/// Binds every contest to the credential, proves it and signs for casting.
fn cast(context: &Context, credential: &CredentialSecret, contests: Vec<ChosenContest>) -> Result<Vec<u8>> {
    let cred = credential.public_key().to_bytes();
    let election = &context.election;
    let bctx = BallotContext { election, credential: &cred };
    let contests = contests
        .into_iter()
        .map(|c| c.prove(&bctx).map(|(contest, _secrets)| contest))
        .collect::<Result<Vec<_>, _>>()?;
    let ballot = Ballot::sign(
        Purpose::Cast,
        credential,
        &election.manifest_hash,
        &context.definition_hash(),
        contests,
    );
    Ok(ballot.to_bytes())
}

#[wasm_bindgen]
impl AuditedBallot {
    /// The spoiled-ballot payload to post (hex) as `{spoiled}` to
    /// `POST …/audits` (spec: board §4.7).
    pub fn payload(&self) -> Vec<u8> {
        self.payload.clone()
    }

    /// What the ballot opens to, JSON: `[{contest_id, chosen: [{candidate_id,
    /// name}]}]`, for the member to compare with their choice.
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self) -> String {
        self.summary.clone()
    }
}

/// The selection vectors of a choice, checked against each contest.
fn parse_selections(context: &Context, json: &str) -> Result<Vec<Vec<bool>>> {
    let lists: Vec<Vec<u32>> = serde_json::from_str(json).map_err(|e| {
        Error::new(format!("the selections must be JSON, one list of candidate ids per contest: {e}"))
    })?;
    if lists.len() != context.contests.len() {
        return Err(Error::new(format!(
            "{} lists of selections for {} contests",
            lists.len(),
            context.contests.len()
        )));
    }
    lists
        .iter()
        .zip(&context.contests)
        .map(|(chosen, ContestInfo { shape, ids, .. })| {
            let mut selections = vec![false; ids.len()];
            for id in chosen {
                let slot =
                    ids.iter().position(|x| x == id).and_then(|i| selections.get_mut(i)).ok_or_else(
                        || Error::new(format!("contest {}: no candidate {id}", shape.contest_id)),
                    )?;
                if *slot {
                    return Err(Error::new(format!(
                        "contest {}: candidate {id} is chosen twice",
                        shape.contest_id
                    )));
                }
                *slot = true;
            }
            let n = chosen.len();
            if n < usize::from(shape.min) || n > usize::from(shape.max) {
                return Err(Error::new(format!(
                    "contest {}: choose {} to {} candidates, not {n}",
                    shape.contest_id, shape.min, shape.max
                )));
            }
            Ok(selections)
        })
        .collect()
}

/// A seeded ballot, for the byte-identity test only (see [`crate::testing`]).
pub(crate) fn seeded_cast(
    poll: &Poll,
    rng: &mut (impl RngCore + CryptoRng),
    selections: &str,
) -> Result<Vec<u8>> {
    let credential = Credential { secret: CredentialSecret::generate(rng) };
    let mut prepared = prepare_with(poll, rng)?;
    prepared.choose(selections)?.cast_payload(&credential)
}
