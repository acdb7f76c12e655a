//! A tutorial: reading MARC 21 with marcmap, from opening a file to threads.
//!
//! Every example here runs as a doctest. They build their input with
//! [`OwnedRecord`](crate::OwnedRecord), so they need no data files.
//!
//! # Opening a file
//!
//! [`MarcFile::open`](crate::MarcFile::open) maps a file read-only and runs
//! Phase 1: it finds where every record starts, and nothing else.
//! [`MarcFile::from_bytes`](crate::MarcFile::from_bytes) does the same for bytes
//! you already hold (standard input, a decompressed file).
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::{MarcFile, OwnedRecord};
//!
//! let one = OwnedRecord::builder()
//!     .control(*b"001", "ocm00000001")
//!     .data(*b"245", b'1', b'0')
//!     .subfield(b'a', "A first title /")
//!     .build()
//!     .to_iso2709()?;
//! let path = std::env::temp_dir().join("marcmap-tutorial-open.mrc");
//! std::fs::write(&path, one.repeat(3))?;
//!
//! let file = MarcFile::open(&path)?;
//! assert_eq!(file.len(), 3);
//! assert!(file.is_mapped());
//! assert_eq!(file.offset(1), Some(one.len() as u64));
//! # std::fs::remove_file(&path)?;
//! # Ok(()) }
//! ```
//!
//! # Iterating records
//!
//! Iteration runs Phase 2 on each record: the leader and directory are read in
//! place and checked once, and fields and subfields are slices of the file.
//! Nothing is copied, so text is bytes until you decode it.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! # use marcmap::{MarcFile, OwnedRecord};
//! # let bytes = OwnedRecord::builder().control(*b"001", "1").data(*b"650", b' ', b'0')
//! #     .subfield(b'a', "History").subfield(b'x', "Sources").build().to_iso2709()?;
//! let file = MarcFile::from_bytes(bytes);
//! for record in &file {
//!     let record = record?;
//!     for field in record.fields_with_tag(b"650") {
//!         let (ind1, ind2) = field.indicators();
//!         assert_eq!((ind1, ind2), (b' ', b'0'));
//!         let codes: Vec<u8> = field.subfields().map(|s| s.code).collect();
//!         assert_eq!(codes, b"ax");
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Decoding text
//!
//! One [`TextDecoder`](crate::TextDecoder) holds every decoding choice: LDR/09
//! (or `force_utf8`), UTF-8 under a MARC-8 label (`detect_utf8`), a legacy
//! file encoding, the MARC-8 options, and what to do with invalid bytes.
//! [`RecordRef::text`](crate::RecordRef::text) decides a record's encoding
//! once; its values then decode to `Cow<str>`, borrowed when nothing changes.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::{ErrorHandling, MarcFile, OwnedRecord, TextDecoder};
//!
//! // A MARC-8 record (LDR/09 blank): 0xE2 is the acute accent, before its letter.
//! let bytes = OwnedRecord::builder()
//!     .leader(*b"00000nam  2200000 a 4500")
//!     .data(*b"245", b'1', b'0')
//!     .subfield(b'a', b"Caf\xe2e")
//!     .build()
//!     .to_iso2709()?;
//! let file = MarcFile::from_bytes(bytes);
//! let record = file.record(0)?;
//! let text = record.text(&TextDecoder::new());
//! let title = record.first(b"245").unwrap();
//! let value = title.subfield(b'a').unwrap();
//! assert_eq!(text.value(&title, value)?, "Caf\u{e9}");
//!
//! // Invalid bytes: an error by default, U+FFFD or nothing on request.
//! let lenient = TextDecoder::new().errors(ErrorHandling::Replace);
//! assert_eq!(record.text(&lenient).encoding(), marcmap::Encoding::Marc8);
//! # Ok(()) }
//! ```
//!
//! # Random access and lookup by 001
//!
//! The index is one `u64` a record, so record `i` is found at once.
//! [`MarcFile::find_control_number`](crate::MarcFile::find_control_number) builds
//! a second index on first use (on all cores) and answers lookups by 001,
//! ignoring the padding LC puts around its control numbers.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::{MarcFile, OwnedRecord};
//!
//! let mut bytes = Vec::new();
//! for cn in ["  85153773 ", "  85153774 ", "  85153773 "] {
//!     bytes.extend(OwnedRecord::builder().control(*b"001", cn).build().to_iso2709()?);
//! }
//! let file = MarcFile::from_bytes(bytes);
//! assert_eq!(file.record(2)?.control_number(), Some(&b"  85153773 "[..]));
//! // Duplicates are real: all of them, in file order.
//! assert_eq!(file.find_control_number(b"85153773"), vec![0, 2]);
//! # Ok(()) }
//! ```
//!
//! # Threads
//!
//! A [`MarcFile`](crate::MarcFile) is `Send + Sync` and cheap to clone.
//! [`MarcFile::par_map`](crate::MarcFile::par_map) visits every record on N
//! threads and gives the results back in record order.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! # use marcmap::{MarcFile, OwnedRecord};
//! # let one = OwnedRecord::builder().control(*b"001", "1").data(*b"650", b' ', b'0')
//! #     .subfield(b'a', "History").build().to_iso2709()?;
//! let file = MarcFile::from_bytes(one.repeat(1000));
//! let subjects = file.par_map(2, |_, record| {
//!     record.map(|r| r.fields_with_tag(b"650").count()).unwrap_or(0)
//! });
//! assert_eq!(subjects.iter().sum::<usize>(), 1000);
//! # Ok(()) }
//! ```
//!
//! # Errors and positions
//!
//! Every error names where it happened: the record index, the byte where the
//! record starts, the field, and the failing byte, each once.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::{ErrorKind, MarcFile, OwnedRecord};
//!
//! let good = OwnedRecord::builder().control(*b"001", "1").build().to_iso2709()?;
//! let mut bad = good.clone();
//! bad[12..17].copy_from_slice(b"0000x"); // a base address that is not digits
//! let file = MarcFile::from_bytes([good.clone(), bad].concat());
//! let err = file.record(1).unwrap_err();
//! assert!(matches!(err.kind(), ErrorKind::BaseAddressNotFound { .. }));
//! assert_eq!(err.position().record, Some(1));
//! assert_eq!(
//!     err.to_string(),
//!     format!(
//!         "record 1 (byte {}) at byte {}: base address \"0000x\" is not a positive five-digit number",
//!         good.len(),
//!         good.len() + 12
//!     )
//! );
//! # Ok(()) }
//! ```
//!
//! # Damaged files: lenient framing and repair
//!
//! Real archives hold damage. Lenient framing (the default) skips what is not a
//! record, resynchronises on the next record terminator and reports every
//! skipped byte range; records whose leader length is wrong are recovered and
//! listed. Repair (the default validation) reads records whose directory
//! disagrees with their data when their fields can still be located, and
//! lists each repair on the record.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::{Framing, MarcFile, OpenOptions, OwnedRecord, SkipReason, Validation};
//!
//! let record = OwnedRecord::builder().control(*b"001", "1").build().to_iso2709()?;
//! let mut bytes = record.clone();
//! bytes.extend(b"\r\n"); // filler between records
//! bytes.extend(&record);
//! let file = MarcFile::from_bytes(bytes.clone());
//! assert_eq!(file.len(), 2);
//! assert_eq!(file.skipped()[0].reason, SkipReason::Filler);
//!
//! let strict = OpenOptions::new().framing(Framing::Strict).open_bytes(bytes);
//! assert_eq!(strict.len(), 1);
//! assert!(strict.framing_error().is_some());
//!
//! // The 001's directory length is one short of its terminator.
//! let mut short = record.clone();
//! short[27..31].copy_from_slice(b"0001");
//! let repaired = MarcFile::from_bytes(short.clone());
//! assert_eq!(repaired.record(0)?.repairs().len(), 1);
//! let refused = OpenOptions::new().validation(Validation::Strict).open_bytes(short);
//! assert!(refused.record(0).is_err());
//! # Ok(()) }
//! ```
//!
//! # Editing records
//!
//! A [`RecordRef`](crate::RecordRef) borrows its file and cannot change;
//! [`RecordRef::to_owned`](crate::RecordRef::to_owned) copies it into an
//! [`OwnedRecord`](crate::OwnedRecord), which can. Find fields by a
//! [`TagPattern`](crate::TagPattern) (`X` and `.` match any character), insert
//! in tag order exactly as pymarc's `add_ordered_field` and
//! `add_grouped_field` do, remove by pattern, and change subfields and
//! indicators. Serialising computes the leader's lengths and the directory.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use marcmap::{MarcFile, OwnedField, OwnedRecord, TagPattern};
//!
//! let bytes = OwnedRecord::builder()
//!     .control(*b"001", "1")
//!     .data(*b"040", b' ', b' ').subfield(b'a', "DLC").subfield(b'd', "OCoLC")
//!     .data(*b"245", b'1', b'0').subfield(b'a', "The title")
//!     .data(*b"650", b' ', b'0').subfield(b'a', "Jazz").subfield(b'x', "History")
//!     .data(*b"949", b' ', b' ').subfield(b'a', "local")
//!     .build()
//!     .to_iso2709()?;
//! let file = MarcFile::from_bytes(bytes);
//! let mut record = file.record(0)?.to_owned();
//!
//! // Find, and remove, by pattern.
//! assert_eq!(record.fields_matching(TagPattern::parse("6..")?).count(), 1);
//! assert_eq!(record.remove_matching(TagPattern::parse("9XX")?), 1);
//!
//! // Insert in tag order (pymarc's add_ordered_field): index 4, at the end.
//! let mut link = OwnedField::data(*b"856", b'4', b'0');
//! link.push_subfield(b'u', "https://example.org/");
//! assert_eq!(record.insert_ordered(link), 4);
//! // Grouped (add_grouped_field): after the last 5XX, or before the first 6XX.
//! let mut note = OwnedField::data(*b"500", b' ', b' ');
//! note.add_subfield(b'a', "A note.", None)?;
//! assert_eq!(record.insert_grouped(note), 3);
//!
//! // Subfields and indicators, as pymarc's field["d"] = ..., delete_subfield,
//! // add_subfield(code, value, pos) and indicator2 = ...
//! let f040 = record.fields_matching_mut(TagPattern::exact(*b"040")).next().unwrap();
//! f040.set_subfield(b'd', "DLC")?;
//! let f650 = &mut record.fields[4];
//! assert_eq!(f650.delete_subfield(b'x'), Some(b"History".to_vec()));
//! f650.add_subfield(b'v', "Discography", Some(1))?;
//! record.fields[2].set_indicator(2, b'4')?;
//!
//! let tags: Vec<&str> = record.fields.iter().map(|f| f.tag_str()).collect();
//! assert_eq!(tags, ["001", "040", "245", "500", "650", "856"]);
//! let written = record.to_iso2709()?;
//! let again = marcmap::RecordRef::parse(&written)?;
//! assert_eq!(again.first(b"245").unwrap().indicators(), (b'1', b'4'));
//! assert_eq!(again.leader().record_length(), Some(written.len()));
//! # Ok(()) }
//! ```
//!
//! # Writing MARC-8
//!
//! Many library systems still load only MARC-8. [`marc8::encode`](crate::marc8::encode)
//! turns text into MARC-8 (marks before their letters, escapes to other
//! scripts and back, `&#xHHHH;` for what MARC-8 lacks), and the ISO 2709
//! writer's `to_marc8` option writes whole records that way, LDR/09 blank,
//! counting the characters written as references.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! use marcmap::write::{write_chunks, WriteOptions};
//! use marcmap::{Format, MarcFile, OwnedRecord, TextDecoder};
//!
//! let utf8 = OwnedRecord::builder()
//!     .data(*b"245", b'1', b'0').subfield(b'a', "Voyna i mir = \u{412}\u{43E}\u{439}\u{43D}\u{430} \u{438} \u{43C}\u{438}\u{440}")
//!     .data(*b"500", b' ', b' ').subfield(b'a', "Caf\u{e9} \u{2603}")
//!     .build()
//!     .to_iso2709()?;
//! let file = MarcFile::from_bytes(utf8);
//! let mut out = Vec::new();
//! let options = WriteOptions::new(Format::Iso2709).to_marc8(true);
//! let report = write_chunks(&file, None, &options, 2, false, |work| work(), |bytes| {
//!     out.extend_from_slice(bytes);
//!     Ok(())
//! })?;
//! // One record; one character (the snowman) written as a reference.
//! assert_eq!((report.written, report.references), (1, vec![(0, 1)]));
//!
//! let marc8 = MarcFile::from_bytes(out);
//! let record = marc8.record(0)?;
//! assert_eq!(record.leader().as_bytes()[9], b' ');
//! assert_eq!(record.first(b"500").unwrap().subfield(b'a'), Some(&b"Caf\xE2e &#x2603;"[..]));
//! // Read back, the text is the same.
//! let text = record.text(&TextDecoder::new());
//! let title = record.first(b"245").unwrap();
//! assert_eq!(text.value(&title, title.subfield(b'a').unwrap())?, "Voyna i mir = \u{412}\u{43E}\u{439}\u{43D}\u{430} \u{438} \u{43C}\u{438}\u{440}");
//! # Ok(()) }
//! ```
//!
//! # Batch edits
//!
//! The common whole-file jobs are rules of a small language,
//! [`edit::Program`](crate::edit::Program), parsed once (a bad rule is an error
//! naming its column) and applied to every record as it is written, on N
//! threads: [`write::write_chunks_edited`](crate::write::write_chunks_edited).
//! A record no rule changes keeps its bytes; a changed one gets a new leader
//! and directory. Each rule's `where` condition is a
//! [filter expression](crate::filter).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use marcmap::edit::Program;
//! use marcmap::write::{write_chunks_edited, WriteOptions};
//! use marcmap::{Format, MarcFile, OwnedRecord};
//!
//! let mut bytes = Vec::new();
//! for (cn, local) in [("1", true), ("2", false)] {
//!     let mut b = OwnedRecord::builder()
//!         .control(*b"001", cn)
//!         .data(*b"245", b'1', b'0').subfield(b'a', "The title /");
//!     if local {
//!         b = b.data(*b"949", b' ', b' ').subfield(b'a', "local");
//!     }
//!     bytes.extend(b.build().to_iso2709()?);
//! }
//! let file = MarcFile::from_bytes(bytes.clone());
//! let program = Program::parse([
//!     "delete 9XX",
//!     r"set 245$a s/\s*\/$//",
//!     "set 245 ind2 4 where 245$a ~ /^the /i",
//! ])?;
//! let mut out = Vec::new();
//! let report = write_chunks_edited(
//!     &file, None, &WriteOptions::new(Format::Iso2709), Some(&program), 2, false,
//!     |work| work(),
//!     |chunk| { out.extend_from_slice(chunk); Ok(()) },
//! )?;
//! assert_eq!(report.written, 2);
//! assert_eq!(report.edits[0].records, 1); // one record had a 9XX
//! let edited = MarcFile::from_bytes(out);
//! let title = edited.record(1)?.first(b"245").unwrap();
//! assert_eq!(title.subfield(b'a'), Some(&b"The title"[..]));
//! assert_eq!(title.indicators(), (b'1', b'4'));
//!
//! let err = Program::parse(["add 856 4 $u https://example.org/"]).unwrap_err();
//! assert_eq!((err.rule(), err.column()), (0, 9));
//! # Ok(()) }
//! ```
