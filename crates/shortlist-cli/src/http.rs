//! The client transport over HTTP: it lives in `shortlist-client` (feature
//! `http`); re-exported here for the command line's modules and tests.

pub use shortlist_client::http::Http;
