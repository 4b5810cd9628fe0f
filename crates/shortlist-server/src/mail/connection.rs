//! SMTP connections with Nagle's algorithm off (spec: api §4.2, "Sending
//! speed").
//!
//! lettre 0.11.23 writes a message's data and its closing `.` in two writes.
//! On a socket with Nagle's algorithm on, the second write waits for the
//! SMTP server's acknowledgement of the first, which the server delays
//! (40 ms on Linux) because it has nothing to answer until the `.` arrives:
//! every message cost 40 ms, about 25 messages a second per connection.
//! lettre has merged a change that sets `TCP_NODELAY` (its pull request
//! #1159), not in a release yet; until then the connections are opened here
//! with it set and handed
//! to lettre's SMTP client ([`AsyncSmtpConnection::connect_with_transport`]),
//! which speaks the protocol: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA.
//! Implicit TLS is tokio-rustls with the webpki roots, as lettre's own.
//!
//! Idle connections are kept for the next message, like lettre's pool: one
//! idle for more than a second is tested with a NOOP first, one idle for
//! more than [`IDLE_TIMEOUT`] is dropped.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::{MailConfig, TlsMode};

/// An idle connection older than this is closed rather than reused.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// An idle connection older than this is tested (NOOP) before reuse.
const TEST_AFTER: Duration = Duration::from_secs(1);

/// Why a message was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Refused for good: a 5xx reply, or a message or address lettre
    /// refused to send.
    Permanent(String),
    /// Worth another try later: a 4xx reply, a connection refused, lost or
    /// timed out.
    Temporary(String),
}

/// How connections are made.
enum Security {
    Plain,
    Starttls(TlsParameters),
    Tls(tokio_rustls::TlsConnector, rustls::pki_types::ServerName<'static>),
}

/// The SMTP connections a sender shares: opened on demand, kept while idle.
pub struct Connections {
    host: String,
    port: u16,
    timeout: Duration,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Connections {
    /// Prepares the connections of `config` (none is opened yet).
    pub fn new(config: &MailConfig, credentials: Option<Credentials>) -> anyhow::Result<Self> {
        let host = config.smtp_host.clone();
        let security = match config.tls {
            TlsMode::None => Security::Plain,
            TlsMode::Starttls => Security::Starttls(TlsParameters::new(host.clone())?),
            TlsMode::Tls => {
                let mut roots = rustls::RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let tls = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| {
                    anyhow::anyhow!("[mail] smtp_host {host:?} is not a TLS server name: {e}")
                })?;
                Security::Tls(tokio_rustls::TlsConnector::from(Arc::new(tls)), name)
            }
        };
        Ok(Self {
            host,
            port: config.port(),
            timeout: config.timeout(),
            security,
            credentials,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends `message` over an idle connection or a new one; the whole
    /// transaction is bounded by the configured timeout.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let bytes = message.formatted();
        let mut conn = self.checkout().await?;
        match tokio::time::timeout(self.timeout, conn.send(message.envelope(), &bytes)).await {
            Ok(Ok(_)) => {
                self.checkin(conn);
                Ok(())
            }
            // lettre closes the connection after an error reply.
            Ok(Err(e)) if e.is_permanent() || e.is_client() => Err(SendError::Permanent(e.to_string())),
            Ok(Err(e)) => Err(SendError::Temporary(e.to_string())),
            Err(_) => Err(SendError::Temporary(format!("no answer within {} s", self.timeout.as_secs()))),
        }
    }

    /// An idle connection that still answers, else a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let next = self.idle.lock().map_or(None, |mut idle| idle.pop());
            let Some((mut conn, since)) = next else { break };
            let idle_for = since.elapsed();
            if idle_for >= IDLE_TIMEOUT {
                // Dropped: the server has likely closed it already.
                continue;
            }
            if idle_for < TEST_AFTER
                || tokio::time::timeout(self.timeout, conn.test_connected()).await.unwrap_or(false)
            {
                return Ok(conn);
            }
        }
        match tokio::time::timeout(self.timeout, self.open()).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Temporary(format!(
                "connecting to {}:{}: no answer within {} s",
                self.host,
                self.port,
                self.timeout.as_secs()
            ))),
        }
    }

    fn checkin(&self, conn: AsyncSmtpConnection) {
        if !conn.has_broken() {
            if let Ok(mut idle) = self.idle.lock() {
                idle.push((conn, Instant::now()));
            }
        }
    }

    /// Opens a connection: TCP with `TCP_NODELAY`, implicit TLS or
    /// STARTTLS as configured, EHLO, and AUTH when credentials are set.
    async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
        let temporary = |what: &str, e: &dyn std::fmt::Display| {
            SendError::Temporary(format!("{what} {}:{}: {e}", self.host, self.port))
        };
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| temporary("connecting to", &e))?;
        tcp.set_nodelay(true).map_err(|e| temporary("setting TCP_NODELAY on", &e))?;
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Tls(connector, name) => Box::new(TlsStream(
                connector.connect(name.clone(), tcp).await.map_err(|e| temporary("TLS with", &e))?,
            )),
            Security::Plain | Security::Starttls(_) => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
            .await
            .map_err(|e| temporary("greeting from", &e))?;
        if let Security::Starttls(parameters) = &self.security {
            conn.starttls(parameters.clone(), &self.hello)
                .await
                .map_err(|e| temporary("STARTTLS with", &e))?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(format!("logging in to {}:{}: {e}", self.host, self.port))
                } else {
                    temporary("logging in to", &e)
                }
            })?;
        }
        Ok(conn)
    }
}

/// A TLS stream lettre's client can speak over.
#[derive(Debug)]
struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for TlsStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use lettre::message::Mailbox;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// A minimal SMTP server on 127.0.0.1 that refuses `RCPT` to
    /// `bounce@…` with 550 and `MAIL` from `busy@…` with 451; returns its
    /// port and how many connections it accepted.
    async fn server() -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let (r, mut w) = stream.into_split();
                    let mut lines = BufReader::new(r).lines();
                    w.write_all(b"220 test ESMTP\r\n").await?;
                    let mut data = false;
                    while let Some(line) = lines.next_line().await? {
                        let reply: &[u8] = match line.to_ascii_uppercase() {
                            _ if data && line == "." => {
                                data = false;
                                b"250 queued\r\n"
                            }
                            _ if data => continue,
                            l if l.starts_with("EHLO") => b"250-test\r\n250 8BITMIME\r\n",
                            l if l.starts_with("MAIL") && l.contains("BUSY@") => b"451 try later\r\n",
                            l if l.starts_with("RCPT") && l.contains("BOUNCE@") => b"550 no such user\r\n",
                            l if l == "DATA" => {
                                data = true;
                                b"354 go on\r\n"
                            }
                            l if l.starts_with("QUIT") => {
                                w.write_all(b"221 bye\r\n").await?;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        w.write_all(reply).await?;
                    }
                    Ok::<_, io::Error>(())
                });
            }
        });
        (port, accepted)
    }

    fn config(port: u16) -> MailConfig {
        toml::from_str(&format!(
            "smtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"none\"\nfrom = \"Poll <poll@example.test>\"\n\
             public_url = \"https://vote.example.test\""
        ))
        .unwrap()
    }

    fn message(from: &str, to: &str) -> Message {
        let from: Mailbox = from.parse().unwrap();
        Message::builder().from(from).to(to.parse().unwrap()).subject("s").body("b\r\n".to_string()).unwrap()
    }

    #[tokio::test]
    async fn messages_share_a_connection_and_replies_are_classified() {
        let (port, accepted) = server().await;
        let c = Connections::new(&config(port), None).unwrap();
        for i in 0..3 {
            c.send(&message("poll@example.test", &format!("m{i}@example.test"))).await.unwrap();
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "three messages, one connection");
        let e = c.send(&message("poll@example.test", "bounce@example.test")).await.unwrap_err();
        assert!(matches!(&e, SendError::Permanent(m) if m.contains("550")), "{e:?}");
        let e = c.send(&message("busy@example.test", "m0@example.test")).await.unwrap_err();
        assert!(matches!(&e, SendError::Temporary(m) if m.contains("451")), "{e:?}");
        // lettre closed the connection after each error reply; the next
        // message opens a new one.
        c.send(&message("poll@example.test", "m9@example.test")).await.unwrap();
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
        // Idle for over a second: tested with a NOOP, still answers, reused.
        tokio::time::sleep(TEST_AFTER + Duration::from_millis(100)).await;
        c.send(&message("poll@example.test", "m10@example.test")).await.unwrap();
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_refused_connection_is_temporary() {
        let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        let c = Connections::new(&config(port), None).unwrap();
        let e = c.send(&message("poll@example.test", "m0@example.test")).await.unwrap_err();
        assert!(matches!(&e, SendError::Temporary(m) if m.contains("connecting to 127.0.0.1")), "{e:?}");
    }
}
