"""What the Python end-to-end tests share: the pass/fail tally, capture writing, the IEEE
registries read straight from their CSVs, and running ouiscan.

Expected values never come from ouiscan itself: they come from the bytes written here, the IEEE
CSVs, or tcpdump/tshark run on the same files.
"""
import csv
import functools
import hashlib
import html
import io
import json
import os
import struct
import subprocess
import sys

SKIP = 77  # ctest's SKIP_RETURN_CODE for these tests (tests/CMakeLists.txt)


class Checks:
    """Counts checks; done() prints the tally and gives the exit code."""

    def __init__(self):
        self.passed = 0
        self.failed = []

    def __call__(self, what, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok else f"  {str(detail)[:2000]}"))
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
        return ok

    def done(self):
        print(f"{self.passed} passed, {len(self.failed)} failed")
        return 1 if self.failed else 0


def skip(why):
    """Ends the test as skipped (ctest shows it as such, and CI fails on any skip)."""
    print(f"SKIP: {why}")
    sys.exit(SKIP)


# --- captures -------------------------------------------------------------------------------

def mac_bytes(text):
    return bytes.fromhex(text.replace(":", ""))


def mac_text(v):
    return ":".join(f"{(v >> (8 * i)) & 0xFF:02x}" for i in range(5, -1, -1))


def ether(dst, src, ethertype=0x0800, payload=b""):
    """An Ethernet II frame, padded to the 60-byte minimum."""
    frame = mac_bytes(dst) + mac_bytes(src) + struct.pack(">H", ethertype) + payload
    return frame + bytes(max(0, 60 - len(frame)))


def arp(op, sender_mac, sender_ip, target_mac, target_ip):
    """An ARP payload for Ethernet/IPv4 (RFC 826)."""
    ip = lambda t: bytes(int(x) for x in t.split("."))
    return (struct.pack(">HHBBH", 1, 0x0800, 6, 4, op) + mac_bytes(sender_mac) + ip(sender_ip) +
            mac_bytes(target_mac) + ip(target_ip))


def pcap(records, linktype=1, nanoseconds=False, big_endian=False, version=(2, 4),
         magic=None, record_extra=b""):
    """A pcap file of (seconds, fraction, frame) records. magic/record_extra make variants:
    0xA1B2CD34 with 8 extra header bytes is the Kuznetzov ("modified") format."""
    e = ">" if big_endian else "<"
    if magic is None:
        magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
    out = bytearray(struct.pack(e + "IHHiIII", magic, version[0], version[1], 0, 0, 65535,
                                linktype))
    for sec, frac, frame in records:
        out += struct.pack(e + "IIII", sec, frac, len(frame), len(frame)) + record_extra + frame
    return bytes(out)


def pcapng(records, linktype=1):
    """A little-endian pcapng file: one section, one interface (microseconds), one EPB per
    (timestamp in microseconds, frame)."""
    shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
    idb = struct.pack("<IIHHI", 1, 20, linktype, 0, 65535) + struct.pack("<I", 20)
    out = bytearray(shb + idb)
    for ts, frame in records:
        pad = bytes(-len(frame) % 4)
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame))
        total = 12 + len(body) + len(frame) + len(pad)
        out += struct.pack("<II", 6, total) + body + frame + pad + struct.pack("<I", total)
    return bytes(out)


def pcapng_frames(path):
    """(link type, frame bytes) of every packet of a pcapng file, read here from the spec's
    block layout (SHB byte order, IDB link types, EPB/SPB/obsolete PB data) for splitting a
    file whose interfaces differ in link type, which libpcap refuses to read."""
    data = open(path, "rb").read()
    e, links, at = "<", [], 0
    while at + 12 <= len(data):
        if data[at:at + 4] == b"\x0a\x0d\x0d\x0a":
            e = "<" if data[at + 8:at + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        kind, length = struct.unpack(e + "II", data[at:at + 8])
        body = data[at + 8:at + length - 4]
        if kind == 1:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif kind == 6:
            iface, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            yield iface, links[iface], body[20:20 + caplen]
        elif kind == 3:
            yield 0, links[0], body[4:4 + struct.unpack(e + "I", body[:4])[0]]
        elif kind == 2:
            iface, _, _, _, caplen = struct.unpack(e + "HHIII", body[:16])
            yield iface, links[iface], body[20:20 + caplen]
        at += length


def pcapng_header_index(path):
    """The Section Header and Interface Description Blocks of a pcapng file, as --headers takes
    them: OFFSET+LENGTH,... (little-endian sections only, as the bundled captures are)."""
    data = open(path, "rb").read()
    at, out = 0, []
    while at + 12 <= len(data):
        btype, length = struct.unpack_from("<II", data, at)
        if btype in (0x0A0D0D0A, 1):
            out.append(f"{at}+{length}")
        at += length
    return ",".join(out)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


# --- the IEEE registries, from their CSVs ---------------------------------------------------

REGISTRIES = {"oui.csv": "MA-L", "mam.csv": "MA-M", "oui36.csv": "MA-S", "iab.csv": "IAB",
              "cid.csv": "CID"}


def read_registries(ieee_dir):
    """{registry: {HEX-PREFIX: {names}}}, names unescaped and trimmed as the IEEE means them."""
    out = {}
    for name, reg in REGISTRIES.items():
        table = out.setdefault(reg, {})
        with open(os.path.join(ieee_dir, name), encoding="utf-8", newline="") as f:
            for row in list(csv.reader(f))[1:]:
                table.setdefault(row[1].upper(), set()).add(html.unescape(row[2]).strip())
    return out


def expected_vendors(registries, mac):
    """The holders of the longest assignment for an address (36, 28, then 24 bits; a 24-bit
    block the IEEE subdivided names nobody for its unassigned parts); the null address has none."""
    hexa = mac.replace(":", "").upper()
    if hexa == "000000000000":
        return set()
    for n, regs in ((9, ("MA-S", "IAB")), (7, ("MA-M",)), (6, ("MA-L", "CID"))):
        for r in regs:
            names = registries[r].get(hexa[:n])
            if names and names != {"IEEE Registration Authority"}:
                return names
    return set()


# --- running ouiscan ------------------------------------------------------------------------

def run(binary, args, stdin=None, env=None, timeout=300):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([binary] + list(args), input=stdin, capture_output=True, env=e,
                          timeout=timeout)


def text(p):
    return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def scan_json(binary, args, **kw):
    """(document or None, process) for `ouiscan -q -f json ARGS`."""
    p = run(binary, ["-q", "-f", "json", "--no-progress"] + list(args), **kw)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        return None, p


def csv_rows(data):
    """Rows of a CSV document as dicts, read by a real CSV parser."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8") if isinstance(data, bytes) else data)))


@functools.cache
def tshark_version():
    return subprocess.run(["tshark", "--version"], capture_output=True).stdout[:200].decode(
        "utf-8", "replace")


def tshark(path, *args):
    """tshark's standard output for `tshark -n -r PATH ARGS` (exit 2 for a cut file comes after
    its output). With OUISCAN_TSHARK_CACHE set (tools/build.sh sets it), an answer is kept there,
    keyed by the arguments, the file's size and time and tshark's version, so that the ASan run
    reuses the release run's answers instead of asking tshark again."""
    cmd = ["tshark", "-n", "-r", path, *args]
    cache = os.environ.get("OUISCAN_TSHARK_CACHE")
    if cache:
        st = os.stat(path)
        key = hashlib.sha256(json.dumps([cmd, os.path.abspath(path), st.st_size, st.st_mtime_ns,
                                         tshark_version()]).encode()).hexdigest()
        kept = os.path.join(cache, key)
        if os.path.exists(kept):
            with open(kept, "rb") as f:
                return f.read().decode("utf-8", "surrogateescape")
    out = subprocess.run(cmd, capture_output=True).stdout
    if cache:
        os.makedirs(cache, exist_ok=True)
        with open(kept + ".part", "wb") as f:
            f.write(out)
        os.replace(kept + ".part", kept)
    return out.decode("utf-8", "surrogateescape")


def tshark_addresses(path, *tshark_args):
    """Every eth/sll/wlan address tshark sees in a capture (the frames' own headers)."""
    stdout = tshark(path, *tshark_args, "-T", "fields", "-E", "separator=,", "-e", "eth.src",
                    "-e", "eth.dst", "-e", "sll.src.eth")
    out = set()
    for line in stdout.split():
        out.update(x for x in line.split(",") if x)
    return out


FRAME_ROLES = {"src", "dst", "bssid", "ra", "ta"}  # seen in a frame's own link-layer header
ARP_ROLES = {"arp_sender", "arp_target"}


def address_sets(doc):
    """(frame addresses, ARP addresses) of an ouiscan JSON document, as tshark's sets count them."""
    frame = {a["address"] for a in doc.get("addresses", []) if set(a["roles"]) & FRAME_ROLES}
    arp = {a["address"] for a in doc.get("addresses", []) if set(a["roles"]) & ARP_ROLES}
    return frame, arp


def read_set(path):
    """An address set file (one address per line), such as tshark's answers in tests/data."""
    with open(path) as f:
        return set(f.read().split())


def make_test_ca(work):
    """Writes into `work` a CA (ca.pem), a certificate for 127.0.0.1 that it signed (server.pem,
    server.key) and an unrelated CA (other-ca.pem): a test trusts only what it made."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=work)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=ouiscan test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
            "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(work, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out",
            "other-ca.pem", "-days", "2", "-subj", "/CN=some other CA")
