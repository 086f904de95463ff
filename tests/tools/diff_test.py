#!/usr/bin/env python3
"""`ouiscan diff` and `--diff` on captures written here, with every expected change worked out
by hand from the frames: one host keeps its address, one changes it, one leaves, one arrives.

Usage: diff_test.py OUISCAN
"""
import json
import os
import sys
import tempfile

import support

OUISCAN = sys.argv[1]
check = support.Checks()
A, B, C, D = "00:00:5e:00:53:0a", "00:00:5e:00:53:0b", "00:00:5e:00:53:0c", "00:00:5e:00:53:0d"
BCAST = "ff:ff:ff:ff:ff:ff"


def announce(mac, ip):  # a broadcast ARP request from mac for ip: binds ip to mac ("arp")
    return support.ether(BCAST, mac, 0x0806, support.arp(1, mac, ip, "00:00:00:00:00:00", "10.0.0.254"))


work = tempfile.mkdtemp()
monday = support.write(os.path.join(work, "monday.pcap"), support.pcap(
    [(1, 0, announce(A, "10.0.0.1")), (2, 0, announce(B, "10.0.0.2")),
     (3, 0, announce(C, "10.0.0.3"))]))
tuesday = support.write(os.path.join(work, "tuesday.pcap"), support.pcap(
    [(1, 0, announce(A, "10.0.0.1")), (2, 0, announce(B, "10.0.0.7")),
     (3, 0, announce(D, "10.0.0.4"))]))
old_json = os.path.join(work, "monday.json")
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "json", "-o", old_json, monday])
check("monday's inventory written", p.returncode == 0, support.text(p))
new_jsonl = os.path.join(work, "tuesday.jsonl")
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "jsonl", "-o", new_jsonl, tuesday])
check("tuesday's inventory written as JSON lines", p.returncode == 0, support.text(p))

# Expected: C is gone, D is new, B changed 10.0.0.2 -> 10.0.0.7, A and the broadcast and null
# addresses (the ARP target) unchanged.
p = support.run(OUISCAN, ["diff", "-f", "json", old_json, new_jsonl])
check("diff exits 1 when there are changes", p.returncode == 1, support.text(p))
doc = json.loads(p.stdout)
by = {(c["change"], c["address"]): c for c in doc["changes"]}
check("the new, gone and changed addresses", set(by) == {("new", D), ("gone", C), ("changed", B)},
      sorted(by))
check("the new address with its IP", by[("new", D)]["ips"] == ["10.0.0.4"], by.get(("new", D)))
check("the gone address with its IP", by[("gone", C)]["ips"] == ["10.0.0.3"], by.get(("gone", C)))
changed = by[("changed", B)]
check("the changed address: one IP added, one removed, vendor and names unchanged",
      changed["ips_added"] == ["10.0.0.7"] and changed["ips_removed"] == ["10.0.0.2"]
      and changed["names_added"] == [] and "old_vendor" not in changed, changed)
check("the summary counts", doc["summary"] == {"new": 1, "gone": 1, "changed": 1, "unchanged": 3},
      doc["summary"])

# --diff on a scan gives the same changes, from the scan's own inventory.
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "json", "--diff", old_json, tuesday])
check("--diff gives the same changes", p.returncode == 0 and json.loads(p.stdout) == doc,
      support.text(p))

# No change: exit 0; the table names the counts.
p = support.run(OUISCAN, ["diff", old_json, old_json])
out, _ = support.text(p)
check("an inventory against itself: exit 0, nothing changed",
      p.returncode == 0 and out.strip() == "0 new, 0 gone, 0 changed, 5 unchanged", out)

# A vendor change and a hostile vendor name: edited by hand into a copy of the old result.
# 00-00-5E is "ICANN, IANA Department" in the IEEE MA-L registry (third_party/ieee/oui.csv).
edited = json.load(open(old_json))
for r in edited["addresses"]:
    if r["address"] == A:
        r["vendor"] = "Evil\x1b[2J Corp"
hostile = support.write(os.path.join(work, "edited.json"), json.dumps(edited).encode())
p = support.run(OUISCAN, ["diff", hostile, old_json])
out, _ = support.text(p)
line = [l for l in out.splitlines() if A in l]
check("a vendor change, its escape sequence written as text",
      len(line) == 1 and "vendor Evil\\x1b[2J Corp -> ICANN, IANA Department" in line[0]
      and "\x1b" not in out, out)
p = support.run(OUISCAN, ["diff", "-f", "csv", hostile, old_json])
rows = support.csv_rows(p.stdout)
check("CSV: the vendor change as two rows",
      [(r["what"], r["value"]) for r in rows if r["address"] == A] ==
      [("old_vendor", "Evil\\x1b[2J Corp"), ("new_vendor", "ICANN, IANA Department")], rows)

# Not a result: exit 3, the file named.
p = support.run(OUISCAN, ["diff", old_json, monday])
_, err = support.text(p)
check("a capture is not a result: exit 3, the file named", p.returncode == 3 and monday in err, err)
p = support.run(OUISCAN, ["diff", old_json, os.path.join(work, "missing.json")])
check("a missing file: exit 3", p.returncode == 3, support.text(p))
sys.exit(check.done())
