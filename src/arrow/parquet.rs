//! Batches written to Parquet (feature `parquet`), through arrow-rs's
//! `ArrowWriter`, with bounded memory: a row group is closed as soon as the
//! memory its writers hold passes [`ParquetOptions::row_group_bytes`] (the
//! writer's `memory_size`, not its estimate of the encoded size, which can be
//! several times smaller while pages and dictionaries are being built).

use super::BatchReader;
use crate::error::{Error, ErrorKind, Position, Result};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::io::Write;

/// How a Parquet file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParquetCompression {
    /// zstd at its default level.
    #[default]
    Zstd,
    /// Snappy.
    Snappy,
    /// None.
    None,
}

impl std::str::FromStr for ParquetCompression {
    type Err = Error;

    /// `"zstd"`, `"snappy"` or `"none"` (`"uncompressed"`).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "zstd" => Ok(ParquetCompression::Zstd),
            "snappy" => Ok(ParquetCompression::Snappy),
            "none" | "uncompressed" => Ok(ParquetCompression::None),
            _ => Err(parquet_error(format!(
                "compression must be 'zstd', 'snappy' or 'none', not {s:?}"
            ))),
        }
    }
}

/// How Parquet is written.
#[derive(Debug, Clone, Copy)]
pub struct ParquetOptions {
    /// The compression.
    pub compression: ParquetCompression,
    /// A row group is closed once its writers hold this much memory.
    pub row_group_bytes: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            compression: ParquetCompression::Zstd,
            row_group_bytes: 32 << 20,
        }
    }
}

fn parquet_error(reason: String) -> Error {
    Error::new(ErrorKind::Columnar { reason }, Position::default())
}

fn from_parquet(e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => Error::from(*io),
                Err(other) => parquet_error(format!("writing Parquet: {other}")),
            }
        }
        other => parquet_error(format!("writing Parquet: {other}")),
    }
}

/// A Parquet file being written, batch by batch.
pub struct ParquetSink<W: Write + Send> {
    writer: ArrowWriter<W>,
    row_group_bytes: usize,
    /// The rows written so far.
    rows: u64,
}

impl<W: Write + Send> ParquetSink<W> {
    /// A file of batches of `schema`, written to `out`.
    pub fn new(out: W, schema: SchemaRef, opts: ParquetOptions) -> Result<Self> {
        let compression = match opts.compression {
            ParquetCompression::Zstd => Compression::ZSTD(ZstdLevel::default()),
            ParquetCompression::Snappy => Compression::SNAPPY,
            ParquetCompression::None => Compression::UNCOMPRESSED,
        };
        let props = WriterProperties::builder()
            .set_compression(compression)
            .build();
        let writer = ArrowWriter::try_new(out, schema, Some(props)).map_err(from_parquet)?;
        Ok(ParquetSink {
            writer,
            row_group_bytes: opts.row_group_bytes.max(1),
            rows: 0,
        })
    }

    /// Writes one batch; closes the row group if it has grown big enough.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer.write(batch).map_err(from_parquet)?;
        self.rows += batch.num_rows() as u64;
        if self.writer.memory_size() >= self.row_group_bytes {
            self.writer.flush().map_err(from_parquet)?;
        }
        Ok(())
    }

    /// Finishes the file (its footer); returns the rows written.
    pub fn finish(self) -> Result<u64> {
        let meta = self.writer.close().map_err(from_parquet)?;
        Ok(meta.file_metadata().num_rows().max(0) as u64)
    }

    /// [`ParquetSink::finish`], giving back the writer too (to commit an
    /// [`crate::output::OutputFile`], say).
    pub fn finish_into_inner(self) -> Result<(u64, W)> {
        let rows = self.rows;
        // Writes the footer, as `close` does.
        let out = self.writer.into_inner().map_err(from_parquet)?;
        Ok((rows, out))
    }
}

/// Writes every batch of `batches` to `out`; returns the rows written.
/// `progress` hears, after each batch, how many records are done of how many.
pub fn write_parquet<W: Write + Send>(
    mut batches: BatchReader,
    out: W,
    opts: ParquetOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<u64> {
    let mut sink = ParquetSink::new(out, batches.schema(), opts)?;
    while let Some(batch) = batches.next_batch() {
        sink.write(&batch?)?;
        progress(batches.records_done(), batches.records());
    }
    sink.finish()
}
