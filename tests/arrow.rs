//! The Arrow builders (feature `arrow`) against the core record views, on the
//! fixtures and every ISO 2709 file of the corpus: each shape's rows hold what
//! `RecordRef` and `RecordText` give, threads change nothing, and a bad record
//! is null (or, failing, its positioned error).
//!
//! `cargo test --features arrow,parquet --test arrow`

#[path = "common/corpus_dir.rs"]
mod corpus_dir;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use marcmap::arrow::{batches, build_batch, ArrowOptions, BadRecords, Shape};
use marcmap::spec::{Extractor, Spec, ValueBuf, ValueRef};
use marcmap::{MarcFile, TextDecoder};
use std::path::{Path, PathBuf};

fn iso2709(path: &Path) -> bool {
    std::fs::read(path)
        .is_ok_and(|d| d.len() >= 24 && d[..5].iter().all(u8::is_ascii_digit) && d.contains(&0x1d))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if iso2709(&p) {
            out.push(p);
        }
    }
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"),
        &mut out,
    );
    if let Some(corpus) = corpus_dir::corpus_dir("the Arrow corpus sweep") {
        walk(&corpus, &mut out);
    }
    out.sort();
    assert!(out.len() > 10, "fixtures found");
    out
}

fn all(file: &MarcFile, opts: &ArrowOptions) -> Vec<RecordBatch> {
    let mut reader = batches(file.clone(), opts.clone());
    let mut out = Vec::new();
    while let Some(b) = reader.next_batch() {
        out.push(b.unwrap());
    }
    out
}

fn opts(shape: Shape, threads: usize, batch_size: usize) -> ArrowOptions {
    let mut o = ArrowOptions::new(shape);
    o.threads = threads;
    o.batch_size = batch_size;
    o
}

/// The decoded text of every value of a record, in row order of the long
/// shape (control fields' data, then subfields), from the core views.
fn view_values(file: &MarcFile, i: usize, decoder: &TextDecoder) -> Option<Vec<(String, String)>> {
    let record = file.record(i).ok()?;
    let text = record.text(decoder);
    text.check().ok()?;
    let mut out = Vec::new();
    for field in record.fields() {
        if field.is_control() {
            out.push((
                field.tag_str().to_string(),
                text.data(&field).ok()?.into_owned(),
            ));
            continue;
        }
        for sf in field.subfields() {
            if !sf.code.is_ascii() {
                return None; // pymarc's reading of such codes is checked by the Python tests
            }
            out.push((
                field.tag_str().to_string(),
                text.value(&field, sf.value).ok()?.into_owned(),
            ));
        }
    }
    Some(out)
}

#[test]
fn shapes_hold_what_the_views_give() {
    let decoder = TextDecoder::new();
    for path in files() {
        let name = path.display();
        let file = MarcFile::open(&path).unwrap();
        let n = file.len();
        // Nested: one row a record; a bad record's fields are null.
        let nested = all(&file, &opts(Shape::Records, 1, 5));
        assert_eq!(
            nested.iter().map(|b| b.num_rows()).sum::<usize>(),
            n,
            "{name}"
        );
        let mut i = 0;
        for b in &nested {
            let fields = b.column(4).as_list::<i32>();
            let index = b.column(0).as_primitive::<arrow_array::types::Int64Type>();
            for row in 0..b.num_rows() {
                assert_eq!(index.value(row), i as i64);
                let ok = file
                    .record(i)
                    .and_then(|r| r.text(&decoder).check().map(|_| r.field_count()));
                match ok {
                    Ok(count) => assert_eq!(fields.value(row).len(), count, "{name} {i}"),
                    Err(_) => assert!(fields.is_null(row), "{name} {i}"),
                }
                i += 1;
            }
        }
        // Long: the values of every good record, in order.
        let long = all(&file, &opts(Shape::Subfields, 2, 3));
        let mut got = Vec::new();
        for b in &long {
            let idx = b.column(0).as_primitive::<arrow_array::types::Int64Type>();
            let tag = b.column(3).as_string::<i32>();
            let value = b.column(8).as_string::<i32>();
            for row in 0..b.num_rows() {
                got.push((
                    idx.value(row) as usize,
                    tag.value(row).to_string(),
                    value.value(row).to_string(),
                ));
            }
        }
        let mut want = Vec::new();
        let mut checked = Vec::new();
        for i in 0..n {
            if let Some(values) = view_values(&file, i, &decoder) {
                checked.push(i);
                want.extend(values.into_iter().map(|(t, v)| (i, t, v)));
            }
        }
        got.retain(|(i, _, _)| checked.binary_search(i).is_ok());
        assert_eq!(got, want, "{name}");
        // Threads and batch sizes change nothing.
        let again = all(&file, &opts(Shape::Records, 2, 2));
        let rows = |bs: &[RecordBatch]| arrow_select_concat(bs);
        assert_eq!(rows(&nested), rows(&again), "{name}");
    }
}

/// The batches' rows as debug strings (no arrow-select dependency needed).
fn arrow_select_concat(bs: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in bs {
        for row in 0..b.num_rows() {
            out.push(format!("{:?}", b.slice(row, 1).columns()));
        }
    }
    out
}

#[test]
fn wide_columns_are_the_extractor_values() {
    let specs = ["001", "245$a", "650$ax", "260", "LDR/06", "008/35-37"];
    let columns: Vec<(String, Spec)> = specs
        .iter()
        .map(|s| (s.to_string(), Spec::parse(s).unwrap()))
        .collect();
    let decoder = TextDecoder::new();
    for path in files().into_iter().take(60) {
        let file = MarcFile::open(&path).unwrap();
        let shape = Shape::Columns {
            columns: columns.clone(),
            first: false,
        };
        let batch = build_batch(&file, &opts(shape, 1, 1), 0..file.len()).unwrap();
        for i in 0..file.len() {
            // A value that does not decode makes the record bad in every column.
            let mut buf = ValueBuf::new(false);
            let want: Option<Vec<Vec<String>>> = file.record(i).ok().and_then(|r| {
                let x = Extractor::new(r, &decoder);
                columns
                    .iter()
                    .map(|(_, spec)| {
                        buf.clear();
                        x.extract_into(spec, false, &mut buf).ok()?;
                        Some(
                            buf.spans
                                .iter()
                                .map(|&s| match buf.get(s) {
                                    ValueRef::Text(t) => t.to_string(),
                                    ValueRef::Bytes(_) => unreachable!(),
                                })
                                .collect(),
                        )
                    })
                    .collect()
            });
            for (k, (_, spec)) in columns.iter().enumerate() {
                let col = batch.column(k);
                let got: Option<Vec<String>> = if col.is_null(i) {
                    None
                } else if spec.is_single() {
                    Some(vec![col.as_string::<i32>().value(i).to_string()])
                } else {
                    let list = col.as_list::<i32>().value(i);
                    let s = list.as_string::<i32>();
                    Some((0..s.len()).map(|j| s.value(j).to_string()).collect())
                };
                let want = match (spec.is_single(), want.as_ref().map(|w| &w[k])) {
                    (true, Some(v)) if v.is_empty() => None,
                    (_, w) => w.cloned(),
                };
                assert_eq!(got, want, "{} {i} {spec:?}", path.display());
            }
        }
    }
}

#[test]
fn a_failing_stream_ends_with_the_positioned_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/encodings/traject_bad_utf_byte.utf8.marc");
    let file = MarcFile::open(&path).unwrap();
    let bad = (0..file.len())
        .find(|&i| {
            file.record(i)
                .and_then(|r| r.text(&TextDecoder::new()).check())
                .is_err()
        })
        .expect("a record with invalid UTF-8");
    let mut o = opts(Shape::Subfields, 2, 1);
    o.bad_records = BadRecords::Fail;
    let mut reader = batches(file.clone(), o);
    let mut good = 0;
    let err = loop {
        match reader.next_batch() {
            Some(Ok(_)) => good += 1,
            Some(Err(e)) => break e,
            None => panic!("no error"),
        }
    };
    assert_eq!(good, bad, "the batches before the bad record come first");
    assert_eq!(err.position().record, Some(bad as u64));
    assert!(err.position().byte.is_some());
    assert!(
        reader.next_batch().is_none(),
        "the stream ends at the error"
    );
}

#[test]
fn the_records_made_null_are_named_in_record_order() {
    // Every fixture and corpus file, each shape, one and two threads: the
    // errors `take_nulled` gives are those of the records the shape refuses
    // (`check_record`, with the text checked in the nested and long shapes;
    // the values extracted in the wide one), each once, in record order.
    let decoder = TextDecoder::new();
    let spec = Spec::parse("245$a").unwrap();
    for path in files() {
        let Ok(file) = MarcFile::open(&path) else {
            continue;
        };
        let refused = |refuses: &dyn Fn(usize) -> bool| -> Vec<u64> {
            (0..file.len())
                .filter(|&i| refuses(i))
                .map(|i| i as u64)
                .collect()
        };
        let text_bad =
            refused(&|i| marcmap::query::check_record(&file, i, Some(&decoder)).is_err());
        let value_bad = refused(&|i| {
            let mut buf = ValueBuf::new(false);
            marcmap::query::check_record(&file, i, None)
                .and_then(|good| {
                    Extractor::new(good.into_record(), &decoder)
                        .extract_into(&spec, false, &mut buf)
                })
                .is_err()
        });
        let wide = Shape::Columns {
            columns: vec![("title".to_string(), spec.clone())],
            first: false,
        };
        for threads in [1, 2] {
            for (shape, want) in [
                (Shape::Records, &text_bad),
                (Shape::Subfields, &text_bad),
                (wide.clone(), &value_bad),
            ] {
                let mut reader = batches(file.clone(), opts(shape, threads, 7));
                let mut named = Vec::new();
                while let Some(b) = reader.next_batch() {
                    b.unwrap();
                    named.extend(reader.take_nulled());
                }
                let at: Vec<u64> = named.iter().filter_map(|e| e.position().record).collect();
                assert_eq!(&at, want, "{} {threads} threads", path.display());
                assert_eq!(at.len(), named.len(), "every error names its record");
            }
        }
    }
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_holds_every_row() {
    use marcmap::arrow::parquet::{write_parquet, ParquetOptions};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.mrc");
    let file = MarcFile::open(&path).unwrap();
    let mut out = Vec::new();
    let o = opts(Shape::Subfields, 2, 4);
    let rows: usize = all(&file, &o).iter().map(|b| b.num_rows()).sum();
    let mut reports = 0;
    let written = write_parquet(
        batches(file.clone(), o),
        &mut out,
        ParquetOptions {
            row_group_bytes: 1024,
            ..ParquetOptions::default()
        },
        |done, total| {
            reports += 1;
            assert!(done <= total);
        },
    )
    .unwrap();
    assert_eq!(written as usize, rows);
    assert!(reports > 1);
    assert_eq!(&out[..4], b"PAR1");
}
