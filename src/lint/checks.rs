//! The walk over one record: the leader, then each field against its
//! definition (tag, repeatability, indicators, subfields), then the checks of
//! particular fields, then what concerns the record as a whole (245, 1XX).
//!
//! An 880 is checked against the field its `$6` names (`245-01` checks it as
//! a 245), as MARC::Lint does: its indicators, subfields and field checks are
//! those of that field, and it counts towards that field's repeatability among
//! the 880s.

use super::definitions::{numeric_tag, AlnumCodes};
use super::{fields, fixed, obsolete, quoted, title, Ctx, FieldDef, RecordFormat, Rule};
use crate::record::{FieldRef, Subfield};
use smallvec::SmallVec;

/// Lints `ctx.record` into `ctx.out`.
pub(super) fn record(ctx: &mut Ctx<'_, '_, '_>) {
    fixed::leader(ctx);
    let record = ctx.record;
    ctx.control_chars = ctx.on(Rule::ControlCharacter)
        && memchr::memchr3(
            b'\t',
            b'\r',
            b'\n',
            &record.as_bytes()[record.base_address()..],
        )
        .is_some();
    // The non-repeatable tags seen so far (with a flag for 880s linked to them).
    let mut seen = Seen::default();
    let mut main_entries = 0usize;
    let mut has_245 = false;
    for field in record.fields() {
        let tag = *field.tag();
        // The tag's number, read once: it indexes the definitions, the
        // repeatability bits and the field checks.
        let number = numeric_tag(&tag);
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
        has_245 |= number == Some(245);
        if number == Some(8) && ctx.first_008.is_none() {
            ctx.first_008 = Some(field.data());
        }
        // `FieldRef::is_control` (00X), from the number already read.
        if matches!(number, Some(0..10)) {
            control_field(ctx, &field, number, &mut seen);
        } else {
            data_field(ctx, &field, number, &mut seen);
        }
    }
    if ctx.format == RecordFormat::Bibliographic && !has_245 && ctx.on(Rule::Missing245) {
        ctx.record_finding(Rule::Missing245, "no 245 (title statement)".into());
    }
}

/// The definition of `tag` (whose number is `number`) in the record's format.
#[inline(always)]
fn definition<'l>(
    ctx: &Ctx<'l, '_, '_>,
    tag: &[u8; 3],
    number: Option<usize>,
) -> Option<&'l FieldDef> {
    match number {
        Some(n) => ctx.numeric.get(n),
        None => ctx.linter.definitions.field(ctx.format, tag),
    }
}

/// [`definition`], with its subfield codes as [`AlnumCodes`] (the numeric
/// tags' made once, with the table).
#[inline(always)]
fn definition_with_codes<'l>(
    ctx: &Ctx<'l, '_, '_>,
    tag: &[u8; 3],
    number: Option<usize>,
) -> Option<(&'l FieldDef, AlnumCodes)> {
    match number {
        Some(n) => ctx.numeric.get_with_codes(n),
        None => ctx
            .linter
            .definitions
            .field(ctx.format, tag)
            .map(|def| (def, AlnumCodes::of(def))),
    }
}

fn control_field<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    number: Option<usize>,
    seen: &mut Seen,
) {
    let tag = *field.tag();
    if ctx.on(Rule::ControlFieldSubfields) && holds_delimiter(ctx.record.as_bytes(), field.data()) {
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
    match definition(ctx, &tag, number) {
        Some(def) => {
            if def.obsolete {
                obsolete_tag(ctx, field);
            }
            repeat(ctx, field, def, tag, number, false, seen)
        }
        None => undefined_tag(ctx, field),
    }
    fixed::control(ctx, field);
}

fn data_field<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    number: Option<usize>,
    seen: &mut Seen,
) {
    let tag = *field.tag();
    let mut checked_as = tag;
    let mut checked_number = number;
    let mut linked = false;
    if number == Some(880) {
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
                    let n = numeric_tag(&t);
                    if definition(ctx, &t, n).is_some() {
                        checked_as = t;
                        checked_number = n;
                        linked = true;
                    }
                }
                if ctx.on(Rule::Linkage880) {
                    linkage(ctx, field, link);
                }
            }
        }
    }
    let Some((def, codes)) = definition_with_codes(ctx, &checked_as, checked_number) else {
        undefined_tag(ctx, field);
        control_characters(ctx, field, &checked_as);
        return;
    };
    if def.obsolete && !linked {
        obsolete_tag(ctx, field);
    }
    repeat(ctx, field, def, checked_as, checked_number, linked, seen);
    // Made only where a finding or a field check needs it.
    let name = || Name {
        tag,
        linked: linked.then_some(checked_as),
    };
    let ind_bytes = indicator_bytes(field);
    if ctx.on(Rule::UndefinedIndicator) || ctx.on(Rule::ObsoleteIndicator) {
        // The walk tests the usual case, two defined indicators; the
        // findings are made apart.
        let (i1, i2) = indicators_of(ind_bytes);
        if ind_bytes.len() != 2 || !def.ind1.contains(i1) || !def.ind2.contains(i2) {
            indicator_findings(ctx, field, def, &name(), checked_as, ind_bytes);
        }
    }
    subfields(ctx, field, def, codes, name, ind_bytes.len());
    control_characters(ctx, field, &checked_as);
    match checked_number {
        Some(20) => fields::isbn(ctx, field),
        Some(41) => fields::language(ctx, field),
        Some(43) => fields::geographic_area(ctx, field),
        Some(245) => title::title(ctx, field, &name()),
        Some(250) => title::edition(ctx, field, &name()),
        Some(260 | 264) => title::publication(ctx, field, &name()),
        _ => {}
    }
}

/// The indicator findings of a field whose indicators are not two defined
/// values (rare: out of the walk's way).
#[cold]
#[inline(never)]
fn indicator_findings<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    def: &FieldDef,
    name: &Name,
    checked_as: [u8; 3],
    ind_bytes: &[u8],
) {
    let count = ind_bytes.len();
    if count != 2 && ctx.on(Rule::UndefinedIndicator) {
        ctx.field_finding(
            field,
            None,
            None,
            Rule::UndefinedIndicator,
            format!("{name} has {count} indicator characters, not 2"),
        );
    }
    let (i1, i2) = indicators_of(ind_bytes);
    for (n, value, allowed) in [(1u8, i1, def.ind1), (2, i2, def.ind2)] {
        if !allowed.contains(value) {
            let rule = if obsolete::indicator(ctx.format, &checked_as, n, value) {
                Rule::ObsoleteIndicator
            } else {
                Rule::UndefinedIndicator
            };
            if ctx.on(rule) {
                let obsolete = if rule == Rule::ObsoleteIndicator {
                    " (obsolete)"
                } else {
                    ""
                };
                ctx.field_finding(
                    field,
                    Some(b'0' + n),
                    None,
                    rule,
                    format!(
                        "{name} indicator {n} is {}{obsolete}, not one of \"{}\"",
                        quoted(&[value]),
                        allowed.describe()
                    ),
                );
            }
        }
    }
}

/// The indicators as lint reads them: both blank unless the field has one
/// or two indicator characters (as MARC::Record reads them), a missing second
/// one blank.
pub(super) fn indicators(field: &FieldRef<'_>) -> (u8, u8) {
    indicators_of(field.indicator_bytes())
}

/// [`FieldRef::indicator_bytes`], its usual shape (two indicators, then a
/// delimiter) tested here, inlined into the walk, and the general search
/// called only for the rest.
#[inline(always)]
fn indicator_bytes<'a>(field: &FieldRef<'a>) -> &'a [u8] {
    let d = field.data();
    match d {
        [a, b, 0x1F, ..] if *a != 0x1F && *b != 0x1F => &d[..2],
        _ => field.indicator_bytes(),
    }
}

fn indicators_of(ind: &[u8]) -> (u8, u8) {
    match ind {
        [a] => (*a, b' '),
        [a, b] => (*a, *b),
        _ => (b' ', b' '),
    }
}

/// How a finding names the field: `245`, or `880 (245)` for an 880 checked
/// as the field it links to. Written only when there is a finding.
#[derive(Clone, Copy)]
pub(super) struct Name {
    tag: [u8; 3],
    linked: Option<[u8; 3]>,
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tags are ASCII: written as they are, with no copy.
        match &self.linked {
            Some(t) => write!(
                f,
                "{} ({})",
                String::from_utf8_lossy(&self.tag),
                String::from_utf8_lossy(t)
            ),
            None => f.write_str(&String::from_utf8_lossy(&self.tag)),
        }
    }
}

fn undefined_tag<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    let tag = field.tag();
    if ctx.defs().allows_local() && ctx.defs().is_local_tag(tag) {
        return;
    }
    if obsolete::tag(ctx.format, tag) {
        obsolete_tag(ctx, field);
    } else if ctx.on(Rule::UndefinedTag) {
        let message = format!(
            "{} is not defined in the MARC 21 {} format",
            field.tag_str(),
            ctx.format.name()
        );
        ctx.field_finding(field, None, None, Rule::UndefinedTag, message);
    }
}

/// A field whose tag LoC lists as obsolete (or a definitions file marks
/// `deprecated`).
fn obsolete_tag<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>) {
    if ctx.on(Rule::ObsoleteTag) {
        // The most frequent finding: its message put together without `format!`.
        let message = [
            field.tag_str(),
            " is obsolete in the MARC 21 ",
            ctx.format.name(),
            " format",
        ]
        .concat();
        ctx.field_finding(field, None, None, Rule::ObsoleteTag, message);
    }
}

#[inline(always)]
fn repeat<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    def: &FieldDef,
    checked_as: [u8; 3],
    number: Option<usize>,
    linked: bool,
    seen: &mut Seen,
) {
    if !def.repeatable && !seen.insert(checked_as, number, linked) {
        repeated(ctx, field, checked_as, linked);
    }
}

/// The finding for a non-repeatable field seen again (rare: out of the walk's way).
#[cold]
#[inline(never)]
fn repeated<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    checked_as: [u8; 3],
    linked: bool,
) {
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
}

/// The non-repeatable tags a record has shown so far: a bit a numeric tag
/// (one set for fields, one for 880s linked to them), a list for the rest.
#[derive(Default)]
pub(super) struct Seen {
    fields: [u64; 16],
    linked: [u64; 16],
    other: SmallVec<[([u8; 3], bool); 4]>,
}

impl Seen {
    /// Records `tag` (whose number is `number`); false if it was already there.
    #[inline]
    fn insert(&mut self, tag: [u8; 3], number: Option<usize>, linked: bool) -> bool {
        if let Some(n) = number {
            let set = if linked {
                &mut self.linked
            } else {
                &mut self.fields
            };
            let bit = 1u64 << (n % 64);
            let new = set[n / 64] & bit == 0;
            set[n / 64] |= bit;
            return new;
        }
        if self.other.contains(&(tag, linked)) {
            return false;
        }
        self.other.push((tag, linked));
        true
    }
}

#[inline(always)]
fn subfields<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    def: &FieldDef,
    codes: AlnumCodes,
    name: impl FnOnce() -> Name,
    ind_len: usize,
) {
    let undefined = ctx.on(Rule::UndefinedSubfield) || ctx.on(Rule::ObsoleteSubfield);
    let repeated = ctx.on(Rule::NonRepeatableSubfield);
    if !undefined && !repeated {
        return;
    }
    let local = ctx.defs().allows_local();
    // The common case first: one pass over the delimiters finds the codes
    // present and those repeated; a field whose codes are all defined and
    // whose repeats all allowed needs nothing more.
    let body = &field.data()[ind_len..];
    let (hay, start, end) = in_record(ctx.record.as_bytes(), body);
    // Letters and digits first, a bit each in a u64 (cheaper a step than a
    // u128); a field with any other code takes the exact masks.
    let (present, twice) = alnum_code_masks(hay, start, end);
    let clean = if present & OTHER_CODE == 0 {
        // `9`'s bit (26 + 9) when local subfields are allowed.
        let local_bit = u64::from(local) << 35;
        let undefined_codes = present & !codes.defined & !local_bit;
        let bad_repeats = twice & codes.defined & !codes.repeatable;
        (!undefined || undefined_codes == 0) && (!repeated || bad_repeats == 0)
    } else {
        let (present, twice, high) = code_masks(hay, start, end);
        let local_bit = if local { 1u128 << b'9' } else { 0 };
        let defined = def.subfields.bits();
        let undefined_codes = present & !defined & !local_bit;
        let bad_repeats = twice & defined & !def.repeatable_subfields.bits();
        !high && (!undefined || undefined_codes == 0) && (!repeated || bad_repeats == 0)
    };
    if !clean {
        subfield_findings(ctx, field, def, &name(), undefined, repeated);
    }
}

/// The findings of [`subfields`] in a field whose masks show one (rare: out
/// of the walk's way, which has the masks' test inlined).
#[cold]
#[inline(never)]
fn subfield_findings<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    def: &FieldDef,
    name: &Name,
    undefined: bool,
    repeated: bool,
) {
    let local = ctx.defs().allows_local();
    let mut seen = 0u128;
    for sub in field.subfields() {
        let code = sub.code;
        let bit = if code < 128 { 1u128 << code } else { 0 };
        if !def.subfields.contains(code) {
            if undefined && !(local && code == b'9') {
                let checked_as = name.linked.unwrap_or(name.tag);
                let (rule, what) = if obsolete::subfield(ctx.format, &checked_as, code) {
                    (Rule::ObsoleteSubfield, "is obsolete")
                } else {
                    (Rule::UndefinedSubfield, "is not defined")
                };
                if ctx.on(rule) {
                    ctx.field_finding(
                        field,
                        Some(code),
                        Some(sub.value),
                        rule,
                        format!("{name} ${} {what}", code.escape_ascii()),
                    );
                }
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

/// `body` (a field's bytes after its indicators) as `hay[start..end]`: read
/// in the record's bytes where it lies in them, so that 64-byte blocks may run
/// past the field's end; on its own otherwise.
#[inline(always)]
pub(super) fn in_record<'a>(record: &'a [u8], body: &'a [u8]) -> (&'a [u8], usize, usize) {
    match (body.as_ptr() as usize)
        .checked_sub(record.as_ptr() as usize)
        .filter(|start| start + body.len() <= record.len())
    {
        Some(start) => (record, start, start + body.len()),
        None => (body, 0, body.len()),
    }
}

/// Whether `data` (a control field's, in the record whose bytes are
/// `record`) holds a subfield delimiter: a control field is short, one block
/// of the delimiter masks, where a search's set-up costs more.
fn holds_delimiter(record: &[u8], data: &[u8]) -> bool {
    let (hay, start, end) = in_record(record, data);
    let mut block = start;
    while block < end {
        if block_delimiters(hay, block, end) != 0 {
            return true;
        }
        block += 64;
    }
    false
}

/// A field's subfields, held where the check that splits the field is.
pub(super) type SubfieldList<'a> = SmallVec<[Subfield<'a>; 8]>;

/// The subfields of `field` (a field of the record whose bytes are `record`)
/// into `out` (emptied first), as [`FieldRef::subfields`] gives them, found by
/// the delimiter masks of 64-byte blocks: for the field checks that look at a
/// field's subfields more than once, or at few of them (a search from
/// delimiter to delimiter costs a call and a mispredicted exit a subfield).
/// `out` is the caller's, so that the list is made where it is used, not
/// moved there.
pub(super) fn split_subfields<'a>(
    record: &'a [u8],
    field: &FieldRef<'a>,
    out: &mut SubfieldList<'a>,
) {
    out.clear();
    if field.is_control() {
        return;
    }
    // After the indicators, the body starts with a delimiter (or is empty).
    let body = &field.data()[indicator_bytes(field).len()..];
    let (hay, start, end) = in_record(record, body);
    // A subfield runs from its delimiter to the next (or the end); one with
    // no code (a delimiter next to another, or at the end) is none.
    let mut push = |from: usize, to: usize| {
        if to > from + 1 {
            out.push(Subfield {
                code: hay[from + 1],
                value: &hay[from + 2..to],
            });
        }
    };
    let mut open = None;
    let mut block = start;
    while block < end {
        let mut delimiters = block_delimiters(hay, block, end);
        while delimiters != 0 {
            let at = block + delimiters.trailing_zeros() as usize;
            delimiters &= delimiters - 1;
            if let Some(from) = open.replace(at) {
                push(from, at);
            }
        }
        block += 64;
    }
    if let Some(from) = open {
        push(from, end);
    }
}

/// The bit [`alnum_code_masks`] gives a code that is not a letter or a digit.
const OTHER_CODE: u64 = 1 << 62;
/// The bit it gives a delimiter with no code (an empty subfield, or one at the end).
const NO_CODE: u64 = 1 << 63;

/// A code's bit in [`alnum_code_masks`]: `a`-`z` 0-25, `0`-`9` 26-35, `A`-`Z`
/// 36-61; any other byte [`OTHER_CODE`], the delimiter itself [`NO_CODE`].
static CODE_BIT: [u8; 256] = {
    let mut t = [62u8; 256];
    let mut b = 0;
    while b < 26 {
        t[b'a' as usize + b] = b as u8;
        t[b'A' as usize + b] = 36 + b as u8;
        b += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 26 + d as u8;
        d += 1;
    }
    t[0x1F] = 63;
    t
};

/// [`code_masks`] in [`CODE_BIT`]'s bits: the codes present and those present
/// more than once, [`OTHER_CODE`] set when a code is neither letter nor digit.
fn alnum_code_masks(hay: &[u8], start: usize, end: usize) -> (u64, u64) {
    let (mut present, mut twice) = (0u64, 0u64);
    let mut block = start;
    while block < end {
        // A delimiter at the body's last byte has no code (an empty
        // subfield): left out (the block's bytes counted up to it), so that
        // every other one's code is in `hay`.
        let mut delimiters = block_delimiters(hay, block, end - 1);
        while delimiters != 0 {
            let at = block + delimiters.trailing_zeros() as usize;
            delimiters &= delimiters - 1;
            let bit = 1u64 << CODE_BIT[usize::from(hay[at + 1])];
            twice |= present & bit;
            present |= bit;
        }
        block += 64;
    }
    (present & !NO_CODE, twice & !NO_CODE)
}

/// The delimiters of `hay[block..end]` (at most 64 bytes of it), bit `i` for
/// `hay[block + i]`.
#[inline(always)]
fn block_delimiters(hay: &[u8], block: usize, end: usize) -> u64 {
    block_matches(hay, block, end, 0x1F)
}

/// Where `hay[block..end]` (at most 64 bytes of it) holds `byte`, bit `i`
/// for `hay[block + i]`.
#[inline(always)]
pub(super) fn block_matches(hay: &[u8], block: usize, end: usize, byte: u8) -> u64 {
    let mut matches = match hay.get(block..block + 64) {
        Some(bytes) => byte_block(bytes, byte),
        // Near the end of `hay`: the rest, padded to a block.
        None => {
            let mut padded = [0u8; 64];
            padded[..end - block].copy_from_slice(&hay[block..end]);
            byte_block(&padded, byte)
        }
    };
    if end - block < 64 {
        matches &= (1u64 << (end - block)) - 1;
    }
    matches
}

/// [`byte_mask`] of the first 64 bytes of `bytes` (which has at least 64).
#[inline(always)]
fn byte_block(bytes: &[u8], byte: u8) -> u64 {
    let block: &[u8; 64] = bytes[..64].try_into().expect("a 64-byte block");
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of x86-64 itself: every x86-64 processor has it
    // (the target enables it by default), so the feature `byte_mask` asks
    // for is there.
    let mask = unsafe { byte_mask(block, byte) };
    #[cfg(not(target_arch = "x86_64"))]
    let mask = byte_mask(block, byte);
    mask
}

/// The subfield codes in a field's body, `hay[start..end]` (its bytes after
/// the indicators): the set present, the set present more than once, and
/// whether a code is not ASCII. Codes as [`FieldRef::subfields`] reads them
/// (an empty subfield has none).
///
/// Sixty-four bytes at a time: a mask of the delimiters in the block (four
/// vector comparisons; a block may read past `end` into the rest of `hay`,
/// whose delimiters are masked off), then one step a delimiter with no branch
/// on the code. A field's loop so ends once a block (once, for most fields),
/// where a search from delimiter to delimiter mispredicts its exit at every
/// subfield.
fn code_masks(hay: &[u8], start: usize, end: usize) -> (u128, u128, bool) {
    let (mut present, mut twice, mut high) = (0u128, 0u128, false);
    let mut block = start;
    while block < end {
        let mut delimiters = block_delimiters(hay, block, end);
        while delimiters != 0 {
            let at = block + delimiters.trailing_zeros() as usize;
            delimiters &= delimiters - 1;
            // A delimiter at the end has no code: read as another delimiter
            // (an empty subfield), which makes none.
            let code = if at + 1 < end { hay[at + 1] } else { 0x1F };
            high |= code >= 0x80;
            let counts = code < 0x80 && code != 0x1F;
            let bit = u128::from(counts) << (code & 0x7F);
            twice |= present & bit;
            present |= bit;
        }
        block += 64;
    }
    (present, twice, high)
}

/// Bit `i` set where `bytes[i]` is `byte` (a subfield delimiter, say): four
/// SSE2 comparisons of 16 bytes, each loaded straight from the block.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn byte_mask(bytes: &[u8; 64], byte: u8) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let wanted = _mm_set1_epi8(byte as i8);
    (0..4).fold(0u64, |m, k| {
        // SAFETY: bytes 16k..16k+16 lie inside the 64-byte block (k < 4), and
        // `_mm_loadu_si128` reads them without any alignment requirement.
        let v = unsafe { _mm_loadu_si128(bytes.as_ptr().add(16 * k).cast::<__m128i>()) };
        let hits = _mm_movemask_epi8(_mm_cmpeq_epi8(v, wanted)) as u32;
        m | u64::from(hits) << (16 * k)
    })
}

/// Bit `i` set where `bytes[i]` is `byte`.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn byte_mask(bytes: &[u8; 64], byte: u8) -> u64 {
    bytes
        .iter()
        .enumerate()
        .fold(0, |m, (i, &b)| m | (u64::from(b == byte) << i))
}

/// Tabs, carriage returns and line feeds in a field's subfields: looked for
/// only in a record that has one somewhere (the test inlined, the search not).
#[inline(always)]
fn control_characters<'a>(ctx: &mut Ctx<'_, '_, 'a>, field: &FieldRef<'a>, checked_as: &[u8; 3]) {
    if ctx.control_chars {
        field_control_characters(ctx, field, checked_as);
    }
}

#[cold]
#[inline(never)]
fn field_control_characters<'a>(
    ctx: &mut Ctx<'_, '_, 'a>,
    field: &FieldRef<'a>,
    checked_as: &[u8; 3],
) {
    if memchr::memchr3(b'\t', b'\r', b'\n', field.data()).is_none() {
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
            format!("880 $6 {} is not a linkage (tag-occurrence)", quoted(link)),
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
            link[..6].escape_ascii(),
            tag.escape_ascii(),
            occurrence.escape_ascii()
        );
        ctx.field_finding(field, Some(b'6'), Some(link), Rule::Linkage880, message);
    }
}

#[cfg(test)]
mod tests {
    use super::{alnum_code_masks, code_masks, split_subfields, SubfieldList, OTHER_CODE};
    use crate::lint::definitions::alnum_bits;
    use crate::record::RecordRef;

    /// The masks agree with the subfield iterator on bodies of every length
    /// and delimiter placement (empty subfields, a trailing delimiter, 0x01
    /// after a delimiter, codes above 0x7F).
    #[test]
    fn code_masks_agree_with_the_subfield_iterator() {
        let pieces: [&[u8]; 10] = [
            b"\x1f9x",
            b"\x1fZz",
            b"\x1faAb",
            b"\x1f",
            b"\x1f\x01x",
            b"\x1fb",
            b"plain text",
            b"\x1f\xc3x",
            b"\x1fa",
            b"\x1f\x1f",
        ];
        let mut state = 7u32;
        for _ in 0..2000 {
            let mut body = Vec::new();
            for _ in 0..(state % 9) {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                body.extend_from_slice(pieces[(state >> 16) as usize % pieces.len()]);
            }
            let mut data = b"00".to_vec();
            data.extend_from_slice(&body);
            data.push(0x1e);
            let dir_len = 12;
            let base = 24 + dir_len + 1;
            let total = base + data.len() + 1;
            let mut rec = format!(
                "{total:05}nam a22{base:05} a 4500245{:04}00000\x1e",
                data.len()
            )
            .into_bytes();
            rec.extend_from_slice(&data);
            rec.push(0x1d);
            let parsed = RecordRef::parse(&rec).expect("a record");
            let field = parsed.field(0).expect("245");
            let (mut present, mut twice, mut high) = (0u128, 0u128, false);
            for sub in field.subfields() {
                if sub.code >= 128 {
                    high = true;
                    continue;
                }
                let bit = 1u128 << sub.code;
                twice |= present & bit;
                present |= bit;
            }
            let split: Vec<_> = field.subfields().collect();
            let mut list = SubfieldList::new();
            split_subfields(&rec, &field, &mut list);
            assert_eq!(&list[..], &split[..], "{body:?}");
            // Read apart from the record too (the blocks padded).
            split_subfields(&[], &field, &mut list);
            assert_eq!(&list[..], &split[..], "{body:?}");
            let ind = field.indicator_bytes().len();
            assert_eq!(
                code_masks(field.data(), ind, field.data().len()),
                (present, twice, high),
                "{body:?}"
            );
            // The letters-and-digits masks: the same sets in their bits, and
            // the flag for any other code.
            let other = field.subfields().any(|s| !s.code.is_ascii_alphanumeric());
            let (p64, t64) = alnum_code_masks(field.data(), ind, field.data().len());
            assert_eq!(p64 & OTHER_CODE != 0, other, "{body:?}");
            assert_eq!(p64 & !OTHER_CODE, alnum_bits(present), "{body:?}");
            assert_eq!(t64 & !OTHER_CODE, alnum_bits(twice), "{body:?}");
            state = state.wrapping_add(1);
        }
    }
}
