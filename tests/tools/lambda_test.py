#!/usr/bin/env python3
"""The Lambda function end to end: the packaged bootstrap (unzipped from ouiscan-lambda.zip, run
with a clean environment) against a Lambda Runtime API server written here (the protocol is
small and documented) and s3rver behind the fault-injecting proxy (s3_fixture).

Usage: lambda_test.py OUISCAN LAMBDA_ZIP REPO_DIR
Expected results come from ouiscan's scan of the same capture as a local file.
"""
import http.server
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile

import support
from s3_fixture import Faults, Upstream, many_sources_pcap, start_proxy

OUISCAN, ZIP, REPO = sys.argv[1], sys.argv[2], sys.argv[3]
SECRET = "lambda-s3cr3t-never-logged"
TOKEN = "session-token-never-logged"
check = support.Checks()



class RuntimeApi(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RuntimeHandler)
        self.events = queue.Queue()   # (request_id, deadline_ms, body)
        self.answers = {}             # request_id -> (kind, error_type, body)
        self.init_errors = []
        self.cv = threading.Condition()
        self.next_failures = 0        # answer the next N /next polls with HTTP 500
        self.next_500s = 0            # ... how many were answered so
        self.reject_responses = []    # statuses for the next response posts (e.g. 413)
        self.rejected = []            # (request_id, status, bytes) of the responses refused
        self.gone = False             # answer every /next with 500 from now on

    def invoke(self, body, deadline_s=60.0, timeout=120):
        request_id = f"req-{time.monotonic_ns()}"
        self.events.put((request_id, int((time.time() + deadline_s) * 1000), body))
        with self.cv:
            self.cv.wait_for(lambda: request_id in self.answers, timeout=timeout)
        return self.answers.get(request_id, ("timeout", "", b""))


class RuntimeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self.answer(404, b"{}")
        with self.server.cv:
            failing = self.server.gone or self.server.next_failures > 0
            if failing and not self.server.gone:
                self.server.next_failures -= 1
                self.server.next_500s += 1
        if failing:
            return self.answer(500, b'{"errorType":"ServiceError"}')
        event = self.server.events.get()
        if event is None:  # the API goes away while the function waits
            return self.answer(500, b'{"errorType":"ServiceError"}')
        request_id, deadline, body = event
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                         "arn:aws:lambda:us-east-1:123456789012:function:ouiscan")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = self.path.split("/")
        with self.server.cv:
            if self.path == "/2018-06-01/runtime/init/error":
                self.server.init_errors.append(body)
            elif len(parts) == 6 and parts[5] == "response" and self.server.reject_responses:
                status = self.server.reject_responses.pop(0)
                self.server.rejected.append((parts[4], status, len(body)))
                return self.answer(status, b'{"errorType":"RequestEntityTooLarge"}')
            elif len(parts) == 6 and parts[5] in ("response", "error"):
                self.server.answers[parts[4]] = (
                    parts[5], self.headers.get("Lambda-Runtime-Function-Error-Type", ""), body)
            self.server.cv.notify_all()
        self.answer(202, b'{"status":"OK"}')

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def s3_event(bucket, key):
    """An S3 event notification as S3 sends it: the key URL-encoded, '+' for a space."""
    return json.dumps({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-26T10:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "ouiscan",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": 1,
                          "eTag": "x", "sequencer": "0"}}}]}).encode()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    work = tempfile.mkdtemp(prefix="ouiscan-lambda-test-")
    task = os.path.join(work, "task")
    with zipfile.ZipFile(ZIP) as z:
        z.extractall(task)
        for info in z.infolist():  # extractall drops the permission bits
            os.chmod(os.path.join(task, info.filename), (info.external_attr >> 16) & 0o777)
    check("the package has bootstrap, the binary, the loader and a CA bundle",
          all(os.path.exists(os.path.join(task, p)) for p in
              ("bootstrap", "bin/ouiscan-lambda", "ca-bundle.crt")) and
          any(n.startswith("ld-linux") for n in os.listdir(os.path.join(task, "lib"))))
    upstream = Upstream(work, REPO)
    faults = Faults()
    proxy, proxy_url = start_proxy(upstream, faults)
    api = RuntimeApi()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = {"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}",
           "LAMBDA_TASK_ROOT": task, "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_SESSION_TOKEN": TOKEN, "AWS_ENDPOINT_URL_S3": proxy_url,
           "OUISCAN_MAX_BYTES": "2MB", "OUISCAN_S3_PART_BYTES": "64KiB",
           "OUISCAN_DEADLINE_MARGIN_MS": "2500", "OUISCAN_OUTPUT_URI": "s3://bkt/results/"}
    if any(n.startswith("libasan") for n in os.listdir(os.path.join(task, "lib"))):
        # A sanitizer build: no quarantine, so that resident memory measures real growth.
        env["ASAN_OPTIONS"] = "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    out_path, err_path = os.path.join(work, "stdout"), os.path.join(work, "stderr")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        fn = subprocess.Popen([os.path.join(task, "bootstrap")], env=env, stdout=out, stderr=err,
                              cwd=task)
    try:
        tests(api, upstream, faults, fn)
        # The Runtime API goes away: the function gives up after its retries and says why.
        api.gone = True
        api.events.put(None)
        try:
            rc = fn.wait(timeout=60)
        except subprocess.TimeoutExpired:
            rc = None
        check("Runtime API gone: exit 1 after the retries, said on stderr",
              rc == 1 and "the Runtime API stopped answering" in open(err_path).read(), str(rc))
    finally:
        fn.kill()
        fn.wait()
        proxy.shutdown()
        api.shutdown()
        upstream.stop()
    logs = open(out_path).read() + open(err_path).read()
    check("no secret or session token in the function's logs",
          SECRET not in logs and TOKEN not in logs)
    lines = [json.loads(l) for l in open(out_path).read().splitlines() if l.startswith("{")]
    check("one structured log line per object, with requestId, uri and status",
          len(lines) >= 100 and all({"requestId", "uri", "status", "level"} <= set(l) or
                                    l.get("errorType") in ("InvalidEvent", "ResponseRejected")
                                    for l in lines), str(lines[:2]))
    rejected = [l for l in lines if l.get("errorType") == "ResponseRejected"]
    check("the refused response is logged once, with its request id and status",
          len(rejected) == 1 and rejected[0]["requestId"] == api.rejected[0][0] and
          "HTTP 413" in rejected[0]["message"], str(rejected))
    shutil.rmtree(work, ignore_errors=True)
    return check.done()


def local_scan(path):
    p = subprocess.run([OUISCAN, "-q", "-f", "json", path], capture_output=True, text=True)
    return json.loads(p.stdout)


def tests(api, upstream, faults, fn):
    data = os.path.join(REPO, "tests", "data")
    sample_path = os.path.join(data, "sample.pcapng")
    sample = open(sample_path, "rb").read()
    key = "captures/edge router+1=%.pcapng"
    upstream.put(key, sample)
    expected = local_scan(sample_path)

    # An S3 notification, EventBridge and direct invocations, each equal to the local scan.
    kind, _, body = api.invoke(s3_event("bkt", key))
    doc = json.loads(body) if kind == "response" else {}
    obj = (doc.get("objects") or [{}])[0]
    check("S3 event (URL-encoded key): a response", kind == "response", body[:300])
    check("S3 event: the inventory equals the local scan",
          obj.get("uri") == f"s3://bkt/{key}" and obj.get("status") == "ok" and
          obj.get("result", {}).get("addresses") == expected["addresses"], str(obj)[:300])
    check("S3 event: the full result was written to OUISCAN_OUTPUT_URI",
          obj.get("result_uri") == f"s3://bkt/results/{key}.ouiscan.json" and
          json.loads(upstream.request("GET", "/bkt/results/" + urllib.parse.quote(key) +
                                      ".ouiscan.json")[2])["addresses"] == expected["addresses"])
    bridge = json.dumps({"version": "0", "source": "aws.s3", "detail-type": "Object Created",
                         "detail": {"bucket": {"name": "bkt"}, "object": {"key": key}}}).encode()
    kind, _, body = api.invoke(bridge)
    check("EventBridge Object Created: the same inventory", kind == "response" and
          json.loads(body)["objects"][0]["result"]["addresses"] == expected["addresses"])
    for form, event in (("{uri}", {"uri": f"s3://bkt/{key}"}),
                        ("{bucket, key}", {"bucket": "bkt", "key": key})):
        kind, _, body = api.invoke(json.dumps(event).encode())
        doc = json.loads(body) if kind == "response" else {}
        objs = doc.get("objects") or [{}]
        result = objs[0].get("result", {})
        check(f"direct {form}: one object, ok, the local scan's inventory and summary",
              kind == "response" and len(objs) == 1 and objs[0].get("uri") == f"s3://bkt/{key}"
              and objs[0].get("status") == "ok" and doc.get("complete") is True and
              result.get("addresses") == expected["addresses"] and
              result["summary"]["frames"] == 170, str(doc)[:300])
        check(f"direct {form}: the summary names its database (embedded, the local scan's "
              "snapshot)", result["summary"]["database"] == {
                  "source": "embedded", "snapshot": expected["summary"]["database"]["snapshot"]},
              str(result["summary"].get("database")))
        # The independent answer: tshark's sets for the sample (tests/data/*.macs).
        frame, arp = support.address_sets(result)
        check(f"direct {form}: tshark's link-layer and ARP address sets",
              (frame, arp) == (support.read_set(sample_path + ".macs"),
                               support.read_set(sample_path + ".arp.macs")),
              str(frame ^ support.read_set(sample_path + ".macs")))

    # Runtime API faults: a /next that fails three times, then works; a response refused.
    api.next_failures = 3
    kind, _, body = api.invoke(json.dumps({"uri": f"s3://bkt/{key}"}).encode())
    kind, _, body = api.invoke(json.dumps({"uri": f"s3://bkt/{key}"}).encode())
    check("/next answered 500 three times: retried, the next invocation answered",
          api.next_500s == 3 and kind == "response", f"{api.next_500s} {kind}")
    api.reject_responses = [413]
    kind, etype, body = api.invoke(json.dumps({"uri": f"s3://bkt/{key}"}).encode(), timeout=20)
    check("a response refused (HTTP 413): answered as a ResponseRejected error naming the status",
          len(api.rejected) == 1 and kind == "error" and etype == "ResponseRejected" and
          "HTTP 413" in json.loads(body)["errorMessage"], f"{api.rejected} {kind} {body[:200]}")
    kind, _, _ = api.invoke(json.dumps({"uri": f"s3://bkt/{key}"}).encode())
    check("... and the loop goes on", kind == "response")

    # Bad events and objects: error answers with a clear type; the loop goes on.
    kind, etype, body = api.invoke(b'{"Records": [oops')
    check("malformed event: InvalidEvent", kind == "error" and etype == "InvalidEvent" and
          json.loads(body)["errorType"] == "InvalidEvent", body)
    kind, etype, body = api.invoke(json.dumps({"hello": "world"}).encode())
    check("an event naming no object: InvalidEvent", etype == "InvalidEvent", body)
    kind, etype, body = api.invoke(s3_event("bkt", "captures/missing.pcap"))
    check("missing key: ObjectNotFound naming it", kind == "error" and etype == "ObjectNotFound"
          and "s3://bkt/captures/missing.pcap" in json.loads(body)["errorMessage"], body[:300])
    many = many_sources_pcap(20000)
    upstream.put("big/many.pcap", many)
    upstream.put("big/huge.pcap", many + many)
    kind, etype, body = api.invoke(s3_event("bkt", "big/huge.pcap"))
    check("over OUISCAN_MAX_BYTES: ObjectTooLarge with both sizes", etype == "ObjectTooLarge" and
          "3040048 bytes is over the limit of 2000000" in json.loads(body)["errorMessage"], body)
    upstream.put("captures/cut.pcapng", sample[:20000])
    kind, etype, body = api.invoke(s3_event("bkt", "captures/cut.pcapng"))
    obj = json.loads(body)["objects"][0] if kind == "response" else {}
    check("a capture cut short (a killed tcpdump): a response, status truncated, records kept",
          obj.get("status") == "truncated" and obj["result"]["summary"]["frames"] > 0, body[:300])
    bad = 24 + 100 * 76 + 8  # record 101's captured length
    upstream.put("captures/corrupt.pcap", many[:bad] + b"\xf0\xff\xff\x7f" + many[bad + 4:])
    kind, etype, body = api.invoke(s3_event("bkt", "captures/corrupt.pcap"))
    err = json.loads(body) if body else {}
    check("damaged capture: DamagedCapture, with the partial result attached",
          etype == "DamagedCapture" and err.get("objects", [{}])[0].get("status") == "damaged"
          and err["objects"][0]["result"]["summary"]["frames"] == 100, body[:300])

    # Over 6 MB of JSON (20,000 addresses): summaries only, said so; the full result in S3.
    kind, _, body = api.invoke(s3_event("bkt", "big/many.pcap"))
    doc = json.loads(body)
    check("a result over 6 MB: truncated, addresses omitted and counted, under the limit",
          kind == "response" and doc["truncated"] is True and len(body) < 6 * 1024 * 1024 and
          doc["objects"][0]["addresses_omitted"] == 20001 and "note" in doc, str(doc)[:300])

    # A deadline that expires mid-scan: a partial answer that says so, before the deadline.
    # The 24 parts of 64 KiB take 0.5 s each, 4 at a time: 3 s; reading stops 2.5 s before
    # the 4 s deadline.
    faults.delay = 0.5
    start = time.time()
    kind, _, body = api.invoke(s3_event("bkt", "big/many.pcap"), deadline_s=4.0)
    took = time.time() - start
    faults.delay = 0
    doc = json.loads(body) if kind == "response" else {}
    obj = (doc.get("objects") or [{}])[0]
    check("deadline mid-scan: answered before the deadline", took < 4.0, f"{took:.2f} s")
    check("deadline mid-scan: partial, flagged, with what was found",
          doc.get("complete") is False and obj.get("status") == "stopped" and
          0 < obj["result"]["summary"]["frames"] < 20000, str(obj)[:300])

    # 100 invocations: no crash, no growth in memory.
    direct = json.dumps({"uri": f"s3://bkt/{key}"}).encode()
    rss = []
    ok = 0
    for i in range(100):
        kind, _, body = api.invoke(direct)
        ok += kind == "response"
        if i in (9, 99):
            rss.append(rss_kb(fn.pid))
    check("100 invocations in a row all answered", ok == 100 and fn.poll() is None, f"{ok}")
    check("memory does not grow over 90 invocations (< 4 MB)", rss[1] - rss[0] < 4096, str(rss))
    check("no init error", not api.init_errors, str(api.init_errors))

    step_functions_contract(api, upstream)


def step_functions_contract(api, upstream):
    """The Distributed Map's contract, driven as Step Functions drives it: a plan request, one
    invocation per item and per batch (ItemBatcher's Items), a ResultWriter-shaped manifest, and
    a merge that must equal the local scan of the same bytes; then a failed item, which the
    merge reports as missing."""
    big = many_sources_pcap(25000)  # 1.9 MB: two items of 1 MiB
    upstream.put("sf/big.pcap", big)
    local = os.path.join(tempfile.mkdtemp(prefix="ouiscan-sf-"), "big.pcap")
    open(local, "wb").write(big)
    expected = local_scan(local)
    kind, _, body = api.invoke(json.dumps(
        {"plan": {"inputs": ["s3://bkt/sf/"], "part_size": 1 << 20}}).encode())
    plan = json.loads(body) if kind == "response" else {}
    status, _, text = upstream.request("GET", f"/{plan.get('bucket')}/{plan.get('key')}")
    items = json.loads(text) if status == 200 else []
    check("plan request: the items written to S3, their bucket and key answered",
          plan.get("count") == 2 and len(items) == 2 and items[0]["start"] == 0 and
          items[1]["end"] == len(big) and items[0]["end"] == items[1]["start"] and
          all(i["bucket"] == "bkt" and i["key"] == "sf/big.pcap" for i in items),
          (kind, body[:300], items))
    outputs = []
    kind, _, one = api.invoke(json.dumps(items[0]).encode())
    outputs.append((items[0], one))
    batch = {"Items": items[1:], "BatchInput": {"run": "test"}}
    kind2, _, many = api.invoke(json.dumps(batch).encode())
    outputs.append((batch, many))
    first, rest = json.loads(one or b"{}"), json.loads(many or b"{}")
    check("a range item and a batch: answered within a state's 256 KB, results inline or in S3",
          kind == kind2 == "response" and len(one) < 262144 and len(many) < 262144 and
          ("result" in first or "result_uri" in first) and len(rest.get("results", [])) == 1,
          (kind, kind2, one[:200], many[:200]))

    def manifest(name, succeeded, failed):
        files = {"SUCCEEDED": [], "FAILED": [], "PENDING": []}
        for status, entries in (("SUCCEEDED", succeeded), ("FAILED", failed)):
            if not entries:
                continue
            rows = [{"ExecutionArn": f"arn:aws:states:us-east-1:123456789012:execution:x:{k}",
                     "Input": json.dumps(i), "InputDetails": {"Included": True},
                     "Name": str(k), "Status": status,
                     **({"Output": o.decode(), "OutputDetails": {"Included": True}}
                        if status == "SUCCEEDED" else
                        {"Error": "States.TaskFailed", "Cause": "injected"})}
                    for k, (i, o) in enumerate(entries)]
            key = f"mr/{name}/{status}_0.json"
            data = json.dumps(rows).encode()
            upstream.put(key, data)
            files[status].append({"Key": key, "Size": len(data)})
        upstream.put(f"mr/{name}/manifest.json", json.dumps(
            {"DestinationBucket": "bkt", "MapRunArn": "arn:aws:states:us-east-1:123456789012:"
             "mapRun:ouiscan/Map:1", "ResultFiles": files}).encode())
        return f"s3://bkt/mr/{name}/manifest.json"

    def merged(uri):
        kind, _, body = api.invoke(json.dumps({"merge": {"manifest": uri}}).encode())
        answer = json.loads(body) if kind == "response" else {}
        doc = {}
        if answer.get("result_uri", "").startswith("s3://bkt/"):
            status, _, text = upstream.request("GET", "/bkt/" + answer["result_uri"][9:])
            doc = json.loads(text) if status == 200 else {}
        return answer, doc

    answer, doc = merged(manifest("all", outputs, []))
    same = lambda d: (d.get("addresses"), {k: d.get("summary", {}).get(k) for k in
                                           ("frames", "wire_bytes", "link_types")})
    check("merge of a ResultWriter manifest equals the local scan of the same capture",
          answer.get("complete") is True and same(doc) == same(expected) and
          doc["summary"]["inputs"][0]["records"] == 25000 and
          doc["summary"]["inputs"][0]["status"] == "ok", (answer, same(doc)[1]))
    answer, doc = merged(manifest("one-failed", outputs[:1], [outputs[1]]))
    inputs = doc.get("summary", {}).get("inputs", [{}])
    check("a failed item: the merge says so and reports its bytes as missing (range_gap)",
          answer.get("complete") is False and
          any("did not finish" in p for p in answer.get("problems", [])) and
          inputs[0].get("error", {}).get("code") == "range_gap" and
          len(doc.get("addresses", [])) < len(expected["addresses"]), (answer, inputs))


if __name__ == "__main__":
    sys.exit(main())
