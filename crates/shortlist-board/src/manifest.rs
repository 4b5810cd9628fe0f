//! The manifest (spec: board §4.1): the poll's identity. Its hash names the
//! poll and is bound into every proof; it is entry 0 of the board.

use std::collections::HashSet;

use shortlist_crypto::credential::CredentialPublicKey;

use crate::codec::{Reader, Writer};
use crate::error::{BoardError, Result};
use crate::text::{check_field, TextKind};

/// Version byte of the manifest encoding without a calendar (spec: board §4.1).
pub const MANIFEST_VERSION: u8 = 1;
/// Version byte of a manifest that names a calendar (time zone, early close).
pub const MANIFEST_VERSION_CALENDAR: u8 = 2;
/// Version byte of a manifest in registrar mode (spec: board §4.1, §4.12):
/// the version-2 fields, then the registrar's key.
pub const MANIFEST_VERSION_REGISTRAR: u8 = 3;
/// Calendar flag: the organiser may bring a deadline forward (spec: board §4.11).
pub const FLAG_EARLY_CLOSE: u8 = 0x01;
/// The longest time-zone name, in bytes.
pub const MAX_ZONE: usize = 64;
/// The most contests a poll may have.
pub const MAX_CONTESTS: usize = 64;

/// The longest poll id, in bytes.
pub const MAX_POLL_ID: usize = 64;
/// The latest time a manifest may name: 9999-12-31T23:59:59Z, the end of
/// RFC 3339's calendar, in Unix seconds.
pub const MAX_TIME: u64 = 253_402_300_799;
/// The most seats or selections a contest may have: a contest never has more
/// candidates than this (board §4.3).
pub const MAX_SELECTIONS: u16 = 1024;

/// Whether `id` is a poll id: 1–64 bytes of `A–Z a–z 0–9 . _ -`, the first
/// a letter or a digit (so never `.`, `..`, a path or an option).
pub fn is_poll_id(id: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    id.len() <= MAX_POLL_ID
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.bytes().all(ok)
}

/// When each phase of the poll starts or ends, in Unix seconds (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timetable {
    /// Expressions of interest are accepted until this time.
    pub nominations_close: u64,
    /// Ballots are accepted from this time…
    pub voting_open: u64,
    /// …until this time (exclusive).
    pub voting_close: u64,
}

/// How the poll's dates are shown and whether deadlines may come forward
/// (spec: board §4.1, version 2). The default is a version-1 manifest: UTC,
/// deadlines may only be extended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    /// The poll's time zone: an IANA name (`Europe/Paris`) or a fixed offset
    /// (`+01:00`); empty for UTC. Dates are always stored in Unix seconds;
    /// the zone only says how pages and commands show them.
    pub zone: String,
    /// Whether a timetable amendment may close nominations or voting early.
    pub early_close: bool,
}

impl Calendar {
    /// Whether this is the version-1 default (no calendar fields encoded).
    pub fn is_default(&self) -> bool {
        self.zone.is_empty() && !self.early_close
    }
}

/// Checks a zone's syntax (spec: board §4.1 rule 7): a fixed offset
/// `±HH:MM` (at most 23:59) or an IANA name of 1–64 bytes of `A–Z a–z 0–9 / _ + -`,
/// not starting with `/` and without `..`. Whether an IANA name is known is
/// for the tz database of whoever shows the date; the board does not carry one.
pub fn zone_syntax_ok(zone: &str) -> bool {
    if zone.is_empty() {
        return true;
    }
    let b = zone.as_bytes();
    if let [b'+' | b'-', h1, h2, b':', m1, m2] = b {
        let digits = [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit());
        let hh = u32::from(h1.wrapping_sub(b'0')) * 10 + u32::from(h2.wrapping_sub(b'0'));
        let mm = u32::from(m1.wrapping_sub(b'0')) * 10 + u32::from(m2.wrapping_sub(b'0'));
        return digits && hh <= 23 && mm <= 59;
    }
    zone.len() <= MAX_ZONE
        && !zone.starts_with('/')
        && !zone.contains("..")
        && b.first().is_some_and(|c| c.is_ascii_alphabetic())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'+' | b'-'))
}

/// A rule the slate must satisfy: at least `min_seats` of the seats go to
/// candidates whose `attribute` equals `value` (e.g. gender = woman).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlateRule {
    /// The attribute's name.
    pub attribute: String,
    /// The value that the rule favours.
    pub value: String,
    /// The fewest seats that such candidates must hold, when enough stand.
    pub min_seats: u16,
}

/// One contest's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestRules {
    /// The contest's id, unique in the poll.
    pub contest_id: u32,
    /// Its title.
    pub title: String,
    /// How many candidates the slate takes.
    pub seats: u16,
    /// The fewest selections a ballot may make.
    pub min_selections: u16,
    /// The most selections a ballot may make.
    pub max_selections: u16,
    /// Rules the slate must satisfy.
    pub slate_rules: Vec<SlateRule>,
}

/// A trustee named in the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrusteeInfo {
    /// The trustee's index, 1..=n.
    pub index: u16,
    /// A human name.
    pub name: String,
    /// The trustee's ed25519 key: it signs every message of the trustee.
    pub key: CredentialPublicKey,
}

/// Which of a credential's ballots counts (spec: board V4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevotePolicy {
    /// The last ballot cast counts (revoting allowed).
    LastCounts,
    /// The first ballot cast counts; later ones are refused.
    FirstCounts,
}

/// How ties in the ranking are broken (spec: board §4.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// Tied candidates are ordered by SHA-256 of the aggregate entry's
    /// payload hash and the candidate id: reproducible by anyone, fixed only
    /// once voting has closed and beyond any one party's choice.
    AggregateHash,
}

/// The manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// A short identifier, unique to the organiser.
    pub poll_id: String,
    /// A human title.
    pub title: String,
    /// The timetable.
    pub timetable: Timetable,
    /// The contests.
    pub contests: Vec<ContestRules>,
    /// The trustees, by index.
    pub trustees: Vec<TrusteeInfo>,
    /// How many trustees decrypt (t of n).
    pub threshold: u16,
    /// Which ballot of a credential counts.
    pub revote: RevotePolicy,
    /// The tie-break rule.
    pub tie_break: TieBreak,
    /// The server's ed25519 key: it signs checkpoints, registrations and
    /// timetable amendments.
    pub server_key: CredentialPublicKey,
    /// The time zone and amendment options (version 2; default for version 1).
    pub calendar: Calendar,
    /// Registrar mode (version 3, spec: board §4.12): the registrar's ed25519
    /// key, which signs the list of credential keys; `None` in token mode.
    pub registrar: Option<CredentialPublicKey>,
}

impl Manifest {
    /// The canonical encoding (spec: board §4.1).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        // A manifest without calendar fields keeps its version-1 bytes.
        let version = if self.registrar.is_some() {
            MANIFEST_VERSION_REGISTRAR
        } else if self.calendar.is_default() {
            MANIFEST_VERSION
        } else {
            MANIFEST_VERSION_CALENDAR
        };
        w.u8(version).str(&self.poll_id).str(&self.title);
        w.u64(self.timetable.nominations_close)
            .u64(self.timetable.voting_open)
            .u64(self.timetable.voting_close);
        w.count(self.contests.len());
        for c in &self.contests {
            w.u32(c.contest_id).str(&c.title).u16(c.seats).u16(c.min_selections).u16(c.max_selections);
            w.count(c.slate_rules.len());
            for r in &c.slate_rules {
                w.str(&r.attribute).str(&r.value).u16(r.min_seats);
            }
        }
        w.count(self.trustees.len());
        for t in &self.trustees {
            w.u16(t.index).str(&t.name).fixed(&t.key.to_bytes());
        }
        w.u16(self.threshold);
        w.u8(match self.revote {
            RevotePolicy::LastCounts => 1,
            RevotePolicy::FirstCounts => 2,
        });
        w.u8(match self.tie_break {
            TieBreak::AggregateHash => 1,
        });
        w.fixed(&self.server_key.to_bytes());
        if version >= MANIFEST_VERSION_CALENDAR {
            w.str(&self.calendar.zone).u8(if self.calendar.early_close { FLAG_EARLY_CLOSE } else { 0 });
        }
        if let Some(key) = &self.registrar {
            w.fixed(&key.to_bytes());
        }
        w.finish()
    }

    /// Decodes and validates a manifest (spec: board V1.3).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("manifest", bytes);
        let version = r.u8()?;
        if !(MANIFEST_VERSION..=MANIFEST_VERSION_REGISTRAR).contains(&version) {
            return Err(BoardError::malformed("manifest", "unknown version"));
        }
        let poll_id = r.str()?;
        let title = r.str()?;
        let timetable =
            Timetable { nominations_close: r.u64()?, voting_open: r.u64()?, voting_close: r.u64()? };
        let contests = (0..r.count(MAX_CONTESTS)?).map(|_| read_contest(&mut r)).collect::<Result<_>>()?;
        let trustees = (0..r.count(usize::from(shortlist_crypto::dkg::MAX_TRUSTEES))?)
            .map(|_| read_trustee(&mut r))
            .collect::<Result<_>>()?;
        let threshold = r.u16()?;
        let revote = match r.u8()? {
            1 => RevotePolicy::LastCounts,
            2 => RevotePolicy::FirstCounts,
            _ => return Err(BoardError::malformed("manifest", "unknown revote policy")),
        };
        let tie_break = match r.u8()? {
            1 => TieBreak::AggregateHash,
            _ => return Err(BoardError::malformed("manifest", "unknown tie-break rule")),
        };
        let server_key = CredentialPublicKey::from_bytes(&r.fixed::<32>()?)?;
        let calendar = read_calendar(&mut r, version)?;
        let registrar = if version == MANIFEST_VERSION_REGISTRAR {
            Some(CredentialPublicKey::from_bytes(&r.fixed::<32>()?)?)
        } else {
            None
        };
        r.finish()?;
        let m = Self {
            poll_id,
            title,
            timetable,
            contests,
            trustees,
            threshold,
            revote,
            tie_break,
            server_key,
            calendar,
            registrar,
        };
        m.validate()?;
        Ok(m)
    }

    /// Checks the manifest's rules (spec: board V1.3).
    pub fn validate(&self) -> Result<()> {
        let step = "V1.3";
        if self.poll_id.is_empty()
            || self.poll_id.len() > 64
            || !self.poll_id.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(BoardError::invalid(step, "poll id must be 1 to 64 printable ASCII characters"));
        }
        let t = &self.timetable;
        if !(t.nominations_close <= t.voting_open && t.voting_open < t.voting_close) {
            return Err(BoardError::invalid(
                step,
                "timetable must have nominations close ≤ voting open < voting close",
            ));
        }
        if !zone_syntax_ok(&self.calendar.zone) {
            return Err(BoardError::invalid(
                step,
                "the time zone must be an IANA name (Europe/Paris) or an offset (+01:00)",
            ));
        }
        if self.contests.is_empty() {
            return Err(BoardError::invalid(step, "a poll needs at least one contest"));
        }
        for (i, c) in self.contests.iter().enumerate() {
            if self.contests.iter().take(i).any(|d| d.contest_id == c.contest_id) {
                return Err(BoardError::invalid(step, format!("contest id {} is repeated", c.contest_id)));
            }
            if c.seats == 0 || c.min_selections > c.max_selections {
                return Err(BoardError::invalid(
                    step,
                    format!("contest {}: needs seats ≥ 1 and min ≤ max selections", c.contest_id),
                ));
            }
            let reserved: u32 = c.slate_rules.iter().map(|r| u32::from(r.min_seats)).sum();
            if reserved > u32::from(c.seats) {
                return Err(BoardError::invalid(
                    step,
                    format!("contest {}: slate rules reserve more seats than there are", c.contest_id),
                ));
            }
        }
        let n = self.trustees.len();
        for (i, tr) in self.trustees.iter().enumerate() {
            if usize::from(tr.index) != i + 1 {
                return Err(BoardError::invalid(step, "trustees must be listed by index 1, 2, …, n"));
            }
        }
        let params = shortlist_crypto::dkg::CeremonyParams {
            manifest_hash: [0; 32],
            n: u16::try_from(n).unwrap_or(u16::MAX),
            t: self.threshold,
        };
        params.validate().map_err(|e| BoardError::invalid(step, e.to_string()))?;
        // spec: board V1.3 items 7–13 (degenerate manifests, text rules)
        self.not_degenerate()
    }

    /// The contest with this id.
    pub fn contest(&self, contest_id: u32) -> Option<&ContestRules> {
        self.contests.iter().find(|c| c.contest_id == contest_id)
    }

    /// The rules that keep a manifest from being degenerate (spec: board
    /// §4.1, V1.3 items 7–14): the poll-id alphabet, calendar times, positive
    /// contest ids and selection limits, distinct trustee keys, slate rules
    /// that reserve something, and text within the rules of §2.1.
    fn not_degenerate(&self) -> Result<()> {
        let step = "V1.3";
        if !is_poll_id(&self.poll_id) {
            return Err(BoardError::invalid(
                step,
                "the poll id must be 1–64 of A–Z a–z 0–9 . _ - and begin with a letter or digit",
            ));
        }
        check_field(step, "the poll title", &self.title, TextKind::Name)?;
        let t = &self.timetable;
        if [t.nominations_close, t.voting_open, t.voting_close].iter().any(|&x| x > MAX_TIME) {
            return Err(BoardError::invalid(
                step,
                format!("timetable times must be at most {MAX_TIME} (year 9999)"),
            ));
        }
        for c in &self.contests {
            c.not_degenerate(step)?;
        }
        self.keys_apart(step)
    }

    /// Trustee names within the text rules, distinct trustee keys, none the
    /// server's, and a registrar key that is neither's (spec: board §4.1,
    /// V1.3 items 8, 13 and 14).
    fn keys_apart(&self, step: &'static str) -> Result<()> {
        let mut keys = HashSet::new();
        for tr in &self.trustees {
            check_field(step, format_args!("trustee {}'s name", tr.index), &tr.name, TextKind::Name)?;
            let key = tr.key.to_bytes();
            if !keys.insert(key) {
                return Err(BoardError::invalid(
                    step,
                    format!(
                        "trustee {}'s key is another trustee's: each trustee needs their own key",
                        tr.index
                    ),
                ));
            }
            if key == self.server_key.to_bytes() {
                return Err(BoardError::invalid(step, format!("trustee {}'s key is the server's", tr.index)));
            }
        }
        // spec: board V1.3 item 14 — the registrar is a party apart from the
        // server and the trustees: its key is neither's.
        if let Some(r) = &self.registrar {
            let r = r.to_bytes();
            if r == self.server_key.to_bytes() || keys.contains(&r) {
                return Err(BoardError::invalid(step, "the registrar's key is the server's or a trustee's"));
            }
        }
        Ok(())
    }
}

impl ContestRules {
    /// A contest that is not degenerate (spec: board §4.1, V1.3 items 8,
    /// 10–12): a positive id, a title and slate rules within the text rules,
    /// selection limits within 1–1024, each slate rule reserving a seat once.
    fn not_degenerate(&self, step: &'static str) -> Result<()> {
        let c = self;
        let id = c.contest_id;
        if id == 0 {
            return Err(BoardError::invalid(step, "contest ids start at 1"));
        }
        check_field(step, format_args!("contest {id}'s title"), &c.title, TextKind::Name)?;
        if c.max_selections == 0 || c.max_selections > MAX_SELECTIONS || c.seats > MAX_SELECTIONS {
            return Err(BoardError::invalid(
                step,
                format!("contest {id}: max_selections and seats must be 1–{MAX_SELECTIONS}"),
            ));
        }
        let mut rules = HashSet::new();
        for r in &c.slate_rules {
            check_field(
                step,
                format_args!("contest {id}: a slate rule's attribute"),
                &r.attribute,
                TextKind::Name,
            )?;
            check_field(step, format_args!("contest {id}: a slate rule's value"), &r.value, TextKind::Value)?;
            if r.min_seats == 0 {
                return Err(BoardError::invalid(
                    step,
                    format!("contest {id}: a slate rule reserves no seat"),
                ));
            }
            if !rules.insert((&r.attribute, &r.value)) {
                return Err(BoardError::invalid(step, format!("contest {id}: a slate rule is repeated")));
            }
        }
        Ok(())
    }
}

/// One contest's rules (spec: board §4.1).
fn read_contest(r: &mut Reader<'_>) -> Result<ContestRules> {
    let contest_id = r.u32()?;
    let title = r.str()?;
    let (seats, min_selections, max_selections) = (r.u16()?, r.u16()?, r.u16()?);
    let slate_rules = (0..r.count(16)?)
        .map(|_| Ok(SlateRule { attribute: r.str()?, value: r.str()?, min_seats: r.u16()? }))
        .collect::<Result<_>>()?;
    Ok(ContestRules { contest_id, title, seats, min_selections, max_selections, slate_rules })
}

/// One trustee: index, name and signing key (spec: board §4.1).
fn read_trustee(r: &mut Reader<'_>) -> Result<TrusteeInfo> {
    let index = r.u16()?;
    let name = r.str()?;
    let key = CredentialPublicKey::from_bytes(&r.fixed::<32>()?)?;
    Ok(TrusteeInfo { index, name, key })
}

/// The calendar of a version-2 or later manifest; version 1 has the default.
fn read_calendar(r: &mut Reader<'_>, version: u8) -> Result<Calendar> {
    if version < MANIFEST_VERSION_CALENDAR {
        return Ok(Calendar::default());
    }
    let zone = r.str()?;
    let flags = r.u8()?;
    if flags & !FLAG_EARLY_CLOSE != 0 {
        return Err(BoardError::malformed("manifest", "unknown calendar flags"));
    }
    let calendar = Calendar { zone, early_close: flags & FLAG_EARLY_CLOSE != 0 };
    if calendar.is_default() && version == MANIFEST_VERSION_CALENDAR {
        // One encoding per manifest: an empty calendar is version 1.
        return Err(BoardError::malformed("manifest", "version 2 with an empty calendar"));
    }
    Ok(calendar)
}
