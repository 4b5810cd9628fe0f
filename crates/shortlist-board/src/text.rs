//! Which characters the board's human text may hold (spec: board §2.1):
//! names, titles and values are NFC-normalised Unicode without control,
//! line-separator or bidirectional-formatting characters and without
//! surrounding white space; long text (a candidate's statement) may also hold
//! line feeds. The server normalises what people type ([`normalise`]) and
//! refuses the rest; the verifier refuses a board that breaks a rule.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::error::BoardError;

/// The longest name, title, attribute or value, in UTF-8 bytes.
pub const MAX_NAME_BYTES: usize = 200;
/// The longest long text (a candidate's statement), in UTF-8 bytes.
pub const MAX_LONG_TEXT_BYTES: usize = 10_000;

/// What a piece of text is, which fixes its rules (spec: board §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// 1–200 bytes on one line: titles, names, attribute keys, member ids.
    Name,
    /// 0–200 bytes on one line: attribute and slate-rule values, e-mail.
    Value,
    /// 0–10,000 bytes, line feeds allowed: a candidate's statement.
    LongText,
}

impl TextKind {
    fn bounds(self) -> (usize, usize) {
        match self {
            Self::Name => (1, MAX_NAME_BYTES),
            Self::Value => (0, MAX_NAME_BYTES),
            Self::LongText => (0, MAX_LONG_TEXT_BYTES),
        }
    }
}

/// Whether `c` may never appear in board text: C0 and C1 controls (NUL,
/// tab, carriage return, DEL, …), the line and paragraph separators, and
/// the bidirectional marks, embeddings, overrides and isolates that can
/// make text display in another order than it is stored.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{061C}' | '\u{200E}' | '\u{200F}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Checks `s` against the rules of `kind`; the error says which rule failed
/// (spec: board §2.1).
pub fn check(s: &str, kind: TextKind) -> Result<(), String> {
    let (min, max) = kind.bounds();
    if s.len() < min || s.len() > max {
        return Err(if min == 0 {
            format!("must be at most {max} bytes (it has {})", s.len())
        } else {
            format!("must be {min}–{max} bytes (it has {})", s.len())
        });
    }
    if let Some(c) = s.chars().find(|&c| is_forbidden(c) && !(kind == TextKind::LongText && c == '\n')) {
        return Err(format!("holds the control or formatting character U+{:04X}", u32::from(c)));
    }
    if s.trim() != s {
        return Err("begins or ends with white space".into());
    }
    let nfc = match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => s.chars().eq(s.nfc()),
    };
    if !nfc {
        return Err("is not in Unicode normalisation form C (NFC)".into());
    }
    Ok(())
}

/// [`check`] for a field of an entry: a breach is reported under `step`,
/// naming the field as `what`.
pub(crate) fn check_field(
    step: &'static str,
    what: impl std::fmt::Display,
    s: &str,
    kind: TextKind,
) -> crate::error::Result<()> {
    check(s, kind).map_err(|why| BoardError::invalid(step, format!("{what} {why}")))
}

/// What a client sends, made ready for [`check`]: Unicode NFC, white space
/// trimmed, CR LF and lone CR turned into LF. It removes nothing else, so a
/// control character still fails [`check`].
pub fn normalise(s: &str) -> String {
    let unix = if s.contains('\r') { s.replace("\r\n", "\n").replace('\r', "\n") } else { s.to_string() };
    unix.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(check("Zoë Ångström", TextKind::Name).is_ok());
        assert!(check("", TextKind::Name).is_err());
        assert!(check("", TextKind::Value).is_ok());
        assert!(check("a\0b", TextKind::Name).is_err());
        assert!(check("a\nb", TextKind::Name).is_err());
        assert!(check("a\nb", TextKind::LongText).is_ok());
        assert!(check("a\r\nb", TextKind::LongText).is_err());
        assert!(check("a\tb", TextKind::LongText).is_err());
        assert!(check("x\u{202E}y", TextKind::Name).is_err());
        assert!(check("\u{85}", TextKind::Value).is_err());
        assert!(check(" a", TextKind::Name).is_err());
        assert!(check("Zoe\u{308}", TextKind::Name).is_err());
        assert_eq!(normalise(" Zoe\u{308}\r\n"), "Zoë");
        assert!(check(&normalise("a\r\nb"), TextKind::LongText).is_ok());
        assert!(check(&"é".repeat(100), TextKind::Name).is_ok());
        assert!(check(&"é".repeat(101), TextKind::Name).is_err());
    }
}
