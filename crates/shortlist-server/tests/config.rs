//! Configuration of `shortlist serve` (spec: api §8): flags and environment
//! over the TOML file over defaults; unknown keys refused.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use shortlist_server::config::{Config, ServeArgs};

#[test]
fn defaults_need_no_configuration() {
    let c = Config::resolve(&ServeArgs::default()).unwrap();
    assert_eq!(c.bind, "127.0.0.1:8080");
    assert_eq!(c.data_dir, PathBuf::from("shortlist-data"));
    assert_eq!(c.database_url, "sqlite://shortlist-data/shortlist.db");
    assert_eq!(c.organiser_key_file, PathBuf::from("shortlist-data/organiser.key"));
}

#[test]
fn flags_override_the_file_and_the_file_overrides_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shortlist.toml");
    std::fs::write(
        &file,
        "bind = \"0.0.0.0:9000\"\ndata_dir = \"/srv/shortlist\"\n\n[limits]\nbody_bytes = 2048\nper_client_per_sec = 7\n",
    )
    .unwrap();
    let args =
        ServeArgs { config: Some(file.clone()), bind: Some("127.0.0.1:9999".into()), ..ServeArgs::default() };
    let c = Config::resolve(&args).unwrap();
    assert_eq!(c.bind, "127.0.0.1:9999", "the flag wins");
    assert_eq!(c.data_dir, PathBuf::from("/srv/shortlist"), "the file fills what flags leave");
    assert_eq!(c.database_url, "sqlite:///srv/shortlist/shortlist.db");
    assert_eq!(c.limits.body_bytes, 2048);
    assert_eq!(c.limits.per_client_per_sec, 7);
    assert_eq!(c.limits.concurrency, shortlist_server::limits::Limits::default().concurrency);

    std::fs::write(&file, "bnd = \"typo\"\n").unwrap();
    let err = Config::resolve(&ServeArgs { config: Some(file), ..ServeArgs::default() }).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
}
