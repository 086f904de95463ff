#!/usr/bin/env python3
"""`ouiscan db update` against a real HTTPS server on 127.0.0.1 with its own CA.

The server publishes the IEEE snapshot of 2026-01-04, then 2026-05-21, then misbehaves (418,
500, slow, truncated, garbage). Expected diffs are computed here from the CSVs with Python's csv
and html modules. Usage: refresh_test.py OUISCAN OLD_CSV_DIR NEW_CSV_DIR
"""
import csv
import hashlib
import html
import http.server
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import support

ouiscan, old_dir, new_dir = sys.argv[1:4]
FILES = {"MA-L": ("oui.csv", "/oui/oui.csv"), "MA-M": ("mam.csv", "/oui28/mam.csv"),
         "MA-S": ("oui36.csv", "/oui36/oui36.csv"), "IAB": ("iab.csv", "/iab/iab.csv"),
         "CID": ("cid.csv", "/cid/cid.csv")}
work = tempfile.mkdtemp(prefix="ouiscan-refresh-")
check = support.Checks()


def holders(folder):
    out = {}
    for reg, (name, _) in FILES.items():
        with open(f"{folder}/{name}", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))[1:]
        table = {}
        for row in rows:
            table.setdefault(row[1].upper(), set()).add(html.unescape(row[2]).strip())
        out[reg] = (table, len(rows))
    return out


def expected_diff(before, after):
    d = {}
    for reg in FILES:
        a, b = before[reg][0], after[reg][0]
        d[reg] = (sum(1 for k in b if k not in a), sum(1 for k in a if k not in b),
                  sum(1 for k in b if k in a and a[k] != b[k]))
    return d


support.make_test_ca(work)  # nothing outside this test is trusted

state = {"dir": old_dir, "faults": {}, "log": []}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        state["log"].append((self.path, self.headers.get("User-Agent", ""),
                             self.headers.get("If-None-Match")))
        name = next((n for n, p in FILES.values() if p == self.path), None)
        if name is None:
            self.send_error(404)
            return
        fault = state["faults"].get(name)
        if isinstance(fault, list):  # a sequence of faults, one per request, then normal
            fault = fault.pop(0) if fault else None
        if fault in ("418", "500", "503"):
            self.send_response(int(fault))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fault == "slow":
            time.sleep(6)
        with open(f"{state['dir']}/{name}", "rb") as f:
            body = f.read()
        if fault == "garbage":
            body = b"<html><body>Service temporarily unavailable</body></html>\n"
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag and fault is None:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "truncated":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(f"{work}/server.pem", f"{work}/server.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"https://127.0.0.1:{server.server_address[1]}"

env = dict(os.environ, HOME=work, XDG_DATA_HOME=f"{work}/data", XDG_CACHE_HOME=f"{work}/cache",
           OUISCAN_HTTP_BACKOFF_S="0.05")
env.pop("SSL_CERT_FILE", None)
db_file = f"{work}/data/ouiscan/oui.bin"


def update(*extra, ca="ca.pem"):
    return subprocess.run([ouiscan, "db", "update", "--url-base", base, "--ca-file", f"{work}/{ca}",
                           *extra], capture_output=True, text=True, env=env, timeout=120)


def digest():
    with open(db_file, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def printed_diff(out):
    return {m[0]: (int(m[1]), int(m[2]), int(m[3]))
            for m in re.findall(r"^\s+(\S+)\s+(\d+) added, (\d+) removed, (\d+) renamed$", out, re.M)}


old, new = holders(old_dir), holders(new_dir)
embedded = holders(os.path.join(os.path.dirname(__file__), "../../third_party/ieee/2026-05-21"))

# 1. The older snapshot: installed, counted, compared with the embedded database.
r = update()
check("first update succeeds", r.returncode == 0, r.stderr)
info = subprocess.run([ouiscan, "db", "info"], capture_output=True, text=True, env=env).stdout
for reg in FILES:
    check(f"db info shows {reg} rows", re.search(rf"^\s+{reg}\s+{old[reg][1]} rows", info, re.M) is not None, info)
check("db info names the user copy", db_file in info, info)
today = time.strftime("%Y-%m-%d", time.gmtime())
check("snapshot dated by the download", info.count(f"snapshot {today}") == 5, info)
check("diff against the embedded database", printed_diff(r.stdout) == expected_diff(embedded, old),
      f"{printed_diff(r.stdout)} != {expected_diff(embedded, old)}")
check("browser-like User-Agent", all(ua.startswith("Mozilla/5.0") for _, ua, _ in state["log"]))

# 2. The newer snapshot: the reported diff matches the CSVs.
state["dir"] = new_dir
r = update()
check("second update succeeds", r.returncode == 0, r.stderr)
check("diff 2026-01-04 -> 2026-05-21", printed_diff(r.stdout) == expected_diff(old, new),
      f"{printed_diff(r.stdout)} != {expected_diff(old, new)}")
good = digest()

# 3. Unchanged registries are not downloaded again (conditional GET answered 304).
state["log"].clear()
r = update()
check("third update succeeds", r.returncode == 0, r.stderr)
check("every request conditional", len(state["log"]) == 5 and all(inm for _, _, inm in state["log"]),
      str(state["log"]))
check("nothing downloaded", r.stdout.count("not modified") == 5, r.stdout)
check("no changes reported", all(v == (0, 0, 0) for v in printed_diff(r.stdout).values()), r.stdout)
check("database unchanged", digest() == good)

# 4. Faults leave the database untouched.
shutil.rmtree(f"{work}/cache")  # force full downloads, so that every fault is reached
for name, fault, extra in [("oui.csv", "418", ()), ("mam.csv", "500", ()), ("iab.csv", "garbage", ()),
                           ("oui36.csv", "truncated", ()), ("cid.csv", "slow", ("--timeout", "2", "--retries", "0"))]:
    state["faults"] = {name: fault}
    state["log"].clear()
    r = update(*extra)
    check(f"{fault} on {name} fails", r.returncode != 0, r.stdout)
    check(f"{fault} on {name}: clear message", "unchanged" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr)
    check(f"{fault} on {name}: database untouched", digest() == good)
    if fault == "418":
        check("418 is not retried", sum(1 for p, _, _ in state["log"] if p.endswith(name)) == 1)
    if fault == "500":
        check("500 is retried", sum(1 for p, _, _ in state["log"] if p.endswith(name)) == 4)

# 5. A transient failure that clears: retried, then success.
state["faults"] = {"oui.csv": ["503", "500"]}
r = update()
check("503, 500, then 200 succeeds", r.returncode == 0, r.stderr)
check("database still good after retry", digest() == good)

# 6. TLS is verified: a server certificate from another CA is refused.
state["faults"] = {}
r = update(ca="other-ca.pem")
check("untrusted certificate refused", r.returncode != 0 and digest() == good, r.stderr)

server.shutdown()
shutil.rmtree(work, ignore_errors=True)
sys.exit(check.done())
