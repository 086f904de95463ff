#!/usr/bin/env python3
"""Live capture on a veth pair whose far end sits in a network namespace made here; frames with
known source addresses (02:00:00:00:00:NN, EtherType 0x88b5) are sent from the namespace.
Usage: live_test.py OUISCAN. Skipped (exit 77) where namespaces or raw sockets are not permitted.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import support

BIN = sys.argv[1]
NS = f"ouiscan-live-{os.getpid()}"
HOST = f"olv{os.getpid()}a"
PEER = f"olv{os.getpid()}b"
check = support.Checks()

SENDER = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
first = int(sys.argv[3])
for i in range(first, first + int(sys.argv[2])):
    s.send(b"\xff" * 6 + bytes([2, 0, 0, 0, 0, i]) + b"\x88\xb5" + bytes(46))
"""


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True).returncode == 0


def send(n, first=1):
    subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", SENDER, PEER, str(n),
                    str(first)], check=True)


def want(n, first=1):
    return {f"02:00:00:00:00:{i:02x}" for i in range(first, first + n)}


def sources(csv_text):
    return {r["address"] for r in support.csv_rows(csv_text) if r["address"].startswith("02:")}


def start(*args):
    p = subprocess.Popen([BIN, "-i", HOST, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1)
    return p


def main():
    if not (sh("ip", "netns", "add", NS) and
            sh("ip", "link", "add", HOST, "type", "veth", "peer", "name", PEER) and
            sh("ip", "link", "set", PEER, "netns", NS)):
        cleanup()
        support.skip("cannot create a network namespace and veth pair here (needs CAP_NET_ADMIN)")
    try:
        # No IPv6 on the pair: its autoconfiguration frames would count against -c.
        sh("sysctl", "-qw", f"net.ipv6.conf.{HOST}.disable_ipv6=1")
        sh("ip", "netns", "exec", NS, "sysctl", "-qw", f"net.ipv6.conf.{PEER}.disable_ipv6=1")
        sh("ip", "link", "set", HOST, "up")
        sh("ip", "netns", "exec", NS, "ip", "link", "set", PEER, "up")
        tests()
    finally:
        cleanup()
    return check.done()


def cleanup():
    sh("ip", "netns", "del", NS)
    sh("ip", "link", "del", HOST)


def tests():
    tmp = tempfile.mkdtemp()
    # -c ends the capture after 5 frames; -w keeps them as pcapng; the kernel's counts at the end.
    written = os.path.join(tmp, "live.pcapng")
    p = start("-c", "5", "-f", "csv", "-w", written)
    send(5)
    out, err = p.communicate(timeout=30)
    check("-c 5 exits 0", p.returncode == 0, err)
    check("-c 5 sees the 5 sources", sources(out.decode()) == want(5), out)
    check("the kernel's counts at the end (pcap_stats), as tcpdump prints them",
          b"packets received by filter, 0 dropped by kernel" in err, err)
    reread = support.run(BIN, ["-q", "-f", "csv", written])
    check("-w wrote a pcapng holding the same addresses", sources(reread.stdout.decode()) == want(5))
    tshark = support.tshark_addresses(written)
    check("-w's pcapng: tshark reads the same sources", {m for m in tshark if m.startswith("02:")} == want(5), tshark)

    # -f jsonl: a record the moment a new address appears, then the final inventory.
    p = start("-f", "jsonl", "-q")
    send(3, first=10)
    time.sleep(0.5)
    first = [json.loads(p.stdout.readline()) for _ in range(4)]  # 3 sources and the broadcast
    send(2, first=20)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    lines = first + [json.loads(l) for l in out.splitlines()]
    news = [l["data"]["address"] for l in lines if l["type"] == "new_address"]
    check("jsonl: new addresses come before the capture ends",
          {l["data"]["address"] for l in first} == want(3, 10) | {"ff:ff:ff:ff:ff:ff"}, first)
    check("jsonl: each address once as new, all 5 sources", sorted(set(news)) == sorted(news) and
          want(3, 10) | want(2, 20) <= set(news), news)
    final = [l["data"]["address"] for l in lines if l["type"] == "address"]
    check("jsonl: the final inventory follows, then the summary",
          set(final) == set(news) and lines[-1]["type"] == "summary", lines[-3:])

    # Ctrl-C ends the capture cleanly and prints the inventory.
    p = start("-f", "csv")
    send(3)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    check("Ctrl-C exits 0 and prints the inventory", p.returncode == 0 and
          sources(out.decode()) == want(3), (p.returncode, out, err))

    # --duration, and a missing interface.
    t0 = time.time()
    r = support.run(BIN, ["-q", "-i", HOST, "--duration", "1", "-f", "csv"])
    check("--duration stops in time", r.returncode == 0 and time.time() - t0 <= 4)
    r = support.run(BIN, ["-i", "no-such-if0", "--duration", "1"])
    check("a missing interface exits 3 with a message",
          r.returncode == 3 and b"no such interface" in r.stderr, r.stderr)


if __name__ == "__main__":
    sys.exit(main())
