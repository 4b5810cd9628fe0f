//! Typed calls to every route (spec: api §7) over a [`Transport`].

use serde_json::{json, Value};

use crate::{ClientError, Result};

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

/// A reply: status and body.
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// How requests travel.
pub trait Transport: Send + Sync {
    /// Sends one request; `body` is JSON unless `content_type` says otherwise.
    fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<Reply>> + Send;
}

/// The API of one poll on one server.
pub struct Api<T> {
    transport: T,
    poll: String,
    organiser_key: Option<String>,
}

impl<T: Transport> Api<T> {
    /// Calls on `poll` through `transport`.
    pub fn new(transport: T, poll: impl Into<String>) -> Self {
        Self { transport, poll: poll.into(), organiser_key: None }
    }

    /// Adds the organiser key to organiser calls.
    pub fn with_organiser_key(mut self, key: impl Into<String>) -> Self {
        self.organiser_key = Some(key.into());
        self
    }

    /// The poll id.
    pub fn poll(&self) -> &str {
        &self.poll
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    fn path(&self, tail: &str) -> String {
        format!("/v1/polls/{}{tail}", self.poll)
    }

    async fn raw(&self, method: Method, path: &str, org: bool, ct: &str, body: Vec<u8>) -> Result<Vec<u8>> {
        let bearer = if org { self.organiser_key.as_deref() } else { None };
        let reply = self.transport.send(method, path, bearer, ct, body).await?;
        if (200..300).contains(&reply.status) {
            return Ok(reply.body);
        }
        let v: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        Err(ClientError::Server {
            status: reply.status,
            code: v.get("code").and_then(Value::as_str).unwrap_or("unknown").to_string(),
            message: v.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
        })
    }

    async fn json(&self, method: Method, path: &str, org: bool, body: Option<Value>) -> Result<Value> {
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let bytes = self.raw(method, path, org, "application/json", body).await?;
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| ClientError::protocol(format!("bad JSON from {path}: {e}")))
    }

    /// `GET` a public path of this poll.
    pub async fn get(&self, tail: &str) -> Result<Value> {
        self.json(Method::Get, &self.path(tail), false, None).await
    }

    /// `GET` an organiser path of this poll (with the organiser key).
    pub async fn get_org(&self, tail: &str) -> Result<Value> {
        self.json(Method::Get, &self.path(tail), true, None).await
    }

    /// `POST` JSON to a path of this poll (`org`: with the organiser key).
    pub async fn post(&self, tail: &str, org: bool, body: Value) -> Result<Value> {
        self.json(Method::Post, &self.path(tail), org, Some(body)).await
    }

    /// Creates the poll from a manifest (JSON form, spec: api §7.1).
    pub async fn create_poll(&self, manifest: &Value) -> Result<Value> {
        self.json(Method::Post, "/v1/polls", true, Some(manifest.clone())).await
    }

    /// Imports a roll CSV.
    pub async fn import_roll(&self, csv: &str) -> Result<Value> {
        let bytes =
            self.raw(Method::Post, &self.path("/roll"), true, "text/csv", csv.as_bytes().to_vec()).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::protocol(e.to_string()))
    }

    /// Issues tokens; returns the CSV `member_id,name,email,token`.
    pub async fn issue_tokens(&self) -> Result<String> {
        let bytes =
            self.raw(Method::Post, &self.path("/tokens"), true, "application/json", Vec::new()).await?;
        String::from_utf8(bytes).map_err(|e| ClientError::protocol(e.to_string()))
    }

    /// Enters a candidate.
    pub async fn enter_candidate(
        &self,
        contest_id: u32,
        name: &str,
        statement: &str,
        attributes: &[(&str, &str)],
    ) -> Result<Value> {
        let attrs: serde_json::Map<String, Value> =
            attributes.iter().map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string()))).collect();
        self.post(
            "/candidates",
            true,
            json!({"contest_id": contest_id, "name": name, "statement": statement, "attributes": attrs}),
        )
        .await
    }

    /// An organiser action without a body (`/nominations/open`, `/voting/close`, `/tally`, …).
    pub async fn action(&self, tail: &str) -> Result<Value> {
        self.json(Method::Post, &self.path(tail), true, Some(json!({}))).await
    }

    /// Registers a credential with an eligibility token.
    pub async fn register(&self, token: &str, credential: &[u8; 32]) -> Result<Value> {
        self.post("/credentials", false, json!({"token": token, "credential": hex::encode(credential)})).await
    }

    /// Casts a ballot payload.
    pub async fn cast(&self, ballot: &[u8]) -> Result<Value> {
        self.post("/ballots", false, json!({"ballot": hex::encode(ballot)})).await
    }

    /// Posts an audited ballot payload.
    pub async fn audit(&self, spoiled: &[u8]) -> Result<Value> {
        self.post("/audits", false, json!({"spoiled": hex::encode(spoiled)})).await
    }

    /// Posts a signed trustee message of `kind`.
    pub async fn trustee_message(&self, kind: &str, message: &[u8]) -> Result<Value> {
        self.post("/trustee-messages", false, json!({"kind": kind, "message": hex::encode(message)})).await
    }

    /// Downloads the election record.
    pub async fn record(&self) -> Result<Vec<u8>> {
        self.raw(Method::Get, &self.path("/record"), false, "application/json", Vec::new()).await
    }

    /// Downloads a part of the election record: the magic, then the frames
    /// after the first `from` entries up to the first checkpoint at or after
    /// entry count `to`, or the latest if that comes first (spec: api §7.5).
    pub async fn record_part(&self, from: u64, to: u64) -> Result<Vec<u8>> {
        let path = self.path(&format!("/record?from={from}&to={to}"));
        self.raw(Method::Get, &path, false, "application/json", Vec::new()).await
    }
}

/// A hex string field of a JSON value.
pub fn hex_field(v: &Value, path: &[&str]) -> Result<Vec<u8>> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p).ok_or_else(|| ClientError::protocol(format!("missing field {}", path.join("."))))?;
    }
    let s =
        cur.as_str().ok_or_else(|| ClientError::protocol(format!("{} is not a string", path.join("."))))?;
    hex::decode(s).map_err(|e| ClientError::protocol(format!("{}: {e}", path.join("."))))
}
