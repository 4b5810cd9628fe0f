//! An honest key ceremony run in one process (for `demo` and `simulate`):
//! every trustee's round-one message and encrypted shares, each checked.

use anyhow::{bail, Context, Result};
use rand::{CryptoRng, RngCore};
use shortlist_crypto::dkg::transport::{EncryptedShare, ShareCheck};
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, GroupPublic};
use shortlist_crypto::threshold::KeyShare;

/// Everything an honest ceremony produced.
pub struct CeremonyRun {
    /// Every trustee's round-one message, by index.
    pub commitments: Vec<CommitmentMessage>,
    /// Every encrypted share.
    pub shares: Vec<EncryptedShare>,
    /// The joint key and verification keys.
    pub public: GroupPublic,
    /// Every trustee's key share, by index.
    pub keys: Vec<KeyShare>,
}

/// Runs the ceremony for `params`, checking every message and share, with
/// the randomness from `rng` (a seeded one for reproducible records).
pub fn run_with(params: &CeremonyParams, rng: &mut (impl RngCore + CryptoRng)) -> Result<CeremonyRun> {
    let mut secrets = Vec::new();
    let mut commitments: Vec<CommitmentMessage> = Vec::new();
    for i in 1..=params.n {
        let (s, m) = dkg::start(params, i, rng)?;
        secrets.push(s);
        commitments.push(m);
    }
    for m in &commitments {
        m.verify(params, rng)?;
    }
    let mut shares = Vec::new();
    for s in &secrets {
        shares.extend(s.encrypt_shares(params, &commitments)?);
    }
    let qualified: Vec<&CommitmentMessage> = commitments.iter().collect();
    let public = GroupPublic::derive(params, &qualified)?;
    let indices: Vec<u16> = (1..=params.n).collect();
    let mut keys = Vec::new();
    for s in &secrets {
        let me = commitments.iter().find(|m| m.trustee == s.index()).context("own message")?;
        let mut received = Vec::new();
        for share in shares.iter().filter(|x| x.recipient == s.index()) {
            let sender = commitments.iter().find(|m| m.trustee == share.sender).context("sender")?;
            match s.receive_share(params, sender, me, share, rng)? {
                ShareCheck::Valid(v) => received.push((share.sender, v)),
                ShareCheck::Invalid(c) => {
                    bail!("trustee {} complained about trustee {}", c.recipient, c.sender)
                }
            }
        }
        keys.push(s.finish(params, &public, &indices, &received)?);
    }
    Ok(CeremonyRun { commitments, shares, public, keys })
}
