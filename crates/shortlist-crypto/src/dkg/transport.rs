//! Share transport and complaints (spec: §6.3, §6.4).
//!
//! Trustee `i` encrypts `f_i(j)` to trustee `j` with ChaCha20-Poly1305 under a
//! key from HKDF-SHA-256 over the Diffie–Hellman point `Z = e_i·E_j = e_j·E_i`.
//! If the share is bad, `j` publishes `Z` with a Chaum–Pedersen proof that
//! `log_B₀ E_j = log_{E_i} Z`: anyone can then decrypt that one share and check
//! it, and no other secret is revealed.

use alloc::vec::Vec;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use hkdf::Hkdf;
use merlin::Transcript;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{CeremonyParams, CommitmentMessage, TrusteeSecrets};
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::proofs::dleq::{DleqProof, DleqStatement};
use crate::secret::SecretScalar;
use crate::transcript::TranscriptExt;
use crate::wire::{hex_serde, scalar_from_bytes, Point, Reader, WriteExt, WIRE_VERSION};

/// Length of an encrypted share: 32-byte scalar + 16-byte tag.
pub const SEALED_SHARE_LEN: usize = 48;

/// `f_i(j)` encrypted from trustee `i` to trustee `j` (spec: §6.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedShare {
    /// The sender `i`.
    pub sender: u16,
    /// The recipient `j`.
    pub recipient: u16,
    /// ChaCha20-Poly1305 ciphertext and tag.
    pub sealed: [u8; SEALED_SHARE_LEN],
}

/// A recipient's public complaint about a share (spec: §6.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Complaint {
    /// The accused sender `i`.
    pub sender: u16,
    /// The complaining recipient `j`.
    pub recipient: u16,
    /// The Diffie–Hellman point `Z = e_j·E_i`.
    pub shared_point: Point,
    /// Proof that `log_B₀ E_j = log_{E_i} Z`.
    pub proof: DleqProof,
}

/// Who a complaint shows to be at fault (spec: V5.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The share was bad: the sender is disqualified.
    SenderAtFault {
        /// The sender.
        sender: u16,
    },
    /// The share was good or the complaint is unproven: the complainer is at fault.
    ComplainerAtFault {
        /// The complainer.
        recipient: u16,
    },
}

/// What a recipient finds when it opens a share.
#[derive(Debug)]
pub enum ShareCheck {
    /// The share decrypts and matches the sender's commitments.
    Valid(SecretScalar),
    /// The share is bad; publish this complaint.
    Invalid(alloc::boxed::Box<Complaint>),
}

/// The AEAD key for the share from `sender` to `recipient` (spec: §6.3):
/// HKDF-SHA-256 with salt = manifest hash, IKM = `Z`, info =
/// `label ‖ u16 i ‖ u16 j ‖ E_i ‖ E_j ‖ SHA-256(commitment message of i)`.
fn share_key(
    params: &CeremonyParams,
    sender: &CommitmentMessage,
    recipient: &CommitmentMessage,
    z: &Point,
) -> Result<Zeroizing<[u8; 32]>> {
    let mut info = Vec::with_capacity(labels::HKDF_SHARE_INFO.len() + 100);
    info.extend_from_slice(labels::HKDF_SHARE_INFO);
    info.put_u16(sender.trustee);
    info.put_u16(recipient.trustee);
    info.put_point(&sender.encryption_key);
    info.put_point(&recipient.encryption_key);
    info.extend_from_slice(&Sha256::digest(sender.to_bytes()));
    let hk = Hkdf::<Sha256>::new(Some(&params.manifest_hash), &z.to_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    hk.expand(&info, key.as_mut())
        .map_err(|_| CryptoError::Malformed { what: "share key", reason: "HKDF output length" })?;
    Ok(key)
}

/// The associated data: `manifest hash ‖ u16 i ‖ u16 j`.
fn share_aad(params: &CeremonyParams, sender: u16, recipient: u16) -> Vec<u8> {
    let mut aad = params.manifest_hash.to_vec();
    aad.put_u16(sender);
    aad.put_u16(recipient);
    aad
}

/// The zero nonce: each key encrypts exactly one message (spec: §6.3).
fn nonce() -> Nonce {
    Nonce::default()
}

fn open_share(
    params: &CeremonyParams,
    sender: &CommitmentMessage,
    recipient: &CommitmentMessage,
    z: &Point,
    share: &EncryptedShare,
) -> core::result::Result<SecretScalar, &'static str> {
    let key = share_key(params, sender, recipient, z).map_err(|_| "key derivation failed")?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
    let aad = share_aad(params, share.sender, share.recipient);
    let plain = Zeroizing::new(
        cipher
            .decrypt(&nonce(), Payload { msg: &share.sealed, aad: &aad })
            .map_err(|_| "does not decrypt")?,
    );
    let s = scalar_from_bytes("share", &plain).map_err(|_| "not a canonical scalar")?;
    let s = SecretScalar::new(s);
    if s.expose_secret() * RISTRETTO_BASEPOINT_TABLE != sender.expected_share_image(share.recipient) {
        return Err("does not match the sender's commitments");
    }
    Ok(s)
}

fn complaint_transcript(params: &CeremonyParams, sender: u16, recipient: u16) -> Transcript {
    let mut t = params.transcript();
    t.domain_sep(labels::DS_COMPLAINT);
    t.append_int(labels::SENDER, u64::from(sender));
    t.append_int(labels::RECIPIENT, u64::from(recipient));
    t
}

impl TrusteeSecrets {
    /// Encrypts `f_i(j)` for every other trustee `j` (spec: §6.3). `all` holds
    /// every trustee's verified commitment message.
    pub fn encrypt_shares(
        &self,
        params: &CeremonyParams,
        all: &[CommitmentMessage],
    ) -> Result<Vec<EncryptedShare>> {
        let me = all.iter().find(|m| m.trustee == self.index).ok_or(CryptoError::BadTrusteeIndex {
            step: "V5.2",
            index: self.index,
            reason: "own commitment message missing",
        })?;
        let mut out = Vec::with_capacity(all.len());
        for recipient in all.iter().filter(|m| m.trustee != self.index) {
            params.check_index("V5.2", recipient.trustee)?;
            let z =
                Point::from_point(self.encryption_secret.expose_secret() * recipient.encryption_key.point());
            let key = share_key(params, me, recipient, &z)?;
            let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
            let share = self.evaluate(recipient.trustee);
            let aad = share_aad(params, self.index, recipient.trustee);
            let sealed = cipher
                .encrypt(&nonce(), Payload { msg: share.expose_secret().as_bytes(), aad: &aad })
                .map_err(|_| CryptoError::Malformed {
                    what: "encrypted share",
                    reason: "encryption failed",
                })?;
            let sealed: [u8; SEALED_SHARE_LEN] = sealed.try_into().map_err(|_| CryptoError::Malformed {
                what: "encrypted share",
                reason: "unexpected length",
            })?;
            out.push(EncryptedShare { sender: self.index, recipient: recipient.trustee, sealed });
        }
        Ok(out)
    }

    /// Opens a share addressed to this trustee and checks it against the
    /// sender's commitments (spec: V5.4); if it is bad, makes a complaint.
    pub fn receive_share(
        &self,
        params: &CeremonyParams,
        sender: &CommitmentMessage,
        me: &CommitmentMessage,
        share: &EncryptedShare,
        rng: &mut impl CryptoRngCore,
    ) -> Result<ShareCheck> {
        if share.recipient != self.index || me.trustee != self.index || share.sender != sender.trustee {
            return Err(CryptoError::BadTrusteeIndex {
                step: "V5.4",
                index: share.recipient,
                reason: "share is not from this sender to this trustee",
            });
        }
        let z = Point::from_point(self.encryption_secret.expose_secret() * sender.encryption_key.point());
        match open_share(params, sender, me, &z, share) {
            Ok(s) => Ok(ShareCheck::Valid(s)),
            Err(_) => {
                let st =
                    DleqStatement { base: sender.encryption_key, image_g: me.encryption_key, image_h: z };
                let t = complaint_transcript(params, sender.trustee, self.index);
                let proof = DleqProof::prove(&t, &st, &self.encryption_secret, rng)?;
                Ok(ShareCheck::Invalid(alloc::boxed::Box::new(Complaint {
                    sender: sender.trustee,
                    recipient: self.index,
                    shared_point: z,
                    proof,
                })))
            }
        }
    }
}

impl Complaint {
    /// Adjudicates the complaint from public data only (spec: V5.5): checks the
    /// proof on `Z`, then decrypts and checks the share.
    pub fn adjudicate(
        &self,
        params: &CeremonyParams,
        sender: &CommitmentMessage,
        recipient: &CommitmentMessage,
        share: &EncryptedShare,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Verdict> {
        if sender.trustee != self.sender
            || recipient.trustee != self.recipient
            || share.sender != self.sender
            || share.recipient != self.recipient
        {
            return Err(CryptoError::BadTrusteeIndex {
                step: "V5.5",
                index: self.sender,
                reason: "complaint, share and messages name different trustees",
            });
        }
        let st = DleqStatement {
            base: sender.encryption_key,
            image_g: recipient.encryption_key,
            image_h: self.shared_point,
        };
        let t = complaint_transcript(params, self.sender, self.recipient);
        if self.proof.verify(&t, &st, rng).is_err() {
            return Ok(Verdict::ComplainerAtFault { recipient: self.recipient });
        }
        Ok(match open_share(params, sender, recipient, &self.shared_point, share) {
            Ok(_) => Verdict::ComplainerAtFault { recipient: self.recipient },
            Err(_) => Verdict::SenderAtFault { sender: self.sender },
        })
    }

    /// Encoding: `version ‖ u16 i ‖ u16 j ‖ Z ‖ proof`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + 32 + 96);
        out.push(WIRE_VERSION);
        out.put_u16(self.sender);
        out.put_u16(self.recipient);
        out.put_point(&self.shared_point);
        out.extend_from_slice(&self.proof.to_bytes());
        out
    }

    /// Decodes a complaint.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("complaint", bytes);
        r.version()?;
        let sender = r.u16()?;
        let recipient = r.u16()?;
        let shared_point = r.point()?;
        let proof = DleqProof::read(&mut r)?;
        r.finish()?;
        Ok(Self { sender, recipient, shared_point, proof })
    }
}

hex_serde!(Complaint);

impl EncryptedShare {
    /// Encoding: `version ‖ u16 i ‖ u16 j ‖ 48 sealed bytes`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + SEALED_SHARE_LEN);
        out.push(WIRE_VERSION);
        out.put_u16(self.sender);
        out.put_u16(self.recipient);
        out.extend_from_slice(&self.sealed);
        out
    }

    /// Decodes an encrypted share.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("encrypted share", bytes);
        r.version()?;
        let sender = r.u16()?;
        let recipient = r.u16()?;
        let sealed: [u8; SEALED_SHARE_LEN] = r
            .bytes(SEALED_SHARE_LEN)?
            .try_into()
            .map_err(|_| CryptoError::Malformed { what: "encrypted share", reason: "truncated" })?;
        r.finish()?;
        Ok(Self { sender, recipient, sealed })
    }
}

hex_serde!(EncryptedShare);
