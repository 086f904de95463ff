"""Test fixtures shared by the S3 and Lambda tests: s3rver (a real S3-compatible server, from
npm) on 127.0.0.1, and a small proxy of our own in front of it that injects faults and adds what
s3rver lacks (If-Match)."""
import http.client
import http.server
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

import support


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("s3rver exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("s3rver did not start")


class Upstream:
    """s3rver, with anonymous PUT/HEAD for setting up objects."""

    def __init__(self, workdir, repo):
        binary = os.path.join(repo, "node_modules", ".bin", "s3rver")
        if not os.path.exists(binary):
            print(f"s3rver not installed ({binary}); run `npm ci` in {repo} (tools/build.sh does)")
            sys.exit(1)
        self.port = free_port()
        # s3rver 3.7.1 makes continuation tokens with DES, which Node 20's OpenSSL 3 keeps in
        # its legacy provider.
        env = dict(os.environ, NODE_OPTIONS="--openssl-legacy-provider")
        self.proc = subprocess.Popen(
            [binary, "-d", os.path.join(workdir, "s3rver"), "-a", "127.0.0.1", "-p",
             str(self.port), "-s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_for_port(self.port, self.proc)
        self.request("PUT", "/bkt")

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def put(self, key, data):
        status, _, _ = self.request("PUT", "/bkt/" + urllib.parse.quote(key, safe="/"), data)
        assert status == 200, (key, status)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.log = []                # (method, path, headers) of every request
        self.unavailable = 0         # answer the next N requests with 503 SlowDown
        self.cut_after = None        # send only this many body bytes of ranged GETs, then RST
        self.cuts = 0                # ... for the next N ranged GETs (a big N: always)
        self.cut_from = 0            # ... whose range starts at or after this offset
        self.cut_each_part = 0       # or: cut every part (a range's last byte) this many times
        self.part_cuts = {}          # ... the cuts made so far, by the range's last byte
        self.replace = None          # (after_n_gets, key, new_bytes): swap the object mid-scan
        self.gets = 0
        self.region = None           # answer every request as S3 does for a bucket elsewhere
        self.delay = 0.0             # seconds to wait before answering each GET
        self.ignore_range = False    # answer a ranged GET with the whole object (200)
        self.trickle = None          # (bytes, seconds): send GET bodies slowly, this much a time
        self.body_bytes_sent = 0     # GET body bytes written (counted while trickling)


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True


def make_handler(upstream, faults, protocol):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = protocol

        def log_message(self, *args):
            pass

        def reply(self, status, headers, body=b""):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if not faults.trickle:
                self.wfile.write(body)
                return
            step, pause = faults.trickle
            try:
                for at in range(0, len(body), step):
                    self.wfile.write(body[at:at + step])
                    with faults.lock:
                        faults.body_bytes_sent += len(body[at:at + step])
                    time.sleep(pause)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client went away: no more bytes for it

        def error_xml(self, status, code, message, extra=None):
            body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
                    f"<Message>{message}</Message></Error>").encode()
            self.reply(status, dict({"Content-Type": "application/xml"}, **(extra or {})), body)

        def handle_any(self):
            headers = {k.lower(): v for k, v in self.headers.items()}
            with faults.lock:
                faults.log.append((self.command, self.path, headers, time.time()))
                unavailable = faults.unavailable > 0
                if unavailable:
                    faults.unavailable -= 1
                region = faults.region
            if region:
                return self.error_xml(301, "PermanentRedirect", "use the right endpoint",
                                      {"x-amz-bucket-region": region})
            if unavailable:
                return self.error_xml(503, "SlowDown", "Please reduce your request rate.")
            if self.command == "PUT":
                length = int(self.headers.get("Content-Length", "0"))
                status, h, body = upstream.request("PUT", self.path, self.rfile.read(length))
                return self.reply(status, {k: v for k, v in h.items() if k == "etag"}, body)
            if self.command == "GET" and faults.delay > 0:
                time.sleep(faults.delay)
            path = self.path
            if self.command == "GET" and "if-match" in headers:
                status, h, _ = upstream.request("HEAD", path.split("?")[0])
                if status == 200 and h.get("etag") != headers["if-match"]:
                    return self.error_xml(412, "PreconditionFailed",
                                          "At least one of the pre-conditions you specified did not hold")
            forward = {k: v for k, v in headers.items()
                       if k in ("range",) and not faults.ignore_range}
            status, h, body = upstream.request(self.command, path, None, forward)
            out_headers = {k: v for k, v in h.items()
                           if k in ("etag", "content-range", "content-type", "last-modified",
                                    "accept-ranges")}
            with faults.lock:
                cut = None
                start = int(headers.get("range", "bytes=0-").split("=")[1].split("-")[0] or 0)
                ranged = self.command == "GET" and "range" in headers and \
                    faults.cut_after is not None and status in (200, 206) and \
                    start >= faults.cut_from
                last = headers.get("range", "").rpartition("-")[2]
                if ranged and faults.cuts > 0:
                    faults.cuts -= 1
                    cut = faults.cut_after
                elif ranged and faults.part_cuts.get(last, 0) < faults.cut_each_part:
                    faults.part_cuts[last] = faults.part_cuts.get(last, 0) + 1
                    cut = faults.cut_after
                if self.command == "GET" and status in (200, 206):
                    faults.gets += 1
                    if faults.replace and faults.gets == faults.replace[0]:
                        _, key, data = faults.replace
                        upstream.put(key, data)
            if self.command == "HEAD":
                # s3rver's HEAD carries the object's length; keep it.
                self.send_response(status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", h.get("content-length", "0"))
                self.end_headers()
                return
            if cut is not None:
                self.send_response(status)
                for k, v in out_headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                # Sent at once (no Nagle delay) and given time to arrive: an abortive close
                # discards whatever is still in the send queue, which would make the cut
                # land at a different byte by chance.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.end_headers()
                self.wfile.write(body[:cut])
                self.wfile.flush()
                time.sleep(0.02)
                # An abortive close: the client sees a reset in the middle of the body.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            self.reply(status, out_headers, body)

        do_GET = handle_any
        do_HEAD = handle_any
        do_PUT = handle_any

    return Handler




def start_proxy(upstream, faults, tls=None, protocol="HTTP/1.1"):
    """The fault-injecting proxy on a free port; returns (server, url). tls: (certificate, key)
    to serve HTTPS; protocol: "HTTP/1.0" closes every connection after its reply."""
    proxy = Proxy(("127.0.0.1", 0), make_handler(upstream, faults, protocol))
    scheme = "http"
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        proxy.socket = context.wrap_socket(proxy.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    return proxy, f"{scheme}://127.0.0.1:{proxy.server_address[1]}"


def many_sources_pcap(n):
    """A pcap of n 60-byte Ethernet frames (76 bytes a record after the 24-byte header), frame i
    sent by 02:00:00:00:00:00 + i: the addresses recovered count the records recovered."""
    return support.pcap([(1, i, b"\xff" * 6 + struct.pack(">HI", 0x0200, i) + b"\x08\x00" +
                          b"\0" * 46) for i in range(n)])


class CredentialEndpoints(http.server.ThreadingHTTPServer):
    """The EC2 instance metadata service (IMDSv2 only: a session token from PUT
    /latest/api/token is required on every GET, as on instances with HttpTokens=required) and a
    container credentials endpoint (/container/creds, Authorization required), on 127.0.0.1.
    Each fetch hands out a new session token, valid for `lifetime` seconds."""

    daemon_threads = True

    def __init__(self, key_id, secret, auth_token):
        super().__init__(("127.0.0.1", 0), CredentialHandler)
        self.key_id, self.secret, self.auth_token = key_id, secret, auth_token
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.lock = threading.Lock()
        self.reset()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def reset(self, lifetime=3600, refuse_tokens=False):
        with self.lock:
            self.lifetime = lifetime
            self.refuse_tokens = refuse_tokens
            self.log = []           # (method, path, status)
            self.tokens = []        # IMDSv2 session tokens issued
            self.sessions = []      # AWS session tokens issued, in order

    def secrets(self):
        with self.lock:
            return [self.secret, self.auth_token] + self.tokens + self.sessions

    def document(self):
        with self.lock:
            token = f"session-{len(self.sessions) + 1}-never-in-any-log"
            self.sessions.append(token)
            expires = time.gmtime(time.time() + self.lifetime)
        return json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": self.key_id,
                           "SecretAccessKey": self.secret, "Token": token,
                           "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", expires)}).encode()


class CredentialHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        with self.server.lock:
            self.server.log.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        s = self.server
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if self.path != "/latest/api/token":
            return self.answer(404)
        if s.refuse_tokens or self.headers.get("X-Forwarded-For"):
            return self.answer(403)
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.answer(400)
        with s.lock:
            token = f"imds-{len(s.tokens) + 1}-never-in-any-log"
            s.tokens.append(token)
        self.answer(200, token.encode())

    def do_GET(self):
        s = self.server
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != s.auth_token:
                return self.answer(401)
            return self.answer(200, s.document())
        with s.lock:
            valid = self.headers.get("X-aws-ec2-metadata-token") in s.tokens
        if not valid:
            return self.answer(401)
        if self.path == base:
            return self.answer(200, b"scanner-role\n")
        if self.path == base + "scanner-role":
            return self.answer(200, s.document())
        self.answer(404)
