//! The console's actions and the paths their forms post to: the lowest
//! layer of the console's pages, which every panel links to.

use super::console_path;
use crate::web::i18n::Lang;

/// Every action: its name and the panel its outcome belongs to.
pub const ACTIONS: &[(&str, &str)] = &[
    ("nominations-open", "phases"),
    ("nominations-close", "phases"),
    ("voting-open", "phases"),
    ("voting-close", "phases"),
    ("tally", "phases"),
    ("approve", "nominations"),
    ("reject", "nominations"),
    ("roll", "roll"),
    ("tokens", "tokens"),
    ("amend", "timetable"),
    ("mail-send", "tokens"),
    ("mail-resend-failed", "tokens"),
];

/// The path an action's form posts to.
pub fn do_path(lang: &Lang, poll: &str, action: &str) -> String {
    format!("{}/do/{action}{}", console_path(poll), lang.query())
}
