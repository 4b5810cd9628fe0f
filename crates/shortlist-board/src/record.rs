//! The election record file (spec: board §7): the whole board as one file,
//! written and read frame by frame so that memory stays bounded.
//!
//! Layout: the 16-byte magic `SHORTLIST-REC\x00\x01\n`, then frames
//! `u8 tag ‖ u32 len ‖ body`, tag 1 = entry (§5), tag 2 = checkpoint (§6).

use std::io::{BufRead, Read, Write};

use crate::checkpoint::Checkpoint;
use crate::entry::{Entry, MAX_PAYLOAD};
use crate::error::{BoardError, Result};

/// The first 16 bytes of every record.
pub const MAGIC: &[u8; 16] = b"SHORTLIST-REC\x00\x01\n";
const TAG_ENTRY: u8 = 1;
const TAG_CHECKPOINT: u8 = 2;

/// One frame of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A board entry.
    Entry(Entry),
    /// A signed checkpoint.
    Checkpoint(Checkpoint),
}

/// Writes a record frame by frame.
pub struct RecordWriter<W: Write> {
    out: W,
}

impl<W: Write> RecordWriter<W> {
    /// Starts a record: writes the magic.
    pub fn new(mut out: W) -> Result<Self> {
        out.write_all(MAGIC)?;
        Ok(Self { out })
    }

    fn frame(&mut self, tag: u8, body: &[u8]) -> Result<()> {
        let len =
            u32::try_from(body.len()).map_err(|_| BoardError::malformed("record", "frame too large"))?;
        self.out.write_all(&[tag])?;
        self.out.write_all(&len.to_be_bytes())?;
        self.out.write_all(body)?;
        Ok(())
    }

    /// Writes an entry.
    pub fn entry(&mut self, e: &Entry) -> Result<()> {
        self.frame(TAG_ENTRY, &e.to_bytes())
    }

    /// Writes a checkpoint.
    pub fn checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
        self.frame(TAG_CHECKPOINT, &c.to_bytes())
    }

    /// Writes any frame.
    pub fn write(&mut self, f: &Frame) -> Result<()> {
        match f {
            Frame::Entry(e) => self.entry(e),
            Frame::Checkpoint(c) => self.checkpoint(c),
        }
    }

    /// The output, e.g. to drain a buffer between frames.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Reads a record frame by frame; an iterator of frames.
pub struct RecordReader<R: BufRead> {
    input: R,
    offset: u64,
    done: bool,
}

impl<R: BufRead> RecordReader<R> {
    /// Opens a record: checks the magic.
    pub fn new(mut input: R) -> Result<Self> {
        let mut magic = [0u8; 16];
        input
            .read_exact(&mut magic)
            .map_err(|_| BoardError::malformed("record", "too short for the magic"))?;
        if &magic != MAGIC {
            return Err(BoardError::malformed("record", "not a shortlist record (bad magic)"));
        }
        Ok(Self { input, offset: 16, done: false })
    }

    /// Continues reading a record from byte `offset`, where `input` is
    /// positioned (past the magic, at a frame): for a verifier resuming from
    /// a saved state (spec: board §8.6).
    pub fn resume(input: R, offset: u64) -> Self {
        Self { input, offset, done: false }
    }

    /// The byte offset of the next frame.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.input.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let (frame, len) = read_frame_at(&mut self.input, self.offset)?;
        self.offset += len;
        Ok(Some(frame))
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = Result<Frame>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.next_frame().transpose();
        if matches!(r, None | Some(Err(_))) {
            self.done = true;
        }
        r
    }
}

/// Reads one frame at the reader's position (after the magic).
pub fn read_frame(input: &mut impl Read) -> Result<Frame> {
    read_frame_at(input, 0).map(|(f, _)| f)
}

fn read_frame_at(input: &mut impl Read, offset: u64) -> Result<(Frame, u64)> {
    let mut head = [0u8; 5];
    input
        .read_exact(&mut head)
        .map_err(|_| BoardError::malformed("record", format!("truncated frame header at byte {offset}")))?;
    let [tag, l0, l1, l2, l3] = head;
    let len = usize::try_from(u32::from_be_bytes([l0, l1, l2, l3])).unwrap_or(usize::MAX);
    if len > MAX_PAYLOAD + 64 {
        return Err(BoardError::malformed("record", format!("frame at byte {offset} is too large")));
    }
    let mut body = vec![0u8; len];
    input
        .read_exact(&mut body)
        .map_err(|_| BoardError::malformed("record", format!("truncated frame at byte {offset}")))?;
    let frame = match tag {
        TAG_ENTRY => Frame::Entry(Entry::from_bytes(&body)?),
        TAG_CHECKPOINT => Frame::Checkpoint(Checkpoint::from_bytes(&body)?),
        _ => return Err(BoardError::malformed("record", format!("unknown frame tag {tag}"))),
    };
    Ok((frame, 5 + u64::try_from(len).unwrap_or(u64::MAX)))
}

/// Reads a whole record into memory (for tests and small polls).
pub fn read_all(bytes: &[u8]) -> Result<Vec<Frame>> {
    RecordReader::new(bytes)?.collect()
}

/// Reads from any reader through a buffer.
pub fn open<R: Read>(input: R) -> Result<RecordReader<std::io::BufReader<R>>> {
    RecordReader::new(std::io::BufReader::with_capacity(1 << 20, input))
}
