//! `shortlist vote`: a member's client. The credential key is made and kept
//! on this machine; ballots are encrypted and proven here; an audit shows
//! that a prepared ballot opens to the member's choice; receipts are kept
//! and can be checked against a fresh checkpoint later.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use shortlist_board::receipt::Receipt;
use shortlist_client::board::PollView;
use shortlist_client::member::{audit, check_receipt, Chosen, Member};
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use zeroize::Zeroizing;

use crate::http::Http;
use crate::keyfile;
use crate::organiser::ServerArgs;

/// `shortlist vote`.
#[derive(clap::Args)]
pub struct VoteArgs {
    /// The member's wallet: the credential key for this poll (readable by you only).
    #[arg(long, default_value = "shortlist-wallet.json")]
    wallet: PathBuf,
    #[command(subcommand)]
    command: VoteCommand,
}

#[derive(clap::Subcommand)]
enum VoteCommand {
    /// Redeem an eligibility token: make a credential key here and register it.
    Register {
        #[command(flatten)]
        server: ServerArgs,
        /// The token from the organiser.
        #[arg(long)]
        token: String,
        /// The poll's manifest hash, from the organiser's invitation (64 hex
        /// digits): nothing is registered unless the server's poll has it.
        #[arg(long, value_name = "HEX", value_parser = shortlist_board::entry::hash_from_hex)]
        manifest_hash: [u8; 32],
    },
    /// Show the ballot: the candidates, numbered, and how many to choose.
    Ballot,
    /// Encrypt, prove and cast a ballot choosing candidates by number
    /// (`--choose 3,7,12`, or `--blank`); `--audit-first` audits one ballot first.
    Cast {
        /// Candidate numbers from `vote ballot`, comma-separated, each once.
        #[arg(long, value_delimiter = ',', required_unless_present = "blank")]
        choose: Vec<usize>,
        /// Cast a ballot choosing no one (it replaces an earlier ballot under
        /// "last ballot counts"): only when asked for in so many words.
        #[arg(long, conflicts_with = "choose")]
        blank: bool,
        /// Prepare and audit a ballot first (it is opened publicly and never
        /// counted), showing that it encrypts exactly your choice.
        #[arg(long)]
        audit_first: bool,
        /// Where to keep the receipt.
        #[arg(long, default_value = "shortlist-receipt.json")]
        receipt: PathBuf,
    },
    /// Check a kept receipt against the board now (inclusion under a fresh
    /// checkpoint, and that the board only grew since the receipt's).
    Check {
        /// The receipt file.
        receipt: PathBuf,
        /// Check against this poll instead of the receipt's own.
        #[arg(long)]
        poll: Option<String>,
    },
}

struct Wallet {
    server: String,
    poll: String,
    manifest_hash: [u8; 32],
    credential: CredentialSecret,
}

impl Wallet {
    /// The poll as the board shows it, checked against the wallet's
    /// manifest hash (spec: board §1.5).
    async fn view(&self, api: &Api<Http>) -> Result<PollView> {
        let view = PollView::fetch(api).await?;
        crate::check_manifest_hash(&view.manifest_hash, &self.manifest_hash)?;
        Ok(view)
    }
}

fn load_wallet(path: &std::path::Path) -> Result<Wallet> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("reading the wallet {}", path.display()))?,
    );
    let v: Value = serde_json::from_str(&text).context("the wallet is damaged")?;
    let sk = Zeroizing::new(hex::decode(v["credential"].as_str().context("wallet credential")?)?);
    let sk: [u8; 32] = sk.as_slice().try_into().context("wallet credential length")?;
    let manifest_hash = v["manifest_hash"]
        .as_str()
        .context("the wallet has no manifest hash: register again with --manifest-hash")?;
    Ok(Wallet {
        server: v["server"].as_str().context("wallet server")?.to_string(),
        poll: v["poll"].as_str().context("wallet poll")?.to_string(),
        manifest_hash: shortlist_board::entry::hash_from_hex(manifest_hash).map_err(anyhow::Error::msg)?,
        credential: CredentialSecret::from_secret_bytes(&sk),
    })
}

/// Runs a member command.
pub fn run(args: &VoteArgs) -> Result<()> {
    crate::block_on(vote(args))
}

async fn vote(args: &VoteArgs) -> Result<()> {
    match &args.command {
        VoteCommand::Register { server, token, manifest_hash } => {
            if args.wallet.exists() {
                bail!("{} exists: this device already has a credential", args.wallet.display());
            }
            let api = Api::new(Http::new(&server.server)?, &server.poll);
            // spec: board §1.5 — the poll's identity, before anything else.
            let view = PollView::fetch(&api).await?;
            crate::check_manifest_hash(&view.manifest_hash, manifest_hash)?;
            println!("✓ the server's poll {} has the manifest hash you were given", server.poll);
            let m = Member::new();
            // Keep the key before registering it, so a lost answer loses nothing.
            let text = Zeroizing::new(
                json!({
                    "server": server.server, "poll": server.poll, "manifest_hash": hex::encode(manifest_hash),
                    "credential": hex::encode(m.credential().expose_secret_bytes().as_slice()),
                })
                .to_string(),
            );
            keyfile::write_private(&args.wallet, text.as_bytes())?;
            m.register(&api, token).await?;
            println!("registered; your credential key is in {}", args.wallet.display());
        }
        VoteCommand::Ballot => {
            let w = load_wallet(&args.wallet)?;
            let view = w.view(&Api::new(Http::new(&w.server)?, &w.poll)).await?;
            let (def, _) =
                view.definition.as_ref().context("the ballot is not defined yet (nominations still open)")?;
            for (contest, rules) in def.contests.iter().zip(&view.manifest.contests) {
                println!("{} — choose {} to {}", rules.title, rules.min_selections, rules.max_selections);
                for (i, c) in contest.candidates.iter().enumerate() {
                    let attrs: Vec<String> = c.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    println!("  {:>3}  {}  ({})", i + 1, c.name, attrs.join(", "));
                }
            }
        }
        VoteCommand::Cast { choose, audit_first, receipt, .. } => {
            cast(args, choose, *audit_first, receipt).await?
        }
        VoteCommand::Check { receipt, poll } => {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(receipt)?)
                .context("the receipt file is damaged")?;
            let server = v["server"].as_str().context("receipt server")?;
            let poll = poll.clone().unwrap_or(v["poll"].as_str().context("receipt poll")?.to_string());
            let api = Api::new(Http::new(server)?, &poll);
            let view = PollView::fetch(&api).await?;
            if let Some(h) = v["manifest_hash"].as_str() {
                crate::check_manifest_hash(
                    &view.manifest_hash,
                    &shortlist_board::entry::hash_from_hex(h).map_err(anyhow::Error::msg)?,
                )?;
            }
            let r = Receipt::from_bytes(&hex::decode(v["receipt"].as_str().context("receipt")?)?)?;
            let ballot = hex::decode(v["ballot"].as_str().context("receipt ballot")?)?;
            let size = check_receipt(&api, &view, &r, &ballot)
                .await
                .with_context(|| format!("the receipt does not check against poll {poll}"))?;
            println!(
                "✓ your ballot (tracking code {}) is entry {} of poll {poll}, under the server's checkpoint of {size} entries",
                hex::encode(r.tracking_code),
                r.index
            );
        }
    }
    Ok(())
}

async fn cast(
    args: &VoteArgs,
    choose: &[usize],
    audit_first: bool,
    receipt_path: &std::path::Path,
) -> Result<()> {
    let w = load_wallet(&args.wallet)?;
    let api = Api::new(Http::new(&w.server)?, &w.poll);
    let view = w.view(&api).await?;
    let ctx = view.context().context("voting has not opened")?;
    let shapes = view.shapes()?;
    let shape = shapes.first().context("no contest")?;
    let mut sel = vec![false; usize::from(shape.candidates)];
    for &n in choose {
        let slot = n
            .checked_sub(1)
            .and_then(|i| sel.get_mut(i))
            .with_context(|| format!("no candidate number {n}"))?;
        if *slot {
            bail!("candidate number {n} is given twice: give each candidate once");
        }
        *slot = true;
    }
    let k = sel.iter().filter(|s| **s).count();
    if k < usize::from(shape.min) || k > usize::from(shape.max) {
        bail!("choose between {} and {} candidates (you chose {k})", shape.min, shape.max);
    }
    let member =
        Member::with_credential(CredentialSecret::from_secret_bytes(&w.credential.expose_secret_bytes()));
    let enc = Encrypter::new(&ctx.joint_key);
    let (def, _) = view.definition.as_ref().context("definition")?;
    let names = |selections: &[u8]| -> String {
        def.contests
            .first()
            .map(|c| {
                c.candidates
                    .iter()
                    .zip(selections)
                    .filter(|(_, s)| **s == 1)
                    .map(|(c, _)| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    if audit_first {
        // spec: board §4.7 — the audited ballot carries no credential: nothing
        // on the board ties this choice to you.
        let chosen = Chosen::new(&view, &enc, &[sel.clone()])?;
        let fingerprint = chosen.fingerprint();
        println!("encrypted your choice; ballot fingerprint {}: auditing it", hex::encode(fingerprint));
        let spoiled = audit(&api, chosen).await?;
        if spoiled.fingerprint() != fingerprint {
            bail!("the audited ballot is not the one whose fingerprint was shown");
        }
        let shapes = view.shapes()?;
        let (contest, opening) = spoiled.contests.first().zip(spoiled.openings.first()).context("opening")?;
        contest.check_opening(shapes.first().context("contest")?, &ctx.joint_key, opening)?;
        println!(
            "audited: fingerprint {} opens to {} — your choice. It is published, never counted, and names no member.",
            hex::encode(fingerprint),
            names(&opening.selections)
        );
    }
    let mine: Vec<u8> = sel.iter().map(|s| u8::from(*s)).collect();
    match names(&mine).as_str() {
        "" => println!("your ballot chooses no one (a blank ballot)"),
        chosen => println!("your ballot chooses: {chosen}"),
    }
    let chosen = Chosen::new(&view, &enc, &[sel])?;
    println!("encrypted your choice; ballot fingerprint {}: casting it", hex::encode(chosen.fingerprint()));
    let p = member.prove(&view, chosen)?;
    let ballot = member.cast_payload(&view, &p)?;
    let r = member.cast(&api, &view, &p).await?;
    let kept = json!({
        "server": w.server, "poll": w.poll, "manifest_hash": hex::encode(w.manifest_hash),
        "receipt": hex::encode(r.to_bytes()), "ballot": hex::encode(&ballot),
    });
    keyfile::write_private(receipt_path, kept.to_string().as_bytes())?;
    println!(
        "cast; tracking code {} (entry {}); receipt kept in {}",
        hex::encode(r.tracking_code),
        r.index,
        receipt_path.display()
    );
    Ok(())
}
