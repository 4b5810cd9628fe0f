//! Times as people read them: a date and time in the poll's zone (the
//! page's script shows the reader's local time too) and a rough "in 3 days,
//! 4 hours".

use super::i18n::Lang;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

fn parts(t: u64) -> (i64, u32, u32, u64, u64) {
    let days = i64::try_from(t / 86_400).unwrap_or(0);
    let (y, m, d) = civil(days);
    let secs = t % 86_400;
    (y, m, d, secs / 3600, (secs % 3600) / 60)
}

/// `2026-11-30T09:00:00Z`, for `<time datetime>`.
pub fn iso(t: u64) -> String {
    let (y, m, d, hh, mm) = parts(t);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{:02}Z", t % 60)
}

/// `2026-11-30 09:00 UTC`.
pub fn utc(t: u64) -> String {
    let (y, m, d, hh, mm) = parts(t);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC")
}

/// A `<time>` element for `t`, shown in the poll's `zone` (spec: board
/// §4.1; empty for UTC).
pub fn element(t: u64, zone: &str) -> String {
    if zone.is_empty() {
        return format!("<time datetime=\"{}\" data-local=\"{t}\">{}</time>", iso(t), utc(t));
    }
    format!(
        "<time datetime=\"{}\" data-local=\"{t}\">{}</time>",
        shortlist_board::zone::rfc3339(t, zone),
        super::html::esc(&shortlist_board::zone::show(t, zone))
    )
}

/// "3 days, 4 hours" from now to `then` (the two largest units).
pub fn span(lang: &Lang, secs: u64) -> String {
    let units = [(86_400, "time.days"), (3600, "time.hours"), (60, "time.minutes"), (1, "time.seconds")];
    let mut out = Vec::new();
    let mut rest = secs;
    for (size, key) in units {
        let n = rest / size;
        if n > 0 || (out.is_empty() && size == 1) {
            out.push(lang.count(key, n, &[]));
            rest %= size;
        }
        if out.len() == 2 {
            break;
        }
        if !out.is_empty() && n == 0 {
            break;
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(iso(1_900_000_000), "2030-03-17T17:46:40Z");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn elements_in_the_zone() {
        assert_eq!(
            element(1_796_922_000, ""),
            "<time datetime=\"2026-12-10T17:00:00Z\" data-local=\"1796922000\">2026-12-10 17:00 UTC</time>"
        );
        assert_eq!(
            element(1_796_922_000, "+01:00"),
            "<time datetime=\"2026-12-10T18:00:00+01:00\" data-local=\"1796922000\">2026-12-10 18:00 +01:00</time>"
        );
    }

    #[test]
    fn spans() {
        let en = Lang::english();
        assert_eq!(span(&en, 3 * 86_400 + 4 * 3600 + 5), "3 days, 4 hours");
        assert_eq!(span(&en, 0), "0 seconds");
        assert_eq!(span(&en, 61), "1 minute, 1 second");
    }
}
