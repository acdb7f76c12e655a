//! Batches handed over in record order while other threads build the next ones.

use super::{build_batch_noting, ArrowOptions};
use crate::error::{Error, Result};
use crate::file::MarcFile;
use crate::parallel;
use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The batches of a file, in record order: an iterator, and an arrow-rs
/// [`RecordBatchReader`] (for the C stream interface and Parquet).
///
/// With one thread, each batch is built when it is asked for. With more, a
/// driver thread runs [`parallel::map_chunks_in_order`] over batch-sized
/// chunks and hands finished batches through a channel of one: at most about
/// two batches a thread exist at once, whatever the file's size. Dropping the
/// reader stops the work and joins the threads.
pub struct BatchReader {
    schema: SchemaRef,
    state: State,
    /// Records in the batches handed out so far.
    records_done: usize,
    batch_size: usize,
    records: usize,
    /// Build batches on threads of its own even with one thread.
    own_thread: bool,
    /// The errors of the records made null (or given no rows) in the batches
    /// handed out so far, in record order, until taken.
    nulled: Vec<Error>,
}

enum State {
    /// Not started (no thread yet).
    Ready(MarcFile, Arc<ArrowOptions>),
    /// One thread: the next batch starts at `next`.
    Inline {
        file: MarcFile,
        opts: Arc<ArrowOptions>,
        next: usize,
    },
    /// Threads build batches; they arrive in order on `rx`.
    Threads {
        rx: Receiver<Result<(RecordBatch, Vec<Error>)>>,
        driver: Option<JoinHandle<()>>,
    },
    /// Every batch was handed out, or one failed.
    Done,
}

impl BatchReader {
    pub(crate) fn new(file: MarcFile, mut opts: ArrowOptions) -> Self {
        opts.batch_size = opts.batch_size.max(1);
        opts.threads = opts.threads.max(1);
        BatchReader {
            schema: opts.schema(),
            records: opts.record_count(&file),
            batch_size: opts.batch_size,
            state: State::Ready(file, Arc::new(opts)),
            records_done: 0,
            own_thread: false,
            nulled: Vec::new(),
        }
    }

    /// Builds batches on threads of its own even with one thread, so that the
    /// thread asking for them does none of the work: the Python bindings hand
    /// the reader to consumers that may ask while holding the GIL.
    pub fn on_own_thread(mut self) -> Self {
        self.own_thread = true;
        self
    }

    /// The schema every batch has.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// How many records the batches handed out so far cover.
    pub fn records_done(&self) -> usize {
        self.records_done
    }

    /// How many records there are in all.
    pub fn records(&self) -> usize {
        self.records
    }

    /// The errors of the records that the batches handed out so far made
    /// null ([`super::BadRecords::Null`]: a null row, or no rows in the long
    /// shape), in record order; each is given once. What a caller reports, so
    /// that no record becomes null unsaid.
    pub fn take_nulled(&mut self) -> Vec<Error> {
        std::mem::take(&mut self.nulled)
    }

    fn start(file: MarcFile, opts: Arc<ArrowOptions>, own_thread: bool) -> State {
        if !own_thread && (opts.threads == 1 || opts.record_count(&file) <= opts.batch_size) {
            return State::Inline {
                file,
                opts,
                next: 0,
            };
        }
        // A channel of one: the driver blocks as soon as one finished batch
        // waits for the consumer, so the workers stop after their current one.
        let (tx, rx) = sync_channel::<Result<(RecordBatch, Vec<Error>)>>(1);
        let driver = std::thread::spawn(move || {
            let _ = parallel::map_chunks_in_order(
                opts.record_count(&file),
                opts.threads,
                opts.batch_size,
                |range| build_batch_noting(&file, &opts, range),
                |work| work(),
                |_, batch| {
                    let failed = batch.is_err();
                    // A closed channel: the reader was dropped; stop.
                    tx.send(batch).map_err(|_| ())?;
                    if failed {
                        Err(())
                    } else {
                        Ok(())
                    }
                },
            );
        });
        State::Threads {
            rx,
            driver: Some(driver),
        }
    }

    /// The next batch, or the error that ends the stream; `None` at the end.
    pub fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        if let State::Ready(..) = self.state {
            let State::Ready(file, opts) = std::mem::replace(&mut self.state, State::Done) else {
                return None;
            };
            self.state = Self::start(file, opts, self.own_thread);
        }
        let got = match &mut self.state {
            State::Ready(..) | State::Done => return None,
            State::Inline { file, opts, next } => {
                if *next >= opts.record_count(file) {
                    None
                } else {
                    let end = next
                        .saturating_add(opts.batch_size)
                        .min(opts.record_count(file));
                    let batch = build_batch_noting(file, opts, *next..end);
                    *next = end;
                    Some(batch)
                }
            }
            // The driver has gone (all sent, or it panicked) when `recv` fails.
            State::Threads { rx, .. } => rx.recv().ok(),
        };
        match got {
            Some(Ok((batch, mut nulled))) => {
                self.records_done = (self.records_done + self.batch_size).min(self.records);
                self.nulled.append(&mut nulled);
                Some(Ok(batch))
            }
            Some(Err(e)) => {
                self.finish();
                Some(Err(e))
            }
            None => {
                self.finish();
                None
            }
        }
    }

    /// Stops the work: the channel closes, the driver stops its workers, and
    /// this waits for them (at most the batches they are building).
    fn finish(&mut self) {
        if let State::Threads { rx, driver } = std::mem::replace(&mut self.state, State::Done) {
            drop(rx);
            if let Some(driver) = driver {
                if let Err(panic) = driver.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    }
}

impl Drop for BatchReader {
    fn drop(&mut self) {
        if let State::Threads { rx, driver } = std::mem::replace(&mut self.state, State::Done) {
            drop(rx);
            // A worker's panic is not re-raised from a destructor.
            let _ = driver.map(JoinHandle::join);
        }
    }
}

impl Iterator for BatchReader {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch()
            .map(|r| r.map_err(|e: Error| ArrowError::ExternalError(Box::new(e))))
    }
}

impl RecordBatchReader for BatchReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}
