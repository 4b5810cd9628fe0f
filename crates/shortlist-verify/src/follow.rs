//! `--follow URL`: live verification of a poll as its board grows (spec:
//! board §8.6). The follower reads the record from the server's record
//! endpoint from the first entry it has not read (`GET
//! /v1/polls/{poll}/record?from=N`, spec: api §7.5), feeds every frame to
//! one [`Verifier`] that it keeps, settles it at the end of each read (a
//! checkpoint) and reports that checkpoint verified, and stops once the
//! result is verified or a step fails. It keeps a copy of the record as
//! read: the file the verifier re-reads superseded ballots from at the end.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shortlist_board::record::{self, RecordReader};
use shortlist_board::verify::{Progress, Report, Verifier};

/// Entries read between progress reports while catching up on a long board.
const REPORT_EVERY: u64 = 16_384;

/// A live verification's options beside [`super::Options`].
pub struct Follow<'a> {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    pub url: &'a str,
    /// The poll id.
    pub poll: &'a str,
    /// How long to wait before reading again when nothing was new.
    pub every: Duration,
    /// Where to keep the record as read (else a temporary file).
    pub keep: Option<&'a Path>,
    /// Where to save the verifier's state after each settled read.
    pub save: Option<&'a Path>,
    /// The record bytes a loaded state had read: the copy in `keep` holds
    /// them, and the follower appends after them.
    pub resume: Option<u64>,
}

/// What the follower reports after each settled read.
#[derive(Clone, Debug)]
pub struct Tick {
    /// Where the verifier stands.
    pub progress: Progress,
    /// Ballots checked since the follower started, per second of its run.
    pub ballots_per_sec: f64,
}

/// Reads the bytes of an HTTP body and writes them, after the record's
/// magic, to the record copy.
struct Tee<'a, R: Read> {
    inner: R,
    copy: &'a mut std::fs::File,
    skip: usize,
    error: Option<std::io::Error>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = buf.get(..n).unwrap_or_default();
        let keep = got.get(self.skip.min(n)..).unwrap_or_default();
        self.skip = self.skip.saturating_sub(n);
        if let Err(e) = self.copy.write_all(keep) {
            self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
            return Err(e);
        }
        Ok(n)
    }
}

/// Follows the poll live until its result is verified or a step fails;
/// `verifier` is set up by the caller (manifest hash, saved checkpoints,
/// `--since`). Calls `tick` after each settled read. Returns the final
/// report (over the whole record read), or why the board could not be read.
pub fn follow(mut verifier: Verifier, f: &Follow<'_>, mut tick: impl FnMut(&Tick)) -> Result<Report, String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(None)
        .connect_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let tmp;
    let path: PathBuf = match f.keep {
        Some(p) => p.to_path_buf(),
        None => {
            tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
            tmp.path().join("poll.record")
        }
    };
    let (mut copy, mut copy_len) = open_copy(&path, f.resume)?;
    let started = Instant::now();
    let base = f.url.trim_end_matches('/');
    let mut last_report = 0u64;
    loop {
        let from = verifier.next_index();
        let url = format!("{base}/v1/polls/{}/record?from={from}", f.poll);
        let resp = client.get(&url).send().map_err(|e| format!("{url}: {e}"))?;
        match resp.status().as_u16() {
            200 => {}
            s => {
                let body = resp.text().unwrap_or_default();
                // No checkpoint yet (code `not_found`, not `no_such_poll`):
                // the poll has no entries; wait for the first.
                if s == 404 && from == 0 && body.contains("\"not_found\"") {
                    std::thread::sleep(f.every);
                    continue;
                }
                return Err(format!("{url}: HTTP {s}: {}", body.trim()));
            }
        }
        let before = verifier.next_index();
        let mut tee = Tee { inner: resp, copy: &mut copy, skip: record::MAGIC.len(), error: None };
        let broken = {
            let mut reader = match RecordReader::new(BufReader::with_capacity(1 << 20, &mut tee)) {
                Ok(r) => r,
                Err(e) => return Err(format!("{url}: {e}")),
            };
            let mut broken = false;
            loop {
                let offset = copy_len + reader.offset() - 16;
                match reader.next() {
                    None => break,
                    Some(Ok(frame)) => {
                        let is_checkpoint = matches!(frame, record::Frame::Checkpoint(_));
                        verifier.feed(&frame, offset);
                        if is_checkpoint && verifier.report().entries >= last_report + REPORT_EVERY {
                            last_report = verifier.report().entries;
                            verifier.settle();
                            tick(&measure(&verifier, started));
                        }
                    }
                    Some(Err(err)) => {
                        verifier.unreadable(offset, &err);
                        broken = true;
                        break;
                    }
                }
            }
            copy_len += reader.offset() - 16;
            broken
        };
        if let Some(e) = tee.error.take() {
            return Err(format!("{}: {e}", path.display()));
        }
        let new = verifier.next_index() > before || broken;
        if new {
            verifier.settle();
            tick(&measure(&verifier, started));
            if let Some(save) = f.save {
                copy.flush().map_err(|e| e.to_string())?;
                save_state(&mut verifier, copy_len, save)?;
            }
        }
        // A state resumed after the result has nothing more to read.
        let p = verifier.progress();
        if broken || !p.failed.is_empty() || p.finished {
            break;
        }
        if !new {
            std::thread::sleep(f.every);
        }
    }
    copy.flush().map_err(|e| e.to_string())?;
    drop(copy);
    let mut reread = |offset: u64| -> shortlist_board::Result<record::Frame> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(&path)?;
        file.seek(SeekFrom::Start(offset))?;
        record::read_frame(&mut BufReader::new(file))
    };
    Ok(verifier.finish(&mut reread))
}

/// The copy of the record: a new file with the magic, or (resuming) the
/// file kept by the earlier run, cut to the bytes its state had read.
fn open_copy(path: &Path, resume: Option<u64>) -> Result<(std::fs::File, u64), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    match resume {
        None => {
            let mut copy = std::fs::File::create(path).map_err(err)?;
            copy.write_all(record::MAGIC).map_err(err)?;
            Ok((copy, u64::try_from(record::MAGIC.len()).unwrap_or(16)))
        }
        Some(len) => {
            let copy = std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(|e| {
                format!(
                    "{}: {e} (resuming needs the record copy the earlier run kept, --keep)",
                    path.display()
                )
            })?;
            let have = copy.metadata().map_err(err)?.len();
            if have < len {
                return Err(format!(
                    "{}: the record copy has {have} bytes, the saved state read {len}: not the copy of that run",
                    path.display()
                ));
            }
            copy.set_len(len).map_err(err)?;
            let mut copy = copy;
            use std::io::Seek;
            copy.seek(std::io::SeekFrom::End(0)).map_err(err)?;
            Ok((copy, len))
        }
    }
}

/// Saves the verifier's state to `path` (written beside it, then renamed).
fn save_state(v: &mut Verifier, copy_len: u64, path: &Path) -> Result<(), String> {
    let bytes = v.save(copy_len).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn measure(v: &Verifier, started: Instant) -> Tick {
    let progress = v.progress();
    let secs = started.elapsed().as_secs_f64().max(1e-6);
    #[allow(clippy::cast_precision_loss)]
    let ballots_per_sec = progress.ballots as f64 / secs;
    Tick { progress, ballots_per_sec }
}

/// One line for a settled read: the checkpoint verified and the counts.
pub fn describe(t: &Tick) -> String {
    let p = &t.progress;
    let at = p.checkpoint.map_or_else(|| "no checkpoint yet".to_string(), |s| format!("checkpoint {s}"));
    let verdict = if p.failed.is_empty() {
        "every step holds so far".to_string()
    } else {
        format!("FAILED: {}", p.failed.join(", "))
    };
    let done = if p.finished { "; the result is on the board" } else { "" };
    format!(
        "{} {at} verified: {} entries, {} ballots ({:.0} ballots/s); {verdict}{done}",
        if p.failed.is_empty() { "✓" } else { "✗" },
        p.entries,
        p.ballots,
        t.ballots_per_sec
    )
}
