#!/usr/bin/env python3
"""Damaged captures made on purpose (cut, overwritten record lengths, spliced-out bytes) in pcap
and pcapng: the default verdicts, --resync's recovery, and, when Debian's pcapfix is installed,
the addresses recovered by pcapfix then ouiscan, against the undamaged original.

Usage: damage_test.py OUISCAN [--report]
Every frame of the generated captures comes from its own source address, so the addresses a
reader recovers count the records it recovered; the expected numbers are computed here from
where the damage was put.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import support

OUISCAN = sys.argv[1]
REPORT = "--report" in sys.argv
N = 5000
check = support.Checks()



def frame(i):
    return b"\xff" * 6 + struct.pack(">HI", 0x0200, i) + b"\x08\x00" + bytes(46)  # 60 bytes


def pcap(n):
    """pcap: 24-byte header, then 16 + 60 bytes per record; returns (bytes, record offsets)."""
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    offsets = []
    for i in range(n):
        offsets.append(len(out))
        out += struct.pack("<IIII", 1700000000 + i, 0, 60, 60) + frame(i)
    return bytes(out), offsets


def pcapng(n):
    """pcapng: SHB, IDB, then one 92-byte Enhanced Packet Block per frame."""
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20)
    out = bytearray(shb + idb)
    offsets = []
    for i in range(n):
        offsets.append(len(out))
        body = struct.pack("<IIIII", 0, 0, i, 60, 60) + frame(i)
        out += struct.pack("<II", 6, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    return bytes(out), offsets


def scan(path, *args):
    p = subprocess.run([OUISCAN, "-q", "-f", "json", *args, path], capture_output=True, text=True)
    doc = json.loads(p.stdout) if p.stdout.startswith("{") else {"addresses": [], "summary": {"inputs": [{}]}}
    srcs = {a["address"] for a in doc["addresses"] if a["address"].startswith("02:00")}
    return p.returncode, len(srcs), doc["summary"]["inputs"][0]


def pcapfix(path, work):
    if shutil.which("pcapfix") is None:
        return None
    fixed = os.path.join(work, "fixed-" + os.path.basename(path))
    subprocess.run(["pcapfix", "-d", "-o", fixed, path], capture_output=True, timeout=300)
    if not os.path.exists(fixed):
        return N if False else scan(path)[1]  # "nothing to fix": the file as it is
    return scan(fixed)[1]


def main():
    work = tempfile.mkdtemp(prefix="ouiscan-damage-")
    rows = []
    for kind, build in (("pcap", pcap), ("pcapng", pcapng)):
        data, offsets = build(N)
        mid = offsets[N // 2]
        record = 76 if kind == "pcap" else 92  # bytes per record (pcapng: per block)
        cases = {
            # A capture cut in the middle of a record: every whole record before it is used.
            "cut": (data[: mid + 30], N // 2, N // 2),
            # One record's length overwritten with garbage: the rest is behind it. Spliced: the
            # damaged record and the next one (which its stated length overlaps) are lost.
            "overwrite": (data[:mid + (8 if kind == "pcap" else 4)] + b"\xf0\xff\xff\x7f" +
                          data[mid + (12 if kind == "pcap" else 8):], N // 2, N - 1),
            # 37 bytes spliced out of a record: that record and the framing after it break.
            "splice": (data[: mid + 20] + data[mid + 57:], N // 2, N - 1),
        }
        if kind == "pcapng":
            # Overwrite the block's total length (offset 4 in the block) instead.
            cases["overwrite"] = (data[: mid + 4] + b"\xf0\xff\xff\x7f" + data[mid + 8:],
                                  N // 2, N - 1)
        for name, (damaged, before, recoverable) in cases.items():
            path = os.path.join(work, f"{name}.{kind}")
            with open(path, "wb") as f:
                f.write(damaged)
            rc, got, inp = scan(path)
            rc_r, got_r, inp_r = scan(path, "--resync")
            fixed = pcapfix(path, work)
            rows.append((kind, name, got, got_r, fixed))
            if fixed is not None:
                # pcapfix repairs, ouiscan reads: never an address the original did not have, and
                # at least what --resync recovers alone.
                check(f"{kind} {name}: pcapfix then ouiscan recovers between --resync's count and N",
                      got_r <= fixed <= N, f"pcapfix {fixed}, --resync {got_r}")
            if name == "cut":
                check(f"{kind} cut: exit 0 (a warning), status truncated, {before} records kept",
                      rc == 0 and inp.get("status") == "truncated" and got == before,
                      f"rc={rc} got={got} {inp.get('status')}")
                continue
            if kind == "pcap" and name == "splice":
                # pcap records carry no check of their own: without --resync, bytes lost inside a
                # frame shift the next headers into frame data, read as (empty) records; with it,
                # records must look like a capture tool's, so the damage is found and skipped.
                check(f"{kind} {name}: the {before} records before the damage kept",
                      got == before, f"rc={rc} got={got}")
                check(f"{kind} {name} --resync: the damage found and stepped over",
                      rc_r == 1 and got_r == recoverable - 1 and
                      len(inp_r.get("skipped", [])) == 1, f"rc={rc_r} got={got_r}")
                continue
            check(f"{kind} {name}: exit 1 without --resync, the {before} records before kept",
                  rc == 1 and got == before, f"rc={rc} got={got}")
            skipped = inp_r.get("skipped", [])
            if name == "overwrite":
                import gzip
                with open(path + ".gz", "wb") as f:
                    f.write(gzip.compress(damaged))
                rc_z, got_z, inp_z = scan(path + ".gz", "--resync")
                check(f"{kind} {name} gzip stream --resync: the same recovery as the file",
                      got_z == got_r and inp_z.get("skipped") == inp_r.get("skipped"),
                      f"{got_z} vs {got_r}")
            check(f"{kind} {name} --resync: goes on after the damage, exit 1, the skip reported",
                  rc_r == 1 and got_r == (recoverable if name == "overwrite" else recoverable - 1)
                  and len(skipped) == 1 and
                  mid <= skipped[0]["offset"] < mid + 2 * record and
                  skipped[0]["bytes"] <= 2 * record,
                  f"rc={rc_r} got={got_r} skipped={skipped}")
    print(f"\n{'capture':8} {'damage':10} {'ouiscan':>8} {'--resync':>9} {'pcapfix':>8}   (of {N} addresses)")
    for kind, name, got, got_r, fixed in rows:
        print(f"{kind:8} {name:10} {got:8} {got_r:9} {('-' if fixed is None else fixed):>8}")
    if shutil.which("pcapfix") is None:
        print("pcapfix not installed: its column is skipped (Debian package pcapfix)")
    shutil.rmtree(work, ignore_errors=True)
    return check.done()


if __name__ == "__main__":
    sys.exit(main())
