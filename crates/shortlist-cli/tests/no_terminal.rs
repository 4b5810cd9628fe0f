//! With no terminal and no passphrase given, a command that needs one says
//! how to give it (issue 10, defect 9), not "No such device or address".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

#[test]
fn no_terminal_says_how_to_give_the_passphrase() {
    // `setsid` runs the command in a new session, with no controlling terminal.
    if Command::new("setsid").arg("--version").output().is_err() {
        eprintln!("no setsid: skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("trustee.key");
    let out = Command::new("setsid")
        .arg("--wait")
        .arg(env!("CARGO_BIN_EXE_shortlist"))
        .args(["trustee", "--key", key.to_str().unwrap(), "keygen"])
        .env_remove("SHORTLIST_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--passphrase-file") && err.contains("SHORTLIST_PASSPHRASE"), "{err}");
    assert!(!key.exists(), "nothing is written");
}
