//! The registrar's e-mail delivery (spec: board §4.12.1): each member's
//! booth link, the credential in its fragment, through the registrar's own
//! SMTP settings, with the server's mail pieces (the template and its
//! placeholders, the message, the SMTP transport and its rate). The
//! registrar keeps its own record: every member sent to is appended (and
//! synced) to `OUT.sent` (0600) right after the SMTP server's 250, so a run
//! stopped at any point resumes with `--resume` without mailing anyone
//! twice, except the one message in flight at the stop.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use shortlist_board::manifest::Manifest;
use shortlist_server::mail::sender::{Direct, Mailer};
use shortlist_server::mail::template::{Template, Values};
use shortlist_server::mail::MailConfig;

use crate::registrar::{booth_link, Issued};

/// A template file: `subject`, `text`, `html` (placeholders `{name}`,
/// `{title}`, `{poll}`, `{voting_close}`, `{link}`).
fn template_file(path: &Path) -> Result<Template> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
    let part = |k: &str| -> Result<String> {
        Ok(table
            .get(k)
            .and_then(|v| v.as_str())
            .with_context(|| format!("{}: no `{k}`", path.display()))?
            .to_string())
    };
    let t = Template { subject: part("subject")?, text: part("text")?, html: part("html")? };
    t.check().map_err(anyhow::Error::msg)?;
    Ok(t)
}

fn sent_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".sent");
    PathBuf::from(p)
}

fn already_sent(path: &Path) -> Result<HashSet<String>> {
    if !path.exists() {
        return Ok(HashSet::new());
    }
    Ok(std::fs::read_to_string(path)?.lines().map(str::to_string).collect())
}

/// Mails every member of `issued` not yet in `OUT.sent`; returns (sent, failed).
pub async fn deliver(
    issued: &[Issued],
    manifest: &Manifest,
    manifest_hash: &[u8; 32],
    mail_file: &Path,
    template_file: Option<&Path>,
    out: &Path,
) -> Result<(usize, Vec<(String, String)>)> {
    let text =
        std::fs::read_to_string(mail_file).with_context(|| format!("reading {}", mail_file.display()))?;
    let config: MailConfig =
        toml::from_str(&text).with_context(|| format!("{}: the [mail] settings", mail_file.display()))?;
    let template = match template_file {
        None => Template::default(),
        Some(f) => self::template_file(f)?,
    };
    let public_url = config.public_url.clone();
    // The token key is unused here: the registrar mails credentials, not tokens.
    let mailer = Mailer::new(config, &rand::random::<[u8; 32]>())?;
    let sent_file = sent_path(out);
    let done = already_sent(&sent_file)?;
    let mut log = crate::keyfile::append_private(&sent_file)?;
    let poll = manifest.poll_id.as_str();
    let close = shortlist_server::web::time::utc(manifest.timetable.voting_close);
    let (mut sent, mut failed) = (0, Vec::new());
    for i in issued.iter().filter(|i| !done.contains(&i.member)) {
        let credential = i.credential.to_text();
        let link = booth_link(&public_url, poll, &credential, manifest_hash);
        let values =
            Values { name: &i.name, title: &manifest.title, poll, voting_close: &close, link: &link };
        // The same member and credential make the same Message-ID (no secret in it).
        let key = i.credential.derive(manifest_hash).public_key().to_bytes();
        let mut input = b"shortlist/v1/registrar-message\0".to_vec();
        input.extend_from_slice(poll.as_bytes());
        input.push(0);
        input.extend_from_slice(i.member.as_bytes());
        input.extend_from_slice(&key);
        let id = hex::encode(shortlist_board::entry::payload_hash(&input));
        let mut attempt = 0u32;
        loop {
            match mailer.send_direct(&i.name, &i.email, &template, &values, &id).await {
                Direct::Sent => {
                    writeln!(log, "{}", i.member)?;
                    log.sync_data()?;
                    sent += 1;
                    break;
                }
                Direct::Refused(why) => {
                    failed.push((i.member.clone(), why));
                    break;
                }
                Direct::Temporary(why) => {
                    attempt += 1;
                    if u64::from(attempt) >= mailer.config.max_attempts {
                        failed.push((i.member.clone(), format!("gave up after {attempt} attempts: {why}")));
                        break;
                    }
                    let wait = mailer.config.retry_base_ms.saturating_mul(1 << attempt.min(10)).min(60_000);
                    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                }
            }
        }
    }
    Ok((sent, failed))
}
