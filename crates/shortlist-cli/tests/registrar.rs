//! Registrar mode (issue 11; spec: board §4.12, V4.9) over real HTTP: a
//! whole poll through `shortlist demo --registrar` on SQLite and, when
//! `DATABASE_URL` is set, on a fresh PostgreSQL database. The demo fails
//! unless: a ballot from an unlisted key is refused (`unlisted`); a token
//! registration is refused (`registrar_mode`); a supplement repeating a
//! listed key is refused (`duplicate_key`); after a revocation the old
//! key's ballot is refused (`revoked`) and the replacement's counts instead
//! of the first; the record verifies (V4.9 included) and counts one ballot
//! per member; the turnout's credentials (12 listed, one of them revoked
//! and replaced, 2 late) are 14 in the server's result and the verifier's
//! report alike (board §8.5). (The forced unlisted ballot failing V4.9 is the
//! `unlisted-credential` tamper of tests/record.rs.)

use std::process::Command;

use rand::Rng;

fn demo(database_url: Option<&str>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shortlist"));
    cmd.args(["demo", "--registrar", "--members", "12", "--concurrency", "4"]);
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo --registrar failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "a ballot from a key not on the registrar's list: refused, unlisted",
        "a token registration in registrar mode: refused, registrar_mode",
        "a supplement repeating a listed key: refused, duplicate_key",
        "a ballot from the revoked key: refused, revoked",
        "every step passed",
        "14 ballots counted",
        // spec: board §8.5 — 12 listed, 1 revoked and replaced, 2 late.
        "members on the roll, 14 credentials registered, 15 ballots cast, 14 counted",
        "turnout: 14 credentials registered, 15 ballots cast, 14 counted",
        "✓ turnout: 14 credentials issued (listed, not revoked), in the result and the record",
        // 12 on the list's roll, 2 added by a supplement: the result and the
        // verifier both read it from the board.
        "turnout: 14 members on the roll, 14 credentials registered",
        "14 members on the roll (the registrar's list and supplements)",
        "✓ turnout: 14 members on the roll (the list's roll size and the late members), in the result and the record",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}

#[test]
fn registrar_poll_over_http_on_sqlite_and_postgres() {
    demo(None);
    let Ok(base) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL unset: skipping the PostgreSQL run");
        return;
    };
    let url = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let name = format!("shortlist_registrar_{:016x}", rand::thread_rng().gen::<u64>());
        let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
        let (head, _) = base.rsplit_once('/').expect("DATABASE_URL has a database path");
        format!("{head}/{name}")
    });
    demo(Some(&url));
}
