"""Regenerate bpi2012.csv.gz from the BPI Challenge 2012 XES event log.

Usage:
    python _derive_bpi2012.py BPI_Challenge_2012.xes.gz [OUT.csv.gz]

OUT defaults to bpi2012.csv.gz next to this script. Only the standard library
is used (gzip + xml.etree.ElementTree.iterparse, elements cleared as parsed).

Input: BPI Challenge 2012, B.F. van Dongen, Eindhoven University of Technology,
DOI 10.4121/uuid:3926db30-f712-4394-aebc-75976070e91f (CC BY 4.0), as the
gzipped XES file with
    sha256 fdc916898cd56f0fb65f0c6c2f69140e6345fe9fc8be2ef1dde0647107db050b
(13,087 traces, 262,200 events).

Kept: events whose concept:name starts with "A_" and whose
lifecycle:transition is COMPLETE, in the original log order.
Result for that input: 60,849 rows, 13,087 cases (every trace has at least
one such event), 10 distinct activities. Prints "60849 13087 13087" (rows
kept, traces read, cases kept) on stdout, details on stderr.

Columns: case_id (trace concept:name), activity (event concept:name),
timestamp (event time:timestamp converted from its offset to UTC, ISO-8601 with
milliseconds and a "Z"), resource (event org:resource, empty when absent),
amount_req (trace attribute AMOUNT_REQ, an integer number of euros).

The output is written with gzip level 9, an empty file name and mtime 0 in the
gzip header, so the same input gives byte-identical output.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import os
import sys
import xml.etree.ElementTree as ET

COLUMNS = ["case_id", "activity", "timestamp", "resource", "amount_req"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _utc_iso_ms(value: str) -> str:
    ts = dt.datetime.fromisoformat(value)
    if ts.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value!r}")
    ts = ts.astimezone(dt.timezone.utc)
    if ts.microsecond % 1000:
        raise ValueError(f"timestamp finer than milliseconds: {value!r}")
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _number(value: str) -> str:
    x = float(value)  # raises on a non-number, e.g. the global default "UNKNOWN"
    return str(int(x)) if x.is_integer() else repr(x)


def derive(src: str):
    """Yield (case_id, activity, timestamp, resource, amount_req) rows and
    return (n_traces, n_events) through StopIteration.value."""
    n_traces = n_events = 0
    root = None
    depth = 0  # 1 = <log>, 2 = <trace>, 3 = <event>
    events: list[dict[str, str]] = []
    with gzip.open(src, "rb") as f:
        for kind, el in ET.iterparse(f, events=("start", "end")):
            tag = _local(el.tag)
            if kind == "start":
                depth += 1
                if root is None:
                    root = el
                continue
            depth -= 1
            if tag == "event" and depth == 2:
                # Direct attribute children of the event (nested ones ignored).
                events.append({c.get("key"): c.get("value") for c in el})
                el.clear()
            elif tag == "trace" and depth == 1:
                n_traces += 1
                attrs = {c.get("key"): c.get("value") for c in el if _local(c.tag) != "event"}
                case_id = attrs["concept:name"]
                amount = _number(attrs["AMOUNT_REQ"])
                for a in events:
                    n_events += 1
                    name = a.get("concept:name", "")
                    if name.startswith("A_") and a.get("lifecycle:transition") == "COMPLETE":
                        yield (case_id, name, _utc_iso_ms(a["time:timestamp"]),
                               a.get("org:resource", ""), amount)
                events = []
                root.clear()  # drop the finished trace (and the log header) from memory
    return n_traces, n_events


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    src = argv[1]
    out = argv[2] if len(argv) == 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "bpi2012.csv.gz")
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    gen = derive(src)
    rows = 0
    cases: set[str] = set()
    activities: set[str] = set()
    while True:
        try:
            row = next(gen)
        except StopIteration as stop:
            n_traces, n_events = stop.value
            break
        w.writerow(row)
        rows += 1
        cases.add(row[0])
        activities.add(row[1])
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                               compresslevel=9, mtime=0) as g:
        g.write(buf.getvalue().encode("utf-8"))
    print(rows, n_traces, len(cases))  # stdout: rows kept, traces read, cases kept
    print(f"read {n_traces} traces, {n_events} events; wrote {rows} rows, {len(cases)} cases, "
          f"{len(activities)} activities -> {out} ({os.path.getsize(out)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
