//! HTML building: escaping and the layout every page shares (skip link,
//! header with the poll's pages, language switch, main landmark).

use std::fmt::Write as _;

use super::i18n::{self, Lang};

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment (poll ids may hold `/`, `?`, `#`, `%`).
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// JSON for a `<script type="application/json">` data block: `<` escaped so
/// that no text can close the block.
pub fn json_block(id: &str, json: &str) -> String {
    format!("<script type=\"application/json\" id=\"{}\">{}</script>", esc(id), json.replace('<', "\\u003c"))
}

/// Which of a poll's pages this is (the header marks it current).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Current {
    /// The poll page.
    Poll,
    /// The live board.
    Board,
    /// The results.
    Results,
    /// The verification page.
    Verify,
    /// A page not in the navigation (booth, candidate form).
    Other,
}

/// A page to render.
pub struct Page<'a> {
    /// The language.
    pub lang: Lang,
    /// The poll id, for the navigation.
    pub poll: Option<&'a str>,
    /// Which page this is.
    pub current: Current,
    /// The `<title>` (the site name is added).
    pub title: &'a str,
    /// The main content (HTML).
    pub body: String,
    /// The page's module script under `/assets/js/`, if any.
    pub script: Option<&'a str>,
    /// JSON data for the script.
    pub data: Option<String>,
}

/// The base path of a poll's pages.
pub fn poll_base(poll: &str) -> String {
    format!("/p/{}", seg(poll))
}

impl Page<'_> {
    /// The whole document.
    pub fn render(&self) -> String {
        let l = &self.lang;
        let mut h = String::with_capacity(self.body.len() + 4096);
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <title>{title} – {site}</title>\n<link rel=\"stylesheet\" href=\"/assets/app.css\">\n",
            code = l.code,
            title = esc(self.title),
            site = esc(l.t("site.name")),
        );
        if let Some(s) = self.script {
            let _ = writeln!(h, "<script type=\"module\" src=\"/assets/js/{}.js\"></script>", esc(s));
        }
        h.push_str("</head>\n<body>\n");
        let _ = writeln!(h, "<a class=\"skip-link\" href=\"#main\">{}</a>", esc(l.t("site.skip")));
        h.push_str("<header class=\"site-header\"><div class=\"width header-row\">");
        let home = self.poll.map_or_else(|| "/".to_string(), poll_base);
        let _ = write!(
            h,
            "<a class=\"brand\" href=\"{}{}\">{}</a>",
            esc(&home),
            l.query(),
            esc(l.t("site.name"))
        );
        h.push_str(&self.language_switch());
        h.push_str("</div>");
        if let Some(poll) = self.poll {
            h.push_str(&self.nav(poll));
        }
        h.push_str("</header>\n");
        let _ = writeln!(h, "<main id=\"main\" class=\"width\" tabindex=\"-1\">\n{}\n</main>", self.body);
        let _ = writeln!(
            h,
            "<footer class=\"site-footer\"><div class=\"width\"><p>{}</p></div></footer>",
            esc(l.t("site.footer"))
        );
        if self.script.is_some() {
            h.push_str(&json_block("strings", &l.catalogue_json()));
            h.push('\n');
        }
        if let Some(d) = &self.data {
            h.push_str(&json_block("page-data", d));
            h.push('\n');
        }
        h.push_str("</body>\n</html>\n");
        h
    }

    fn nav(&self, poll: &str) -> String {
        let l = &self.lang;
        let base = poll_base(poll);
        let q = l.query();
        let items = [
            (Current::Poll, String::new(), "nav.poll"),
            (Current::Board, "/board".to_string(), "nav.board"),
            (Current::Results, "/results".to_string(), "nav.results"),
            (Current::Verify, "/verify".to_string(), "nav.verify"),
        ];
        let mut h =
            format!("<nav class=\"poll-nav\" aria-label=\"{}\"><ul class=\"width\">", esc(l.t("nav.label")));
        for (which, tail, key) in items {
            let current = if which == self.current { " aria-current=\"page\"" } else { "" };
            let _ = write!(h, "<li><a href=\"{}{tail}{q}\"{current}>{}</a></li>", esc(&base), esc(l.t(key)));
        }
        h.push_str("</ul></nav>");
        h
    }

    fn language_switch(&self) -> String {
        let l = &self.lang;
        let mut h = format!("<nav class=\"lang\" aria-label=\"{}\"><ul>", esc(l.t("site.language")));
        for code in i18n::languages() {
            let name = Lang::choose(Some(code), &axum::http::HeaderMap::new()).t("site.language_name");
            if code == l.code {
                let _ =
                    write!(h, "<li><span aria-current=\"true\" lang=\"{code}\">{}</span></li>", esc(name));
            } else {
                let _ = write!(
                    h,
                    "<li><a href=\"?lang={code}\" lang=\"{code}\" hreflang=\"{code}\">{}</a></li>",
                    esc(name)
                );
            }
        }
        h.push_str("</ul></nav>");
        h
    }
}

/// The rows of a `<dl class="summary-list">`: each catalogue key's text
/// as the term and its value as the description.
pub fn summary_rows(lang: Lang, rows: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (key, v) in rows {
        let _ = writeln!(out, "<div><dt>{}</dt><dd>{}</dd></div>", esc(lang.t(key)), esc(v));
    }
    out
}
