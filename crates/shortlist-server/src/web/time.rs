//! Times as people read them: a date and time in the poll's zone (the
//! page's script shows the reader's local time too) and a rough "in 3 days,
//! 4 hours".

use super::i18n::Lang;
// The UTC forms are the clock's (messages below the web use them too);
// pages and tools name them here with the rest.
pub use crate::clock::{iso, utc};

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
