//! `shortlist demo --registrar`: the demo in registrar mode (spec: board
//! §4.12). A registrar apart from the server makes every member's
//! credential and posts the signed list of public keys; members vote with
//! keys derived from their credentials, with no token; the demo shows the
//! server refusing a ballot from an unlisted key, a token registration, a
//! supplement repeating a listed key and a revoked key's later ballot, then
//! tallies and verifies the record (V4.9 included).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use futures_util::stream::{self, StreamExt};
use rand::rngs::OsRng;
use shortlist_board::registrar::{MemberCredential, RegistrarBody, RegistrarEntry};
use shortlist_client::member::Member;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::limits::Limits;

use crate::http::Http;
use crate::registrar::{derive_keys, post, post_keys};
use crate::stage::{self, bar, Embedded, EmbeddedOptions};

const POLL: &str = "demo-registrar";

/// What the registrar-mode demo is given.
pub struct Options<'a> {
    /// Members on the roll (each votes, unless `issue_only`).
    pub members: usize,
    /// Members' clients at once.
    pub concurrency: usize,
    /// A database URL (PostgreSQL) instead of SQLite in a temporary directory.
    pub database_url: Option<&'a str>,
    /// Only make and post the credentials, timed (the registrar's benchmark).
    pub issue_only: bool,
}

/// Candidate `i`'s and one more's boxes ticked, of `n`.
fn pick(n: usize, i: usize) -> Vec<Vec<bool>> {
    let n = n.max(1);
    vec![(0..n).map(|j| j == i % n || j == (i * 7 + 3) % n).collect()]
}

/// Expects the server to refuse with `code`.
fn refused<T>(
    what: &str,
    r: std::result::Result<T, shortlist_client::ClientError>,
    code: &str,
) -> Result<()> {
    match r {
        Err(e) if e.code() == Some(code) => {
            println!("✓ {what}: refused, {code}");
            Ok(())
        }
        Err(e) => bail!("{what}: expected {code}, got {e}"),
        Ok(_) => bail!("{what}: expected {code}, but the server accepted it"),
    }
}

/// Runs the registrar-mode demo.
pub async fn run(o: &Options<'_>) -> Result<()> {
    println!(
        "shortlist demo in registrar mode: {} members; the registrar is apart from the server\n",
        o.members
    );
    let servers = Embedded::start(EmbeddedOptions {
        database_url: o.database_url,
        instances: 1,
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        limits: Limits { per_client_per_sec: 0, per_credential_per_min: 0, ..Limits::default() },
    })
    .await?;
    let api = servers.api(0, POLL)?;
    let registrar = CredentialSecret::generate(&mut OsRng);
    let credentials: Vec<MemberCredential> =
        (0..o.members).map(|_| MemberCredential::generate(&mut OsRng)).collect();
    let reg_pub = registrar.public_key().to_bytes();
    let (registrar_ref, creds_ref) = (&registrar, &credentials);
    let api_ref = &api;
    let staged = stage::open_poll_with(&servers, POLL, o.members, Some(reg_pub), |view| async move {
        // spec: board §4.12 — the registrar makes and posts the list.
        let s = Instant::now();
        let keys = derive_keys(creds_ref, &view.manifest_hash);
        let derived = s.elapsed();
        post_keys(api_ref, registrar_ref, &view.manifest_hash, keys, true).await?;
        println!(
            "✓ registrar: {} credentials made ({:.1} s to derive the keys) and the signed list posted in {:.1} s in all",
            creds_ref.len(),
            derived.as_secs_f64(),
            s.elapsed().as_secs_f64()
        );
        Ok(())
    })
    .await?;
    let view = staged.view;
    let hm = view.manifest_hash;
    if o.issue_only {
        servers.stop().await?;
        return Ok(());
    }
    let ctx = view.context().context("no joint key")?;
    let n = usize::from(view.shapes()?.first().map_or(0, |s| s.candidates));
    let enc = Arc::new(Encrypter::new(&ctx.joint_key));
    let http = Http::new(servers.bases.first().context("no server")?)?;

    // Refusals the lifecycle gives in registrar mode (spec: V4.9).
    let stranger = Member::new();
    let p = stranger.prepare(&view, &enc, &pick(n, 0))?;
    refused(
        "a ballot from a key not on the registrar's list",
        stranger.cast(&api, &view, &p).await,
        "unlisted",
    )?;
    refused(
        "a token registration in registrar mode",
        api.register("00000000000000000000000000000000", &stranger.public_key()).await,
        "registrar_mode",
    )?;

    // Two late members: a supplement; a supplement repeating a listed key is refused.
    let late: Vec<MemberCredential> = (0..2).map(|_| MemberCredential::generate(&mut OsRng)).collect();
    post_keys(&api, &registrar, &hm, derive_keys(&late, &hm), false).await?;
    println!("✓ supplement: 2 late members listed");
    let first = derive_keys(&credentials[..1], &hm);
    let dup = RegistrarEntry::sign(RegistrarBody::Supplement { keys: first.clone() }, &hm, &registrar);
    refused(
        "a supplement repeating a listed key",
        post(&api, &dup).await.map_err(client_error),
        "duplicate_key",
    )?;

    // Member 0 votes, then loses the credential: revocation and replacement.
    let old = Member::with_credential(credentials[0].derive(&hm));
    let p = old.prepare(&view, &enc, &pick(n, 0))?;
    old.cast(&api, &view, &p).await?;
    let replacement = MemberCredential::generate(&mut OsRng);
    let new_key = derive_keys(std::slice::from_ref(&replacement), &hm);
    let revocation = RegistrarEntry::sign(
        RegistrarBody::Revocation { revoked: first[0], replacement: new_key[0] },
        &hm,
        &registrar,
    );
    post(&api, &revocation).await?;
    println!("✓ member 0's credential revoked and replaced");
    let p = old.prepare(&view, &enc, &pick(n, 0))?;
    refused("a ballot from the revoked key", old.cast(&api, &view, &p).await, "revoked")?;
    let renewed = Member::with_credential(replacement.derive(&hm));
    let p = renewed.prepare(&view, &enc, &pick(n, 0))?;
    renewed.cast(&api, &view, &p).await?;
    println!("✓ member 0 voted again with the new credential (it replaces the first ballot)");

    // Every other member, and the late ones, vote with their credentials.
    let voters: Vec<MemberCredential> = credentials.iter().skip(1).chain(late.iter()).cloned().collect();
    let pb = bar(voters.len(), "members voting");
    let outcomes: Vec<Result<()>> = stream::iter(voters.into_iter().enumerate())
        .map(|(i, c)| {
            let (api, view, enc, pb) = (Api::new(http.clone(), POLL), view.clone(), enc.clone(), pb.clone());
            tokio::spawn(async move {
                let m = Member::with_credential(c.derive(&view.manifest_hash));
                let p = m.prepare(&view, &enc, &pick(n, i))?;
                m.cast(&api, &view, &p).await?;
                pb.inc(1);
                Ok(())
            })
        })
        .buffer_unordered(o.concurrency.max(1))
        .map(|r| r.map_err(anyhow::Error::from).and_then(|x| x))
        .collect()
        .await;
    pb.finish_and_clear();
    for r in outcomes {
        r?;
    }
    let expected = o.members + 2;
    println!("✓ voting: {expected} members cast (the roll and the supplement)");

    let mut trustees = staged.trustees;
    stage::close_and_tally(&servers, &api, &mut trustees).await?;
    let result = api.get("/result").await?;
    crate::print_result(&result);
    let record = api.record().await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("poll.record");
    std::fs::write(&path, &record)?;
    let report = tokio::task::spawn_blocking(move || {
        shortlist_board::verify::verify_path(&path, Vec::new(), None, None, |_| {})
    })
    .await??;
    print!("{report}");
    servers.stop().await?;
    if !report.passed() {
        bail!("the verifier failed: {}", report.failed_steps().join(", "));
    }
    let counted = usize::try_from(report.turnout.ballots_counted)?;
    if counted != expected {
        bail!("{counted} ballots counted, expected {expected} (one per member, the revoked key's second refused)");
    }
    // spec: board §8.5 — the turnout's credentials are the listed, unrevoked
    // keys: the server's result and the verifier's recomputation agree.
    let issued = report.turnout.credentials;
    if result["turnout"]["credentials"].as_u64() != Some(issued) || usize::try_from(issued)? != expected {
        bail!(
            "credentials issued: the result says {}, the verifier {issued}, expected {expected}",
            result["turnout"]["credentials"]
        );
    }
    // The members on the roll: the list's roll size and the supplements'
    // keys, on the board; the server's result shows the same.
    let members = report.turnout.members;
    if result["turnout"]["members"].as_u64() != members
        || members.map(usize::try_from).transpose()? != Some(expected)
    {
        bail!(
            "members on the roll: the result says {}, the verifier {members:?}, expected {expected}",
            result["turnout"]["members"]
        );
    }
    println!(
        "✓ the record verifies (V4.9: the signed list, supplement and revocation); {counted} ballots counted"
    );
    println!("✓ turnout: {issued} credentials issued (listed, not revoked), in the result and the record");
    println!("✓ turnout: {expected} members on the roll (the list's roll size and the late members), in the result and the record");
    Ok(())
}

fn client_error(e: anyhow::Error) -> shortlist_client::ClientError {
    match e.downcast::<shortlist_client::ClientError>() {
        Ok(c) => c,
        Err(e) => shortlist_client::ClientError::protocol(e.to_string()),
    }
}
