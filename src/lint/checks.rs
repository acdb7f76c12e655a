//! The walk over one record: the leader, then each field against its
//! definition (tag, repeatability, indicators, subfields), then the checks of
//! particular fields, then what concerns the record as a whole (245, 1XX).
//!
//! An 880 is checked against the field its `$6` names (`245-01` checks it as
//! a 245), as MARC::Lint does: its indicators, subfields and field checks are
//! those of that field, and it counts towards that field's repeatability among
//! the 880s.

use super::{fields, fixed, title, Ctx, FieldDef, RecordFormat, Rule};
use crate::record::FieldRef;
use smallvec::SmallVec;

/// Lints `ctx.record` into `ctx.out`.
pub(super) fn record(ctx: &mut Ctx<'_, '_, '_>) {
    fixed::leader(ctx);
    let record = ctx.record;
    // The non-repeatable tags seen so far (with a flag for 880s linked to them).
    let mut seen: SmallVec<[([u8; 3], bool); 32]> = SmallVec::new();
    let mut main_entries = 0usize;
    let mut has_245 = false;
    for field in record.fields() {
        let tag = *field.tag();
        if tag[0] == b'1' {
            main_entries += 1;
            if main_entries == 2 && ctx.on(Rule::Multiple1xx) {
                let n = record.fields().filter(|f| f.tag()[0] == b'1').count();
                ctx.field_finding(
                    &field,
                    None,
                    None,
                    Rule::Multiple1xx,
                    format!("{n} main entries (1XX) in one record: at most one is allowed"),
                );
            }
        }
        has_245 |= &tag == b"245";
        if field.is_control() {
            control_field(ctx, &field, &mut seen);
        } else {
            data_field(ctx, &field, &mut seen);
        }
    }
    if ctx.format == RecordFormat::Bibliographic && !has_245 && ctx.on(Rule::Missing245) {
        ctx.record_finding(Rule::Missing245, "no 245 (title statement)".into());
    }
}

fn control_field<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    seen: &mut SmallVec<[([u8; 3], bool); 32]>,
) {
    let tag = *field.tag();
    if ctx.on(Rule::ControlFieldSubfields) && memchr::memchr(0x1F, field.data()).is_some() {
        ctx.field_finding(
            field,
            None,
            None,
            Rule::ControlFieldSubfields,
            format!(
                "{} is a control field but holds a subfield delimiter",
                field.tag_str()
            ),
        );
    }
    match ctx.defs().field(ctx.format, &tag).copied() {
        Some(def) => repeat(ctx, field, &def, tag, false, seen),
        None => undefined_tag(ctx, field),
    }
    fixed::control(ctx, field);
}

fn data_field<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    seen: &mut SmallVec<[([u8; 3], bool); 32]>,
) {
    let tag = *field.tag();
    let mut checked_as = tag;
    let mut linked = false;
    if &tag == b"880" {
        match field.subfield(b'6') {
            None => {
                if ctx.on(Rule::Linkage880) {
                    ctx.field_finding(
                        field,
                        None,
                        None,
                        Rule::Linkage880,
                        "880 has no $6 (linkage)".into(),
                    );
                }
            }
            Some(link) => {
                if let Some(t) = link.get(..3) {
                    let t = [t[0], t[1], t[2]];
                    if ctx.defs().field(ctx.format, &t).is_some() {
                        checked_as = t;
                        linked = true;
                    }
                }
                if ctx.on(Rule::Linkage880) {
                    linkage(ctx, field, link);
                }
            }
        }
    }
    let Some(def) = ctx.defs().field(ctx.format, &checked_as).copied() else {
        undefined_tag(ctx, field);
        control_characters(ctx, field, &checked_as);
        return;
    };
    repeat(ctx, field, &def, checked_as, linked, seen);
    let name = display_tag(field, &checked_as, linked);
    if ctx.on(Rule::UndefinedIndicator) {
        let count = field.indicator_bytes().len();
        if count != 2 {
            ctx.field_finding(
                field,
                None,
                None,
                Rule::UndefinedIndicator,
                format!("{name} has {count} indicator characters, not 2"),
            );
        }
        let (i1, i2) = indicators(field);
        for (n, value, allowed) in [(1u8, i1, def.ind1), (2, i2, def.ind2)] {
            if !allowed.contains(value) {
                ctx.field_finding(
                    field,
                    Some(b'0' + n),
                    None,
                    Rule::UndefinedIndicator,
                    format!(
                        "{name} indicator {n} is {:?}, not one of \"{}\"",
                        value as char,
                        allowed.describe()
                    ),
                );
            }
        }
    }
    subfields(ctx, field, &def, &name);
    control_characters(ctx, field, &checked_as);
    match &checked_as {
        b"020" => fields::isbn(ctx, field),
        b"041" => fields::language(ctx, field),
        b"043" => fields::geographic_area(ctx, field),
        b"245" => title::title(ctx, field, &name),
        b"250" => title::edition(ctx, field, &name),
        b"260" | b"264" => title::publication(ctx, field, &name),
        _ => {}
    }
}

/// The indicators as lint reads them: both blank unless the field has one
/// or two indicator characters (as MARC::Record reads them), a missing second
/// one blank.
pub(super) fn indicators(field: &FieldRef<'_>) -> (u8, u8) {
    match field.indicator_bytes() {
        [a] => (*a, b' '),
        [a, b] => (*a, *b),
        _ => (b' ', b' '),
    }
}

/// How a finding names the field: `245`, or `880 (245)` for a linked 880.
fn display_tag(field: &FieldRef<'_>, checked_as: &[u8; 3], linked: bool) -> String {
    if linked {
        format!("880 ({})", String::from_utf8_lossy(checked_as))
    } else {
        field.tag_str().to_string()
    }
}

fn undefined_tag<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    let tag = field.tag();
    if ctx.on(Rule::UndefinedTag) && !(ctx.defs().allows_local() && ctx.defs().is_local_tag(tag)) {
        let message = format!(
            "{} is not defined in the MARC 21 {} format",
            field.tag_str(),
            ctx.format.name()
        );
        ctx.field_finding(field, None, None, Rule::UndefinedTag, message);
    }
}

fn repeat<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    def: &FieldDef,
    checked_as: [u8; 3],
    linked: bool,
    seen: &mut SmallVec<[([u8; 3], bool); 32]>,
) {
    if def.repeatable {
        return;
    }
    if seen.contains(&(checked_as, linked)) {
        if ctx.on(Rule::NonRepeatableField) {
            let message = if linked {
                format!(
                    "880 linked to {} repeats, and {0} is not repeatable",
                    String::from_utf8_lossy(&checked_as)
                )
            } else {
                format!("{} is not repeatable but occurs again", field.tag_str())
            };
            ctx.field_finding(field, None, None, Rule::NonRepeatableField, message);
        }
    } else {
        seen.push((checked_as, linked));
    }
}

fn subfields<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, def: &FieldDef, name: &str) {
    let undefined = ctx.on(Rule::UndefinedSubfield);
    let repeated = ctx.on(Rule::NonRepeatableSubfield);
    if !undefined && !repeated {
        return;
    }
    let local = ctx.defs().allows_local();
    let mut seen = 0u128;
    for sub in field.subfields() {
        let code = sub.code;
        let bit = if code < 128 { 1u128 << code } else { 0 };
        if !def.subfields.contains(code) {
            if undefined && !(local && code == b'9') {
                ctx.field_finding(
                    field,
                    Some(code),
                    Some(sub.value),
                    Rule::UndefinedSubfield,
                    format!("{name} ${} is not defined", code.escape_ascii()),
                );
            }
        } else if repeated && seen & bit != 0 && !def.repeatable_subfields.contains(code) {
            ctx.field_finding(
                field,
                Some(code),
                Some(sub.value),
                Rule::NonRepeatableSubfield,
                format!(
                    "{name} ${} is not repeatable but occurs again",
                    code as char
                ),
            );
        }
        seen |= bit;
    }
}

fn control_characters<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, checked_as: &[u8; 3]) {
    if !ctx.on(Rule::ControlCharacter) {
        return;
    }
    for sub in field.subfields() {
        if sub
            .value
            .iter()
            .any(|&b| matches!(b, b'\t' | b'\r' | b'\n'))
        {
            ctx.field_finding(
                field,
                Some(sub.code),
                Some(sub.value),
                Rule::ControlCharacter,
                format!(
                    "{} ${} holds a tab, carriage return or line feed",
                    String::from_utf8_lossy(checked_as),
                    sub.code.escape_ascii()
                ),
            );
        }
    }
}

/// An 880's `$6` (`245-01/(N`) must name a field with that tag whose own `$6`
/// links back (`880-01`); occurrence `00` means the 880 has no associated field.
fn linkage<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, link: &'a [u8]) {
    let (Some(tag), Some(occurrence)) = (link.get(..3), link.get(4..6)) else {
        ctx.field_finding(
            field,
            Some(b'6'),
            Some(link),
            Rule::Linkage880,
            format!(
                "880 $6 {:?} is not a linkage (tag-occurrence)",
                String::from_utf8_lossy(link)
            ),
        );
        return;
    };
    if occurrence == b"00" {
        return;
    }
    let back = |f: &FieldRef<'_>| {
        f.tag() == tag
            && f.subfield(b'6')
                .is_some_and(|s| s.starts_with(b"880-") && s.get(4..6) == Some(occurrence))
    };
    if !ctx.record.fields().any(|f| back(&f)) {
        let message = format!(
            "880 $6 {} links to no {} with $6 880-{}",
            String::from_utf8_lossy(&link[..6]),
            String::from_utf8_lossy(tag),
            String::from_utf8_lossy(occurrence)
        );
        ctx.field_finding(field, Some(b'6'), Some(link), Rule::Linkage880, message);
    }
}
