#!/usr/bin/env python3
"""The ouiscan command as a user meets it: formats, exit codes, standard streams, tcpdump habits,
damaged input. Usage: cli_test.py OUISCAN PROJECT_DIR

Expected values come from elsewhere: tshark's address sets for the sample (tests/data/*.macs),
the IEEE CSVs in third_party/ieee, tcpdump and tshark run on the same files, bytes written here.
"""
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl

import support
from support import ether, pcap, write

BIN = sys.argv[1]
PROJECT = sys.argv[2]
DATA = os.path.join(PROJECT, "tests", "data")
SAMPLE = os.path.join(DATA, "sample.pcapng")
IEEE = os.path.join(PROJECT, "third_party", "ieee", "2026-05-21")
check = support.Checks()


def ouiscan(*args, stdin=None, env=None):
    p = support.run(BIN, ["--no-progress", *args], stdin=stdin, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def macs_file(name):
    return support.read_set(os.path.join(DATA, name))


def generated(tmp):
    """A pcap of 40 frames from 8 hosts and ARP between them, one second apart."""
    hosts = [f"00:1b:21:00:00:{i:02x}" for i in range(1, 9)]
    records = []
    for i in range(40):
        src, dst = hosts[i % 8], hosts[(i * 3 + 1) % 8]
        if i % 5 == 0:
            frame = ether("ff:ff:ff:ff:ff:ff", src, 0x0806,
                          support.arp(1, src, f"10.0.0.{i % 8 + 1}", "00:00:00:00:00:00", "10.0.0.99"))
        else:
            frame = ether(dst, src, 0x0800, bytes(46))
        records.append((1_700_000_000 + i, 0, frame))
    return write(os.path.join(tmp, "gen.pcap"), pcap(records)), hosts


def main():
    tmp = tempfile.mkdtemp()
    try:
        formats_and_streams(tmp)
        lookup(tmp)
        null_and_classes(tmp)
        damage(tmp)
        habits(tmp)
        selection(tmp)
        terminal(tmp)
        usage(tmp)
        damaged_db(tmp)
    finally:
        shutil.rmtree(tmp)
    return check.done()


def formats_and_streams(tmp):
    want_frame = macs_file("sample.pcapng.macs")
    want_arp = macs_file("sample.pcapng.arp.macs")
    want_all = want_frame | want_arp
    registries = support.read_registries(IEEE)

    # The table: data only on stdout, every address once; the summary on stderr.
    rc, out, err = ouiscan(SAMPLE)
    check("table exits 0", rc == 0, rc)
    rows = [l.split()[0] for l in out.splitlines()[1:] if l]
    check("table lists every expected address once", sorted(rows) == sorted(want_all),
          set(rows) ^ want_all)
    check("table: stdout holds only the header and one line per address",
          len(out.splitlines()) == len(want_all) + 1 and out.splitlines()[0].startswith("ADDRESS"),
          out[-300:])
    check("summary on stderr counts 170 frames", "\nframes   170 (" in "\n" + err, err)
    check("summary on stderr names the link types", "LINUX_SLL2 (276): 6 frames" in err, err)
    rc, out, err = ouiscan("-q", SAMPLE)
    check("-q drops the summary", rc == 0 and err == "", err)

    # JSON: the link-layer and ARP sets as tshark has them; vendors from the IEEE CSVs.
    rc, out, err = ouiscan("-f", "json", SAMPLE)
    doc = json.loads(out)
    check("json on stdout, nothing else on stderr", rc == 0 and err == "", err)
    frame, arp = support.address_sets(doc)
    check("json frame addresses equal tshark's", frame == want_frame, frame ^ want_frame)
    check("json ARP addresses equal tshark's", arp == want_arp, arp ^ want_arp)
    s = doc["summary"]
    check("json summary: 170 frames, 26 addresses, pcapng, ok",
          s["frames"] == 170 and s["distinct_addresses"] == len(want_all) == 26 and
          s["inputs"][0]["status"] == "ok" and s["inputs"][0]["format"] == "pcapng", s["inputs"])
    frames = [a["frames"] for a in doc["addresses"]]
    check("json busiest first", frames == sorted(frames, reverse=True))
    wrong = [(a["address"], a["vendors"]) for a in doc["addresses"]
             if set(a["vendors"]) != support.expected_vendors(registries, a["address"])]
    check("json vendors are the longest IEEE assignment", not wrong, wrong)
    named = sum(1 for a in doc["addresses"] if a["vendors"])
    check("json: 17 of the 26 addresses have a vendor (from the CSVs)",
          named == sum(1 for m in want_all if support.expected_vendors(registries, m)) == 17, named)
    check("json database is the embedded 2026-05-21 snapshot",
          s["database"] == {"source": "embedded", "snapshot": "2026-05-21"}, s["database"])
    check("json vendor counts cover every address",
          sum(v["addresses"] for v in s["vendors"]) == 26)
    no_vendor = [a for a in doc["addresses"] if a["vendor"] is None]
    check("vendor_source is present and null when the vendor is null",
          no_vendor and all("vendor_source" in a and a["vendor_source"] is None for a in no_vendor))

    # jsonl and CSV carry the same addresses and classes as JSON.
    rc, out, _ = ouiscan("-f", "jsonl", SAMPLE)
    lines = [json.loads(l) for l in out.splitlines()]
    check("jsonl: one line per address, then the summary",
          len(lines) == 27 and lines[-1]["type"] == "summary" and
          {l["data"]["address"] for l in lines[:-1]} == want_all)
    rc, csv_out, err = ouiscan("-q", "-f", "csv", SAMPLE)
    rows = support.csv_rows(csv_out)
    check("csv: a row per address", sorted(r["address"] for r in rows) == sorted(want_all))
    by_json = {a["address"]: a for a in doc["addresses"]}
    fields = ["class", "admin", "vendor_status", "registry", "prefix", "quadrant", "group",
              "group_detail", "platform", "likely_random"]
    differ = []
    for r in rows:
        a = by_json[r["address"]]
        for f in fields:
            want = a[f]
            want = "" if want is None else ("true" if want is True else "false" if want is False else str(want))
            if r[f] != want:
                differ.append((r["address"], f, r[f], want))
        if r["vendor"] != (a["vendor"] or "") or r["vendor_source"] != (a["vendor_source"] or ""):
            differ.append((r["address"], "vendor", r["vendor"], a["vendor"]))
        if int(r["frames"]) != a["frames"] or int(r["src_bytes"]) != a["src_bytes"]:
            differ.append((r["address"], "frames"))
    check("csv fields equal the JSON fields (one class vocabulary)", not differ, differ[:5])
    table_class = {l.split()[0]: l.split()[1] for l in ouiscan("-q", SAMPLE)[1].splitlines()[1:]}
    check("table classes equal the JSON classes",
          table_class == {a["address"]: a["class"] for a in doc["addresses"]},
          {k: v for k, v in table_class.items() if by_json[k]["class"] != v})

    # Standard input, pipes, compression and threads give the same inventory.
    for what, args, stdin in [
            ("stdin", ["-"], open(SAMPLE, "rb").read()),
            ("gzip file", [gz(tmp)], None),
            ("zstd on stdin", ["-"], subprocess.run(["zstd", "-q", "-c", SAMPLE], capture_output=True).stdout),
            ("one thread", ["-j", "1", SAMPLE], None),
            ("two threads", ["-j", "2", SAMPLE], None),
            ("-r", ["-r", SAMPLE], None)]:
        rc, out, _ = ouiscan("-q", "-f", "csv", *args, stdin=stdin)
        check(f"{what} equals the file", rc == 0 and out == csv_out)
    for threads in ("1", "2"):  # also against the independent answer, not only each other
        d, _ = support.scan_json(BIN, ["-j", threads, SAMPLE])
        check(f"-j {threads}: tshark's link-layer and ARP sets",
              d is not None and support.address_sets(d) == (want_frame, want_arp))
    out_file = os.path.join(tmp, "out.csv")
    rc, out, _ = ouiscan("-q", "-f", "csv", "-o", out_file, SAMPLE)
    check("-o writes the file, not stdout", rc == 0 and out == "" and open(out_file).read() == csv_out)
    rc, out, _ = ouiscan("-q", "-f", "csv", "-o", "-", SAMPLE)
    check("-o - is standard output", rc == 0 and out == csv_out)
    d, p = support.scan_json(BIN, [SAMPLE, "-r", gz(tmp)])
    check("two inputs (positional and -r) merge: 340 frames, 2 inputs",
          d and d["summary"]["frames"] == 340 and len(d["summary"]["inputs"]) == 2)

    # The address cap.
    rc, out, err = ouiscan("-f", "csv", "--max-addresses", "5", SAMPLE)
    check("capped run: exit 0, exactly 5 rows, a warning",
          rc == 0 and len(support.csv_rows(out)) == 5 and "cap of 5 distinct addresses was reached" in err)
    p = subprocess.Popen([BIN, "-f", "jsonl", SAMPLE], stdout=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    check("a closed pipe exits 0", p.wait() == 0)


def gz(tmp):
    path = os.path.join(tmp, "sample.pcapng.gz")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            subprocess.run(["gzip", "-c", SAMPLE], stdout=f, check=True)
    return path


def lookup(tmp):
    registries = support.read_registries(IEEE)
    intel = registries["MA-L"]["001B21"]
    # Notations: every one names 00:1b:21:0a:0b:0c, Intel's per oui.csv.
    for q in ["00:1b:21:0a:0b:0c", "0:1b:21:a:b:c", "00-1B-21-0A-0B-0C", "001b.210a.0b0c",
              "001B210A0B0C", "  00:1b:21:0a:0b:0c\t"]:
        rc, out, err = ouiscan("lookup", "-f", "json", q)
        a = json.loads(out)[0] if rc == 0 else {}
        check(f"lookup {q!r}: 00:1b:21:0a:0b:0c, {intel}",
              a.get("address") == "00:1b:21:0a:0b:0c" and set(a.get("vendors", [])) == intel and
              a.get("query_bits") == 48, (rc, out, err))
    # Prefixes of 6 to 11 digits match assignments no longer than themselves.
    for q, bits, want in [("001b21", 24, intel), ("0:1b:21", 24, intel),
                          ("00-50-C2-F7-1", 36, registries["IAB"]["0050C2F71"]),
                          ("0050C2F71", 36, registries["IAB"]["0050C2F71"]),
                          ("70B3D5F2F", 36, registries["MA-S"].get("70B3D5F2F", set()))]:
        rc, out, err = ouiscan("lookup", "-f", "json", q)
        a = json.loads(out)[0] if rc == 0 else {}
        check(f"lookup prefix {q}: {bits} bits, {want}", a.get("query_bits") == bits and
              set(a.get("vendors", [])) == want, (rc, out, err))
    # Every length from 7 to 11 digits, in three registries' blocks: the longest assignment no
    # longer than the query answers (from the CSVs; a subdivided MA-L block names nobody).
    def longest(digits):
        for k, regs in ((9, ("MA-S", "IAB")), (7, ("MA-M",)), (6, ("MA-L", "CID"))):
            for r in regs if k <= len(digits) else ():
                names = registries[r].get(digits[:k])
                if names:
                    return set() if names == {"IEEE Registration Authority"} else names
        return set()
    for reg in ("MA-M", "MA-S", "IAB"):
        key = sorted(registries[reg])[len(registries[reg]) // 2]
        for n in range(7, 12):
            q = (key + "0" * 5)[:n]
            rc, out, err = ouiscan("lookup", "-f", "json", q)
            a = json.loads(out)[0] if rc == 0 else {}
            check(f"lookup {n}-digit {q} (in {reg} {key}): {n * 4} bits, {longest(q) or 'nobody'}",
                  a.get("query_bits") == n * 4 and set(a.get("vendors", [])) == longest(q),
                  (rc, a.get("vendors"), err))
    # Refused, each with a message naming the query and exit 1.
    for q in ["001b:21", "00:1b-21:0a:0b:0c", "zz:1b:21:0a:0b:0c", "00:1b:21:0a:0b:0c:0d",
              "00:1b", "00::1b:21", "001b.210a0b0c", "0012345678901"]:
        rc, out, err = ouiscan("lookup", q)
        check(f"lookup refuses {q!r} naming it, exit 1", rc == 1 and f"'{q}'" in err, (rc, err))
    # A prefix over a subdivided block counts and lists what it covers (from the CSVs).
    for q, reg, parent in [("00-1B-C5-0", "MA-S", "001BC50"), ("0050C2F", "IAB", "0050C2F")]:
        want = {k: v for k, v in registries[reg].items() if k.startswith(parent)}
        rc, out, err = ouiscan("lookup", "-f", "json", q)
        a = json.loads(out)[0]
        listed = {x["prefix"].replace(":", "").upper(): x["vendor"] for x in a["covers"]["list"]}
        check(f"lookup {q}: covers {len(want)} {reg} assignments, listed",
              a["vendor_status"] == "covers_assignments" and
              a["covers"]["assignments"] == len(want) and a["covers"]["registries"] == {reg: len(want)} and
              listed == {k: " / ".join(sorted(v)) for k, v in want.items()} or
              set(listed) == set(want), (a["vendor_status"], a["covers"]["registries"], len(want)))
        rc, out, err = ouiscan("lookup", q)
        check(f"lookup {q} table says what it covers", f"covers {len(want)} {reg} assignments" in out, out)
        rc, out, err = ouiscan("lookup", "--all", q)
        check(f"lookup --all {q} lists each one", len(out.splitlines()) == 2 + len(want), len(out.splitlines()))
    n = sum(1 for k in registries["MA-S"] if k.startswith("001BC5"))
    rc, out, err = ouiscan("lookup", "-f", "json", "001BC5")
    a = json.loads(out)[0]
    check(f"lookup 001BC5: the IEEE RA, subdivided into {n} MA-S",
          a["vendor"] == "IEEE Registration Authority" and a["covers"]["registries"] == {"MA-S": n}, a)
    rc, out, err = ouiscan("lookup", "001BC5")
    check("lookup 001BC5 table says subdivided", f"subdivided: {n} MA-S" in out, out)
    # The table has a header and a query column; stdin skips blanks and comments, trims.
    rc, out, err = ouiscan("lookup", stdin=b"# my hosts\n\n  0:1b:21:a:b:c  # laptop\n\t001b21\n")
    lines = out.splitlines()
    check("lookup table: header, then a row per query in order",
          rc == 0 and lines[0].split()[:2] == ["QUERY", "ADDRESS"] and len(lines) == 3 and
          lines[1].split()[0] == "0:1b:21:a:b:c" and lines[2].split()[0] == "001b21", out)
    rc, out, err = ouiscan("lookup", "-f", "csv", "001b21", "0050c2")
    rows = support.csv_rows(out)
    check("lookup csv: one row per query with its bits",
          [(r["query"], r["query_bits"]) for r in rows] == [("001b21", "24"), ("0050c2", "24")], out)


def null_and_classes(tmp):
    # The null address: ARP requests' target; its own class and no vendor.
    rc, out, _ = ouiscan("lookup", "-f", "json", "00:00:00:00:00:00")
    a = json.loads(out)[0]
    check("lookup 00:00:00:00:00:00: class null, no vendor",
          a["class"] == "null" and a["vendor"] is None and a["vendor_status"] == "not_applicable", a)
    rc, out, _ = ouiscan("lookup", "-f", "json", "000000")
    a = json.loads(out)[0]
    check("lookup of the prefix 000000 still names the registry's holder",
          a["vendors"] == sorted(support.read_registries(IEEE)["MA-L"]["000000"]), a)
    d, _ = support.scan_json(BIN, [SAMPLE])
    null = [a for a in d["addresses"] if a["address"] == "00:00:00:00:00:00"]
    check("scan: the null address has class null and no vendor",
          len(null) == 1 and null[0]["class"] == "null" and null[0]["vendor"] is None, null)
    check("scan: no vendor is named after the null address",
          all("XEROX" not in v["name"] for v in d["summary"]["vendors"]), d["summary"]["vendors"])
    check("summary counts the null address", d["summary"]["classes"]["null"] == 1)
    # Classes from the bits: a local (AAI) address, a randomised one, multicast and broadcast.
    for mac, cls in [("02:00:00:00:00:01", "random"), ("ff:ff:ff:ff:ff:ff", "broadcast"),
                     ("01:00:5e:00:00:fb", "multicast"), ("00:1b:21:00:00:01", "unicast"),
                     ("02:42:ac:11:00:02", "local")]:
        rc, out, _ = ouiscan("lookup", "-f", "json", mac)
        check(f"{mac} is {cls}", json.loads(out)[0]["class"] == cls, out)


def damage(tmp):
    # No capture header: damaged (exit 1, "no capture header"); a cut last record: a warning.
    header = pcap([])
    for name, data in [("empty", b""), ("lone magic", header[:4]), ("cut header", header[:20]),
                       ("cut pcapng SHB", support.pcapng([])[:16])]:
        path = write(os.path.join(tmp, "nohdr.pcap"), data)
        rc, out, err = ouiscan("-f", "json", path)
        status = json.loads(out)["summary"]["inputs"][0] if out.startswith("{") else {}
        check(f"{name}: exit 1, damaged, 'no capture header'",
              rc == 1 and "no capture header" in err and status.get("status") == "damaged" and
              status.get("error", {}).get("code") == "no_header", (rc, err, status))
    rc, out, err = ouiscan("-f", "json", write(os.path.join(tmp, "hdr.pcap"), header))
    check("a header and no records is an empty capture, exit 0",
          rc == 0 and json.loads(out)["summary"]["inputs"][0]["status"] == "ok", err)
    data = open(SAMPLE, "rb").read()[:20000]
    cut = write(os.path.join(tmp, "cut.pcapng"), data)
    rc, out, err = ouiscan("-f", "json", cut)
    d = json.loads(out)
    want = support.tshark_addresses(cut)  # tshark reads the whole records before the cut
    got = {a["address"] for a in d["addresses"] if set(a["roles"]) & {"src", "dst"}}
    check("a final record cut short: exit 0, warning naming file, offset and record",
          rc == 0 and "warning:" in err and "cut.pcapng: byte offset" in err and ", record " in err, err)
    check("cut short: status truncated", d["summary"]["inputs"][0]["status"] == "truncated")
    check("cut short: the addresses of the whole records, as tshark reads them",
          want <= got and got - want <= macs_file("sample.pcapng.macs"), (want ^ got))
    rc, _, _ = ouiscan("--strict", "-q", cut)
    check("--strict: a final record cut short exits 1", rc == 1, rc)
    rc, _, err = ouiscan("-q", write(os.path.join(tmp, "text.pcap"), b"not a capture, just text\n"))
    check("not a capture exits 1", rc == 1, rc)
    # --resync: the damage stepped over is reported in the status and in agreeing numbers.
    frames = [(1_700_000_000 + i, 0, ether("ff:ff:ff:ff:ff:ff", f"00:1b:21:00:{i >> 8:02x}:{i & 255:02x}"))
              for i in range(200)]
    good = bytearray(pcap(frames))
    struct.pack_into("<I", good, 24 + 100 * 76 + 8, 0x7FFFFFFF)  # record 101's captured length
    bad = write(os.path.join(tmp, "bad.pcap"), bytes(good))
    rc, out, err = ouiscan("--resync", bad)
    check("--resync: exit 1, '1 corrupt stretch' (singular)", rc == 1 and "in 1 corrupt stretch " in err, err)
    d, p = support.scan_json(BIN, ["--resync", bad])
    inp = d["summary"]["inputs"][0]
    check("--resync: status damaged beside exit 1, 199 frames, one skip",
          p.returncode == 1 and inp["status"] == "damaged" and inp["frames"] == 199 and
          len(inp["skipped"]) == 1 and inp["skipped"][0]["offset"] == 24 + 100 * 76 + 8 and
          inp["skipped"][0]["bytes"] == 76 - 8, inp)  # from the bad length field to record 102


def habits(tmp):
    path, hosts = generated(tmp)
    # -c N: the first N frames, as tcpdump -r F -c N; checked by tshark on tcpdump's output.
    for n in [1, 7, 23]:
        cut = os.path.join(tmp, f"first{n}.pcap")
        with open(cut, "wb") as f:
            subprocess.run(["tcpdump", "-r", path, "-c", str(n), "-w", "-"], stdout=f,
                           stderr=subprocess.DEVNULL, check=True)
        want = support.tshark_addresses(cut)
        d, p = support.scan_json(BIN, ["-c", str(n), path])
        got = {a["address"] for a in d["addresses"] if set(a["roles"]) & {"src", "dst"}}
        check(f"-c {n}: the addresses and frames of tcpdump -c {n}",
              got == want and d["summary"]["frames"] == n, (got ^ want, d["summary"]["frames"]))
    # -c counts the frames the filter keeps, as tcpdump does.
    cut = os.path.join(tmp, "arp3.pcap")
    with open(cut, "wb") as f:
        subprocess.run(["tcpdump", "-r", path, "-c", "3", "-w", "-", "arp"], stdout=f,
                       stderr=subprocess.DEVNULL, check=True)
    d, p = support.scan_json(BIN, ["-c", "3", "--filter", "arp", path])
    got = {a["address"] for a in d["addresses"] if set(a["roles"]) & {"src", "dst"}}
    check("-c 3 --filter arp: tcpdump's three ARP frames",
          got == support.tshark_addresses(cut) and d["summary"]["filter"]["kept"] == 3, got)
    rc, out, _ = ouiscan("-q", "-f", "csv", "-c", "7", "-")
    d7, _ = support.scan_json(BIN, ["-c", "7", "-"], stdin=open(path, "rb").read())
    check("-c applies to standard input too", d7["summary"]["frames"] == 7)
    # -F: comments and line breaks as tcpdump takes them; the expression recorded trimmed.
    ffile = write(os.path.join(tmp, "filter.txt"), b"# ARP only\n  arp   # the requests\n\n")
    d, p = support.scan_json(BIN, ["-F", ffile, path])
    tcpdump = subprocess.run(["tcpdump", "-r", path, "-F", ffile], capture_output=True, text=True)
    check("-F with comments: tcpdump accepts the same file", tcpdump.returncode == 0, tcpdump.stderr)
    check("-F with comments: 8 ARP frames kept, expression 'arp'",
          d and d["summary"]["filter"]["expression"] == "arp" and
          d["summary"]["filter"]["kept"] == len(tcpdump.stdout.splitlines()) == 8, d and d["summary"]["filter"])
    d, _ = support.scan_json(BIN, ["--filter", "  arp\n", path])
    check("--filter is trimmed in the summary", d["summary"]["filter"]["expression"] == "arp")
    rc, out, err = ouiscan("-D")
    check("-D lists interfaces, tcpdump's numbering (lo is there)",
          rc == 0 and any(l.split(".", 1)[1].startswith("lo") for l in out.splitlines()), (rc, out, err))
    # Every pcap variant libpcap reads: nanoseconds, big-endian, both.
    records = [(1_700_000_000, 5, ether("ff:ff:ff:ff:ff:ff", hosts[0])),
               (1_700_000_001, 6, ether(hosts[0], hosts[1]))]
    for name, kw in [("ns", {"nanoseconds": True}), ("big-endian", {"big_endian": True}),
                     ("big-endian ns", {"big_endian": True, "nanoseconds": True}),
                     ("version 2.3", {"version": (2, 3)})]:
        f = write(os.path.join(tmp, "v.pcap"), pcap(records, **kw))
        d, p = support.scan_json(BIN, [f])
        check(f"pcap {name}: tshark's addresses",
              d and {a["address"] for a in d["addresses"]} == support.tshark_addresses(f), p.stderr)
    # The variants only libpcap knows (tshark too, but tcpdump is the reference): Kuznetzov's
    # 24-byte record headers, and lengths swapped before version 2.3 (maybe swapped in 2.3).
    swapped = lambda minor, swap: bytes(pcap([])[:6]) + struct.pack("<H", minor) + pcap([])[8:] + b"".join(
        struct.pack("<IIII", sec, frac, *((100, len(fr)) if swap(i) else (len(fr), 100))) + fr
        for i, (sec, frac, fr) in enumerate(records * 3))
    for name, data in [("Kuznetzov (0xa1b2cd34)", pcap(records * 3, magic=0xA1B2CD34, record_extra=bytes(8))),
                       ("Kuznetzov big-endian", pcap(records * 3, magic=0xA1B2CD34, big_endian=True, record_extra=bytes(8))),
                       ("version 2.2, lengths swapped", swapped(2, lambda i: True)),
                       ("version 2.3, lengths in either order", swapped(3, lambda i: i % 2 == 1))]:
        f = write(os.path.join(tmp, "variant.pcap"), data)
        want = tcpdump_src_bytes(f)
        d, p = support.scan_json(BIN, [f])
        got = {a["address"]: a["src_bytes"] for a in d["addresses"] if a["src_frames"]} if d else {}
        check(f"pcap {name}: tcpdump -e's sources and lengths", got == want and len(want) == 2,
              (got, want, p.stderr))


def tcpdump_src_bytes(path):
    """{source: sum of frame lengths} from `tcpdump -e`'s lines ("SRC > DST, ..., length N:")."""
    p = subprocess.run(["tcpdump", "-enr", path], capture_output=True, text=True)
    out = {}
    for line in p.stdout.splitlines():
        words = line.split()
        length = int(line.split(", length ")[1].split(":")[0])
        out[words[1]] = out.get(words[1], 0) + length
    return out


def selection(tmp):
    path, hosts = generated(tmp)
    d, _ = support.scan_json(BIN, [path])
    by_frames = [a["address"] for a in d["addresses"]]
    for key, order in [
            ("address", sorted(by_frames)),
            ("bytes", [a["address"] for a in sorted(d["addresses"], key=lambda a: -(a["src_bytes"] + a["dst_bytes"]))]),
            ("first_seen", [a["address"] for a in sorted(d["addresses"], key=lambda a: a["first_seen"] or "~")])]:
        dd, _ = support.scan_json(BIN, ["--sort", key, path])
        check(f"--sort {key}", [a["address"] for a in dd["addresses"]] == order)
    rc, out, _ = ouiscan("-q", "--sort", "vendor", "-f", "csv", path)
    names = [r["vendor"] or r["group"] for r in support.csv_rows(out)]
    check("--sort vendor", names == sorted(names), names)
    dd, _ = support.scan_json(BIN, ["--top", "3", path])
    check("--top 3: the three busiest, the summary still over all",
          [a["address"] for a in dd["addresses"]] == by_frames[:3] and
          dd["summary"]["distinct_addresses"] == len(by_frames))
    # --since/--until on frame times: frames i = 10..19 (1700000010..1700000019).
    dd, _ = support.scan_json(BIN, ["--since", "2023-11-14T22:13:30Z", "--until",
                                    "2023-11-14T23:13:39+01:00", path])
    check("--since/--until keep frames 10..19 (ISO 8601, Z and +01:00)",
          dd["summary"]["filter"]["kept"] == 10 and
          dd["summary"]["filter"]["since"] == "2023-11-14T22:13:30.000000000Z", dd["summary"]["filter"])
    rc, _, err = ouiscan("--since", "yesterday", path)
    check("--since with a non-time is a usage error", rc == 2 and err.startswith("ouiscan: "), err)


def terminal(tmp):
    """The table through a pseudo-terminal of 80 columns: no line longer than 80."""
    hostile = os.path.join(tmp, "wide.pcap")
    records = [(1_700_000_000 + i, 0, struct.pack(">HHHHHHHH", 0x8100, i % 4000 + 1, 0x8100, 300 + i, 0x0800, 0, 0, 0))
               for i in range(30)]
    records = [(s, f, ether("01:00:5e:00:00:fb", f"00:50:c2:f7:1{i % 10}:00", 0x8100,
                            struct.pack(">HHH", i + 1, 0x8100, 200 + i) + bytes(46)))
               for i, (s, f, _) in enumerate(records)]
    write(hostile, pcap(records))
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(BIN, [BIN, "--no-progress", "-q", hostile, SAMPLE])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    data = b""
    while True:
        try:
            r, _, _ = select.select([fd], [], [], 10)
            chunk = os.read(fd, 65536) if r else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        data += chunk
    os.waitpid(pid, 0)
    lines = data.decode("utf-8", "replace").replace("\r", "").splitlines()
    longest = max(len(l) for l in lines)
    check("80-column terminal: no line wraps", longest <= 80 and len(lines) > 30, (longest, lines[:3]))
    check("80-column terminal: address, vendor and frames kept",
          lines[0].split()[:1] == ["ADDRESS"] and "VENDOR" in lines[0] and "FRAMES" in lines[0], lines[0])
    rc, out, _ = ouiscan("-q", hostile)
    head = out.splitlines()[0].split()
    check("piped: every column", head == ["ADDRESS", "CLASS", "VENDOR", "IP", "FRAMES", "SENT",
                                          "RECEIVED", "ARP", "ROLES", "VLANS"], head)
    col = out.splitlines()[0].index("VLANS")
    check("piped: nothing overflows its column (VLANS starts where its header does)",
          all(l[col - 2:col] == "  " and l[col] != " " for l in out.splitlines()[1:]), out[:400])


def usage(tmp):
    path, _ = generated(tmp)
    for args, what in [(["--duration", "5", path], "--duration applies to live captures"),
                       (["-w", os.path.join(tmp, "x.pcapng"), path], "-w writes live captures"),
                       (["--s3-region", "eu-west-1", path], "--s3-region applies to s3:// inputs"),
                       (["--api-rate", "2", path], "--api-rate applies with --online"),
                       (["s3://", path], "is not an s3://bucket/key"),
                       (["s3:///key.pcap"], "is not an s3://bucket/key"),
                       (["--no-such-flag", path], "--no-such-flag"),
                       (["-f", "xml", path], "xml"),
                       ([], "give capture files"),
                       (["lookup", "--bogus"], "--bogus")]:
        rc, out, err = ouiscan(*args)
        check(f"usage error {args[:2]}: exit 2, 'ouiscan:' first, says why",
              rc == 2 and err.startswith("ouiscan: ") and what in err and out == "", (rc, err))
    rc, _, err = ouiscan(os.path.join(tmp, "missing.pcap"))
    check("missing file exits 3 with a message", rc == 3 and "missing.pcap: cannot open: No such file or directory" in err, err)
    rc, out, _ = ouiscan("--help")
    check("--help exits 0 and documents exit codes", rc == 0 and "Exit codes" in out)
    rc, out, _ = ouiscan("lookup", "--help")
    check("lookup --help documents its exit codes", rc == 0 and "Exit codes" in out, out)
    # db update --from: the snapshot date and where it came from.
    db = os.path.join(tmp, "oui.bin")
    src = os.path.join(tmp, "csvs")
    shutil.copytree(IEEE, src)
    rc, out, err = ouiscan("db", "update", "--from", src, "-o", db, "--date", "2026-05-20")
    check("db update --date sets the snapshot date and says so",
          rc == 0 and "snapshot date 2026-05-20 (from --date)" in out, (out, err))
    rc, out, err = ouiscan("db", "update", "--from", src, "-o", db)
    check("db update --from without a date says where the date comes from",
          rc == 0 and "the day oui.csv was last modified" in out, out)
    rc, out, err = ouiscan("db", "update", "--from", IEEE, "-o", db)
    check("db update --from a dated folder: the folder's name", rc == 0 and "from the folder's name '2026-05-21'" in out, out)
    rc, out, err = ouiscan("db", "update", "--from", src, "-o", db, "--date", "soon")
    check("db update --date with a non-date: exit 2", rc == 2, (rc, err))
    # A stale user database (another format version) is passed over with a notice.
    xdg = os.path.join(tmp, "xdg", "ouiscan")
    os.makedirs(xdg)
    write(os.path.join(xdg, "oui.bin"), b"OUISCNDB\x01\x00\x00\x00" + bytes(4096))
    rc, out, err = ouiscan("lookup", "00:50:c2:00:10:01", env={"XDG_DATA_HOME": os.path.dirname(xdg)})
    check("stale user database: answered from the embedded copy, with a notice",
          rc == 0 and "JMBS Developpements" in out and "another database format version" in err, (out, err))


def damaged_db(tmp):
    """A damaged --db is an error naming the file and the fault (exit 3, docs/output.md); the
    same damage in the user's refreshed copy falls back to the embedded database, said so."""
    good = os.path.join(tmp, "good.bin")
    rc, out, err = ouiscan("db", "update", "--from", IEEE, "-o", good)
    data = open(good, "rb").read()
    body = bytearray(data)
    body[len(body) // 2] ^= 0x01  # one bit, far past the header: only the CRC-32 can tell
    cases = {
        "bit flipped": (bytes(body), "its checksum does not match"),
        "cut short": (data[: len(data) // 3], "cut short or extended"),
        "empty": (b"", "cut short or extended"),
        "a capture": (open(SAMPLE, "rb").read(), "not an ouiscan OUI database"),
        "another version": (data[:8] + b"\x63" + data[9:], "unsupported format version"),
    }
    rc, out, _ = ouiscan("-q", "--db", good, SAMPLE)
    check("damaged --db: the intact file works (control)", rc == 0 and out.count("\n") == 27, rc)
    embedded = json.loads(ouiscan("-f", "json", SAMPLE)[1])["addresses"]
    for what, (content, reason) in cases.items():
        path = write(os.path.join(tmp, "damaged.bin"), content)
        for args in (["-q", "--db", path, SAMPLE], ["lookup", "--db", path, "001b21"],
                     ["db", "info", "--db", path]):
            rc, out, err = ouiscan(*args)
            check(f"--db {what} ({args[0]}): exit 3, the file and '{reason}' named, no output",
                  rc == 3 and f"cannot use the OUI database {path}: " in err and reason in err
                  and out == "", (rc, err))
        xdg = os.path.join(tmp, "xdg-" + what.replace(" ", "-"))
        os.makedirs(os.path.join(xdg, "ouiscan"))
        write(os.path.join(xdg, "ouiscan", "oui.bin"), content)
        rc, out, err = ouiscan("-f", "json", SAMPLE, env={"XDG_DATA_HOME": xdg})
        check(f"user copy {what}: the scan still works from the embedded database, with a warning",
              rc == 0 and json.loads(out)["addresses"] == embedded and
              f"warning: {os.path.join(xdg, 'ouiscan', 'oui.bin')}: " in err and
              "using the embedded database" in err, (rc, err[-300:]))


if __name__ == "__main__":
    sys.exit(main())
