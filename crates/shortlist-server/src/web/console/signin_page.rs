//! The sign-in form (spec: api §7.6), shown by `GET /console` and by any
//! console page asked for without a session: below both the session and
//! the sign-in handlers.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::render;
use crate::web::html::esc;
use crate::web::i18n::Lang;
use crate::web::pages::html;

/// The sign-in page, with an error (a catalogue key) if any.
pub fn page(lang: Lang, status: StatusCode, error: Option<&str>) -> Response {
    let q = lang.query();
    let mut b = String::new();
    let wrong = error == Some("console.signin.wrong");
    let title = if wrong {
        format!("{}: {}", lang.t("error.summary"), lang.t("console.signin.title"))
    } else {
        lang.t("console.signin.title").to_string()
    };
    let _ = writeln!(b, "<h1>{}</h1>", esc(lang.t("console.signin.title")));
    if let Some(key) = error.filter(|_| !wrong) {
        let _ = writeln!(b, "<p class=\"notice\" role=\"status\">{}</p>", esc(lang.t(key)));
    }
    if wrong {
        let _ = writeln!(
            b,
            "<div class=\"error-summary\" id=\"error-summary\" tabindex=\"-1\" role=\"alert\" aria-labelledby=\"error-summary-title\">\
             <h2 id=\"error-summary-title\">{}</h2><ul class=\"error-list\"><li><a href=\"#key\">{}</a></li></ul></div>",
            esc(lang.t("error.summary")),
            esc(lang.t("console.signin.wrong"))
        );
    }
    let _ = writeln!(b, "<p>{}</p>", esc(lang.t("console.signin.intro")));
    let field_class = if wrong { "field field-error" } else { "field" };
    let _ = writeln!(
        b,
        "<form method=\"post\" action=\"/console/sign-in{q}\" id=\"sign-in\" novalidate>\n\
         <div class=\"{field_class}\">\n<label for=\"key\">{label}</label>\n\
         <p class=\"hint\" id=\"key-hint\">{hint}</p>\n{err}\
         <input class=\"input\" type=\"password\" id=\"key\" name=\"key\" autocomplete=\"current-password\" \
         spellcheck=\"false\" aria-describedby=\"key-hint{errid}\">\n</div>\n\
         <div class=\"field\" id=\"key-file-field\" hidden>\n<label for=\"key-file\">{file}</label>\n\
         <input type=\"file\" id=\"key-file\" accept=\".key,text/plain\">\n</div>\n\
         <button type=\"submit\" class=\"button\">{button}</button>\n</form>",
        label = esc(lang.t("console.signin.key")),
        hint = esc(lang.t("console.signin.key_hint")),
        err = if wrong {
            format!(
                "<p class=\"error-message\" id=\"key-error\">{}</p>\n",
                esc(lang.t("console.signin.wrong"))
            )
        } else {
            String::new()
        },
        errid = if wrong { " key-error" } else { "" },
        file = esc(lang.t("console.signin.file")),
        button = esc(lang.t("console.signin.button")),
    );
    let _ = writeln!(b, "<p class=\"hint\">{}</p>", esc(lang.t("console.signin.cookie")));
    html(status, render(lang, &title, &b, None, true), false)
}
