//! One string catalogue per language (`web/i18n/LANG.json`, a flat map from
//! key to text with `{name}` placeholders). The language comes from
//! `?lang=`, else the first supported language of `Accept-Language`, else
//! English; a key missing from a catalogue falls back to English.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::HeaderMap;
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// The languages shipped: code, the catalogue's text.
const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../../../../web/i18n/en.json")),
    ("fr", include_str!("../../../../web/i18n/fr.json")),
];

type Catalogue = BTreeMap<String, String>;

fn catalogues() -> &'static Vec<(&'static str, Catalogue)> {
    static ALL: OnceLock<Vec<(&'static str, Catalogue)>> = OnceLock::new();
    ALL.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(code, text)| {
                let map = serde_json::from_str(text).unwrap_or_else(|e| {
                    tracing::error!("catalogue {code} does not parse: {e}");
                    Catalogue::new()
                });
                (*code, map)
            })
            .collect()
    })
}

/// The language codes shipped, English first.
pub fn languages() -> impl Iterator<Item = &'static str> {
    CATALOGUES.iter().map(|(c, _)| *c)
}

/// A language chosen for one request.
#[derive(Clone, Copy, Debug)]
pub struct Lang {
    /// Its code, e.g. `en`.
    pub code: &'static str,
    /// Whether the request chose it with `?lang=` (links then keep it).
    pub explicit: bool,
    index: usize,
}

impl Lang {
    /// The language for a request: `?lang=`, else `Accept-Language`, else English.
    pub fn choose(query: Option<&str>, headers: &HeaderMap) -> Self {
        if let Some(i) = query.and_then(find) {
            return Self { code: code_at(i), explicit: true, index: i };
        }
        let accept =
            headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut best: Option<(f32, usize)> = None;
        for part in accept.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(i) = find(primary) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, i));
                }
            }
        }
        let i = best.map_or(0, |(_, i)| i);
        Self { code: code_at(i), explicit: false, index: i }
    }

    /// English.
    pub fn english() -> Self {
        Self { code: "en", explicit: false, index: 0 }
    }

    /// The text for `key`.
    pub fn t(&self, key: &str) -> &'static str {
        let all = catalogues();
        all.get(self.index)
            .and_then(|(_, m)| m.get(key))
            .or_else(|| all.first().and_then(|(_, m)| m.get(key)))
            .map_or("", String::as_str)
    }

    /// The text for `key` with `{name}` placeholders filled in (values as given: escape for HTML after).
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// The text for `key` in the plural form this language's CLDR rule
    /// gives `n` (`KEY_one` for "one", else `KEY`), with `{n}` and `args`
    /// filled in.
    pub fn count(&self, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let key = if self.is_one(n) { format!("{key}_one") } else { key.to_string() };
        let n = n.to_string();
        let mut all = vec![("n", n.as_str())];
        all.extend_from_slice(args);
        self.f(&key, &all)
    }

    /// Whether `n` takes the "one" form in this language (CLDR cardinal rules).
    fn is_one(&self, n: u64) -> bool {
        static RULES: OnceLock<Vec<Option<PluralRules>>> = OnceLock::new();
        let rules = RULES.get_or_init(|| {
            CATALOGUES
                .iter()
                .map(|(code, _)| {
                    let id: Option<LanguageIdentifier> = code.parse().ok();
                    id.and_then(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok())
                })
                .collect()
        });
        match rules.get(self.index).and_then(Option::as_ref) {
            Some(r) => r.select(n) == Ok(PluralCategory::ONE),
            None => n == 1,
        }
    }

    /// The whole catalogue as JSON (English filled in where missing), for a page's script.
    pub fn catalogue_json(&self) -> String {
        let all = catalogues();
        let mut merged = all.first().map(|(_, m)| m.clone()).unwrap_or_default();
        if let Some((_, m)) = all.get(self.index) {
            merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into())
    }

    /// `?lang=xx` when the request chose the language explicitly, else nothing.
    pub fn query(&self) -> String {
        if self.explicit {
            format!("?lang={}", self.code)
        } else {
            String::new()
        }
    }
}

fn find(code: &str) -> Option<usize> {
    let code = code.trim().to_ascii_lowercase();
    CATALOGUES.iter().position(|(c, _)| *c == code)
}

fn code_at(i: usize) -> &'static str {
    CATALOGUES.get(i).map_or("en", |(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_and_has_every_english_key() {
        let all = catalogues();
        let (_, en) = &all[0];
        assert!(en.len() > 50);
        for (code, map) in all {
            assert!(!map.is_empty(), "{code}");
            for key in en.keys() {
                assert!(map.contains_key(key), "{code} lacks {key}");
            }
        }
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let en = Lang::english();
        let fr = Lang::choose(Some("fr"), &HeaderMap::new());
        assert_eq!(en.count("results.slate", 1, &[]), "The slate (1 seat)");
        assert_eq!(en.count("results.slate", 0, &[]), "The slate (0 seats)");
        assert_eq!(en.count("results.slate", 9, &[]), "The slate (9 seats)");
        // French takes the singular for 0 and 1.
        assert_eq!(fr.count("results.slate", 0, &[]), "La liste (0 place)");
        assert_eq!(fr.count("results.slate", 2, &[]), "La liste (2 places)");
        assert_eq!(en.count("results.tie", 1, &[("names", "A, B")]), "A, B: 1 vote each");
    }

    #[test]
    fn language_from_query_then_header() {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::ACCEPT_LANGUAGE, "de-DE, fr;q=0.8, en;q=0.5".parse().unwrap());
        assert_eq!(Lang::choose(None, &h).code, "fr");
        assert_eq!(Lang::choose(Some("en"), &h).code, "en");
        assert_eq!(Lang::choose(Some("xx"), &HeaderMap::new()).code, "en");
    }
}
