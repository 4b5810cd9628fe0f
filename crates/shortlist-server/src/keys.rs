//! Secrets the server holds or hands out: its checkpoint-signing key, the
//! organiser's bearer key and one-time tokens (spec: api §4). Tokens and
//! keys are compared in constant time and stored only as hashes.

use std::io::Write;
use std::path::Path;

use rand::RngCore;
use sha2::{Digest, Sha256};
use shortlist_crypto::credential::CredentialSecret;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The domain of eligibility-token hashes.
pub const ELIGIBILITY: &str = "shortlist/v1/eligibility-token";
/// The domain of candidate-token hashes.
pub const CANDIDATE: &str = "shortlist/v1/candidate-token";

/// A fresh token: 128 random bits as 32 lowercase hex digits.
pub fn new_token() -> Zeroizing<String> {
    let mut b = Zeroizing::new([0u8; 16]);
    rand::rngs::OsRng.fill_bytes(b.as_mut_slice());
    Zeroizing::new(hex::encode(b.as_slice()))
}

/// `SHA-256(domain ‖ 0x00 ‖ poll id ‖ 0x00 ‖ token)`: what the store keeps.
pub fn token_hash(domain: &str, poll: &str, token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(domain.as_bytes());
    h.update([0]);
    h.update(poll.as_bytes());
    h.update([0]);
    h.update(token.trim().as_bytes());
    h.finalize().into()
}

/// The organiser's bearer key, held as its hash.
#[derive(Clone)]
pub struct OrganiserKey([u8; 32]);

impl std::fmt::Debug for OrganiserKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrganiserKey(<redacted>)")
    }
}

impl OrganiserKey {
    /// Holds `key`.
    pub fn new(key: &str) -> Self {
        Self(Sha256::digest(key.trim().as_bytes()).into())
    }

    /// Whether `presented` is the key, in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let h: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        bool::from(h.ct_eq(&self.0))
    }
}

/// Writes `contents` to a new file readable by its owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

/// Loads the server's signing key from `path`, making it on first start.
/// Returns the key and whether it was made now.
pub fn load_or_make_server_key(path: &Path) -> std::io::Result<(CredentialSecret, bool)> {
    if path.exists() {
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut_slice()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a server key", path.display()),
            )
        })?;
        return Ok((CredentialSecret::from_secret_bytes(&bytes), false));
    }
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let hexed = Zeroizing::new(hex::encode(key.expose_secret_bytes().as_slice()));
    write_private(path, &format!("{}\n", hexed.as_str()))?;
    Ok((key, true))
}

/// Loads the organiser key from `path`, making one on first start.
pub fn load_or_make_organiser_key(path: &Path) -> std::io::Result<(Zeroizing<String>, bool)> {
    if path.exists() {
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        return Ok((Zeroizing::new(text.trim().to_string()), false));
    }
    let mut b = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(b.as_mut_slice());
    let key = Zeroizing::new(hex::encode(b.as_slice()));
    write_private(path, &format!("{}\n", key.as_str()))?;
    Ok((key, true))
}
