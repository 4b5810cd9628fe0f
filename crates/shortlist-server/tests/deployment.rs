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

/// `/v1/openapi.json` describes every route the server answers outside the
/// web pages, with every status it can return (issue 10, defect 9): each
/// path and method in the document answers (not `no_route`), `/healthz` and
/// `/metrics` are in it, organiser routes declare 401, and every route
/// declares the statuses the middleware can answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_names_every_route_and_status() {
    let db = Db::sqlite();
    let server =
        Server::start(&db, ManualClock::new(T0), &CredentialSecret::generate(&mut rand::rngs::OsRng)).await;
    let (status, text) = raw(&server, "get", "/v1/openapi.json").await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in ["/healthz", "/metrics", "/v1/openapi.json", "/v1/polls/{poll}/ballots"] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for status in ["408", "429", "500", "503"] {
                assert!(responses.contains_key(status), "{method} {path} declares {status}");
            }
            let organiser = op["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "organiser"));
            assert_eq!(
                responses.contains_key("401"),
                organiser,
                "{method} {path}: 401 iff an organiser route"
            );
            if path.contains("{poll}") {
                assert!(responses.contains_key("404"), "{method} {path} declares 404");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(responses.contains_key(status), "{method} {path} declares {status}");
                }
            }
            // The route exists: whatever it answers, it is not "no such route".
            let concrete = path
                .replace("{poll}", POLL)
                .replace("{tracking_code}", &"0".repeat(64))
                .replace("{id}", &"0".repeat(64));
            let reply = raw(&server, method, &concrete).await;
            assert!(
                !(reply.0 == 404 && reply.1.contains("no_route")) && reply.0 != 405,
                "{method} {path} is documented but not routed: {reply:?}"
            );
        }
    }
    server.app.finish().await;
}

/// One request through the router: (status, body).
async fn raw(server: &Server, method: &str, path: &str) -> (u16, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(path)
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let res = server.app.router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    if path.contains("/stream") {
        return (status, String::new()); // a live stream: its status is enough
    }
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// An unreachable PostgreSQL is a prompt error naming its host and port
/// (issue 10, defect 9), not 30 s of silence and a vague message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_postgres_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let url = format!("postgres://someone:secret@127.0.0.1:{port}/shortlist");
    let err = shortlist_server::serve::open(&config(dir.path(), &url)).await.err().expect("refused");
    let text = format!("{err:#}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("secret"), "no password in the message: {text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
}
