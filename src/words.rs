//! [`Words`]: a list of `u64`s that the index owns, or that a memory-mapped
//! sidecar holds (record offsets, control-number keys), read in place.
//!
//! A sidecar is mapped rather than read so that opening a file from it costs a
//! few page faults of pages already in the page cache, not a copy of every
//! byte into freshly faulted memory (which, in a process that starts to answer
//! one lookup, is most of the time it takes). The mapped words are checked
//! once, when the sidecar is loaded; they are then read like any slice.

use std::ops::Deref;
use std::sync::Arc;
use zerocopy::FromBytes;

/// `u64`s owned, or in a mapping (little-endian, 8-byte aligned, checked).
#[derive(Clone)]
pub(crate) enum Words {
    Owned(Vec<u64>),
    Mapped {
        map: Arc<memmap2::Mmap>,
        /// The byte offset of the first word in the mapping.
        offset: usize,
        /// How many words.
        len: usize,
    },
}

impl Words {
    /// `len` words of `map` from byte `offset`, if they are in it and aligned,
    /// and the platform reads little-endian words in place.
    pub(crate) fn mapped(map: &Arc<memmap2::Mmap>, offset: usize, len: usize) -> Option<Words> {
        let end = offset.checked_add(len.checked_mul(8)?)?;
        let bytes = map.get(offset..end)?;
        if cfg!(target_endian = "big") || <[u64]>::ref_from_bytes(bytes).is_err() {
            return None;
        }
        Some(Words::Mapped {
            map: map.clone(),
            offset,
            len,
        })
    }

    /// The words as a vector to change: a mapped list is copied out first.
    pub(crate) fn vec(&mut self) -> &mut Vec<u64> {
        if let Words::Mapped { .. } = self {
            *self = Words::Owned(self.to_vec());
        }
        match self {
            Words::Owned(v) => v,
            Words::Mapped { .. } => unreachable!("just made owned"),
        }
    }

    /// Bytes of heap they take (none when mapped).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Words::Owned(v) => v.capacity() * 8,
            Words::Mapped { .. } => 0,
        }
    }
}

impl Default for Words {
    fn default() -> Self {
        Words::Owned(Vec::new())
    }
}

impl Deref for Words {
    type Target = [u64];

    #[inline]
    fn deref(&self) -> &[u64] {
        match self {
            Words::Owned(v) => v,
            Words::Mapped { map, offset, len } => map
                .get(*offset..*offset + 8 * *len)
                .and_then(|b| <[u64]>::ref_from_bytes(b).ok())
                // Checked in `mapped`: the range is in the mapping and aligned.
                .unwrap_or_default(),
        }
    }
}

impl PartialEq for Words {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Words {}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl From<Vec<u64>> for Words {
    fn from(v: Vec<u64>) -> Self {
        Words::Owned(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_words_read_like_owned_ones_and_copy_on_change() {
        let dir = std::env::temp_dir().join(format!("marcmap-words-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w");
        let words: Vec<u64> = vec![7, 1 << 40, u64::MAX, 3];
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: a read-only mapping of a file this test owns and does not change.
        let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.unwrap());
        let mut mapped = Words::mapped(&map, 8, 3).expect("aligned and in the mapping");
        assert_eq!(&*mapped, &words[1..]);
        assert_eq!(mapped, Words::from(words[1..].to_vec()));
        assert_eq!(mapped.heap_bytes(), 0);
        assert!(Words::mapped(&map, 4, 1).is_none(), "misaligned");
        assert!(Words::mapped(&map, 8, 4).is_none(), "past the end");
        mapped.vec().push(9);
        assert_eq!(&*mapped, &[1 << 40, u64::MAX, 3, 9]);
        assert_eq!(&*Words::mapped(&map, 0, 4).unwrap(), &words[..]);
        drop((map, file));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
