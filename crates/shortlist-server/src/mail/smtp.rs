//! The SMTP sender (spec: api §4.2): the transport (its connections are
//! [`super::connection`]'s), the configured rate, and the message a member gets,
//! with a Message-ID at the sender's domain. The queue's workers
//! ([`super::sender`]) send through it; so does a sender outside the queue
//! ([`Mailer::send_direct`], the registrar's delivery).

use std::num::NonZeroU32;
use std::time::{SystemTime, UNIX_EPOCH};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::Message;
use tokio::sync::Notify;

use super::connection::{Connections, SendError};
use super::template::{Template, Values};
use super::{MailConfig, TokenKey};

/// The transport and what every message is sent with, shared by the workers.
pub struct Mailer {
    /// The configuration.
    pub config: MailConfig,
    /// The key tokens are derived with.
    pub key: TokenKey,
    pub(super) transport: Connections,
    pub(super) limiter: Option<DefaultDirectRateLimiter>,
    /// Woken when rows are queued.
    pub wake: Notify,
    from: Mailbox,
    domain: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the transport (no connection is made until the first message).
    pub fn new(config: MailConfig, server_secret: &[u8]) -> anyhow::Result<Self> {
        config.check()?;
        let credentials = match &config.username {
            Some(user) => {
                let password = config.password()?.ok_or_else(|| {
                    anyhow::anyhow!("[mail] username is set but no password_file nor SHORTLIST_SMTP_PASSWORD")
                })?;
                Some(Credentials::new(user.clone(), password.to_string()))
            }
            None => None,
        };
        let transport = Connections::new(&config, credentials)?;
        let from: Mailbox = config.from.parse().map_err(|e| anyhow::anyhow!("[mail] from: {e}"))?;
        let domain = from.email.domain().to_string();
        let limiter = NonZeroU32::new(config.rate_per_sec).map(|r| RateLimiter::direct(Quota::per_second(r)));
        Ok(Self {
            key: TokenKey::derive(server_secret),
            transport,
            limiter,
            wake: Notify::new(),
            from,
            domain,
            config,
        })
    }

    /// Rows a worker claims at once: about a quarter of a lease's worth at
    /// the configured rate, 1 to 8 (small, so that every connection gets
    /// work from a small queue; one claim commit per batch).
    pub(super) fn batch(&self) -> u32 {
        let per_worker = match self.config.rate_per_sec {
            0 => 8,
            r => {
                u64::from(r).saturating_mul(self.config.lease_secs)
                    / 4
                    / u64::from(self.config.connections.max(1))
            }
        };
        u32::try_from(per_worker.clamp(1, 8)).unwrap_or(8)
    }
}

/// The wall clock in seconds: the queue is scheduled by the wall clock the
/// senders claim by, never by the poll's clock (which tests move).
pub fn wall_secs() -> u64 {
    now_ms() / 1000
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
        .try_into()
        .unwrap_or(u64::MAX)
}

/// What became of a message sent outside the queue ([`Mailer::send_direct`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Direct {
    /// The SMTP server accepted it.
    Sent,
    /// A temporary failure: try again later.
    Temporary(String),
    /// Refused for good (a 5xx, a bad address): the reason.
    Refused(String),
}

impl Mailer {
    /// The message: multipart text and HTML, with this Message-ID (at the
    /// sender's domain) and date.
    pub(super) fn message(
        &self,
        to: Mailbox,
        subject: &str,
        text: &str,
        html: &str,
        id: &str,
        date: SystemTime,
    ) -> Result<Message, String> {
        let body = MultiPart::alternative()
            .boundary(format!("=_shortlist_{}", id.get(..16).unwrap_or(id)))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text.to_string()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.to_string()));
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .date(date)
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .multipart(body)
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// Sends one message now, at the configured rate, outside the queue:
    /// `template` filled with `values` to `name <email>`, Message-ID `id`.
    /// For a sender that keeps its own record of what was sent (the
    /// registrar's delivery, spec: board §4.12.1).
    pub async fn send_direct(
        &self,
        name: &str,
        email: &str,
        template: &Template,
        values: &Values<'_>,
        id: &str,
    ) -> Direct {
        let to = match email.parse() {
            Ok(address) => Mailbox::new(Some(name.to_string()), address),
            Err(_) if email.is_empty() => return Direct::Refused("no e-mail address on the roll".into()),
            Err(e) => return Direct::Refused(format!("invalid e-mail address: {e}")),
        };
        let (subject, text, html) = template.render(values);
        let message = match self.message(to, &subject, &text, &html, id, SystemTime::now()) {
            Ok(m) => m,
            Err(e) => return Direct::Refused(e),
        };
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        match self.transport.send(&message).await {
            Ok(()) => Direct::Sent,
            Err(SendError::Permanent(e)) => Direct::Refused(format!("refused: {e}")),
            Err(SendError::Temporary(e)) => Direct::Temporary(format!("temporary failure: {e}")),
        }
    }
}
