"""``marcmap validate FILE``: every problem, with its record, byte offset and reason."""

from __future__ import annotations

import argparse

from marcmap.cli._common import add_input, framing_note, open_reader, plural


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "validate",
        help="report every problem; exit 1 if there is any",
        description="Report every problem in FILE: skipped byte ranges, records recovered "
        "despite a wrong leader length, repaired records, malformed records and text that "
        "does not decode, each with its record index and byte offset. Exit 1 if any.",
    )
    add_input(parser)
    parser.add_argument(
        "--no-decode", action="store_true", help="check structure only: do not decode text"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_reader(args) as reader:
        errors = reader.validate(decode=not args.no_decode)
        for offset, length, reason in reader.skipped:
            print(f"skipped {plural(length, 'byte')} at byte {offset}: {reason}")
        for index, offset, declared, actual in reader.recovered:
            print(
                f"record {index} at byte {offset}: leader length {declared} but the record "
                f"is {actual} bytes (recovered)"
            )
        repaired = 0
        for i in range(len(reader)):
            record = reader[i]
            if record is not None and record.repairs:
                repaired += 1
                for warning in record.repairs:
                    print(f"repaired: {warning}")
        for error in errors:
            print(f"{type(error).__name__}: {error}")
        note = framing_note(reader)
        if note:
            print(note)
        summary = [
            plural(len(reader), "record"),
            plural(len(errors), "bad record"),
            plural(repaired, "repaired record"),
            plural(len(reader.skipped), "skipped byte range"),
        ]
        print(", ".join(summary))
        bad = len(errors) + len(reader.skipped) + repaired + len(reader.recovered)
    return 1 if bad or note else 0
