//! Editing an [`OwnedRecord`]: finding fields by tag pattern, inserting in tag
//! order as pymarc does, removing, and changing subfields and indicators.
//!
//! The insertions follow pymarc 5.4's `add_ordered_field` and
//! `add_grouped_field` exactly (byte-identical output is the point): a field
//! whose tag is not three digits, or a record with no fields, gets the field at
//! the end; otherwise the field goes before the first field whose tag is not
//! all digits or is greater (as a number, or by its first digit when grouped),
//! and at the end when there is none.
//!
//! ```
//! use marcmap::{OwnedField, OwnedRecord, TagPattern};
//! let mut record = OwnedRecord::builder()
//!     .control(*b"001", "1")
//!     .data(*b"245", b'1', b'0').subfield(b'a', "Title")
//!     .data(*b"950", b' ', b' ').subfield(b'a', "local")
//!     .build();
//! let mut link = OwnedField::data(*b"856", b'4', b'0');
//! link.push_subfield(b'u', "https://example.org/");
//! assert_eq!(record.insert_ordered(link), 2);
//! assert_eq!(record.remove_matching(TagPattern::parse("9XX")?), 1);
//! let tags: Vec<&str> = record.fields.iter().map(|f| f.tag_str()).collect();
//! assert_eq!(tags, ["001", "245", "856"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{FieldBody, OwnedField, OwnedRecord, OwnedSubfield};
use crate::record::RecordRef;
use std::fmt;
use std::str::FromStr;

/// A tag pattern: three characters, each a byte to match or a wildcard (`X`
/// or `.`, any byte). `"245"`, `"9XX"`, `"6.."`, `"X00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagPattern {
    bytes: [u8; 3],
    /// Which positions match any byte.
    wild: [bool; 3],
}

/// A tag pattern that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTagPattern {
    /// The text given.
    pub text: String,
}

impl fmt::Display for BadTagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a tag pattern: write three characters, each a tag character \
             or a wildcard X or . (\"245\", \"9XX\", \"6..\")",
            self.text
        )
    }
}

impl std::error::Error for BadTagPattern {}

impl TagPattern {
    /// Parses three ASCII characters, `X` and `.` being wildcards. The
    /// characters of a tag are anything ASCII but a space, a control byte and
    /// the structure bytes.
    pub fn parse(text: &str) -> Result<TagPattern, BadTagPattern> {
        let bad = || BadTagPattern {
            text: text.to_owned(),
        };
        let bytes: [u8; 3] = text.as_bytes().try_into().map_err(|_| bad())?;
        if !bytes.iter().all(|b| b.is_ascii_graphic()) {
            return Err(bad());
        }
        Ok(TagPattern {
            bytes,
            wild: bytes.map(|b| b == b'X' || b == b'.'),
        })
    }

    /// The pattern that matches `tag` and nothing else.
    pub fn exact(tag: [u8; 3]) -> TagPattern {
        TagPattern {
            bytes: tag,
            wild: [false; 3],
        }
    }

    /// Whether `tag` matches.
    pub fn matches(&self, tag: &[u8; 3]) -> bool {
        (0..3).all(|i| self.wild[i] || self.bytes[i] == tag[i])
    }

    /// The one tag this pattern matches, if it has no wildcard.
    pub fn as_exact(&self) -> Option<[u8; 3]> {
        (!self.wild.contains(&true)).then_some(self.bytes)
    }
}

impl FromStr for TagPattern {
    type Err = BadTagPattern;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TagPattern::parse(s)
    }
}

impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.bytes))
    }
}

/// An edit of a field that cannot take effect (pymarc raises `KeyError` for
/// the subfield cases, and does nothing for a control field; marcmap says so).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldEditError {
    /// Subfields or indicators asked of a control field.
    ControlField {
        /// The field's tag.
        tag: [u8; 3],
    },
    /// Control data asked of a data field.
    DataField {
        /// The field's tag.
        tag: [u8; 3],
    },
    /// No subfield with the code to set.
    NoSubfield {
        /// The field's tag.
        tag: [u8; 3],
        /// The code.
        code: u8,
    },
    /// More than one subfield with the code to set: which one is meant?
    RepeatedSubfield {
        /// The field's tag.
        tag: [u8; 3],
        /// The code.
        code: u8,
    },
    /// An indicator position other than 1 or 2.
    NoSuchIndicator {
        /// The position asked for.
        which: usize,
    },
}

impl fmt::Display for FieldEditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = |t: &[u8; 3]| String::from_utf8_lossy(t).into_owned();
        match self {
            FieldEditError::ControlField { tag: t } => write!(
                f,
                "field {} is a control field: it has data, no indicators or subfields",
                tag(t)
            ),
            FieldEditError::DataField { tag: t } => write!(
                f,
                "field {} is a data field: it has indicators and subfields, no data",
                tag(t)
            ),
            FieldEditError::NoSubfield { tag: t, code } => {
                write!(f, "field {} has no subfield ${}", tag(t), *code as char)
            }
            FieldEditError::RepeatedSubfield { tag: t, code } => write!(
                f,
                "field {} has more than one subfield ${}: which one to set is ambiguous",
                tag(t),
                *code as char
            ),
            FieldEditError::NoSuchIndicator { which } => {
                write!(f, "there is no indicator {which}: indicators are 1 and 2")
            }
        }
    }
}

impl std::error::Error for FieldEditError {}

impl OwnedField {
    /// The subfields, to change in place; an error for a control field.
    pub fn subfields_mut(&mut self) -> Result<&mut Vec<OwnedSubfield>, FieldEditError> {
        match &mut self.body {
            FieldBody::Control(_) => Err(FieldEditError::ControlField { tag: self.tag }),
            FieldBody::Data { subfields, .. } => Ok(subfields),
        }
    }

    /// The indicators (`None` for a control field).
    pub fn indicators(&self) -> Option<[u8; 2]> {
        match &self.body {
            FieldBody::Control(_) => None,
            FieldBody::Data { indicators, .. } => Some(*indicators),
        }
    }

    /// A control field's data (`None` for a data field).
    pub fn control_data(&self) -> Option<&[u8]> {
        match &self.body {
            FieldBody::Control(data) => Some(data),
            FieldBody::Data { .. } => None,
        }
    }

    /// Replaces a control field's data; an error for a data field.
    pub fn set_data(&mut self, value: impl Into<Vec<u8>>) -> Result<(), FieldEditError> {
        match &mut self.body {
            FieldBody::Control(data) => {
                *data = value.into();
                Ok(())
            }
            FieldBody::Data { .. } => Err(FieldEditError::DataField { tag: self.tag }),
        }
    }

    /// Sets indicator `which` (1 or 2) to `value`, as pymarc's `indicator1`
    /// and `indicator2` setters.
    pub fn set_indicator(&mut self, which: usize, value: u8) -> Result<(), FieldEditError> {
        if !(1..=2).contains(&which) {
            return Err(FieldEditError::NoSuchIndicator { which });
        }
        match &mut self.body {
            FieldBody::Control(_) => Err(FieldEditError::ControlField { tag: self.tag }),
            FieldBody::Data { indicators, .. } => {
                indicators[which - 1] = value;
                Ok(())
            }
        }
    }

    /// Sets both indicators.
    pub fn set_indicators(&mut self, value: [u8; 2]) -> Result<(), FieldEditError> {
        match &mut self.body {
            FieldBody::Control(_) => Err(FieldEditError::ControlField { tag: self.tag }),
            FieldBody::Data { indicators, .. } => {
                *indicators = value;
                Ok(())
            }
        }
    }

    /// Replaces the value of the one subfield with `code`, as pymarc's
    /// `field[code] = value`: an error when there is none or more than one, or
    /// for a control field.
    ///
    /// ```
    /// use marcmap::{FieldEditError, OwnedField};
    /// let mut f = OwnedField::data(*b"040", b' ', b' ');
    /// f.push_subfield(b'a', "DLC");
    /// f.push_subfield(b'd', "OCoLC");
    /// f.set_subfield(b'd', "DLC")?;
    /// assert_eq!(f.subfield(b'd'), Some(&b"DLC"[..]));
    /// assert!(matches!(f.set_subfield(b'z', "x"), Err(FieldEditError::NoSubfield { .. })));
    /// # Ok::<(), FieldEditError>(())
    /// ```
    pub fn set_subfield(
        &mut self,
        code: u8,
        value: impl Into<Vec<u8>>,
    ) -> Result<(), FieldEditError> {
        let tag = self.tag;
        let subfields = self.subfields_mut()?;
        let mut at = None;
        for (i, s) in subfields.iter().enumerate() {
            if s.code == code {
                if at.is_some() {
                    return Err(FieldEditError::RepeatedSubfield { tag, code });
                }
                at = Some(i);
            }
        }
        let i = at.ok_or(FieldEditError::NoSubfield { tag, code })?;
        subfields[i].value = value.into();
        Ok(())
    }

    /// Adds a subfield at `pos`, or at the end when `pos` is `None` or past the
    /// end, as pymarc's `add_subfield`; an error for a control field (where
    /// pymarc silently does nothing).
    pub fn add_subfield(
        &mut self,
        code: u8,
        value: impl Into<Vec<u8>>,
        pos: Option<usize>,
    ) -> Result<(), FieldEditError> {
        let subfields = self.subfields_mut()?;
        let subfield = OwnedSubfield {
            code,
            value: value.into(),
        };
        match pos {
            Some(p) if p <= subfields.len() => subfields.insert(p, subfield),
            _ => subfields.push(subfield),
        }
        Ok(())
    }

    /// Removes the first subfield with `code` and gives its value, as pymarc's
    /// `delete_subfield` (`None` when there is none, or for a control field).
    pub fn delete_subfield(&mut self, code: u8) -> Option<Vec<u8>> {
        let subfields = self.subfields_mut().ok()?;
        let i = subfields.iter().position(|s| s.code == code)?;
        Some(subfields.remove(i).value)
    }

    /// Removes every subfield with `code`; gives how many.
    pub fn delete_subfields(&mut self, code: u8) -> usize {
        let Ok(subfields) = self.subfields_mut() else {
            return 0;
        };
        let before = subfields.len();
        subfields.retain(|s| s.code != code);
        before - subfields.len()
    }
}

impl OwnedRecord {
    /// The fields whose tag matches `pattern`, in order.
    pub fn fields_matching(&self, pattern: TagPattern) -> impl Iterator<Item = &OwnedField> {
        self.fields.iter().filter(move |f| pattern.matches(&f.tag))
    }

    /// The fields whose tag matches `pattern`, to change in place.
    pub fn fields_matching_mut(
        &mut self,
        pattern: TagPattern,
    ) -> impl Iterator<Item = &mut OwnedField> {
        self.fields
            .iter_mut()
            .filter(move |f| pattern.matches(&f.tag))
    }

    /// Where pymarc's `add_ordered_field` (or, `grouped`, `add_grouped_field`)
    /// would put a field with `tag`: at the end when the tag is not three
    /// digits, else before the first field whose tag is not all digits or is
    /// greater (as a number, or by its first digit when `grouped`), else at the
    /// end.
    pub fn ordered_position(&self, tag: &[u8; 3], grouped: bool) -> usize {
        OwnedRecord::ordered_position_among(self.fields.iter().map(|f| f.tag), tag, grouped)
            .unwrap_or(self.fields.len())
    }

    /// [`OwnedRecord::ordered_position`] among `tags`, the tags of any
    /// record's fields in order (an edited view's, say); `None` for the end.
    /// The one home of pymarc's ordering rule.
    ///
    /// Tags of three ASCII digits compare as numbers exactly as they compare as
    /// bytes, so no number is made: the first byte alone, grouped.
    ///
    /// ```
    /// use marcmap::OwnedRecord;
    /// let tags = [*b"001", *b"245", *b"650", *b"650", *b"9XX"];
    /// assert_eq!(OwnedRecord::ordered_position_among(tags, b"650", false), Some(4));
    /// assert_eq!(OwnedRecord::ordered_position_among(tags, b"500", false), Some(2));
    /// assert_eq!(OwnedRecord::ordered_position_among(tags, b"600", true), Some(4));
    /// assert_eq!(OwnedRecord::ordered_position_among(tags, b"ABC", false), None);
    /// ```
    pub fn ordered_position_among(
        tags: impl IntoIterator<Item = [u8; 3]>,
        tag: &[u8; 3],
        grouped: bool,
    ) -> Option<usize> {
        let digits = |t: &[u8; 3]| t.iter().all(u8::is_ascii_digit);
        if !digits(tag) {
            return None;
        }
        let n = if grouped { 1 } else { 3 };
        tags.into_iter()
            .position(|t| !digits(&t) || t[..n] > tag[..n])
    }

    /// Inserts `field` in tag order, as pymarc's `add_ordered_field`: before
    /// the first field with a greater tag (or one that is not all digits), so
    /// after fields with the same tag. Gives the field's index.
    pub fn insert_ordered(&mut self, field: OwnedField) -> usize {
        let at = self.ordered_position(&field.tag, false);
        self.fields.insert(at, field);
        at
    }

    /// Inserts `field` after the last field of its hundred (`5XX` after the
    /// last `5XX`), as pymarc's `add_grouped_field`. Gives the field's index.
    pub fn insert_grouped(&mut self, field: OwnedField) -> usize {
        let at = self.ordered_position(&field.tag, true);
        self.fields.insert(at, field);
        at
    }

    /// Removes every field whose tag matches `pattern`; gives how many.
    pub fn remove_matching(&mut self, pattern: TagPattern) -> usize {
        let before = self.fields.len();
        self.fields.retain(|f| !pattern.matches(&f.tag));
        before - self.fields.len()
    }
}

impl RecordRef<'_> {
    /// An owned copy of this record, to edit: [`OwnedRecord::from_ref`].
    ///
    /// ```
    /// # fn main() -> marcmap::Result<()> {
    /// use marcmap::{OwnedRecord, RecordRef};
    /// let bytes = OwnedRecord::builder().control(*b"001", "1").build().to_iso2709()?;
    /// let mut record = RecordRef::parse(&bytes)?.to_owned();
    /// record.fields[0].set_data("2").unwrap();
    /// assert_eq!(record.control_number(), Some(&b"2"[..]));
    /// # Ok(()) }
    /// ```
    #[allow(clippy::wrong_self_convention)]
    pub fn to_owned(&self) -> OwnedRecord {
        OwnedRecord::from_ref(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(tags: &[&str]) -> OwnedRecord {
        let mut r = OwnedRecord::default();
        for t in tags {
            let tag: [u8; 3] = t.as_bytes().try_into().unwrap();
            r.push(OwnedField::data(tag, b' ', b' '));
        }
        r
    }

    fn tags(r: &OwnedRecord) -> Vec<&str> {
        r.fields.iter().map(|f| f.tag_str()).collect()
    }

    #[test]
    fn patterns() {
        let p = TagPattern::parse("9XX").unwrap();
        assert!(p.matches(b"950") && !p.matches(b"850"));
        assert!(TagPattern::parse("6..").unwrap().matches(b"651"));
        assert_eq!(TagPattern::parse("245").unwrap().as_exact(), Some(*b"245"));
        for bad in ["", "24", "2455", "2 5", "24\u{e9}"] {
            assert!(TagPattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ordered_insert_follows_pymarc() {
        // Same tag: after the existing ones. A non-digit tag stops the scan.
        let mut r = record(&["001", "245", "650", "650", "700", "CAT", "500"]);
        assert_eq!(r.insert_ordered(OwnedField::data(*b"650", b' ', b'0')), 4);
        assert_eq!(r.insert_ordered(OwnedField::data(*b"856", b' ', b'0')), 6);
        assert_eq!(r.insert_ordered(OwnedField::data(*b"ABC", b' ', b'0')), 9);
        assert_eq!(
            tags(&r),
            ["001", "245", "650", "650", "650", "700", "856", "CAT", "500", "ABC"]
        );
        let mut empty = OwnedRecord::default();
        assert_eq!(
            empty.insert_ordered(OwnedField::data(*b"100", b' ', b' ')),
            0
        );
    }

    #[test]
    fn grouped_insert_follows_pymarc() {
        let mut r = record(&["001", "245", "500", "520", "650", "600"]);
        assert_eq!(r.insert_grouped(OwnedField::data(*b"504", b' ', b' ')), 4);
        assert_eq!(r.insert_grouped(OwnedField::data(*b"610", b' ', b' ')), 7);
        assert_eq!(
            tags(&r),
            ["001", "245", "500", "520", "504", "650", "600", "610"]
        );
    }

    #[test]
    fn subfield_edits() {
        let mut f = OwnedField::data(*b"650", b' ', b'0');
        f.add_subfield(b'a', "Jazz", None).unwrap();
        f.add_subfield(b'x', "History", None).unwrap();
        f.add_subfield(b'x', "Sources", Some(99)).unwrap();
        f.add_subfield(b'6', "880-01", Some(0)).unwrap();
        assert_eq!(
            f.set_subfield(b'x', "y"),
            Err(FieldEditError::RepeatedSubfield {
                tag: *b"650",
                code: b'x'
            })
        );
        assert_eq!(f.delete_subfield(b'x'), Some(b"History".to_vec()));
        assert_eq!(f.delete_subfields(b'x'), 1);
        f.set_indicator(1, b'1').unwrap();
        assert_eq!(f.indicators(), Some(*b"10"));
        assert!(f.set_indicator(3, b'1').is_err());
        let codes: Vec<u8> = f.subfields().iter().map(|s| s.code).collect();
        assert_eq!(codes, b"6a");
        let mut c = OwnedField::control(*b"008", "x");
        assert!(c.add_subfield(b'a', "v", None).is_err());
        assert!(c.set_indicator(1, b'1').is_err());
        assert_eq!(c.delete_subfield(b'a'), None);
    }
}
