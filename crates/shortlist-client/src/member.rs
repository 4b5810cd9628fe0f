//! A member's software (spec: protocol §8, board §4.5–4.7): the credential
//! key made on the member's device, ballots encrypted and proven here, the
//! optional audit (Benaloh challenge) and the receipt check.

use rand::rngs::OsRng;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::Hash;
use shortlist_board::payload::{fingerprint, Ballot, Purpose, SpoiledBallot};
use shortlist_board::receipt::Receipt;
use shortlist_crypto::ballot::{BallotContext, ChosenContest, EncryptedContest};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;

use crate::api::{hex_field, Api, Transport};
use crate::board::PollView;
use crate::{ClientError, Result};

/// A member with a credential.
pub struct Member {
    credential: CredentialSecret,
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Member(<redacted>)")
    }
}

/// A ballot proven under the member's credential, ready to cast.
pub struct Prepared {
    /// The encrypted contests.
    pub contests: Vec<EncryptedContest>,
}

/// A ballot whose ciphertexts are fixed but not yet bound to a credential
/// (spec: protocol §8.4): show its [`Chosen::fingerprint`], then either
/// [`Member::prove`] it to cast or [`audit`] it — never both.
#[derive(Debug)]
pub struct Chosen {
    contests: Vec<ChosenContest>,
}

impl Chosen {
    /// Encrypts `selections` (one vector per contest) with fresh randomness.
    pub fn new(view: &PollView, enc: &Encrypter, selections: &[Vec<bool>]) -> Result<Self> {
        let shapes = view.shapes()?;
        if shapes.len() != selections.len() {
            return Err(ClientError::protocol("one selection vector per contest is needed"));
        }
        let contests = shapes
            .iter()
            .zip(selections)
            .map(|(shape, sel)| EncryptedContest::prepare(enc, shape, &mut OsRng)?.choose(sel))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { contests })
    }

    /// The ballot fingerprint (spec: board §4.7): shown to the member before
    /// they decide; the audited or cast ballot carries the same.
    pub fn fingerprint(&self) -> Hash {
        fingerprint(self.contests.iter().map(ChosenContest::ciphertexts))
    }

    /// Opens the ballot for an audit (spec: board §4.7): its ciphertexts and
    /// openings, with no credential. Post it with [`audit`] or elsewhere.
    pub fn into_spoiled(self) -> SpoiledBallot {
        SpoiledBallot::open(self.contests)
    }
}

/// Audits a chosen ballot (Benaloh challenge, spec: board §4.7): posts its
/// ciphertexts and openings, with no credential, and returns what was posted.
/// The ballot can never be cast afterwards: choose a fresh one.
pub async fn audit<T: Transport>(api: &Api<T>, chosen: Chosen) -> Result<SpoiledBallot> {
    let spoiled = chosen.into_spoiled();
    api.audit(&spoiled.to_bytes()).await?;
    Ok(spoiled)
}

impl Member {
    /// A member with a fresh credential key.
    pub fn new() -> Self {
        Self { credential: CredentialSecret::generate(&mut OsRng) }
    }

    /// A member with an existing credential key.
    pub fn with_credential(credential: CredentialSecret) -> Self {
        Self { credential }
    }

    /// The credential's public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.credential.public_key().to_bytes()
    }

    /// The credential secret (for storing it on the device).
    pub fn credential(&self) -> &CredentialSecret {
        &self.credential
    }

    /// Redeems an eligibility token for this credential.
    pub async fn register<T: Transport>(&self, api: &Api<T>, token: &str) -> Result<()> {
        api.register(token, &self.public_key()).await.map(|_| ())
    }

    /// Encrypts and proves selections (one vector per contest).
    pub fn prepare(&self, view: &PollView, enc: &Encrypter, selections: &[Vec<bool>]) -> Result<Prepared> {
        self.prove(view, Chosen::new(view, enc, selections)?)
    }

    /// Binds a chosen ballot to this credential and proves it, for casting.
    pub fn prove(&self, view: &PollView, chosen: Chosen) -> Result<Prepared> {
        let ctx =
            view.context().ok_or_else(|| ClientError::protocol("voting has not opened (no joint key)"))?;
        let cred = self.public_key();
        let bctx = BallotContext { election: &ctx, credential: &cred };
        let contests = chosen
            .contests
            .into_iter()
            .map(|c| c.prove(&bctx).map(|(contest, _)| contest))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Prepared { contests })
    }

    /// The ballot payload, signed for casting.
    pub fn cast_payload(&self, view: &PollView, p: &Prepared) -> Result<Vec<u8>> {
        let (_, dh) = view.definition.as_ref().ok_or_else(|| ClientError::protocol("no definition"))?;
        Ok(Ballot::sign(Purpose::Cast, &self.credential, &view.manifest_hash, dh, p.contests.clone())
            .to_bytes())
    }

    /// Casts a prepared ballot; checks and returns its receipt.
    pub async fn cast<T: Transport>(&self, api: &Api<T>, view: &PollView, p: &Prepared) -> Result<Receipt> {
        let payload = self.cast_payload(view, p)?;
        let reply = api.cast(&payload).await?;
        let receipt = Receipt::from_bytes(&hex_field(&reply, &["receipt"])?)?;
        receipt.verify(&payload, &view.manifest.server_key, &view.manifest_hash)?;
        Ok(receipt)
    }
}

impl Default for Member {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks a receipt against the board now: fetches the receipt for the
/// tracking code under the latest checkpoint and checks the checkpoint is
/// signed, covers the entry and (when the receipt's checkpoint is older)
/// that the board only grew since. Returns the latest checkpoint's size.
pub async fn check_receipt<T: Transport>(
    api: &Api<T>,
    view: &PollView,
    receipt: &Receipt,
    payload: &[u8],
) -> Result<u64> {
    receipt.verify(payload, &view.manifest.server_key, &view.manifest_hash)?;
    let fresh = api.get(&format!("/receipts/{}", hex::encode(receipt.tracking_code))).await?;
    let fresh = Receipt::from_bytes(&hex_field(&fresh, &["receipt"])?)?;
    fresh.verify(payload, &view.manifest.server_key, &view.manifest_hash)?;
    if fresh.index != receipt.index {
        return Err(ClientError::protocol("the ballot moved on the board"));
    }
    let (old, new) = (&receipt.checkpoint, &fresh.checkpoint);
    if new.size > old.size {
        let proof = api.get(&format!("/consistency?from={}&to={}", old.size, new.size)).await?;
        let proof = shortlist_board::merkle::ConsistencyProof::from_bytes(&hex_field(&proof, &["proof"])?)
            .map_err(|e| ClientError::protocol(e.to_string()))?;
        shortlist_board::checkpoint::check_consistency(
            old,
            new,
            &proof,
            &view.manifest.server_key,
            &view.manifest_hash,
        )?;
    } else if new.size == old.size && (new.root != old.root || new.head != old.head) {
        return Err(ClientError::protocol("equivocation: two checkpoints of one size disagree"));
    }
    let _: &Checkpoint = new;
    Ok(new.size)
}

/// Whether a cast ballot counts, as the board shows it now (spec: board
/// V4.6, V6.1): read from the entries after the ballot's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BallotStatus {
    /// Voting is open and no later ballot replaced it: it counts unless the
    /// member votes again.
    Current,
    /// Voting closed and no later ballot replaced it; the tally has not
    /// summed the ballots yet.
    WillCount,
    /// The tally's aggregate (the entry at this index) sums it.
    Counted {
        /// The aggregate entry's index.
        aggregate: u64,
    },
    /// A later ballot under the same credential replaced it ("last ballot
    /// counts"): it is not counted.
    Replaced {
        /// The later ballot's entry index.
        by: u64,
    },
}

/// Reads the board after the ballot `payload` (at entry `index`) and says
/// whether it counts: replaced by a later ballot of the same credential
/// (revote "last"), summed by the aggregate, or still current.
pub async fn ballot_status<T: Transport>(
    api: &Api<T>,
    view: &PollView,
    index: u64,
    payload: &[u8],
) -> Result<BallotStatus> {
    let mine = Ballot::from_bytes(payload)?.credential.to_bytes();
    let later = crate::board::entries(api, index.saturating_add(1), false).await?;
    // spec: V4.6 — whether a later ballot replaces this one is the lifecycle's policy.
    let last_counts = shortlist_board::lifecycle::rules::supersedes(view.manifest.revote);
    let mut status = BallotStatus::Current;
    for e in &later {
        match e.kind {
            shortlist_board::entry::EntryKind::Ballot
                if last_counts
                    && Ballot::from_bytes(&e.payload).is_ok_and(|b| b.credential.to_bytes() == mine) =>
            {
                status = BallotStatus::Replaced { by: e.index };
            }
            shortlist_board::entry::EntryKind::VotingClosed if status == BallotStatus::Current => {
                status = BallotStatus::WillCount;
            }
            shortlist_board::entry::EntryKind::Aggregate if status == BallotStatus::WillCount => {
                status = BallotStatus::Counted { aggregate: e.index };
            }
            _ => {}
        }
    }
    Ok(status)
}
