//! MARC 21 definitions as data: for each format (bibliographic, authority,
//! holdings), which tags exist, whether they repeat, which indicator values and
//! subfield codes they define and which subfields repeat; the leader values;
//! the geographic area codes. The built-in set is generated from permissively
//! licensed sources into `tables.rs` (see `tools/gen_marc21_definitions.py`
//! and NOTICE); a JSON file in the same (Avram) shape adds to it or overrides it.

use super::{obsolete, tables};
use std::collections::HashMap;
use std::fmt;

/// Which MARC 21 format a record is in, from its leader (LDR/06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordFormat {
    /// Bibliographic: every LDR/06 that is not authority or holdings.
    Bibliographic,
    /// Authority: LDR/06 `z`.
    Authority,
    /// Holdings: LDR/06 `u`, `v`, `x` or `y`.
    Holdings,
}

impl RecordFormat {
    /// The format a record with type of record `ldr06` is in.
    pub fn of_type(ldr06: u8) -> RecordFormat {
        match ldr06 {
            b'z' => RecordFormat::Authority,
            b'u' | b'v' | b'x' | b'y' => RecordFormat::Holdings,
            _ => RecordFormat::Bibliographic,
        }
    }

    /// The format's name in lower case, as a definitions file names it.
    pub fn name(self) -> &'static str {
        match self {
            RecordFormat::Bibliographic => "bibliographic",
            RecordFormat::Authority => "authority",
            RecordFormat::Holdings => "holdings",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }

    /// The formats, in slot order.
    const ALL: [RecordFormat; 3] = [
        RecordFormat::Bibliographic,
        RecordFormat::Authority,
        RecordFormat::Holdings,
    ];
}

/// A set of ASCII bytes (indicator values, subfield codes, leader values), one
/// bit each: a lookup is a shift and a mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CodeSet(u128);

impl CodeSet {
    /// Every byte: an indicator the format leaves open.
    pub const ANY: CodeSet = CodeSet(u128::MAX);

    /// Whether `b` is in the set (never, for a byte above 0x7F).
    #[inline]
    pub fn contains(self, b: u8) -> bool {
        // The half of the set `b` falls in, then a 64-bit shift: a u128
        // shift by a variable amount costs a handful of instructions more,
        // and lint asks twice a field (its indicators).
        let half = match b {
            0..64 => self.0 as u64,
            64..128 => (self.0 >> 64) as u64,
            _ => return false,
        };
        half >> (b & 63) & 1 != 0
    }

    /// The set as a bit mask (bit `b` for byte `b`).
    pub(super) fn bits(self) -> u128 {
        self.0
    }

    /// The set without the bytes of `mask` (bit `b` for byte `b`).
    pub(super) fn without(self, mask: u128) -> CodeSet {
        CodeSet(self.0 & !mask)
    }

    /// Whether the set is every byte.
    pub fn is_any(self) -> bool {
        self == CodeSet::ANY
    }

    /// The set's members, as text (a blank written `#`, as MARC documentation does).
    /// `any` for every byte; unprintable bytes escaped, so the text is one line.
    pub fn describe(self) -> String {
        if self.is_any() {
            return "any".into();
        }
        (0u8..128)
            .filter(|&b| self.contains(b))
            .map(|b| {
                if b == b' ' {
                    "#".to_string()
                } else {
                    b.escape_ascii().to_string()
                }
            })
            .collect()
    }

    fn with(self, b: u8) -> CodeSet {
        if b < 128 {
            CodeSet(self.0 | (1u128 << b))
        } else {
            self
        }
    }
}

/// One row of the generated tables.
pub(crate) struct FieldRow {
    tag: [u8; 3],
    def: FieldDef,
}

impl FieldRow {
    pub(crate) const fn new(
        tag: [u8; 3],
        repeatable: bool,
        ind1: u128,
        ind2: u128,
        subfields: u128,
        repeatable_subfields: u128,
    ) -> FieldRow {
        FieldRow {
            tag,
            def: FieldDef {
                repeatable,
                ind1: CodeSet(ind1),
                ind2: CodeSet(ind2),
                subfields: CodeSet(subfields),
                repeatable_subfields: CodeSet(repeatable_subfields),
                obsolete: false,
            },
        }
    }
}

/// What the format says about one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// Whether a record may hold the field more than once.
    pub repeatable: bool,
    /// The defined first-indicator values (empty for a control field).
    pub ind1: CodeSet,
    /// The defined second-indicator values.
    pub ind2: CodeSet,
    /// The defined subfield codes.
    pub subfields: CodeSet,
    /// The subfield codes that may repeat.
    pub repeatable_subfields: CodeSet,
    /// Whether the tag is obsolete (from a definitions file's `deprecated`).
    pub obsolete: bool,
}

/// The definitions `lint` checks against: the built-in MARC 21 tables, plus any
/// added or overridden from a JSON file ([`Definitions::with_json`]).
///
/// ```
/// use marcmap::lint::{Definitions, RecordFormat};
///
/// let defs = Definitions::builtin();
/// let f245 = defs.field(RecordFormat::Bibliographic, b"245").unwrap();
/// assert!(!f245.repeatable);
/// assert!(f245.subfields.contains(b'a') && !f245.subfields.contains(b'z'));
/// assert!(f245.ind2.contains(b'4') && !f245.ind2.contains(b' '));
/// assert!(defs.field(RecordFormat::Bibliographic, b"999").is_none());
/// assert!(defs.is_local_tag(b"999") && defs.is_local_tag(b"590") && !defs.is_local_tag(b"500"));
/// ```
#[derive(Clone)]
pub struct Definitions {
    /// Per format, the numeric tags' definitions (000-999).
    numeric: [NumericTable; 3],
    /// Per format, tags that are not three digits (rare; from a definitions file).
    other: [HashMap<[u8; 3], FieldDef>; 3],
    /// Per format, the defined values of each leader position that has a list.
    leader: [[Option<CodeSet>; 24]; 3],
    local: bool,
}

impl fmt::Debug for Definitions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |i: usize| self.numeric[i].defs.len() + self.other[i].len();
        f.debug_struct("Definitions")
            .field("bibliographic", &count(0))
            .field("authority", &count(1))
            .field("holdings", &count(2))
            .field("local", &self.local)
            .finish()
    }
}

/// The definitions of the numeric tags of one format: a slot a tag (two
/// bytes, so the whole index is 2 KB and stays in cache) that points into a
/// dense list. Linting looks a definition up for every field: an index into
/// a thousand 80-byte `Option<FieldDef>`s spread the few tags a file uses over
/// a hundred kilobytes.
#[derive(Clone)]
pub(super) struct NumericTable {
    /// Per tag number, 1 + the definition's place in `defs`; 0 for none.
    slots: Box<[u16; 1000]>,
    /// Each definition with its subfield codes as [`AlnumCodes`], made once
    /// (the subfield check of every field reads them): side by side, one
    /// bounds check a look-up.
    defs: Vec<(FieldDef, AlnumCodes)>,
}

impl Default for NumericTable {
    fn default() -> Self {
        NumericTable {
            slots: Box::new([0; 1000]),
            defs: Vec::new(),
        }
    }
}

impl NumericTable {
    #[inline(always)]
    pub(super) fn get(&self, n: usize) -> Option<&FieldDef> {
        let slot = usize::from(*self.slots.get(n)?);
        slot.checked_sub(1)
            .and_then(|i| self.defs.get(i))
            .map(|(def, _)| def)
    }

    /// [`NumericTable::get`], with the definition's [`AlnumCodes`].
    #[inline(always)]
    pub(super) fn get_with_codes(&self, n: usize) -> Option<(&FieldDef, AlnumCodes)> {
        let slot = usize::from(*self.slots.get(n)?);
        let i = slot.checked_sub(1)?;
        let (def, codes) = self.defs.get(i)?;
        Some((def, *codes))
    }

    fn set(&mut self, n: usize, def: FieldDef) {
        match usize::from(self.slots[n]).checked_sub(1) {
            Some(i) => self.defs[i] = (def, AlnumCodes::of(&def)),
            None => {
                self.defs.push((def, AlnumCodes::of(&def)));
                // At most 1000 definitions: the count fits a u16.
                self.slots[n] = self.defs.len() as u16;
            }
        }
    }
}

/// A definition's subfield codes that are letters or digits, a bit each in a
/// u64 (`a`-`z` 0-25, `0`-`9` 26-35, `A`-`Z` 36-61: the bits of
/// `checks::CODE_BIT`): the defined codes and the repeatable ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AlnumCodes {
    pub(super) defined: u64,
    pub(super) repeatable: u64,
}

impl AlnumCodes {
    pub(super) fn of(def: &FieldDef) -> AlnumCodes {
        AlnumCodes {
            defined: alnum_bits(def.subfields.bits()),
            repeatable: alnum_bits(def.repeatable_subfields.bits()),
        }
    }
}

/// A set of ASCII bytes (bit `b` for byte `b`) in [`AlnumCodes`]'s bits (its
/// letters and digits).
#[inline]
pub(super) fn alnum_bits(set: u128) -> u64 {
    let lower = (set >> b'a') as u64 & 0x3FF_FFFF;
    let digits = (set >> b'0') as u64 & 0x3FF;
    let upper = (set >> b'A') as u64 & 0x3FF_FFFF;
    lower | digits << 26 | upper << 36
}

/// A three-digit tag as a number (`245` is 245); `None` for any other tag.
#[inline]
pub(super) fn numeric_tag(tag: &[u8; 3]) -> Option<usize> {
    tag.iter().all(u8::is_ascii_digit).then(|| {
        usize::from(tag[0] - b'0') * 100
            + usize::from(tag[1] - b'0') * 10
            + usize::from(tag[2] - b'0')
    })
}

impl Definitions {
    /// The built-in MARC 21 definitions, with local fields (9XX, X9X) and
    /// subfield `$9` allowed.
    pub fn builtin() -> Definitions {
        static BUILTIN: std::sync::OnceLock<Definitions> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(Definitions::build).clone()
    }

    fn build() -> Definitions {
        let mut defs = Definitions {
            numeric: Default::default(),
            other: Default::default(),
            leader: [[None; 24]; 3],
            local: true,
        };
        type Source = (&'static [FieldRow], &'static [(usize, u128)]);
        let sources: [Source; 3] = [
            (tables::BIBLIOGRAPHIC, tables::BIBLIOGRAPHIC_LEADER),
            (tables::AUTHORITY, tables::AUTHORITY_LEADER),
            (tables::HOLDINGS, tables::HOLDINGS_LEADER),
        ];
        for (slot, (rows, leader)) in sources.into_iter().enumerate() {
            let format = RecordFormat::ALL[slot];
            for row in rows {
                // What LoC now lists as obsolete is not defined (the schemas
                // still define some of it): lint names it obsolete.
                defs.set(slot, row.tag, obsolete::retire(format, &row.tag, row.def));
            }
            for &(pos, mask) in leader {
                let retired = CodeSet(mask).without(obsolete::leader_mask(format, pos));
                defs.leader[slot][pos] = Some(retired);
            }
        }
        defs
    }

    fn set(&mut self, slot: usize, tag: [u8; 3], def: FieldDef) {
        match numeric_tag(&tag) {
            Some(n) => self.numeric[slot].set(n, def),
            None => {
                self.other[slot].insert(tag, def);
            }
        }
    }

    /// Whether local fields (9XX, X9X) and `$9` are allowed (the default).
    pub fn allows_local(&self) -> bool {
        self.local
    }

    /// These definitions with local fields and `$9` allowed or not.
    pub fn local(mut self, allow: bool) -> Definitions {
        self.local = allow;
        self
    }

    /// The definition of `tag` in `format`, if it has one.
    #[inline]
    pub fn field(&self, format: RecordFormat, tag: &[u8; 3]) -> Option<&FieldDef> {
        let slot = format.slot();
        match numeric_tag(tag) {
            Some(n) => self.numeric[slot].get(n),
            None => self.other[slot].get(tag),
        }
    }

    /// The numeric tags' definitions in `format`: [`NumericTable::get`] gives
    /// what [`Definitions::field`] gives for a tag's three digits.
    pub(super) fn numeric_table(&self, format: RecordFormat) -> &NumericTable {
        &self.numeric[format.slot()]
    }

    /// Whether `tag` is in the ranges MARC 21 leaves to local use: 9XX and X9X
    /// (`09X`, `59X`, `69X`, ...). A defined tag in those ranges (490, 890) is
    /// still checked against its definition.
    pub fn is_local_tag(&self, tag: &[u8; 3]) -> bool {
        tag.iter().all(u8::is_ascii_digit) && (tag[0] == b'9' || tag[1] == b'9')
    }

    /// The defined values of leader position `pos` in `format`, if the
    /// definitions say which.
    pub fn leader_values(&self, format: RecordFormat, pos: usize) -> Option<CodeSet> {
        self.leader[format.slot()].get(pos).copied().flatten()
    }

    /// Whether `code` (043 `$a` without its trailing hyphens) is a MARC
    /// geographic area code.
    pub fn is_geographic_area(&self, code: &str) -> bool {
        is_geographic_area_code(code.as_bytes())
    }

    /// These definitions with the fields of a JSON document added, replacing
    /// any with the same tag. The document has the shape of the built-in
    /// source (the Avram schema of `timathom/marc-schema`):
    ///
    /// ```json
    /// {"format": "bibliographic",
    ///  "fields": {"599": {"repeatable": true,
    ///                     "indicator1": {"codes": {" ": "Undefined"}},
    ///                     "indicator2": {"codes": {"0-9": "Level"}},
    ///                     "subfields": {"a": {"repeatable": false}}}}}
    /// ```
    ///
    /// `format` is `bibliographic` (the default), `authority` or `holdings`; a
    /// document may instead hold one such object per format under those names.
    /// Indicator codes are single characters, `#` for a blank, or ranges like
    /// `1-9`; an indicator with no codes accepts any value, a missing one only a
    /// blank. `"deprecated": true` marks a field obsolete.
    ///
    /// ```
    /// use marcmap::lint::{Definitions, RecordFormat};
    ///
    /// let json = r#"{"fields": {"599": {"repeatable": false, "subfields": {"a": {"repeatable": false}}}}}"#;
    /// let defs = Definitions::builtin().with_json(json).unwrap();
    /// let f = defs.field(RecordFormat::Bibliographic, b"599").unwrap();
    /// assert!(!f.repeatable && f.subfields.contains(b'a') && f.ind1.contains(b' '));
    /// assert!(Definitions::builtin().with_json("{").is_err());
    /// ```
    pub fn with_json(mut self, json: &str) -> Result<Definitions, DefinitionsError> {
        let doc: serde_json::Value =
            serde_json::from_str(json).map_err(|e| DefinitionsError(e.to_string()))?;
        let obj = doc
            .as_object()
            .ok_or_else(|| DefinitionsError("the document is not a JSON object".into()))?;
        let mut found = false;
        for format in [
            RecordFormat::Bibliographic,
            RecordFormat::Authority,
            RecordFormat::Holdings,
        ] {
            if let Some(part) = obj.get(format.name()) {
                self.add_format(format, part)?;
                found = true;
            }
        }
        if obj.contains_key("fields") {
            let format = match obj.get("format").and_then(|f| f.as_str()) {
                None | Some("bibliographic") => RecordFormat::Bibliographic,
                Some("authority") => RecordFormat::Authority,
                Some("holdings") => RecordFormat::Holdings,
                Some(other) => {
                    return Err(DefinitionsError(format!(
                        "unknown format {other:?} (bibliographic, authority or holdings)"
                    )))
                }
            };
            self.add_format(format, &doc)?;
            found = true;
        }
        if !found {
            return Err(DefinitionsError(
                "no \"fields\" (nor \"bibliographic\", \"authority\" or \"holdings\") in the document"
                    .into(),
            ));
        }
        Ok(self)
    }

    fn add_format(
        &mut self,
        format: RecordFormat,
        doc: &serde_json::Value,
    ) -> Result<(), DefinitionsError> {
        let fields = doc
            .get("fields")
            .and_then(|f| f.as_object())
            .ok_or_else(|| DefinitionsError(format!("{}: no \"fields\" object", format.name())))?;
        for (tag, spec) in fields {
            let err =
                |why: &str| DefinitionsError(format!("{} field {tag:?}: {why}", format.name()));
            let bytes = tag.as_bytes();
            if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
                return Err(err("a tag is three ASCII letters or digits"));
            }
            let tag3 = [bytes[0], bytes[1], bytes[2]];
            let spec = spec.as_object().ok_or_else(|| err("not an object"))?;
            let flag = |key: &str| -> Result<bool, DefinitionsError> {
                match spec.get(key) {
                    None | Some(serde_json::Value::Null) => Ok(false),
                    Some(v) => v
                        .as_bool()
                        .ok_or_else(|| err(&format!("\"{key}\" is not true or false"))),
                }
            };
            let indicator = |key: &str| -> Result<CodeSet, DefinitionsError> {
                let Some(ind) = spec.get(key).filter(|v| !v.is_null()) else {
                    return Ok(CodeSet::default().with(b' '));
                };
                let codes = ind
                    .get("codes")
                    .and_then(|c| c.as_object())
                    .ok_or_else(|| err(&format!("\"{key}\" has no \"codes\" object")))?;
                if codes.is_empty() {
                    return Ok(CodeSet::ANY);
                }
                let mut set = CodeSet::default();
                for code in codes.keys() {
                    set = expand(code, set).ok_or_else(|| err(&format!("bad code {code:?}")))?;
                }
                Ok(set)
            };
            let mut def = FieldDef {
                repeatable: flag("repeatable")?,
                ind1: CodeSet::default(),
                ind2: CodeSet::default(),
                subfields: CodeSet::default(),
                repeatable_subfields: CodeSet::default(),
                obsolete: flag("deprecated")?,
            };
            if numeric_tag(&tag3).is_none_or(|n| n >= 10) {
                def.ind1 = indicator("indicator1")?;
                def.ind2 = indicator("indicator2")?;
                if let Some(subs) = spec.get("subfields").filter(|v| !v.is_null()) {
                    let subs = subs
                        .as_object()
                        .ok_or_else(|| err("\"subfields\" is not an object"))?;
                    for (code, sub) in subs {
                        let set = expand(code, CodeSet::default())
                            .ok_or_else(|| err(&format!("bad subfield code {code:?}")))?;
                        def.subfields.0 |= set.0;
                        if sub.get("repeatable").and_then(|r| r.as_bool()) == Some(true) {
                            def.repeatable_subfields.0 |= set.0;
                        }
                    }
                }
            }
            self.set(format.slot(), tag3, def);
        }
        Ok(())
    }
}

/// Whether `code` (bytes, without trailing hyphens) is a MARC geographic
/// area code: the codes packed into integers (eight bytes or fewer, zero-padded;
/// none is empty, so none packs to 0) in an open-addressing table made once,
/// a multiplicative hash and a linear probe: a lookup is a read or two, where
/// a binary search over the sorted codes cost ten dependent reads.
pub(super) fn is_geographic_area_code(code: &[u8]) -> bool {
    /// Slots: a power of two, at least four times the codes.
    const SLOTS: usize = 4096;
    static TABLE: std::sync::OnceLock<Option<Vec<u64>>> = std::sync::OnceLock::new();
    let pack = |c: &[u8]| -> Option<u64> {
        (!c.is_empty() && c.len() <= 8 && !c.contains(&0)).then(|| {
            let mut word = [0u8; 8];
            word[..c.len()].copy_from_slice(c);
            u64::from_be_bytes(word)
        })
    };
    let slot = |key: u64| (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize;
    // None if a code does not pack or the codes do not fit (not so in
    // MARC's list; kept correct should it change).
    let table = TABLE.get_or_init(|| {
        if tables::GEOGRAPHIC_AREAS.len() * 4 > SLOTS {
            return None;
        }
        let mut table = vec![0u64; SLOTS];
        for c in tables::GEOGRAPHIC_AREAS {
            let key = pack(c.as_bytes())?;
            let mut at = slot(key);
            while table[at] != 0 && table[at] != key {
                at = (at + 1) % SLOTS;
            }
            table[at] = key;
        }
        Some(table)
    });
    match table {
        Some(table) => pack(code).is_some_and(|key| {
            let mut at = slot(key);
            loop {
                match table[at] {
                    0 => return false,
                    k if k == key => return true,
                    _ => at = (at + 1) % SLOTS,
                }
            }
        }),
        None => tables::GEOGRAPHIC_AREAS
            .binary_search_by(|c| c.as_bytes().cmp(code))
            .is_ok(),
    }
}

/// `code` (`a`, `#`, `1-9`) added to `set`; `None` if it is not one of those.
fn expand(code: &str, set: CodeSet) -> Option<CodeSet> {
    match code.as_bytes() {
        [b'#'] => Some(set.with(b' ')),
        [b] if b.is_ascii() => Some(set.with(*b)),
        [lo, b'-', hi] if lo <= hi && hi.is_ascii() => {
            Some((*lo..=*hi).fold(set, |s, b| s.with(b)))
        }
        _ => None,
    }
}

/// A definitions file that cannot be read: says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionsError(pub String);

impl fmt::Display for DefinitionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "definitions: {}", self.0)
    }
}

impl std::error::Error for DefinitionsError {}
