//! Target `file`: `MarcFile` over the bytes, strict and lenient.

use super::common::oracle_span;
use marcmap::filter::Expr;
use marcmap::query;
use marcmap::write::{write_chunks, write_chunks_matching, WriteOptions};
use marcmap::{Format, Framing, MarcFile, OpenOptions, RecordIndex};

/// A small number taken from the input without consuming it (the bytes stay a
/// MARC file): the last two bytes.
fn pick(data: &[u8]) -> usize {
    match data {
        [.., a, b] => usize::from(u16::from_le_bytes([*a, *b])),
        _ => data.len(),
    }
}

fn check_marc_file(data: &[u8], framing: Framing, threads: usize) {
    let file = OpenOptions::new()
        .framing(framing)
        .open_bytes(data.to_vec());
    let n = file.len();
    assert_eq!(file.bytes(), data);
    assert_eq!(file.record_index().len(), n);

    // Everything, in order, and the same through record(i), raw(i), offset(i).
    let mut seen = 0;
    let mut results = Vec::with_capacity(n);
    for (i, r) in file.iter().enumerate() {
        seen += 1;
        if i >= n {
            let e = r.expect_err("the extra item is the framing error");
            assert_eq!(framing, Framing::Strict);
            assert_eq!(e.position().byte, file.record_index().stopped_at());
            continue;
        }
        let start = file.offset(i).expect("offset in range") as usize;
        let raw = file.raw(i).expect("raw in range");
        assert_eq!(raw.as_ptr(), file.bytes()[start..].as_ptr());
        let recovered = file.record_index().is_recovered(i);
        assert_eq!(Some(raw.len()), oracle_span(data, start, recovered));
        match &r {
            Ok(rec) => assert_eq!(rec.as_bytes(), raw),
            Err(e) => {
                assert_eq!(e.position().record, Some(i as u64));
                let b = e.position().byte.expect("a parse error has a byte") as usize;
                assert!(
                    b >= start && b < start + raw.len(),
                    "error byte {b} outside record"
                );
            }
        }
        results.push(r.map(|r| r.as_bytes().len()).map_err(|e| e.to_string()));
    }
    assert_eq!(seen, n + usize::from(file.framing_error().is_some()));
    assert!(file.raw(n).is_none() && file.offset(n).is_none());
    for i in [n, n + 1, usize::MAX] {
        let e = file.record(i).expect_err("out of range");
        assert!(matches!(
            e.kind(),
            marcmap::ErrorKind::IndexOutOfRange { .. }
        ));
    }
    if n > 0 {
        let i = pick(data) % n;
        let again = file.record(i).map(|r| r.as_bytes().len());
        assert_eq!(again.map_err(|e| e.to_string()), results[i]);
    }

    // par_map gives the sequential results in order.
    let par = file.par_map(threads, |i, r| {
        (i, r.map(|r| r.as_bytes().len()).map_err(|e| e.to_string()))
    });
    assert_eq!(par.len(), n);
    for (i, (j, r)) in par.into_iter().enumerate() {
        assert_eq!(i, j);
        assert_eq!(r, results[i]);
    }

    // Control numbers against a linear search.
    let cns: Vec<Option<&[u8]>> = (0..n)
        .map(|i| file.record(i).ok().and_then(|r| r.control_number()))
        .collect();
    let index = file.control_number_index_with(threads);
    assert_eq!(index.len(), cns.iter().flatten().count());
    let mut wanted: Vec<&[u8]> = cns.iter().flatten().take(8).copied().collect();
    wanted.push(b"");
    wanted.push(b" ");
    wanted.push(&data[..data.len().min(pick(data) % 16)]);
    for cn in wanted {
        let linear: Vec<usize> = (0..n)
            .filter(|&i| cns[i].map(<[u8]>::trim_ascii) == Some(cn.trim_ascii()))
            .collect();
        assert_eq!(file.find_control_number(cn), linear, "cn {cn:?}");
    }

    // par_filter_map keeps what the sequential filter_map keeps, in order.
    let kept = file.par_filter_map(threads, |i, r| r.is_ok().then_some(i));
    let ok: Vec<usize> = (0..n).filter(|&i| results[i].is_ok()).collect();
    assert_eq!(kept, ok);

    // Writing with a filter expression is one pass, and gives the bytes of
    // filtering first and writing the records found.
    let decoder = marcmap::TextDecoder::new();
    let options = WriteOptions::new(Format::Iso2709);
    for text in ["001", "245$a ~ /a/ or not 650", "LDR/06 = a"] {
        let expr = Expr::parse(text).expect("a valid expression");
        let found = query::filter(&file, &expr, &decoder, false, threads);
        let mut want = Vec::new();
        write_chunks(
            &file,
            Some(&found.records),
            &options,
            threads,
            false,
            |w| w(),
            |b| {
                want.extend_from_slice(b);
                Ok(())
            },
        )
        .expect("writing to memory");
        let mut got = Vec::new();
        let report = write_chunks_matching(
            &file,
            None,
            Some(&expr),
            &options,
            None,
            threads,
            false,
            |w| w(),
            |b| {
                got.extend_from_slice(b);
                Ok(())
            },
        )
        .expect("writing to memory");
        assert_eq!(got, want, "{text}");
        assert_eq!(report.matched, found.records.len(), "{text}");
    }

    // Lenient bookkeeping is the index's.
    assert_eq!(file.skipped(), file.record_index().skipped());
    assert_eq!(file.recovered(), file.record_index().recovered());
}

/// `MarcFile` over the bytes, strict and lenient: iterate everything, random
/// access, control-number lookup, `par_map` and `par_filter_map` on 2
/// threads, and writing with a filter expression against filtering first.
pub fn check_file(data: &[u8]) {
    // Threads are costly under a sanitizer: 2 for lenient (the default and the
    // superset), 1 for strict.
    check_marc_file(data, Framing::Strict, 1);
    check_marc_file(data, Framing::Lenient, 2);
    // The default constructor is lenient.
    let file = MarcFile::from_bytes(data.to_vec());
    assert_eq!(
        file.record_index().starts(),
        RecordIndex::build(data, Framing::Lenient).starts()
    );
}
