#!/usr/bin/env bash
# CLI behaviour of the ouiscan binary: exit codes, formats, stdin, damaged input.
# Usage: cli_test.sh OUISCAN DATA_DIR. Expected addresses come from tshark (tests/data/*.macs).
set -u
bin=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { if eval "$2"; then pass; else fail "$1"; fi; }

sample=$data/sample.pcapng
expected_all=$(LC_ALL=C sort -u "$data/sample.pcapng.macs" "$data/sample.pcapng.arp.macs")

# The table (default) lists every address and ends with the summary.
"$bin" --no-progress "$sample" >"$tmp/table" 2>"$tmp/err"; rc=$?
check "table exit code is 0 (got $rc)" '[ $rc -eq 0 ]'
check "table lists every expected address" \
  '[ "$(grep -oE "^([0-9a-f]{2}:){5}[0-9a-f]{2}" "$tmp/table" | LC_ALL=C sort -u)" = "$expected_all" ]'
check "table summary counts 170 frames" 'grep -q "^frames   170 " "$tmp/table"'
check "table summary names the link types" 'grep -q "LINUX_SLL2 (276): 6 frames" "$tmp/table"'

# JSON: valid, complete, and the roles split link-layer from ARP addresses as tshark does.
"$bin" -f json "$sample" >"$tmp/json"; rc=$?
check "json exit code is 0" '[ $rc -eq 0 ]'
python3 - "$tmp/json" "$data" <<'PY' && pass || fail "json content"
import json, sys
doc = json.load(open(sys.argv[1]))
data = sys.argv[2]
frame = {a["address"] for a in doc["addresses"] if set(a["roles"]) & {"src", "dst", "bssid", "ra", "ta"}}
arp = {a["address"] for a in doc["addresses"] if set(a["roles"]) & {"arp_sender", "arp_target"}}
want_frame = set(open(data + "/sample.pcapng.macs").read().split())
want_arp = set(open(data + "/sample.pcapng.arp.macs").read().split())
assert frame == want_frame, (frame ^ want_frame)
assert arp == want_arp, (arp ^ want_arp)
s = doc["summary"]
assert s["frames"] == 170 and s["distinct_addresses"] == len(doc["addresses"])
assert s["inputs"][0]["status"] == "ok" and s["inputs"][0]["format"] == "pcapng"
frames = [a["frames"] for a in doc["addresses"]]
assert frames == sorted(frames, reverse=True), "busiest first"
# Vendors: the longest IEEE assignment (36, 28, then 24 bits), computed from the CSVs here.
import csv, html
ieee = {}
for name in ["oui.csv", "mam.csv", "oui36.csv", "iab.csv", "cid.csv"]:
    with open(data + "/../../third_party/ieee/2026-05-21/" + name, encoding="utf-8", newline="") as f:
        for row in list(csv.reader(f))[1:]:
            ieee.setdefault(row[1].upper(), set()).add(html.unescape(row[2]).strip())
named = 0
for a in doc["addresses"]:
    hexa = a["address"].replace(":", "").upper()
    want = next((ieee[hexa[:n]] for n in (9, 7, 6) if hexa[:n] in ieee and ieee[hexa[:n]] != {"IEEE Registration Authority"}), set())
    assert set(a["vendors"]) == want, (a["address"], a["vendors"], want)
    named += bool(want)
assert named >= 10, named
assert s["database"]["source"] == "embedded" and s["database"]["snapshot"] == "2026-05-21"
assert sum(v["addresses"] for v in s["vendors"]) == len(doc["addresses"])
PY

# jsonl: one object per line, the summary last; csv: a header and one row per address.
"$bin" -f jsonl "$sample" >"$tmp/jsonl"
check "jsonl ends with the summary" 'tail -n 1 "$tmp/jsonl" | grep -q "^{\"type\":\"summary\""'
check "jsonl has one line per address plus the summary" \
  '[ $(wc -l <"$tmp/jsonl") -eq $(( $(echo "$expected_all" | wc -l) + 1 )) ]'
"$bin" -q -f csv "$sample" >"$tmp/csv"
check "csv header" 'head -n 1 "$tmp/csv" | grep -q "^address,class,admin,vendor,registry,prefix,group,frames,"'
check "csv rows" '[ "$(tail -n +2 "$tmp/csv" | cut -d, -f1 | LC_ALL=C sort -u)" = "$expected_all" ]'

# Standard input, a pipe, and gzip through a pipe give the same inventory as the file.
"$bin" -q -f csv - <"$sample" >"$tmp/stdin.csv"
check "stdin redirect equals file" 'cmp -s "$tmp/csv" "$tmp/stdin.csv"'
cat "$sample" | "$bin" -q -f csv - >"$tmp/pipe.csv"
check "pipe equals file" 'cmp -s "$tmp/csv" "$tmp/pipe.csv"'
gzip -c "$sample" >"$tmp/sample.pcapng.gz"
"$bin" -q -f csv "$tmp/sample.pcapng.gz" >"$tmp/gz.csv"
check "gzip file equals file" 'cmp -s "$tmp/csv" "$tmp/gz.csv"'
zstd -q -c "$sample" | "$bin" -q -f csv - >"$tmp/zst.csv"
check "zstd through a pipe equals file" 'cmp -s "$tmp/csv" "$tmp/zst.csv"'
"$bin" -q -f csv -j 1 "$sample" >"$tmp/one.csv"
check "one thread equals all threads" 'cmp -s "$tmp/csv" "$tmp/one.csv"'

# -o writes the file; two inputs merge into one inventory.
"$bin" -q -f csv -o "$tmp/out.csv" "$sample"
check "-o writes the output file" 'cmp -s "$tmp/csv" "$tmp/out.csv"'
"$bin" -q -f json "$sample" "$tmp/sample.pcapng.gz" >"$tmp/two.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["frames"]==340 and len(d["summary"]["inputs"])==2' "$tmp/two.json" && pass || fail "two inputs merge"

# The address cap: a clear warning, the cap respected, exit 0.
"$bin" -f csv --max-addresses 5 "$sample" >"$tmp/cap.csv" 2>"$tmp/cap.err"; rc=$?
check "capped run exits 0 (got $rc)" '[ $rc -eq 0 ]'
check "capped run keeps 5 addresses" '[ $(tail -n +2 "$tmp/cap.csv" | wc -l) -eq 5 ]'
check "capped run warns" 'grep -q "cap of 5 distinct addresses was reached" "$tmp/cap.err"'

# Damaged input: exit 1, a message naming the file, byte offset and record, addresses kept.
head -c 20000 "$sample" >"$tmp/cut.pcapng"
"$bin" -f csv "$tmp/cut.pcapng" >"$tmp/cut.csv" 2>"$tmp/cut.err"; rc=$?
check "a final record cut short is a warning, exit 0 (got $rc)" '[ $rc -eq 0 ]'
check "truncated input message" 'grep -q "warning: .*cut.pcapng: byte offset [0-9]*, record [0-9]*: file ends inside a record" "$tmp/cut.err"'
"$bin" --strict -q "$tmp/cut.pcapng" >/dev/null 2>&1; rc=$?
check "--strict: a final record cut short exits 1 (got $rc)" '[ $rc -eq 1 ]'
"$bin" -f json "$tmp/cut.pcapng" >"$tmp/cut.json" 2>/dev/null
check "truncated input has status truncated in JSON" 'grep -q "\"status\":\"truncated\"" "$tmp/cut.json"'
check "truncated input keeps earlier addresses" '[ $(tail -n +2 "$tmp/cut.csv" | wc -l) -gt 5 ]'
printf 'not a capture at all, just text\n' >"$tmp/text.pcap"
"$bin" -q "$tmp/text.pcap" >/dev/null 2>&1; rc=$?
check "not a capture exits 1 (got $rc)" '[ $rc -eq 1 ]'

# Usage and I/O errors.
"$bin" --no-such-flag "$sample" >/dev/null 2>&1; rc=$?
check "unknown flag exits 2 (got $rc)" '[ $rc -eq 2 ]'
"$bin" -f xml "$sample" >/dev/null 2>&1; rc=$?
check "unknown format exits 2 (got $rc)" '[ $rc -eq 2 ]'
"$bin" >/dev/null 2>&1; rc=$?
check "no input exits 2 (got $rc)" '[ $rc -eq 2 ]'
"$bin" "$tmp/missing.pcap" >/dev/null 2>"$tmp/missing.err"; rc=$?
check "missing file exits 3 (got $rc)" '[ $rc -eq 3 ]'
check "missing file message" 'grep -q "missing.pcap: cannot open: No such file or directory" "$tmp/missing.err"'
"$bin" --help >"$tmp/help"; rc=$?
check "--help exits 0 and documents exit codes" '[ $rc -eq 0 ] && grep -q "Exit codes" "$tmp/help"'

# A user copy written by another version of the format is passed over, with a notice, for the
# embedded database (00:50:c2:00:1 is the IAB block of JMBS Developpements, per iab.csv).
mkdir -p "$tmp/xdg/ouiscan"
printf 'OUISCNDB\001\000\000\000' >"$tmp/xdg/ouiscan/oui.bin"
head -c 4096 /dev/zero >>"$tmp/xdg/ouiscan/oui.bin"
XDG_DATA_HOME=$tmp/xdg "$bin" lookup 00:50:c2:00:10:01 >"$tmp/stale.out" 2>"$tmp/stale.err"; rc=$?
check "stale user database: lookup exits 0 (got $rc)" '[ $rc -eq 0 ]'
check "stale user database: answered from the embedded copy" 'grep -q "JMBS Developpements" "$tmp/stale.out"'
check "stale user database: notice names the file" 'grep -q "xdg/ouiscan/oui.bin has another database format version" "$tmp/stale.err"'

# A closed pipe is not an error.
"$bin" -f jsonl "$sample" | head -n 1 >/dev/null; rc=${PIPESTATUS[0]}
check "closed pipe exits 0 (got $rc)" '[ $rc -eq 0 ]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
