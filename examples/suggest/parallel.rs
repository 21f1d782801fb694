//! `--jobs N`: stdin answered on N threads, in input order, in bounded memory.

use super::{fail, into_message};
use rayon::prelude::*;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::exit;
use std::sync::mpsc::sync_channel;

/// Lines per chunk of `--jobs`: enough to keep every thread busy, few enough that the chunks in
/// flight (one being read, one answered, one written) stay small.
const CHUNK_LINES: usize = 4096;

/// One line of stdin: its number, and the message (or `None`: it was not UTF-8).
type Line = (usize, Option<String>);

/// Answers stdin on `jobs` threads, writing to `out` in input order; true if some lines were
/// not UTF-8. A reader thread reads chunks of lines, the pool answers a chunk into one buffer
/// per line, and a writer thread writes the buffers: each stage works on its own chunk, and the
/// bounded channels between them keep at most a few chunks in memory.
pub fn answer_in_parallel(
    jobs: usize,
    answer: &(dyn Fn(&str, &mut dyn Write) -> io::Result<()> + Sync),
) -> bool {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .unwrap_or_else(|e| fail(&format!("--jobs {jobs}: {e}")));
    let (lines_tx, lines_rx) = sync_channel::<Vec<Line>>(2);
    let (done_tx, done_rx) = sync_channel::<Vec<Result<Vec<u8>, usize>>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK_LINES);
            for (n, line) in io::stdin().lock().split(b'\n').enumerate() {
                let bytes = line.unwrap_or_else(|e| fail(&format!("reading stdin: {e}")));
                chunk.push((n + 1, into_message(bytes).ok()));
                if chunk.len() == CHUNK_LINES {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_LINES));
                    if lines_tx.send(full).is_err() {
                        return;
                    }
                }
            }
            if !chunk.is_empty() {
                let _ = lines_tx.send(chunk);
            }
        });
        let writer = scope.spawn(move || {
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let mut bad_lines = false;
            for answers in done_rx {
                for a in answers {
                    match a {
                        Ok(bytes) => {
                            // A closed pipe (`suggest ... | head`) is a normal way to stop.
                            if out.write_all(&bytes).is_err() {
                                exit(0);
                            }
                        }
                        Err(line) => {
                            let _ = out.flush();
                            eprintln!("error: stdin line {line}: not valid UTF-8, skipped");
                            bad_lines = true;
                        }
                    }
                }
            }
            if out.flush().is_err() {
                exit(0);
            }
            bad_lines
        });
        for chunk in lines_rx {
            let answers: Vec<Result<Vec<u8>, usize>> = pool.install(|| {
                chunk
                    .into_par_iter()
                    .map(|(line, message)| {
                        let message = message.ok_or(line)?;
                        let mut buf = Vec::with_capacity(512);
                        // Writing to a Vec cannot fail.
                        let _ = answer(&message, &mut buf);
                        Ok(buf)
                    })
                    .collect()
            });
            if done_tx.send(answers).is_err() {
                break;
            }
        }
        drop(done_tx);
        writer.join().unwrap_or(true)
    })
}
