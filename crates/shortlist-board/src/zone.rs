//! Dates as people read and write them (spec: board §4.1, api §7): the
//! board keeps Unix seconds; organisers write RFC 3339 date-times with an
//! offset, and every page and command shows dates in the poll's zone
//! (an IANA name from the system's tz database, or a fixed offset).

use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// Reads a date-time: Unix seconds (`1796000000`) or RFC 3339 with an offset
/// (`2026-12-10T18:00:00+01:00`, `2026-12-10T17:00:00Z`).
pub fn parse_time(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u64>().map_err(|e| format!("`{text}`: {e}"));
    }
    let ts: Timestamp = text.parse().map_err(|e| {
        format!(
            "`{text}` is not an RFC 3339 date-time with a time zone offset (2026-12-10T18:00:00+01:00): {e}"
        )
    })?;
    u64::try_from(ts.as_second()).map_err(|_| format!("`{text}` is before 1970"))
}

/// The zone a manifest names: empty is UTC. `Err` if the tz database here
/// does not know it.
pub fn resolve(zone: &str) -> Result<TimeZone, String> {
    if zone.is_empty() {
        return Ok(TimeZone::UTC);
    }
    if let [s @ (b'+' | b'-'), h1, h2, b':', m1, m2] = zone.as_bytes() {
        let num = |a: &u8, b: &u8| i32::from(a.wrapping_sub(b'0')) * 10 + i32::from(b.wrapping_sub(b'0'));
        let secs = (num(h1, h2) * 3600 + num(m1, m2) * 60) * if *s == b'-' { -1 } else { 1 };
        let offset = Offset::from_seconds(secs).map_err(|e| format!("offset `{zone}`: {e}"))?;
        return Ok(TimeZone::fixed(offset));
    }
    TimeZone::get(zone).map_err(|e| format!("unknown time zone `{zone}`: {e}"))
}

fn zoned(t: u64, zone: &str) -> jiff::ZonedDateTime {
    let ts = Timestamp::from_second(i64::try_from(t).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX);
    ts.to_zoned_datetime(resolve(zone).unwrap_or(TimeZone::UTC))
}

/// `2026-12-10 18:00 CET` (the zone's abbreviation, or `+01:00` for an
/// offset, `UTC` without a zone). An unknown zone shows UTC.
pub fn show(t: u64, zone: &str) -> String {
    let z = zoned(t, zone);
    if zone.is_empty() || resolve(zone).is_err() {
        return z.strftime("%Y-%m-%d %H:%M UTC").to_string();
    }
    if zone.starts_with(['+', '-']) {
        return z.strftime("%Y-%m-%d %H:%M %:z").to_string();
    }
    z.strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// RFC 3339 in the poll's zone: `2026-12-10T18:00:00+01:00`.
pub fn rfc3339(t: u64, zone: &str) -> String {
    let z = zoned(t, zone);
    if z.offset() == Offset::UTC {
        return z.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The value of an HTML `datetime-local` field for `t`: the wall-clock time
/// in the poll's zone, to the minute (`2026-12-10T18:00`).
pub fn local_input(t: u64, zone: &str) -> String {
    zoned(t, zone).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// Why a wall-clock date-time could not be read in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalTimeError {
    /// Not `YYYY-MM-DDTHH:MM` (seconds optional), or no such date.
    Malformed,
    /// The zone's clocks skip or repeat that time (a daylight-saving change).
    Ambiguous,
    /// The zone is not known here.
    UnknownZone,
}

/// Reads a wall-clock date-time as an HTML `datetime-local` field sends it
/// (`2026-12-10T18:00`, seconds optional) in the poll's `zone`: Unix
/// seconds. A time that the zone's clocks skip or pass twice is refused
/// rather than guessed.
pub fn parse_local(text: &str, zone: &str) -> Result<u64, LocalTimeError> {
    let text = text.trim();
    let shape = |s: &[u8]| {
        s.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        })
    };
    if !(text.len() == 16 || text.len() == 19) || !shape(text.as_bytes()) {
        return Err(LocalTimeError::Malformed);
    }
    let dt: jiff::civil::DateTime = text.parse().map_err(|_| LocalTimeError::Malformed)?;
    let tz = resolve(zone).map_err(|_| LocalTimeError::UnknownZone)?;
    let ts = tz.to_ambiguous_timestamp(dt).unambiguous().map_err(|_| LocalTimeError::Ambiguous)?;
    u64::try_from(ts.as_second()).map_err(|_| LocalTimeError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        assert_eq!(parse_time("1796000000"), Ok(1_796_000_000));
        assert_eq!(parse_time("2026-12-10T18:00:00+01:00"), Ok(1_796_922_000));
        assert_eq!(parse_time("2026-12-10T17:00:00Z"), Ok(1_796_922_000));
        assert!(parse_time("2026-12-10T18:00:00").is_err(), "no offset");
        assert!(parse_time("tomorrow").is_err());
    }

    #[test]
    fn shows_in_the_zone() {
        let t = 1_796_922_000;
        assert_eq!(show(t, ""), "2026-12-10 17:00 UTC");
        assert_eq!(show(t, "+01:00"), "2026-12-10 18:00 +01:00");
        assert_eq!(rfc3339(t, "+01:00"), "2026-12-10T18:00:00+01:00");
        assert_eq!(rfc3339(t, ""), "2026-12-10T17:00:00Z");
        assert!(resolve("Nowhere/Atlantis").is_err());
        assert_eq!(show(t, "Nowhere/Atlantis"), "2026-12-10 17:00 UTC");
        if resolve("Europe/Paris").is_ok() {
            assert_eq!(show(t, "Europe/Paris"), "2026-12-10 18:00 CET");
            assert_eq!(rfc3339(t, "Europe/Paris"), "2026-12-10T18:00:00+01:00");
        }
    }

    #[test]
    fn reads_a_wall_clock_time_in_the_zone() {
        let t = 1_796_922_000; // 2026-12-10T17:00:00Z
        assert_eq!(local_input(t, ""), "2026-12-10T17:00");
        assert_eq!(local_input(t, "+01:00"), "2026-12-10T18:00");
        assert_eq!(parse_local("2026-12-10T18:00", "+01:00"), Ok(t));
        assert_eq!(parse_local("2026-12-10T18:00:00", "+01:00"), Ok(t));
        assert_eq!(parse_local("2026-12-10T17:00", ""), Ok(t));
        for bad in ["", "2026-12-10", "2026-12-10 18:00", "2026-12-10T18:00Z", "2026-13-10T18:00", "tomorrow"]
        {
            assert_eq!(parse_local(bad, "+01:00"), Err(LocalTimeError::Malformed), "{bad}");
        }
        assert_eq!(parse_local("2026-12-10T18:00", "Nowhere/Atlantis"), Err(LocalTimeError::UnknownZone));
        if resolve("Europe/Paris").is_ok() {
            assert_eq!(parse_local("2026-12-10T18:00", "Europe/Paris"), Ok(t));
            // Clocks skip 02:00–03:00 on 2026-03-29 and pass 02:00–03:00 twice on 2026-10-25.
            assert_eq!(parse_local("2026-03-29T02:30", "Europe/Paris"), Err(LocalTimeError::Ambiguous));
            assert_eq!(parse_local("2026-10-25T02:30", "Europe/Paris"), Err(LocalTimeError::Ambiguous));
        }
    }
}
