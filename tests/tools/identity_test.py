#!/usr/bin/env python3
"""The identity stage against tshark: every fact tshark's fields give for a MAC address must be
in ouiscan's record of it, and nothing else.

IP addresses, with how each was learned:
- frames: each link-layer header's source (eth.src, sll.src.eth, wlan.sa, ieee8021ah.csrc)
  with the first ip.src or ipv6.src after it, inner frames of tunnels included (unicast sources
  only: not 0.0.0.0, 255.255.255.255, 224.0.0.0/4, ::, ff00::/8) -> "ip_source";
- ARP/RARP: arp.src.hw_mac with arp.src.proto_ipv4 (0.0.0.0 probes excluded) -> "arp";
- DHCPv4: dhcp.hw.mac_addr with dhcp.ip.your in ACKs, dhcp.ip.client and the requested address
  in requests, and the source of replies from port 67;
- Neighbor Discovery: icmpv6.opt.linkaddr with ipv6.src (NS, RA) or the NA target;
- DHCPv6: the client identifier's DUID-LL/LLT link-layer address with the IPv6 source of a
  client message, or the IA addresses of a Reply (from tshark's JSON tree).
Names, per source MAC address (escaped as docs/addresses.md says, by clean() below):
- DHCP: dhcp.option.hostname, vendor_class_id, fqdn.name, the request list joined with ",";
- NetBIOS registrations and refreshes: nbns.name;
- mDNS responses: the owner names of A/AAAA records and of SRV records (tshark's JSON tree);
- LLDP: lldp.chassis.id.mac, lldp.port.id / port.id.mac, port.desc, system name and
  description, enabled capabilities, management address;
- CDP: cdp.deviceid, cdp.portid, cdp.software_version (its lines joined), cdp.platform.
Anomalies: arp.isgratuitous (the sender is flagged gratuitous_arp); an ARP whose
arp.src.hw_mac is not its frame's source (both flagged arp_mismatch); IPv4 addresses claimed
(ARP sender, DHCP ACK, ciaddr) by several MAC addresses (ip_conflict, and the summary's list,
which must hold every sender address of Wireshark's "Duplicate IP address configured") and MAC
addresses that claimed several (ip_changed).
Tunnels: the inner eth.src / eth.dst (and ieee8021ah.csrc / cdst) of every tunnel, each with
the tunnel's kind, its outer endpoints and its identifier (vxlan.vni, geneve.vni, gre.key,
erspan.spanid, ieee8021ah.isid).

Per MAC address the sets must be equal; an address with more IP addresses than its record lists
(ip_count > listed) must count exactly tshark's distinct ones. Runs on the bundled sample and
every corpus capture (about two minutes), except the ones listed in KNOWN with their reason and
those whose link type tshark cannot read.

Usage: identity_test.py OUISCAN CORPUS_DIR GEN_PCAP. It also compares captures of DHCP, NDP,
mDNS and LLDP traffic that gen_pcap writes (--identity-share), over Ethernet, Linux cooked and
802.11 interfaces. Skips (exit 77) without tshark; without the corpus
it runs the bundled sample, then reports itself skipped.
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

import support

OUISCAN, CORPUS, GEN_PCAP = sys.argv[1], sys.argv[2], sys.argv[3]
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample.pcapng")
FIELDS = ["frame.protocols", "eth.src", "eth.dst", "sll.src.eth", "wlan.sa", "ieee8021ah.csrc",
          "ieee8021ah.cdst", "ieee8021ah.isid", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "vxlan.vni", "geneve.vni", "gre.key", "erspan.spanid", "arp.src.hw_mac",
          "arp.src.proto_ipv4", "dhcp.option.dhcp", "dhcp.hw.mac_addr", "dhcp.ip.your",
          "icmpv6.type", "icmpv6.opt.linkaddr", "icmpv6.nd.na.target_address", "dhcp.type",
          "dhcp.ip.client", "dhcp.option.requested_ip_address", "udp.srcport",
          "arp.isgratuitous", "_ws.expert.message"]
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


def clean(raw):
    """docs/addresses.md's escaping, written here on its own: valid UTF-8 kept; every byte of an
    invalid sequence and every C0, DEL and C1 control character as \\xNN."""
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    out = []
    for ch in data.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:  # a byte that was not valid UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 0x20 or o == 0x7F or 0x80 <= o <= 0x9F:  # C1 as its code point, like C0
            out.append(f"\\x{o:02x}")
        else:
            out.append(ch)
    return "".join(out)


def unfield(text):
    """tshark -T fields writes CR, LF, tab and backslash as \\r, \\n, \\t, \\\\."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "rnt\\":
            out.append({"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def fields(path, names, display_filter=None):
    """One dict per frame: field -> list of every occurrence (tshark's aggregator is '\\x1f')."""
    args = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=\x1f"]
    if display_filter:
        args += ["-Y", display_filter]
    for f in names:
        args += ["-e", f]
    out = support.tshark(path, *args)
    rows = []
    for line in out.splitlines():
        cols = line.split("\t")
        rows.append({f: (c.split("\x1f") if c else []) for f, c in zip(names, cols)})
    return rows


def tree(path, display_filter):
    """tshark's JSON tree of the matching frames, as lists of (key, value) pairs, so that
    repeated keys (one per option or record) are all kept."""
    out = support.tshark(path, "-Y", display_filter, "-T", "json")
    return json.loads(out, object_pairs_hook=lambda p: p) if out.strip() else []


def pairs(node, key):
    return [v for k, v in node if k == key] if isinstance(node, list) else []


def walk(node):
    if isinstance(node, list):
        for k, v in node:
            yield k, v
            yield from walk(v)


def first(row, field):
    return row.get(field, [None])[0] if row.get(field) else None


def layers(row):
    """The frame's headers in order, as tshark's protocol chain names them, each with its index
    among the headers of its kind (to find its occurrence of each field)."""
    seen, out = {}, []
    for p in row["frame.protocols"][0].split(":") if row.get("frame.protocols") else []:
        out.append((p, seen.get(p, 0)))
        seen[p] = seen.get(p, 0) + 1
    return out


def at(row, field, i):
    values = row.get(field, [])
    return values[i] if i < len(values) else None


TUNNELS = {"vxlan": "vxlan", "geneve": "geneve", "gre": "gre", "erspan": "erspan"}


def frame_facts(row, ips, tunnels, flags):
    """The IP sources and tunnels of one frame, walking its headers: each link-layer header's
    source binds the first IP header after it; an Ethernet header after a tunnel is an inner
    frame, told which tunnel carried it."""
    src, bound, tunnel, outer_ip, link_count = None, True, None, None, 0
    hdrs = layers(row)
    for n, (p, i) in enumerate(hdrs):
        if p in ("eth", "sll", "wlan", "ieee8021ah"):
            link_count += 1
            if p == "eth" and (link_count == 1 or tunnel is not None):
                src = at(row, "eth.src", i)
            elif p == "eth":  # Ethernet after another header (SRv6, MPLS): not decoded
                src = None
            elif p == "sll":
                src = first(row, "sll.src.eth")
            elif p == "ieee8021ah":
                src = at(row, "ieee8021ah.csrc", i)
            else:  # 802.11 inside a tunnel (Aruba GRE) is not decoded
                src = first(row, "wlan.sa") if link_count == 1 else None
            bound = False
            inner = (p == "eth" and tunnel is not None) or p == "ieee8021ah"
            if inner:
                if p == "ieee8021ah":
                    back = max(j for j, (q, _) in enumerate(hdrs[:n]) if q == "eth")
                    bi = hdrs[back][1]
                    via = (f"{at(row, 'eth.src', bi)} > {at(row, 'eth.dst', bi)} isid "
                           f"{at(row, 'ieee8021ah.isid', i)}")
                    dst, kind = at(row, "ieee8021ah.cdst", i), "pbb"
                else:
                    kind, tp, ti = tunnel
                    via = outer_ip
                    if kind in ("vxlan", "geneve") and at(row, f"{kind}.vni", ti):
                        via += f" vni {int(at(row, f'{kind}.vni', ti), 0)}"
                    if kind == "gre" and len(row.get("gre.key", [])) == 1:
                        via += f" key {int(row['gre.key'][0], 0)}"
                    if kind == "erspan" and at(row, "erspan.spanid", ti) is not None:
                        via += f" session {at(row, 'erspan.spanid', ti)}"
                    dst = at(row, "eth.dst", i)
                for mac in (src, dst):
                    if mac:
                        tunnels.add((mac, kind, via))
            tunnel = None
        elif p in ("ip", "ipv6"):
            s, d = at(row, f"{p}.src", i), at(row, f"{p}.dst", i)
            if s and d:
                outer_ip = f"{ipaddress.ip_address(s)} > {ipaddress.ip_address(d)}"
            if not bound and src and s and unicast_source(s):
                ips.add((src, str(ipaddress.ip_address(s)), "ip_source"))
            bound = True
        elif p == "arp" and at(row, "arp.src.hw_mac", i):
            sender = at(row, "arp.src.hw_mac", i)
            if src and sender != src:
                flags.setdefault(src, set()).add("arp_mismatch")
                flags.setdefault(sender, set()).add("arp_mismatch")
            if at(row, "arp.isgratuitous", i) in ("1", "True"):
                flags.setdefault(sender, set()).add("gratuitous_arp")
        elif p in TUNNELS:
            idx = sum(1 for q, _ in hdrs[:n] if q == p)
            if p == "erspan" or tunnel is None or tunnel[0] != "erspan":
                tunnel = (TUNNELS[p], p, idx)


def expected(path):
    """{(mac, ip, how)} and {(mac, tunnel, via)} from tshark's fields and trees."""
    want, tunnels, flags, duplicates, protocols = set(), set(), {}, set(), set()
    for row in fields(path, FIELDS):
        protocols.update(p for p, _ in layers(row))
        frame_facts(row, want, tunnels, flags)
        # Wireshark's own duplicate detection, where the duplicate is the sender's address
        # (it also checks the target of replies, which is not a claim of the replier's).
        for message in row.get("_ws.expert.message", []):
            if message.startswith("Duplicate IP address configured ("):
                ip = message[len("Duplicate IP address configured ("):].rstrip(")")
                if ip in row.get("arp.src.proto_ipv4", []):
                    duplicates.add(ip)
        f = lambda name: first(row, name)  # noqa: E731: the first occurrence, the outer header
        src = f("eth.src") or f("sll.src.eth") or f("wlan.sa")
        ip = f("ip.src")
        if f("arp.src.hw_mac") and f("arp.src.proto_ipv4") not in ("", "0.0.0.0", None):
            want.add((f("arp.src.hw_mac"), f("arp.src.proto_ipv4"), "arp"))
        if f("dhcp.option.dhcp") == "5" and f("dhcp.ip.your") not in ("", "0.0.0.0", None):
            want.add((f("dhcp.hw.mac_addr"), f("dhcp.ip.your"), "dhcp_ack"))
        if f("dhcp.type") == "1":  # a request: the client's own and requested addresses
            for field, how in (("dhcp.ip.client", "dhcp_client"),
                               ("dhcp.option.requested_ip_address", "dhcp_requested")):
                if f(field) and unicast_source(f(field)):
                    want.add((f("dhcp.hw.mac_addr"), f(field), how))
        if f("dhcp.type") == "2" and f("udp.srcport") == "67" and src and ip:
            if unicast_source(ip):
                want.add((src, ip, "dhcp_server"))
        ll, v6src, icmp = f("icmpv6.opt.linkaddr"), f("ipv6.src"), f("icmpv6.type")
        if ll and icmp == "134" and v6src and v6src != "::":
            want.add((ll, str(ipaddress.ip_address(v6src)), "ndp_ra"))
        if ll and icmp == "135" and v6src and v6src != "::":
            want.add((ll, str(ipaddress.ip_address(v6src)), "ndp_ns"))
        if ll and icmp == "136" and f("icmpv6.nd.na.target_address"):
            want.add((ll, str(ipaddress.ip_address(f("icmpv6.nd.na.target_address"))), "ndp_na"))
    # The JSON trees are slow to make: only for the captures that hold these protocols.
    for frame in tree(path, "dhcpv6") if "dhcpv6" in protocols else []:
        layers_ = pairs(pairs(frame, "_source")[0], "layers")[0]
        v6 = pairs(layers_, "ipv6")
        for d6 in pairs(layers_, "dhcpv6"):
            msgtype = int(pairs(d6, "dhcpv6.msgtype")[0])
            client = None
            opts = pairs(d6, "dhcpv6.option.type_str_tree")
            names = pairs(d6, "dhcpv6.option.type_str")
            for name, opt in zip(names, opts):
                if name == "Client Identifier" and pairs(opt, "dhcpv6.duidll.hwtype" if pairs(
                        opt, "dhcpv6.duidll.hwtype") else "dhcpv6.duidllt.hwtype") == ["1"]:
                    mac = (pairs(opt, "dhcpv6.duidll.link_layer_addr") +
                           pairs(opt, "dhcpv6.duidllt.link_layer_addr"))
                    client = mac[0] if mac else None
            if client is None:
                continue
            if msgtype in (1, 3, 4, 5, 6, 8, 9, 11) and v6:
                s = pairs(v6[0], "ipv6.src")[0]
                if unicast_source(s):
                    want.add((client, str(ipaddress.ip_address(s)), "dhcpv6_client"))
            if msgtype == 7:
                for name, opt in zip(names, opts):
                    if name in ("Identity Association for Non-temporary Address",
                                "Identity Association for Temporary Address"):
                        for k, v in walk(opt):
                            if k == "dhcpv6.iaaddr.ip" and unicast_source(v):
                                want.add((client, str(ipaddress.ip_address(v)), "dhcpv6_reply"))
    # Claims: who announced an IPv4 address as its own.
    by_ip, by_mac = {}, {}
    for mac, ip, how in want:
        if how in ("arp", "dhcp_ack", "dhcp_client"):
            by_ip.setdefault(ip, set()).add(mac)
            by_mac.setdefault(mac, set()).add(ip)
    conflicts = {ip: macs for ip, macs in by_ip.items() if len(macs) > 1}
    for macs in conflicts.values():
        for mac in macs:
            flags.setdefault(mac, set()).add("ip_conflict")
    for mac, ips in by_mac.items():
        if len(ips) > 1:
            flags.setdefault(mac, set()).add("ip_changed")
    return want, tunnels, flags, conflicts, duplicates, protocols


NAME_FIELDS = ["eth.src", "sll.src.eth", "wlan.sa", "dhcp.hw.mac_addr", "dhcp.option.hostname",
               "dhcp.option.vendor_class_id", "dhcp.option.request_list_item", "dhcp.fqdn.name",
               "nbns.flags.opcode", "nbns.flags.response", "nbns.name", "lldp.chassis.id.mac",
               "lldp.port.id", "lldp.port.id.mac", "lldp.port.desc", "lldp.tlv.system.name",
               "lldp.tlv.system.desc", "lldp.tlv.enable_system_cap", "lldp.mgn.addr.ip4",
               "lldp.mgn.addr.ip6", "cdp.deviceid", "cdp.portid", "cdp.software_version",
               "cdp.platform"]
SIMPLE = {"dhcp.option.hostname": "dhcp_hostname", "dhcp.option.vendor_class_id":
          "dhcp_vendor_class", "dhcp.fqdn.name": "dhcp_fqdn", "lldp.chassis.id.mac":
          "lldp_chassis_id", "lldp.port.id": "lldp_port_id", "lldp.port.id.mac": "lldp_port_id",
          "lldp.port.desc": "lldp_port_description", "lldp.tlv.system.name": "lldp_system_name",
          "lldp.tlv.system.desc": "lldp_system_description", "lldp.mgn.addr.ip4":
          "lldp_management_address", "lldp.mgn.addr.ip6": "lldp_management_address",
          "cdp.deviceid": "cdp_device_id", "cdp.portid": "cdp_port_id", "cdp.platform":
          "cdp_platform"}
# IEEE 802.1AB's capability bits, in order, under the names docs/addresses.md gives them.
CAPABILITIES = ["other", "repeater", "bridge", "wlan_access_point", "router", "telephone",
                "docsis", "station_only", "c_vlan", "s_vlan", "tpmr"]


def expected_names(path, protocols):
    """{mac: {(kind, text)}} from tshark, for a capture holding these protocols."""
    want = {}
    filt = "dhcp || nbns || lldp || cdp"
    named = protocols & {"dhcp", "nbns", "lldp", "cdp"}
    for row in fields(path, NAME_FIELDS, filt) if named else []:
        f = lambda name: first(row, name)  # noqa: E731
        src = f("eth.src") or f("sll.src.eth") or f("wlan.sa")
        dhcp = bool(row.get("dhcp.hw.mac_addr"))
        mac = f("dhcp.hw.mac_addr") if dhcp else src
        if not mac:
            continue
        got = want.setdefault(mac, set())
        for field, kind in SIMPLE.items():
            for v in row.get(field, []):
                if v:
                    got.add((kind, clean(unfield(v))))
        if row.get("dhcp.option.request_list_item"):
            got.add(("dhcp_parameter_list", ",".join(row["dhcp.option.request_list_item"])))
        if row.get("cdp.software_version"):
            got.add(("cdp_software_version",
                     clean("\n".join(unfield(v) for v in row["cdp.software_version"]))))
        if f("lldp.tlv.enable_system_cap"):
            bits = int(f("lldp.tlv.enable_system_cap"), 0)
            caps = [c for i, c in enumerate(CAPABILITIES) if bits & (1 << i)]
            if caps:
                got.add(("lldp_capabilities", ",".join(caps)))
        if f("nbns.flags.response") == "0" and f("nbns.flags.opcode") in ("5", "8", "9", "15"):
            got.add(("nbns_name", clean(unfield(f("nbns.name")))))
        if not got:
            del want[mac]
    responses = tree(path, "mdns && dns.flags.response == 1") if "mdns" in protocols else []
    for frame in responses:
        layers_ = pairs(pairs(frame, "_source")[0], "layers")[0]
        link = (pairs(layers_, "eth") + pairs(layers_, "sll") + pairs(layers_, "wlan"))[0]
        src = (pairs(link, "eth.src") + pairs(link, "sll.src.eth") + pairs(link, "wlan.sa"))[0]
        for m in pairs(layers_, "mdns"):
            for section in ("Answers", "Authoritative nameservers", "Additional records"):
                for rrs in pairs(m, section):
                    for label, _ in rrs:
                        name, _, rest = label.partition(": type ")
                        rtype = rest.split(",")[0]
                        kind = {"A": "mdns_hostname", "AAAA": "mdns_hostname",
                                "SRV": "mdns_service"}.get(rtype)
                        if kind and name != "<Root>":
                            want.setdefault(src, set()).add((kind, clean(name)))
    return want


def compare(name, path):
    p = subprocess.run([OUISCAN, "-q", "-f", "json", path], capture_output=True, text=True)
    if not check(f"{name}: ouiscan reads it", p.returncode in (0, 1), p.stderr):
        return
    records = {a["address"]: a for a in json.loads(p.stdout)["addresses"]}
    want, tunnels, flags, conflicts, duplicates, protocols = expected(path)
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
    names = expected_names(path, protocols)
    ours = {mac: {(n["kind"], n["name"]) for n in r["names"]} for mac, r in records.items()
            if r["names"]}
    wrong = [(mac, names.get(mac), ours.get(mac)) for mac in sorted(set(names) | set(ours))
             if names.get(mac, set()) != ours.get(mac, set())]
    check(f"{name}: the names of {len(names)} MAC addresses as tshark gives them", not wrong,
          wrong[:6])
    ours = {mac: set(r["anomalies"]) for mac, r in records.items() if r["anomalies"]}
    check(f"{name}: the anomalies of {len(flags)} MAC addresses as tshark's fields give them",
          ours == flags, (flags, ours))
    identity = json.loads(p.stdout)["summary"]["identity"]
    listed = {c["ip"]: {x["address"] for x in c["claimed_by"]} for c in identity["ip_conflicts"]}
    check(f"{name}: {len(conflicts)} IPv4 addresses claimed by several MAC addresses, "
          f"{len(duplicates)} of them named by Wireshark",
          listed == conflicts and duplicates <= set(listed), (conflicts, listed, duplicates))
    ours = {(mac, t["tunnel"], t["via"]) for mac, r in records.items() for t in r["tunnels"]}
    inner = {mac for mac, r in records.items() if {"tunnel_src", "tunnel_dst"} & set(r["roles"])}
    check(f"{name}: {len(tunnels)} tunnelled addresses and their tunnels as tshark gives them",
          ours == tunnels and inner == {mac for mac, _, _ in tunnels},
          (sorted(tunnels - ours)[:4], sorted(ours - tunnels)[:4]))
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
# The human summary's identity line, counted from tshark's fields.
want, _, flags, conflicts, _, _ = expected(SAMPLE)
gratuitous = subprocess.run(["tshark", "-n", "-r", SAMPLE, "-Y", "arp.isgratuitous == 1"],
                            capture_output=True, text=True).stdout.count("\n")
changed = sum(1 for f in flags.values() if "ip_changed" in f)
line = (f"identity {len({mac for mac, _, _ in want})} addresses with IP addresses, 0 DHCP servers, "
        f"{len(conflicts)} IPv4 addresses claimed by several, {changed} addresses changed address, "
        f"{gratuitous} gratuitous and 0 mismatched ARP frames")
p = subprocess.run([OUISCAN, "--no-progress", SAMPLE], capture_output=True, text=True)
check("sample: the summary's identity line", line in p.stderr.splitlines(), (line, p.stderr))
check("sample: ARP taught the router's own address",
      "arp" in {x["ip"]: x["learned_from"] for x in cisco["ips"]}.get("141.142.220.1", []))
work = tempfile.mkdtemp()
for name, args in (("generated.pcap", []),
                   ("generated.pcapng", ["-F", "pcapng", "--links", "ethernet,linux_sll,radiotap"])):
    path = os.path.join(work, name)
    subprocess.run([GEN_PCAP, "-o", path, "-s", "2", "--hosts", "300", "--identity-share", "0.05",
                    "--seed", "7"] + args, check=True, capture_output=True)
    records = compare(name, path)
    named = {n["kind"] for r in records.values() for n in r["names"]}
    check(f"{name}: the generator's four protocols named hosts", {
        "dhcp_hostname", "mdns_hostname", "lldp_system_name"} <= named and any(
        "ndp_ns" in x["learned_from"] for r in records.values() for x in r["ips"]), named)
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
