//! Configuration of `shortlist serve` (spec: api §8): flags, then
//! environment variables, then an optional TOML file, then defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::limits::Limits;

/// Flags of `shortlist serve` (each also read from its environment variable).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SHORTLIST_BIND")]
    pub bind: Option<String>,
    /// Directory for the SQLite database and the server's keys [default: ./shortlist-data].
    #[arg(long, env = "SHORTLIST_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… [default: SQLite in the data directory].
    #[arg(long, env = "SHORTLIST_DATABASE_URL")]
    pub database_url: Option<String>,
    /// File holding the organiser key [default: DATA_DIR/organiser.key, made on first start].
    #[arg(long, env = "SHORTLIST_ORGANISER_KEY_FILE")]
    pub organiser_key_file: Option<PathBuf>,
    /// File holding the server's checkpoint-signing key [default:
    /// DATA_DIR/server.key, made on first start of a deployment]. Every
    /// instance on one database must use the same key (a copy of this file).
    #[arg(long, env = "SHORTLIST_SERVER_KEY_FILE")]
    pub server_key_file: Option<PathBuf>,
    /// A TOML file with any of: bind, data_dir, database_url, organiser_key_file, server_key_file, [limits], [mail].
    #[arg(long, env = "SHORTLIST_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on.
    pub bind: Option<String>,
    /// Data directory.
    pub data_dir: Option<PathBuf>,
    /// Database URL.
    pub database_url: Option<String>,
    /// Organiser key file.
    pub organiser_key_file: Option<PathBuf>,
    /// Server key file.
    pub server_key_file: Option<PathBuf>,
    /// Limits.
    #[serde(default)]
    pub limits: Limits,
    /// Email delivery of tokens (spec: api §4.2).
    pub mail: Option<crate::mail::MailConfig>,
}

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Database URL.
    pub database_url: String,
    /// Organiser key file.
    pub organiser_key_file: PathBuf,
    /// Server (checkpoint-signing) key file.
    pub server_key_file: PathBuf,
    /// The organiser key itself, if given by `SHORTLIST_ORGANISER_KEY`.
    pub organiser_key: Option<String>,
    /// Limits.
    pub limits: Limits,
    /// Email delivery of tokens, if configured.
    pub mail: Option<crate::mail::MailConfig>,
}

impl Config {
    /// Resolves flags, environment, file and defaults.
    pub fn resolve(args: &ServeArgs) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("reading config {}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let data_dir =
            args.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("shortlist-data"));
        let database_url =
            args.database_url.clone().or(file.database_url).unwrap_or_else(|| sqlite_url(&data_dir));
        let organiser_key_file = args
            .organiser_key_file
            .clone()
            .or(file.organiser_key_file)
            .unwrap_or_else(|| data_dir.join("organiser.key"));
        let server_key_file = args
            .server_key_file
            .clone()
            .or(file.server_key_file)
            .unwrap_or_else(|| data_dir.join("server.key"));
        Ok(Self {
            bind: args.bind.clone().or(file.bind).unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir,
            database_url,
            organiser_key_file,
            server_key_file,
            organiser_key: std::env::var("SHORTLIST_ORGANISER_KEY").ok().filter(|k| !k.trim().is_empty()),
            limits: file.limits,
            mail: file.mail,
        })
    }
}

/// The SQLite URL of the default database in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("shortlist.db").display())
}
