//! Random structurally valid records for property tests, and their serialisation.

use crate::oracle::{OField, ORecord};
use proptest::collection::vec;
use proptest::prelude::*;

/// A field to serialise.
#[derive(Debug, Clone)]
pub enum GField {
    Control {
        tag: [u8; 3],
        data: Vec<u8>,
    },
    Data {
        tag: [u8; 3],
        /// 0 to 3 indicator bytes (never 0x1F).
        indicators: Vec<u8>,
        /// `None` is an empty chunk (two delimiters in a row), which readers skip.
        subfields: Vec<Option<(u8, Vec<u8>)>>,
    },
}

/// A record to serialise.
#[derive(Debug, Clone)]
pub struct GRecord {
    /// Leader bytes 5-11 and 17-23 (the rest is computed).
    pub leader_free: [u8; 14],
    pub fields: Vec<GField>,
    /// Lay the field data out in reverse directory order.
    pub reverse_data: bool,
}

impl GField {
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            GField::Control { data, .. } => out.extend(data),
            GField::Data {
                indicators,
                subfields,
                ..
            } => {
                out.extend(indicators);
                for sf in subfields {
                    out.push(0x1F);
                    if let Some((code, value)) = sf {
                        out.push(*code);
                        out.extend(value);
                    }
                }
            }
        }
        out.push(0x1E);
        out
    }

    fn tag(&self) -> [u8; 3] {
        match self {
            GField::Control { tag, .. } | GField::Data { tag, .. } => *tag,
        }
    }
}

impl GRecord {
    /// ISO 2709 bytes: leader, directory, fields, 0x1D.
    pub fn serialise(&self) -> Vec<u8> {
        let bodies: Vec<Vec<u8>> = self.fields.iter().map(GField::bytes).collect();
        let mut starts: Vec<usize> = vec![0; bodies.len()];
        let mut data: Vec<u8> = Vec::new();
        let order: Vec<usize> = if self.reverse_data {
            (0..bodies.len()).rev().collect()
        } else {
            (0..bodies.len()).collect()
        };
        for i in order {
            starts[i] = data.len();
            data.extend(&bodies[i]);
        }
        let base = 24 + 12 * bodies.len() + 1;
        let total = base + data.len() + 1;
        assert!(total <= 99_999, "generated record too long");
        let mut out = format!("{total:05}").into_bytes();
        out.extend(&self.leader_free[..7]);
        out.extend(format!("{base:05}").bytes());
        out.extend(&self.leader_free[7..]);
        for (i, (f, body)) in self.fields.iter().zip(&bodies).enumerate() {
            out.extend(f.tag());
            out.extend(format!("{:04}{:05}", body.len(), starts[i]).bytes());
        }
        out.push(0x1E);
        out.extend(data);
        out.push(0x1D);
        assert_eq!(out.len(), total);
        out
    }

    /// What a correct reader must return for this record.
    pub fn expected(&self, serialised: &[u8]) -> ORecord {
        let fields = self
            .fields
            .iter()
            .map(|f| match f {
                GField::Control { tag, data } => OField::Control {
                    tag: tag.to_vec(),
                    data: data.clone(),
                },
                GField::Data {
                    tag,
                    indicators,
                    subfields,
                } => {
                    let raw = f.bytes();
                    OField::Data {
                        tag: tag.to_vec(),
                        raw: raw[..raw.len() - 1].to_vec(),
                        ind1: indicators.first().copied().unwrap_or(b' '),
                        ind2: indicators.get(1).copied().unwrap_or(b' '),
                        subfields: subfields
                            .iter()
                            .flatten()
                            .map(|(c, v)| (*c, v.clone()))
                            .collect(),
                    }
                }
            })
            .collect();
        ORecord {
            leader: serialised[..24].to_vec(),
            fields,
        }
    }
}

/// Any byte except those in `excluded`.
pub fn byte_except(excluded: &'static [u8]) -> impl Strategy<Value = u8> {
    any::<u8>().prop_filter("excluded byte", move |b| !excluded.contains(b))
}

/// Bytes for field content. `allow_record_terminator` lets 0x1D appear inside
/// fields (legal: the directory frames them), which only exact framing survives.
fn content(allow_record_terminator: bool, max: usize) -> BoxedStrategy<Vec<u8>> {
    let excluded: &'static [u8] = if allow_record_terminator {
        b"\x1f"
    } else {
        b"\x1d\x1f"
    };
    vec(
        prop_oneof![
            3 => proptest::char::range('a', 'z').prop_map(|c| c as u8),
            1 => byte_except(excluded),
        ],
        0..max,
    )
    .boxed()
}

fn control_field(allow_rt: bool) -> impl Strategy<Value = GField> {
    (b'0'..=b'9', content(allow_rt, 40)).prop_map(|(d, data)| GField::Control {
        tag: [b'0', b'0', d],
        data,
    })
}

fn data_tag(allow_rt: bool) -> impl Strategy<Value = [u8; 3]> {
    prop_oneof![
        // Numeric tags from 010 up, as in real records.
        (10u16..1000).prop_map(|n| {
            let s = format!("{n:03}");
            let b = s.as_bytes();
            [b[0], b[1], b[2]]
        }),
        // Any ASCII tag (alphabetic tags exist in the wild), other than the control range.
        proptest::array::uniform3(0u8..0x80).prop_filter("not a control tag", move |t| {
            !(t[0] == b'0' && t[1] == b'0' && t[2].is_ascii_digit())
                && (allow_rt || !t.contains(&0x1D))
        }),
    ]
}

fn data_field(allow_rt: bool) -> impl Strategy<Value = GField> {
    let not_delimiter: &'static [u8] = if allow_rt { b"\x1f" } else { b"\x1d\x1f" };
    let subfield = prop_oneof![
        8 => (byte_except(not_delimiter), content(allow_rt, 20)).prop_map(Some),
        1 => Just(None),
    ];
    (
        data_tag(allow_rt),
        vec(byte_except(not_delimiter), 0..=3),
        vec(subfield, 0..6),
    )
        .prop_map(|(tag, indicators, subfields)| GField::Data {
            tag,
            indicators,
            subfields,
        })
}

/// Leader bytes 5-11 and 17-23. `realistic` keeps them non-digit letters and blanks
/// with "22" at 10-11, as real records have; otherwise any ASCII.
fn leader_free(realistic: bool) -> BoxedStrategy<[u8; 14]> {
    if realistic {
        vec(prop_oneof![Just(b' '), b'a'..=b'z'], 14)
            .prop_map(|v| {
                let mut a = [0u8; 14];
                a.copy_from_slice(&v);
                a[5] = b'2';
                a[6] = b'2';
                a
            })
            .boxed()
    } else {
        vec(0u8..0x80, 14)
            .prop_map(|v| {
                let mut a = [0u8; 14];
                a.copy_from_slice(&v);
                a
            })
            .boxed()
    }
}

/// A random structurally valid record.
///
/// `realistic`: leader as in real files and no 0x1D inside fields (what lenient
/// resynchronisation can be expected to handle); otherwise anything legal.
pub fn record(realistic: bool) -> impl Strategy<Value = GRecord> {
    let allow_rt = !realistic;
    let field = prop_oneof![
        1 => control_field(allow_rt),
        3 => data_field(allow_rt),
    ];
    (leader_free(realistic), vec(field, 1..8), any::<bool>()).prop_map(
        |(leader_free, fields, reverse_data)| GRecord {
            leader_free,
            fields,
            reverse_data,
        },
    )
}
