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
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::CertificateDer;

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
        let extra = extra_roots(config)?;
        let security = match config.tls {
            TlsMode::None => Security::Plain,
            TlsMode::Starttls => {
                let mut parameters = TlsParameters::builder(host.clone());
                for der in &extra {
                    parameters = parameters.add_root_certificate(Certificate::from_der(der.to_vec())?);
                }
                Security::Starttls(parameters.build_rustls()?)
            }
            TlsMode::Tls => {
                let mut roots = rustls::RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                for der in extra {
                    roots.add(der)?;
                }
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

/// The certificates of `[mail] ca_file`, if set: trusted besides the
/// public roots.
fn extra_roots(config: &MailConfig) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let Some(path) = &config.ca_file else { return Ok(Vec::new()) };
    let pem = std::fs::read(path).map_err(|e| anyhow::anyhow!("[mail] ca_file {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("[mail] ca_file {}: {e}", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!("[mail] ca_file {}: no certificate in it", path.display());
    }
    Ok(certs)
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

    /// How the test server speaks TLS.
    #[derive(Clone)]
    enum Tls {
        None,
        Starttls(tokio_rustls::TlsAcceptor),
        Implicit(tokio_rustls::TlsAcceptor),
    }

    /// One SMTP session over `stream`: refuses `RCPT` to `bounce@…` with 550
    /// and `MAIL` from `busy@…` with 451; with an acceptor, offers STARTTLS
    /// and returns the plain stream when the client asks for it.
    async fn session<S: AsyncRead + AsyncWrite + Unpin>(
        stream: S,
        greet: bool,
        starttls: bool,
    ) -> io::Result<Option<S>> {
        let mut lines = BufReader::new(stream);
        if greet {
            lines.get_mut().write_all(b"220 test ESMTP\r\n").await?;
        }
        let mut data = false;
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(None);
            }
            let l = line.trim_end().to_ascii_uppercase();
            let reply: &[u8] = match l.as_str() {
                "." if data => {
                    data = false;
                    b"250 queued\r\n"
                }
                _ if data => continue,
                l if l.starts_with("EHLO") && starttls => b"250-test\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
                l if l.starts_with("EHLO") => b"250-test\r\n250 8BITMIME\r\n",
                "STARTTLS" => {
                    lines.get_mut().write_all(b"220 go ahead\r\n").await?;
                    return Ok(Some(lines.into_inner()));
                }
                l if l.starts_with("MAIL") && l.contains("BUSY@") => b"451 try later\r\n",
                l if l.starts_with("RCPT") && l.contains("BOUNCE@") => b"550 no such user\r\n",
                "DATA" => {
                    data = true;
                    b"354 go on\r\n"
                }
                l if l.starts_with("QUIT") => {
                    lines.get_mut().write_all(b"221 bye\r\n").await?;
                    return Ok(None);
                }
                _ => b"250 ok\r\n",
            };
            lines.get_mut().write_all(reply).await?;
        }
    }

    /// A minimal SMTP server on 127.0.0.1 (see [`session`]); returns its
    /// port and how many connections it accepted.
    async fn server_with(tls: Tls) -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Tls::None => drop(session(stream, true, false).await?),
                        Tls::Implicit(acceptor) => {
                            drop(session(acceptor.accept(stream).await?, true, false).await?);
                        }
                        Tls::Starttls(acceptor) => {
                            if let Some(plain) = session(stream, true, true).await? {
                                // After STARTTLS: the client greets again (EHLO) over TLS.
                                drop(session(acceptor.accept(plain).await?, false, false).await?);
                            }
                        }
                    }
                    Ok::<_, io::Error>(())
                });
            }
        });
        (port, accepted)
    }

    async fn server() -> (u16, Arc<AtomicUsize>) {
        server_with(Tls::None).await
    }

    /// A certificate for `localhost` and an acceptor serving it; the
    /// certificate's PEM, to trust as `ca_file`.
    fn localhost_tls() -> (tokio_rustls::TlsAcceptor, String) {
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::try_from(ck.signing_key.serialize_der()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![ck.cert.der().clone()], key)
            .unwrap();
        (tokio_rustls::TlsAcceptor::from(Arc::new(config)), ck.cert.pem())
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

    #[tokio::test]
    async fn implicit_tls_and_starttls_with_a_private_ca() {
        let dir = tempfile::tempdir().unwrap();
        for (mode, tls, starttls) in [("tls", TlsMode::Tls, false), ("starttls", TlsMode::Starttls, true)] {
            let (acceptor, pem) = localhost_tls();
            let ca = dir.path().join(format!("{mode}.pem"));
            std::fs::write(&ca, &pem).unwrap();
            let (port, accepted) =
                server_with(if starttls { Tls::Starttls(acceptor) } else { Tls::Implicit(acceptor) }).await;
            let mut config = config(port);
            config.smtp_host = "localhost".into();
            config.tls = tls;
            // The public roots alone do not trust it.
            let untrusted = Connections::new(&config, None).unwrap();
            let e = untrusted.send(&message("poll@example.test", "m0@example.test")).await.unwrap_err();
            assert!(matches!(&e, SendError::Temporary(m) if m.contains("localhost")), "{mode}: {e:?}");
            // With the certificate as ca_file: two messages over one connection.
            config.ca_file = Some(ca);
            let c = Connections::new(&config, None).unwrap();
            c.send(&message("poll@example.test", "m1@example.test")).await.unwrap();
            c.send(&message("poll@example.test", "m2@example.test")).await.unwrap();
            assert_eq!(
                accepted.load(Ordering::SeqCst),
                2,
                "{mode}: the refused attempt, then one connection"
            );
        }
        // A ca_file with no certificate is refused at start-up.
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let mut config = config(25);
        config.ca_file = Some(empty);
        let e = Connections::new(&config, None).unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
    }
}
