//! Arrow buffers built directly: offsets, text and byte values, validity.
//!
//! The generic arrow-rs builders check and copy value by value; these append
//! straight into the `Vec`s that become the arrays' buffers, without a copy.

use crate::error::{Error, ErrorKind, Position, Result};
use arrow_array::{ArrayRef, BinaryArray, StringArray};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use std::sync::Arc;

/// The error for a batch whose values pass Arrow's 32-bit offsets.
pub(crate) fn too_large(what: &str) -> Error {
    Error::new(
        ErrorKind::Columnar {
            reason: format!(
                "an Arrow batch's {what} pass 2 GiB (32-bit offsets): use a smaller batch_size"
            ),
        },
        Position::default(),
    )
}

/// A list's or a string column's offsets: `[0, end of item 0, end of item 1, ...]`.
pub(crate) struct Offsets {
    ends: Vec<i32>,
    /// The last end pushed, whole: the largest, as ends never decrease. Above
    /// `i32::MAX`, [`Offsets::finish`] fails (and the truncated ends are never used).
    last: usize,
}

impl Offsets {
    pub(crate) fn with_capacity(items: usize) -> Self {
        let mut ends = Vec::with_capacity(items + 1);
        ends.push(0);
        Offsets { ends, last: 0 }
    }

    /// Ends an item at `end` (a length of the values so far: never less than
    /// the last end).
    #[inline]
    pub(crate) fn push(&mut self, end: usize) {
        self.ends.push(end as i32);
        self.last = end;
    }

    /// How many items.
    pub(crate) fn len(&self) -> usize {
        self.ends.len() - 1
    }

    /// Keeps the first `items` items.
    pub(crate) fn truncate(&mut self, items: usize) {
        self.ends.truncate(items + 1);
        self.last = self.ends.last().map_or(0, |&e| e as usize);
    }

    /// The offsets buffer; an error if they passed `i32::MAX`.
    pub(crate) fn finish(self, what: &str) -> Result<OffsetBuffer<i32>> {
        if i32::try_from(self.last).is_err() {
            return Err(too_large(what));
        }
        // Every end is at most `last`, so none was truncated; they never
        // decrease (lengths of a growing buffer, or counts), which
        // `OffsetBuffer::new` checks again.
        Ok(OffsetBuffer::new(ScalarBuffer::from(self.ends)))
    }
}

/// A string (or, `binary`, a bytes) column being built.
pub(crate) struct TextColumn {
    /// The values when they are text: whole `str`s appended one after another.
    pub(crate) text: String,
    /// The values when they are bytes.
    pub(crate) raw: Vec<u8>,
    offsets: Offsets,
    /// One flag a value (a byte, not a bit: cheaper to append), packed into
    /// Arrow's bitmap at the end; empty until the first null.
    valid: Vec<bool>,
    binary: bool,
}

impl TextColumn {
    pub(crate) fn new(binary: bool, items: usize, bytes: usize) -> Self {
        TextColumn {
            text: if binary {
                String::new()
            } else {
                String::with_capacity(bytes)
            },
            raw: if binary {
                Vec::with_capacity(bytes)
            } else {
                Vec::new()
            },
            offsets: Offsets::with_capacity(items),
            valid: Vec::new(),
            binary,
        }
    }

    /// How many values so far.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len()
    }

    #[inline]
    fn end(&self) -> usize {
        if self.binary {
            self.raw.len()
        } else {
            self.text.len()
        }
    }

    /// Ends the value appended to `text` or `raw` since the last one ended.
    #[inline]
    pub(crate) fn end_value(&mut self) {
        self.offsets.push(self.end());
        if !self.valid.is_empty() {
            self.valid.push(true);
        }
    }

    /// Appends `value` (text columns) or `bytes` (binary ones) as one value.
    #[inline]
    pub(crate) fn push(&mut self, value: &str, bytes: &[u8]) {
        if self.binary {
            self.raw.extend_from_slice(bytes);
        } else {
            self.text.push_str(value);
        }
        self.end_value();
    }

    /// Appends a text value to a column that is text whatever `binary` says
    /// (tags, indicators, codes).
    #[inline]
    pub(crate) fn push_str(&mut self, value: &str) {
        self.text.push_str(value);
        self.end_value();
    }

    /// Appends ASCII bytes as one value of a text-only column, each byte a
    /// character (other bytes as U+FFFD).
    #[inline]
    pub(crate) fn push_ascii(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.text.push(if b.is_ascii() {
                char::from(b)
            } else {
                '\u{fffd}'
            });
        }
        self.end_value();
    }

    /// Appends one character as a value of a text-only column.
    #[inline]
    pub(crate) fn push_char(&mut self, c: char) {
        self.text.push(c);
        self.end_value();
    }

    /// Appends a null.
    #[inline]
    pub(crate) fn push_null(&mut self) {
        if self.valid.is_empty() {
            // Every value so far was valid.
            self.valid.resize(self.len(), true);
        }
        self.offsets.push(self.end());
        self.valid.push(false);
    }

    /// The array: `Utf8`, or `Binary` when `binary`.
    pub(crate) fn finish(self, what: &str) -> Result<ArrayRef> {
        let nulls = (!self.valid.is_empty()).then(|| NullBuffer::from(self.valid));
        let offsets = self.offsets.finish(what)?;
        if self.binary {
            let values = Buffer::from_vec(self.raw);
            return BinaryArray::try_new(offsets, values, nulls)
                .map(|a| Arc::new(a) as ArrayRef)
                .map_err(|e| columnar(e, what));
        }
        let values = Buffer::from_vec(self.text.into_bytes());
        // SAFETY: `values` are the bytes of a `String`, so valid UTF-8, and every
        // offset is that `String`'s length taken between whole `str` (or `char`)
        // appends, so each falls on a character boundary; the offsets start at
        // 0, never decrease and end at `values.len()` (checked by
        // `OffsetBuffer::new` and the overflow check), and `nulls`, when
        // present, has one flag a value, as `end_value`/`push_null` append both
        // together. Skipping `try_new`'s second UTF-8 pass matters: the nested
        // shape is mostly text.
        let array = unsafe { StringArray::new_unchecked(offsets, values, nulls) };
        Ok(Arc::new(array))
    }
}

/// An arrow-rs error while assembling a batch (a bug if it ever happens:
/// every array is built to match its schema), as a marcmap error.
pub(crate) fn columnar(e: arrow_schema::ArrowError, what: &str) -> Error {
    Error::new(
        ErrorKind::Columnar {
            reason: format!("building the Arrow {what}: {e}"),
        },
        Position::default(),
    )
}
