#!/usr/bin/env python3
"""--online end to end against a local HTTP server that emulates both vendor APIs
(api.macvendors.com: plain text, 404 for unknown; api.maclookup.app v2: JSON), with bursts of
429 + Retry-After, 5xx, slow answers, resets and garbage bodies.

Usage: online_test.py OUISCAN IEEE_CSV_DIR
Which prefixes are unknown offline comes from the IEEE CSVs themselves (read with Python's csv).
"""
import csv
import http.server
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import support

OUISCAN, IEEE = sys.argv[1], sys.argv[2]
API_KEY = "maclookup-key-never-printed"
check = support.Checks()



def registry_keys(name):
    with open(os.path.join(IEEE, name), encoding="utf-8") as f:
        return {int(r[1], 16) for r in csv.reader(f) if r and r[0] != "Registry"}


MA_L = registry_keys("oui.csv")
PARENTS = {k >> 4 for k in registry_keys("mam.csv")} | {k >> 12 for k in registry_keys("oui36.csv")} \
    | {k >> 12 for k in registry_keys("iab.csv")}
MA_S = registry_keys("oui36.csv")


def unknown_ouis(n):
    """Universally administered unicast 24-bit prefixes that no registry holds."""
    out, k = [], 0x9E0000
    while len(out) < n:
        k += 0x10001
        if not (k >> 16) & 0x03 and k not in MA_L and k not in PARENTS:
            out.append(k)
    return out


# Eight unknown prefixes with their behaviour on the emulated API.
OUIS = unknown_ouis(8)
NAMES = {OUIS[0]: "Plain Vendor Ltd", OUIS[1]: "Rate Limited GmbH", OUIS[2]: "Flaky 500 Inc",
         OUIS[3]: "Slow Answer SA", OUIS[4]: "Reset Once BV", OUIS[6]: "Comma, Quote \" Co"}
GARBAGE, NOT_FOUND = OUIS[5], OUIS[7]
# An MA-S parent block with an unassigned 36-bit sub-block: asked as 36 bits.
PARENT = min(k >> 12 for k in MA_S)
FREE_SUB = next(s for s in range(4096) if (PARENT << 12 | s) not in MA_S)
SUB36 = PARENT << 12 | FREE_SUB
NAMES_36 = {SUB36: "Sub Block Newcomer"}


class Api(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ApiHandler)
        self.log = []  # (time, personality, address)
        self.lock = threading.Lock()
        self.faults = {}

    def reset(self):
        with self.lock:
            self.log = []
            self.faults = {OUIS[1]: ["429", "429"], OUIS[2]: ["500"], OUIS[4]: ["reset"]}


class ApiHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="text/plain", extra=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path.startswith("/mv/"):
            personality, address = "mv", path[4:]
        elif path.startswith("/ml/v2/macs/"):
            personality, address = "ml", path[12:]
        else:
            return self.send(400, "bad path")
        value = int(address.replace(":", ""), 16)
        oui = value >> 24
        with self.server.lock:
            self.server.log.append((time.time(), personality, address, query))
            pending = self.server.faults.get(oui, [])
            fault = pending.pop(0) if pending else None
        if fault in ("429", "429now"):
            return self.send(429, '{"errors":{"detail":"Too Many Requests"}}',
                             extra={"Retry-After": "1" if fault == "429" else "0"})
        if fault == "500":
            return self.send(500, "internal error")
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if oui == OUIS[3]:
            time.sleep(1.5)
        name = NAMES.get(oui) or NAMES_36.get(value >> 12)
        if oui == GARBAGE:
            return self.send(200, "<html><body>Service unavailable</body></html>", "text/html")
        if personality == "mv":
            if name is None:
                return self.send(404, '{"errors":{"detail":"Not Found"}}', "application/json")
            return self.send(200, name)
        if name is None:
            return self.send(200, json.dumps({"success": True, "found": False, "macPrefix": ""}),
                             "application/json")
        return self.send(200, json.dumps({"success": True, "found": True, "macPrefix": f"{oui:06X}",
                                          "company": name, "isRand": False}), "application/json")


def mac(v):
    return ":".join(f"{(v >> (8 * i)) & 0xFF:02x}" for i in range(5, -1, -1))


def write_pcap(path, sources):
    """One broadcast frame from each source, a second apart."""
    support.write(path, support.pcap([(1000 + i, 0, b"\xff" * 6 + s.to_bytes(6, "big") +
                                       b"\x08\x00" + b"\0" * 46) for i, s in enumerate(sources)]))


def scan(args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    p = subprocess.run([OUISCAN, "--no-progress", "-f", "json"] + args, capture_output=True,
                       text=True, env=env, timeout=300)
    return p, (json.loads(p.stdout) if p.stdout.startswith("{") else {})


def main():
    api = Api()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{api.server_address[1]}"
    work = tempfile.mkdtemp(prefix="ouiscan-online-test-")
    eligible = [o << 24 | 0x000001 for o in OUIS] + [o << 24 | 0xABCD02 for o in OUIS] + \
        [SUB36 << 12 | 0x123]
    never = [0x020000000001, 0x0A1B2C3D4E5F, 0x01005E000001, 0x333300000001, 0xFFFFFFFFFFFF,
             0x00000C000001, 0x00000C123456]  # local, local, multicast x2, broadcast, Cisco
    capture = os.path.join(work, "a.pcap")
    write_pcap(capture, eligible + never)
    cache = os.path.join(work, "vendors.tsv")
    common = ["--api-url", base + "/mv", "--api-rate", "5", "--api-cache", cache]

    # Off by default: no request at all.
    api.reset()
    p, doc = scan([capture])
    check("without --online: no request, online null", not api.log and doc["summary"]["online"] is None)
    p, doc = scan(["--online", "--offline"] + common + [capture], {"OUISCAN_ONLINE": "1"})
    check("--offline overrides --online and OUISCAN_ONLINE=1", not api.log, str(api.log[:2]))

    # First run, macvendors-style.
    api.reset()
    p, doc = scan(["--online"] + common + [capture])
    log = list(api.log)
    asked = [a for _, _, a, _ in log]
    expect = {mac(o << 24) for o in OUIS} | {mac(SUB36 << 12)}
    check("only the unknown universal unicast prefixes are asked, prefix bits only, zeroed rest",
          set(asked) == expect, str(sorted(set(asked) ^ expect)))
    counts = {a: asked.count(a) for a in set(asked)}
    faults = {mac(OUIS[1] << 24): 3, mac(OUIS[2] << 24): 2, mac(OUIS[4] << 24): 2,
              mac(GARBAGE << 24): 4}
    check("one request per prefix (plus exactly one per injected fault; garbage retried 3 times)",
          all(counts[a] == faults.get(a, 1) for a in counts), str(counts))
    gaps = [b[0] - a[0] for a, b in zip(log, log[1:])]
    check("requests never closer than the configured rate (5/s)", min(gaps) >= 0.19,
          f"min gap {min(gaps):.3f} s")
    limited = mac(OUIS[1] << 24)
    times = [t for t, _, a, _ in log if a == limited]
    check("after a 429 with Retry-After: 1, the next request waits a second",
          all(b - a >= 0.95 for a, b in zip(times, times[1:])), str(times))
    after_429 = [t for t, _, a, _ in log if t > times[0]]
    check("... and no other request starts before Retry-After has passed",
          all(t - times[0] >= 0.95 for t in after_429), f"{after_429[0] - times[0]:.3f}")
    by_addr = {a["address"]: a for a in doc["addresses"]}
    ok_names = all(by_addr[mac(o << 24 | 1)]["vendor"] == n and
                   by_addr[mac(o << 24 | 0xABCD02)]["vendor"] == n for o, n in NAMES.items())
    check("found vendors reach every address of their prefix", ok_names)
    first = by_addr[mac(OUIS[0] << 24 | 1)]
    check("the output says which API answered and when",
          first.get("vendor_source") == f"127.0.0.1:{api.server_address[1]}/mv" and
          first.get("vendor_fetched", "").endswith("Z"), str(first)[:300])
    cisco = by_addr[mac(0x00000C000001)]
    check("offline answers say they come from the IEEE registry",
          cisco.get("vendor_source") == "ieee-registry")
    check("an unassigned sub-block is asked at 36 bits and named",
          by_addr[mac(SUB36 << 12 | 0x123)]["vendor"] == "Sub Block Newcomer")
    on = doc["summary"]["online"]
    check("the summary counts prefixes, requests, found, not found and unresolved",
          on["prefixes"] == 9 and on["found"] == 7 and on["not_found"] == 1 and
          list(on["unresolved"]) == [f"{GARBAGE:06x}/24"] and on["requests"] == len(log), str(on))
    check("the unresolved prefix says why", "not a name" in on["unresolved"][f"{GARBAGE:06x}/24"])
    check("the stderr summary names the unresolved prefix", f"{GARBAGE:06x}/24" in p.stderr)

    # Second run without the never-answered prefix: everything from the cache, no request.
    capture2 = os.path.join(work, "b.pcap")
    write_pcap(capture2, [e for e in eligible if e >> 24 != GARBAGE] + never)
    api.reset()
    p2, doc2 = scan(["--online"] + common + [capture2])
    check("a second run is served from the cache with zero requests", not api.log,
          f"{len(api.log)} requests")
    check("... with the same vendors", all(
        a["vendor"] == by_addr[a["address"]]["vendor"] for a in doc2["addresses"]))
    check("... and says so", doc2["summary"]["online"]["from_cache"] == 8)

    # Cache expiry (docs/online.md: found answers kept 30 days, not-found answers 7): age three
    # entries of the cache this run wrote; only the two past their age are asked again.
    now = int(time.time())
    ages = {f"{OUIS[0]:06x}/24": 31, f"{OUIS[6]:06x}/24": 29, f"{NOT_FOUND:06x}/24": 8}
    lines = open(cache).read().splitlines()
    with open(cache, "w") as f:
        for line in lines:
            fields = line.split("\t")
            if fields[0].lower() in ages:
                fields[2] = str(now - ages[fields[0].lower()] * 86400)
            f.write("\t".join(fields) + "\n")
    aged = sum(l.split("\t")[0].lower() in ages for l in lines)
    api.reset()
    p5, doc5 = scan(["--online"] + common + [capture2])
    asked5 = sorted(a for _, _, a, _ in api.log)
    check("cache expiry: a 31-day-old found and an 8-day-old not-found answer are asked again, "
          "a 29-day-old found answer is not",
          aged == 3 and asked5 == sorted([mac(OUIS[0] << 24), mac(NOT_FOUND << 24)]) and
          doc5["summary"]["online"]["from_cache"] == 6, f"{aged} aged, asked {asked5}")

    # A 429 that never clears (Retry-After: 0, every time): the prefix is asked 6 times (once,
    # then again 5 times at most), left unresolved as rate limited; the others are answered.
    api.reset()
    with api.lock:
        api.faults = {OUIS[1]: ["429now"] * 100}
    p6, doc6 = scan(["--online", "--api-url", base + "/mv", "--api-rate", "20", "--api-cache",
                     "none", capture2])
    on6 = doc6.get("summary", {}).get("online") or {}
    limited_asks = sum(a == mac(OUIS[1] << 24) for _, _, a, _ in api.log)
    check("a 429 that never clears: 6 requests, then unresolved 'rate limited (HTTP 429)'",
          p6.returncode == 0 and limited_asks == 6 and
          on6.get("unresolved") == {f"{OUIS[1]:06x}/24": "rate limited (HTTP 429)"},
          f"rc={p6.returncode} asks={limited_asks} {on6.get('unresolved')}")
    check("... the other prefixes are answered, and stderr names the one left",
          on6.get("found") == 6 and on6.get("not_found") == 1 and
          f"{OUIS[1]:06x}/24" in p6.stderr, str(on6))

    # maclookup-style JSON answers, with an API key that never shows.
    api.reset()
    p3, doc3 = scan(["--online", "--api", "maclookup", "--api-url", base + "/ml", "--api-rate",
                     "20", "--api-cache", "none", capture2], {"OUISCAN_MACLOOKUP_API_KEY": API_KEY})
    by3 = {a["address"]: a for a in doc3["addresses"]}
    check("maclookup JSON: found and not-found answers read",
          by3[mac(OUIS[0] << 24 | 1)]["vendor"] == "Plain Vendor Ltd" and
          doc3["summary"]["online"]["not_found"] == 1, str(doc3["summary"]["online"]))
    check("maclookup: the API key is sent as apiKey and never printed",
          all(q == f"apiKey={API_KEY}" for _, _, _, q in api.log) and
          API_KEY not in p3.stdout + p3.stderr)

    # A budget: two requests, the rest reported as over budget. The 9 prefixes are asked in
    # order: OUIS[0] is answered, OUIS[1]'s first answer is a 429 (reset()'s faults), so its
    # retry and the 7 prefixes after it are over budget: 8.
    api.reset()
    p4, doc4 = scan(["--online", "--api-budget", "2", "--api-url", base + "/mv", "--api-rate", "20",
                     "--api-cache", "none", capture])
    un = doc4["summary"]["online"]["unresolved"]
    check("--api-budget 2: two requests, the others over budget",
          len(api.log) == 2 and sum("budget" in w for w in un.values()) == 8 and
          len(un) == 8 and doc4["summary"]["online"]["found"] == 1, str(un))

    api.shutdown()
    return check.done()


if __name__ == "__main__":
    sys.exit(main())
