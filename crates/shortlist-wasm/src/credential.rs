//! The member's credential key (spec: protocol §8.5), made in the browser.

use rand::rngs::OsRng;
use shortlist_crypto::credential::CredentialSecret;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// A member's ed25519 credential key.
///
/// # Security
/// The secret key is zeroized when the object is dropped (call `free()` in
/// JavaScript, or let the finalizer run); it leaves the module only through
/// [`Credential::export_secret`].
#[wasm_bindgen]
pub struct Credential {
    pub(crate) secret: CredentialSecret,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(<redacted>)")
    }
}

#[wasm_bindgen]
impl Credential {
    /// A fresh credential key from the browser's `crypto.getRandomValues`.
    pub fn generate() -> Credential {
        Credential { secret: CredentialSecret::generate(&mut OsRng) }
    }

    /// Restores a credential from its exported secret (64 hex digits).
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(hex_secret: &str) -> Result<Credential> {
        let bytes = Zeroizing::new(
            hex::decode(hex_secret.trim()).map_err(|_| Error::new("the credential secret is not hex"))?,
        );
        let array: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| Error::new("the credential secret must be 32 bytes (64 hex digits)"))?,
        );
        Ok(Credential { secret: CredentialSecret::from_secret_bytes(&array) })
    }

    /// Registrar mode (spec: board §4.12.1): the credential key derived from
    /// the registrar's credential text (nine groups of four hex digits, with
    /// its check) for the poll whose manifest hash is `manifest_hash_hex`.
    #[wasm_bindgen(js_name = fromRegistrar)]
    pub fn from_registrar(text: &str, manifest_hash_hex: &str) -> Result<Credential> {
        let secret = shortlist_board::registrar::MemberCredential::parse(text)
            .map_err(|_| Error::new("the credential in the link is not complete or has a typing mistake"))?;
        let hm: [u8; 32] = hex::decode(manifest_hash_hex.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::new("the manifest hash must be 64 hex digits"))?;
        Ok(Credential { secret: secret.derive(&hm) })
    }

    /// The public key (hex), as registered with `POST …/credentials`.
    #[wasm_bindgen(js_name = publicKeyHex)]
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.secret.public_key().to_bytes())
    }

    /// The secret key (64 hex digits), for the member to keep (e.g. to vote
    /// again from another device). Whoever has it can vote as the member.
    #[wasm_bindgen(js_name = exportSecret)]
    pub fn export_secret(&self) -> String {
        hex::encode(self.secret.expose_secret_bytes().as_slice())
    }
}
