//! Candidates and the ballot definition (spec: board §4.2, §4.3). Candidates
//! come from the nominations phase; when nominations close, each contest's
//! frozen, ordered candidate list is posted as the ballot definition, whose
//! hash every ballot proof binds.

use std::collections::HashSet;

use shortlist_crypto::ballot::ContestShape;

use crate::codec::{Reader, Writer};
use crate::error::{BoardError, Result};
use crate::manifest::Manifest;
use crate::text::{check_field, TextKind};

/// The most candidates a contest may have on the board.
pub const MAX_BOARD_CANDIDATES: usize = 1024;

/// A candidate as listed in the ballot definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The candidate's id, unique in its contest.
    pub candidate_id: u32,
    /// The name shown on the ballot.
    pub name: String,
    /// Attributes used by slate rules, e.g. `("gender", "woman")`.
    pub attributes: Vec<(String, String)>,
}

impl Candidate {
    fn write(&self, w: &mut Writer) {
        w.u32(self.candidate_id).str(&self.name).count(self.attributes.len());
        for (k, v) in &self.attributes {
            w.str(k).str(v);
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let candidate_id = r.u32()?;
        let name = r.str()?;
        let n = r.count(16)?;
        let mut attributes = Vec::with_capacity(n);
        for _ in 0..n {
            attributes.push((r.str()?, r.str()?));
        }
        Ok(Self { candidate_id, name, attributes })
    }

    /// The value of an attribute, if the candidate has it.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The candidate's text (spec: board §4.2): the name a name, attribute
    /// keys names and distinct, values values. Reported under `step`.
    pub fn validate(&self, step: &'static str) -> Result<()> {
        let who = self.who();
        check_field(step, format_args!("{who}'s name"), &self.name, TextKind::Name)?;
        let mut keys = HashSet::new();
        for (k, v) in &self.attributes {
            check_field(step, format_args!("{who}'s attribute name"), k, TextKind::Name)?;
            check_field(step, format_args!("{who}'s attribute value"), v, TextKind::Value)?;
            if !keys.insert(k) {
                return Err(BoardError::invalid(step, format!("{who} has attribute `{k}` twice")));
            }
        }
        Ok(())
    }

    /// How messages name a candidate: by id once it has one.
    fn who(&self) -> String {
        if self.candidate_id == 0 {
            "the candidate".into()
        } else {
            format!("candidate {}", self.candidate_id)
        }
    }
}

/// An expression of interest or an organiser-entered candidate (spec: board §4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRegistration {
    /// The contest stood for.
    pub contest_id: u32,
    /// The candidate.
    pub candidate: Candidate,
    /// The candidate's statement.
    pub statement: String,
}

impl CandidateRegistration {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(1).u32(self.contest_id);
        self.candidate.write(&mut w);
        w.str(&self.statement);
        w.finish()
    }

    /// Decodes a registration.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("candidate registration", bytes);
        if r.u8()? != 1 {
            return Err(BoardError::malformed("candidate registration", "unknown version"));
        }
        let contest_id = r.u32()?;
        let candidate = Candidate::read(&mut r)?;
        let statement = r.str()?;
        r.finish()?;
        Ok(Self { contest_id, candidate, statement })
    }

    /// The registration's text (spec: board §4.2, checked at V1.4).
    pub fn validate(&self) -> Result<()> {
        self.candidate.validate("V1.4")?;
        let what = format_args!("{}'s statement", self.candidate.who());
        check_field("V1.4", what, &self.statement, TextKind::LongText)
    }
}

/// One contest of the ballot definition: its frozen, ordered candidates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinedContest {
    /// The contest's id (from the manifest).
    pub contest_id: u32,
    /// The candidates, in ballot order.
    pub candidates: Vec<Candidate>,
}

/// The ballot definition (spec: board §4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotDefinition {
    /// One entry per manifest contest, in manifest order.
    pub contests: Vec<DefinedContest>,
}

impl BallotDefinition {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(1).count(self.contests.len());
        for c in &self.contests {
            w.u32(c.contest_id).count(c.candidates.len());
            for cand in &c.candidates {
                cand.write(&mut w);
            }
        }
        w.finish()
    }

    /// Decodes a ballot definition.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("ballot definition", bytes);
        if r.u8()? != 1 {
            return Err(BoardError::malformed("ballot definition", "unknown version"));
        }
        let n = r.count(crate::manifest::MAX_CONTESTS)?;
        let mut contests = Vec::with_capacity(n);
        for _ in 0..n {
            let contest_id = r.u32()?;
            let k = r.count(MAX_BOARD_CANDIDATES)?;
            let mut candidates = Vec::with_capacity(k);
            for _ in 0..k {
                candidates.push(Candidate::read(&mut r)?);
            }
            contests.push(DefinedContest { contest_id, candidates });
        }
        r.finish()?;
        Ok(Self { contests })
    }

    /// Checks the definition against the manifest (spec: board V1.4): the
    /// same contests in the same order, unique candidate ids, and selection
    /// limits that fit the number of candidates.
    pub fn validate(&self, manifest: &Manifest) -> Result<()> {
        let step = "V1.4";
        if self.contests.len() != manifest.contests.len() {
            return Err(BoardError::invalid(step, "the definition must list every manifest contest"));
        }
        for (d, m) in self.contests.iter().zip(&manifest.contests) {
            if d.contest_id != m.contest_id {
                return Err(BoardError::invalid(step, "contests must follow the manifest's order"));
            }
            for (i, c) in d.candidates.iter().enumerate() {
                c.validate(step)?;
                if d.candidates.iter().take(i).any(|e| e.candidate_id == c.candidate_id) {
                    return Err(BoardError::invalid(
                        step,
                        format!("candidate id {} is repeated", c.candidate_id),
                    ));
                }
            }
            self.shape(manifest, d.contest_id)?
                .validate()
                .map_err(|e| BoardError::invalid(step, e.to_string()))?;
        }
        Ok(())
    }

    /// The shape of a contest for the crypto core.
    pub fn shape(&self, manifest: &Manifest, contest_id: u32) -> Result<ContestShape> {
        let d = self.contests.iter().find(|c| c.contest_id == contest_id).ok_or_else(|| {
            BoardError::invalid("V1.4", format!("no contest {contest_id} in the definition"))
        })?;
        let m = manifest
            .contest(contest_id)
            .ok_or_else(|| BoardError::invalid("V1.4", format!("no contest {contest_id} in the manifest")))?;
        let candidates = u16::try_from(d.candidates.len())
            .map_err(|_| BoardError::invalid("V1.4", "too many candidates"))?;
        Ok(ContestShape {
            contest_id,
            candidates,
            min: m.min_selections,
            max: m.max_selections.min(candidates),
        })
    }
}
