//! JSON (and TOML) forms of what organisers and candidates write: the
//! manifest as a person writes it, and expressions of interest. The binary
//! forms on the board are in `shortlist_board`; these convert to them.
//! Also how a form's hex fields decode (a bad one is `malformed`).

use shortlist_board::error_code::ErrorCode;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shortlist_board::definition::{Candidate, CandidateRegistration};
use shortlist_board::manifest::{
    Calendar, ContestRules, Manifest, RevotePolicy, SlateRule, TieBreak, Timetable, TrusteeInfo,
};
use shortlist_board::text::normalise;
use shortlist_crypto::credential::CredentialPublicKey;
use utoipa::ToSchema;

use crate::error::AppError;

/// A manifest as an organiser writes it (the server adds its own key).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestSpec {
    /// 1–64 of `A–Z a–z 0–9 . _ -`, beginning with a letter or digit (spec: board §4.1 item 7).
    pub poll_id: String,
    /// The poll's title.
    pub title: String,
    /// The timetable: RFC 3339 date-times with an offset, or Unix seconds.
    pub timetable: TimetableInput,
    /// The contests.
    pub contests: Vec<ContestSpec>,
    /// The trustees, in index order (1, 2, …).
    pub trustees: Vec<TrusteeSpec>,
    /// How many trustees must decrypt.
    pub threshold: u16,
    /// `last` (a later ballot replaces an earlier one) or `first`.
    #[serde(default = "default_revote")]
    pub revote: String,
    /// Registrar mode (spec: board §4.12): hex of the registrar's ed25519
    /// public key; absent for token mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrar_key: Option<String>,
}

fn default_revote() -> String {
    "last".into()
}

/// A date-time as an organiser writes it: RFC 3339 with an offset
/// (`"2026-12-10T18:00:00+01:00"`) or Unix seconds (`1796922000`).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TimeInput {
    /// Unix seconds, UTC.
    Seconds(u64),
    /// RFC 3339 with a time-zone offset.
    Text(String),
}

impl TimeInput {
    /// Unix seconds.
    pub fn seconds(&self, field: &str) -> Result<u64, AppError> {
        match self {
            TimeInput::Seconds(s) => Ok(*s),
            // Unix seconds are a JSON number; text must be RFC 3339.
            TimeInput::Text(t) if t.trim().bytes().all(|b| b.is_ascii_digit()) => Err(AppError::invalid(
                ErrorCode::InvalidTime,
                format!("{field}: `{t}`: Unix seconds are a JSON number, not text; or write RFC 3339"),
            )),
            TimeInput::Text(t) => shortlist_board::zone::parse_time(t)
                .map_err(|e| AppError::invalid(ErrorCode::InvalidTime, format!("{field}: {e}"))),
        }
    }
}

/// The timetable as an organiser writes it (spec: api §7.1).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimetableInput {
    /// Expressions of interest are taken until then.
    pub nominations_close: TimeInput,
    /// Ballots are taken from then…
    pub voting_open: TimeInput,
    /// …until then (exclusive).
    pub voting_close: TimeInput,
    /// The zone dates are shown in: an IANA name (`Europe/Paris`) or an
    /// offset (`+01:00`); UTC if absent.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Whether a timetable amendment may close nominations or voting early.
    #[serde(default)]
    pub early_close: bool,
}

/// The timetable, Unix seconds.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimetableSpec {
    /// Expressions of interest are taken until then.
    pub nominations_close: u64,
    /// Ballots are taken from then…
    pub voting_open: u64,
    /// …until then (exclusive).
    pub voting_close: u64,
}

/// A contest.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContestSpec {
    /// Its id.
    pub contest_id: u32,
    /// Its title.
    pub title: String,
    /// Seats on the slate.
    pub seats: u16,
    /// Fewest selections a ballot may make.
    #[serde(default)]
    pub min_selections: u16,
    /// Most selections a ballot may make.
    pub max_selections: u16,
    /// Rules such as "at least 5 seats for women".
    #[serde(default)]
    pub slate_rules: Vec<SlateRuleSpec>,
}

/// A slate rule.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlateRuleSpec {
    /// The candidate attribute, e.g. `gender`.
    pub attribute: String,
    /// Its value, e.g. `woman`.
    pub value: String,
    /// At least this many seats go to candidates with it.
    pub min_seats: u16,
}

/// A trustee.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrusteeSpec {
    /// Their name.
    pub name: String,
    /// Hex of their ed25519 public key.
    pub key: String,
}

impl ManifestSpec {
    /// The manifest this describes, signed-for by `server_key`, validated
    /// (spec: board §4.1, V1.3).
    pub fn to_manifest(&self, server_key: CredentialPublicKey) -> Result<Manifest, AppError> {
        let revote = match self.revote.as_str() {
            "last" => RevotePolicy::LastCounts,
            "first" => RevotePolicy::FirstCounts,
            other => {
                return Err(AppError::invalid(
                    ErrorCode::InvalidManifest,
                    format!("revote must be `last` or `first`, not `{other}`"),
                ))
            }
        };
        let zone = self.timetable.time_zone.as_deref().map(str::trim).unwrap_or_default().to_string();
        let utc = zone.eq_ignore_ascii_case("utc") || zone == "Z";
        let zone = if utc { String::new() } else { zone };
        if !shortlist_board::manifest::zone_syntax_ok(&zone) {
            return Err(AppError::invalid(
                ErrorCode::InvalidManifest,
                format!("time zone `{zone}`: not a zone name"),
            ));
        }
        shortlist_board::zone::resolve(&zone)
            .map_err(|e| AppError::invalid(ErrorCode::InvalidManifest, e))?;
        let mut trustees = Vec::with_capacity(self.trustees.len());
        for (t, index) in self.trustees.iter().zip(1u16..) {
            let bytes = unhex32("trustees.key", &t.key)?;
            let key = CredentialPublicKey::from_bytes(&bytes).map_err(|e| {
                AppError::invalid(ErrorCode::InvalidManifest, format!("trustee {index}'s key: {e}"))
            })?;
            trustees.push(TrusteeInfo { index, name: normalise(&t.name), key });
        }
        let m = Manifest {
            poll_id: self.poll_id.clone(),
            title: normalise(&self.title),
            timetable: Timetable {
                nominations_close: self.timetable.nominations_close.seconds("nominations_close")?,
                voting_open: self.timetable.voting_open.seconds("voting_open")?,
                voting_close: self.timetable.voting_close.seconds("voting_close")?,
            },
            contests: self
                .contests
                .iter()
                .map(|c| ContestRules {
                    contest_id: c.contest_id,
                    title: normalise(&c.title),
                    seats: c.seats,
                    min_selections: c.min_selections,
                    max_selections: c.max_selections,
                    slate_rules: c
                        .slate_rules
                        .iter()
                        .map(|r| SlateRule {
                            attribute: normalise(&r.attribute),
                            value: normalise(&r.value),
                            min_seats: r.min_seats,
                        })
                        .collect(),
                })
                .collect(),
            trustees,
            threshold: self.threshold,
            revote,
            tie_break: TieBreak::AggregateHash,
            server_key,
            calendar: Calendar { zone: zone.clone(), early_close: self.timetable.early_close },
            registrar: match &self.registrar_key {
                None => None,
                Some(hex) => {
                    let bytes = unhex32("registrar_key", hex)?;
                    Some(CredentialPublicKey::from_bytes(&bytes).map_err(|e| {
                        AppError::invalid(ErrorCode::InvalidManifest, format!("the registrar's key: {e}"))
                    })?)
                }
            },
        };
        // spec: board V1.3 (with the degenerate-manifest and text rules of §2.1, §4.1)
        m.validate().map_err(|e| AppError::invalid(ErrorCode::InvalidManifest, e.to_string()))?;
        Ok(m)
    }
}

/// A candidate as entered by the organiser or sent by a would-be candidate.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateSpec {
    /// The contest.
    pub contest_id: u32,
    /// Their name as it will appear on the ballot.
    pub name: String,
    /// Their statement.
    #[serde(default)]
    pub statement: String,
    /// Attributes such as `{"gender": "woman"}`.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// The most attributes a candidate may have.
const MAX_ATTRIBUTES: usize = 16;

impl CandidateSpec {
    /// Checks the contest and the text (normalised first: spec: board §2.1,
    /// §4.2), and makes the registration (its candidate id is assigned when
    /// it is appended).
    pub fn to_registration(&self, manifest: &Manifest) -> Result<CandidateRegistration, AppError> {
        if manifest.contest(self.contest_id).is_none() {
            return Err(AppError::invalid(
                ErrorCode::InvalidCandidate,
                format!("no contest {}", self.contest_id),
            ));
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            return Err(AppError::invalid(
                ErrorCode::InvalidCandidate,
                format!("a candidate has at most {MAX_ATTRIBUTES} attributes"),
            ));
        }
        let reg = CandidateRegistration {
            contest_id: self.contest_id,
            candidate: Candidate {
                candidate_id: 0,
                name: normalise(&self.name),
                attributes: self.attributes.iter().map(|(k, v)| (normalise(k), normalise(v))).collect(),
            },
            statement: normalise(&self.statement),
        };
        reg.validate().map_err(|e| {
            let why = e.to_string();
            AppError::invalid(ErrorCode::InvalidCandidate, why.trim_start_matches("V1.4: ").to_string())
        })?;
        Ok(reg)
    }
}

/// Decodes a hex field.
pub fn unhex(field: &str, text: &str) -> Result<Vec<u8>, AppError> {
    hex::decode(text.trim()).map_err(|e| AppError::malformed(format!("`{field}` is not hex: {e}")))
}

/// Decodes a 32-byte hex field.
pub fn unhex32(field: &str, text: &str) -> Result<[u8; 32], AppError> {
    let v = unhex(field, text)?;
    <[u8; 32]>::try_from(v.as_slice())
        .map_err(|_| AppError::malformed(format!("`{field}` must be 32 bytes (64 hex digits)")))
}
