//! `shortlist registrar`: the registrar of registrar mode (spec: board
//! §4.12, api §7.6), run apart from the server. It makes each member's
//! credential secret, writes it only to the delivery file (readable by its
//! owner only) and posts to the board, signed with its own key, the list of
//! public credential keys and the roll's size — never which member holds
//! which key. The server never sees a secret.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use shortlist_board::registrar::{MemberCredential, RegistrarBody, RegistrarEntry};
use shortlist_client::board::PollView;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use zeroize::Zeroizing;

use crate::http::Http;
use crate::keyfile;
use crate::organiser::ServerArgs;
pub use crate::registrar_issued::booth_link;
use crate::registrar_issued::Issued;

/// Keys per list part or supplement entry: the hex JSON body stays under
/// the server's 1 MiB request limit.
pub const KEYS_PER_POST: usize = 14_000;

/// `shortlist registrar`.
#[derive(clap::Args)]
pub struct RegistrarArgs {
    /// The registrar's key file (sealed with a passphrase, readable by you only).
    #[arg(long, default_value = "registrar.key")]
    key: PathBuf,
    /// A file holding the passphrase (else SHORTLIST_PASSPHRASE, else asked).
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: RegistrarCommand,
}

/// Where the credentials go.
#[derive(clap::Args, Clone)]
pub struct Delivery {
    /// The roll: a CSV with columns member_id,name,email.
    #[arg(long)]
    roll: PathBuf,
    /// The delivery file to write (CSV member_id,name,email,credential,link;
    /// readable by you only): print it or mail-merge it, then delete it.
    #[arg(long, default_value = "credentials.csv")]
    out: PathBuf,
    /// The registrar's index (member_id → public credential key, no
    /// secret), kept to revoke a lost credential; delete it to give that up.
    #[arg(long, default_value = "registrar-index.csv")]
    index: PathBuf,
    /// The booth's public base URL, for the links.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    public_url: String,
    /// Post again what an interrupted run left unposted, from the delivery
    /// file it wrote (and, with --mail, mail whom it had not).
    #[arg(long)]
    resume: bool,
    /// Also e-mail each member their booth link, through the SMTP settings
    /// in this TOML file (the keys of the server's `[mail]` section); the
    /// job's journal is OUT.mail (see `registrar mail-status`).
    #[arg(long, value_name = "FILE")]
    mail: Option<PathBuf>,
    /// With --mail: a TOML file with `subject`, `text` and `html`
    /// (placeholders {name}, {title}, {poll}, {voting_close}, {link}).
    #[arg(long, value_name = "FILE", requires = "mail")]
    template: Option<PathBuf>,
}

/// The registrar's mail job over a delivery file.
#[derive(clap::Args, Clone)]
pub struct MailJob {
    /// The delivery file `issue` or `supplement` wrote (its journal is OUT.mail).
    #[arg(long, default_value = "credentials.csv")]
    out: PathBuf,
    /// The SMTP settings (the keys of the server's `[mail]` section).
    #[arg(long, value_name = "FILE")]
    mail: PathBuf,
    /// A TOML file with `subject`, `text` and `html`.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Send again to this member (a new message with the same credential); repeatable.
    #[arg(long, value_name = "MEMBER")]
    resend: Vec<String>,
    /// Send again to every member not delivered.
    #[arg(long)]
    resend_failed: bool,
}

#[derive(clap::Subcommand)]
enum RegistrarCommand {
    /// Make the registrar's key and print its public key for the manifest.
    Keygen,
    /// Print the public key.
    Pubkey,
    /// Make a credential per member of the roll, write them to the delivery
    /// file, and post the signed list of public keys.
    Issue {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        delivery: Delivery,
    },
    /// Late members, before voting closes: credentials for the roll given,
    /// posted as a signed supplement.
    Supplement {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        delivery: Delivery,
    },
    /// Run the e-mail job of a delivery file: mail whoever is queued (what a
    /// stopped run left, members to send again), at the configured rate.
    Mail {
        #[command(flatten)]
        server: ServerArgs,
        #[command(flatten)]
        job: MailJob,
    },
    /// The e-mail job's progress: queued, sent, failed, with the reasons.
    MailStatus {
        /// The delivery file (its journal is OUT.mail).
        #[arg(long, default_value = "credentials.csv")]
        out: PathBuf,
    },
    /// A member lost their credential: post a signed revocation of their key
    /// and its replacement, and write their new credential to `--out`.
    Replace {
        #[command(flatten)]
        server: ServerArgs,
        /// The member's id.
        #[arg(long)]
        member: String,
        /// The registrar's index written at issue.
        #[arg(long, default_value = "registrar-index.csv")]
        index: PathBuf,
        /// Where to write the member's new credential (readable by you only).
        #[arg(long)]
        out: PathBuf,
        /// The booth's public base URL, for the link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

/// Runs a registrar command.
pub fn run(args: &RegistrarArgs) -> Result<()> {
    match &args.command {
        RegistrarCommand::Keygen => {
            if args.key.exists() {
                bail!("{} exists; not overwriting a registrar key", args.key.display());
            }
            let pass = keyfile::passphrase(args.passphrase_file.as_deref(), true)?;
            let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
            save_key(&args.key, &key, &pass)?;
            println!("made {}; give the organiser this public key for the manifest:", args.key.display());
            println!("{}", hex::encode(key.public_key().to_bytes()));
            Ok(())
        }
        RegistrarCommand::Pubkey => {
            println!("{}", hex::encode(load_key(args)?.public_key().to_bytes()));
            Ok(())
        }
        RegistrarCommand::Issue { server, delivery } => {
            crate::block_on(issue(&load_key(args)?, server, delivery, true))
        }
        RegistrarCommand::Supplement { server, delivery } => {
            crate::block_on(issue(&load_key(args)?, server, delivery, false))
        }
        RegistrarCommand::Mail { server, job } => crate::block_on(mail(server, job)),
        RegistrarCommand::MailStatus { out } => {
            for line in crate::registrar_mail::status(&read_delivery(out)?, out)? {
                println!("{line}");
            }
            Ok(())
        }
        RegistrarCommand::Replace { server, member, index, out, public_url } => {
            crate::block_on(replace(&load_key(args)?, server, member, index, out, public_url))
        }
    }
}

/// The public key of a registrar key file, in hex (for manifests and tests).
pub fn public_key(key: &Path, passphrase_file: &Path) -> Result<String> {
    let pass = keyfile::passphrase(Some(passphrase_file), false)?;
    Ok(hex::encode(open_key(key, &pass)?.public_key().to_bytes()))
}

fn save_key(path: &Path, key: &CredentialSecret, pass: &str) -> Result<()> {
    let plain = Zeroizing::new(
        json!({ "registrar_key": hex::encode(key.expose_secret_bytes().as_slice()) }).to_string(),
    );
    keyfile::write_private(path, keyfile::seal(plain.as_bytes(), pass)?.as_bytes())
}

fn load_key(args: &RegistrarArgs) -> Result<CredentialSecret> {
    let pass = keyfile::passphrase(args.passphrase_file.as_deref(), false)?;
    open_key(&args.key, &pass)
}

fn open_key(key: &Path, pass: &str) -> Result<CredentialSecret> {
    let text = std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
    let plain = keyfile::open(&text, pass)?;
    let v: Value = serde_json::from_slice(&plain).context("the key file's contents are damaged")?;
    let sk = Zeroizing::new(hex::decode(v["registrar_key"].as_str().context("not a registrar key file")?)?);
    let sk: [u8; 32] = sk.as_slice().try_into().context("registrar key length")?;
    Ok(CredentialSecret::from_secret_bytes(&sk))
}

fn read_roll(path: &Path) -> Result<Vec<(String, String, String)>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for row in r.records() {
        let row = row.with_context(|| format!("reading {}", path.display()))?;
        let get = |i: usize| row.get(i).unwrap_or("").trim().to_string();
        if get(0).is_empty() {
            bail!("{}: a row without a member_id", path.display());
        }
        out.push((get(0), get(1), get(2)));
    }
    Ok(out)
}

fn write_delivery(path: &Path, poll: &str, hm: &[u8; 32], url: &str, issued: &[Issued]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["member_id", "name", "email", "credential", "link"])?;
    for i in issued {
        let text = i.credential.to_text();
        let link = booth_link(url, poll, &text, hm);
        w.write_record([i.member.as_str(), &i.name, &i.email, text.as_str(), link.as_str()])?;
    }
    let bytes = Zeroizing::new(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    keyfile::write_private(path, &bytes)
}

fn read_delivery(path: &Path) -> Result<Vec<Issued>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for row in r.records() {
        let row = row?;
        let get = |i: usize| row.get(i).unwrap_or("").to_string();
        let credential = MemberCredential::parse(&get(3)).map_err(anyhow::Error::msg)?;
        out.push(Issued { member: get(0), name: get(1), email: get(2), credential });
    }
    Ok(out)
}

fn append_index(path: &Path, rows: &[(String, [u8; 32])]) -> Result<()> {
    let mut text = if path.exists() { std::fs::read_to_string(path)? } else { "member_id,key\n".to_string() };
    for (m, k) in rows {
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        w.write_record([m.as_str(), &hex::encode(k)])?;
        text.push_str(&String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?);
    }
    keyfile::write_private(path, text.as_bytes())
}

/// Posts a signed registrar entry; whether it was on the board already.
pub async fn post(api: &Api<Http>, entry: &RegistrarEntry) -> Result<bool> {
    let kind = match entry.body {
        RegistrarBody::List { .. } => "list",
        RegistrarBody::Supplement { .. } => "supplement",
        RegistrarBody::Revocation { .. } => "revocation",
    };
    let v = api
        .post("/registrar", false, json!({"kind": kind, "payload": hex::encode(entry.to_bytes())}))
        .await?;
    Ok(v["repeat"].as_bool().unwrap_or(false))
}

/// The credential keys of `credentials` for the poll `h_M`, in order, on every core.
pub fn derive_keys(credentials: &[MemberCredential], hm: &[u8; 32]) -> Vec<[u8; 32]> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = credentials.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = credentials
            .chunks(per)
            .map(|c| {
                s.spawn(move || c.iter().map(|i| i.derive(hm).public_key().to_bytes()).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// Posts `keys` (sorted here) as the list of a roll of their number
/// (`list`), or as supplements, in entries of [`KEYS_PER_POST`].
pub async fn post_keys(
    api: &Api<Http>,
    key: &CredentialSecret,
    hm: &[u8; 32],
    mut keys: Vec<[u8; 32]>,
    list: bool,
) -> Result<()> {
    // Sorted bytewise: the board's order says nothing of the roll's.
    keys.sort_unstable();
    let roll_size = u64::try_from(keys.len())?;
    for (part, chunk) in keys.chunks(KEYS_PER_POST).enumerate() {
        let body = if list {
            RegistrarBody::List { roll_size, part: u32::try_from(part)?, keys: chunk.to_vec() }
        } else {
            RegistrarBody::Supplement { keys: chunk.to_vec() }
        };
        post(api, &RegistrarEntry::sign(body, hm, key)).await?;
    }
    if list && keys.is_empty() {
        let body = RegistrarBody::List { roll_size: 0, part: 0, keys: vec![] };
        post(api, &RegistrarEntry::sign(body, hm, key)).await?;
    }
    Ok(())
}

/// `issue` (the list, `list` = true) or `supplement`.
async fn issue(key: &CredentialSecret, server: &ServerArgs, d: &Delivery, list: bool) -> Result<()> {
    let api = Api::new(Http::new(&server.server)?, &server.poll);
    let view = PollView::fetch(&api).await?;
    let hm = view.manifest_hash;
    match &view.manifest.registrar {
        Some(k) if k.to_bytes() == key.public_key().to_bytes() => {}
        Some(_) => bail!("poll {}'s manifest names another registrar key", server.poll),
        None => bail!("poll {} is in token mode: its manifest names no registrar", server.poll),
    }
    let issued = if d.resume {
        read_delivery(&d.out)?
    } else {
        if d.out.exists() {
            bail!("{} exists: use --resume to post what it holds, or another --out", d.out.display());
        }
        let roll = read_roll(&d.roll)?;
        let issued: Vec<Issued> = roll
            .into_iter()
            .map(|(member, name, email)| Issued {
                member,
                name,
                email,
                credential: MemberCredential::generate(&mut rand::rngs::OsRng),
            })
            .collect();
        // The secrets reach the delivery file before anything is posted:
        // an interrupted run resumes from it, and loses no one.
        write_delivery(&d.out, &server.poll, &hm, &d.public_url, &issued)?;
        issued
    };
    let credentials: Vec<MemberCredential> = issued.iter().map(|i| i.credential.clone()).collect();
    let keys = derive_keys(&credentials, &hm);
    if keys.len() != issued.len() {
        bail!("deriving the credential keys failed");
    }
    if !d.resume {
        let index: Vec<(String, [u8; 32])> =
            issued.iter().map(|i| i.member.clone()).zip(keys.iter().copied()).collect();
        append_index(&d.index, &index)?;
    }
    let posted = keys.len();
    post_keys(&api, key, &hm, keys, list).await?;
    // The keys are on the board before any secret is mailed: a member can
    // vote as soon as the message arrives.
    if let Some(mail) = &d.mail {
        let setup = crate::registrar_mail::MailSetup::load(mail, d.template.as_deref())?;
        let done = crate::registrar_mail::deliver(&issued, &view.manifest, &hm, &setup, &d.out).await?;
        report_mail(&done);
    }
    println!(
        "posted {} {posted} credential keys for poll {}; the secrets are only in {} (readable by you only): \
         deliver them, then delete it",
        if list { "the list of" } else { "a supplement of" },
        server.poll,
        d.out.display()
    );
    Ok(())
}

fn report_mail(done: &crate::registrar_mail::Outcome) {
    println!(
        "mailed {} members their booth links ({} not delivered; {} sent again after a stop)",
        done.sent,
        done.failed.len(),
        done.resumed
    );
    for (member, why) in &done.failed {
        eprintln!("  not delivered to {member}: {why}");
    }
}

/// `registrar mail`: resends asked for, then the job until nothing is queued.
async fn mail(server: &ServerArgs, job: &MailJob) -> Result<()> {
    let api = Api::new(Http::new(&server.server)?, &server.poll);
    let view = PollView::fetch(&api).await?;
    let issued = read_delivery(&job.out)?;
    let setup = crate::registrar_mail::MailSetup::load(&job.mail, job.template.as_deref())?;
    if !job.resend.is_empty() || job.resend_failed {
        let n = crate::registrar_mail::queue_resend(&issued, &job.out, &job.resend, job.resend_failed)?;
        println!("{n} members queued to be sent again");
    }
    let done = crate::registrar_mail::deliver(&issued, &view.manifest, &view.manifest_hash, &setup, &job.out)
        .await?;
    report_mail(&done);
    Ok(())
}

async fn replace(
    key: &CredentialSecret,
    server: &ServerArgs,
    member: &str,
    index: &Path,
    out: &Path,
    public_url: &str,
) -> Result<()> {
    let api = Api::new(Http::new(&server.server)?, &server.poll);
    let view = PollView::fetch(&api).await?;
    let hm = view.manifest_hash;
    let mut r = csv::Reader::from_path(index).with_context(|| format!("reading {}", index.display()))?;
    let mut old = None;
    for row in r.records() {
        let row = row?;
        if row.get(0) == Some(member) {
            old = Some(
                shortlist_board::entry::hash_from_hex(row.get(1).unwrap_or(""))
                    .map_err(anyhow::Error::msg)?,
            );
        }
    }
    let old = old.with_context(|| format!("member {member} is not in {}", index.display()))?;
    if out.exists() {
        bail!("{} exists: not overwriting", out.display());
    }
    let credential = MemberCredential::generate(&mut rand::rngs::OsRng);
    let new = credential.derive(&hm).public_key().to_bytes();
    let issued =
        [Issued { member: member.to_string(), name: String::new(), email: String::new(), credential }];
    write_delivery(out, &server.poll, &hm, public_url, &issued)?;
    let entry = RegistrarEntry::sign(RegistrarBody::Revocation { revoked: old, replacement: new }, &hm, key);
    post(&api, &entry).await?;
    append_index(index, &[(member.to_string(), new)])?;
    println!(
        "revoked member {member}'s old credential key and posted its replacement; the new credential is in {}",
        out.display()
    );
    Ok(())
}
