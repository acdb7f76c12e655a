//! Target `arrow`: Arrow batches of every shape.
//!
//! Needs the main crate's `arrow` feature: on in the fuzz crate;
//! `cargo test --features arrow --test fuzz_replay` for the replay test. The hub
//! (`mod.rs`) compiles this module only with that feature.

use marcmap::MarcFile;

/// Batches of every shape over arbitrary bytes: no panic; with bad records
/// null, every batch builds with the announced schema and the nested and wide
/// shapes have a row a record; failing, the stream fails exactly when some
/// record does, with that record's position; two threads give what one gives.
#[cfg(feature = "arrow")]
pub fn check_arrow(data: &[u8]) {
    use marcmap::arrow::{batches, build_batch, ArrowOptions, BadRecords, Shape};
    use marcmap::spec::Spec;
    use marcmap::TextDecoder;
    let file = MarcFile::from_bytes(data.to_vec());
    let n = file.len();
    let columns: Vec<(String, Spec)> = ["001", "245$a", "650$ax", "260", "LDR/06", "008/35-37"]
        .iter()
        .map(|s| (s.to_string(), Spec::parse(s).unwrap()))
        .collect();
    let shapes = [
        Shape::Records,
        Shape::Subfields,
        Shape::Columns {
            columns: columns.clone(),
            first: false,
        },
        Shape::Columns {
            columns,
            first: true,
        },
    ];
    for shape in shapes {
        for binary in [false, true] {
            let mut opts = ArrowOptions::new(shape.clone());
            opts.binary = binary;
            opts.raw = shape == Shape::Records;
            opts.threads = 1;
            opts.batch_size = 3;
            let mut rows = 0;
            let mut nulled = Vec::new();
            let mut reader = batches(file.clone(), opts.clone());
            while let Some(batch) = reader.next_batch() {
                let batch = batch.expect("with bad records null, every batch builds");
                assert_eq!(batch.schema(), opts.schema());
                rows += batch.num_rows();
                nulled.extend(reader.take_nulled());
            }
            if shape != Shape::Subfields {
                assert_eq!(rows, n);
            }
            // Each record made null is named once, in record order; in the
            // nested shape they are the records that do not check.
            let named: Vec<u64> = nulled
                .iter()
                .map(|e| e.position().record.expect("a null record's error names it"))
                .collect();
            assert!(named.windows(2).all(|w| w[0] < w[1]));
            if shape == Shape::Records {
                let decoder = TextDecoder::new();
                let bad: Vec<u64> = (0..n)
                    .filter(|&i| {
                        marcmap::query::check_record(&file, i, (!binary).then_some(&decoder))
                            .is_err()
                    })
                    .map(|i| i as u64)
                    .collect();
                assert_eq!(named, bad);
            }
            opts.bad_records = BadRecords::Fail;
            let failed = build_batch(&file, &opts, 0..n);
            if shape == Shape::Records {
                let first_bad = (0..n).find(|&i| {
                    file.record(i)
                        .and_then(|r| {
                            if binary {
                                Ok(())
                            } else {
                                r.text(&TextDecoder::new()).check()
                            }
                        })
                        .is_err()
                });
                match (failed, first_bad) {
                    (Ok(_), None) => {}
                    (Err(e), Some(i)) => assert_eq!(e.position().record, Some(i as u64)),
                    (got, want) => {
                        panic!("failing batch {:?}, first bad record {want:?}", got.err())
                    }
                }
            }
        }
    }
    // Two threads, batches of one: the same rows in the same order.
    let mut one = ArrowOptions::new(Shape::Records);
    one.threads = 1;
    one.batch_size = 1;
    let mut two = one.clone();
    two.threads = 2;
    let collect = |opts: ArrowOptions| {
        let mut reader = batches(file.clone(), opts);
        let mut out = Vec::new();
        while let Some(b) = reader.next_batch() {
            out.push(b.unwrap());
        }
        out
    };
    assert_eq!(collect(one), collect(two));
}
