//! Transcript contexts written out as a list of operations, so that an
//! independent implementation can rebuild them with merlin alone.
//!
//! The generator builds each context with the crate's public
//! `protocol_transcript()` and `TranscriptExt` appends and records every call;
//! the checker rebuilds it from the JSON with raw merlin calls, following
//! [`OPS_DOC`]. A proof that verifies under the rebuilt transcript shows that
//! the recorded operations are exactly what the crate absorbs.

use merlin::Transcript;
use serde_json::{json, Value};
use shortlist_crypto::labels;
use shortlist_crypto::transcript::{protocol_transcript, TranscriptExt};
use shortlist_crypto::Point;

use super::{field, int, text, unhex};

/// How to read a context's operation list; copied into every vector file.
pub const OPS_DOC: &str = "A context is a list of merlin operations, applied in order. Labels and \
domain-separator names are ASCII; byte values are lowercase hex; integers are JSON numbers. \
{op:new, label:L} = Transcript::new(L). {op:append_int, label:L, value:n} = append_u64(L, n) \
(8 bytes little-endian). {op:domain_sep, label:\"dom-sep\", value:NAME} = append_message(\"dom-sep\", NAME). \
{op:append_point|append_hash|append_scalar, label:L, value:HEX} = append_message(L, 32 bytes). \
A proof then appends its own domain separator, statement and commitments and squeezes \
challenge_bytes(\"challenge\", 64 bytes) reduced mod l (spec: §4, §5).";

/// A transcript together with the record of how it was built.
#[derive(Clone)]
pub struct Recorded {
    /// The transcript, built through the crate's public API.
    pub transcript: Transcript,
    ops: Vec<Value>,
}

fn ascii(label: &[u8]) -> String {
    String::from_utf8(label.to_vec()).expect("labels are ASCII")
}

impl Recorded {
    /// `protocol_transcript()`: `Transcript::new("shortlist")` and the version.
    pub fn protocol() -> Self {
        Self {
            transcript: protocol_transcript(),
            ops: vec![
                json!({"op": "new", "label": ascii(labels::PROTOCOL)}),
                json!({"op": "append_int", "label": ascii(labels::VERSION), "value": labels::PROTOCOL_VERSION}),
            ],
        }
    }

    /// `domain_sep(name)`.
    pub fn dom(mut self, name: &'static [u8]) -> Self {
        self.transcript.domain_sep(name);
        self.ops.push(json!({"op": "domain_sep", "label": ascii(labels::DOM_SEP), "value": ascii(name)}));
        self
    }

    /// `append_hash(label, h)`.
    pub fn hash(mut self, label: &'static [u8], h: &[u8; 32]) -> Self {
        self.transcript.append_hash(label, h);
        self.ops.push(json!({"op": "append_hash", "label": ascii(label), "value": hex::encode(h)}));
        self
    }

    /// `append_point(label, p)`.
    pub fn point(mut self, label: &'static [u8], p: &Point) -> Self {
        self.transcript.append_point(label, p);
        self.ops
            .push(json!({"op": "append_point", "label": ascii(label), "value": hex::encode(p.to_bytes())}));
        self
    }

    /// `append_int(label, v)`.
    pub fn int(mut self, label: &'static [u8], v: u64) -> Self {
        self.transcript.append_int(label, v);
        self.ops.push(json!({"op": "append_int", "label": ascii(label), "value": v}));
        self
    }

    /// The operation list as JSON.
    pub fn ops(&self) -> Value {
        Value::Array(self.ops.clone())
    }
}

/// Every label the protocol uses (merlin wants `&'static` labels).
const KNOWN_LABELS: &[&[u8]] = &[
    labels::PROTOCOL,
    labels::VERSION,
    labels::DOM_SEP,
    labels::MANIFEST,
    labels::DEFINITION,
    labels::JOINT_KEY,
    labels::CONTEST,
    labels::CREDENTIAL,
    labels::TRUSTEE,
    labels::TRUSTEES_N,
    labels::THRESHOLD_T,
    labels::COUNT,
    labels::INDEX,
    labels::DS_BALLOT,
    labels::DS_CEREMONY,
    labels::DS_DECRYPTION,
    labels::DS_SCHNORR,
    labels::DS_DLEQ,
    labels::DS_BIT,
    labels::DS_RANGE,
    labels::DS_COMPLAINT,
    labels::SENDER,
    labels::RECIPIENT,
    labels::STMT_KEY,
    labels::STMT_CT_A,
    labels::STMT_CT_B,
    labels::STMT_COEFF,
    labels::STMT_ENC_KEY,
];

fn static_label(s: &str) -> &'static [u8] {
    KNOWN_LABELS
        .iter()
        .copied()
        .find(|l| *l == s.as_bytes())
        .unwrap_or_else(|| panic!("unknown transcript label {s:?}"))
}

/// Rebuilds a context from its operation list with raw merlin calls.
pub fn rebuild(ops: &Value) -> Transcript {
    let ops = ops.as_array().expect("a context is a list of operations");
    let (first, rest) = ops.split_first().expect("a context starts with `new`");
    assert_eq!(text(first, "op"), "new", "a context starts with `new`");
    let mut t = Transcript::new(static_label(text(first, "label")));
    for op in rest {
        let label = static_label(text(op, "label"));
        match text(op, "op") {
            "domain_sep" => {
                assert_eq!(label, b"dom-sep", "domain_sep uses the label \"dom-sep\"");
                t.append_message(label, static_label(text(op, "value")));
            }
            "append_int" => t.append_u64(label, int(op, "value")),
            "append_point" | "append_hash" | "append_scalar" => {
                let value = unhex(field(op, "value"));
                assert_eq!(value.len(), 32, "points, hashes and scalars are 32 bytes");
                t.append_message(label, &value);
            }
            other => panic!("unknown transcript operation {other:?}"),
        }
    }
    t
}

/// Rebuilds a context and forks it for item `index` (`append_int("index", i)`).
pub fn rebuild_fork(ops: &Value, index: u64) -> Transcript {
    let mut t = rebuild(ops);
    t.append_u64(b"index", index);
    t
}
