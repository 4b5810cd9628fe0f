//! The client transport over HTTP (reqwest), for talking to a server by URL
//! (feature `http`: native programs only; the browser's booth calls the
//! server from its own script).

use crate::{ClientError, Method, Reply, Transport};

/// A server at a base URL such as `http://127.0.0.1:8080`.
#[derive(Clone)]
pub struct Http {
    base: String,
    client: reqwest::Client,
}

impl Http {
    /// A transport to `base`.
    pub fn new(base: &str) -> crate::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(120))
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| ClientError::Transport(format!("{base}: {e}")))?;
        Ok(Self { base: base.trim_end_matches('/').to_string(), client })
    }
}

impl Transport for Http {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> crate::Result<Reply> {
        let url = format!("{}{path}", self.base);
        let mut req = match method {
            Method::Get => self.client.get(&url),
            Method::Post => self.client.post(&url).header("content-type", content_type).body(body),
        };
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let res = req.send().await.map_err(|e| ClientError::Transport(format!("{url}: {e}")))?;
        let status = res.status().as_u16();
        let body = res.bytes().await.map_err(|e| ClientError::Transport(format!("{url}: {e}")))?.to_vec();
        Ok(Reply { status, body })
    }
}
