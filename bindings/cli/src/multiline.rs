//! `secretsift redact --multiline`: text redaction that also finds secrets spanning lines.
//!
//! A line-mode redactor writes each line at its newline, so a PEM key spread over the lines of
//! one log message cannot be replaced once its last line arrives. Here the redactor runs in
//! stream mode, which holds back bytes until no secret can still cover them (one scan window).
//! On a live log stream that alone could hold the last messages for as long as the source is
//! quiet, so the stream is ended (every held byte written, the redactor reset) whenever the
//! input pauses at a line end for [`IDLE`], or, while input keeps coming, at the first line end
//! after [`MAX_HOLD`]. A daemon writes each message with one write, so these cuts fall between
//! messages; a secret is missed only if its own message arrives cut in two at such a moment.
//!
//! Reads happen on a thread of their own so the main loop can wait for input with a timeout
//! (std has no portable poll on stdin); buffers go back and forth, nothing is copied.

use std::io::{self, Read, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use secretsift::Redactor;

use crate::redact::{Failure, FlushPerRead};

/// Quiet input at a line end for this long ends the stream, so held lines come out.
pub const IDLE: Duration = Duration::from_millis(50);
/// While input keeps coming, the stream is ended at the first line end after this long.
pub const MAX_HOLD: Duration = Duration::from_secs(1);
/// Quiet input in the middle of a line (a source that writes a partial line, then waits) for
/// this long ends the stream too, so nothing is held forever.
pub const IDLE_MID_LINE: Duration = Duration::from_secs(1);

/// A chunk read from the input, or the reader's error; an empty chunk is end of input.
type Chunk = io::Result<(Vec<u8>, usize)>;

/// Redacts `input` (read on its own thread) to `out`, ending the stream at pauses.
pub fn run<R: Read + Send + 'static>(
    input: R,
    out: &mut impl Write,
    r: &mut Redactor,
    chunk_size: usize,
) -> Result<(), Failure> {
    let (full_tx, full_rx) = mpsc::sync_channel::<Chunk>(2);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..3 {
        // Three buffers: one being read into, one queued, one being redacted.
        empty_tx.send(vec![0; chunk_size]).expect("receiver alive");
    }
    thread::spawn(move || read_loop(input, &empty_rx, &full_tx));

    // Bytes fed since the stream last ended, whether they end a line, and when the first came.
    let mut pending: Option<Instant> = None;
    let mut at_line_end = true;
    loop {
        let received = match pending {
            None => full_rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(_) => full_rx.recv_timeout(if at_line_end { IDLE } else { IDLE_MID_LINE }),
        };
        let (buf, n) = match received {
            Ok(chunk) => chunk.map_err(Failure::Read)?,
            Err(RecvTimeoutError::Timeout) => {
                r.finish(out).map_err(Failure::Write)?;
                out.flush().map_err(Failure::Write)?;
                pending = None;
                continue;
            }
            // The reader only goes away after sending end of input or an error.
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if n == 0 {
            break;
        }
        r.feed(&buf[..n], &mut FlushPerRead(out))
            .map_err(Failure::Write)?;
        at_line_end = buf[n - 1] == b'\n';
        let since = *pending.get_or_insert_with(Instant::now);
        if at_line_end && since.elapsed() >= MAX_HOLD {
            r.finish(out).map_err(Failure::Write)?;
            pending = None;
        }
        out.flush().map_err(Failure::Write)?;
        // The reader may have stopped (end of input): then the buffer is simply dropped.
        let _ = empty_tx.send(buf);
    }
    r.finish(out).map_err(Failure::Write)?;
    out.flush().map_err(Failure::Write)
}

fn read_loop<R: Read>(
    mut input: R,
    empty: &mpsc::Receiver<Vec<u8>>,
    full: &mpsc::SyncSender<Chunk>,
) {
    while let Ok(mut buf) = empty.recv() {
        let chunk = loop {
            match input.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(e),
                Ok(n) => break Ok((buf, n)),
            }
        };
        let last = !matches!(chunk, Ok((_, n)) if n > 0);
        if full.send(chunk).is_err() || last {
            return;
        }
    }
}
