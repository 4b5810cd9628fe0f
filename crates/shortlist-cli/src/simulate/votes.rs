//! The simulated voting (spec: board §4.5–§4.7): each member registers,
//! perhaps audits, casts and perhaps revotes, with the tampers aimed at
//! ballots; and the sum of the ballots that count.

use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use shortlist_board::amendment::{Amendment, Deadline};
use shortlist_board::entry::EntryKind;
use shortlist_board::payload::{Ballot, Purpose, SpoiledBallot};
use shortlist_board::sums::BallotSums;
use shortlist_crypto::ballot::{BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::credential::CredentialSecret;

use super::shared::{tamper_proof, Board, Opened, CANDIDATES};
use super::Tamper;

/// The voting: what was cast and audited, and the sum of what counts.
pub(super) struct Votes {
    tamper: Option<Tamper>,
    registrar_mode: bool,
    weights: Vec<f64>,
    pub(super) sums: BallotSums,
    pub(super) ballots: u64,
    pub(super) revotes: u64,
    pub(super) audited: u64,
    pub(super) counted: u64,
    previous: Option<EncryptedContest>,
}

impl Votes {
    pub(super) fn new(tamper: Option<Tamper>, registrar_mode: bool, shape: &ContestShape) -> Self {
        Self {
            tamper,
            registrar_mode,
            weights: (0..CANDIDATES).map(|i| 1.0 / (1.0 + f64::from(i) / 6.0)).collect(),
            sums: BallotSums::new(std::slice::from_ref(shape)),
            ballots: 0,
            revotes: 0,
            audited: 0,
            counted: 0,
            previous: None,
        }
    }

    /// Voter `i` of `voters`: registers, perhaps audits, casts, perhaps
    /// revotes (and the tampers aimed at them).
    pub(super) fn voter(
        &mut self,
        board: &mut Board<'_>,
        p: &Opened,
        rng: &mut rand_chacha::ChaCha20Rng,
        (i, voters): (usize, usize),
        cred: &CredentialSecret,
    ) -> Result<()> {
        let cred_pk = cred.public_key().to_bytes();
        let bctx = BallotContext { election: &p.ctx, credential: &cred_pk };
        let time = 2000 + 10 * u64::try_from(i)?;
        if i == 0 {
            // spec: board V1.5 — voting extended before it closes; for the
            // forged-amendment tamper, signed by another key.
            let forger = CredentialSecret::generate(rng);
            let signer = if self.tamper == Some(Tamper::ForgedAmendment) { &forger } else { &board.server };
            let amendment = Amendment::sign(signer, &p.mh, Deadline::VotingClose, p.planned, p.close);
            board.put(EntryKind::Amendment, 1900, amendment.to_bytes())?;
        }
        let unregistered = self.tamper == Some(Tamper::UnregisteredCredential) && i == 0;
        if !unregistered && !self.registrar_mode {
            board.put(EntryKind::Credential, 1500, cred_pk.to_vec())?;
        }
        let audited_contest = if i % 20 == 7 { Some(self.audit(board, p, rng, &bctx, time)?) } else { None };
        let (ballot, refused) = self.cast(board, p, rng, (&bctx, cred), (i, voters), time)?;
        if let (Some(Tamper::AuditedBallotCast), Some(audited)) = (self.tamper, &audited_contest) {
            // The audited (public) encryption cast after the real ballot, re-signed
            // for casting with the member's key, as a compromised client would.
            let recast = Ballot::sign(Purpose::Cast, cred, &p.mh, &p.dh, vec![audited.clone()]);
            // Not admitted (V4.7): the real ballot still counts.
            board.put(EntryKind::Ballot, time + 6, recast.to_bytes())?;
            self.ballots += 1;
            self.revotes += 1;
        }
        if i % 30 == 11 {
            self.revote(board, p, rng, (&bctx, cred), (i, time), (&ballot, refused))?;
        }
        self.previous = ballot.contests.into_iter().next();
        Ok(())
    }

    /// An audited ballot (spec: board §4.7); returns its encryption proven
    /// for casting, for the audited-ballot-cast tamper.
    fn audit(
        &mut self,
        board: &mut Board<'_>,
        p: &Opened,
        rng: &mut rand_chacha::ChaCha20Rng,
        bctx: &BallotContext<'_>,
        time: u64,
    ) -> Result<EncryptedContest> {
        let sel = crate::choices::choose(&self.weights, rng);
        // The same prepared randomness twice: one copy is opened for the
        // audit, the other proven, as a compromised client could, for the
        // audited-ballot-cast tamper.
        let seed: [u8; 32] = rng.gen();
        let prepare = || {
            let mut r = rand_chacha::ChaCha20Rng::from_seed(seed);
            EncryptedContest::prepare(&p.enc, &p.shape, &mut r).and_then(|c| c.choose(&sel))
        };
        let proven = prepare()?.prove(bctx)?.0;
        let spoiled = SpoiledBallot::open(vec![prepare()?]);
        board.put(EntryKind::SpoiledBallot, time, spoiled.to_bytes())?;
        self.audited += 1;
        if self.tamper == Some(Tamper::AuditRepeated) && self.audited == 1 {
            // The same audit posted again (the server refuses it, api §2).
            board.put(EntryKind::SpoiledBallot, time, spoiled.to_bytes())?;
            self.audited += 1;
        }
        Ok(proven)
    }

    /// Voter `i`'s ballot; returns its contest and whether the rules refuse
    /// it (then it is on the board but not summed).
    fn cast(
        &mut self,
        board: &mut Board<'_>,
        p: &Opened,
        rng: &mut rand_chacha::ChaCha20Rng,
        (bctx, cred): (&BallotContext<'_>, &CredentialSecret),
        (i, voters): (usize, usize),
        time: u64,
    ) -> Result<(Ballot, bool)> {
        let sel = crate::choices::choose(&self.weights, rng);
        let (mut contest, _) = EncryptedContest::encrypt(&p.enc, bctx, &p.shape, &sel, rng)?;
        match self.tamper {
            Some(Tamper::TamperedProof) if i == 1 => contest = tamper_proof(&contest)?,
            Some(Tamper::CopiedBallot) if i == 2 => {
                contest = self.previous.clone().context("no previous ballot")?
            }
            _ => {}
        }
        let late = self.tamper == Some(Tamper::BallotAfterClose) && i + 1 == voters;
        let ballot = Ballot::sign(Purpose::Cast, cred, &p.mh, &p.dh, vec![contest]);
        board.put(EntryKind::Ballot, if late { p.close + 1 } else { time }, ballot.to_bytes())?;
        self.ballots += 1;
        // spec: V4.6 — the aggregate sums the admitted ballots only: an
        // unregistered, late, copied or unproven one is on the board, not counted.
        let refused = match self.tamper {
            Some(Tamper::UnregisteredCredential | Tamper::UnlistedCredential) => i == 0,
            Some(Tamper::TamperedProof) => i == 1,
            Some(Tamper::CopiedBallot) => i == 2,
            _ => late,
        };
        if !refused {
            self.sums.add(&ballot);
            self.counted += 1;
        }
        Ok((ballot, refused))
    }

    /// A revote: the last ballot counts (spec: V4.6).
    fn revote(
        &mut self,
        board: &mut Board<'_>,
        p: &Opened,
        rng: &mut rand_chacha::ChaCha20Rng,
        (bctx, cred): (&BallotContext<'_>, &CredentialSecret),
        (i, time): (usize, u64),
        (first, refused): (&Ballot, bool),
    ) -> Result<()> {
        let sel = crate::choices::choose(&self.weights, rng);
        let (again, _) = EncryptedContest::encrypt(&p.enc, bctx, &p.shape, &sel, rng)?;
        let again = Ballot::sign(Purpose::Cast, cred, &p.mh, &p.dh, vec![again]);
        board.put(EntryKind::Ballot, time + 5, again.to_bytes())?;
        // It replaces the counted ballot, or counts first if that one was refused.
        if !matches!(self.tamper, Some(Tamper::UnregisteredCredential | Tamper::UnlistedCredential)) || i != 0
        {
            if refused {
                self.counted += 1;
            } else {
                self.sums.subtract(first);
            }
            self.sums.add(&again);
        }
        self.ballots += 1;
        self.revotes += 1;
        Ok(())
    }
}
