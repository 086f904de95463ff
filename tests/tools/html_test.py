#!/usr/bin/env python3
"""`-f html` in a real headless Chromium (Debian's chromium): the sample's report and one of a
generated capture with 100,000 addresses. Each is loaded with its script run (--dump-dom),
and screenshotted; the DOM must hold the expected rows, the console no error, and the network
log no request. Expected addresses come from tshark's answers for the sample (tests/data), the
expected vendors from the IEEE CSVs, and the large capture's rows from its CSV inventory.

Usage: html_test.py OUISCAN GEN_PCAP DATA_DIR IEEE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

import support

OUISCAN, GEN_PCAP, DATA, IEEE_DIR = sys.argv[1:5]
check = support.Checks()
chromium = shutil.which("chromium")
if not chromium:
    support.skip("chromium is not installed (tools/build.sh installs it)")
work = tempfile.mkdtemp()
BLINK_LOADER = 101845102  # Chromium's traffic annotation "blink_resource_loader"


class Rows(HTMLParser):
    """The cells of the rows the page drew in #body, and the text of #count."""

    def __init__(self):
        super().__init__()
        self.rows, self.count, self._in, self._cell, self._count = [], "", False, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody" and a.get("id") == "body":
            self._in = True
        elif self._in and tag == "tr":
            self.rows.append([])
        elif self._in and tag == "td":
            self._cell = ""
        elif a.get("id") == "count":
            self._count = True

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "span":
            self._count = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._count:
            self.count += data


def load(page, fragment="", screenshot=None):
    """(Rows of the page as Chromium drew it, console lines, URLs requested)."""
    profile = tempfile.mkdtemp(dir=work)
    netlog = os.path.join(profile, "net.json")
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            f"--log-net-log={netlog}", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1280,1600",
            # The browser's own traffic (updates, sign-in, spelling dictionaries) is not the page's.
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
            "--disable-domain-reliability", "--disable-spell-checking",
            "--disable-features=Translate,OptimizationHints,MediaRouter,AccountConsistency"]
    url = "file://" + os.path.abspath(page) + fragment
    if screenshot:
        p = subprocess.run(args + [f"--screenshot={screenshot}", url], capture_output=True,
                           text=True, timeout=300)
    else:
        p = subprocess.run(args + ["--dump-dom", url], capture_output=True, text=True,
                           timeout=300)
    parsed = Rows()
    parsed.feed(p.stdout)
    console = [line for line in p.stderr.splitlines() if "CONSOLE" in line]
    # What the page asked for: requests made by Blink's resource loader (its network traffic
    # annotation; the browser's own update and sign-in requests carry others).
    urls = set()
    if os.path.exists(netlog):
        with open(netlog, errors="replace") as f:
            urls = set(re.findall(r'"traffic_annotation":%d[^{}]*?"url":"([^"]+)"' % BLINK_LOADER,
                                  f.read()))
    return parsed, console, {u for u in urls if not u.startswith("file://")}


# The request check can fail: a page that loads an image and fetches is caught (the host
# resolver maps every name to nothing, so no request leaves the machine).
control = support.write(os.path.join(work, "control.html"),
                        b'<img src="http://example.invalid/x.png">'
                        b'<script>fetch("https://example.invalid/y")</script>')
_, _, urls = load(control)
check("a page that makes requests is caught", urls == {"http://example.invalid/x.png",
                                                        "https://example.invalid/y"}, urls)

# The sample: every address tshark finds, drawn as rows.
sample = os.path.join(DATA, "sample.pcapng")
page = os.path.join(work, "sample.html")
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "html", "-o", page, sample])
check("-f html -o writes the page", p.returncode == 0 and os.path.getsize(page) > 0,
      support.text(p))
with open(page, encoding="utf-8") as f:
    source = f.read()
check("the page names no other resource (no src= or href= to a URL, no @import)",
      not re.search(r'(src|href)\s*=\s*"?[a-z]+:|@import|url\(', source, re.I))
check("its Content-Security-Policy forbids requests", "default-src 'none'" in source)
expected = (support.read_set(os.path.join(DATA, "sample.pcapng.macs")) |
            support.read_set(os.path.join(DATA, "sample.pcapng.arp.macs")))
rows, console, urls = load(page)
check("Chromium drew every address of the sample once",
      sorted(r[0] for r in rows.rows) == sorted(expected), [r[0] for r in rows.rows])
check("the count says so", rows.count.strip() == f"{len(expected)} of {len(expected)} addresses",
      rows.count)
check("no console message (no error, no refused request)", not console, console)
check("no network request", not urls, urls)
registries = support.read_registries(IEEE_DIR)
cisco = {m for m in expected if any("Cisco" in v for v in support.expected_vendors(registries, m))}
rows, console, _ = load(page, "#filter=cisco")
check("#filter=cisco keeps the registry's Cisco addresses",
      {r[0] for r in rows.rows} == cisco and cisco, ([r[0] for r in rows.rows], cisco))
rows, console, _ = load(page, "#sort=frames&desc=1")
frames = [int(r[5]) for r in rows.rows]
check("#sort=frames&desc=1 draws the busiest first", frames == sorted(frames, reverse=True)
      and len(frames) == len(expected), frames)
shot = os.path.join(work, "sample.png")
load(page, screenshot=shot)
check("a screenshot of the sample's page", os.path.exists(shot) and os.path.getsize(shot) > 10000)

# 100,000 addresses: the page loads, holds them all and draws the rows in view at any depth.
big = os.path.join(work, "big.pcap")
subprocess.run([GEN_PCAP, "-o", big, "-s", "60", "--seed", "3", "--hosts", "120000", "--zipf",
                "0"], check=True, capture_output=True)
csv_path = os.path.join(work, "big.csv")
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "csv", "-o", csv_path, big])
with open(csv_path, encoding="utf-8") as f:
    inventory = sorted(r["address"] for r in support.csv_rows(f.read()))
check("the generated capture has at least 100,000 addresses", len(inventory) >= 100000,
      len(inventory))
big_page = os.path.join(work, "big.html")
p = support.run(OUISCAN, ["-q", "--no-progress", "-f", "html", "-o", big_page, big])
check("-f html at 100,000 addresses", p.returncode == 0, support.text(p))
rows, console, urls = load(big_page, "#sort=address&at=50000")
n = len(inventory)
check("every address is in the page", rows.count.strip() == f"{n} of {n} addresses", rows.count)
drawn = [r[0] for r in rows.rows]
check("scrolled to row 50,000 of the address order, it draws the rows there",
      50000 in range(n) and drawn and inventory[50000] in drawn
      and drawn == inventory[inventory.index(drawn[0]):inventory.index(drawn[0]) + len(drawn)],
      drawn[:3])
check("only the rows in view are drawn", 0 < len(drawn) < 500, len(drawn))
check("no console message at 100,000 addresses", not console, console)
check("no network request at 100,000 addresses", not urls, urls)
shot = os.path.join(work, "big.png")
load(big_page, screenshot=shot)
check("a screenshot of the large page", os.path.exists(shot) and os.path.getsize(shot) > 10000)
if os.environ.get("OUISCAN_KEEP_SCREENSHOTS"):
    for name in ("sample.png", "big.png"):
        shutil.copy(os.path.join(work, name), os.path.join(os.environ["OUISCAN_KEEP_SCREENSHOTS"], name))
sys.exit(check.done())
