#!/usr/bin/env python3
"""--filter against the reference: libpcap itself through tcpdump (`tcpdump -r F -w - EXPR`),
then tshark reads the filtered frames' link-layer addresses (the corpus rules: the first
eth.src/eth.dst, sll.src.eth, every 802.11 address). Skips when the corpus or the tools are
missing. Usage: filter_test.py OUISCAN CORPUS_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ouiscan, corpus = sys.argv[1], sys.argv[2]
if not os.path.isdir(corpus) or not shutil.which("tcpdump") or not shutil.which("tshark"):
    print("SKIP: needs the shared corpus, tcpdump and tshark")
    sys.exit(77)

CASES = [
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
work = tempfile.mkdtemp(prefix="ouiscan-filter-")
passed = failed = 0


def tshark_fields(path, occurrence, *fields):
    args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", f"occurrence={occurrence}",
            "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


for name, expr in CASES:
    src = os.path.join(corpus, "captures", name)
    filtered = os.path.join(work, "filtered.pcap")
    subprocess.run(["tcpdump", "-r", src, "-w", filtered, expr], capture_output=True, check=True)
    frames = len(tshark_fields(filtered, "f", "frame.number"))
    want = set()
    for row in tshark_fields(filtered, "f", "eth.src", "eth.dst", "sll.src.eth"):
        want |= {v for v in row if v}
    for row in tshark_fields(filtered, "a", "wlan.ra", "wlan.ta", "wlan.sa", "wlan.da", "wlan.bssid"):
        for v in row:
            want |= {x for x in v.split(",") if x}
    proc = subprocess.run([ouiscan, "-q", "-f", "json", "--filter", expr, src], capture_output=True, text=True)
    doc = json.loads(proc.stdout)
    got = {a["address"] for a in doc["addresses"] if set(a["roles"]) & {"src", "dst", "bssid", "ra", "ta"}}
    kept = doc["summary"]["filter"]["kept"]
    if got == want and kept == frames and proc.returncode == 0:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} '{expr}': frames {kept} vs {frames}; +{sorted(got - want)} -{sorted(want - got)}")

# An invalid expression is a usage error quoting libpcap.
proc = subprocess.run([ouiscan, "--filter", "vlan and and", os.path.join(corpus, "captures", CASES[0][0])],
                      capture_output=True, text=True)
if proc.returncode == 2 and "syntax error" in proc.stderr:
    passed += 1
else:
    failed += 1
    print(f"FAIL invalid expression: rc {proc.returncode}, {proc.stderr}")

shutil.rmtree(work, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
