#!/usr/bin/env bash
# Live capture on a veth pair whose far end sits in a network namespace made here; frames with
# known source addresses are sent from the namespace. Skipped (with a message) where namespaces
# or raw sockets are not permitted. Usage: live_test.sh OUISCAN
set -u
bin=$1
ns=ouiscan-live-$$
host=olv$$a
peer=olv$$b
tmp=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null; ip link del "$host" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
if ! { ip netns add "$ns" && ip link add "$host" type veth peer name "$peer" &&
       ip link set "$peer" netns "$ns"; } 2>/dev/null; then
  echo "skipped: cannot create a network namespace and veth pair here (needs root / CAP_NET_ADMIN)"
  echo "0 passed, 0 failed"
  exit 0
fi
# No IPv6 on the pair: its autoconfiguration frames would count against --count.
sysctl -qw "net.ipv6.conf.$host.disable_ipv6=1" 2>/dev/null
ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$peer.disable_ipv6=1" 2>/dev/null
ip link set "$host" up && ip netns exec "$ns" ip link set "$peer" up

send() {  # send N frames from 02:00:00:00:00:01..N to broadcast, EtherType 0x88b5 (local experimental)
  ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for i in range(1, int(sys.argv[2]) + 1):
    s.send(b"\xff" * 6 + bytes([2, 0, 0, 0, 0, i]) + b"\x88\xb5" + bytes(46))
' "$peer" "$1"
}
passed=0
failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi; }
want=$(printf '02:00:00:00:00:%02x\n' 1 2 3 4 5)

# --count ends the capture after 5 frames; -w keeps them as pcapng.
"$bin" -i "$host" -c 5 -f csv -w "$tmp/live.pcapng" >"$tmp/count.csv" 2>"$tmp/count.err" &
pid=$!
sleep 1
send 5
wait "$pid"; rc=$?
check "--count exits 0 (got $rc)" '[ $rc -eq 0 ]'
check "--count sees the 5 sources" '[ "$(tail -n +2 "$tmp/count.csv" | cut -d, -f1 | grep ^02: | sort)" = "$want" ]'
"$bin" -q -f csv "$tmp/live.pcapng" >"$tmp/reread.csv"
check "-w wrote a pcapng holding the same addresses" 'cmp -s "$tmp/count.csv" "$tmp/reread.csv"'

# Ctrl-C (SIGINT) ends the capture cleanly and prints the inventory.
"$bin" -i "$host" -f csv >"$tmp/int.csv" 2>"$tmp/int.err" &
pid=$!
sleep 1
send 3
sleep 0.5
kill -INT "$pid"
wait "$pid"; rc=$?
check "Ctrl-C exits 0 (got $rc)" '[ $rc -eq 0 ]'
check "Ctrl-C prints the inventory" '[ $(tail -n +2 "$tmp/int.csv" | grep -c ^02:00:00:00:00:0) -eq 3 ]'

# --duration, and a missing interface.
start=$(date +%s)
"$bin" -q -i "$host" --duration 1 -f csv >/dev/null; rc=$?
check "--duration stops in time (rc $rc)" '[ $rc -eq 0 ] && [ $(( $(date +%s) - start )) -le 4 ]'
"$bin" -i no-such-if0 --duration 1 >/dev/null 2>"$tmp/nodev.err"; rc=$?
check "a missing interface exits 3 with a message" '[ $rc -eq 3 ] && grep -q "no such interface" "$tmp/nodev.err"'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
