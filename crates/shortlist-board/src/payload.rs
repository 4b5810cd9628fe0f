//! Payloads of the entries after the manifest and the definition (spec:
//! board §4.4–§4.9): signed trustee messages, credential registrations,
//! ballots, spoiled ballots, aggregates and the result.

use shortlist_crypto::ballot::{AuditedContest, ChosenContest, ContestOpening, EncryptedContest};
use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret, SIGNATURE_LEN};
use shortlist_crypto::elgamal::Ciphertext;

use crate::checkpoint::{Checkpoint, CHECKPOINT_LEN};
use crate::codec::{Reader, Writer};
use crate::entry::{EntryKind, Hash};
use crate::error::{BoardError, Result};
use crate::manifest::MAX_CONTESTS;

/// Domain separator of trustee signatures.
pub const TRUSTEE_DOMAIN: &[u8] = b"shortlist/v1/trustee\0";
/// Domain separator of the signature on a cast ballot.
pub const BALLOT_DOMAIN: &[u8] = b"shortlist/v1/ballot\0";
/// What a credential signs a ballot for (spec: board §4.6). Only casting:
/// an audited ballot carries no credential and no signature (§4.7), so that
/// no audit ties a choice to a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// To cast it: it may count.
    Cast,
}
const MAX_BODY: usize = 8 * 1024 * 1024;

/// A message signed by a trustee: a ceremony message or a decryption share
/// (spec: board §4.4). The signature covers
/// `domain ‖ manifest hash ‖ u8 kind ‖ u16 trustee ‖ body`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrusteeMessage {
    /// The signing trustee's index.
    pub trustee: u16,
    /// The message: a crypto-core encoding (commitment message, encrypted
    /// share, complaint) or a list of decryption shares.
    pub body: Vec<u8>,
    /// The trustee's ed25519 signature.
    pub signature: [u8; SIGNATURE_LEN],
}

fn trustee_message(manifest_hash: &Hash, kind: EntryKind, trustee: u16, body: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.fixed(TRUSTEE_DOMAIN).fixed(manifest_hash).u8(kind.code()).u16(trustee).fixed(body);
    w.finish()
}

impl TrusteeMessage {
    /// Signs `body` as trustee `trustee`.
    pub fn sign(
        key: &CredentialSecret,
        manifest_hash: &Hash,
        kind: EntryKind,
        trustee: u16,
        body: Vec<u8>,
    ) -> Self {
        let signature = key.sign(&trustee_message(manifest_hash, kind, trustee, &body));
        Self { trustee, body, signature }
    }

    /// Checks the signature against the trustee's manifest key (spec: board
    /// V5.1, V5.2, V5.5 for ceremony messages, V6.2 for decryption shares).
    pub fn verify(&self, key: &CredentialPublicKey, manifest_hash: &Hash, kind: EntryKind) -> Result<()> {
        let step = match kind {
            EntryKind::CeremonyCommitment => "V5.1",
            EntryKind::CeremonyShare => "V5.2",
            EntryKind::CeremonyComplaint => "V5.5",
            _ => "V6.2",
        };
        key.verify(&trustee_message(manifest_hash, kind, self.trustee, &self.body), &self.signature)
            .map_err(|_| BoardError::invalid(step, format!("bad signature by trustee {}", self.trustee)))
    }

    /// `u16 trustee ‖ bytes body ‖ signature`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u16(self.trustee).bytes(&self.body).fixed(&self.signature);
        w.finish()
    }

    /// Decodes a trustee message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("trustee message", bytes);
        let m = Self { trustee: r.u16()?, body: r.bytes(MAX_BODY)?.to_vec(), signature: r.fixed()? };
        r.finish()?;
        Ok(m)
    }
}

/// Encodes a list of byte strings (e.g. one decryption share per contest).
pub fn encode_list(items: &[Vec<u8>]) -> Vec<u8> {
    let mut w = Writer::new();
    w.count(items.len());
    for i in items {
        w.bytes(i);
    }
    w.finish()
}

/// Decodes a list of byte strings.
pub fn decode_list(what: &'static str, bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut r = Reader::new(what, bytes);
    let n = r.count(MAX_CONTESTS)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(r.bytes(MAX_BODY)?.to_vec());
    }
    r.finish()?;
    Ok(out)
}

/// A cast ballot (spec: board §4.6): the credential, one encrypted contest
/// per manifest contest, and the credential's signature over
/// `domain ‖ manifest hash ‖ definition hash ‖ credential ‖ contests`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    /// The credential public key.
    pub credential: CredentialPublicKey,
    /// One encrypted contest per manifest contest, in order.
    pub contests: Vec<EncryptedContest>,
    /// The credential's signature.
    pub signature: [u8; SIGNATURE_LEN],
}

fn contests_bytes(contests: &[EncryptedContest]) -> Vec<u8> {
    encode_list(&contests.iter().map(EncryptedContest::to_bytes).collect::<Vec<_>>())
}

fn ballot_message(
    purpose: Purpose,
    manifest_hash: &Hash,
    definition_hash: &Hash,
    credential: &CredentialPublicKey,
    body: &[u8],
) -> Vec<u8> {
    let mut w = Writer::new();
    w.fixed(match purpose {
        Purpose::Cast => BALLOT_DOMAIN,
    })
    .fixed(manifest_hash)
    .fixed(definition_hash)
    .fixed(&credential.to_bytes())
    .fixed(body);
    w.finish()
}

impl Ballot {
    /// Signs the contests with the credential key, to cast or to audit.
    pub fn sign(
        purpose: Purpose,
        credential: &CredentialSecret,
        manifest_hash: &Hash,
        definition_hash: &Hash,
        contests: Vec<EncryptedContest>,
    ) -> Self {
        let pk = credential.public_key();
        let signature = credential.sign(&ballot_message(
            purpose,
            manifest_hash,
            definition_hash,
            &pk,
            &contests_bytes(&contests),
        ));
        Self { credential: pk, contests, signature }
    }

    /// Checks the credential's signature for `purpose` (spec: board V4.2, V4.8).
    pub fn verify_signature(
        &self,
        purpose: Purpose,
        manifest_hash: &Hash,
        definition_hash: &Hash,
    ) -> Result<()> {
        let msg = ballot_message(
            purpose,
            manifest_hash,
            definition_hash,
            &self.credential,
            &contests_bytes(&self.contests),
        );
        self.credential.verify(&msg, &self.signature).map_err(|_| {
            BoardError::invalid("V4.2", "the ballot's signature does not verify under its credential")
        })
    }

    /// `credential ‖ list of contests ‖ signature`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(&self.credential.to_bytes()).fixed(&contests_bytes(&self.contests)).fixed(&self.signature);
        w.finish()
    }

    /// Decodes a ballot.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("ballot", bytes);
        let b = Self::read(&mut r)?;
        r.finish()?;
        Ok(b)
    }

    /// Each contest's id and ciphertexts, read from an encoded ballot that
    /// was checked before (admitted to the board), without decoding its
    /// credential key, proofs or signature: what summing needs.
    pub fn ciphertexts_of(bytes: &[u8]) -> Result<Vec<(u32, Vec<Ciphertext>)>> {
        let mut r = Reader::new("ballot", bytes);
        r.fixed::<32>()?;
        let n = r.count(MAX_CONTESTS)?;
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            contests.push(EncryptedContest::ciphertexts_from_bytes(r.bytes(MAX_BODY)?)?);
        }
        Ok(contests)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let credential = CredentialPublicKey::from_bytes(&r.fixed::<32>()?)?;
        let n = r.count(MAX_CONTESTS)?;
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            contests.push(EncryptedContest::from_bytes(r.bytes(MAX_BODY)?)?);
        }
        let signature = r.fixed()?;
        Ok(Self { credential, contests, signature })
    }
}

/// An audited (spoiled) ballot (spec: board §4.7): each contest's
/// ciphertexts and their openings, with **no credential, no proof and no
/// signature**, so nothing on the board ties the audited choice to a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpoiledBallot {
    /// One audited contest per manifest contest, in order.
    pub contests: Vec<AuditedContest>,
    /// One opening per contest.
    pub openings: Vec<ContestOpening>,
}

impl SpoiledBallot {
    /// Opens chosen contests for an audit (spec: protocol §8.4); they can
    /// never be cast afterwards.
    pub fn open(chosen: Vec<ChosenContest>) -> Self {
        let (contests, openings) = chosen.into_iter().map(ChosenContest::open).unzip();
        Self { contests, openings }
    }

    /// `list of audited contests ‖ list of openings`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(&encode_list(&self.contests.iter().map(AuditedContest::to_bytes).collect::<Vec<_>>()));
        w.fixed(&encode_list(&self.openings.iter().map(ContestOpening::to_bytes).collect::<Vec<_>>()));
        w.finish()
    }

    /// Decodes a spoiled ballot.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("spoiled ballot", bytes);
        let n = r.count(MAX_CONTESTS)?;
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            contests.push(AuditedContest::from_bytes(r.bytes(MAX_BODY)?)?);
        }
        let openings = decode_list("spoiled ballot", r.rest())?
            .iter()
            .map(|b| ContestOpening::from_bytes(b).map_err(BoardError::from))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { contests, openings })
    }

    /// The fingerprint a member's device shows before the member decides to
    /// cast or audit (spec: board §4.7).
    pub fn fingerprint(&self) -> Hash {
        fingerprint(self.contests.iter().map(|c| c.ciphertexts.as_slice()))
    }
}

/// The ballot fingerprint (spec: board §4.7): the V4.7 hash of each contest's
/// ciphertexts, hashed together in manifest order:
/// `SHA-256("shortlist/v1/fingerprint" ‖ 0x00 ‖ h_0 ‖ … ‖ h_{k−1})` with
/// `h_i = SHA-256(A₀‖B₀‖…)` of contest `i`. The same for the chosen
/// contests, the audited ballot and the cast ballot with those ciphertexts.
pub fn fingerprint<'a>(contests: impl IntoIterator<Item = &'a [Ciphertext]>) -> Hash {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(FINGERPRINT_DOMAIN);
    for cts in contests {
        h.update(ciphertexts_hash(cts));
    }
    h.finalize().into()
}

/// Domain separator of the ballot fingerprint.
pub const FINGERPRINT_DOMAIN: &[u8] = b"shortlist/v1/fingerprint\0";

/// The V4.7 hash of one contest's ciphertexts: `SHA-256(A₀‖B₀‖…‖A_{n−1}‖B_{n−1})`
/// (spec: board §8.4).
pub fn ciphertexts_hash(cts: &[Ciphertext]) -> Hash {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for ct in cts {
        h.update(ct.to_bytes());
    }
    h.finalize().into()
}

/// The body of a decryption-share message (spec: board §4.10): the signed
/// checkpoint of the board the trustee verified before decrypting, then one
/// DecryptionShare encoding per contest. A share made on a forked board is
/// thereby signed evidence of the server's equivocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionShares {
    /// The checkpoint the trustee verified (it covers the aggregate).
    pub checkpoint: Checkpoint,
    /// One DecryptionShare encoding per manifest contest, in order.
    pub shares: Vec<Vec<u8>>,
}

impl DecryptionShares {
    /// Each contest's share, decoded (spec: protocol §7.2, one per contest).
    pub fn decoded(&self) -> shortlist_crypto::Result<Vec<shortlist_crypto::threshold::DecryptionShare>> {
        self.shares.iter().map(|b| shortlist_crypto::threshold::DecryptionShare::from_bytes(b)).collect()
    }

    /// `checkpoint (144 bytes) ‖ list of shares`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(&self.checkpoint.to_bytes()).fixed(&encode_list(&self.shares));
        w.finish()
    }

    /// Decodes the body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("decryption shares", bytes);
        let checkpoint = Checkpoint::from_bytes(&r.fixed::<CHECKPOINT_LEN>()?)?;
        let shares = decode_list("decryption shares", r.rest())?;
        Ok(Self { checkpoint, shares })
    }
}

/// The aggregate of one contest: how many ballots count and the sum of their
/// ciphertexts per candidate (spec: board §4.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestAggregate {
    /// The contest id.
    pub contest_id: u32,
    /// The number of ballots that count.
    pub ballots: u64,
    /// One ciphertext per candidate.
    pub totals: Vec<Ciphertext>,
}

/// The aggregates of every contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregate {
    /// One per manifest contest, in order.
    pub contests: Vec<ContestAggregate>,
}

impl Aggregate {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.count(self.contests.len());
        for c in &self.contests {
            w.u32(c.contest_id).u64(c.ballots).count(c.totals.len());
            for ct in &c.totals {
                w.fixed(&ct.to_bytes());
            }
        }
        w.finish()
    }

    /// Decodes aggregates.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("aggregate", bytes);
        let n = r.count(MAX_CONTESTS)?;
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            let contest_id = r.u32()?;
            let ballots = r.u64()?;
            let k = r.count(usize::from(shortlist_crypto::ballot::MAX_CANDIDATES))?;
            let mut totals = Vec::with_capacity(k);
            for _ in 0..k {
                totals.push(Ciphertext::from_bytes(&r.fixed::<64>()?)?);
            }
            contests.push(ContestAggregate { contest_id, ballots, totals });
        }
        r.finish()?;
        Ok(Self { contests })
    }
}

/// The result of one contest (spec: board §4.9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestResult {
    /// The contest id.
    pub contest_id: u32,
    /// Votes per candidate, in definition order.
    pub counts: Vec<u64>,
    /// Candidate ids from most to fewest votes, ties broken by the manifest's rule.
    pub ranking: Vec<u32>,
    /// The candidate ids elected to the slate, in ranking order.
    pub slate: Vec<u32>,
}

/// The result of the poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollResult {
    /// The decrypting trustees.
    pub trustees: Vec<u16>,
    /// One per manifest contest, in order.
    pub contests: Vec<ContestResult>,
}

impl PollResult {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.count(self.trustees.len());
        for t in &self.trustees {
            w.u16(*t);
        }
        w.count(self.contests.len());
        for c in &self.contests {
            w.u32(c.contest_id).count(c.counts.len());
            for n in &c.counts {
                w.u64(*n);
            }
            w.count(c.ranking.len());
            for id in &c.ranking {
                w.u32(*id);
            }
            w.count(c.slate.len());
            for id in &c.slate {
                w.u32(*id);
            }
        }
        w.finish()
    }

    /// Decodes a result.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("result", bytes);
        let n = r.count(usize::from(shortlist_crypto::dkg::MAX_TRUSTEES))?;
        let mut trustees = Vec::with_capacity(n);
        for _ in 0..n {
            trustees.push(r.u16()?);
        }
        let n = r.count(MAX_CONTESTS)?;
        let mut contests = Vec::with_capacity(n);
        let max = usize::from(shortlist_crypto::ballot::MAX_CANDIDATES);
        for _ in 0..n {
            let contest_id = r.u32()?;
            let k = r.count(max)?;
            let counts = (0..k).map(|_| r.u64()).collect::<Result<Vec<_>>>()?;
            let k = r.count(max)?;
            let ranking = (0..k).map(|_| r.u32()).collect::<Result<Vec<_>>>()?;
            let k = r.count(max)?;
            let slate = (0..k).map(|_| r.u32()).collect::<Result<Vec<_>>>()?;
            contests.push(ContestResult { contest_id, counts, ranking, slate });
        }
        r.finish()?;
        Ok(Self { trustees, contests })
    }
}
