//! A deliberately simple reference parser for ISO 2709, written independently of
//! `src/`: it copies every byte it hands out, parses numbers through `str`, and
//! never tries to be fast. The zero-copy parser must agree with it.

use marcmap::RecordRef;

/// One field as the oracle sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OField {
    Control {
        tag: Vec<u8>,
        data: Vec<u8>,
    },
    Data {
        tag: Vec<u8>,
        /// The raw field bytes without the terminator.
        raw: Vec<u8>,
        ind1: u8,
        ind2: u8,
        subfields: Vec<(u8, Vec<u8>)>,
    },
}

/// One record as the oracle sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ORecord {
    pub leader: Vec<u8>,
    pub fields: Vec<OField>,
}

/// A number written as exactly `bytes.len()` ASCII digits, parsed through `str`.
pub fn number(bytes: &[u8]) -> Option<usize> {
    if bytes.is_empty() || !bytes.iter().all(|b| b.is_ascii_digit()) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// pymarc's rule: a tag below "010" made only of digits is a control field.
pub fn is_control_tag(tag: &[u8]) -> bool {
    tag.iter().all(|b| b.is_ascii_digit()) && tag < &b"010"[..]
}

/// Splits a data field the way pymarc does: indicators are the bytes before the
/// first 0x1F (missing ones read as blanks, extra ones dropped); every later
/// chunk between delimiters is a subfield, empty chunks skipped.
pub fn split_data_field(raw: &[u8]) -> (u8, u8, Vec<(u8, Vec<u8>)>) {
    let chunks: Vec<&[u8]> = raw.split(|&b| b == 0x1F).collect();
    let ind = chunks[0];
    let ind1 = if !ind.is_empty() { ind[0] } else { b' ' };
    let ind2 = if ind.len() > 1 { ind[1] } else { b' ' };
    let mut subfields = Vec::new();
    for chunk in &chunks[1..] {
        if chunk.is_empty() {
            continue;
        }
        subfields.push((chunk[0], chunk[1..].to_vec()));
    }
    (ind1, ind2, subfields)
}

/// A field from its tag and its bytes without the terminator.
fn make_field(tag: Vec<u8>, body: Vec<u8>) -> OField {
    if is_control_tag(&tag) {
        return OField::Control { tag, data: body };
    }
    let (ind1, ind2, subfields) = split_data_field(&body);
    OField::Data {
        tag,
        raw: body,
        ind1,
        ind2,
        subfields,
    }
}

/// Parses one whole record (leader to 0x1D inclusive). `Err` says what is wrong.
///
/// The declared record length is not checked: the slice is the record.
pub fn parse(rec: &[u8]) -> Result<ORecord, &'static str> {
    if rec.len() < 24 {
        return Err("shorter than a leader");
    }
    if rec[rec.len() - 1] != 0x1D {
        return Err("no record terminator");
    }
    let leader = rec[..24].to_vec();
    if !leader.is_ascii() {
        return Err("non-ASCII leader");
    }
    let base = number(&leader[12..17]).ok_or("base address not digits")?;
    if base <= 24 || base >= rec.len() {
        return Err("base address out of range");
    }
    if rec[base - 1] != 0x1E {
        return Err("no directory terminator before base address");
    }
    let directory = &rec[24..base - 1];
    if !directory.len().is_multiple_of(12) {
        return Err("directory not whole entries");
    }
    if directory.is_empty() {
        return Err("no fields");
    }
    // The data area ends before the record terminator.
    let data_end = rec.len() - 1;
    let mut fields = Vec::new();
    for entry in directory.chunks(12) {
        let tag = entry[0..3].to_vec();
        if !tag.is_ascii() {
            return Err("non-ASCII tag");
        }
        let length = number(&entry[3..7]).ok_or("field length not digits")?;
        let start = number(&entry[7..12]).ok_or("field start not digits")?;
        if length == 0 {
            return Err("zero field length");
        }
        let from = base + start;
        let to = from + length;
        if to > data_end {
            return Err("field past the data");
        }
        let field = &rec[from..to];
        if field[field.len() - 1] != 0x1E {
            return Err("no field terminator");
        }
        let body = field[..field.len() - 1].to_vec();
        fields.push(make_field(tag, body));
    }
    Ok(ORecord { leader, fields })
}

/// Parses one record the way `Validation::Repair` does (`marcmap::repair`'s
/// rules, written again the slow way): a record the strict check refuses is
/// read if its fields can be located by their terminators. `Ok(None)` is never
/// returned: `Ok` holds the record and whether it needed repair.
pub fn parse_repair(rec: &[u8]) -> Result<(ORecord, bool), &'static str> {
    let strict = parse(rec);
    let Err(why) = strict else {
        return strict.map(|r| (r, false));
    };
    // Refusals that pymarc shares: no repair is tried.
    if matches!(
        why,
        "shorter than a leader"
            | "no record terminator"
            | "non-ASCII leader"
            | "base address not digits"
            | "no fields"
    ) || number(&rec[12..17]) == Some(0)
    {
        return Err(why);
    }
    let end = rec.len() - 1;
    let declared = number(&rec[12..17]).ok_or(why)?;
    let strict_entry = |e: &[u8]| e[..3].is_ascii() && e[3..].iter().all(u8::is_ascii_digit);
    let is_entry = |e: &[u8]| strict_entry(e) && e[..3].iter().all(|&b| (0x20..0x7F).contains(&b));
    let entry_of = |e: &[u8]| {
        (
            e[..3].to_vec(),
            number(&e[7..12]).unwrap(),
            number(&e[3..7]).unwrap(),
        )
    };
    let mut entries = Vec::new();
    let base;
    if declared > 25
        && declared - 1 < end
        && rec[declared - 1] == 0x1E
        && (declared - 25) % 12 == 0
        && rec[24..declared - 1].chunks(12).all(strict_entry)
    {
        // The leader's base address frames the directory.
        entries = rec[24..declared - 1].chunks(12).map(entry_of).collect();
        base = declared;
    } else {
        let mut pos = 24;
        while pos + 12 <= end && rec[pos] != 0x1E && is_entry(&rec[pos..pos + 12]) {
            entries.push(entry_of(&rec[pos..pos + 12]));
            pos += 12;
        }
        if entries.is_empty() {
            return Err(why);
        }
        base = if rec[pos] == 0x1E {
            pos + 1
        } else if declared == pos || declared == pos + 1 {
            declared
        } else {
            return Err(why);
        };
    }
    if base > end {
        return Err(why);
    }
    let data = &rec[base..end];
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == 0x1E {
            chunks.push((from, i + 1 - from));
            from = i + 1;
        }
    }
    if from < data.len() {
        chunks.push((from, data.len() - from));
    }
    let sound = |start: usize, length: usize| {
        length > 0 && start + length <= data.len() && data[start + length - 1] == 0x1E
    };
    // Declared starts into the data never go back.
    let into_data: Vec<usize> = entries
        .iter()
        .map(|e| e.1)
        .filter(|&s| s < data.len())
        .collect();
    let in_order = chunks.len() == entries.len()
        && into_data.windows(2).all(|w| w[0] <= w[1])
        && entries
            .iter()
            .zip(&chunks)
            .all(|((_, s, l), c)| !sound(*s, *l) || (*s, *l) == *c);
    let mut fields = Vec::new();
    for (i, (tag, start, length)) in entries.into_iter().enumerate() {
        let (s, l) = if sound(start, length) && (!in_order || chunks[i] == (start, length)) {
            (start, length)
        } else if in_order {
            chunks[i]
        } else {
            match chunks.iter().find(|c| c.0 == start) {
                Some(&c) => c,
                None => return Err(why),
            }
        };
        let mut body = data[s..s + l].to_vec();
        if body.last() == Some(&0x1E) {
            body.pop();
        }
        fields.push(make_field(tag, body));
    }
    Ok((
        ORecord {
            leader: rec[..24].to_vec(),
            fields,
        },
        true,
    ))
}

/// The oracle's strict framing: walk from leader to leader. Returns the record
/// spans and, if the walk stopped before the end, where.
pub fn strict_walk(data: &[u8]) -> (Vec<(usize, usize)>, Option<usize>) {
    let mut spans = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let len = data.get(pos..pos + 5).and_then(number);
        match len {
            Some(len)
                if len >= 26
                    && pos + len <= data.len()
                    && data[pos + len - 1] == 0x1D
                    && length_is_trusted(&data[pos..pos + len]) =>
            {
                spans.push((pos, len));
                pos += len;
            }
            _ => return (spans, Some(pos)),
        }
    }
    (spans, None)
}

/// A declared length that runs past an earlier 0x1D in the field data is trusted
/// only if the directory's fields end right before the last byte.
fn length_is_trusted(record: &[u8]) -> bool {
    let last = record.len() - 1;
    let Some(first) = record[..last].iter().position(|&b| b == 0x1D) else {
        return true;
    };
    let Some(base) = number(&record[12..17]) else {
        return false;
    };
    if base > first {
        return true; // a 0x1D in the leader or directory is not checked
    }
    if base <= 24 || record[base - 1] != 0x1E || (base - 25) % 12 != 0 {
        return false;
    }
    let mut end = 0;
    for entry in record[24..base - 1].chunks(12) {
        match (number(&entry[3..7]), number(&entry[7..12])) {
            (Some(length), Some(start)) => end = end.max(start + length),
            _ => return false,
        }
    }
    base + end == last
}

/// The zero-copy record converted to the oracle's shape, through the public API.
pub fn from_ref(r: &RecordRef<'_>) -> ORecord {
    let mut fields = Vec::new();
    for f in r.fields() {
        let tag = f.tag().to_vec();
        if f.is_control() {
            assert_eq!(f.subfields().count(), 0, "control field with subfields");
            fields.push(OField::Control {
                tag,
                data: f.data().to_vec(),
            });
        } else {
            let (ind1, ind2) = f.indicators();
            let subfields = f.subfields().map(|s| (s.code, s.value.to_vec())).collect();
            fields.push(OField::Data {
                tag,
                raw: f.data().to_vec(),
                ind1,
                ind2,
                subfields,
            });
        }
    }
    assert_eq!(fields.len(), r.field_count());
    ORecord {
        leader: r.leader().as_bytes().to_vec(),
        fields,
    }
}

#[test]
fn oracle_parses_a_hand_made_record() {
    let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d";
    let rec = parse(raw).unwrap();
    assert_eq!(rec.leader, b"00056nam a2200037 a 4500");
    assert_eq!(
        rec.fields,
        vec![OField::Data {
            tag: b"245".to_vec(),
            raw: b"10\x1faA title\x1fbpart".to_vec(),
            ind1: b'1',
            ind2: b'0',
            subfields: vec![(b'a', b"A title".to_vec()), (b'b', b"part".to_vec())],
        }]
    );
    assert_eq!(from_ref(&RecordRef::parse(raw).unwrap()), rec);
}

#[test]
fn oracle_pymarc_indicator_and_empty_subfield_rules() {
    assert_eq!(split_data_field(b""), (b' ', b' ', vec![]));
    assert_eq!(split_data_field(b"1"), (b'1', b' ', vec![]));
    assert_eq!(
        split_data_field(b"123\x1f\x1fa\x1f\x1fbx"),
        (b'1', b'2', vec![(b'a', vec![]), (b'b', b"x".to_vec())])
    );
    assert!(is_control_tag(b"001") && is_control_tag(b"009"));
    assert!(!is_control_tag(b"010") && !is_control_tag(b"00A"));
    assert_eq!(number(b"+1234"), None);
    assert_eq!(number(b"01234"), Some(1234));
}

/// Record `i` of `file` (opened with the default, repairing validation) agrees
/// with both oracles: repaired exactly when the strict oracle refuses it, its
/// fields as [`parse_repair`] finds them, and, checked strictly, as [`parse`]
/// finds them. An error carries the record index and a byte inside the record.
pub fn agree(file: &marcmap::MarcFile, i: usize) -> Result<(), String> {
    let raw = file.raw(i).expect("indexed record has bytes");
    let start = file.offset(i).expect("indexed record has an offset");
    let positioned = |e: &marcmap::Error| -> Result<(), String> {
        let byte = e.position().byte.ok_or("no byte offset")?;
        if e.position().record != Some(i as u64) || byte < start || byte >= start + raw.len() as u64
        {
            return Err(format!("record {i}: badly placed error {e}"));
        }
        Ok(())
    };
    match (file.record(i), parse_repair(raw)) {
        (Ok(r), Ok((o, repaired))) => {
            if from_ref(&r) != o {
                return Err(format!(
                    "record {i}: repaired fields differ: {:?} vs {o:?}",
                    from_ref(&r)
                ));
            }
            if r.repairs().is_empty() == repaired {
                return Err(format!(
                    "record {i}: repairs {:?}, oracle repaired {repaired}",
                    r.repairs()
                ));
            }
        }
        (Err(e), Err(_)) => positioned(&e)?,
        (ours, theirs) => {
            return Err(format!(
                "record {i}: repair: marcmap {:?}, oracle {:?}",
                ours.map(|_| ()),
                theirs.map(|_| ())
            ))
        }
    }
    match (
        RecordRef::parse_with(raw, marcmap::Validation::Strict),
        parse(raw),
    ) {
        (Ok(r), Ok(o)) if from_ref(&r) == o => Ok(()),
        (Ok(_), Ok(_)) => Err(format!("record {i}: strict fields differ")),
        (Err(_), Err(_)) => Ok(()),
        (ours, theirs) => Err(format!(
            "record {i}: strict: marcmap {:?}, oracle {:?}",
            ours.map(|_| ()),
            theirs
        )),
    }
}
