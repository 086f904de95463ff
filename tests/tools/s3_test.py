#!/usr/bin/env python3
"""S3 input end to end: ouiscan against s3rver (a real S3-compatible server on 127.0.0.1,
started here) behind a small fault-injecting proxy of our own, which also supplies what s3rver
lacks: If-Match (412 when the ETag changed).

Usage: s3_test.py OUISCAN REPO_DIR [CORPUS_DIR]
Expected answers come from ouiscan's scan of the same bytes as local files (the engine's own
conformance is tested against tshark elsewhere) and from the faults this script injects.
"""
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import support
from s3_fixture import CredentialEndpoints, Faults, Upstream, many_sources_pcap, start_proxy

OUISCAN, REPO = sys.argv[1], sys.argv[2]
CORPUS = sys.argv[3] if len(sys.argv) > 3 else ""
SECRET = "s3cr3t-never-in-any-log"
check = support.Checks()
CORPUS_USED = False
SLACK = 0.15  # seconds a request may take beyond its backoff wait (proxy, s3rver, sanitizers)



def run(args, env_extra=None, endpoint=None, secrets=()):
    # The instance metadata service is off unless a test moves it to loopback: nothing here
    # reaches beyond 127.0.0.1.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": HOME,
           "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.update(env_extra or {})
    env = {k: v for k, v in env.items() if v is not None}
    cmd = [OUISCAN, "--no-progress"]
    if endpoint is not False:
        cmd += ["--s3-endpoint", endpoint or PROXY_URL]
    p = subprocess.run(cmd + args, env=env, capture_output=True, text=True, timeout=600)
    leaked = [s for s in (SECRET,) + tuple(secrets) if s in p.stdout or s in p.stderr]
    if leaked:
        check("no secret, key or token appears in output", False, (" ".join(args), leaked))
    return p


def inventory(stdout):
    doc = json.loads(stdout)
    return doc["addresses"], doc["summary"]["inputs"]


def comparable(inputs, rename):
    out = []
    for i in inputs:
        j = {k: i.get(k) for k in ("format", "compression", "size", "bytes_read", "records",
                                   "frames", "status")}
        j["name"] = rename(i["name"])
        if "error" in i:
            j["error"] = {k: i["error"][k] for k in ("code", "offset", "record")}
        out.append(j)
    return out


def main():
    global HOME, PROXY_URL
    work = tempfile.mkdtemp(prefix="ouiscan-s3-test-")
    HOME = work
    upstream = Upstream(work, REPO)
    faults = Faults()
    proxy, PROXY_URL = start_proxy(upstream, faults)
    try:
        tests(upstream, faults)
    finally:
        proxy.shutdown()
        upstream.stop()
        shutil.rmtree(work, ignore_errors=True)
    if check.done():
        return 1
    # Without the corpus, only the sample went through S3: the run is not the whole test.
    return 0 if CORPUS_USED else 77


def tests(upstream, faults):
    data_dir = os.path.join(REPO, "tests", "data")
    sample = open(os.path.join(data_dir, "sample.pcapng"), "rb").read()
    small_parts = ["--s3-part-size", "64KiB", "--s3-parts", "3"]

    # 1. Every corpus capture (or, without the corpus, the bundled sample) through S3 equals the
    # scan of the local file: same inventory, same per-input verdicts. Small parts make the
    # larger captures span several ranged GETs.
    global CORPUS_USED
    local = []
    CORPUS_USED = bool(CORPUS and os.path.isdir(os.path.join(CORPUS, "captures")))
    if CORPUS_USED:
        root = os.path.join(CORPUS, "captures")
        for d, _, files in sorted(os.walk(root)):
            for f in sorted(files):
                local.append(os.path.join(d, f))
    else:
        print("SKIP the corpus comparison: no corpus at", CORPUS, "(only the bundled sample; the "
              "test reports itself skipped)")
        local = [os.path.join(data_dir, "sample.pcapng")]
    keys = {}
    for path in local:
        key = "corpus/" + os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
        upstream.put(key, open(path, "rb").read())
        keys["s3://bkt/" + key] = path
    ours = run(["-f", "json"] + small_parts + list(keys))
    theirs = run(["-f", "json"] + list(keys.values()), endpoint=False)
    check(f"{len(keys)} captures: same exit code through S3 ({ours.returncode}) as local "
          f"({theirs.returncode})", ours.returncode == theirs.returncode, ours.stderr[-500:])
    a_s3, in_s3 = inventory(ours.stdout)
    a_local, in_local = inventory(theirs.stdout)
    check(f"{len(keys)} captures: same {len(a_local)} addresses with the same statistics",
          a_s3 == a_local)
    check(f"{len(keys)} captures: same per-input format, sizes, frames and faults",
          comparable(in_s3, lambda n: keys.get(n, n)) == comparable(in_local, lambda n: n),
          str([x for x, y in zip(comparable(in_s3, lambda n: keys.get(n, n)),
                                 comparable(in_local, lambda n: n)) if x != y][:2]))

    # 1b. The independent answer (tshark's sets) for captures through S3 on their own, in
    # several parts: the sample, and with the corpus a 287 KB capture (5 parts of 64 KiB).
    sample_path = os.path.join(data_dir, "sample.pcapng")
    independent = [("s3://bkt/sample/sample.pcapng", sample_path, sample_path)]
    upstream.put("sample/sample.pcapng", sample)
    if CORPUS_USED:
        mapi = os.path.join(CORPUS, "captures", "zeek", "dce-rpc", "mapi.pcap")
        upstream.put("parts/mapi.pcap", open(mapi, "rb").read())
        independent.append(("s3://bkt/parts/mapi.pcap", mapi,
                            os.path.join(CORPUS, "expected", "zeek", "dce-rpc", "mapi.pcap")))
    for uri, _, expected in independent:
        p = run(["-f", "json"] + small_parts + [uri])
        frame, arp = support.address_sets(json.loads(p.stdout)) if p.returncode == 0 else ({}, {})
        want = (support.read_set(expected + ".macs"), support.read_set(expected + ".arp.macs"))
        check(f"{uri}: tshark's link-layer and ARP address sets", (frame, arp) == want,
              f"rc={p.returncode} {sorted(frame ^ want[0])[:4]} {sorted(arp ^ want[1])[:4]}")

    # 2. Compressed objects are recognised by their magic, not their names.
    upstream.put("z/sample-no-extension", gzip.compress(sample))
    p = run(["-f", "json", "s3://bkt/z/sample-no-extension"])
    _, inputs = inventory(p.stdout)
    check("a gzip object without extension is decompressed",
          p.returncode == 0 and inputs[0]["compression"] == "gzip" and inputs[0]["frames"] == 170,
          p.stderr)

    # 3. A prefix with more than 1000 keys: ListObjectsV2 continuation. Objects named like
    # captures count by name; others only with a capture's magic.
    tiny = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + \
        struct.pack("<IIII", 1, 0, 14, 14) + bytes.fromhex("ffffffffffff0200000000010800")
    for i in range(1003):
        upstream.put(f"many/{i:04d}.pcap", tiny)
    upstream.put("many/readme.txt", b"not a capture")
    upstream.put("many/raw-no-extension", tiny)
    faults.reset()
    p = run(["-f", "json", "s3://bkt/many/"])
    _, inputs = inventory(p.stdout)
    lists = [e for e in faults.log if e[0] == "GET" and "list-type=2" in e[1]]
    check("a prefix of 1005 objects lists in pages and keeps the 1004 captures",
          p.returncode == 0 and len(inputs) == 1004 and len(lists) >= 2,
          f"rc={p.returncode} inputs={len(inputs)} list calls={len(lists)} {p.stderr[-300:]}")
    check("continuation tokens are sent", any("continuation-token=" in e[1] for e in lists))

    # 4. Requests are signed (SigV4 with x-amz-content-sha256), ranged, and pinned to the ETag.
    faults.reset()
    p = run(["-f", "json"] + small_parts + ["s3://bkt/z/sample-no-extension"])
    gets = [e for e in faults.log if e[0] == "GET"]
    check("every request is signed for s3 and carries the payload hash",
          all(e[2].get("authorization", "").startswith("AWS4-HMAC-SHA256 Credential=S3RVER/")
              and "x-amz-content-sha256" in e[2] for e in faults.log))
    check("every GET is ranged and carries If-Match",
          gets and all("range" in e[2] and "if-match" in e[2] for e in gets))

    # 5. 503 SlowDown bursts are retried with backoff; the result is unchanged.
    big = open(local[0], "rb").read() if len(local) == 1 else sample
    faults.reset()
    faults.unavailable = 4
    p = run(["-f", "json"] + small_parts + ["s3://bkt/z/sample-no-extension"])
    _, inputs = inventory(p.stdout)
    check("a burst of 4 x 503 SlowDown is retried", p.returncode == 0 and inputs[0]["frames"] == 170,
          p.stderr)
    # The four answers hit the first request (its HEAD) and its retries; the waits between them
    # are the documented backoff: 0.2 s doubling, each drawn from [half, all] of its step.
    first = faults.log[:5]
    gaps = [b[3] - a[3] for a, b in zip(first, first[1:])]
    check("the retries repeat the same request", len({(e[0], e[1]) for e in first}) == 1,
          str([(e[0], e[1]) for e in first]))
    check("503 backoff: waits in [0.1, 0.2], [0.2, 0.4], [0.4, 0.8], [0.8, 1.6] s",
          all(0.1 * 2 ** k - 0.005 <= g <= 0.2 * 2 ** k + SLACK for k, g in enumerate(gaps)),
          str([round(g, 3) for g in gaps]))

    # 6. Resets in the middle of a body: only the rest of the range is asked for again.
    upstream.put("reset/sample.pcapng", sample)
    faults.reset()
    faults.cut_after, faults.cuts = 1000, 3
    p = run(["-f", "json", "--s3-part-size", "64KiB", "s3://bkt/reset/sample.pcapng"])
    a, inputs = inventory(p.stdout)
    ranges = [e[2]["range"] for e in faults.log if e[0] == "GET"]
    check("three resets mid-body are survived", p.returncode == 0 and inputs[0]["frames"] == 170,
          p.stderr)
    check("a broken range resumes where it stopped",
          ranges[:2] == ["bytes=0-38939", "bytes=1000-38939"], str(ranges[:4]))

    # 6b. Every part after the first reset three times, each time after 1000 more bytes: each
    # resumes where it broke, and since each broken reply brought bytes, its backoff starts
    # again (a wait in [0.1, 0.2] s every time; it does not double).
    many = many_sources_pcap(20000)
    upstream.put("big/many.pcap", many)
    faults.reset()
    faults.cut_after, faults.cut_each_part, faults.cut_from = 1000, 3, 65536
    p = run(["-f", "json", "--s3-part-size", "64KiB", "--s3-parts", "2", "s3://bkt/big/many.pcap"])
    a, inputs = inventory(p.stdout) if p.returncode == 0 else ([], [{}])
    want = {support.mac_text(0x020000000000 + i) for i in range(20000)} | {"ff:ff:ff:ff:ff:ff"}
    check("resets in every later part: exit 0, all 20,000 frames and their 20,001 addresses",
          p.returncode == 0 and inputs[0].get("frames") == 20000 and
          {x["address"] for x in a} == want, f"rc={p.returncode} {p.stderr[-300:]}")
    by_part = {}
    for method, _, headers, t in faults.log:
        if method == "GET" and "range" in headers:
            first_byte, last_byte = map(int, headers["range"].split("=")[1].split("-"))
            by_part.setdefault(last_byte, []).append((first_byte, t))
    starts = sorted(by_part)
    parts_ok = len(by_part) == 24 and all(
        [f for f, _ in by_part[last]] == ([0] if last < 65536 else
                                          [last - 65535 + k * 1000 for k in range(4)])
        for last in starts[:-1])
    check("each later part asked 4 times, each resuming 1000 bytes on; the first part once",
          parts_ok, str({k: [f for f, _ in v] for k, v in list(by_part.items())[:3]}))
    waits = [b - a for v in by_part.values() for (_, a), (_, b) in zip(v, v[1:])]
    check("after a reset that brought bytes, the backoff starts again: every wait in [0.1, 0.2] s",
          len(waits) == 69 and all(0.1 - 0.005 <= w <= 0.2 + SLACK for w in waits),
          f"{len(waits)} waits, max {max(waits, default=0):.3f} s")

    # 7. A part that never arrives (every attempt reset before its first byte): a clear error,
    # exit 3, and the addresses of the parts before it kept. The capture: 20,000 frames, each
    # from its own address, in 1.5 MB (24 parts of 64 KiB).
    faults.reset()
    faults.cut_after, faults.cuts, faults.cut_from = 0, 10**6, 10 * 65536
    p = run(["-f", "json", "--s3-part-size", "64KiB", "--s3-parts", "2", "s3://bkt/big/many.pcap"])
    a, inputs = inventory(p.stdout)
    check("endless resets: exit 3 with the input marked io_error",
          p.returncode == 3 and inputs[0]["status"] == "io_error", f"rc={p.returncode}")
    whole_frames = (10 * 65536 - 24) // 76  # records wholly inside the first ten parts
    check("endless resets: the frames of the first ten parts are kept",
          whole_frames <= inputs[0]["frames"] <= whole_frames + 1 and len(a) >= whole_frames,
          str(inputs[0]))
    check("endless resets: the message names the object and the byte",
          "s3://bkt/big/many.pcap" in p.stderr and "at byte 655360" in p.stderr, p.stderr)

    # 8. An object replaced mid-scan: 412 from If-Match, reported, not garbage.
    upstream.put("swap/many.pcap", many)
    faults.reset()
    faults.replace = (3, "swap/many.pcap", many[:-76])
    p = run(["-f", "json", "--s3-part-size", "64KiB", "--s3-parts", "1",
             "s3://bkt/swap/many.pcap"])
    faults.replace = None
    _, inputs = inventory(p.stdout)
    check("an object replaced mid-scan is an error (HTTP 412), exit 3",
          p.returncode == 3 and "changed during the scan" in p.stderr
          and inputs[0]["status"] == "io_error" and inputs[0]["frames"] > 0, p.stderr)

    # 9. --max-bytes is enforced before any body byte, by option and by environment.
    faults.reset()
    p = run(["--max-bytes", "10KB", "s3://bkt/reset/sample.pcapng"])
    check("--max-bytes refuses the object with sizes named, exit 3",
          p.returncode == 3 and "38940 bytes is over the limit of 10000 bytes" in p.stderr,
          p.stderr)
    check("--max-bytes: no GET was sent", not [e for e in faults.log if e[0] == "GET"])
    p = run(["s3://bkt/reset/sample.pcapng"], {"OUISCAN_MAX_BYTES": "1KiB"})
    check("OUISCAN_MAX_BYTES is honoured", p.returncode == 3 and "limit of 1024" in p.stderr)

    # 10. Clear one-line errors: missing key, missing bucket, missing credentials, wrong region,
    # denied. Local files and S3 objects mix in one run.
    p = run(["s3://bkt/no/such.pcap", os.path.join(data_dir, "sample.pcapng")])
    check("a missing key: one line naming it, the local file still scanned, exit 3",
          p.returncode == 3 and "s3://bkt/no/such.pcap: not found (HTTP 404" in p.stderr
          and "sample.pcapng: pcapng 38.9 KB, 170 frames, ok" in p.stderr, p.stderr)
    p = run(["s3://nosuchbucket/x.pcap"])
    check("a missing bucket: exit 3", p.returncode == 3 and "s3://nosuchbucket/x.pcap" in p.stderr)
    p = run(["s3://bkt/reset/sample.pcapng"],
            {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    check("missing credentials: exit 3 and says where they were sought",
          p.returncode == 3 and "no AWS credentials" in p.stderr, p.stderr)
    faults.region = "eu-west-1"
    p = run(["s3://bkt/reset/sample.pcapng"])
    faults.region = None
    check("a bucket in another region: says which", p.returncode == 3 and
          "in region eu-west-1, not us-east-1" in p.stderr, p.stderr)
    p = run(["s3://bkt/reset/sample.pcapng"], {"AWS_ACCESS_KEY_ID": "NOT-A-KEY"}, 
            f"http://127.0.0.1:{upstream.port}")
    check("denied (s3rver refuses an unknown key id): exit 3, access denied",
          p.returncode == 3 and "access denied (HTTP 403" in p.stderr, p.stderr)

    # 10b. --no-sign-request: no credentials needed, and no request carries a signature.
    faults.reset()
    p = run(["-q", "-f", "json", "--no-sign-request", "s3://bkt/sample/sample.pcapng"],
            {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    check("--no-sign-request: read without credentials, no Authorization on any request",
          p.returncode == 0 and json.loads(p.stdout)["summary"]["frames"] == 170 and
          faults.log and all("authorization" not in e[2] for e in faults.log),
          (p.returncode, p.stderr[-200:], [sorted(e[2]) for e in faults.log][:1]))
    p = run(["--no-sign-request", os.path.join(data_dir, "sample.pcapng")], endpoint=False)
    check("--no-sign-request without s3:// inputs: usage error", p.returncode == 2, p.stderr)

    # 11. Credentials from a shared credentials file and a named profile.
    os.makedirs(os.path.join(HOME, ".aws"), exist_ok=True)
    with open(os.path.join(HOME, ".aws", "credentials"), "w") as f:
        f.write(f"[forensics]\naws_access_key_id = S3RVER\naws_secret_access_key = {SECRET}\n")
    p = run(["s3://bkt/reset/sample.pcapng"], {"AWS_ACCESS_KEY_ID": None,
                                                "AWS_SECRET_ACCESS_KEY": None,
                                                "AWS_PROFILE": "forensics"})
    check("AWS_PROFILE reads ~/.aws/credentials", p.returncode == 0, p.stderr)

    # 12. --range of objects: each range fetched with its own ranged GETs, the merge of the
    # results equal to the scan of the local file (names aside). pcapng ranges read the blocks
    # before them, or with --headers just the blocks listed; a compressed object is refused.
    cases = [("sample/sample.pcapng", sample_path, [9000, 21000, 30000], [])]
    if CORPUS_USED:
        cases.append(("parts/mapi.pcap", mapi, [40000, 90000, 150000, 151000, 230000], []))
    cases.append(("sample/sample.pcapng", sample_path, [15000],
                  ["--headers", support.pcapng_header_index(sample_path)]))
    for key, path, cuts, extra in cases:
        whole = json.loads(run(["-q", "-f", "json", path], endpoint=False).stdout)
        edges = [0] + cuts + [None]
        results = []
        for i in range(len(edges) - 1):
            out = os.path.join(HOME, f"range-{i}.json")
            end = "" if edges[i + 1] is None else str(edges[i + 1])
            p = run(["-q", "-f", "json", "-o", out, "--range", f"{edges[i]}-{end}"] + extra +
                    [f"s3://bkt/{key}"])
            results.append(out)
        p = run(["merge", "-q", "-f", "json"] + results, {"AWS_ENDPOINT_URL": PROXY_URL},
                endpoint=False)
        merged = json.loads(p.stdout) if p.stdout else {"addresses": [], "summary": {}}
        totals = lambda d: {k: d["summary"].get(k) for k in ("frames", "wire_bytes", "link_types",
                                                               "anomalies", "identity")}
        ins = lambda d: [{k: v for k, v in i.items() if k != "name"}
                         for i in d["summary"].get("inputs", [])]
        check(f"s3://bkt/{key} in {len(cuts) + 1} ranges {' '.join(extra[:1])}: the merge equals "
              "the local scan", p.returncode == 0 and merged["addresses"] == whole["addresses"]
              and totals(merged) == totals(whole) and ins(merged) == ins(whole),
              (p.returncode, p.stderr[-300:], ins(merged), ins(whole)))
        if key == "sample/sample.pcapng" and not extra:
            # The same results read back from S3 by the merge.
            uris = []
            for i, out in enumerate(results):
                upstream.put(f"results/part-{i}.json", open(out, "rb").read())
                uris.append(f"s3://bkt/results/part-{i}.json")
            p = run(["merge", "-q", "-f", "json", "--s3-endpoint", PROXY_URL] + uris,
                    endpoint=False)
            again = json.loads(p.stdout) if p.returncode == 0 else {"addresses": None}
            check("the merge reads its results from s3:// objects",
                  again["addresses"] == merged["addresses"], (p.returncode, p.stderr[-300:]))

    # 13. ouiscan plan over a prefix: every object an item (these are under 1 MiB: whole), with
    # its bucket, key, size and ETag (S3's ETag of a single PUT is the body's MD5).
    upstream.put("plan/a.pcapng", sample)
    upstream.put("plan/b.pcap", open(mapi, "rb").read() if CORPUS_USED else sample)
    p = run(["plan", "--parts", "4", "--s3-endpoint", PROXY_URL, "s3://bkt/plan/"],
            endpoint=False)
    items = json.loads(p.stdout) if p.returncode == 0 else []
    bodies = {"plan/a.pcapng": sample,
              "plan/b.pcap": open(mapi, "rb").read() if CORPUS_USED else sample}
    check("plan of a prefix: one whole item per object with bucket, key, size and ETag",
          len(items) == 2 and all(
              i["bucket"] == "bkt" and i["input"] == f"s3://bkt/{i['key']}" and i["start"] == 0
              and i["end"] == i["size"] == len(bodies[i["key"]]) and
              i["etag"] == '"' + hashlib.md5(bodies[i["key"]]).hexdigest() + '"' for i in items),
          (p.returncode, p.stderr[-300:], items))

    # 13b. plan of one object big enough to cut: one HEAD, and of its body only the first
    # bytes are read (the format): the parts fetched meanwhile stop when the stream closes.
    big = many_sources_pcap(40000)  # 3 MB, one 16 MiB part by default
    upstream.put("plan/big.pcap", big)
    faults.reset()
    faults.trickle = (16384, 0.01)  # 3 MB would take 2 s
    p = run(["plan", "--parts", "4", "--s3-endpoint", PROXY_URL, "s3://bkt/plan/big.pcap"],
            endpoint=False)
    time.sleep(0.2)  # the proxy notices the closed connection
    faults.trickle = None
    items = json.loads(p.stdout) if p.returncode == 0 else []
    heads = [e for e in faults.log if e[0] == "HEAD"]
    mib = 1 << 20  # --parts 4 of 3 MB would be under 1 MiB each: ranges are at least 1 MiB
    check("plan of a 3 MB pcap object: 1 MiB ranges that tile it, each with the ETag",
          [(i["start"], i["end"]) for i in items] ==
          [(0, mib), (mib, 2 * mib), (2 * mib, len(big))] and
          all(i["etag"] == '"' + hashlib.md5(big).hexdigest() + '"' for i in items),
          (p.returncode, p.stderr[-300:], items))
    check("plan of one object: one HEAD, and far less than the object read (the stream stops)",
          len(heads) == 1 and faults.body_bytes_sent < len(big) // 4,
          (len(heads), faults.body_bytes_sent))

    credential_endpoints(upstream, faults, sample)
    direct_receive(upstream, faults)

    upstream.put("z/sample.pcapng.gz", gzip.compress(sample))
    p = run(["-q", "-f", "json", "--range", "0-1000", "s3://bkt/z/sample.pcapng.gz"])
    check("--range of a compressed object: refused, exit 3",
          p.returncode == 3 and "cannot be cut into ranges" in p.stderr, p.stderr)


def direct_receive(upstream, faults):
    """15. Part bodies are received from the socket straight into the part buffers, over HTTPS
    too (a CA of the test's own, verified); a server that ignores Range (200, the whole object)
    is asked again through libcurl; an HTTP/1.0 server that closes every connection is
    followed, without a stray request."""
    work = tempfile.mkdtemp(prefix="ouiscan-s3-tls-")
    support.make_test_ca(work)
    upstream.put("direct/many.pcap", many_sources_pcap(20000))  # 24 parts of 64 KiB
    want = {support.mac_text(0x020000000000 + i) for i in range(20000)} | {"ff:ff:ff:ff:ff:ff"}
    parts = ["-f", "json", "--s3-part-size", "64KiB", "--s3-parts", "3", "s3://bkt/direct/many.pcap"]
    ranged_gets = lambda: [e for e in faults.log if e[0] == "GET" and "range" in e[2]]

    def whole(p):
        a, inputs = inventory(p.stdout) if p.returncode == 0 else ([], [{}])
        return inputs[0].get("frames") == 20000 and {x["address"] for x in a} == want

    tls, tls_url = start_proxy(upstream, faults, tls=(f"{work}/server.pem", f"{work}/server.key"))
    old, old_url = start_proxy(upstream, faults, protocol="HTTP/1.0")
    try:
        faults.reset()
        p = run(["--ca-file", f"{work}/ca.pem"] + parts, endpoint=tls_url)
        check("HTTPS with the test's CA: all 20,000 frames and 20,001 addresses, in 24 GETs",
              whole(p) and len(ranged_gets()) == 24, (p.returncode, p.stderr[-300:], len(ranged_gets())))
        p = run(["--ca-file", f"{work}/other-ca.pem"] + parts, endpoint=tls_url)
        check("HTTPS with another CA: refused (certificate not trusted), nothing scanned",
              p.returncode != 0 and "certificate" in p.stderr and '"address"' not in p.stdout,
              (p.returncode, p.stderr[-300:]))
        faults.reset()
        faults.ignore_range = True
        p = run(parts)
        answers = len(ranged_gets())
        faults.ignore_range = False
        check("a server that ignores Range: the same inventory, each part asked once more (48 GETs)",
              whole(p) and answers == 48, (p.returncode, p.stderr[-300:], answers))
        faults.reset()
        p = run(parts, endpoint=old_url)
        check("HTTP/1.0, every connection closed after its reply: the same inventory in 24 GETs",
              whole(p) and len(ranged_gets()) == 24, (p.returncode, p.stderr[-300:], len(ranged_gets())))
    finally:
        tls.shutdown()
        old.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def credential_endpoints(upstream, faults, sample):
    """14. Credentials from the instance metadata service (IMDSv2) and the container endpoint,
    both emulated on loopback: the session token is required and sent, the AWS session token
    reaches S3, credentials are fetched again before they expire, and no secret is printed."""
    auth = "container-auth-never-in-any-log"
    emu = CredentialEndpoints("S3RVER", SECRET, auth)
    no_keys = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None,
               "AWS_EC2_METADATA_DISABLED": None}
    imds = dict(no_keys, AWS_EC2_METADATA_SERVICE_ENDPOINT=emu.url)
    upstream.put("creds/sample.pcapng", sample)
    upstream.put("creds/many.pcap", many_sources_pcap(20000))  # 1.5 MB: 24 parts of 64 KiB
    small_parts = ["--s3-part-size", "64KiB", "--s3-parts", "3"]
    signed_tokens = lambda: [e[2].get("x-amz-security-token") for e in faults.log]
    try:
        faults.reset()
        emu.reset()
        p = run(["-q", "-f", "json", "s3://bkt/creds/sample.pcapng"], imds,
                secrets=emu.secrets())
        frames = json.loads(p.stdout)["summary"]["frames"] if p.returncode == 0 else None
        check("IMDSv2: credentials of the instance's role read the object", frames == 170,
              (p.returncode, p.stderr[-300:], emu.log))
        check("IMDSv2: one token PUT, then the role and its credentials, each with the token "
              "(no request refused)",
              [(m, path) for m, path, _ in emu.log] ==
              [("PUT", "/latest/api/token"),
               ("GET", "/latest/meta-data/iam/security-credentials/"),
               ("GET", "/latest/meta-data/iam/security-credentials/scanner-role")] and
              all(status == 200 for _, _, status in emu.log), emu.log)
        check("IMDSv2: every S3 request carries the role's session token",
              faults.log and set(signed_tokens()) == {"session-1-never-in-any-log"},
              set(signed_tokens()))

        # Credentials valid for an hour: fetched once for a run of many requests.
        faults.reset()
        emu.reset(lifetime=3600)
        p = run(["-q", "-f", "json"] + small_parts + ["s3://bkt/creds/many.pcap"], imds,
                secrets=emu.secrets())
        gets = [e for e in faults.log if e[0] == "GET"]
        check("credentials far from expiry: fetched once for all of the run's requests",
              p.returncode == 0 and len(gets) >= 20 and len(emu.sessions) == 1,
              (p.returncode, len(gets), len(emu.sessions), p.stderr[-200:]))
        # Credentials within five minutes of expiry: fetched again before each request, which
        # is then signed with the newest ones.
        faults.reset()
        emu.reset(lifetime=120)
        p = run(["-q", "-f", "json"] + small_parts + ["s3://bkt/creds/many.pcap"], imds,
                secrets=emu.secrets())
        used = signed_tokens()
        check("credentials near expiry: fetched again, and requests signed with fresh ones",
              p.returncode == 0 and len(emu.sessions) > len(faults.log) // 2 and
              len(set(used)) > 1 and set(used) <= set(emu.sessions),
              (p.returncode, len(emu.sessions), len(faults.log), len(set(used))))
        emu.reset(lifetime=-60)
        p = run(["s3://bkt/creds/sample.pcapng"], imds, secrets=emu.secrets())
        check("credentials that have already expired: exit 3, said",
              p.returncode == 3 and "have already expired" in p.stderr, p.stderr)

        # No token, no credentials: an instance that refuses the token PUT.
        emu.reset(refuse_tokens=True)
        p = run(["s3://bkt/creds/sample.pcapng"], imds, secrets=emu.secrets())
        check("IMDSv2 token refused: exit 3, names the endpoint and the status",
              p.returncode == 3 and "no AWS credentials" in p.stderr and
              f"instance metadata at {emu.url}: no IMDSv2 session token (HTTP 403)" in p.stderr
              and not [e for e in emu.log if e[0] == "GET"], (p.stderr, emu.log))
        emu.reset()
        p = run(["s3://bkt/creds/sample.pcapng"], dict(imds, AWS_EC2_METADATA_DISABLED="true"))
        check("AWS_EC2_METADATA_DISABLED=true: the service is not asked",
              p.returncode == 3 and "no AWS credentials" in p.stderr and not emu.log,
              (p.stderr, emu.log))

        # The container endpoint, with the authorization token from the environment or a file
        # (which rotates, so it is read at each fetch). It is asked instead of the instance.
        token_file = os.path.join(HOME, "container-token")
        with open(token_file, "w") as f:
            f.write(auth + "\n")
        full = dict(imds, AWS_CONTAINER_CREDENTIALS_FULL_URI=emu.url + "/container/creds")
        for how, extra in (("token", {"AWS_CONTAINER_AUTHORIZATION_TOKEN": auth}),
                           ("token file", {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file})):
            faults.reset()
            emu.reset()
            p = run(["-q", "-f", "json", "s3://bkt/creds/sample.pcapng"], dict(full, **extra),
                    secrets=emu.secrets())
            check(f"container credentials ({how}): read the object, signed with their token, "
                  "instance metadata not asked",
                  p.returncode == 0 and emu.log == [("GET", "/container/creds", 200)] and
                  set(signed_tokens()) == {"session-1-never-in-any-log"},
                  (p.returncode, p.stderr[-200:], emu.log))
        emu.reset()
        p = run(["s3://bkt/creds/sample.pcapng"],
                dict(full, AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong-never-in-any-log"),
                secrets=emu.secrets() + ["wrong-never-in-any-log"])
        check("container endpoint refusing the token: exit 3, names it, the instance not asked",
              p.returncode == 3 and
              f"the container credentials endpoint {emu.url}: HTTP 401" in p.stderr and
              emu.log == [("GET", "/container/creds", 401)], (p.stderr, emu.log))
        p = run(["s3://bkt/creds/sample.pcapng"],
                dict(no_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1/creds"))
        check("container endpoint over plain http off loopback: refused before any request",
              p.returncode == 3 and "must be https://" in p.stderr, p.stderr)
    finally:
        emu.shutdown()


if __name__ == "__main__":
    sys.exit(main())
