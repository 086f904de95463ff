#!/usr/bin/env python3
"""Every assignment of the embedded IEEE snapshot resolves to its own organisation.

Expected answers come straight from the IEEE CSVs, read with Python's csv and html modules
(not ouiscan's parser): for each row, the assignment as a prefix query, and for MA-M / MA-S /
IAB blocks also the first and last address of the block. Usage: registry_test.py OUISCAN CSV_DIR
"""
import csv
import html
import json
import subprocess
import sys

ouiscan, csv_dir = sys.argv[1], sys.argv[2]
files = {"MA-L": "oui.csv", "MA-M": "mam.csv", "MA-S": "oui36.csv", "IAB": "iab.csv", "CID": "cid.csv"}
bits = {"MA-L": 24, "MA-M": 28, "MA-S": 36, "IAB": 36, "CID": 24}

holders = {}  # (registry, assignment) -> set of names
for reg, name in files.items():
    with open(f"{csv_dir}/{name}", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Registry", "Assignment", "Organization Name", "Organization Address"], name
    for row in rows[1:]:
        assert row[0] == reg
        holders.setdefault((reg, row[1].upper()), set()).add(html.unescape(row[2]).strip())

queries = []  # (query text, registry, assignment)
for (reg, hexa) in holders:
    queries.append((hexa, reg, hexa))
    if reg in ("MA-M", "MA-S", "IAB"):
        pad = 12 - len(hexa)
        queries.append((hexa + "0" * pad, reg, hexa))
        queries.append((hexa + "F" * pad, reg, hexa))

proc = subprocess.run([ouiscan, "lookup", "-f", "jsonl", "-"], input="\n".join(q[0] for q in queries),
                      capture_output=True, text=True, check=True)
answers = [json.loads(line) for line in proc.stdout.splitlines()]
assert len(answers) == len(queries), (len(answers), len(queries))

failures = 0
for (text, reg, hexa), a in zip(queries, answers):
    want = holders[(reg, hexa)]
    got = set(a["vendors"])
    ok = (a["vendor_status"] == "assigned" and a["registry"] == reg and a["prefix_bits"] == bits[reg]
          and a["prefix"].replace(":", "").upper() == hexa and got == want and a["holders"] == len(want))
    if not ok:
        failures += 1
        if failures <= 10:
            print(f"FAIL {text}: want {reg}/{bits[reg]} {sorted(want)}, got {a}")

dups = {k: v for k, v in holders.items() if len(v) > 1}
print(f"{len(holders)} assignments ({len(dups)} with several holders), {len(queries)} lookups: "
      f"{len(queries) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
