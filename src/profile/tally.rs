//! The per-thread accumulator of a profile: flat counting tables, filled record
//! by record without allocating, and merged at the end.
//!
//! "Records having X" is counted with a stamp: each table entry remembers the
//! last record that counted it, so a tag repeated in a record counts once.

use super::distribution::Distribution;
use super::problems::Problems;
use super::LEADER_POSITIONS;
use crate::layout::LEADER_LEN;
use crate::record::RecordRef;
use std::collections::HashMap;

/// No record yet: a stamp no record index has.
const NONE: usize = usize::MAX;

/// The counts for one tag.
pub(crate) struct TagTally {
    pub records: u64,
    pub occurrences: u64,
    /// The bytes of its fields, terminators included.
    pub bytes: u64,
    /// Data fields only: how often each byte is indicator 1, indicator 2.
    pub indicators: [[u64; 256]; 2],
    /// Each subfield code's counts, side by side so that counting a subfield
    /// touches one cache line.
    pub subfields: [CodeTally; 256],
    last_record: usize,
}

/// One subfield code's counts within a tag.
#[derive(Clone, Copy)]
pub(crate) struct CodeTally {
    pub occurrences: u64,
    pub records: u64,
    /// The last record that counted it.
    last_record: usize,
}

impl TagTally {
    fn new() -> Box<Self> {
        Box::new(TagTally {
            records: 0,
            occurrences: 0,
            bytes: 0,
            indicators: [[0; 256]; 2],
            subfields: [CodeTally {
                occurrences: 0,
                records: 0,
                last_record: NONE,
            }; 256],
            last_record: NONE,
        })
    }

    fn merge(&mut self, other: &TagTally) {
        self.records += other.records;
        self.occurrences += other.occurrences;
        self.bytes += other.bytes;
        for (mine, theirs) in self.indicators.iter_mut().zip(&other.indicators) {
            add(mine, theirs);
        }
        for (mine, theirs) in self.subfields.iter_mut().zip(&other.subfields) {
            mine.occurrences += theirs.occurrences;
            mine.records += theirs.records;
        }
    }
}

fn add(a: &mut [u64; 256], b: &[u64; 256]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// What one thread has counted.
pub(crate) struct Tally {
    /// Good records (read, perhaps repaired, text decoding).
    pub good: u64,
    pub repaired: u64,
    pub mislabelled_utf8: u64,
    /// For each leader position, how many good records have each byte there.
    pub leader: Box<[[u64; 256]; LEADER_LEN]>,
    /// Numeric tags by number (000-999); the rest by bytes.
    numeric: Vec<Option<Box<TagTally>>>,
    other: HashMap<[u8; 3], Box<TagTally>>,
    pub record_lengths: Distribution,
    pub field_lengths: Distribution,
    pub fields_per_record: Distribution,
    pub problems: Problems,
}

impl Tally {
    pub(crate) fn new() -> Self {
        Tally {
            good: 0,
            repaired: 0,
            mislabelled_utf8: 0,
            leader: Box::new([[0; 256]; LEADER_LEN]),
            numeric: (0..1000).map(|_| None).collect(),
            other: HashMap::new(),
            record_lengths: Distribution::default(),
            field_lengths: Distribution::default(),
            fields_per_record: Distribution::default(),
            problems: Problems::default(),
        }
    }

    /// The table for `tag`, made on first use.
    #[inline]
    fn tag(&mut self, tag: &[u8; 3]) -> &mut TagTally {
        let digit = |b: u8| b.wrapping_sub(b'0') as usize;
        let [a, b, c] = *tag;
        if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() {
            let n = digit(a) * 100 + digit(b) * 10 + digit(c);
            return self.numeric[n].get_or_insert_with(TagTally::new);
        }
        self.other.entry(*tag).or_insert_with(TagTally::new)
    }

    /// Counts good record `i`.
    pub(crate) fn record(&mut self, i: usize, record: &RecordRef<'_>) {
        self.good += 1;
        if !record.repairs().is_empty() {
            self.repaired += 1;
            self.problems.repaired(i, record);
        }
        if record.is_mislabelled_utf8() {
            self.mislabelled_utf8 += 1;
        }
        let leader = record.leader().as_bytes();
        for pos in LEADER_POSITIONS {
            self.leader[pos][leader[pos] as usize] += 1;
        }
        self.record_lengths.tally(record.as_bytes().len() as u64);
        self.fields_per_record.tally(record.field_count() as u64);
        for field in record.fields() {
            let len = field.data().len() as u64 + 1;
            self.field_lengths.tally(len);
            let t = self.tag(field.tag());
            t.occurrences += 1;
            t.bytes += len;
            if t.last_record != i {
                t.last_record = i;
                t.records += 1;
            }
            if field.is_control() {
                continue;
            }
            let (i1, i2) = field.indicators();
            t.indicators[0][i1 as usize] += 1;
            t.indicators[1][i2 as usize] += 1;
            for sf in field.subfields() {
                let c = &mut t.subfields[sf.code as usize];
                c.occurrences += 1;
                if c.last_record != i {
                    c.last_record = i;
                    c.records += 1;
                }
            }
        }
    }

    /// Adds another thread's counts.
    pub(crate) fn merge(&mut self, other: Tally) {
        self.good += other.good;
        self.repaired += other.repaired;
        self.mislabelled_utf8 += other.mislabelled_utf8;
        for (mine, theirs) in self.leader.iter_mut().zip(other.leader.iter()) {
            add(mine, theirs);
        }
        for (n, theirs) in other.numeric.into_iter().enumerate() {
            if let Some(theirs) = theirs {
                match &mut self.numeric[n] {
                    Some(mine) => mine.merge(&theirs),
                    slot => *slot = Some(theirs),
                }
            }
        }
        for (tag, theirs) in other.other {
            match self.other.get_mut(&tag) {
                Some(mine) => mine.merge(&theirs),
                None => {
                    self.other.insert(tag, theirs);
                }
            }
        }
        self.record_lengths.merge(&other.record_lengths);
        self.field_lengths.merge(&other.field_lengths);
        self.fields_per_record.merge(&other.fields_per_record);
        self.problems.merge(other.problems);
    }

    /// Every tag counted, with its table, in byte order of the tags.
    pub(crate) fn into_tags(self) -> Vec<([u8; 3], Box<TagTally>)> {
        let mut tags: Vec<([u8; 3], Box<TagTally>)> = self
            .numeric
            .into_iter()
            .enumerate()
            .filter_map(|(n, t)| {
                let tag = [
                    b'0' + (n / 100) as u8,
                    b'0' + (n / 10 % 10) as u8,
                    b'0' + (n % 10) as u8,
                ];
                t.map(|t| (tag, t))
            })
            .chain(self.other)
            .collect();
        tags.sort_unstable_by_key(|(tag, _)| *tag);
        tags
    }
}
