//! Target `record`: Phase 2 (`RecordRef::parse`) on the bytes as one record.

use super::common::{FT, SD};
use marcmap::text::utf8;
use marcmap::{ErrorHandling, FieldRef, RecordRef};
use std::collections::BTreeSet;

/// Every decoding of `bytes`, checked against std.
fn check_decode(bytes: &[u8]) {
    let std = std::str::from_utf8(bytes);
    let strict = utf8(bytes, ErrorHandling::Strict);
    let replace = utf8(bytes, ErrorHandling::Replace).expect("replace never fails");
    let ignore = utf8(bytes, ErrorHandling::Ignore).expect("ignore never fails");
    match std {
        Ok(s) => {
            assert_eq!(strict.as_deref(), Ok(s));
            assert_eq!(replace, s);
            assert_eq!(ignore, s);
        }
        Err(e) => {
            assert_eq!(strict, Err(e.valid_up_to()));
            assert_eq!(replace, String::from_utf8_lossy(bytes));
            assert!(ignore.len() < bytes.len());
            let valid: String = bytes.utf8_chunks().map(|c| c.valid()).collect();
            assert_eq!(ignore, valid);
        }
    }
}

/// Subfields by plain splitting: after the indicators, split on 0x1F, drop
/// empty chunks, the first byte is the code.
fn oracle_subfields(field: &FieldRef<'_>) -> Vec<(u8, Vec<u8>)> {
    if field.is_control() {
        return Vec::new();
    }
    let data = field.data();
    let Some(first) = data.iter().position(|&b| b == SD) else {
        return Vec::new();
    };
    data[first + 1..]
        .split(|&b| b == SD)
        .filter(|c| !c.is_empty())
        .map(|c| (c[0], c[1..].to_vec()))
        .collect()
}

fn check_field(record: &RecordRef<'_>, i: usize, field: &FieldRef<'_>) {
    let bytes = record.as_bytes();
    assert_eq!(field.index(), i);
    assert!(field.tag().is_ascii());
    assert_eq!(field.tag_str().as_bytes(), field.tag());
    let tag = field.tag();
    let control = tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit();
    assert_eq!(field.is_control(), control);

    // The data is in place, inside the record, followed by its terminator (a
    // repaired record's last field may end at the record terminator instead:
    // its own terminator was lost).
    let off = field.offset_in_record();
    let data = field.data();
    assert!(off >= record.base_address());
    assert_eq!(&bytes[off..off + data.len()], data);
    let end = off + data.len();
    if record.repairs().is_empty() {
        assert_eq!(bytes.get(end), Some(&FT));
        assert!(end < bytes.len() - 1);
    } else {
        assert!(bytes.get(end) == Some(&FT) || end == bytes.len() - 1);
    }
    assert_eq!(data.as_ptr(), bytes[off..].as_ptr(), "not zero-copy");

    let ind = field.indicator_bytes();
    assert!(data.starts_with(ind) && !ind.contains(&SD));
    assert!(ind.len() == data.len() || data[ind.len()] == SD);
    let (i1, i2) = field.indicators();
    assert_eq!(i1, ind.first().copied().unwrap_or(b' '));
    assert_eq!(i2, ind.get(1).copied().unwrap_or(b' '));

    let subfields: Vec<_> = field.subfields().collect();
    let oracle = oracle_subfields(field);
    assert_eq!(subfields.len(), oracle.len());
    let mut codes = BTreeSet::new();
    for (sf, (code, value)) in subfields.iter().zip(&oracle) {
        assert_eq!((sf.code, sf.value), (*code, &value[..]));
        assert!(!sf.value.contains(&SD));
        check_decode(sf.value);
        codes.insert(sf.code);
    }
    for code in codes {
        let first = subfields.iter().find(|s| s.code == code).map(|s| s.value);
        assert_eq!(field.subfield(code), first);
    }
    if subfields.is_empty() {
        assert_eq!(field.subfield(b'a'), None);
    }
    check_decode(data);
    check_decode(ind);

    let shown = field.to_string();
    assert!(shown.starts_with(&format!("={}  ", field.tag_str())));
    let _ = format!("{field:?}");
}

/// Phase 2 on `data` as one record: every accessor, `Debug`, `Display`, and
/// UTF-8 decoding of every value in all three modes.
pub fn check_record(data: &[u8]) {
    let record = match RecordRef::parse(data) {
        Ok(r) => r,
        Err(e) => {
            let pos = e.position();
            assert!(pos.record.is_none());
            if let Some(b) = pos.byte {
                assert!(
                    (b as usize) < data.len().max(1),
                    "error byte {b} out of bounds"
                );
            }
            let _ = (e.to_string(), format!("{e:?}"), e.kind());
            return;
        }
    };
    assert_eq!(record.as_bytes(), data);
    let leader = record.leader();
    assert_eq!(&leader.as_bytes()[..], &data[..24]);
    // A repaired record's base address is where its data starts, which the
    // leader may not say; every repair names a byte inside the record.
    if record.repairs().is_empty() {
        assert_eq!(leader.base_address(), Some(record.base_address()));
    }
    for r in record.repairs() {
        assert!(r.byte < data.len(), "repair {r} outside the record");
        assert!(r.field.is_none_or(|f| f < record.field_count()));
        let _ = r.to_string();
    }
    let _ = (leader.record_length(), leader.is_utf8());
    check_decode(leader.as_bytes());

    let n = record.field_count();
    assert!(n > 0);
    assert_eq!(record.fields().len(), n);
    assert!(record.field(n).is_none());
    let forward: Vec<_> = record.fields().collect();
    let mut backward: Vec<_> = record.fields().rev().collect();
    backward.reverse();
    assert_eq!(forward.len(), n);
    let mut tags = BTreeSet::new();
    for (i, (f, b)) in forward.iter().zip(&backward).enumerate() {
        let g = record.field(i).expect("field in range");
        assert_eq!((f.tag(), f.data(), f.index()), (g.tag(), g.data(), i));
        assert_eq!((b.tag(), b.data(), b.index()), (g.tag(), g.data(), i));
        check_field(&record, i, f);
        tags.insert(*f.tag());
    }
    for tag in &tags {
        let with: Vec<_> = record.fields_with_tag(tag).map(|f| f.index()).collect();
        let oracle: Vec<_> = forward
            .iter()
            .filter(|f| f.tag() == tag)
            .map(|f| f.index())
            .collect();
        assert_eq!(with, oracle);
        assert_eq!(
            record.first(tag).map(|f| f.index()),
            oracle.first().copied()
        );
    }
    let cn = forward.iter().find(|f| f.tag() == b"001").map(|f| f.data());
    assert_eq!(record.control_number(), cn);

    let shown = record.to_string();
    assert!(
        shown.matches('\n').count() > n,
        "one line per field and the leader"
    );
    assert!(shown.starts_with("=LDR  "));
    let _ = format!("{record:?}");
}
