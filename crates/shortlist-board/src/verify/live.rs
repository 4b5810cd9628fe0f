//! Live and incremental verification (spec: board §8.6): the record verifier
//! fed a board as it grows, frame by frame, settling at each checkpoint so
//! that its report covers every entry read. Its verdict and counts at the end
//! are those of the whole-record verifier over the same record, wherever the
//! board was cut into pieces (the tests feed records in random chunks).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{Report, Verifier};
use crate::error::{BoardError, Result};
use crate::record::{self, Frame, RecordReader};

/// Where a live verification stands after [`Verifier::settle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Entries read.
    pub entries: u64,
    /// Ballots checked (every ballot read, once settled).
    pub ballots: u64,
    /// The size of the latest checkpoint read, if any.
    pub checkpoint: Option<u64>,
    /// Whether the latest frame read was a checkpoint covering every entry.
    pub at_checkpoint: bool,
    /// The steps failed so far.
    pub failed: Vec<&'static str>,
    /// Whether the result entry was read: the poll is finished.
    pub finished: bool,
}

impl Verifier {
    /// Checks every ballot read so far (decoding, signatures, proofs in
    /// batches, and the ordered rules of V4.2–V4.7), so that the report
    /// covers every entry read; call it at a checkpoint. Settling changes
    /// where ballot batches end, never what the verifier concludes.
    pub fn settle(&mut self) {
        if let Some(poll) = &self.poll {
            self.voting.flush(poll, &mut self.ceremony, &mut self.report);
        }
    }

    /// Where the verification stands: read it after [`Self::settle`].
    pub fn progress(&self) -> Progress {
        Progress {
            entries: self.report.entries,
            ballots: self.report.ballots,
            checkpoint: self.latest.as_ref().map(|c| c.size),
            at_checkpoint: self.last_checkpoint.is_some_and(|s| s == self.chain.len()),
            failed: self.report.failed_steps(),
            finished: self.voting.has_result(),
        }
    }

    /// Whether the aggregate entry has been read.
    pub fn aggregate_read(&self) -> bool {
        self.voting.aggregate().is_some()
    }

    /// The index of the next entry the verifier expects: where a live
    /// reader asks the board to continue (spec: api §7.5, `record?from=`).
    pub fn next_index(&self) -> u64 {
        self.chain.len()
    }
}

/// Verifies a record file with `v`, a verifier that has read its first
/// `start` bytes (a state loaded with [`Verifier::load`]; a fresh verifier
/// with `start` 16, just past the magic). With `save`, writes the verifier's
/// state there once the record is read, before the end steps, so that a
/// later run resumes after these bytes (spec: board §8.6).
pub fn verify_path_from(
    path: &Path,
    mut v: Verifier,
    start: u64,
    save: Option<&Path>,
    mut progress: impl FnMut(u64),
) -> Result<Report> {
    let mut file = std::fs::File::open(path)?;
    let mut magic = [0u8; 16];
    file.read_exact(&mut magic).map_err(|_| BoardError::malformed("record", "too short for the magic"))?;
    if &magic != record::MAGIC {
        return Err(BoardError::malformed("record", "not a shortlist record (bad magic)"));
    }
    let len = file.metadata()?.len();
    if start < 16 || start > len {
        return Err(BoardError::malformed(
            "verifier state",
            format!("it read {start} bytes of a record that has {len}: not this record"),
        ));
    }
    file.seek(SeekFrom::Start(start))?;
    let mut reader = RecordReader::resume(std::io::BufReader::with_capacity(1 << 20, file), start);
    super::feed_all(&mut v, &mut reader, &mut progress);
    if let Some(save) = save {
        let bytes = v.save(reader.offset())?;
        let tmp = save.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, save)?;
    }
    let mut reread = |offset: u64| -> Result<Frame> {
        let mut f = std::fs::File::open(path)?;
        f.seek(SeekFrom::Start(offset))?;
        record::read_frame(&mut std::io::BufReader::new(f))
    };
    Ok(v.finish(&mut reread))
}
