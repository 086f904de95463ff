#!/usr/bin/env python3
"""--range and `ouiscan merge` against the whole-file scan.

Every capture is cut at random points (inside file and record headers, inside records, on
record boundaries) into 2 to 16 byte ranges; each range is scanned with --range, and the merge
of the range results must equal the scan of the whole file exactly: every address record, and
the summary (frame and byte totals, link types, anomalies, the inputs' records, bytes and
status), all but the timings and the merge's own note. The expected side is the whole-file scan:
the ranges and the merge are what is under test, and the whole scan is itself checked against
tshark and tcpdump by the corpus tests.

Captures: the bundled sample; generated pcap (microseconds, nanoseconds big-endian) and pcapng
with three interfaces whose Interface Description Blocks appear mid-file (each just before its
first packet), two sections of opposite byte order in one file, and identity traffic; and every
corpus capture when the corpus is there (one cut set each). Cuts at every record boundary of the
sample are also checked, and --headers (the blocks `ouiscan plan` indexes) on the mid-file IDB
capture.

Captures that are damaged in the middle are compared differently: the whole scan stops at the
fault, the ranges after it go on (nothing they find is dropped), so the merge must report the
same first fault and hold every address of the whole scan.

Also: many results merged equal one multi-input scan; a range left out is a range_gap (exit 1,
the problem printed); a range given twice counts once; a result of another schema is refused
(exit 3).

Usage: range_merge_test.py OUISCAN GEN_PCAP [CORPUS_DIR] [--sanitized]. Without the corpus it
checks the rest and says so. --sanitized (the ASan build, whose processes start ten times
slower) cuts every fourth corpus capture and two cut sets of each generated one: the release
run covers them all.
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

import support

SANITIZED = "--sanitized" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--sanitized"]
OUISCAN, GEN_PCAP = ARGS[0], ARGS[1]
CORPUS = ARGS[2] if len(ARGS) > 2 else ""
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample.pcapng")
VOLATILE = ("seconds", "stages", "throughput", "memory", "merge")

checks = support.Checks()
work = tempfile.mkdtemp(prefix="ouiscan-range-")


def scan(args):
    p = support.run(OUISCAN, ["-q", "-f", "json", "--no-progress"] + list(args))
    try:
        return json.loads(p.stdout), p
    except ValueError:
        return None, p


def comparable(doc):
    s = dict(doc["summary"])
    for k in VOLATILE:
        s.pop(k, None)
    return doc["addresses"], s


def first_difference(a, b):
    (aa, sa), (ab, sb) = comparable(a), comparable(b)
    if len(aa) != len(ab):
        return f"{len(aa)} addresses whole, {len(ab)} merged"
    for x, y in zip(aa, ab):
        if x != y:
            keys = [k for k in x if x[k] != y.get(k)]
            return f"{x['address']}: " + "; ".join(f"{k} {x[k]} != {y.get(k)}" for k in keys[:3])
    keys = [k for k in sa if sa[k] != sb.get(k)]
    return "summary: " + "; ".join(f"{k} {sa[k]} != {sb.get(k)}" for k in keys[:3])


def cut_points(size, parts, rng, boundaries):
    """parts-1 distinct cuts in (0, size): some on record boundaries, some near them (inside a
    record header), the rest anywhere."""
    cuts = set()
    while len(cuts) < parts - 1 and len(cuts) < size - 1:
        pick = rng.random()
        if boundaries and pick < 0.3:
            c = rng.choice(boundaries)
        elif boundaries and pick < 0.5:
            c = rng.choice(boundaries) + rng.randint(1, 7)
        else:
            c = rng.randint(1, size - 1)
        if 0 < c < size:
            cuts.add(c)
    return sorted(cuts)


def merged_ranges(path, cuts, tag, extra=()):
    edges = [0] + list(cuts) + [None]
    results = []
    for i in range(len(edges) - 1):
        end = "" if edges[i + 1] is None else str(edges[i + 1])
        out = os.path.join(work, f"{tag}-{i}.json")
        p = support.run(OUISCAN, ["-q", "-f", "json", "--no-progress", "-o", out,
                                  "--range", f"{edges[i]}-{end}"] + list(extra) + [path])
        if p.returncode not in (0, 1):
            return None, f"range {edges[i]}-{end}: exit {p.returncode} {support.text(p)[1]}"
        results.append(out)
    random.Random(tag).shuffle(results)  # the merge must not depend on the order given
    p = support.run(OUISCAN, ["merge", "-q", "-f", "json"] + results)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        return None, f"merge: exit {p.returncode} {support.text(p)[1]}"


def damaged_mid_file(doc):
    errors = [i.get("error") for i in doc["summary"]["inputs"] if i.get("error")]
    return any(e["code"] != "truncated_file" for e in errors)


def check_capture(path, cut_sets, rng, name=None, boundaries=(), extra=()):
    name = name or os.path.basename(path)
    whole, p = scan([path])
    if whole is None:
        checks(f"{name}: whole scan", False, support.text(p)[1])
        return
    size = os.path.getsize(path)
    for k, parts in enumerate(cut_sets):
        cuts = cut_points(size, parts, rng, list(boundaries))
        merged, p = merged_ranges(path, cuts, f"{name.replace('/', '_')}-{k}", extra)
        what = f"{name}: {len(cuts) + 1} ranges cut at {cuts[:6]}{'...' if len(cuts) > 6 else ''}"
        if merged is None:
            checks(what, False, p)
            continue
        if damaged_mid_file(whole):
            w_err = [i.get("error") for i in whole["summary"]["inputs"]]
            m_err = [i.get("error") for i in merged["summary"]["inputs"]]
            got = {a["address"] for a in merged["addresses"]}
            checks(what + " (damaged: same first fault, every address kept)",
                   [e and (e["code"], e["offset"]) for e in w_err] ==
                   [e and (e["code"], e["offset"]) for e in m_err] and
                   all(a["address"] in got for a in whole["addresses"]),
                   f"{w_err} vs {m_err}")
            continue
        checks(what, comparable(whole) == comparable(merged), first_difference(whole, merged))


def pcapng_blocks(data):
    """(offset, type, length) of each block, in order (both byte orders)."""
    out, at, order = [], 0, "<"
    while at + 12 <= len(data):
        btype = struct.unpack_from("<I", data, at)[0]
        if btype == 0x0A0D0D0A:
            order = "<" if struct.unpack_from("<I", data, at + 8)[0] == 0x1A2B3C4D else ">"
        length = struct.unpack_from(order + "I", data, at + 4)[0]
        if length < 12:
            break
        out.append((at, btype, length))
        at += length
    return out


def pcap_boundaries(data):
    if len(data) < 24:
        return []
    magic = struct.unpack_from("<I", data, 0)[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    out, at = [24], 24
    while at + 16 <= len(data):
        at += 16 + struct.unpack_from(order + "I", data, at + 8)[0]
        out.append(at)
    return out


def boundaries_of(path):
    data = open(path, "rb").read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return [b[0] for b in pcapng_blocks(data)]
    return pcap_boundaries(data)


def gen(name, *args):
    path = os.path.join(work, name)
    subprocess.run([GEN_PCAP, "-o", path] + list(args), check=True)
    return path


def idbs_mid_file(src, dst):
    """The same pcapng with each Interface Description Block moved to just before the first
    packet that uses its interface (interface numbers keep their order), the packets of the
    other interfaces in the first third of the file left out so that their IDBs come late."""
    data = open(src, "rb").read()
    blocks = pcapng_blocks(data)
    blocks = [b for b in blocks if not (b[1] == 6 and b[0] < len(data) // 3 and
                                        struct.unpack_from("<I", data, b[0] + 8)[0] > 0)]
    shb = [b for b in blocks if b[1] == 0x0A0D0D0A]
    idbs = [b for b in blocks if b[1] == 1]
    out = bytearray(data[shb[0][0]:shb[0][0] + shb[0][2]])
    emitted = 0
    index = []  # (offset, length) of each header block written, for --headers
    index.append((0, shb[0][2]))
    for at, btype, length in blocks:
        if btype in (0x0A0D0D0A, 1):
            continue
        if btype == 6:
            iface = struct.unpack_from("<I", data, at + 8)[0]
            while emitted <= iface:
                o, _, n = idbs[emitted]
                index.append((len(out), n))
                out += data[o:o + n]
                emitted += 1
        out += data[at:at + length]
    open(dst, "wb").write(out)
    return index


def main():
    rng = random.Random(20261202)
    sizes = [3, 16] if SANITIZED else [2, 3, 5, 8, 16]

    # The sample: random cut sets, then a cut at every record boundary (each record a range).
    check_capture(SAMPLE, sizes, rng, "sample.pcapng", boundaries_of(SAMPLE))
    bounds = boundaries_of(SAMPLE)
    whole, _ = scan([SAMPLE])
    merged, p = merged_ranges(SAMPLE, bounds[1:], "sample-every-block")
    checks(f"sample.pcapng: {len(bounds)} ranges, one per block",
           merged is not None and comparable(whole) == comparable(merged),
           p if merged is None else first_difference(whole, merged))

    plain = gen("plain.pcap", "-s", "3", "--seed", "7", "--hosts", "500")
    check_capture(plain, sizes, rng, "generated pcap", boundaries_of(plain))
    ns_be = gen("ns-be.pcap", "-s", "2", "--seed", "8", "--ns", "--big-endian", "--hosts", "300")
    check_capture(ns_be, sizes, rng, "generated pcap, ns, big-endian", boundaries_of(ns_be))
    ident = gen("identity.pcap", "-s", "3", "--seed", "9", "--hosts", "400",
                "--identity-share", "0.2")
    check_capture(ident, sizes, rng, "generated identity traffic", boundaries_of(ident))

    three = gen("three.pcapng", "-s", "3", "--seed", "10", "-F", "pcapng", "--hosts", "300",
                "--links", "ethernet,linux_sll,radiotap")
    late = os.path.join(work, "idbs-mid-file.pcapng")
    index = idbs_mid_file(three, late)
    checks("the generated capture has IDBs mid-file",
           len(index) == 4 and index[-1][0] > 100000, index)
    check_capture(late, sizes, rng, "pcapng, IDBs mid-file", boundaries_of(late))
    headers = ",".join(f"{o}+{n}" for o, n in index)
    check_capture(late, [4, 9], rng, "pcapng, IDBs mid-file, --headers", boundaries_of(late),
                  extra=["--headers", headers])

    # ouiscan plan: the items tile each capture, carry the pcapng index, and their --range
    # scans (with the items' --headers) merge to the whole scan.
    big = gen("big.pcapng", "-s", "6", "--seed", "12", "-F", "pcapng", "--hosts", "300",
              "--links", "ethernet,radiotap")
    late_big = os.path.join(work, "big-idbs-mid-file.pcapng")
    big_index = idbs_mid_file(big, late_big)
    p = support.run(OUISCAN, ["plan", "--parts", "4", late_big, plain])
    items = json.loads(p.stdout) if p.returncode == 0 else []
    size = os.path.getsize(late_big)
    mine = [i for i in items if i["input"] == late_big]
    checks("plan --parts 4: four items tiling the pcapng, each of the same size",
           len(mine) == 4 and mine[0]["start"] == 0 and mine[-1]["end"] == size and
           all(a["end"] == b["start"] for a, b in zip(mine, mine[1:])) and
           all(i["size"] == size for i in mine), items)
    want_headers = lambda start: ",".join(f"{o}+{n}" for o, n in big_index if o < start)
    checks("plan: each pcapng item past the start lists the header blocks before it",
           all(i.get("headers") == want_headers(i["start"]) for i in mine[1:]) and
           "headers" not in mine[0], [(i["start"], i.get("headers")) for i in mine])
    results = []
    for k, i in enumerate(items):
        out = os.path.join(work, f"plan-{k}.json")
        extra = ["--headers", i["headers"]] if "headers" in i else []
        support.run(OUISCAN, ["-q", "-f", "json", "-o", out, "--range",
                              f"{i['start']}-{i['end']}"] + extra + [i["input"]])
        results.append(out)
    p = support.run(OUISCAN, ["merge", "-q", "-f", "json"] + results)
    merged = json.loads(p.stdout)
    both, _ = scan([late_big, plain])
    checks("the plan's items scanned with --range and merged equal one scan of both captures",
           p.returncode == 0 and comparable(both) == comparable(merged) and
           merged["summary"]["merge"]["ranges_walked_again"] == 0,
           first_difference(both, merged))
    p = support.run(OUISCAN, ["plan", late_big])
    checks("plan without --parts or --part-size: usage error", p.returncode == 2, p.returncode)

    be = gen("be.pcapng", "-s", "1", "--seed", "11", "-F", "pcapng", "--big-endian",
             "--hosts", "200", "--links", "linux_sll")
    two = os.path.join(work, "two-sections.pcapng")
    open(two, "wb").write(open(three, "rb").read() + open(be, "rb").read())
    check_capture(two, sizes, rng, "pcapng, two sections of opposite byte order",
                  boundaries_of(two))

    # Many captures merged equal one multi-input scan.
    inputs = [SAMPLE, plain, late]
    multi, _ = scan(inputs)
    results = []
    for i, path in enumerate(inputs):
        out = os.path.join(work, f"whole-{i}.json")
        support.run(OUISCAN, ["-q", "-f", "json", "-o", out, path])
        results.append(out)
    jsonl = os.path.join(work, "whole-jsonl.json")
    support.run(OUISCAN, ["-q", "-f", "jsonl", "-o", jsonl, inputs[2]])
    p = support.run(OUISCAN, ["merge", "-q", "-f", "json"] + results[:2] + [jsonl])
    merged = json.loads(p.stdout)
    checks("three captures merged (one of them JSON lines) equal one scan of the three",
           p.returncode == 0 and comparable(multi) == comparable(merged),
           first_difference(multi, merged))
    checks("the merge says how many results it merged",
           merged["summary"]["merge"] == {"results": 3, "problems": [], "ranges_walked_again": 0},
           merged["summary"]["merge"])

    # A range left out; a range given twice.
    cuts = [10000, 20000]
    parts = []
    for i, (a, b) in enumerate([(0, 10000), (10000, 20000), (20000, "")]):
        out = os.path.join(work, f"part-{i}.json")
        support.run(OUISCAN, ["-q", "-f", "json", "-o", out, "--range", f"{a}-{b}", SAMPLE])
        parts.append(out)
    p = support.run(OUISCAN, ["merge", "-f", "json", parts[0], parts[2]])
    doc = json.loads(p.stdout)
    err = doc["summary"]["inputs"][0].get("error", {})
    checks("a range left out: exit 1, range_gap where it begins, the problem said",
           p.returncode == 1 and err.get("code") == "range_gap" and
           doc["summary"]["inputs"][0]["status"] == "damaged" and
           "are in no range" in support.text(p)[1] and
           len(doc["summary"]["merge"]["problems"]) == 1,
           (p.returncode, err, support.text(p)[1]))
    p = support.run(OUISCAN, ["merge", "-q", "-f", "json"] + parts + [parts[1]])
    doc = json.loads(p.stdout)
    checks("a range given twice counts once (and is said)",
           doc["summary"]["frames"] == whole["summary"]["frames"] and
           len(doc["summary"]["merge"]["problems"]) == 1, doc["summary"]["merge"])

    # A result of another schema, and a text that is not a result.
    other = json.load(open(parts[0]))
    other["summary"]["schema"] = 99
    odd = os.path.join(work, "schema-99.json")
    json.dump(other, open(odd, "w"))
    notjson = os.path.join(work, "not.json")
    open(notjson, "w").write("hello")
    p = support.run(OUISCAN, ["merge", "-f", "json", odd, parts[1], notjson])
    err = support.text(p)[1]
    checks("another schema and a non-result are refused by name (exit 3), the rest merged",
           p.returncode == 3 and "schema 99" in err and "not.json" in err and
           json.loads(p.stdout)["summary"]["merge"]["results"] == 1, (p.returncode, err))

    # A result from a stranger: control characters in a name and an input's name are escaped
    # in every output, as names taken from packets are.
    hostile = json.load(open(results[0]))
    hostile["summary"]["inputs"][0]["name"] = "evil\u001b]0;owned\u0007.pcap"
    named = hostile["addresses"][:1]
    for a in named:
        a["names"] = [{"kind": "dhcp_hostname", "name": "x\u001b[2Jy\u009b", "sightings": 1,
                       "first_seen": None, "last_seen": None}]
    bad = os.path.join(work, "hostile.json")
    json.dump(hostile, open(bad, "w"))
    outputs = []
    for fmt in ("table", "csv", "json", "jsonl"):
        p = support.run(OUISCAN, ["merge", "-f", fmt, bad])
        outputs.append(p.stdout + p.stderr)
    checks("hostile names in a result: no control character reaches any output format",
           named and all(not any(b < 0x20 and b not in (0x0a, 0x09) or b == 0x7f for b in out)
                         and b"\xc2\x9b" not in out for out in outputs) and
           b"\\x1b" in outputs[2], [o[:200] for o in outputs])

    # The corpus: one random cut set per capture.
    if CORPUS and os.path.isdir(os.path.join(CORPUS, "captures")):
        files = sorted(
            os.path.join(d, f) for d, _, fs in os.walk(os.path.join(CORPUS, "captures"))
            for f in fs)
        if SANITIZED:
            print(f"NOTE: sanitized build: every fourth of the {len(files)} corpus captures")
            files = files[::4]
        for path in files:
            data_size = os.path.getsize(path)
            if data_size < 64:
                continue
            parts_n = rng.choice(range(2, 17))
            check_capture(path, [parts_n], rng, os.path.relpath(path, CORPUS),
                          boundaries_of(path) if data_size < 50_000_000 else ())
    else:
        print("NOTE: the corpus is not there; its captures were not cut")
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
