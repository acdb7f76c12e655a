//! What a rule does to a record: each action applied to a [`Draft`], giving
//! how many things it changed (fields, subfields, indicators or positions;
//! zero when the record is left as it was).

use super::draft::{is_control_tag, Built, Draft, Piece};
use crate::owned::{FieldBody, OwnedSubfield, TagPattern};
use crate::record::RecordRef;
use regex::bytes::Regex;

/// A rule's action.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// `delete 9XX`: the fields.
    DeleteFields(TagPattern),
    /// `delete 650$xv`: the subfields with these codes.
    DeleteSubfields(TagPattern, Vec<u8>),
    /// `add 856 40 $u ...`: a field, in tag order (pymarc's `add_ordered_field`).
    Add(Built),
    /// `set 040$d DLC`, `set 245$a s/re/rep/`.
    SetSubfield {
        tags: TagPattern,
        code: u8,
        value: NewValue,
    },
    /// `set 245 ind2 4`.
    SetIndicator {
        tags: TagPattern,
        /// 0 or 1.
        which: usize,
        value: u8,
    },
    /// `set LDR/05 c` (`tag` `None`), `set 008/35-37 eng`.
    SetPositions {
        tag: Option<TagPattern>,
        start: usize,
        value: Vec<u8>,
    },
    /// `move 100 700`: retagged and put in tag order.
    Move { from: TagPattern, to: [u8; 3] },
    /// `copy 100 700`: a copy, retagged, in tag order.
    Copy { from: TagPattern, to: [u8; 3] },
    /// `rename 090 050`: retagged where it is.
    Rename { from: TagPattern, to: [u8; 3] },
}

/// The new value of `set TAG$c ...`.
#[derive(Debug, Clone)]
pub(crate) enum NewValue {
    /// Every subfield with the code gets this value; a field without one gets
    /// one at its end.
    Literal(Vec<u8>),
    /// Every subfield with the code has its value rewritten (the first match,
    /// or every match with `g`); the others are left alone.
    Substitute {
        regex: Regex,
        replacement: Vec<u8>,
        all: bool,
    },
}

impl Action {
    /// Whether the action can write bytes that are not ASCII (which a record
    /// not in UTF-8 cannot take as they are).
    pub(crate) fn writes_non_ascii(&self) -> bool {
        match self {
            Action::Add(b) => match &b.field.body {
                FieldBody::Control(d) => !d.is_ascii(),
                FieldBody::Data {
                    indicators,
                    subfields,
                } => {
                    !indicators.is_ascii()
                        || subfields
                            .iter()
                            .any(|s| !s.code.is_ascii() || !s.value.is_ascii())
                }
            },
            Action::SetSubfield { value, .. } => match value {
                NewValue::Literal(v) => !v.is_ascii(),
                NewValue::Substitute { replacement, .. } => !replacement.is_ascii(),
            },
            Action::SetIndicator { value, .. } => !value.is_ascii(),
            Action::SetPositions { value, .. } => !value.is_ascii(),
            _ => false,
        }
    }

    /// Whether the action certainly leaves `record`, as read, alone: it acts
    /// on fields with tags the record does not have. Then no draft need be
    /// made for it (the rule would change nothing).
    pub(crate) fn leaves_alone(&self, record: &RecordRef<'_>) -> bool {
        let tags = match self {
            Action::DeleteFields(tags)
            | Action::DeleteSubfields(tags, _)
            | Action::SetSubfield { tags, .. }
            | Action::SetIndicator { tags, .. }
            | Action::SetPositions {
                tag: Some(tags), ..
            }
            | Action::Move { from: tags, .. }
            | Action::Copy { from: tags, .. }
            | Action::Rename { from: tags, .. } => tags,
            Action::Add(_) | Action::SetPositions { tag: None, .. } => return false,
        };
        !record.tags().any(|tag| tags.matches(tag))
    }

    /// Applies the action; gives how many things changed.
    pub(crate) fn apply<'p>(&'p self, draft: &mut Draft<'_, 'p>) -> usize {
        match self {
            Action::DeleteFields(tags) => {
                let before = draft.fields.len();
                draft.fields.retain(|p| !tags.matches(&p.tag));
                before - draft.fields.len()
            }
            Action::DeleteSubfields(tags, codes) => {
                let mut n = 0;
                for k in matching(draft, tags) {
                    let mut found = 0;
                    draft.for_each_subfield(k, |_, code, _| {
                        found += usize::from(codes.contains(&code))
                    });
                    if found > 0 {
                        if let FieldBody::Data { subfields, .. } = draft.owned(k) {
                            subfields.retain(|s| !codes.contains(&s.code));
                        }
                        n += found;
                    }
                }
                n
            }
            Action::Add(field) => {
                insert_ordered(draft, Piece::added(field));
                1
            }
            Action::SetSubfield { tags, code, value } => {
                let mut n = 0;
                for k in matching(draft, tags) {
                    n += set_subfield(draft, k, *code, value);
                }
                n
            }
            Action::SetIndicator { tags, which, value } => {
                let mut n = 0;
                for k in matching(draft, tags) {
                    match draft.indicators(k) {
                        Some(ind) if ind[*which] != *value => {}
                        _ => continue,
                    }
                    if let FieldBody::Data { indicators, .. } = draft.owned(k) {
                        indicators[*which] = *value;
                        n += 1;
                    }
                }
                n
            }
            Action::SetPositions { tag, start, value } => {
                let end = start + value.len();
                let Some(tags) = tag else {
                    if draft.leader[*start..end] == value[..] {
                        return 0;
                    }
                    draft.leader[*start..end].copy_from_slice(value);
                    return 1;
                };
                let mut n = 0;
                for k in matching(draft, tags) {
                    let Some(data) = draft.control_data(k) else {
                        continue;
                    };
                    if data.get(*start..end) == Some(&value[..]) {
                        continue;
                    }
                    if let FieldBody::Control(data) = draft.owned(k) {
                        // A field too short for the positions is padded with
                        // blanks, MARC's fill for an unknown position.
                        if data.len() < end {
                            data.resize(end, b' ');
                        }
                        data[*start..end].copy_from_slice(value);
                        n += 1;
                    }
                }
                n
            }
            Action::Move { from, to } => {
                // Allocates only for a record that has such fields.
                let moved: Vec<Piece<'p>> = draft
                    .fields
                    .iter()
                    .filter(|p| from.matches(&p.tag))
                    .copied()
                    .collect();
                draft.fields.retain(|p| !from.matches(&p.tag));
                let n = moved.len();
                draft.retagged |= n > 0;
                for mut piece in moved {
                    piece.tag = *to;
                    insert_ordered(draft, piece);
                }
                n
            }
            Action::Copy { from, to } => {
                let found: Vec<usize> = matching(draft, from).collect();
                let copies: Vec<Piece<'p>> = found.into_iter().map(|k| draft.copy_of(k)).collect();
                let n = copies.len();
                draft.retagged |= n > 0;
                for mut piece in copies {
                    piece.tag = *to;
                    insert_ordered(draft, piece);
                }
                n
            }
            Action::Rename { from, to } => {
                let mut n = 0;
                for piece in draft.fields.iter_mut().filter(|p| from.matches(&p.tag)) {
                    if piece.tag != *to {
                        piece.tag = *to;
                        n += 1;
                    }
                }
                draft.retagged |= n > 0;
                n
            }
        }
    }
}

/// The positions of the pieces whose tag matches `tags` (as they are now: an
/// action that only changes fields in place keeps them valid).
fn matching<'d>(draft: &Draft<'_, '_>, tags: &'d TagPattern) -> impl Iterator<Item = usize> + 'd {
    let found: smallvec::SmallVec<[usize; 8]> = draft
        .fields
        .iter()
        .enumerate()
        .filter(|(_, p)| tags.matches(&p.tag))
        .map(|(k, _)| k)
        .collect();
    found.into_iter()
}

/// pymarc's `add_ordered_field`, on a draft.
///
/// [`crate::OwnedRecord::ordered_position_among`]'s rule, with each tag read
/// as one number: three ASCII digits compare as numbers exactly as their bytes
/// do.
fn insert_ordered<'p>(draft: &mut Draft<'_, 'p>, piece: Piece<'p>) {
    let key = |t: &[u8; 3]| u32::from_be_bytes([0, t[0], t[1], t[2]]);
    let digits = |t: &[u8; 3]| t.iter().all(u8::is_ascii_digit);
    let at = if digits(&piece.tag) {
        let tag = key(&piece.tag);
        draft
            .fields
            .iter()
            .position(|p| !digits(&p.tag) || key(&p.tag) > tag)
    } else {
        None
    };
    debug_assert_eq!(
        at,
        crate::OwnedRecord::ordered_position_among(draft.tags(), &piece.tag, false)
    );
    draft.fields.insert(at.unwrap_or(draft.fields.len()), piece);
}

/// `set TAG$c VALUE` on piece `k`; gives how many subfields changed.
fn set_subfield(draft: &mut Draft<'_, '_>, k: usize, code: u8, value: &NewValue) -> usize {
    if draft.is_control(k) {
        return 0;
    }
    // What changes, found on the field as it is (read or owned), so that a
    // field that does not change is not copied.
    let mut changes: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut seen = false;
    draft.for_each_subfield(k, |i, c, v| {
        if c != code {
            return;
        }
        seen = true;
        match value {
            NewValue::Literal(new) => {
                if v != &new[..] {
                    changes.push((i, new.clone()));
                }
            }
            NewValue::Substitute {
                regex,
                replacement,
                all,
            } => {
                let limit = if *all { 0 } else { 1 };
                let out = regex.replacen(v, limit, &replacement[..]);
                if out[..] != *v {
                    changes.push((i, out.into_owned()));
                }
            }
        }
    });
    let add = !seen && matches!(value, NewValue::Literal(_));
    if changes.is_empty() && !add {
        return 0;
    }
    let FieldBody::Data { subfields, .. } = draft.owned(k) else {
        return 0;
    };
    let n = changes.len();
    for (i, new) in changes {
        subfields[i].value = new;
    }
    if add {
        if let NewValue::Literal(new) = value {
            subfields.push(OwnedSubfield {
                code,
                value: new.clone(),
            });
        }
        return n + 1;
    }
    n
}

/// Whether a retagging keeps a field's kind (control or data): a control
/// field's data cannot become indicators and subfields.
pub(crate) fn same_kind(from: &TagPattern, to: &[u8; 3]) -> bool {
    match from.as_exact() {
        Some(tag) => is_control_tag(&tag) == is_control_tag(to),
        // A pattern: every tag it can match must be of the target's kind,
        // which a pattern over 00X-only or 01X-and-up positions says.
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::draft::{Body, Buffers};
    use super::*;
    use crate::{OwnedRecord, RecordRef};

    fn record() -> Vec<u8> {
        OwnedRecord::builder()
            .control(*b"001", "1")
            .control(*b"008", "abc")
            .data(*b"100", b'1', b' ')
            .subfield(b'a', "Name")
            .data(*b"245", b'1', b'0')
            .subfield(b'a', "The title /")
            .subfield(b'c', "by me.")
            .data(*b"650", b' ', b'0')
            .subfield(b'a', "Jazz")
            .subfield(b'x', "History")
            .subfield(b'x', "Sources")
            .data(*b"949", b' ', b' ')
            .subfield(b'a', "local")
            .build()
            .to_iso2709()
            .unwrap()
    }

    fn tags(d: &Draft<'_, '_>) -> String {
        d.fields
            .iter()
            .map(|p| String::from_utf8_lossy(&p.tag).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn actions_change_what_they_say_and_leave_the_rest_borrowed() {
        let bytes = record();
        let r = RecordRef::parse(&bytes).unwrap();
        let p = |s: &str| TagPattern::parse(s).unwrap();
        // The actions outlive the draft, which may borrow what they add.
        let set = |v: &str| Action::SetSubfield {
            tags: p("246"),
            code: b'a',
            value: NewValue::Literal(v.as_bytes().to_vec()),
        };
        let actions = [
            Action::DeleteFields(p("9XX")),
            Action::DeleteSubfields(p("650"), b"x".to_vec()),
            Action::Rename {
                from: p("100"),
                to: *b"110",
            },
            Action::Copy {
                from: p("110"),
                to: *b"710",
            },
            Action::Move {
                from: p("245"),
                to: *b"246",
            },
            set("The title /"),
            Action::SetSubfield {
                tags: p("246"),
                code: b'a',
                value: NewValue::Substitute {
                    regex: Regex::new(r"^(\w+) (\w+) /$").unwrap(),
                    replacement: b"$2, $1".to_vec(),
                    all: false,
                },
            },
            Action::SetPositions {
                tag: Some(p("008")),
                start: 5,
                value: b"eng".to_vec(),
            },
            Action::SetIndicator {
                tags: p("246"),
                which: 1,
                value: b'4',
            },
        ];
        let mut buffers = Buffers::default();
        let mut d = Draft::new(&r, &mut buffers);
        let changes: Vec<usize> = actions[..5].iter().map(|a| a.apply(&mut d)).collect();
        assert_eq!(changes, [1, 2, 1, 1, 1]);
        assert_eq!(tags(&d), "001 008 110 246 650 710");
        assert!(
            matches!(d.fields[2].body, Body::Read(_)),
            "a rename copies nothing"
        );
        assert_eq!(actions[5].apply(&mut d), 0);
        assert!(
            matches!(d.fields[3].body, Body::Read(_)),
            "no change, no copy"
        );
        let changes: Vec<usize> = actions[6..].iter().map(|a| a.apply(&mut d)).collect();
        assert_eq!(changes, [1, 1, 1]);
        assert_eq!(actions[8].apply(&mut d), 0);
        let mut out = Vec::new();
        d.write(&mut Default::default(), &mut out).unwrap();
        let back = RecordRef::parse(&out).unwrap();
        assert_eq!(back.first(b"008").unwrap().data(), b"abc  eng");
        let f246 = back.first(b"246").unwrap();
        assert_eq!(f246.subfield(b'a'), Some(&b"title, The"[..]));
        assert_eq!(f246.indicators(), (b'1', b'4'));
        assert_eq!(back.first(b"650").unwrap().data(), b" 0\x1faJazz");
    }
}
