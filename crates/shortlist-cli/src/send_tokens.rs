//! `shortlist organiser send-tokens`: mailing members their booth links
//! through the server's SMTP settings (spec: api §4.2, §10), and the
//! progress, resends and template of those messages.

use anyhow::{Context, Result};
use serde_json::{json, Value};
use shortlist_client::Api;

use crate::http::Http;

/// The options of `send-tokens`.
#[derive(clap::Args)]
pub struct SendTokens {
    /// The poll id.
    pub poll: String,
    /// Only show progress: counts, then every member whose message is not sent, with the reason.
    #[arg(long, conflicts_with_all = ["resend", "resend_failed", "template"])]
    pub status: bool,
    /// Mail this member a new token (the old one stops working).
    #[arg(long, value_name = "MEMBER", conflicts_with = "resend_failed")]
    pub resend: Option<String>,
    /// Mail a new token to every member whose message failed.
    #[arg(long)]
    pub resend_failed: bool,
    /// Set the poll's template first, from a TOML file with `subject`, `text`
    /// and `html` (placeholders {name}, {title}, {poll}, {voting_close}, {link}).
    #[arg(long, value_name = "FILE")]
    pub template: Option<std::path::PathBuf>,
    /// Wait until nothing is queued or sending, showing progress.
    #[arg(long)]
    pub wait: bool,
}

/// Percent-encodes a path segment (RFC 3986 unreserved characters kept).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn counts(p: &Value) -> String {
    format!(
        "queued {}, sending {}, sent {}, failed {}{}",
        p["queued"],
        p["sending"],
        p["sent"],
        p["failed"],
        match p["resumed"].as_u64() {
            Some(n) if n > 0 =>
                format!(" ({n} resumed after a stop: each may have arrived twice, same Message-ID)"),
            _ => String::new(),
        }
    )
}

fn print_progress(p: &Value) {
    println!("{}", counts(p));
    for m in p["members"].as_array().into_iter().flatten() {
        println!(
            "  {:<20} {:<8} attempts {:<3} {}",
            m["member_id"].as_str().unwrap_or(""),
            m["state"].as_str().unwrap_or(""),
            m["attempts"],
            m["error"].as_str().unwrap_or("")
        );
    }
}

/// Runs `send-tokens`.
pub async fn run(api: &Api<Http>, args: &SendTokens) -> Result<()> {
    if let Some(path) = &args.template {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let t: toml::Value =
            toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
        let field = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_string);
        let (Some(subject), Some(text), Some(html)) = (field("subject"), field("text"), field("html")) else {
            anyhow::bail!("{}: give subject, text and html (strings)", path.display());
        };
        api.post("/mail/template", true, json!({ "subject": subject, "text": text, "html": html })).await?;
        println!("template set");
    }
    if args.status {
        print_progress(&api.get_org("/mail").await?);
        return Ok(());
    }
    if let Some(member) = &args.resend {
        api.action(&format!("/mail/resend/{}", segment(member))).await?;
        println!("queued a message with a new token for {member} (the old token no longer works)");
    } else if args.resend_failed {
        let out = api.action("/mail/resend-failed").await?;
        println!("queued {} messages with new tokens", out["queued"]);
    } else {
        let out = api.action("/mail/send").await?;
        println!(
            "queued {} messages; {} members hold a token already (resend to one with --resend MEMBER)",
            out["queued"], out["holding_token"]
        );
    }
    if args.wait {
        loop {
            // The counts only while the queue drains; the members at the end.
            let p = api.get_org("/mail?members=none").await?;
            println!("{}", counts(&p));
            if p["queued"] == 0 && p["sending"] == 0 {
                print_progress(&api.get_org("/mail").await?);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    } else {
        println!("see progress with: shortlist organiser send-tokens {} --status", args.poll);
    }
    Ok(())
}
