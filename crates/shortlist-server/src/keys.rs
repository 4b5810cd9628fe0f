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

/// `SHA-256(domain ‖ 0x00 ‖ poll id ‖ 0x00 ‖ lowercase(trim(token)))`: what the store keeps.
pub fn token_hash(domain: &str, poll: &str, token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(domain.as_bytes());
    h.update([0]);
    h.update(poll.as_bytes());
    h.update([0]);
    // Tokens are lowercase hex: one typed or pasted in capitals is the same token.
    h.update(token.trim().to_ascii_lowercase().as_bytes());
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

/// How a server key is named in messages: the hex of its public key, as a
/// manifest's `server_key` shows it.
pub fn fingerprint(key: &shortlist_crypto::credential::CredentialPublicKey) -> String {
    hex::encode(key.to_bytes())
}

/// The server key the polls already on `store` name, if any poll names one
/// other than `ours` (`None` if there is no poll, or every poll names
/// `ours`): the first such poll and the key it names.
pub async fn foreign_poll(
    store: &shortlist_store::Store,
    ours: Option<&shortlist_crypto::credential::CredentialPublicKey>,
) -> anyhow::Result<Option<(String, String)>> {
    for id in store.poll_ids().await? {
        let Some(row) = store.poll(&id).await? else { continue };
        let manifest = shortlist_board::manifest::Manifest::from_bytes(&row.manifest)
            .map_err(|e| anyhow::anyhow!("poll {id}: stored manifest unreadable: {e}"))?;
        if ours.is_none_or(|k| k.to_bytes() != manifest.server_key.to_bytes()) {
            return Ok(Some((id, fingerprint(&manifest.server_key))));
        }
    }
    Ok(None)
}

/// spec: api §4 — one deployment, one server key. Loads the signing key
/// from `path` (making it only when the database has no poll yet) and
/// refuses to start when a poll on the database names another key: that
/// instance would sign checkpoints the poll's manifest does not name, and
/// the poll would fail V1.2 for good.
pub async fn deployment_server_key(
    store: &shortlist_store::Store,
    path: &Path,
) -> anyhow::Result<(CredentialSecret, bool)> {
    const HOW: &str = "every instance on one database must use the deployment's server key: copy its \
                       server.key (mode 0600) to this instance and give it with --server-key-file or \
                       SHORTLIST_SERVER_KEY_FILE (see spec/api.md §4)";
    if !path.exists() {
        if let Some((poll, expected)) = foreign_poll(store, None).await? {
            anyhow::bail!(
                "no server key at {}, and the database already has polls (poll {poll} names server key \
                 {expected}): refusing to make a new key; {HOW}",
                path.display()
            );
        }
    }
    let (key, made) = load_or_make_server_key(path)
        .map_err(|e| anyhow::anyhow!("the server key {}: {e}", path.display()))?;
    if let Some((poll, expected)) = foreign_poll(store, Some(&key.public_key())).await? {
        anyhow::bail!(
            "the server key in {} is {}, but poll {poll} on this database names server key {expected}: \
             refusing to start (this instance would sign checkpoints the poll cannot verify); {HOW}",
            path.display(),
            fingerprint(&key.public_key())
        );
    }
    Ok((key, made))
}
