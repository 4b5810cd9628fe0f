//! `shortlist trustee`: a trustee's key file (sealed with a passphrase), the
//! key ceremony one step at a time, and the partial decryption at tally time.
//! The secrets never leave this machine: only signed public messages go to
//! the server.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::EntryKind;
use shortlist_board::payload::TrusteeMessage;
use shortlist_client::board::{entries, PollView};
use shortlist_client::following::Following;
use shortlist_client::trustee::{post_decryption, Trustee};
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::TrusteeSecrets;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::KeyShare;
use zeroize::Zeroizing;

use crate::http::Http;
use crate::keyfile;

/// `shortlist trustee`.
#[derive(clap::Args)]
pub struct TrusteeArgs {
    /// The trustee's key file.
    #[arg(long, default_value = "trustee.key")]
    key: PathBuf,
    /// A file holding the passphrase (else SHORTLIST_PASSPHRASE, else asked).
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: TrusteeCommand,
}

#[derive(clap::Subcommand)]
enum TrusteeCommand {
    /// Make a trustee key and print its public key for the manifest.
    Keygen,
    /// Print the public key.
    Pubkey,
    /// Take the next step of the key ceremony (run it until it says done):
    /// post the commitment, then the encrypted shares, then check the shares
    /// received (complaining about bad ones) and keep the key share.
    Ceremony(crate::organiser::ServerArgs),
    /// At tally time: recompute the aggregate from the board and post this
    /// trustee's decryption share.
    Decrypt(crate::organiser::ServerArgs),
    /// During voting: follow the board, verifying it as it grows (every
    /// step, every ballot's proofs), and at the tally verify only the tail,
    /// then post this trustee's decryption share as `decrypt` does.
    Follow(FollowArgs),
}

/// Options of `shortlist trustee follow`.
#[derive(clap::Args)]
pub struct FollowArgs {
    #[command(flatten)]
    server: crate::organiser::ServerArgs,
    /// Seconds between reads of the board.
    #[arg(long, default_value_t = 5)]
    every: u64,
}

/// What the key file holds.
struct KeyFile {
    signing: CredentialSecret,
    /// Per poll: (index, ceremony secrets, key share).
    polls: serde_json::Map<String, Value>,
}

fn open_keyfile(path: &std::path::Path, pass: &str) -> Result<KeyFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let plain = keyfile::open(&text, pass)?;
    let v: Value = serde_json::from_slice(&plain).context("the key file's contents are damaged")?;
    let sk = Zeroizing::new(hex::decode(v["signing_key"].as_str().context("signing key")?)?);
    let sk: [u8; 32] = sk.as_slice().try_into().context("signing key length")?;
    let polls = v["polls"].as_object().cloned().unwrap_or_default();
    Ok(KeyFile { signing: CredentialSecret::from_secret_bytes(&sk), polls })
}

fn load(args: &TrusteeArgs) -> Result<(KeyFile, Zeroizing<String>)> {
    let pass = keyfile::passphrase(args.passphrase_file.as_deref(), false)?;
    Ok((open_keyfile(&args.key, &pass)?, pass))
}

fn save(args: &TrusteeArgs, kf: &KeyFile, pass: &str) -> Result<()> {
    let plain = Zeroizing::new(
        json!({ "signing_key": hex::encode(kf.signing.expose_secret_bytes().as_slice()), "polls": kf.polls })
            .to_string(),
    );
    keyfile::write_private(&args.key, keyfile::seal(plain.as_bytes(), pass)?.as_bytes())
}

/// The public key of a trustee key file, in hex (for manifests and tests).
pub fn public_key(key: &std::path::Path, passphrase_file: &std::path::Path) -> Result<String> {
    let pass = keyfile::passphrase(Some(passphrase_file), false)?;
    Ok(hex::encode(open_keyfile(key, &pass)?.signing.public_key().to_bytes()))
}

/// Runs a trustee command.
pub fn run(args: &TrusteeArgs) -> Result<()> {
    match &args.command {
        TrusteeCommand::Keygen => {
            if args.key.exists() {
                bail!("{} exists; not overwriting a trustee key", args.key.display());
            }
            let pass = keyfile::passphrase(args.passphrase_file.as_deref(), true)?;
            let kf = KeyFile {
                signing: CredentialSecret::generate(&mut rand::rngs::OsRng),
                polls: Default::default(),
            };
            save(args, &kf, &pass)?;
            println!("made {}; give the organiser this public key for the manifest:", args.key.display());
            println!("{}", hex::encode(kf.signing.public_key().to_bytes()));
            Ok(())
        }
        TrusteeCommand::Pubkey => {
            let (kf, _) = load(args)?;
            println!("{}", hex::encode(kf.signing.public_key().to_bytes()));
            Ok(())
        }
        TrusteeCommand::Ceremony(s) => crate::block_on(ceremony(args, s)),
        TrusteeCommand::Decrypt(s) => crate::block_on(decrypt(args, s)),
        TrusteeCommand::Follow(f) => crate::block_on(follow(args, f)),
    }
}

fn restore(kf: &KeyFile, view: &PollView) -> Result<Trustee> {
    let me = kf.signing.public_key().to_bytes();
    let index = view
        .manifest
        .trustees
        .iter()
        .find(|t| t.key.to_bytes() == me)
        .map(|t| t.index)
        .context("this key is not a trustee of the poll's manifest")?;
    let state = kf.polls.get(&view.manifest.poll_id);
    let secret = |k: &str| -> Result<Option<Zeroizing<Vec<u8>>>> {
        match state.and_then(|s| s[k].as_str()) {
            Some(h) => Ok(Some(Zeroizing::new(hex::decode(h)?))),
            None => Ok(None),
        }
    };
    let secrets = secret("secrets")?.map(|b| TrusteeSecrets::from_secret_bytes(&b)).transpose()?;
    let share = match secret("share")? {
        Some(b) => {
            let bytes: [u8; 32] = b.as_slice().try_into().context("key share length")?;
            let s =
                Option::from(curve25519_dalek::Scalar::from_canonical_bytes(bytes)).context("key share")?;
            Some(KeyShare::new(index, SecretScalar::new(s)))
        }
        None => None,
    };
    let signing = CredentialSecret::from_secret_bytes(&kf.signing.expose_secret_bytes());
    let decrypted = match state.and_then(|s| s["decrypted"].as_str()) {
        Some(h) => Some(hex::decode(h)?.as_slice().try_into().context("decrypted aggregate hash")?),
        None => None,
    };
    let seen = state
        .and_then(|s| s["seen"].as_array())
        .map(|list| {
            list.iter()
                .map(|c| Ok(Checkpoint::from_bytes(&hex::decode(c.as_str().context("checkpoint")?)?)?))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Trustee::restore(index, signing, secrets, share).with_history(decrypted, seen))
}

fn remember(kf: &mut KeyFile, poll: &str, t: &Trustee) {
    let mut state = serde_json::Map::new();
    state.insert("index".into(), json!(t.index));
    if let Some(s) = t.secrets() {
        state.insert("secrets".into(), json!(hex::encode(s.expose_to_bytes().as_slice())));
    }
    if let Some(k) = t.key_share() {
        state.insert("share".into(), json!(hex::encode(k.expose_secret().expose_secret().as_bytes())));
    }
    if let Some(h) = t.decrypted() {
        state.insert("decrypted".into(), json!(hex::encode(h)));
    }
    let seen: Vec<String> = t.seen().iter().map(|c| hex::encode(c.to_bytes())).collect();
    state.insert("seen".into(), json!(seen));
    kf.polls.insert(poll.to_string(), Value::Object(state));
}

async fn ceremony(args: &TrusteeArgs, s: &crate::organiser::ServerArgs) -> Result<()> {
    let (mut kf, pass) = load(args)?;
    let api = Api::new(Http::new(&s.server)?, &s.poll);
    let view = PollView::fetch(&api).await?;
    let mut t = restore(&kf, &view)?;
    let board = entries(&api, 0, true).await?;
    let posted = |kind: EntryKind, who: u16| {
        board
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| TrusteeMessage::from_bytes(&e.payload).ok())
            .filter(|m| m.trustee == who)
            .count()
    };
    let n = view.manifest.trustees.len();
    if t.key_share().is_some() {
        println!("done: trustee {} holds its key share for poll {}", t.index, s.poll);
        return Ok(());
    }
    if posted(EntryKind::CeremonyCommitment, t.index) == 0 {
        t.commit(&api, &view).await?;
        remember(&mut kf, &s.poll, &t);
        save(args, &kf, &pass)?;
        println!("posted trustee {}'s commitment; run this again once every trustee has committed", t.index);
        return Ok(());
    }
    if t.secrets().is_none() {
        bail!("this trustee committed from another key file: its ceremony secrets are not here");
    }
    let committed = (1..=n)
        .filter(|i| u16::try_from(*i).is_ok_and(|i| posted(EntryKind::CeremonyCommitment, i) > 0))
        .count();
    if posted(EntryKind::CeremonyShare, t.index) == 0 {
        if committed < n {
            println!("waiting: {committed} of {n} trustees have committed");
            return Ok(());
        }
        t.send_shares(&api, &view).await?;
        println!(
            "posted trustee {}'s encrypted shares; run this again once every trustee has sent theirs",
            t.index
        );
        return Ok(());
    }
    let shared =
        (1..=n).filter(|i| u16::try_from(*i).is_ok_and(|i| posted(EntryKind::CeremonyShare, i) > 0)).count();
    if shared < n {
        println!("waiting: {shared} of {n} trustees have sent their shares");
        return Ok(());
    }
    let complaints = t.receive_shares(&api, &view).await?;
    if complaints > 0 {
        bail!(
            "trustee {} received {complaints} bad share(s) and posted complaints; tell the organiser",
            t.index
        );
    }
    // A checkpoint to hold the board to at tally time (spec: board V1.1).
    t.remember_checkpoint(&api, &view).await?;
    remember(&mut kf, &s.poll, &t);
    save(args, &kf, &pass)?;
    println!("done: every share checked; trustee {} holds its key share for poll {}", t.index, s.poll);
    Ok(())
}

async fn decrypt(args: &TrusteeArgs, s: &crate::organiser::ServerArgs) -> Result<()> {
    let loaded = load(args)?;
    decrypt_with(args, s, loaded, None).await
}

/// `trustee follow`: verifies the board as it grows until the aggregate is
/// on it, then decrypts after verifying the tail (spec: board §8.6).
async fn follow(args: &TrusteeArgs, f: &FollowArgs) -> Result<()> {
    let s = &f.server;
    let loaded = load(args)?;
    let kf = &loaded.0;
    let api = Api::new(Http::new(&s.server)?, &s.poll);
    let view = PollView::fetch(&api).await?;
    let t = restore(kf, &view)?;
    let mut following = Following::new(t.index, t.seen().to_vec());
    let mut last = None;
    loop {
        let p = following.catch_up(&api).await?;
        if !p.failed.is_empty() {
            bail!(
                "the board fails {}: refusing to decrypt (run `shortlist verify` for the report)",
                p.failed.join(", ")
            );
        }
        if last != p.checkpoint {
            println!(
                "trustee {}: checkpoint {} verified: {} entries, {} ballots",
                t.index,
                p.checkpoint.unwrap_or(0),
                p.entries,
                p.ballots
            );
            last = p.checkpoint;
        }
        if following.aggregate_read() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(f.every.max(1))).await;
    }
    decrypt_with(args, s, loaded, Some(following)).await
}

async fn decrypt_with(
    args: &TrusteeArgs,
    s: &crate::organiser::ServerArgs,
    (mut kf, pass): (KeyFile, Zeroizing<String>),
    following: Option<Following>,
) -> Result<()> {
    let api = Api::new(Http::new(&s.server)?, &s.poll);
    let view = PollView::fetch(&api).await?;
    let mut t = restore(&kf, &view)?;
    let d = match following {
        None => {
            println!("trustee {}: verifying the whole board before decrypting…", t.index);
            t.prepare_decryption(&api).await?
        }
        Some(f) => {
            println!("trustee {}: verifying the board's tail before decrypting…", t.index);
            t.prepare_decryption_following(&api, f).await?
        }
    };
    // spec: protocol §7.2 — the aggregate decrypted is kept with the key
    // before the share leaves this machine: another is refused for ever.
    remember(&mut kf, &s.poll, &t);
    save(args, &kf, &pass)?;
    post_decryption(&api, &d).await?;
    let what =
        if d.repeat { "had posted its share before (sent again)" } else { "posted its decryption share" };
    println!(
        "trustee {} verified every step through V6.1 under the checkpoint of {} entries and {what}",
        t.index, d.checkpoint.size
    );
    Ok(())
}
