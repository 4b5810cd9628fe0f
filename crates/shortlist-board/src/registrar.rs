//! Registrar mode (spec: board §4.12): the members' credentials come from a
//! registrar apart from the server. This module holds the member's
//! credential secret (its text form with a check, and the derivation of the
//! ed25519 credential key from it) and the three entries the registrar
//! signs: a part of the list of credential keys, a supplement, a revocation
//! with its replacement.

use sha2::{Digest, Sha256};
use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret};
use zeroize::{Zeroize, Zeroizing};

use crate::codec::{Reader, Writer};
use crate::entry::EntryKind;
use crate::error::{BoardError, Result};

/// Domain of the registrar's signatures (23 bytes with the NUL).
pub const REGISTRAR_DOMAIN: &[u8] = b"shortlist/v1/registrar\0";
/// Domain of the credential key derivation (28 bytes with the NUL).
pub const CREDENTIAL_KEY_DOMAIN: &[u8] = b"shortlist/v1/credential-key\0";
/// Domain of the credential text's check (30 bytes with the NUL).
pub const CREDENTIAL_CHECK_DOMAIN: &[u8] = b"shortlist/v1/credential-check\0";
/// Version byte of every registrar payload.
pub const REGISTRAR_VERSION: u8 = 1;
/// The most keys in one list part or supplement (2 MiB of keys).
pub const MAX_KEYS_PER_ENTRY: usize = 65_536;
/// Bytes of a credential secret (128 bits).
pub const SECRET_LEN: usize = 16;
/// Bytes of the check appended to the secret in its text form.
pub const CHECK_LEN: usize = 2;

/// A member's credential secret: 16 random bytes, held only by the member
/// (and by the registrar until it forgets them). Zeroized on drop.
#[derive(Clone)]
pub struct MemberCredential(Zeroizing<[u8; SECRET_LEN]>);

impl std::fmt::Debug for MemberCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemberCredential(..)")
    }
}

fn check(secret: &[u8; SECRET_LEN]) -> [u8; CHECK_LEN] {
    let d = Sha256::new().chain_update(CREDENTIAL_CHECK_DOMAIN).chain_update(secret).finalize();
    let mut c = [0u8; CHECK_LEN];
    c.copy_from_slice(d.get(..CHECK_LEN).unwrap_or(&[0; CHECK_LEN]));
    c
}

impl MemberCredential {
    /// A fresh credential from the operating system's random source.
    pub fn generate(rng: &mut (impl rand::RngCore + rand::CryptoRng)) -> Self {
        let mut s = Zeroizing::new([0u8; SECRET_LEN]);
        rng.fill_bytes(s.as_mut());
        Self(s)
    }

    /// The credential with these secret bytes.
    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        let mut b = bytes;
        let s = Zeroizing::new(b);
        b.zeroize();
        Self(s)
    }

    /// The text form (spec: board §4.12.1): lowercase hex of `secret ‖
    /// check`, 36 digits in nine groups of four joined by `-`.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut all = Zeroizing::new(Vec::with_capacity(SECRET_LEN + CHECK_LEN));
        all.extend_from_slice(self.0.as_ref());
        all.extend_from_slice(&check(&self.0));
        let digits = Zeroizing::new(hex::encode(all.as_slice()));
        let mut out = Zeroizing::new(String::with_capacity(44));
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// Parses the text form: white space and `-` are ignored, case is not
    /// significant; 36 hex digits whose last four are the check.
    pub fn parse(text: &str) -> Result<Self> {
        let digits: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_lowercase())
                .collect(),
        );
        let bad = || BoardError::malformed("credential", "expected 36 hex digits (nine groups of four)");
        if digits.len() != 2 * (SECRET_LEN + CHECK_LEN) {
            return Err(bad());
        }
        let mut all = Zeroizing::new([0u8; SECRET_LEN + CHECK_LEN]);
        hex::decode_to_slice(digits.as_bytes(), all.as_mut()).map_err(|_| bad())?;
        let (head, tail) = all.split_first_chunk::<SECRET_LEN>().ok_or_else(bad)?;
        let secret = Zeroizing::new(*head);
        if *tail != check(&secret) {
            return Err(BoardError::malformed(
                "credential",
                "the check digits do not match: a typing mistake?",
            ));
        }
        Ok(Self(secret))
    }

    /// The ed25519 credential key for the poll `h_M` (spec: board §4.12.1):
    /// `seed = SHA-256("shortlist/v1/credential-key" ‖ 0x00 ‖ h_M ‖ secret)`,
    /// the RFC 8032 private key `seed`.
    pub fn derive(&self, manifest_hash: &[u8; 32]) -> CredentialSecret {
        let mut seed = Zeroizing::new([0u8; 32]);
        let d = Sha256::new()
            .chain_update(CREDENTIAL_KEY_DOMAIN)
            .chain_update(manifest_hash)
            .chain_update(self.0.as_ref())
            .finalize();
        seed.copy_from_slice(&d);
        CredentialSecret::from_secret_bytes(&seed)
    }
}

/// The message the registrar signs for an entry of `kind` whose payload
/// without its signature is `body` (spec: board §4.12.2).
pub fn signed_message(manifest_hash: &[u8; 32], kind: EntryKind, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(REGISTRAR_DOMAIN.len() + 33 + body.len());
    m.extend_from_slice(REGISTRAR_DOMAIN);
    m.extend_from_slice(manifest_hash);
    m.push(kind.code());
    m.extend_from_slice(body);
    m
}

/// A registrar entry's content (spec: board §4.12.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrarBody {
    /// Part `part` (from 0) of the list of a roll of `roll_size` members.
    List {
        /// The roll's size: the parts together list exactly this many keys.
        roll_size: u64,
        /// The part's number, 0, 1, … in board order.
        part: u32,
        /// Credential keys, at most [`MAX_KEYS_PER_ENTRY`].
        keys: Vec<[u8; 32]>,
    },
    /// Keys of members added to the roll late.
    Supplement {
        /// Credential keys, at most [`MAX_KEYS_PER_ENTRY`].
        keys: Vec<[u8; 32]>,
    },
    /// `revoked` stops counting from this entry on; `replacement` is its holder's new key.
    Revocation {
        /// The key that stops working.
        revoked: [u8; 32],
        /// The member's new key.
        replacement: [u8; 32],
    },
}

impl RegistrarBody {
    /// The entry kind that carries it.
    pub fn kind(&self) -> EntryKind {
        match self {
            RegistrarBody::List { .. } => EntryKind::RegistrarList,
            RegistrarBody::Supplement { .. } => EntryKind::RegistrarSupplement,
            RegistrarBody::Revocation { .. } => EntryKind::RegistrarRevocation,
        }
    }

    /// The keys it adds to the list (the replacement, for a revocation).
    pub fn added(&self) -> &[[u8; 32]] {
        match self {
            RegistrarBody::List { keys, .. } | RegistrarBody::Supplement { keys } => keys,
            RegistrarBody::Revocation { replacement, .. } => std::slice::from_ref(replacement),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(REGISTRAR_VERSION);
        match self {
            RegistrarBody::List { roll_size, part, keys } => {
                w.u64(*roll_size).u32(*part).count(keys.len());
                for k in keys {
                    w.fixed(k);
                }
            }
            RegistrarBody::Supplement { keys } => {
                w.count(keys.len());
                for k in keys {
                    w.fixed(k);
                }
            }
            RegistrarBody::Revocation { revoked, replacement } => {
                w.fixed(revoked).fixed(replacement);
            }
        }
        w.finish()
    }
}

/// A signed registrar entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrarEntry {
    /// What it says.
    pub body: RegistrarBody,
    /// The registrar's ed25519 signature (spec: board §4.12.2).
    pub signature: [u8; 64],
}

impl RegistrarEntry {
    /// Signs `body` for the poll `h_M` with the registrar's key.
    pub fn sign(body: RegistrarBody, manifest_hash: &[u8; 32], key: &CredentialSecret) -> Self {
        let signature = key.sign(&signed_message(manifest_hash, body.kind(), &body.encode()));
        Self { body, signature }
    }

    /// The payload: the body then the signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.body.encode();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Decodes the payload of an entry of `kind` (not the signature's validity).
    pub fn from_bytes(kind: EntryKind, bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("registrar entry", bytes);
        if r.u8()? != REGISTRAR_VERSION {
            return Err(BoardError::malformed("registrar entry", "unknown version"));
        }
        let keys = |r: &mut Reader<'_>| -> Result<Vec<[u8; 32]>> {
            let n = r.count(MAX_KEYS_PER_ENTRY)?;
            let mut keys = Vec::with_capacity(n);
            for _ in 0..n {
                keys.push(r.fixed::<32>()?);
            }
            Ok(keys)
        };
        let body = match kind {
            EntryKind::RegistrarList => {
                let (roll_size, part) = (r.u64()?, r.u32()?);
                RegistrarBody::List { roll_size, part, keys: keys(&mut r)? }
            }
            EntryKind::RegistrarSupplement => RegistrarBody::Supplement { keys: keys(&mut r)? },
            EntryKind::RegistrarRevocation => {
                RegistrarBody::Revocation { revoked: r.fixed::<32>()?, replacement: r.fixed::<32>()? }
            }
            _ => return Err(BoardError::malformed("registrar entry", "not a registrar entry kind")),
        };
        let signature = r.fixed::<64>()?;
        r.finish()?;
        Ok(Self { body, signature })
    }

    /// Checks the signature under the manifest's registrar key (strict,
    /// protocol §8.5).
    pub fn verify(&self, manifest_hash: &[u8; 32], registrar: &CredentialPublicKey) -> Result<()> {
        let m = signed_message(manifest_hash, self.body.kind(), &self.body.encode());
        registrar
            .verify(&m, &self.signature)
            .map_err(|_| BoardError::invalid("V4.9", "the registrar's signature does not verify"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_catches_typos() {
        let c = MemberCredential::from_bytes([7; 16]);
        let t = c.to_text();
        assert_eq!(t.len(), 44);
        let back = MemberCredential::parse(&t.to_uppercase()).unwrap();
        assert_eq!(back.0.as_ref(), c.0.as_ref());
        let mut typo = t.to_string();
        typo.replace_range(0..1, "1");
        assert!(MemberCredential::parse(&typo).is_err());
        assert!(MemberCredential::parse("abcd").is_err());
    }

    #[test]
    fn entries_round_trip_and_verify() {
        let key = CredentialSecret::from_secret_bytes(&[9; 32]);
        let hm = [1u8; 32];
        for body in [
            RegistrarBody::List { roll_size: 3, part: 0, keys: vec![[2; 32], [3; 32]] },
            RegistrarBody::Supplement { keys: vec![[4; 32]] },
            RegistrarBody::Revocation { revoked: [2; 32], replacement: [5; 32] },
        ] {
            let e = RegistrarEntry::sign(body.clone(), &hm, &key);
            let back = RegistrarEntry::from_bytes(body.kind(), &e.to_bytes()).unwrap();
            assert_eq!(back, e);
            back.verify(&hm, &key.public_key()).unwrap();
            assert!(back.verify(&[2; 32], &key.public_key()).is_err());
        }
    }
}
