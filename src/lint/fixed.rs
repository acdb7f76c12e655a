//! The leader and the fixed-length control fields: leader values the format
//! defines, the lengths of 006 and 008, and 005 as a timestamp.

use super::{obsolete, quoted, Ctx, RecordFormat, Rule};
use crate::record::FieldRef;

/// The leader positions whose values the formats define one by one.
const POSITIONS: [(usize, &str); 7] = [
    (5, "record status"),
    (6, "type of record"),
    (7, "bibliographic level"),
    (8, "type of control"),
    (17, "encoding level"),
    (18, "descriptive cataloguing form"),
    (19, "multipart resource record level"),
];

pub(super) fn leader(ctx: &mut Ctx<'_, '_, '_>) {
    if !ctx.on(Rule::LeaderValue) && !ctx.on(Rule::ObsoleteLeaderValue) {
        return;
    }
    let leader = ctx.record.leader().as_bytes();
    // The usual leader, every value defined, tested without the findings'
    // loop (a test a position, no branch until the end).
    let defined = POSITIONS.iter().fold(true, |ok, &(pos, _)| {
        ok & ctx
            .defs()
            .leader_values(ctx.format, pos)
            .is_none_or(|allowed| allowed.contains(leader[pos]))
    });
    if !defined {
        leader_findings(ctx, leader);
    }
}

/// The leader findings of a leader with a value its format does not define.
#[cold]
#[inline(never)]
fn leader_findings(ctx: &mut Ctx<'_, '_, '_>, leader: &[u8]) {
    for &(pos, what) in &POSITIONS {
        let Some(allowed) = ctx.defs().leader_values(ctx.format, pos) else {
            continue;
        };
        let value = leader[pos];
        if !allowed.contains(value) {
            let (rule, obsolete) = if obsolete::leader(ctx.format, pos, value) {
                (Rule::ObsoleteLeaderValue, " (obsolete)")
            } else {
                (Rule::LeaderValue, "")
            };
            if ctx.on(rule) {
                let message = format!(
                    "LDR/{pos:02} ({what}) is {}{obsolete}, not one of \"{}\" in the {} format",
                    quoted(&[value]),
                    allowed.describe(),
                    ctx.format.name()
                );
                ctx.leader_finding(rule, message);
            }
        }
    }
}

/// The length a format gives 006 and 008 (007's depends on its category, and
/// is not checked).
fn fixed_length(format: RecordFormat, tag: &[u8; 3]) -> Option<usize> {
    match (format, tag) {
        (RecordFormat::Bibliographic, b"006") => Some(18),
        (RecordFormat::Bibliographic | RecordFormat::Authority, b"008") => Some(40),
        (RecordFormat::Holdings, b"008") => Some(32),
        _ => None,
    }
}

pub(super) fn control<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    let tag = field.tag();
    if tag == b"005" {
        if ctx.on(Rule::Invalid005) && !is_timestamp(field.data()) {
            let message = format!(
                "005 {} is not a timestamp yyyymmddhhmmss.f",
                quoted(field.data())
            );
            ctx.field_finding(field, None, None, Rule::Invalid005, message);
        }
        return;
    }
    if !ctx.on(Rule::ControlFieldLength) {
        return;
    }
    if let Some(want) = fixed_length(ctx.format, tag) {
        let len = field.data().len();
        if len != want {
            let message = format!(
                "{} is {len} characters long; the {} format defines {want}",
                field.tag_str(),
                ctx.format.name()
            );
            ctx.field_finding(field, None, None, Rule::ControlFieldLength, message);
        }
    }
}

/// `yyyymmddhhmmss.f`: sixteen characters, a real month, day, hour, minute and
/// second (60 allowed, for a leap second).
fn is_timestamp(v: &[u8]) -> bool {
    if v.len() != 16 || v[14] != b'.' || !v[15].is_ascii_digit() {
        return false;
    }
    if !v[..14].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    (1..=12).contains(&n(4)) && (1..=31).contains(&n(6)) && n(8) <= 23 && n(10) <= 59 && n(12) <= 60
}

#[cfg(test)]
mod tests {
    use super::is_timestamp;

    #[test]
    fn timestamps() {
        assert!(is_timestamp(b"20160721134507.0"));
        assert!(!is_timestamp(b"20161321134507.0"));
        assert!(!is_timestamp(b"2016072113450.0"));
        assert!(!is_timestamp(b"20160721134507"));
        assert!(!is_timestamp(b"20160721250000.0"));
    }
}
