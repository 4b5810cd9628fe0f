//! Email delivery of eligibility tokens (spec: api §4.2): the `[mail]`
//! configuration, the tokens derived from the server key, the per-poll
//! template and the message each member gets. The durable queue is the
//! store's (`mail_queue`); the [`sender`]'s workers send it through the
//! [`smtp`] transport.

pub mod connection;
pub mod sender;
pub mod smtp;
pub mod template;

use std::path::PathBuf;
use std::time::Duration;

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use zeroize::Zeroizing;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain SMTP (a relay on the same host or network only).
    None,
    /// STARTTLS, required (the usual submission port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The `[mail]` section of the server's configuration file.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The SMTP server's host name.
    pub smtp_host: String,
    /// Its port [default: 587, 465 with `tls = "tls"`, 25 with `tls = "none"`].
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub tls: TlsMode,
    /// A PEM file of CA certificates to trust besides the public roots,
    /// for a relay whose certificate a private CA issued.
    pub ca_file: Option<PathBuf>,
    /// The SMTP user name, if the server asks for one.
    pub username: Option<String>,
    /// A file holding the SMTP password (else `SHORTLIST_SMTP_PASSWORD`).
    pub password_file: Option<PathBuf>,
    /// The sender, e.g. `Elections <elections@example.org>`.
    pub from: String,
    /// Messages per second at most, over all of this instance's connections (0: no limit).
    #[serde(default = "default_rate")]
    pub rate_per_sec: u32,
    /// The booth's public base URL, e.g. `https://vote.example.org`.
    pub public_url: String,
    /// SMTP connections used at once [default: 4].
    #[serde(default = "default_connections")]
    pub connections: u32,
    /// How long a claim on a row lasts, seconds [default: 60]. A row left
    /// `sending` by a crashed instance is sent again after this.
    #[serde(default = "default_lease")]
    pub lease_secs: u64,
    /// The SMTP timeout, seconds [default: 20; at most a third of the lease].
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The first retry's delay after a temporary failure, milliseconds
    /// [default: 30,000]; doubled each time up to an hour.
    #[serde(default = "default_retry")]
    pub retry_base_ms: u64,
    /// Temporary failures before a message is marked failed [default: 12].
    #[serde(default = "default_attempts")]
    pub max_attempts: u64,
    /// The language of the default template (`en` or `fr`, web/i18n)
    /// [default: `en`]; a poll's own template replaces it (spec: api §4.2).
    #[serde(default = "default_lang")]
    pub lang: String,
}

fn default_lang() -> String {
    "en".into()
}

fn default_rate() -> u32 {
    50
}
fn default_connections() -> u32 {
    4
}
fn default_lease() -> u64 {
    60
}
fn default_timeout() -> u64 {
    20
}
fn default_retry() -> u64 {
    30_000
}
fn default_attempts() -> u64 {
    12
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password (it is not even here: it is read when sending starts).
        f.debug_struct("MailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("tls", &self.tls)
            .field("ca_file", &self.ca_file)
            .field("username", &self.username.as_ref().map(|_| "<set>"))
            .field("from", &self.from)
            .field("rate_per_sec", &self.rate_per_sec)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl MailConfig {
    /// The port to use.
    pub fn port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.tls {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        })
    }

    /// The SMTP timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.clamp(1, (self.lease_secs / 3).max(1)))
    }

    /// Checks what can be checked at start-up.
    pub fn check(&self) -> anyhow::Result<()> {
        self.from.parse::<lettre::message::Mailbox>().map_err(|e| anyhow::anyhow!("[mail] from: {e}"))?;
        let url = self.public_url.trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains('#') {
            anyhow::bail!(
                "[mail] public_url must be an http(s) URL without a fragment, e.g. https://vote.example.org"
            );
        }
        if self.lease_secs < 3 {
            anyhow::bail!("[mail] lease_secs must be at least 3");
        }
        if self.connections == 0 || self.connections > 64 {
            anyhow::bail!("[mail] connections must be 1 to 64");
        }
        if !crate::web::i18n::languages().any(|l| l == self.lang) {
            let all: Vec<&str> = crate::web::i18n::languages().collect();
            anyhow::bail!("[mail] lang must be one of {}", all.join(", "));
        }
        Ok(())
    }

    /// The SMTP password: the file's first line, else `SHORTLIST_SMTP_PASSWORD`.
    pub fn password(&self) -> anyhow::Result<Option<Zeroizing<String>>> {
        if let Some(path) = &self.password_file {
            let text = Zeroizing::new(
                std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("[mail] password_file {}: {e}", path.display()))?,
            );
            return Ok(Some(Zeroizing::new(text.lines().next().unwrap_or("").to_string())));
        }
        Ok(std::env::var("SHORTLIST_SMTP_PASSWORD").ok().map(Zeroizing::new))
    }
}

/// The key tokens for email are derived with:
/// `HKDF-SHA256(ikm = server secret key, info = "shortlist/v1/mail-token-key")`.
#[derive(Clone)]
pub struct TokenKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl TokenKey {
    /// Derives the key from the server's signing key bytes (spec: api §4.2).
    pub fn derive(server_secret: &[u8]) -> Self {
        let hk = Hkdf::<Sha256>::new(None, server_secret);
        let mut okm = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit: expand cannot fail.
        let _ = hk.expand(b"shortlist/v1/mail-token-key", okm.as_mut_slice());
        Self(okm)
    }

    fn mac(&self, label: &str, poll: &str, member: &str, generation: u64) -> [u8; 32] {
        // A 32-byte key is always a valid HMAC key.
        let Ok(mut m) = HmacSha256::new_from_slice(self.0.as_slice()) else { return [0u8; 32] };
        m.update(label.as_bytes());
        for part in [poll.as_bytes(), member.as_bytes()] {
            m.update(&[0]);
            m.update(part);
        }
        m.update(&[0]);
        m.update(&generation.to_be_bytes());
        m.finalize().into_bytes().into()
    }

    /// The member's token of `generation`: the first 16 bytes of
    /// `HMAC(key, "shortlist/v1/mail-token" ‖ 0 ‖ poll ‖ 0 ‖ member ‖ 0 ‖ u64be(generation))`,
    /// as 32 lowercase hex digits (the form of every eligibility token).
    pub fn token(&self, poll: &str, member: &str, generation: u64) -> Zeroizing<String> {
        let mut mac = self.mac("shortlist/v1/mail-token", poll, member, generation);
        let out = Zeroizing::new(hex::encode(mac.get(..16).unwrap_or_default()));
        zeroize::Zeroize::zeroize(&mut mac);
        out
    }

    /// The message's `Message-ID` local part: 32 hex digits of
    /// `HMAC(key, "shortlist/v1/mail-message-id" ‖ …)`, so that a message
    /// sent again after a crash carries the same id.
    pub fn message_id(&self, poll: &str, member: &str, generation: u64) -> String {
        let mac = self.mac("shortlist/v1/mail-message-id", poll, member, generation);
        hex::encode(mac.get(..16).unwrap_or_default())
    }
}

/// The booth link holding the token (board §1.5; the booth's scheme of
/// `web/assets/js/booth.js`): the token and manifest hash in the fragment,
/// which no browser sends to a server.
pub fn booth_link(public_url: &str, poll: &str, token: &str, manifest_hash: &str) -> Zeroizing<String> {
    Zeroizing::new(format!("{}/p/{poll}/booth#t={token}&m={manifest_hash}", public_url.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_deterministic_and_distinct() {
        let k = TokenKey::derive(&[7u8; 32]);
        let a = k.token("p", "m1", 0);
        assert_eq!(a.len(), 32);
        assert_eq!(a, k.token("p", "m1", 0));
        assert_ne!(a, k.token("p", "m1", 1));
        assert_ne!(a, k.token("p", "m2", 0));
        assert_ne!(a, k.token("q", "m1", 0));
        // Field boundaries are marked: ("p", "1m") is not ("p1", "m").
        assert_ne!(k.token("p", "1m", 0), k.token("p1", "m", 0));
        assert_ne!(a, TokenKey::derive(&[8u8; 32]).token("p", "m1", 0));
        assert_ne!(k.message_id("p", "m1", 0), *a);
    }

    #[test]
    fn the_mail_section_parses_checks_and_hides_secrets() {
        let text = "[mail]\nsmtp_host = \"smtp.example.org\"\nusername = \"u\"\n\
                    from = \"Elections <e@example.org>\"\npublic_url = \"https://vote.example.org/\"\n";
        let file: crate::config::FileConfig = toml::from_str(text).unwrap();
        let m = file.mail.unwrap();
        assert_eq!((m.port(), m.tls, m.rate_per_sec, m.connections), (587, TlsMode::Starttls, 50, 4));
        m.check().unwrap();
        assert!(!format!("{m:?}").contains("\"u\""), "the user name is not shown");
        let bad = text.replace("smtp_host", "smtp_hots");
        assert!(toml::from_str::<crate::config::FileConfig>(&bad).is_err(), "unknown keys are refused");
        let mut m2 = m.clone();
        m2.public_url = "vote.example.org".into();
        assert!(m2.check().is_err());
        m2.public_url = "https://vote.example.org#x".into();
        assert!(m2.check().is_err());
        let mut m3 = m.clone();
        m3.from = "not an address".into();
        assert!(m3.check().is_err());
        // The default template's language: en unless set; only shipped ones.
        assert_eq!(m.lang, "en");
        let mut m4 = m;
        m4.lang = "fr".into();
        m4.check().unwrap();
        m4.lang = "de".into();
        assert!(m4.check().unwrap_err().to_string().contains("[mail] lang must be one of en, fr"));
    }
}
