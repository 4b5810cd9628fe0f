//! What the registrar issues to a member, shared by its commands
//! ([`crate::registrar`]) and its e-mail delivery ([`crate::registrar_mail`]):
//! the member with their credential, and the booth link that carries it
//! (spec: board §4.12.1).

use shortlist_board::registrar::MemberCredential;
use zeroize::Zeroizing;

/// A member of the roll and their credential.
pub(crate) struct Issued {
    pub(crate) member: String,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) credential: MemberCredential,
}

/// The booth link: the secret in the fragment, which no browser sends.
pub fn booth_link(
    public_url: &str,
    poll: &str,
    credential: &str,
    manifest_hash: &[u8; 32],
) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{}/p/{poll}/booth#c={credential}&m={}",
        public_url.trim_end_matches('/'),
        hex::encode(manifest_hash)
    ))
}
