//! The message a member gets (spec: api §4.2): a subject, a plain-text and
//! an HTML body with the placeholders `{name}`, `{title}`, `{poll}`,
//! `{voting_close}` and `{link}` (the booth link holding the token). The
//! organiser may set a poll's own; otherwise [`DEFAULT_SUBJECT`],
//! [`DEFAULT_TEXT`] and [`DEFAULT_HTML`]. In the HTML body every value is
//! escaped.

/// The default subject.
pub const DEFAULT_SUBJECT: &str = "Your link to vote: {title}";

/// The default plain-text body.
pub const DEFAULT_TEXT: &str = "Dear {name},

You can vote in \"{title}\" until {voting_close}.

Open your personal voting link:

{link}

The link holds your voting token: do not forward it. Anyone with it can vote in your place.
Your ballot is encrypted on your device before it is sent.

If you did not expect this message, tell the organisers.
";

/// The default HTML body.
pub const DEFAULT_HTML: &str = "<!DOCTYPE html>
<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>
<body>
<p>Dear {name},</p>
<p>You can vote in <strong>{title}</strong> until {voting_close}.</p>
<p><a href=\"{link}\">Open your personal voting link</a></p>
<p>The link holds your voting token: do not forward it. Anyone with it can vote in your place.
Your ballot is encrypted on your device before it is sent.</p>
<p>If you did not expect this message, tell the organisers.</p>
</body></html>
";

/// The longest template part, bytes.
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// A poll's template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

impl Default for Template {
    fn default() -> Self {
        Self { subject: DEFAULT_SUBJECT.into(), text: DEFAULT_TEXT.into(), html: DEFAULT_HTML.into() }
    }
}

impl Template {
    /// The default template in the language `code` (`[mail] lang`), from
    /// the catalogue's `mail.default.*` (web/i18n); English for a language
    /// not shipped. spec: api §4.2.
    pub fn default_in(code: &str) -> Self {
        let lang = crate::web::i18n::Lang::choose(Some(code), &axum::http::HeaderMap::new());
        Self {
            subject: lang.t("mail.default.subject").into(),
            text: lang.t("mail.default.text").into(),
            html: lang.t("mail.default.html").into(),
        }
    }
}

/// The values filled in.
pub struct Values<'a> {
    /// The member's name.
    pub name: &'a str,
    /// The poll's title.
    pub title: &'a str,
    /// The poll id.
    pub poll: &'a str,
    /// The close of voting, in the poll's zone.
    pub voting_close: &'a str,
    /// The booth link.
    pub link: &'a str,
}

impl Template {
    /// Checks a template: both bodies hold `{link}`, the subject none of
    /// it and no line break, every part within [`MAX_TEMPLATE_BYTES`].
    pub fn check(&self) -> Result<(), String> {
        if [&self.subject, &self.text, &self.html].iter().any(|p| p.len() > MAX_TEMPLATE_BYTES) {
            return Err(format!("each part must be at most {MAX_TEMPLATE_BYTES} bytes"));
        }
        if self.subject.trim().is_empty() || self.subject.contains(['\r', '\n']) {
            return Err("the subject must be one line, not empty".into());
        }
        if self.subject.contains("{link}") {
            return Err("the subject must not hold {link}: the token would show in mailbox lists".into());
        }
        if !self.text.contains("{link}") || !self.html.contains("{link}") {
            return Err("both the text and the HTML body must hold {link}".into());
        }
        Ok(())
    }

    /// Fills in the subject, text and HTML.
    pub fn render(&self, v: &Values<'_>) -> (String, zeroize::Zeroizing<String>, zeroize::Zeroizing<String>) {
        // One pass: a value holding a placeholder's name is not filled in again.
        let fill = |s: &str, esc: fn(&str) -> String| {
            let mut out = String::with_capacity(s.len() + 256);
            let mut rest = s;
            while let Some(at) = rest.find('{') {
                let (head, tail) = rest.split_at(at);
                out.push_str(head);
                let keys = [
                    ("{name}", v.name),
                    ("{title}", v.title),
                    ("{poll}", v.poll),
                    ("{voting_close}", v.voting_close),
                    ("{link}", v.link),
                ];
                match keys.iter().find(|(k, _)| tail.starts_with(k)) {
                    Some((k, val)) => {
                        out.push_str(&esc(val));
                        rest = tail.get(k.len()..).unwrap_or("");
                    }
                    None => {
                        out.push('{');
                        rest = tail.get(1..).unwrap_or("");
                    }
                }
            }
            out.push_str(rest);
            out
        };
        let plain = |s: &str| s.to_string();
        let subject = fill(&self.subject, plain).replace(['\r', '\n'], " ");
        (
            subject,
            zeroize::Zeroizing::new(fill(&self.text, plain)),
            zeroize::Zeroizing::new(fill(&self.html, html_escape)),
        )
    }
}

/// Escapes text for HTML content and attribute values.
pub fn html_escape(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_checks_and_escapes() {
        let t = Template::default();
        t.check().unwrap();
        let v = Values {
            name: "A <b>& {link}",
            title: "T",
            poll: "p",
            voting_close: "x",
            link: "https://h/p/p/booth#t=ab&m=cd",
        };
        let (s, text, html) = t.render(&v);
        assert_eq!(s, "Your link to vote: T");
        assert!(text.contains("https://h/p/p/booth#t=ab&m=cd"));
        assert!(html.contains("href=\"https://h/p/p/booth#t=ab&amp;m=cd\""));
        assert!(html.contains("A &lt;b&gt;&amp; {link}"));
        let bad = Template { subject: "{link}".into(), ..Template::default() };
        assert!(bad.check().is_err());
    }

    #[test]
    fn the_default_is_the_catalogue_s_in_the_poll_s_language() {
        assert_eq!(Template::default_in("en"), Template::default());
        assert_eq!(Template::default_in("xx"), Template::default());
        let fr = Template::default_in("fr");
        fr.check().unwrap();
        let v = Values { name: "Zoé", title: "Bureau", poll: "p", voting_close: "x", link: "https://h/l" };
        let (s, text, html) = fr.render(&v);
        assert_eq!(s, "Votre lien pour voter : Bureau");
        assert!(text.starts_with("Bonjour Zoé,"), "{}", *text);
        assert!(html.contains("<html lang=\"fr\">") && html.contains("href=\"https://h/l\""));
    }

    proptest::proptest! {
        /// Whatever the member's name, the HTML holds no markup from it,
        /// the link exactly where the template puts it, and the subject one line.
        #[test]
        fn any_name_is_inert(name in "\\PC{0,40}", title in proptest::prelude::any::<String>()) {
            let link = "https://h/p/p/booth#t=0123456789abcdef0123456789abcdef&m=00";
            let v = Values { name: &name, title: &title, poll: "p", voting_close: "x", link };
            let (subject, text, html) = Template::default().render(&v);
            proptest::prop_assert!(!subject.contains(['\r', '\n']));
            proptest::prop_assert_eq!(text.matches(link).count(), 1);
            let escaped = html_escape(&name);
            let greeting = format!("Dear {escaped},");
            proptest::prop_assert!(html.contains(&greeting));
            proptest::prop_assert!(!escaped.contains(['<', '>', '"']));
        }
    }
}
