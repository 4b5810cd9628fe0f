//! A small SMTP server for tests, on 127.0.0.1 only: it speaks enough of
//! RFC 5321 for lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps
//! every message it accepts, and has two switches: answer `451` to every
//! `MAIL FROM` until a given instant, and `550` to `RCPT TO` for chosen
//! addresses.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the sink accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope recipient.
    pub rcpt: String,
    /// The message as sent (dot-unstuffed), CRLF line ends.
    pub data: String,
    /// When it was accepted.
    pub at: Instant,
}

impl Received {
    /// The `Message-ID` header's value.
    pub fn message_id(&self) -> Option<String> {
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix("Message-ID:").map(|v| v.trim().to_string()))
    }

    /// The body with quoted-printable soft breaks and `=3D` undone (enough
    /// to read links).
    pub fn readable(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    temp_fail_until: Option<Instant>,
    temp_failures: u64,
    reject: HashSet<String>,
    rejections: u64,
}

/// The sink: its port and what it received.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
}

impl Sink {
    /// Starts listening on 127.0.0.1 at a free port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let sink = Self { port, inner: inner.clone() };
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let inner = inner.clone();
                tokio::spawn(async move {
                    let _ = session(stream, inner).await;
                });
            }
        });
        sink
    }

    /// Answers 451 to `MAIL FROM` until `until`.
    pub fn temp_fail_until(&self, until: Instant) {
        self.inner.lock().unwrap().temp_fail_until = Some(until);
    }

    /// Answers 550 to `RCPT TO` for `address`.
    pub fn reject(&self, address: &str) {
        self.inner.lock().unwrap().reject.insert(address.to_ascii_lowercase());
    }

    /// Accepts `address` again.
    pub fn accept(&self, address: &str) {
        self.inner.lock().unwrap().reject.remove(&address.to_ascii_lowercase());
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// How many messages were accepted.
    pub fn count(&self) -> usize {
        self.inner.lock().unwrap().received.len()
    }

    /// How many 451s and 550s it answered.
    pub fn refusals(&self) -> (u64, u64) {
        let i = self.inner.lock().unwrap();
        (i.temp_failures, i.rejections)
    }
}

fn angle(arg: &str) -> String {
    let a = arg.split_once(':').map_or(arg, |(_, v)| v).trim();
    let a = a.split_whitespace().next().unwrap_or("");
    a.trim_start_matches('<').trim_end_matches('>').to_ascii_lowercase()
}

async fn session(stream: tokio::net::TcpStream, inner: Arc<Mutex<Inner>>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP test sink\r\n").await?;
    let mut rcpts: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if upper.starts_with("MAIL FROM") {
            rcpts.clear();
            let mut i = inner.lock().unwrap();
            if i.temp_fail_until.is_some_and(|t| Instant::now() < t) {
                i.temp_failures += 1;
                b"451 4.3.0 try again later\r\n"
            } else {
                b"250 2.1.0 ok\r\n"
            }
        } else if upper.starts_with("RCPT TO") {
            let who = angle(&cmd);
            let mut i = inner.lock().unwrap();
            if i.reject.contains(&who) {
                i.rejections += 1;
                b"550 5.1.1 no such mailbox\r\n"
            } else {
                rcpts.push(who);
                b"250 2.1.5 ok\r\n"
            }
        } else if upper == "DATA" {
            if rcpts.is_empty() {
                b"503 5.5.1 no recipients\r\n"
            } else {
                w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    let l = line.trim_end_matches(['\r', '\n']);
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(l));
                    data.push_str("\r\n");
                }
                let mut i = inner.lock().unwrap();
                let at = Instant::now();
                for rcpt in rcpts.drain(..) {
                    i.received.push(Received { rcpt, data: data.clone(), at });
                }
                b"250 2.0.0 queued\r\n"
            }
        } else if upper.starts_with("RSET") {
            rcpts.clear();
            b"250 2.0.0 ok\r\n"
        } else if upper.starts_with("NOOP") {
            b"250 2.0.0 ok\r\n"
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"500 5.5.2 unknown command\r\n"
        };
        w.write_all(reply).await?;
    }
}
