//! `shortlist demo`: a poll run in memory through `shortlist-crypto`.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use rand::rngs::OsRng;
use rand::seq::index::sample;
use rand::Rng;
use shortlist_crypto::ballot::{aggregate, BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::batch::BatchVerifier;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::{CeremonyParams, GroupPublic};
use shortlist_crypto::dlog::DiscreteLog;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_crypto::threshold::{combine, DecryptionShare, KeyShare};
use shortlist_crypto::transcript::ElectionContext;

/// Options of `shortlist demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many members vote.
    #[arg(long, default_value_t = 1000)]
    members: usize,
}

const CANDIDATES: u16 = 30;
const SEATS: u16 = 9;
const TRUSTEES: u16 = 5;
const THRESHOLD: u16 = 3;

/// Runs the demo and prints the result table and a timing summary.
pub fn run(args: &DemoArgs) -> Result<()> {
    if args.members == 0 {
        bail!("--members must be at least 1");
    }
    let mut rng = OsRng;
    let manifest_hash = [0x5au8; 32];
    let definition_hash = [0xa5u8; 32];
    println!("shortlist demo: {} members choose up to {SEATS} of {CANDIDATES} candidates", args.members);

    let t0 = Instant::now();
    let (public, keys) = ceremony(manifest_hash)?;
    let t_ceremony = t0.elapsed();
    println!(
        "✓ key ceremony: {THRESHOLD}-of-{TRUSTEES} trustees, joint key {}",
        short(&public.joint_key.to_bytes())
    );

    let ctx = ElectionContext { manifest_hash, definition_hash, joint_key: public.joint_key };
    let shape = ContestShape { contest_id: 1, candidates: CANDIDATES, min: 0, max: SEATS };
    let enc = Encrypter::new(&public.joint_key);
    // Popularity weights make the result interesting: earlier candidates are likelier.
    let weights: Vec<f64> = (0..CANDIDATES).map(|i| 1.0 / (1.0 + f64::from(i) / 6.0)).collect();

    let t1 = Instant::now();
    let mut cast: Vec<(CredentialSecret, EncryptedContest)> = Vec::with_capacity(args.members);
    let mut audited = 0usize;
    let mut truth = vec![0u64; usize::from(CANDIDATES)];
    for _ in 0..args.members {
        let cred = CredentialSecret::generate(&mut rng);
        let cred_pk = cred.public_key().to_bytes();
        let bctx = BallotContext { election: &ctx, credential: &cred_pk };
        // One member in 20 audits a prepared ballot first (Benaloh challenge).
        if rng.gen_ratio(1, 20) {
            let sel = choose(&weights, &mut rng);
            let (spoiled, secrets) = EncryptedContest::encrypt(&enc, &bctx, &shape, &sel, &mut rng)?;
            let opening = secrets.open();
            spoiled.check_opening(&ctx.joint_key, &opening).context("audit failed")?;
            if opening.selections.iter().map(|s| *s == 1).collect::<Vec<_>>() != sel {
                bail!("audited ballot opened to other selections");
            }
            audited += 1;
        }
        let sel = choose(&weights, &mut rng);
        for (t, s) in truth.iter_mut().zip(&sel) {
            *t += u64::from(*s);
        }
        let (contest, _secrets) = EncryptedContest::encrypt(&enc, &bctx, &shape, &sel, &mut rng)?;
        cast.push((cred, contest));
    }
    let t_vote = t1.elapsed();
    println!("✓ {} ballots cast, {audited} audited ballots opened correctly", cast.len());

    let t2 = Instant::now();
    let mut batch = BatchVerifier::new(rng);
    let key_base = batch.shared_base(&ctx.joint_key);
    let creds: Vec<[u8; 32]> = cast.iter().map(|(c, _)| c.public_key().to_bytes()).collect();
    for (i, ((_, contest), cred)) in cast.iter().zip(&creds).enumerate() {
        let bctx = BallotContext { election: &ctx, credential: cred };
        batch.set_tag(u64::try_from(i)?);
        contest.add_to_batch(&bctx, &shape, key_base, &mut batch)?;
    }
    batch.verify().context("ballot verification")?;
    let t_verify = t2.elapsed();
    println!("✓ every ballot's {} proofs verified in one batch", usize::from(CANDIDATES) + 1);

    let t3 = Instant::now();
    let totals = aggregate(cast.iter().map(|(_, c)| c), usize::from(CANDIDATES));
    let chosen = sample(&mut rng, usize::from(TRUSTEES), usize::from(THRESHOLD));
    let mut shares: Vec<DecryptionShare> = Vec::new();
    for i in chosen.iter() {
        let key = keys.get(i).context("trustee key")?;
        let share = key.decrypt(&ctx, &totals, &mut rng)?;
        share.verify(&ctx, &public.verification_key(key.index()), &totals, &mut rng)?;
        shares.push(share);
    }
    let points = combine(THRESHOLD, &totals, &shares)?;
    let dlog = DiscreteLog::new(u64::try_from(args.members)?, points.len());
    let counts: Vec<u64> = points.iter().map(|p| dlog.solve(p)).collect::<Result<_, _>>()?;
    let t_tally = t3.elapsed();
    let mut trustees: Vec<u16> = shares.iter().map(|s| s.trustee).collect();
    trustees.sort_unstable();
    println!("✓ trustees {trustees:?} decrypted the tally; every partial decryption proof verified");
    if counts != truth {
        bail!("the decrypted tally differs from the votes cast");
    }
    println!("✓ decrypted counts equal the votes cast\n");

    print_result(&counts);
    let per = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / cast.len() as f64;
    println!("\ntimings (one thread):");
    println!("  key ceremony        {:>9.1} ms", t_ceremony.as_secs_f64() * 1000.0);
    println!(
        "  encrypt + prove     {:>9.1} ms  ({:.2} ms per ballot, incl. audits)",
        t_vote.as_secs_f64() * 1000.0,
        per(t_vote)
    );
    println!(
        "  batch verification  {:>9.1} ms  ({:.2} ms per ballot)",
        t_verify.as_secs_f64() * 1000.0,
        per(t_verify)
    );
    println!("  tally + decryption  {:>9.1} ms", t_tally.as_secs_f64() * 1000.0);
    Ok(())
}

/// Runs an honest 3-of-5 ceremony, checking every message and share.
fn ceremony(manifest_hash: [u8; 32]) -> Result<(GroupPublic, Vec<KeyShare>)> {
    let run = crate::ceremony::run(&CeremonyParams { manifest_hash, n: TRUSTEES, t: THRESHOLD })?;
    Ok((run.public, run.keys))
}

/// A random selection of 0 to 9 candidates, weighted by popularity.
pub fn choose(weights: &[f64], rng: &mut OsRng) -> Vec<bool> {
    let k = rng.gen_range(1..=usize::from(SEATS));
    let mut sel = vec![false; weights.len()];
    let mut picked = 0;
    while picked < k {
        let i = sample(rng, weights.len(), 1).index(0);
        let w = weights.get(i).copied().unwrap_or(0.0);
        if let Some(slot) = sel.get_mut(i) {
            if !*slot && rng.gen_bool(w.clamp(0.0, 1.0)) {
                *slot = true;
                picked += 1;
            }
        }
    }
    sel
}

fn print_result(counts: &[u64]) {
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(counts.get(*i).copied().unwrap_or(0)), *i));
    println!("  rank  candidate       votes");
    for (rank, i) in order.iter().enumerate() {
        let mark = if rank < usize::from(SEATS) { "*" } else { " " };
        println!(
            "  {:>4}{mark} Candidate {:02}  {:>7}",
            rank + 1,
            i + 1,
            counts.get(*i).copied().unwrap_or(0)
        );
    }
    println!(
        "  (* the top {SEATS} by votes; `shortlist simulate` and `shortlist-verify` apply the slate rules)"
    );
}

fn short(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
