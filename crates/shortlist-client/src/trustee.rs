//! A trustee's software (spec: protocol §6, board §4.4): the key ceremony
//! and the partial decryption, with every secret kept on this machine. Each
//! message is signed with the trustee's manifest key.

use rand::rngs::OsRng;
use shortlist_board::entry::{Entry, EntryKind, Hash};
use shortlist_board::payload::{encode_list, Aggregate, Ballot, TrusteeMessage};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::transport::{EncryptedShare, ShareCheck};
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, GroupPublic, TrusteeSecrets};
use shortlist_crypto::threshold::KeyShare;

use crate::api::{Api, Transport};
use crate::board::{entries, PollView};
use crate::{ClientError, Result};

/// One trustee's state through the ceremony and the tally.
pub struct Trustee {
    /// The trustee's index in the manifest.
    pub index: u16,
    key: CredentialSecret,
    secrets: Option<TrusteeSecrets>,
    share: Option<KeyShare>,
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
        Self { index, key, secrets: None, share: None }
    }

    /// A trustee restored from its key file: ceremony secrets and key share
    /// as far as the ceremony got.
    pub fn restore(
        index: u16,
        key: CredentialSecret,
        secrets: Option<TrusteeSecrets>,
        share: Option<KeyShare>,
    ) -> Self {
        Self { index, key, secrets, share }
    }

    /// The ceremony secrets, between round one and the key share.
    pub fn secrets(&self) -> Option<&TrusteeSecrets> {
        self.secrets.as_ref()
    }

    /// Round one: makes the polynomial and posts the commitment message.
    pub async fn commit<T: Transport>(&mut self, api: &Api<T>, view: &PollView) -> Result<()> {
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
            let qualified: Vec<&CommitmentMessage> = commitments.iter().collect();
            let public = GroupPublic::derive(&p, &qualified)?;
            let indices: Vec<u16> = commitments.iter().map(|c| c.trustee).collect();
            self.share = Some(secrets.finish(&p, &public, &indices, &received)?);
        }
        Ok(complaints)
    }

    /// The key share, once the ceremony is done.
    pub fn key_share(&self) -> Option<&KeyShare> {
        self.share.as_ref()
    }

    /// Tally: recomputes the aggregate from the board's ballots (spec: board
    /// §9 — a trustee MUST NOT decrypt an aggregate it has not recomputed),
    /// then posts its decryption share for every contest.
    pub async fn decrypt<T: Transport>(&self, api: &Api<T>) -> Result<()> {
        let share = self
            .share
            .as_ref()
            .ok_or_else(|| ClientError::protocol("no key share: the ceremony did not finish"))?;
        let board = entries(api, 0, false).await?;
        let view = PollView::from_entries(&board)?;
        let ctx = view.context().ok_or_else(|| ClientError::protocol("the poll has no joint key"))?;
        let aggregate_entry = board
            .iter()
            .find(|e| e.kind == EntryKind::Aggregate)
            .ok_or_else(|| ClientError::protocol("no aggregate yet"))?;
        let posted = Aggregate::from_bytes(&aggregate_entry.payload)?;
        let recomputed = recompute(&view, &board)?;
        if recomputed != posted {
            return Err(ClientError::protocol(
                "the posted aggregate is not the sum of the counted ballots; refusing to decrypt",
            ));
        }
        let mut bodies = Vec::new();
        for c in &posted.contests {
            bodies.push(share.decrypt(&ctx, &c.totals, &mut OsRng)?.to_bytes());
        }
        let body = signed(
            &self.key,
            &view.manifest_hash,
            EntryKind::DecryptionShare,
            self.index,
            encode_list(&bodies),
        );
        api.trustee_message("decryption", &body).await?;
        Ok(())
    }
}

/// The aggregate of the ballots that count, from the board (spec: protocol §7.2).
pub fn recompute(view: &PollView, board: &[Entry]) -> Result<Aggregate> {
    let last = view.manifest.revote == shortlist_board::manifest::RevotePolicy::LastCounts;
    let mut counted: std::collections::HashMap<[u8; 32], &Entry> = std::collections::HashMap::new();
    for e in board.iter().filter(|e| e.kind == EntryKind::Ballot) {
        let cred: [u8; 32] = e
            .payload
            .get(..32)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ClientError::protocol("short ballot"))?;
        if last || !counted.contains_key(&cred) {
            counted.insert(cred, e);
        }
    }
    let mut sums = shortlist_board::sums::BallotSums::new(&view.shapes()?);
    let mut order: Vec<&&Entry> = counted.values().collect();
    order.sort_by_key(|e| e.index);
    for e in order {
        sums.add(&Ballot::from_bytes(&e.payload)?);
    }
    let ballots = u64::try_from(counted.len()).map_err(|_| ClientError::protocol("count"))?;
    Ok(sums.to_aggregate(ballots))
}
