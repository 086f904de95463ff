#!/usr/bin/env python3
"""Wireshark's files: `-f ethers` (read back by tshark itself), `--names FILE` (ethers format)
and `--manuf FILE` (private assignments that win over the registry), on a capture written here.
Expected vendors come from the IEEE CSVs, expected names from the files written here, and
Wireshark's short name for Cisco ("Cisco") from Wireshark's manuf file.

Usage: wireshark_test.py OUISCAN IEEE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import support

OUISCAN, IEEE_DIR = sys.argv[1], sys.argv[2]
check = support.Checks()
registries = support.read_registries(IEEE_DIR)

CISCO = "00:00:0c:11:22:33"      # MA-L 00000C, Cisco Systems, Inc
INSIDE = "00:24:7e:e0:1d:b5"     # inside the private /28 below
OUTSIDE = "00:24:7e:f0:00:01"    # same MA-L, outside it
LOCAL = "02:00:00:00:00:01"
BCAST, NULL = "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00"
ABSENT = "00:00:5e:00:53:99"


def announce(mac, ip):
    return support.ether(BCAST, mac, 0x0806, support.arp(1, mac, ip, NULL, "10.0.0.254"))


work = tempfile.mkdtemp()
capture = support.write(os.path.join(work, "lan.pcap"), support.pcap(
    [(i + 1, 0, announce(mac, f"10.0.0.{i + 1}"))
     for i, mac in enumerate([CISCO, INSIDE, OUTSIDE, LOCAL])]))
everyone = {CISCO, INSIDE, OUTSIDE, LOCAL, BCAST, NULL}


def ethers_lines(out):
    return [line for line in out.decode("utf-8").splitlines() if line and not line.startswith("#")]


# -f ethers: every address once, one blank-free name each.
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "ethers", capture])
check("-f ethers exits 0", p.returncode == 0, support.text(p))
lines = ethers_lines(p.stdout)
fields = [line.split() for line in lines]
check("every line is an address and one name", all(len(f) == 2 for f in fields), lines)
addresses = [f[0] for f in fields]
check("every address once", sorted(addresses) == sorted(everyone), addresses)
names = dict((f[0], f[1]) for f in fields if len(f) == 2)
check("names hold only letters, digits and . _ - :",
      all(re.fullmatch(r"[A-Za-z0-9._:-]+", n) for n in names.values()), names)
check("a vendor-only name is the short name and the last three octets",
      names.get(CISCO) == "Cisco_11:22:33", names.get(CISCO))
check("an address without a vendor is named by its class and last three octets",
      names.get(LOCAL, "").endswith("_00:00:01") and names.get(BCAST) == "broadcast_ff:ff:ff",
      names)

# --names: the user's names go on the records found (a later line wins); absent ones add none.
names_file = support.write(os.path.join(work, "mine.ethers"), (
    "# my names\n"
    f"{CISCO} core-router\n"
    f"{INSIDE.upper().replace(':', '-')}\tlab-pc   # a comment\n"
    f"{ABSENT} ghost\n"
    f"{CISCO} edge-router\n"
    f"{OUTSIDE} evil\x1b[2J\n").encode("utf-8"))
doc, p = support.scan_json(OUISCAN, ["--names", names_file, capture])
check("--names scan exits 0", doc is not None and p.returncode == 0, support.text(p))
by_mac = {a["address"]: a for a in (doc or {}).get("addresses", [])}
user = {m: [n["name"] for n in a.get("names", []) if n["kind"] == "user_name"]
        for m, a in by_mac.items()}
check("a later line for an address wins", user.get(CISCO) == ["edge-router"], user.get(CISCO))
check("dash notation and a trailing comment are read", user.get(INSIDE) == ["lab-pc"], user)
check("a name for an address not found adds no record", ABSENT not in by_mac, sorted(by_mac))
check("a control character in a user's name is escaped", user.get(OUTSIDE) == ["evil\\x1b[2J"],
      user.get(OUTSIDE))
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "ethers", "--names", names_file, capture])
named = dict(line.split() for line in ethers_lines(p.stdout))
check("-f ethers prefers the user's name", named.get(CISCO) == "edge-router", named)
check("-f ethers makes a hostile name one safe token", named.get(OUTSIDE) == "evil_x1b_2J", named)

# tshark reads the file as its personal ethers file and shows those names.
if shutil.which("tshark"):
    conf = os.path.join(work, "config")
    os.makedirs(os.path.join(conf, "wireshark"))
    support.write(os.path.join(conf, "wireshark", "ethers"), p.stdout)
    t = subprocess.run(["tshark", "-r", capture, "-N", "m", "-T", "fields", "-e", "eth.src",
                        "-e", "eth.src_resolved"], capture_output=True, text=True,
                       env=dict(os.environ, HOME=conf, XDG_CONFIG_HOME=conf))
    shown = dict(line.split("\t") for line in t.stdout.splitlines() if "\t" in line)
    check("tshark shows ouiscan's names for every sender",
          len(shown) == 4 and all(shown[m] == named[m] for m in shown), (shown, named))
else:
    check("tshark is installed (tools/build.sh installs it)", False)

# --manuf: a private /28 wins over the registry's MA-L inside it, and only inside it; a line
# without a long name uses its short name for both.
manuf = support.write(os.path.join(work, "private.manuf"), (
    "# private assignments\n"
    "00:24:7E:E0:00:00/28\tLabNet\tLab Network Inc\n"
    "00-00-0C  MyCisco\n").encode("utf-8"))
doc, p = support.scan_json(OUISCAN, ["--manuf", manuf, capture])
check("--manuf scan exits 0", doc is not None and p.returncode == 0, support.text(p))
by_mac = {a["address"]: a for a in (doc or {}).get("addresses", [])}
inside = by_mac.get(INSIDE, {})
check("inside the private prefix: its names", (inside.get("vendor"), inside.get("vendor_short"))
      == ("Lab Network Inc", "LabNet"), inside)
check("... named by the manuf file, at its length",
      (inside.get("vendor_source"), inside.get("registry"), inside.get("prefix_bits"))
      == ("manuf", None, 28), inside)
outside = by_mac.get(OUTSIDE, {})
check("outside it: the registry's vendor",
      {outside.get("vendor")} == support.expected_vendors(registries, OUTSIDE)
      and outside.get("vendor_source") == "ieee-registry", outside)
cisco = by_mac.get(CISCO, {})
check("a line with a short name only", (cisco.get("vendor"), cisco.get("vendor_short"))
      == ("MyCisco", "MyCisco"), cisco)
p = support.run(OUISCAN, ["-q", "--no-progress", "--manuf", manuf, capture])
row = [line.split() for line in p.stdout.decode().splitlines() if line.startswith(INSIDE)]
check("the table shows the manuf file's short name", row and row[0][2] == "LabNet", row)

# Without --manuf, the CSV's vendor_short is the registry name shortened as Wireshark does.
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "csv", capture])
rows = {r["address"]: r for r in support.csv_rows(p.stdout)}
check("CSV vendor_short", rows.get(CISCO, {}).get("vendor_short") == "Cisco", rows.get(CISCO))

# Bad files are usage errors that name the file and line.
bad = support.write(os.path.join(work, "bad.manuf"), b"00:00:0C Fine\nzz:13 Broken\n")
p = support.run(OUISCAN, ["-q", "--no-progress", "--manuf", bad, capture])
check("a malformed manuf line: exit 2 naming file and line",
      p.returncode == 2 and "bad.manuf:2:" in p.stderr.decode(), support.text(p))
bad = support.write(os.path.join(work, "bad.ethers"), b"00:00:0c:11:22 short\n")
p = support.run(OUISCAN, ["-q", "--no-progress", "--names", bad, capture])
check("a partial address in --names: exit 2 naming file and line",
      p.returncode == 2 and "bad.ethers:1:" in p.stderr.decode(), support.text(p))
p = support.run(OUISCAN, ["-q", "--no-progress", "--names", os.path.join(work, "none"), capture])
check("an unreadable --names file: exit 2", p.returncode == 2 and b"cannot read" in p.stderr,
      support.text(p))
old = os.path.join(work, "old.json")
support.run(OUISCAN, ["-q", "--no-progress", "-f", "json", "-o", old, capture])
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "ethers", "--diff", old, capture])
check("--diff with -f ethers is refused", p.returncode == 2, support.text(p))

sys.exit(check.done())
