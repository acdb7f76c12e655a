"""One reader shared by 8 threads gives the same results as one thread."""

from __future__ import annotations

import random
import threading

import marcmap
from conftest import corpus_path


def test_eight_threads_share_a_reader() -> None:
    reader = marcmap.MARCReader(str(corpus_path("solrmarc/record_set_045.mrc")))
    n = len(reader)
    want_marc = [reader[i].as_marc() for i in range(n)]
    want_str = [str(reader[i]) for i in range(n)]
    want_extract = reader.extract("245$a", threads=1)
    cns = [reader[i]["001"].data for i in range(n)]
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            rng = random.Random(seed)
            for _ in range(200):
                i = rng.randrange(n)
                rec = reader[i]
                assert rec.as_marc() == want_marc[i]
                assert str(rec) == want_str[i]
                got = reader.get_by_control_number(cns[i])
                assert got is not None and got["001"].data == cns[i]
            assert reader.extract("245$a", threads=2) == want_extract
            # Private readers iterate fully; the shared one is iterated too (each
            # next() is atomic, so no record is returned twice overall).
            own = marcmap.MARCReader(str(corpus_path("solrmarc/record_set_045.mrc")))
            assert [r.as_marc() for r in own] == want_marc
            for rec in reader:
                shared_seen.append(rec.index)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    shared_seen: list[int] = []
    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert sorted(shared_seen) == list(range(n))
