//! `shortlist vote`: a member's client. The credential key is made and kept
//! on this machine; ballots are encrypted and proven here; an audit shows
//! that a prepared ballot opens to the member's choice; receipts are kept
//! and can be checked against a fresh checkpoint later.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use shortlist_board::definition::BallotDefinition;
use shortlist_board::receipt::Receipt;
use shortlist_client::board::PollView;
use shortlist_client::member::{audit, ballot_status, check_receipt, BallotStatus, Chosen, Member};
use shortlist_client::Api;
use shortlist_crypto::ballot::ContestShape;
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
        /// The token from the organiser (token mode).
        #[arg(long, required_unless_present = "credential", conflicts_with = "credential")]
        token: Option<String>,
        /// Registrar mode: the credential from the registrar's letter or
        /// e-mail (nine groups of four hex digits); the key is derived from
        /// it here and nothing is sent (spec: board §4.12).
        #[arg(long, value_name = "SECRET")]
        credential: Option<String>,
        /// The poll's manifest hash, from the organiser's invitation (64 hex
        /// digits): nothing is registered unless the server's poll has it.
        #[arg(long, value_name = "HEX", value_parser = shortlist_board::entry::hash_from_hex)]
        manifest_hash: [u8; 32],
    },
    /// Show the ballot: the candidates, numbered, and how many to choose.
    Ballot,
    /// Encrypt, prove and cast a ballot choosing candidates by number
    /// (`--choose 3,7,12`, or `--blank`); `--audit-first` audits one ballot
    /// first. A poll with several contests takes one `--choose` per contest,
    /// in the order `vote ballot` shows them (`--choose 1,2 --choose 3`;
    /// `--choose none` for no one in that contest).
    Cast {
        /// Candidate numbers from `vote ballot`, comma-separated, each once;
        /// repeated once per contest; `none` chooses no one in a contest.
        #[arg(long, required_unless_present = "blank")]
        choose: Vec<String>,
        /// Cast a ballot choosing no one in any contest (it replaces an
        /// earlier ballot under "last ballot counts"): only when asked for in
        /// so many words.
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
    /// Whether the server confirmed the registration (a wallet written
    /// before an answer that never came, or a refusal, is not).
    registered: bool,
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
        // Wallets from before this field were written after registering.
        registered: v["registered"].as_bool().unwrap_or(true),
    })
}

fn write_wallet(path: &std::path::Path, w: &Wallet) -> Result<()> {
    let text = Zeroizing::new(
        json!({
            "server": w.server, "poll": w.poll, "manifest_hash": hex::encode(w.manifest_hash),
            "credential": hex::encode(w.credential.expose_secret_bytes().as_slice()),
            "registered": w.registered,
        })
        .to_string(),
    );
    keyfile::write_private(path, text.as_bytes())
}

/// A token as the organiser's list gives it, forgiving case and spaces
/// (tokens are lowercase hex).
fn normalise_token(token: &str) -> String {
    token.trim().to_ascii_lowercase()
}

/// Runs a member command.
pub fn run(args: &VoteArgs) -> Result<()> {
    crate::block_on(vote(args))
}

async fn vote(args: &VoteArgs) -> Result<()> {
    match &args.command {
        VoteCommand::Register { server, token: Some(token), manifest_hash, .. } => {
            register(&args.wallet, server, &normalise_token(token), manifest_hash).await?
        }
        VoteCommand::Register { server, credential: Some(secret), manifest_hash, .. } => {
            register_credential(&args.wallet, server, secret, manifest_hash).await?
        }
        VoteCommand::Register { .. } => bail!("give --token or --credential"),
        VoteCommand::Ballot => {
            let w = load_wallet(&args.wallet)?;
            let view = w.view(&Api::new(Http::new(&w.server)?, &w.poll)).await?;
            let (def, _) =
                view.definition.as_ref().context("the ballot is not defined yet (nominations still open)")?;
            let n = def.contests.len();
            for (i, (contest, rules)) in def.contests.iter().zip(&view.manifest.contests).enumerate() {
                let which = if n > 1 { format!("contest {} of {n}: ", i + 1) } else { String::new() };
                println!(
                    "{which}{} — choose {} to {}",
                    rules.title, rules.min_selections, rules.max_selections
                );
                for (i, c) in contest.candidates.iter().enumerate() {
                    let attrs: Vec<String> = c.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    println!("  {:>3}  {}  ({})", i + 1, c.name, attrs.join(", "));
                }
            }
            if n > 1 {
                println!("cast with one --choose per contest, in this order: --choose 1,2 --choose 3");
            }
        }
        VoteCommand::Cast { choose, audit_first, receipt, .. } => {
            cast(args, choose, *audit_first, receipt).await?
        }
        VoteCommand::Check { receipt, poll } => check(receipt, poll.as_deref()).await?,
    }
    Ok(())
}

/// Registrar mode: derives the credential key from the registrar's secret
/// (spec: board §4.12.1) and keeps it in the wallet; there is no token to
/// redeem, the key is on the registrar's list already.
async fn register_credential(
    wallet: &std::path::Path,
    server: &ServerArgs,
    secret: &str,
    manifest_hash: &[u8; 32],
) -> Result<()> {
    if wallet.exists() {
        bail!("{} exists: this device already has a credential", wallet.display());
    }
    let secret = shortlist_board::registrar::MemberCredential::parse(secret).map_err(anyhow::Error::msg)?;
    let api = Api::new(Http::new(&server.server)?, &server.poll);
    // spec: board §1.5 — the poll's identity, before anything else.
    let view = PollView::fetch(&api).await?;
    crate::check_manifest_hash(&view.manifest_hash, manifest_hash)?;
    println!("✓ the server's poll {} has the manifest hash you were given", server.poll);
    if view.manifest.registrar.is_none() {
        bail!("poll {} is in token mode: register with the --token you were sent", server.poll);
    }
    let credential = secret.derive(manifest_hash);
    let w = Wallet {
        server: server.server.clone(),
        poll: server.poll.clone(),
        manifest_hash: *manifest_hash,
        credential,
        registered: true,
    };
    write_wallet(wallet, &w)?;
    println!(
        "credential key {} kept in {} (registrar mode: nothing to register)",
        hex::encode(w.credential.public_key().to_bytes()),
        wallet.display()
    );
    Ok(())
}

/// Redeems a token. The key is kept (marked unconfirmed) before it is
/// registered, so a lost answer loses nothing; a refusal (a mistyped token)
/// leaves the wallet unconfirmed and the next `register` retries with the
/// same key.
async fn register(
    wallet: &std::path::Path,
    server: &ServerArgs,
    token: &str,
    manifest_hash: &[u8; 32],
) -> Result<()> {
    let earlier = if wallet.exists() {
        let w = load_wallet(wallet)?;
        if w.registered {
            bail!("{} exists: this device already has a credential", wallet.display());
        }
        if w.server != server.server || w.poll != server.poll || w.manifest_hash != *manifest_hash {
            bail!(
                "{} holds an unconfirmed registration for poll {} on {}: use another --wallet for this poll",
                wallet.display(),
                w.poll,
                w.server
            );
        }
        Some(w)
    } else {
        None
    };
    let api = Api::new(Http::new(&server.server)?, &server.poll);
    // spec: board §1.5 — the poll's identity, before anything else.
    let view = PollView::fetch(&api).await?;
    crate::check_manifest_hash(&view.manifest_hash, manifest_hash)?;
    println!("✓ the server's poll {} has the manifest hash you were given", server.poll);
    let mut w = match earlier {
        Some(w) => {
            println!("retrying the registration of the key kept in {}", wallet.display());
            w
        }
        None => {
            let w = Wallet {
                server: server.server.clone(),
                poll: server.poll.clone(),
                manifest_hash: *manifest_hash,
                credential: CredentialSecret::generate(&mut rand::rngs::OsRng),
                registered: false,
            };
            write_wallet(wallet, &w)?;
            w
        }
    };
    let m = Member::with_credential(CredentialSecret::from_secret_bytes(&w.credential.expose_secret_bytes()));
    m.register(&api, token).await.context("the server did not register your key (nothing was used up; check the token and run `vote register` again)")?;
    w.registered = true;
    write_wallet(wallet, &w)?;
    println!("registered; your credential key is in {}", wallet.display());
    Ok(())
}

async fn check(receipt: &std::path::Path, poll: Option<&str>) -> Result<()> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(receipt)?).context("the receipt file is damaged")?;
    let server = v["server"].as_str().context("receipt server")?;
    let poll = poll.map_or_else(
        || v["poll"].as_str().context("receipt poll").map(str::to_string),
        |p| Ok(p.to_string()),
    )?;
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
    // spec: board V4.6, V6.1 — whether it counts, from the board.
    match ballot_status(&api, &view, r.index, &ballot).await? {
        BallotStatus::Current => {
            println!("  it is your current ballot: it counts unless you vote again (voting is open)")
        }
        BallotStatus::WillCount => println!("  voting has closed: it will be counted in the tally"),
        BallotStatus::Counted { aggregate } => {
            println!("  counted in the tally (the aggregate at entry {aggregate} sums it)")
        }
        BallotStatus::Replaced { by } => {
            println!("  ✗ replaced by a later ballot (entry {by}): this one is not counted; the later one is")
        }
    }
    Ok(())
}

/// One `--choose` value: candidate numbers separated by commas or spaces
/// (`1,2`, `"1, 2"`); `none` (or nothing) chooses no one in that contest.
fn parse_choice(text: &str) -> Result<Vec<usize>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.parse::<usize>().with_context(|| format!("`{n}` is not a candidate number (see `vote ballot`)"))
        })
        .collect()
}

/// The selections, one vector per contest, from the `--choose` values (one
/// per contest, in order; none at all with `--blank`).
fn selections(choose: &[String], shapes: &[ContestShape], titles: &[&str]) -> Result<Vec<Vec<bool>>> {
    if !choose.is_empty() && choose.len() != shapes.len() {
        bail!(
            "this poll has {} contests ({}): give one --choose per contest, in that order \
             (e.g. --choose 1,2 --choose 3; --choose none for no one in a contest)",
            shapes.len(),
            titles.join("; ")
        );
    }
    let mut out = Vec::with_capacity(shapes.len());
    for (i, (shape, title)) in shapes.iter().zip(titles).enumerate() {
        let numbers = match choose.get(i) {
            Some(text) => parse_choice(text)?,
            None => Vec::new(),
        };
        let mut sel = vec![false; usize::from(shape.candidates)];
        for n in numbers {
            let slot = n
                .checked_sub(1)
                .and_then(|i| sel.get_mut(i))
                .with_context(|| format!("{title}: no candidate number {n}"))?;
            if *slot {
                bail!("{title}: candidate number {n} is given twice: give each candidate once");
            }
            *slot = true;
        }
        let k = sel.iter().filter(|s| **s).count();
        if k < usize::from(shape.min) || k > usize::from(shape.max) {
            bail!("{title}: choose between {} and {} candidates (you chose {k})", shape.min, shape.max);
        }
        out.push(sel);
    }
    Ok(out)
}

/// What a cast shows before it proves and sends (issue 10, defect 3): the
/// names chosen, or that the ballot is blank.
fn echo(def: &BallotDefinition, titles: &[&str], selections: &[Vec<u8>]) -> String {
    if selections.iter().flatten().all(|s| *s == 0) {
        "your ballot chooses no one (a blank ballot)".to_string()
    } else {
        format!("your ballot chooses: {}", chosen_names(def, titles, selections))
    }
}

/// The names chosen, contest by contest (`selections` as 0/1 per candidate).
fn chosen_names(def: &BallotDefinition, titles: &[&str], selections: &[Vec<u8>]) -> String {
    let per_contest: Vec<String> = def
        .contests
        .iter()
        .zip(selections)
        .map(|(c, sel)| {
            let names: Vec<&str> = c
                .candidates
                .iter()
                .zip(sel)
                .filter(|(_, s)| **s == 1)
                .map(|(c, _)| c.name.as_str())
                .collect();
            if names.is_empty() {
                "no one".to_string()
            } else {
                names.join(", ")
            }
        })
        .collect();
    match per_contest.as_slice() {
        [one] => one.clone(),
        many => titles.iter().zip(many).map(|(t, n)| format!("{t}: {n}")).collect::<Vec<_>>().join("; "),
    }
}

/// "voting has not opened", with when the timetable opens it.
fn not_open(view: &PollView) -> anyhow::Error {
    let at = view.manifest.timetable.voting_open;
    anyhow::anyhow!(
        "voting has not opened yet: the timetable opens it at {} ({at} in Unix seconds), once the organiser \
         has closed nominations and opened voting",
        shortlist_server::web::time::utc(at)
    )
}

async fn cast(
    args: &VoteArgs,
    choose: &[String],
    audit_first: bool,
    receipt_path: &std::path::Path,
) -> Result<()> {
    let w = load_wallet(&args.wallet)?;
    if !w.registered {
        bail!(
            "the registration of {} was not confirmed: run `vote register` again first",
            args.wallet.display()
        );
    }
    let api = Api::new(Http::new(&w.server)?, &w.poll);
    let view = w.view(&api).await?;
    let ctx = view.context().ok_or_else(|| not_open(&view))?;
    let shapes = view.shapes()?;
    let titles: Vec<&str> = view.manifest.contests.iter().map(|c| c.title.as_str()).collect();
    let sel = selections(choose, &shapes, &titles)?;
    let member =
        Member::with_credential(CredentialSecret::from_secret_bytes(&w.credential.expose_secret_bytes()));
    let enc = Encrypter::new(&ctx.joint_key);
    let (def, _) = view.definition.as_ref().context("definition")?;
    if audit_first {
        // spec: board §4.7 — the audited ballot carries no credential: nothing
        // on the board ties this choice to you.
        let chosen = Chosen::new(&view, &enc, &sel)?;
        let fingerprint = chosen.fingerprint();
        println!("encrypted your choice; ballot fingerprint {}: auditing it", hex::encode(fingerprint));
        let spoiled = audit(&api, chosen).await?;
        if spoiled.fingerprint() != fingerprint {
            bail!("the audited ballot is not the one whose fingerprint was shown");
        }
        if spoiled.contests.len() != shapes.len() || spoiled.openings.len() != shapes.len() {
            bail!("the audited ballot does not have one opening per contest");
        }
        for ((contest, opening), shape) in spoiled.contests.iter().zip(&spoiled.openings).zip(&shapes) {
            contest.check_opening(shape, &ctx.joint_key, opening)?;
        }
        let opened: Vec<Vec<u8>> = spoiled.openings.iter().map(|o| o.selections.clone()).collect();
        println!(
            "audited: fingerprint {} opens to {} — your choice. It is published, never counted, and names no member.",
            hex::encode(fingerprint),
            chosen_names(def, &titles, &opened)
        );
    }
    let mine: Vec<Vec<u8>> = sel.iter().map(|c| c.iter().map(|s| u8::from(*s)).collect()).collect();
    println!("{}", echo(def, &titles, &mine));
    let chosen = Chosen::new(&view, &enc, &sel)?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use shortlist_board::definition::{Candidate, DefinedContest};

    fn definition() -> BallotDefinition {
        let contest = |id: u32, names: &[&str]| DefinedContest {
            contest_id: id,
            candidates: (1u32..)
                .zip(names)
                .map(|(i, n)| Candidate { candidate_id: i, name: (*n).to_string(), attributes: Vec::new() })
                .collect(),
        };
        BallotDefinition { contests: vec![contest(1, &["Ada", "Bea", "Cal"]), contest(2, &["Dan", "Eve"])] }
    }

    fn shapes() -> Vec<ContestShape> {
        vec![
            ContestShape { contest_id: 1, candidates: 3, min: 0, max: 2 },
            ContestShape { contest_id: 2, candidates: 2, min: 0, max: 1 },
        ]
    }

    /// Issue 10, defect 3: a candidate given twice is refused, not counted once.
    #[test]
    fn a_candidate_given_twice_is_refused() {
        let choose = ["1,1".to_string(), "none".to_string()];
        let err = selections(&choose, &shapes(), &["Board", "Treasurer"]).unwrap_err();
        assert!(err.to_string().contains("candidate number 1 is given twice"), "{err}");
        let ok =
            selections(&["1, 3".to_string(), "2".to_string()], &shapes(), &["Board", "Treasurer"]).unwrap();
        assert_eq!(ok, vec![vec![true, false, true], vec![false, true]]);
    }

    /// Issue 10, defect 3: the cast says what it chooses, by name, before it
    /// is proved and sent; a blank ballot says so.
    #[test]
    fn the_cast_echoes_the_names_chosen() {
        let titles = ["Board", "Treasurer"];
        let def = definition();
        assert_eq!(
            echo(&def, &titles, &[vec![1, 0, 1], vec![0, 1]]),
            "your ballot chooses: Board: Ada, Cal; Treasurer: Eve"
        );
        assert_eq!(
            echo(&def, &titles, &[vec![0, 1, 0], vec![0, 0]]),
            "your ballot chooses: Board: Bea; Treasurer: no one"
        );
        assert_eq!(
            echo(&def, &titles, &[vec![0, 0, 0], vec![0, 0]]),
            "your ballot chooses no one (a blank ballot)"
        );
    }
}
