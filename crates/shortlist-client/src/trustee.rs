//! A trustee's software (spec: protocol §6, board §4.4): the key ceremony
//! and the partial decryption, with every secret kept on this machine. Each
//! message is signed with the trustee's manifest key.

use rand::rngs::OsRng;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::{Entry, EntryKind, Hash};
use shortlist_board::manifest::Manifest;
use shortlist_board::payload::{DecryptionShares, TrusteeMessage};
use shortlist_board::record::{self, Frame};
use shortlist_board::verify::Verifier;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::transport::{EncryptedShare, ShareCheck};
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, TrusteeSecrets};
use shortlist_crypto::threshold::KeyShare;
use shortlist_crypto::transcript::ElectionContext;

use crate::api::{Api, Transport};
use crate::board::{entries, PollView};
use crate::following::{Following, Verified};
use crate::{ClientError, Result};

/// One trustee's state through the ceremony and the tally.
pub struct Trustee {
    /// The trustee's index in the manifest.
    pub index: u16,
    key: CredentialSecret,
    secrets: Option<TrusteeSecrets>,
    share: Option<KeyShare>,
    // The payload hash of the one aggregate this trustee decrypts (spec:
    // protocol §7.2): kept with the key, so another is refused.
    decrypted: Option<Hash>,
    // Checkpoints this trustee has seen signed: a later board must agree
    // with each, or the server equivocated (spec: board V1.1).
    seen: Vec<Checkpoint>,
}

/// A decryption share made after the board verified, ready to post.
#[derive(Clone, Debug)]
pub struct Decryption {
    /// The payload hash of the aggregate decrypted.
    pub aggregate: Hash,
    /// The checkpoint the board was verified under (named in the share).
    pub checkpoint: Checkpoint,
    /// The signed trustee message to post.
    pub message: Vec<u8>,
    /// Whether it is this trustee's share already on the board, sent again
    /// (the server answers a repeat and finishes the tally if it had not).
    pub repeat: bool,
}

impl std::fmt::Debug for Trustee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Trustee({}, <redacted>)", self.index)
    }
}

fn params(view: &PollView) -> Result<CeremonyParams> {
    Ok(CeremonyParams {
        manifest_hash: view.manifest_hash,
        n: u16::try_from(view.manifest.trustees.len())
            .map_err(|_| ClientError::protocol("too many trustees"))?,
        t: view.manifest.threshold,
    })
}

fn signed(key: &CredentialSecret, mh: &Hash, kind: EntryKind, index: u16, body: Vec<u8>) -> Vec<u8> {
    TrusteeMessage::sign(key, mh, kind, index, body).to_bytes()
}

/// Trustee messages of `kind` on the board, checked against the manifest keys.
fn messages(view: &PollView, board: &[Entry], kind: EntryKind) -> Vec<TrusteeMessage> {
    board
        .iter()
        .filter(|e| e.kind == kind)
        .filter_map(|e| TrusteeMessage::from_bytes(&e.payload).ok())
        .filter(|m| {
            view.manifest
                .trustees
                .iter()
                .any(|t| t.index == m.trustee && m.verify(&t.key, &view.manifest_hash, kind).is_ok())
        })
        .collect()
}

impl Trustee {
    /// A trustee with its signing key.
    pub fn new(index: u16, key: CredentialSecret) -> Self {
        Self { index, key, secrets: None, share: None, decrypted: None, seen: Vec::new() }
    }

    /// A trustee restored from its key file: ceremony secrets and key share
    /// as far as the ceremony got.
    pub fn restore(
        index: u16,
        key: CredentialSecret,
        secrets: Option<TrusteeSecrets>,
        share: Option<KeyShare>,
    ) -> Self {
        Self { index, key, secrets, share, decrypted: None, seen: Vec::new() }
    }

    /// Restores what this trustee kept of the tally: the aggregate it
    /// decrypted, if any, and the checkpoints it has seen.
    pub fn with_history(mut self, decrypted: Option<Hash>, seen: Vec<Checkpoint>) -> Self {
        self.decrypted = decrypted;
        self.seen = seen;
        self
    }

    /// The payload hash of the aggregate this trustee decrypted, if any.
    pub fn decrypted(&self) -> Option<Hash> {
        self.decrypted
    }

    /// The checkpoints this trustee has seen signed.
    pub fn seen(&self) -> &[Checkpoint] {
        &self.seen
    }

    /// spec: board §1.5 — takes part only in a poll whose manifest lists
    /// this trustee's own key at its index.
    fn check_manifest(&self, manifest: &Manifest) -> Result<()> {
        let mine = self.key.public_key().to_bytes();
        match manifest.trustees.iter().find(|t| t.index == self.index) {
            Some(t) if t.key.to_bytes() == mine => Ok(()),
            _ => Err(ClientError::protocol(format!(
                "the poll's manifest does not list this trustee's key at index {}: refusing to take part",
                self.index
            ))),
        }
    }

    /// Remembers the server's latest signed checkpoint (spec: board §6.1),
    /// so that a board shown later must agree with it.
    pub async fn remember_checkpoint<T: Transport>(&mut self, api: &Api<T>, view: &PollView) -> Result<()> {
        let latest = api.get("/checkpoints/latest").await?;
        let c = Checkpoint::from_bytes(&crate::api::hex_field(&latest, &["bytes"])?)?;
        c.verify(&view.manifest.server_key, &view.manifest_hash)?;
        if !self.seen.iter().any(|s| s.size == c.size) {
            self.seen.push(c);
        }
        Ok(())
    }

    /// The ceremony secrets, between round one and the key share.
    pub fn secrets(&self) -> Option<&TrusteeSecrets> {
        self.secrets.as_ref()
    }

    /// Round one: makes the polynomial and posts the commitment message.
    pub async fn commit<T: Transport>(&mut self, api: &Api<T>, view: &PollView) -> Result<()> {
        self.check_manifest(&view.manifest)?;
        let p = params(view)?;
        let (secrets, message) = dkg::start(&p, self.index, &mut OsRng)?;
        let body = signed(
            &self.key,
            &view.manifest_hash,
            EntryKind::CeremonyCommitment,
            self.index,
            message.to_bytes(),
        );
        api.trustee_message("commitment", &body).await?;
        self.secrets = Some(secrets);
        Ok(())
    }

    /// Round two: once every trustee has committed, checks each commitment
    /// and posts one encrypted share to each other trustee.
    pub async fn send_shares<T: Transport>(&mut self, api: &Api<T>, view: &PollView) -> Result<()> {
        let p = params(view)?;
        let board = entries(api, 0, true).await?;
        let mut all = Vec::new();
        for m in messages(view, &board, EntryKind::CeremonyCommitment) {
            let c = CommitmentMessage::from_bytes(&m.body)?;
            c.verify(&p, &mut OsRng)?;
            all.push(c);
        }
        if all.len() != usize::from(p.n) {
            return Err(ClientError::protocol(format!("{} of {} trustees have committed", all.len(), p.n)));
        }
        let secrets = self.secrets.as_ref().ok_or_else(|| ClientError::protocol("commit first"))?;
        for share in secrets.encrypt_shares(&p, &all)? {
            let body = signed(
                &self.key,
                &view.manifest_hash,
                EntryKind::CeremonyShare,
                self.index,
                share.to_bytes(),
            );
            api.trustee_message("share", &body).await?;
        }
        Ok(())
    }

    /// Round three: checks the shares addressed to this trustee, complains
    /// about bad ones, and derives the key share. Returns the complaints made.
    pub async fn receive_shares<T: Transport>(&mut self, api: &Api<T>, view: &PollView) -> Result<usize> {
        let p = params(view)?;
        let board = entries(api, 0, true).await?;
        let commitments: Vec<CommitmentMessage> = messages(view, &board, EntryKind::CeremonyCommitment)
            .iter()
            .filter_map(|m| CommitmentMessage::from_bytes(&m.body).ok())
            .collect();
        let secrets = self.secrets.as_ref().ok_or_else(|| ClientError::protocol("commit first"))?;
        let me = commitments
            .iter()
            .find(|c| c.trustee == self.index)
            .ok_or_else(|| ClientError::protocol("own commitment not on the board"))?;
        let mut received = Vec::new();
        let mut complaints = 0;
        for m in messages(view, &board, EntryKind::CeremonyShare) {
            let Ok(share) = EncryptedShare::from_bytes(&m.body) else { continue };
            if share.recipient != self.index || share.sender != m.trustee {
                continue;
            }
            let Some(sender) = commitments.iter().find(|c| c.trustee == share.sender) else { continue };
            match secrets.receive_share(&p, sender, me, &share, &mut OsRng)? {
                ShareCheck::Valid(v) => received.push((share.sender, v)),
                ShareCheck::Invalid(c) => {
                    let body = signed(
                        &self.key,
                        &view.manifest_hash,
                        EntryKind::CeremonyComplaint,
                        self.index,
                        c.to_bytes(),
                    );
                    api.trustee_message("complaint", &body).await?;
                    complaints += 1;
                }
            }
        }
        if complaints == 0 {
            // The verifier's reading of the ceremony (spec: V5.6), not our own.
            let mut v = Verifier::new();
            for e in &board {
                v.feed(&Frame::Entry(e.clone()), 0);
            }
            let (public, indices) = v
                .ceremony_qualified()
                .ok_or_else(|| ClientError::protocol("the key ceremony failed on the board (V5.6)"))?;
            self.share = Some(secrets.finish(&p, &public, &indices, &received)?);
        }
        Ok(complaints)
    }

    /// The key share, once the ceremony is done.
    pub fn key_share(&self) -> Option<&KeyShare> {
        self.share.as_ref()
    }

    /// Tally: verifies the board, then decrypts and posts (spec: protocol
    /// §7.2). See [`Self::prepare_decryption`]; a caller that keeps state on
    /// disk should call it, save [`Self::decrypted`], then post.
    pub async fn decrypt<T: Transport>(&mut self, api: &Api<T>) -> Result<Decryption> {
        let d = self.prepare_decryption(api).await?;
        post_decryption(api, &d).await?;
        Ok(d)
    }

    /// Downloads the whole record and runs the full verifier over it (chain,
    /// checkpoints, manifest, ceremony, every ballot's signature,
    /// registration, window and proofs, duplicates, the revote policy and the
    /// aggregate: every step through V6.1), against every checkpoint this
    /// trustee has seen. Only if all hold, and only for the one aggregate
    /// this trustee ever decrypts, makes its decryption share, naming the
    /// checkpoint it verified (spec: protocol §7.2, board §4.10, §8.5).
    pub async fn prepare_decryption<T: Transport>(&mut self, api: &Api<T>) -> Result<Decryption> {
        if self.share.is_none() {
            return Err(ClientError::protocol("no key share: the ceremony did not finish"));
        }
        let record = api.record().await?;
        let verified = verify_record(&record, self.seen.clone(), self.index)?;
        self.decide(verified)
    }

    /// [`Self::prepare_decryption`] for a trustee that followed the board
    /// during voting ([`Following`]): reads and verifies only the entries
    /// since its last read, then ends the same verification and applies the
    /// same rules. The share is made only if every step through V6.1 holds
    /// over the whole board (spec: protocol §7.2, board §8.6).
    pub async fn prepare_decryption_following<T: Transport>(
        &mut self,
        api: &Api<T>,
        mut following: Following,
    ) -> Result<Decryption> {
        following.catch_up(api).await?;
        let verified = following.finish();
        self.decide(verified)
    }

    /// The rules of [`Self::prepare_decryption`] over a verified board.
    fn decide(&mut self, (report, facts, own_posted): Verified) -> Result<Decryption> {
        let share = self
            .share
            .as_ref()
            .ok_or_else(|| ClientError::protocol("no key share: the ceremony did not finish"))?;
        if let Some(step) = report.failed_through(shortlist_board::verify::Step::V6_1).first() {
            return Err(ClientError::protocol(format!(
                "the board fails {} ({}): {}; refusing to decrypt",
                step.id,
                step.title,
                step.details.first().map_or("", String::as_str)
            )));
        }
        let (manifest, manifest_hash) =
            facts.manifest.ok_or_else(|| ClientError::protocol("the record has no manifest"))?;
        self.check_manifest(&manifest)?;
        let (group, _) =
            facts.group.ok_or_else(|| ClientError::protocol("the key ceremony failed (V5.6)"))?;
        if share.verification_key() != group.verification_key(self.index) {
            return Err(ClientError::protocol(
                "this trustee's key share does not match the board's key ceremony (V5.6); refusing to decrypt",
            ));
        }
        let (at, aggregate_hash, aggregate) =
            facts.aggregate.ok_or_else(|| ClientError::protocol("no aggregate yet"))?;
        let checkpoint =
            facts.checkpoint.ok_or_else(|| ClientError::protocol("the record has no checkpoint"))?;
        if checkpoint.size <= at {
            return Err(ClientError::protocol("the record's checkpoint does not cover the aggregate"));
        }
        match self.decrypted {
            Some(done) if done != aggregate_hash => {
                return Err(ClientError::protocol(
                    "this trustee already decrypted another aggregate of this poll; refusing a second",
                ))
            }
            _ => self.decrypted = Some(aggregate_hash),
        }
        if !self.seen.iter().any(|s| s.size == checkpoint.size) {
            self.seen.push(checkpoint.clone());
        }
        if let Some(message) = own_posted {
            return Ok(Decryption { aggregate: aggregate_hash, checkpoint, message, repeat: true });
        }
        let definition_hash = facts
            .definition_hash
            .ok_or_else(|| ClientError::protocol("the record has no ballot definition"))?;
        let ctx = ElectionContext { manifest_hash, definition_hash, joint_key: group.joint_key };
        let mut shares = Vec::new();
        for c in &aggregate.contests {
            shares.push(share.decrypt(&ctx, &c.totals, &mut OsRng)?.to_bytes());
        }
        let body = DecryptionShares { checkpoint: checkpoint.clone(), shares }.to_bytes();
        let message = signed(&self.key, &manifest_hash, EntryKind::DecryptionShare, self.index, body);
        Ok(Decryption { aggregate: aggregate_hash, checkpoint, message, repeat: false })
    }
}

/// Posts a decryption share made by [`Trustee::prepare_decryption`].
pub async fn post_decryption<T: Transport>(api: &Api<T>, d: &Decryption) -> Result<()> {
    api.trustee_message("decryption", &d.message).await?;
    Ok(())
}

/// Runs the record verifier over a record held in memory, with saved
/// checkpoints; also returns trustee `me`'s decryption share if it is on
/// the board.
fn verify_record(record: &[u8], seen: Vec<Checkpoint>, me: u16) -> Result<Verified> {
    let mut reader = record::open(std::io::Cursor::new(record))?;
    let mut v = Verifier::new();
    v.expect_checkpoints(seen);
    let mut own_posted = None;
    loop {
        let offset = reader.offset();
        match reader.next() {
            None => break,
            Some(Ok(frame)) => {
                if let Frame::Entry(e) = &frame {
                    if e.kind == EntryKind::DecryptionShare
                        && TrusteeMessage::from_bytes(&e.payload).is_ok_and(|m| m.trustee == me)
                    {
                        own_posted = Some(e.payload.clone());
                    }
                }
                v.feed(&frame, offset);
            }
            Some(Err(err)) => return Err(ClientError::protocol(format!("unreadable record: {err}"))),
        }
    }
    let mut reread = |offset: u64| -> shortlist_board::Result<Frame> {
        let rest = usize::try_from(offset).ok().and_then(|o| record.get(o..)).unwrap_or_default();
        record::read_frame(&mut std::io::Cursor::new(rest))
    };
    let (report, facts) = v.finish_with_facts(&mut reread);
    Ok((report, facts, own_posted))
}
