//! Secrets kept in local files: a trustee's key file, sealed with a
//! passphrase (Argon2id, then ChaCha20-Poly1305), and files readable by
//! their owner only. A wrong passphrase and a damaged file look alike.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use serde_json::{json, Value};
use zeroize::Zeroizing;

const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;

fn derive(passphrase: &str, salt: &[u8], m: u32, t: u32) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(m, t, 1, Some(32)).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut_slice())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(key)
}

/// Seals `plaintext` under `passphrase`; returns the file's JSON text.
pub fn seal(plaintext: &[u8], passphrase: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let key = derive(passphrase, &salt, M_COST, T_COST)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), plaintext)
        .map_err(|_| anyhow::anyhow!("sealing failed"))?;
    Ok(json!({
        "format": "shortlist-sealed-v1",
        "kdf": { "name": "argon2id", "m_cost": M_COST, "t_cost": T_COST, "salt": hex::encode(salt) },
        "nonce": hex::encode(nonce),
        "ciphertext": hex::encode(sealed),
    })
    .to_string())
}

/// Opens a sealed file's text with `passphrase`.
pub fn open(text: &str, passphrase: &str) -> Result<Zeroizing<Vec<u8>>> {
    let v: Value = serde_json::from_str(text).context("the key file is not a shortlist sealed file")?;
    if v["format"] != "shortlist-sealed-v1" {
        bail!("the key file is not a shortlist sealed file (format)");
    }
    let field = |path: &[&str]| -> Result<Vec<u8>> {
        let mut cur = &v;
        for p in path {
            cur = &cur[*p];
        }
        hex::decode(cur.as_str().context("key file field")?).context("key file field")
    };
    let num = |k: &str| -> Result<u32> {
        u32::try_from(v["kdf"][k].as_u64().context("key file kdf")?).context("key file kdf")
    };
    let key = derive(passphrase, &field(&["kdf", "salt"])?, num("m_cost")?, num("t_cost")?)?;
    let nonce = field(&["nonce"])?;
    if nonce.len() != 12 {
        bail!("the key file is damaged (nonce)");
    }
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let plain = cipher
        .decrypt(Nonce::from_slice(&nonce), field(&["ciphertext"])?.as_slice())
        .map_err(|_| anyhow::anyhow!("wrong passphrase, or the key file is damaged"))?;
    Ok(Zeroizing::new(plain))
}

/// The passphrase: from `--passphrase-file`, else `SHORTLIST_PASSPHRASE`,
/// else asked on the terminal (twice when `confirm`).
pub fn passphrase(file: Option<&Path>, confirm: bool) -> Result<Zeroizing<String>> {
    if let Some(f) = file {
        let text =
            Zeroizing::new(std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?);
        return Ok(Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_string()));
    }
    if let Ok(p) = std::env::var("SHORTLIST_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    let p = Zeroizing::new(prompt("passphrase: ")?);
    if confirm {
        let again = Zeroizing::new(prompt("passphrase again: ")?);
        if *again != *p {
            bail!("the passphrases differ");
        }
    }
    if p.len() < 8 {
        bail!("use a passphrase of at least 8 characters");
    }
    Ok(p)
}

/// Asks on the terminal; with no terminal (a script, a service), says how
/// to give the passphrase instead.
fn prompt(question: &str) -> Result<String> {
    rpassword::prompt_password(question).map_err(|e| {
        anyhow::anyhow!(
            "cannot ask for the passphrase: no terminal to ask on ({e}). Give it with \
             --passphrase-file FILE (a file readable by you only) or the SHORTLIST_PASSPHRASE \
             environment variable"
        )
    })
}

/// Writes `contents` to `path` readable by its owner only, replacing it
/// atomically (a temporary file renamed over it).
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = write_private_tmp(path, contents)?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Writes `contents` to a new file `path` readable by its owner only; never
/// replaces a file already there, even one made a moment ago (the complete
/// file is linked into place, which fails if the name exists).
pub fn write_private_new(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = write_private_tmp(path, contents)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} exists; not overwriting it", path.display())
        }
        other => other.with_context(|| format!("writing {}", path.display())),
    }
}

/// The complete contents in `path`'s temporary sibling, synced, mode 0600.
fn write_private_tmp(path: &Path, contents: &[u8]) -> Result<std::path::PathBuf> {
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(contents)?;
    f.sync_all()?;
    Ok(tmp)
}

/// Opens `path` for appending, creating it readable by its owner only.
pub fn append_private(path: &Path) -> Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_new_private_file_never_replaces_one_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.csv");
        write_private_new(&path, b"first").unwrap();
        let err = write_private_new(&path, b"second").unwrap_err();
        assert!(err.to_string().contains("exists; not overwriting it"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert!(!path.with_extension("tmp").exists(), "the temporary file is removed");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
