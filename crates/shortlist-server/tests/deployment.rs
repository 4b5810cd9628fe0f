//! One deployment, one server key (issue 10, defects 2 and 8): a second
//! instance on the same database with another key refuses to start, and an
//! instance holding the wrong key never signs a checkpoint for a poll whose
//! manifest names another key; the files the server writes (database, its
//! WAL, keys, data directory) are readable by their owner only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::Path;

use common::*;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;
use shortlist_server::config::{Config, ServeArgs};

const POLL: &str = "deployment";

fn config(data_dir: &Path, database_url: &str) -> Config {
    let args = ServeArgs {
        data_dir: Some(data_dir.to_path_buf()),
        database_url: Some(database_url.to_string()),
        ..ServeArgs::default()
    };
    let mut c = Config::resolve(&args).unwrap();
    c.organiser_key = None;
    c
}

async fn second_instance(db: Db) {
    let clock = ManualClock::new(T0);
    let first_dir = tempfile::tempdir().unwrap();
    // The first instance of the deployment: its keys in its data directory.
    let first = shortlist_server::serve::open(&config(first_dir.path(), &db.url())).await.unwrap();
    let ours =
        shortlist_server::keys::load_or_make_server_key(&first_dir.path().join("server.key")).unwrap().0;
    first.finish().await;
    let a = Server::start(&db, clock.clone(), &ours).await;
    let people = People::new(5);
    a.api(POLL).create_poll(&manifest(POLL, &people)).await.unwrap();
    a.api(POLL).enter_candidate(1, "Ada", "I will serve.", &[("gender", "woman")]).await.unwrap();
    let expected = hex::encode(ours.public_key().to_bytes());

    // A second instance started from another directory: no keys there. It
    // makes none and refuses to start, naming the key the poll expects.
    let other = tempfile::tempdir().unwrap();
    let err = shortlist_server::serve::open(&config(other.path(), &db.url())).await.err().expect("refused");
    let text = format!("{err:#}");
    assert!(text.contains(&expected), "names the expected key: {text}");
    assert!(text.contains("--server-key-file"), "says how to share the key: {text}");
    assert!(!other.path().join("server.key").exists(), "no key is made for an existing deployment");
    assert!(!other.path().join("organiser.key").exists(), "no organiser key either");

    // With another key in its key file, it refuses to start too.
    let stray = CredentialSecret::generate(&mut rand::rngs::OsRng);
    std::fs::write(other.path().join("server.key"), hex::encode(stray.expose_secret_bytes().as_slice()))
        .unwrap();
    let err = shortlist_server::serve::open(&config(other.path(), &db.url())).await.err().expect("refused");
    assert!(format!("{err:#}").contains(&expected), "{err:#}");

    // With a copy of the deployment's key (the documented way), it starts.
    let mut shared = config(other.path(), &db.url());
    shared.server_key_file = first_dir.path().join("server.key");
    shared.organiser_key_file = first_dir.path().join("organiser.key");
    shortlist_server::serve::open(&shared).await.unwrap().finish().await;

    // Even past the start-up check, an instance with another key appends
    // nothing to the poll: no checkpoint the manifest does not name.
    let b = Server::start(&db, clock.clone(), &stray).await;
    let size = a.api(POLL).get("/status").await.unwrap()["entries"].as_u64().unwrap();
    let refused = b.api(POLL).enter_candidate(1, "Bea", "I will serve.", &[("gender", "woman")]).await;
    let refused = format!("{}", refused.expect_err("refused"));
    assert!(refused.contains("wrong_server_key") && refused.contains(&expected), "{refused}");
    assert_eq!(a.api(POLL).get("/status").await.unwrap()["entries"].as_u64().unwrap(), size);
    // The board still verifies as far as it goes (every checkpoint signed by
    // the key the manifest names).
    let report = verify_record(&a.api(POLL), Vec::new()).await;
    assert!(report.steps.iter().find(|s| s.id == "V1.2").unwrap().passed(), "{report}");
    a.app.finish().await;
    b.app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_instance_with_its_own_keys_is_refused_on_postgres() {
    if let Some(db) = Db::postgres().await {
        second_instance(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_instance_with_its_own_keys_is_refused_on_sqlite() {
    second_instance(Db::sqlite()).await;
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_keys_are_readable_by_their_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut c = config(&data, &shortlist_server::config::sqlite_url(&data));
    c.organiser_key = Some(ORGANISER_KEY.into());
    let app = shortlist_server::serve::open(&c).await.unwrap();
    let api =
        shortlist_client::Api::new(InProcess(app.router.clone()), POLL).with_organiser_key(ORGANISER_KEY);
    api.create_poll(&manifest(POLL, &People::new(3))).await.unwrap();
    api.import_roll("member_id,name,email\nm1,Ada Lovelace,ada@example.org\n").await.unwrap();
    assert_eq!(mode(&data), 0o700, "the data directory");
    for f in ["shortlist.db", "shortlist.db-wal", "shortlist.db-shm", "server.key"] {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    app.finish().await;
    // A database file an earlier version left readable by all is narrowed.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(data.join("shortlist.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let app = shortlist_server::serve::open(&c).await.unwrap();
    assert_eq!(mode(&data.join("shortlist.db")), 0o600);
    app.finish().await;
}
