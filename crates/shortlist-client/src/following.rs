//! A trustee following the board during voting (issue 14 build 2; spec:
//! board §8.6, protocol §7.2): one record verifier fed the board as it
//! grows, read with `GET …/record?from=N`, so that at the close the trustee
//! verifies only the tail before it decrypts. What it verifies, and what the
//! trustee then decrypts, is exactly what the whole-record verifier gives:
//! the aggregate is decrypted only if every step through V6.1 holds over the
//! whole board.

use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::EntryKind;
use shortlist_board::payload::TrusteeMessage;
use shortlist_board::record::{self, Frame, RecordReader};
use shortlist_board::verify::{Facts, Progress, Report, Verifier};

use crate::api::{Api, Transport};
use crate::{ClientError, Result};

/// A verified board: the report, what it establishes, and this trustee's
/// decryption share if it is on the board.
pub(crate) type Verified = (Report, Facts, Option<Vec<u8>>);

/// Entries read per request while catching up.
const PART: u64 = 5_000;

/// A running verification of one poll's board, held by a trustee's client.
pub struct Following {
    me: u16,
    verifier: Verifier,
    // The record as read (the magic, then every frame): superseded ballots
    // are re-read from it at the end.
    record: Vec<u8>,
    own_posted: Option<Vec<u8>>,
}

impl std::fmt::Debug for Following {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Following(trustee {}, {} bytes read)", self.me, self.record.len())
    }
}

impl Following {
    /// Starts following for trustee `me`, with the checkpoints it has seen
    /// signed (a board that disagrees with one proves equivocation, V1.1).
    pub fn new(me: u16, seen: Vec<Checkpoint>) -> Self {
        let mut verifier = Verifier::new();
        verifier.expect_checkpoints(seen);
        Self { me, verifier, record: record::MAGIC.to_vec(), own_posted: None }
    }

    /// Reads the entries added since the last read, up to the latest
    /// checkpoint, verifies them (their proofs in batches), and returns where
    /// the verification stands. An unreadable board is an error.
    pub async fn catch_up<T: Transport>(&mut self, api: &Api<T>) -> Result<Progress> {
        // In parts of about PART entries, each ending at a checkpoint, so a
        // trustee far behind neither holds one huge reply nor waits on it;
        // a part that ends before its `to` ended at the latest checkpoint.
        loop {
            let from = self.verifier.next_index();
            let to = from.saturating_add(PART);
            self.read_part(api, from, to).await?;
            if self.verifier.next_index() < to {
                return Ok(self.verifier.progress());
            }
        }
    }

    /// Reads and verifies entries `from..` up to the first checkpoint at or
    /// after `to` (spec: api §7.5).
    async fn read_part<T: Transport>(&mut self, api: &Api<T>, from: u64, to: u64) -> Result<()> {
        let bytes = match api.record_part(from, to).await {
            Ok(b) => b,
            // No checkpoint yet: nothing to read.
            Err(ClientError::Server { status: 404, code, .. }) if from == 0 && code == "not_found" => {
                return Ok(())
            }
            Err(e) => return Err(e),
        };
        let body = bytes.get(record::MAGIC.len()..).unwrap_or_default();
        let base = u64::try_from(self.record.len()).unwrap_or(u64::MAX);
        let mut reader = RecordReader::new(bytes.as_slice())?;
        loop {
            let offset = base + reader.offset() - 16;
            match reader.next() {
                None => break,
                Some(Ok(frame)) => {
                    if let Frame::Entry(e) = &frame {
                        if e.kind == EntryKind::DecryptionShare
                            && TrusteeMessage::from_bytes(&e.payload).is_ok_and(|m| m.trustee == self.me)
                        {
                            self.own_posted = Some(e.payload.clone());
                        }
                    }
                    self.verifier.feed(&frame, offset);
                }
                Some(Err(err)) => return Err(ClientError::protocol(format!("unreadable board: {err}"))),
            }
        }
        self.record.extend_from_slice(body);
        self.verifier.settle();
        Ok(())
    }

    /// Whether the aggregate entry has been read: the tally has begun.
    pub fn aggregate_read(&self) -> bool {
        self.verifier.aggregate_read()
    }

    /// Ends the verification over everything read.
    pub(crate) fn finish(self) -> Verified {
        let record = self.record;
        let mut reread = |offset: u64| -> shortlist_board::Result<Frame> {
            let rest = usize::try_from(offset).ok().and_then(|o| record.get(o..)).unwrap_or_default();
            record::read_frame(&mut std::io::Cursor::new(rest))
        };
        let (report, facts) = self.verifier.finish_with_facts(&mut reread);
        (report, facts, self.own_posted)
    }
}
