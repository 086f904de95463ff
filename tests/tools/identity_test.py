#!/usr/bin/env python3
"""IP addresses per MAC address against tshark: every binding tshark's fields give must be in
ouiscan's record of that MAC address, learned the same way.

- ARP/RARP: arp.src.hw_mac with arp.src.proto_ipv4 (0.0.0.0 probes excluded) -> "arp";
- frames: the first eth.src / sll.src.eth / wlan.sa with the first ip.src or ipv6.src
  (unicast sources only: not 0.0.0.0, 255.255.255.255, 224.0.0.0/4, ::, ff00::/8) -> "ip_source";
- DHCPv4 ACKs (dhcp.option.dhcp == 5): dhcp.hw.mac_addr with dhcp.ip.your -> "dhcp_ack";
- Neighbor Solicitations and Advertisements: icmpv6.opt.linkaddr with ipv6.src (NS) or
  icmpv6.nd.na.target_address (NA) -> "ndp_ns" / "ndp_na" (not from :: sources);
- DHCP names of dhcp.hw.mac_addr: dhcp.option.hostname, dhcp.option.vendor_class_id,
  dhcp.fqdn.name and the request list items (dhcp.option.request_list_item, joined with ",").

Per MAC address the two sets of (IP address, how learned) must be equal; an address with more
IP addresses than its record lists (ip_count > listed) must count exactly tshark's distinct ones.
Runs on the bundled sample and every corpus capture (about a minute), except the ones listed
in KNOWN with their reason and those whose link type tshark cannot read.

Usage: identity_test.py OUISCAN CORPUS_DIR. Skips (exit 77) without tshark; without the corpus
it runs the bundled sample, then reports itself skipped.
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys

import support

OUISCAN, CORPUS = sys.argv[1], sys.argv[2]
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample.pcapng")
FIELDS = ["frame.protocols", "eth.src", "sll.src.eth", "wlan.sa", "ip.src", "ipv6.src", "arp.src.hw_mac",
          "arp.src.proto_ipv4", "dhcp.option.dhcp", "dhcp.hw.mac_addr", "dhcp.ip.your",
          "icmpv6.type", "icmpv6.opt.linkaddr", "icmpv6.nd.na.target_address", "dhcp.type",
          "dhcp.ip.client", "dhcp.option.requested_ip_address", "udp.srcport"]
# Where ouiscan and tshark's fields differ for a reason (file: reason).
KNOWN = {
    "pcapng-test-generator/output_le/basic/test012.pcapng":
        "a DHCP reply cut inside its options: tshark dissects none of its fields, ouiscan keeps "
        "the options captured whole (the ACK's message type and address)",
    "zeek/trunc/mpls-6in6-broken.pcap.gz":
        "a broken label stack: tshark reads what follows an IPv4 Explicit-Null label that is not "
        "at the bottom of the stack as IPv4; ouiscan follows the stack to its bottom (RFC 3032)",
}
check = support.Checks()


def unicast_source(text):
    ip = ipaddress.ip_address(text)
    if ip.version == 4:
        return not (ip.packed == bytes(4) or ip.packed == b"\xff" * 4 or ip.is_multicast)
    return not (ip.packed == bytes(16) or ip.is_multicast)


def outer_ip(row):
    """The source of the first IP header, if it belongs to the frame's own link-layer header:
    not after an inner Ethernet frame (802.1ah, VXLAN, GRE, ERSPAN, Geneve), which is another
    host's."""
    chain = row.get("frame.protocols", "").split(":")
    for i, p in enumerate(chain):
        if p in ("ip", "ipv6"):
            inner = ("vxlan", "gre", "ieee8021ah", "erspan", "geneve")
            if chain[:i].count("eth") > 1 or any(t in chain[:i] for t in inner):
                return None
            return row.get("ip.src" if p == "ip" else "ipv6.src") or None
    return None


def v6src_ok(row):
    return bool(row.get("ipv6.src")) and row["ipv6.src"] != "::"


def expected(path):
    """{(mac, ip, how)} from tshark's fields, first occurrence of each (the outer headers)."""
    args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=f"]
    for f in FIELDS:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    want = set()
    for line in out.splitlines():
        row = dict(zip(FIELDS, line.split("\t")))
        src = row.get("eth.src") or row.get("sll.src.eth") or row.get("wlan.sa")
        ip = outer_ip(row)
        if src and ip and unicast_source(ip):
            want.add((src, str(ipaddress.ip_address(ip)), "ip_source"))
        if row.get("arp.src.hw_mac") and row.get("arp.src.proto_ipv4") not in ("", "0.0.0.0", None):
            want.add((row["arp.src.hw_mac"], row["arp.src.proto_ipv4"], "arp"))
        if row.get("dhcp.option.dhcp") == "5" and row.get("dhcp.ip.your") not in ("", "0.0.0.0"):
            want.add((row["dhcp.hw.mac_addr"], row["dhcp.ip.your"], "dhcp_ack"))
        if row.get("dhcp.type") == "1":  # a request: the client's own and requested addresses
            for field, how in (("dhcp.ip.client", "dhcp_client"),
                               ("dhcp.option.requested_ip_address", "dhcp_requested")):
                if row.get(field) and unicast_source(row[field]):
                    want.add((row["dhcp.hw.mac_addr"], row[field], how))
        if row.get("dhcp.type") == "2" and row.get("udp.srcport") == "67" and src and ip:
            if unicast_source(ip):
                want.add((src, ip, "dhcp_server"))
        ll = row.get("icmpv6.opt.linkaddr")
        if ll and row.get("icmpv6.type") == "134" and v6src_ok(row):
            want.add((ll, str(ipaddress.ip_address(row["ipv6.src"])), "ndp_ra"))
        v6src = row.get("ipv6.src")
        if ll and row.get("icmpv6.type") == "135" and v6src and v6src != "::":
            want.add((ll, str(ipaddress.ip_address(v6src)), "ndp_ns"))
        if ll and row.get("icmpv6.type") == "136" and row.get("icmpv6.nd.na.target_address"):
            target = str(ipaddress.ip_address(row["icmpv6.nd.na.target_address"]))
            want.add((ll, target, "ndp_na"))
    return want


NAME_FIELDS = ["dhcp.hw.mac_addr", "dhcp.option.hostname", "dhcp.option.vendor_class_id",
               "dhcp.option.request_list_item", "dhcp.fqdn.name"]
NAME_KINDS = {"dhcp.option.hostname": "dhcp_hostname",
              "dhcp.option.vendor_class_id": "dhcp_vendor_class",
              "dhcp.option.request_list_item": "dhcp_parameter_list",
              "dhcp.fqdn.name": "dhcp_fqdn"}


def expected_names(path):
    """{mac: {(kind, text)}} from tshark's DHCP fields (every occurrence, the list joined)."""
    args = ["tshark", "-n", "-r", path, "-Y", "dhcp", "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for f in NAME_FIELDS:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    want = {}
    for line in out.splitlines():
        row = dict(zip(NAME_FIELDS, line.split("\t")))
        mac = row.get("dhcp.hw.mac_addr", "").split(",")[0]
        if not mac:
            continue
        for field, kind in NAME_KINDS.items():
            if row.get(field):
                want.setdefault(mac, set()).add((kind, row[field]))
    return want


def compare(name, path):
    p = subprocess.run([OUISCAN, "-q", "-f", "json", path], capture_output=True, text=True)
    if not check(f"{name}: ouiscan reads it", p.returncode in (0, 1), p.stderr):
        return
    records = {a["address"]: a for a in json.loads(p.stdout)["addresses"]}
    want = expected(path)
    # Per MAC address, the IP addresses and how each was learned, on both sides.
    theirs = {}
    for mac, ip, how in want:
        theirs.setdefault(mac, {}).setdefault(ip, set()).add(how)
    ours = {mac: {x["ip"]: set(x["learned_from"]) for x in r["ips"]}
            for mac, r in records.items() if r["ips"]}
    wrong = []
    for mac in sorted(set(theirs) | set(ours)):
        rec = records.get(mac)
        t, o = theirs.get(mac, {}), ours.get(mac, {})
        if rec is not None and rec["ip_count"] > len(rec["ips"]):
            if rec["ip_count"] != len(t):  # more than it lists: the count must agree
                wrong.append((mac, "ip_count", rec["ip_count"], len(t)))
        elif t != o:
            wrong.append((mac, "tshark", t, "ouiscan", o))
    check(f"{name}: the IP addresses of {len(theirs)} MAC addresses as tshark's fields give them",
          not wrong, wrong[:6])
    names = expected_names(path)
    ours = {mac: {(n["kind"], n["name"]) for n in r["names"]} for mac, r in records.items()
            if r["names"]}
    wrong = [(mac, names.get(mac), ours.get(mac)) for mac in sorted(set(names) | set(ours))
             if names.get(mac, set()) != ours.get(mac, set())]
    check(f"{name}: the DHCP names of {len(names)} MAC addresses as tshark gives them", not wrong,
          wrong[:6])
    return records


if not shutil.which("tshark"):
    support.skip("tshark is not installed")
records = compare("sample", SAMPLE)
# Facts of the sample checked by hand in Wireshark: the Dell host owns one IPv4 and one
# link-local IPv6 address; ARP taught the Cisco router's own address.
dell = records["f0:4d:a2:47:ba:25"]
check("sample: the Dell host's addresses",
      {x["ip"] for x in dell["ips"]} == {"141.142.220.226", "fe80::3074:17d5:2052:c324"},
      dell["ips"])
check("sample: the Dell host is neither router-like nor a DHCP server",
      dell["router_like"] is False and dell["dhcp_server"] is False)
cisco = records["00:13:7f:be:8c:ff"]
check("sample: ARP taught the router's own address",
      "arp" in {x["ip"]: x["learned_from"] for x in cisco["ips"]}.get("141.142.220.1", []))
if not os.path.isdir(os.path.join(CORPUS, "captures")):
    check.done()
    support.skip(f"the corpus is not at {CORPUS}: ran the sample only")
def unreadable_by_tshark():
    """Captures whose link type tshark does not support (it reads no frame of them)."""
    out = set()
    with open(os.path.join(CORPUS, "expected", "tshark_status.tsv")) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) > 12 and "unknown or unsupported" in cols[12]:
                out.add(os.path.relpath(cols[0], "captures"))
    return out


unreadable = unreadable_by_tshark()
cases = sorted(os.path.relpath(os.path.join(d, f), os.path.join(CORPUS, "captures"))
               for d, _, fs in os.walk(os.path.join(CORPUS, "captures")) for f in fs
               if not f.endswith(".txt"))
for case in cases:
    if case in KNOWN or case in unreadable:
        print(f"     {case}: not compared: {KNOWN.get(case, 'tshark cannot read its link type')}")
        continue
    compare(case, os.path.join(CORPUS, "captures", case))
sys.exit(check.done())
