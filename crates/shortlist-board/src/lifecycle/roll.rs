//! The facts of a replayed board kept in memory (for the verifier and for
//! tests that model the server): the phase, the timetable in force, the
//! registered credentials, the ballots each has cast and the one that
//! counts, and the fingerprints of every cast or audited contest. It fills
//! the facts the rules of [`super::rules`] need and records what they admit.

use std::collections::HashMap;

use crate::manifest::{RevotePolicy, Timetable};

use super::rules::{self, BallotFacts, RegistrarFacts, RegistrarStep};
use super::{Now, Phase, Refusal};

mod state;

/// What a credential has cast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cast {
    /// Ballots admitted for it.
    pub ballots: u64,
    /// The entry index of the ballot that counts now.
    pub counts: u64,
}

/// The in-memory facts of a poll, built by replaying its board.
#[derive(Clone, Debug)]
pub struct Roll {
    /// The phase the replay has reached.
    pub phase: Phase,
    /// The timetable in force.
    pub timetable: Timetable,
    /// The manifest's revote policy.
    pub revote: RevotePolicy,
    registered: HashMap<[u8; 32], u64>,
    cast: HashMap<[u8; 32], Cast>,
    fingerprints: HashMap<[u8; 32], Fingerprint>,
    /// The registrar's list as replayed (spec: board §4.12, V4.9).
    registrar: RegistrarRoll,
}

/// The registrar's entries as replayed: whether the poll is in registrar
/// mode, the list parts, revoked keys and each replacement's first key.
#[derive(Clone, Debug, Default)]
struct RegistrarRoll {
    mode: bool,
    parts: u64,
    roll_size: Option<u64>,
    listed: u64,
    // Keys added by supplements: members added to the roll late.
    supplemented: u64,
    revoked: HashMap<[u8; 32], u64>,
    // A replacement key → the member's first key: one member, one ballot
    // that counts across a re-issue (spec: V4.6, V4.9).
    voter: HashMap<[u8; 32], [u8; 32]>,
}

/// Where a contest's ciphertexts first appeared on the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The entry index.
    pub at: u64,
    /// Whether that entry cast them (else it audited them).
    pub cast: bool,
}

impl Default for Roll {
    fn default() -> Self {
        Self::new(
            Timetable { nominations_close: 0, voting_open: 0, voting_close: 0 },
            RevotePolicy::LastCounts,
        )
    }
}

impl Roll {
    /// A poll in `setup` with this timetable and revote policy.
    pub fn new(timetable: Timetable, revote: RevotePolicy) -> Self {
        Self {
            phase: Phase::Setup,
            timetable,
            revote,
            registered: HashMap::new(),
            cast: HashMap::new(),
            fingerprints: HashMap::new(),
            registrar: RegistrarRoll::default(),
        }
    }

    /// Sets registrar mode (the manifest names a registrar, spec: §4.12).
    pub fn set_registrar_mode(&mut self, on: bool) {
        self.registrar.mode = on;
    }

    /// Whether the poll is in registrar mode.
    pub fn registrar_mode(&self) -> bool {
        self.registrar.mode
    }

    /// The member a credential key belongs to, as their first key: a
    /// replacement's revoked predecessor's, else the key itself.
    pub fn voter(&self, credential: &[u8; 32]) -> [u8; 32] {
        self.registrar.voter.get(credential).copied().unwrap_or(*credential)
    }

    /// The roll size the registrar's list states and the keys listed so far
    /// by list parts.
    pub fn registrar_list(&self) -> (Option<u64>, u64) {
        (self.registrar.roll_size, self.registrar.listed)
    }

    /// The facts the registrar rule needs for an entry adding `keys` and,
    /// for a revocation, revoking `revoked`.
    pub fn registrar_facts(&self, keys: &[[u8; 32]], revoked: Option<&[u8; 32]>) -> RegistrarFacts {
        let distinct: std::collections::HashSet<&[u8; 32]> = keys.iter().collect();
        RegistrarFacts {
            registrar_mode: self.registrar.mode,
            parts: self.registrar.parts,
            roll_size: self.registrar.roll_size,
            listed: self.registrar.listed,
            fresh_keys: distinct.len() == keys.len() && keys.iter().all(|k| !self.registered.contains_key(k)),
            revocable: revoked
                .is_some_and(|k| self.registered.contains_key(k) && !self.registrar.revoked.contains_key(k)),
        }
    }

    /// Applies a registrar entry at `index`, if the rule admits it (spec:
    /// V4.9): its keys become listed at `index`; a revocation revokes its
    /// key at `index` and makes the replacement the same member's.
    pub fn registrar(
        &mut self,
        index: u64,
        time: u64,
        body: &crate::registrar::RegistrarBody,
    ) -> Result<(), Refusal> {
        use crate::registrar::RegistrarBody as B;
        let (step, revoked) = match body {
            B::List { roll_size, part, keys } => (
                RegistrarStep::List {
                    roll_size: *roll_size,
                    part: *part,
                    keys: u64::try_from(keys.len()).unwrap_or(u64::MAX),
                },
                None,
            ),
            B::Supplement { .. } => (RegistrarStep::Supplement, None),
            B::Revocation { revoked, .. } => (RegistrarStep::Revocation, Some(revoked)),
        };
        let facts = self.registrar_facts(body.added(), revoked);
        rules::registrar_entry(&self.now(time), step, &facts)?;
        for k in body.added() {
            self.registered.insert(*k, index);
        }
        match body {
            B::List { roll_size, keys, .. } => {
                self.registrar.parts = self.registrar.parts.saturating_add(1);
                self.registrar.roll_size = Some(*roll_size);
                self.registrar.listed =
                    self.registrar.listed.saturating_add(u64::try_from(keys.len()).unwrap_or(u64::MAX));
            }
            B::Supplement { keys } => {
                self.registrar.supplemented =
                    self.registrar.supplemented.saturating_add(u64::try_from(keys.len()).unwrap_or(u64::MAX));
            }
            B::Revocation { revoked, replacement } => {
                self.registrar.revoked.insert(*revoked, index);
                let root = self.voter(revoked);
                self.registrar.voter.insert(*replacement, root);
            }
        }
        Ok(())
    }

    /// Where the poll stands for an entry at `time`.
    pub fn now(&self, time: u64) -> Now {
        Now { phase: self.phase, time, timetable: self.timetable }
    }

    /// The index of the entry that registered `credential`, if any.
    pub fn registered_at(&self, credential: &[u8; 32]) -> Option<u64> {
        self.registered.get(credential).copied()
    }

    /// Credentials issued: registered (token mode), or listed by the
    /// registrar and not revoked (registrar mode; spec: board §8.5).
    pub fn credentials(&self) -> usize {
        self.registered.len().saturating_sub(self.registrar.revoked.len())
    }

    /// Members on the roll, in registrar mode: the roll size the list
    /// states plus the members supplements added (spec: board §8.5); `None`
    /// in token mode, whose roll is not on the board, or before the list.
    pub fn roll_members(&self) -> Option<u64> {
        let size = self.registrar.roll_size.filter(|_| self.registrar.mode)?;
        Some(size.saturating_add(self.registrar.supplemented))
    }

    /// Credentials with a ballot that counts (spec: V4.6).
    pub fn counted(&self) -> usize {
        self.cast.len()
    }

    /// What `credential` has cast, if anything.
    pub fn cast_by(&self, credential: &[u8; 32]) -> Option<Cast> {
        self.cast.get(credential).copied()
    }

    /// Where these ciphertexts first appeared, if they did (spec: V4.7).
    pub fn fingerprint(&self, fingerprint: &[u8; 32]) -> Option<Fingerprint> {
        self.fingerprints.get(fingerprint).copied()
    }

    /// Whether these fingerprints are distinct and none is on the board.
    pub fn fresh(&self, fingerprints: &[[u8; 32]]) -> bool {
        rules::fingerprints_distinct(fingerprints)
            && fingerprints.iter().all(|f| !self.fingerprints.contains_key(f))
    }

    /// Registers a credential at `index`, if the rules admit it.
    pub fn register(&mut self, index: u64, time: u64, credential: [u8; 32]) -> Result<(), Refusal> {
        rules::registration_mode(self.registrar.mode)?;
        rules::register_credential(&self.now(time), self.registered.contains_key(&credential), true)?;
        self.registered.insert(credential, index);
        Ok(())
    }

    /// The facts of a ballot at `index` by `credential` with these
    /// fingerprints (registered by an earlier entry).
    pub fn ballot_facts(&self, index: u64, credential: &[u8; 32], fingerprints: &[[u8; 32]]) -> BallotFacts {
        BallotFacts {
            registered: self.registered.get(credential).is_some_and(|at| *at < index),
            cast_before: self.cast.get(&self.voter(credential)).map_or(0, |c| c.ballots),
            fresh_ciphertexts: rules::fingerprints_distinct(fingerprints)
                && fingerprints.iter().all(|f| self.fingerprints.get(f).is_none_or(|p| p.at >= index)),
            registrar_mode: self.registrar.mode,
            revoked: self.registrar.revoked.get(credential).is_some_and(|at| *at < index),
        }
    }

    /// Every rule a ballot at `index` and `time` breaks (see
    /// [`rules::cast_ballot_refusals`]).
    pub fn ballot_refusals(
        &self,
        index: u64,
        time: u64,
        credential: &[u8; 32],
        fingerprints: &[[u8; 32]],
    ) -> Vec<Refusal> {
        let facts = self.ballot_facts(index, credential, fingerprints);
        rules::cast_ballot_refusals(&self.now(time), self.revote, &facts)
    }

    /// Records a ballot at `index`: its fingerprints, and — unless the
    /// revote policy refuses it — it becomes the credential's ballot that
    /// counts. Returns the index of the ballot it supersedes, if any; `Err`
    /// if the policy refuses it (spec: V4.6).
    pub fn record_ballot(
        &mut self,
        index: u64,
        credential: [u8; 32],
        fingerprints: &[[u8; 32]],
    ) -> Result<Option<u64>, Refusal> {
        self.record_fingerprints(index, fingerprints, true);
        // spec: V4.9 — a replacement key votes as its member's first key.
        let credential = self.voter(&credential);
        let before = self.cast.get(&credential).copied();
        if !rules::revote_allows(self.revote, before.map_or(0, |c| c.ballots)) {
            return Err(Refusal::AlreadyVoted);
        }
        let ballots = before.map_or(1, |c| c.ballots.saturating_add(1));
        self.cast.insert(credential, Cast { ballots, counts: index });
        Ok(before.filter(|_| rules::supersedes(self.revote)).map(|c| c.counts))
    }

    /// Casts a ballot at `index` if the rules admit it (the server's way).
    pub fn cast(
        &mut self,
        index: u64,
        time: u64,
        credential: [u8; 32],
        fingerprints: &[[u8; 32]],
    ) -> Result<Option<u64>, Refusal> {
        if let Some(r) = self.ballot_refusals(index, time, &credential, fingerprints).into_iter().next() {
            return Err(r);
        }
        self.record_ballot(index, credential, fingerprints)
    }

    /// Records the fingerprints of a ballot (`cast`) or an audit at `index`,
    /// keeping the earliest entry for each (spec: V4.7): also for a ballot on a
    /// record that is not admitted, so no copy of it can count later.
    pub fn record_fingerprints(&mut self, index: u64, fingerprints: &[[u8; 32]], cast: bool) {
        for f in fingerprints {
            let p = self.fingerprints.entry(*f).or_insert(Fingerprint { at: index, cast });
            // A replay may record entries out of board order (the verifier
            // checks ballots in batches): keep the earliest.
            if p.at > index {
                *p = Fingerprint { at: index, cast };
            }
        }
    }

    /// Records an audited ballot's fingerprints at `index`.
    pub fn record_audit(&mut self, index: u64, fingerprints: &[[u8; 32]]) {
        self.record_fingerprints(index, fingerprints, false);
    }

    /// Audits a ballot at `index` if the rules admit it.
    pub fn audit(&mut self, index: u64, time: u64, fingerprints: &[[u8; 32]]) -> Result<(), Refusal> {
        rules::audit_ballot(&self.now(time), self.fresh(fingerprints))?;
        self.record_audit(index, fingerprints);
        Ok(())
    }

    /// Moves to the phase an admission gives.
    pub fn advance(&mut self, admitted: Option<Phase>) {
        if let Some(p) = admitted {
            self.phase = p;
        }
    }
}

/// Which of the admitted ballots counts per credential (spec: V4.6), for a
/// party that holds only admitted ballots (the server summing its own
/// board): fed in board order, it keeps each credential's counted one.
#[derive(Clone, Debug)]
pub struct Counted {
    revote: RevotePolicy,
    by_credential: HashMap<[u8; 32], u64>,
}

impl Counted {
    /// Nothing counted yet, under this revote policy.
    pub fn new(revote: RevotePolicy) -> Self {
        Self { revote, by_credential: HashMap::new() }
    }

    /// An admitted ballot at `index` by `credential`, in board order.
    pub fn add(&mut self, credential: [u8; 32], index: u64) {
        if rules::supersedes(self.revote) {
            self.by_credential.insert(credential, index);
        } else {
            self.by_credential.entry(credential).or_insert(index);
        }
    }

    /// The entry indices of the counted ballots.
    pub fn indices(&self) -> std::collections::HashSet<u64> {
        self.by_credential.values().copied().collect()
    }

    /// How many ballots count (one per credential that cast).
    pub fn len(&self) -> usize {
        self.by_credential.len()
    }

    /// Whether none does.
    pub fn is_empty(&self) -> bool {
        self.by_credential.is_empty()
    }
}
