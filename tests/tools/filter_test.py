#!/usr/bin/env python3
"""--filter against the reference: libpcap itself through tcpdump (`tcpdump -r F -w - EXPR`),
then tshark reads the filtered frames' link-layer addresses (the corpus rules: the first
eth.src/eth.dst, sll.src.eth, every 802.11 address).

The bundled sample mixes four link types (five interfaces) in one pcapng, which libpcap refuses to read; it is
split by interface here (support.pcapng_frames), each part filtered by tcpdump, and the answers
joined. Where tcpdump cannot compile the expression for a part's link type, ouiscan must drop
that part's frames and name the link type in a warning.

Usage: filter_test.py OUISCAN CORPUS_DIR. Skips (exit 77) without tcpdump and tshark; without
the corpus it runs the sample's cases, then reports itself skipped.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import support

OUISCAN, CORPUS = sys.argv[1], sys.argv[2]
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample.pcapng")
CORPUS_CASES = [
    ("zeek/q-in-q.pcap", "vlan 13"),
    ("zeek/q-in-q.pcap", "vlan 10"),
    ("zeek/wikipedia.pcap", "not arp"),
    ("zeek/wikipedia.pcap", "arp"),
    ("zeek/wikipedia.pcap", "udp port 53"),
    ("zeek/wikipedia.pcap", "ether src host 00:13:7f:be:8c:ff"),
    ("zeek/dhcp/dhcp-unique-xid-join-data-growth.pcapng", "udp port 67"),
    ("zeek/http-qinq-0.pcap", "vlan and tcp port 80"),
    ("zeek/linuxsll-arp.pcap", "arp"),
    ("zeek/radiotap.pcap", "wlan type data"),
    ("zeek/radiotap.pcap", "not wlan type data"),
]
# On the sample: applies to every link type; to some only (802.11 or Ethernet headers).
SAMPLE_CASES = ["arp", "not arp", "wlan type data", "vlan", "ether broadcast"]
check = support.Checks()


def tshark_fields(path, occurrence, *fields):
    args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", f"occurrence={occurrence}",
            "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def reference(path, expr, work):
    """(frames kept, link-layer addresses) by tcpdump then tshark; None if tcpdump refuses."""
    filtered = os.path.join(work, "filtered.pcap")
    p = subprocess.run(["tcpdump", "-r", path, "-w", filtered, expr], capture_output=True)
    if p.returncode != 0:
        return None
    want = set()
    for row in tshark_fields(filtered, "f", "eth.src", "eth.dst", "sll.src.eth"):
        want |= {v for v in row if v}
    for row in tshark_fields(filtered, "a", "wlan.ra", "wlan.ta", "wlan.sa", "wlan.da", "wlan.bssid"):
        for v in row:
            want |= {x for x in v.split(",") if x}
    return len(tshark_fields(filtered, "f", "frame.number")), want


def ours(path, expr):
    p = subprocess.run([OUISCAN, "-f", "json", "--no-progress", "--filter", expr, path],
                       capture_output=True, text=True)
    doc = json.loads(p.stdout) if p.stdout.startswith("{") else {"addresses": [], "summary": {}}
    refused = {int(n) for n in re.findall(r"the filter cannot apply to LINKTYPE (\d+)", p.stderr)}
    return p.returncode, doc["summary"].get("filter", {}).get("kept"), \
        support.address_sets(doc)[0], refused


def mixed_sample(work):
    """Each case on the four-link-type sample against tcpdump on its per-interface parts."""
    parts = {}
    for iface, link, frame in support.pcapng_frames(SAMPLE):
        parts.setdefault((iface, link), []).append((1, 0, frame))
    check("the sample has five interfaces of four link types",
          sorted(link for _, link in parts) == [1, 1, 113, 127, 276], sorted(parts))
    paths = {}
    for (iface, link), records in parts.items():
        paths[(iface, link)] = support.write(os.path.join(work, f"part{iface}.pcap"),
                                             support.pcap(records, linktype=link))
    for expr in SAMPLE_CASES:
        kept, want, refused = 0, set(), set()
        for (_, link), path in paths.items():
            r = reference(path, expr, work)
            if r is None:
                refused.add(link)
            else:
                kept, want = kept + r[0], want | r[1]
        rc, got_kept, got, got_refused = ours(SAMPLE, expr)
        check(f"sample '{expr}': {kept} frames and tshark's addresses of tcpdump's parts",
              rc == 0 and got_kept == kept and got == want,
              f"rc={rc} kept {got_kept} vs {kept}; +{sorted(got - want)} -{sorted(want - got)}")
        check(f"sample '{expr}': warns for exactly the link types tcpdump refuses "
              f"({sorted(refused) or 'none'})", got_refused == refused, sorted(got_refused))


def corpus(work):
    for name, expr in CORPUS_CASES:
        src = os.path.join(CORPUS, "captures", name)
        kept, want = reference(src, expr, work)
        rc, got_kept, got, _ = ours(src, expr)
        check(f"{name} '{expr}': {kept} frames and tshark's addresses",
              rc == 0 and got_kept == kept and got == want,
              f"kept {got_kept} vs {kept}; +{sorted(got - want)} -{sorted(want - got)}")
    # An invalid expression is a usage error quoting libpcap.
    p = subprocess.run([OUISCAN, "--filter", "vlan and and",
                        os.path.join(CORPUS, "captures", CORPUS_CASES[0][0])],
                       capture_output=True, text=True)
    check("invalid expression: exit 2 quoting libpcap's 'syntax error'",
          p.returncode == 2 and "syntax error" in p.stderr, (p.returncode, p.stderr))


def main():
    if not shutil.which("tcpdump") or not shutil.which("tshark"):
        support.skip("needs tcpdump and tshark")
    work = tempfile.mkdtemp(prefix="ouiscan-filter-")
    try:
        mixed_sample(work)
        have_corpus = os.path.isdir(os.path.join(CORPUS, "captures"))
        if have_corpus:
            corpus(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    code = check.done()
    if code == 0 and not have_corpus:
        support.skip(f"the corpus cases: no corpus at {CORPUS} (the sample's cases passed)")
    return code


if __name__ == "__main__":
    sys.exit(main())
