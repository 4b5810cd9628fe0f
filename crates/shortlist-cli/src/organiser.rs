//! `shortlist organiser`: the organiser's commands against a server (spec:
//! api §7.1), with the organiser key from a file or the environment.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use shortlist_client::Api;

use crate::http::Http;

/// Which server and poll.
#[derive(clap::Args, Clone)]
pub struct ServerArgs {
    /// The server's base URL.
    #[arg(long, env = "SHORTLIST_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The poll id.
    #[arg(long, env = "SHORTLIST_POLL")]
    pub poll: String,
}

/// `shortlist organiser`.
#[derive(clap::Args)]
pub struct OrganiserArgs {
    /// The server's base URL.
    #[arg(long, env = "SHORTLIST_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// File holding the organiser key (else SHORTLIST_ORGANISER_KEY).
    #[arg(long, default_value = "shortlist-data/organiser.key")]
    key_file: PathBuf,
    #[command(subcommand)]
    command: OrganiserCommand,
}

#[derive(clap::Subcommand)]
enum OrganiserCommand {
    /// Create a poll from a manifest file (TOML or JSON; see spec/examples/manifest.toml).
    Create { manifest: PathBuf },
    /// Show where a poll stands.
    Status { poll: String },
    /// Open nominations, so that would-be candidates can send expressions of interest.
    OpenNominations { poll: String },
    /// Issue candidate tokens, one per label (e.g. an e-mail address); printed once.
    CandidateTokens { poll: String, labels: Vec<String> },
    /// List expressions of interest by arrival: short id, status, time, name,
    /// the label the token was issued to, attributes and statement.
    Nominations { poll: String },
    /// Approve an expression of interest by its (short) id: the candidate goes on the board.
    Approve { poll: String, id: String },
    /// Reject an expression of interest by its (short) id.
    Reject { poll: String, id: String },
    /// Enter a candidate directly, e.g. `--attr gender=woman`.
    AddCandidate {
        poll: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value_t = 1)]
        contest: u32,
        #[arg(long, default_value = "")]
        statement: String,
        #[arg(long = "attr")]
        attributes: Vec<String>,
    },
    /// Close nominations: post the ballot definition (not before the timetable allows).
    CloseNominations { poll: String },
    /// Import the member roll from a CSV with columns member_id,name,email.
    Roll { poll: String, csv: PathBuf },
    /// Issue eligibility tokens to every member without one, written to a CSV
    /// for a mail merge (readable by you only; the server keeps only hashes).
    Tokens {
        poll: String,
        #[arg(long)]
        out: PathBuf,
        /// Instead, give a new token to every member who has not registered
        /// yet (any old token stops working): for tokens lost on the way, e.g.
        /// an answer that never arrived. Send the new links to all of them.
        #[arg(long)]
        reissue_unredeemed: bool,
    },
    /// Mail every member without a token their booth link (through the
    /// server's [mail] settings); with --status, --resend MEMBER or
    /// --resend-failed, show progress or send again.
    SendTokens(crate::send_tokens::SendTokens),
    /// Open voting (the key ceremony must be done).
    OpenVoting { poll: String },
    /// Close voting (not before the timetable's close).
    CloseVoting { poll: String },
    /// Start the tally: post the aggregate; trustees then decrypt.
    Tally { poll: String },
    /// Show the result.
    Result { poll: String },
    /// Move a deadline by a timetable amendment on the board: later, or
    /// earlier if the manifest allows early close, before it passes. Dates
    /// are RFC 3339 with an offset (2026-12-10T18:00:00+01:00) or Unix seconds.
    Amend {
        poll: String,
        /// The new end of nominations.
        #[arg(long, visible_alias = "nominations-closes")]
        nominations_close: Option<String>,
        /// The new end of voting (exclusive).
        #[arg(long, visible_alias = "voting-closes")]
        voting_close: Option<String>,
    },
    /// Show the timetable in force, in the poll's zone, with its amendments.
    Timetable { poll: String },
}

fn organiser_key(path: &Path) -> Result<String> {
    if let Ok(k) = std::env::var("SHORTLIST_ORGANISER_KEY") {
        return Ok(k);
    }
    let k = std::fs::read_to_string(path).with_context(|| {
        format!("reading the organiser key {} (or set SHORTLIST_ORGANISER_KEY)", path.display())
    })?;
    Ok(k.trim().to_string())
}

/// Reads a manifest file (TOML, or JSON if it ends in .json) as JSON.
pub fn read_manifest(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "json") {
        return serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()));
    }
    let v: toml::Value = toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
    Ok(toml_to_json(v))
}

/// TOML as JSON, with TOML date-times (`voting_close = 2026-12-10T18:00:00+01:00`,
/// unquoted) as RFC 3339 strings, the form the server reads (spec: api §7.1).
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

/// Runs an organiser command.
pub fn run(args: &OrganiserArgs) -> Result<()> {
    crate::block_on(organise(args))
}

async fn organise(args: &OrganiserArgs) -> Result<()> {
    use OrganiserCommand as C;
    let key = organiser_key(&args.key_file)?;
    let http = Http::new(&args.server)?;
    let api = |poll: &str| Api::new(http.clone(), poll).with_organiser_key(key.clone());
    match &args.command {
        C::Create { manifest } => {
            let m = read_manifest(manifest)?;
            let poll = m["poll_id"].as_str().context("the manifest has no poll_id")?.to_string();
            let out = api(&poll).create_poll(&m).await?;
            println!("created poll {poll}");
            println!("manifest hash {}", out["manifest_hash"].as_str().unwrap_or(""));
            println!("server key    {}", out["server_key"].as_str().unwrap_or(""));
            println!(
                "\nPublish the manifest hash where members will find it apart from this server (your own\n\
                 site, the invitation): it is the poll's identity. Members' clients and the booth refuse a\n\
                 poll with another; auditors run `shortlist-verify --manifest-hash HASH`."
            );
        }
        C::Status { poll } => {
            print_json(&api(poll).get("/status").await?);
            print_timetable(&api(poll).get("/timetable").await?);
        }
        C::Timetable { poll } => print_timetable(&api(poll).get("/timetable").await?),
        C::Amend { poll, nominations_close, voting_close } => {
            if nominations_close.is_none() && voting_close.is_none() {
                bail!("give --nominations-close DATE, --voting-close DATE, or both");
            }
            let mut last = None;
            for (deadline, to) in [("nominations_close", nominations_close), ("voting_close", voting_close)] {
                let Some(to) = to else { continue };
                let seconds = shortlist_board::zone::parse_time(to).map_err(anyhow::Error::msg)?;
                let out = api(poll)
                    .post("/timetable", true, json!({ "deadline": deadline, "to": seconds }))
                    .await
                    .with_context(|| format!("moving {deadline} to {to}"))?;
                summary(&out["appended"]);
                last = Some(out["timetable"].clone());
            }
            if let Some(t) = last {
                print_timetable(&t);
            }
        }
        C::OpenNominations { poll } => print_json(&api(poll).action("/nominations/open").await?),
        C::CandidateTokens { poll, labels } => {
            let out = api(poll).post("/candidate-tokens", true, json!({ "labels": labels })).await?;
            for t in out.as_array().into_iter().flatten() {
                println!("{}\t{}", t["label"].as_str().unwrap_or(""), t["token"].as_str().unwrap_or(""));
            }
        }
        C::Nominations { poll } => {
            let zone = api(poll).get("").await?["time_zone"].as_str().unwrap_or("").to_string();
            let list = api(poll).get_org("/nominations").await?;
            let list = list.as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                println!("no expressions of interest yet");
            }
            // By arrival (spec: api §7.1); approve or reject by the short id.
            for n in &list {
                let at = n["submitted_at"].as_u64().map(|t| shortlist_board::zone::show(t, &zone));
                println!(
                    "{}  {:<8}  {}  {}  (token issued to {})",
                    n["short_id"].as_str().unwrap_or(""),
                    n["status"].as_str().unwrap_or(""),
                    at.unwrap_or_default(),
                    n["candidate"]["name"].as_str().unwrap_or(""),
                    n["label"].as_str().unwrap_or("")
                );
                let attrs = n["candidate"]["attributes"].as_object().cloned().unwrap_or_default();
                if !attrs.is_empty() {
                    let pairs: Vec<String> =
                        attrs.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect();
                    println!("          {}", pairs.join(", "));
                }
                for line in n["candidate"]["statement"].as_str().unwrap_or("").lines().take(3) {
                    println!("          | {line}");
                }
            }
        }
        C::Approve { poll, id } => summary(&api(poll).action(&format!("/nominations/{id}/approve")).await?),
        C::Reject { poll, id } => {
            api(poll).action(&format!("/nominations/{id}/reject")).await?;
            println!("rejected");
        }
        C::AddCandidate { poll, name, contest, statement, attributes } => {
            let mut pairs = Vec::new();
            for a in attributes {
                let (k, v) = a.split_once('=').with_context(|| format!("--attr {a}: use key=value"))?;
                pairs.push((k, v));
            }
            summary(&api(poll).enter_candidate(*contest, name, statement, &pairs).await?);
        }
        C::CloseNominations { poll } => summary(&api(poll).action("/nominations/close").await?),
        C::Roll { poll, csv } => {
            let text = std::fs::read_to_string(csv).with_context(|| format!("reading {}", csv.display()))?;
            let out = api(poll).import_roll(&text).await?;
            println!("imported {} members", out["imported"]);
        }
        C::Tokens { poll, out, reissue_unredeemed } => {
            if out.exists() {
                bail!(
                    "{} exists: it may hold tokens that cannot be issued again; choose another name",
                    out.display()
                );
            }
            let issued = if *reissue_unredeemed {
                reissue_tokens(&http, poll, &key).await?
            } else {
                api(poll).issue_tokens().await?
            };
            let csv = zeroize::Zeroizing::new(booth_links(&issued, &args.server)?);
            let n = csv.lines().count().saturating_sub(1);
            crate::keyfile::write_private_new(out, csv.as_bytes())?;
            println!(
                "issued {n} tokens to {} (readable by you only; they are not stored anywhere else)",
                out.display()
            );
        }
        C::SendTokens(s) => crate::send_tokens::run(&api(&s.poll), s).await?,
        C::OpenVoting { poll } => {
            let out = api(poll).action("/voting/open").await?;
            println!("voting open; joint key {}", out["joint_key"].as_str().unwrap_or(""));
        }
        C::CloseVoting { poll } => summary(&api(poll).action("/voting/close").await?),
        C::Tally { poll } => summary(&crate::start_tally(&api(poll)).await?),
        C::Result { poll } => crate::print_result(&api(poll).get("/result").await?),
    }
    Ok(())
}

fn summary(v: &Value) {
    match v.get("entry").filter(|e| !e.is_null()) {
        Some(e) => println!(
            "appended entry {} ({}){}",
            e["index"],
            e["kind"].as_str().unwrap_or(""),
            if v["repeat"] == true { " (already on the board)" } else { "" }
        ),
        None => println!("done"),
    }
}

/// Prints a TimetableInfo (spec: api §7.5) in the poll's zone.
fn print_timetable(t: &Value) {
    let zone = t["time_zone"].as_str().unwrap_or("");
    let show = |v: &Value| v.as_u64().map(|s| shortlist_board::zone::show(s, zone)).unwrap_or_default();
    println!("timetable ({}):", if zone.is_empty() { "UTC" } else { zone });
    for (key, label) in [
        ("nominations_close", "nominations close"),
        ("voting_open", "voting opens"),
        ("voting_close", "voting closes"),
    ] {
        let (now, was) = (&t["current"][key], &t["manifest"][key]);
        let note =
            if now != was { format!("  (amended; the manifest said {})", show(was)) } else { String::new() };
        println!("  {label:<18} {}{note}", show(now));
    }
    for a in t["amendments"].as_array().into_iter().flatten() {
        println!(
            "  amendment at entry {}: {} {} → {}",
            a["index"],
            a["deadline"].as_str().unwrap_or(""),
            show(&a["from"]),
            show(&a["to"])
        );
    }
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Turns the server's token CSV's `booth_path` column into a full
/// `booth_link` on `server` (spec: board §1.5: the link's fragment carries the
/// token and the manifest hash, and never reaches a server).
/// `POST …/tokens?reissue=unredeemed` (spec: api §4, "Re-issue").
async fn reissue_tokens(http: &Http, poll: &str, key: &str) -> Result<String> {
    use shortlist_client::{Method, Transport};
    let path = format!("/v1/polls/{poll}/tokens?reissue=unredeemed");
    let reply = http.send(Method::Post, &path, Some(key), "application/json", Vec::new()).await?;
    let body = String::from_utf8(reply.body).context("the server's answer is not UTF-8")?;
    if reply.status != 200 {
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        bail!("the server refused ({}): {}", reply.status, v["message"].as_str().unwrap_or(""));
    }
    Ok(body)
}

fn booth_links(csv_text: &str, server: &str) -> Result<String> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let path_col = header.iter().position(|h| h == "booth_path");
    if let Some(i) = path_col {
        if let Some(h) = header.get_mut(i) {
            *h = "booth_link".into();
        }
    }
    w.write_record(&header)?;
    let base = server.trim_end_matches('/');
    for rec in reader.records() {
        let rec = rec?;
        let row: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, f)| if Some(i) == path_col { format!("{base}{f}") } else { f.to_string() })
            .collect();
        w.write_record(&row)?;
    }
    Ok(String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?)
}

/// The values of the column named `name` of a CSV with a header row.
pub(crate) fn column(csv_text: &str, name: &str) -> Result<Vec<String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let at = reader.headers()?.iter().position(|h| h == name).with_context(|| format!("no {name} column"))?;
    reader
        .records()
        .map(|r| Ok(r?.get(at).with_context(|| format!("a row without {name}"))?.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_manifest_reads_with_rfc3339_dates() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/examples/manifest.toml");
        let m = read_manifest(&path).unwrap();
        let t = &m["timetable"];
        assert_eq!(t["voting_close"], "2027-03-01T13:00:00+01:00");
        assert_eq!(t["time_zone"], "Europe/Paris");
        let secs = shortlist_board::zone::parse_time(t["voting_close"].as_str().unwrap()).unwrap();
        assert_eq!(secs, 1_803_902_400, "the same instant as the Unix seconds the example had");
        assert!(m["threshold"].is_u64());
    }
}
