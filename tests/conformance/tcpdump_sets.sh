#!/usr/bin/env bash
# The link-layer addresses tcpdump -e prints for the corpus captures that tshark 4.0 cannot
# decode (the exceptions.tsv rows checked against tcpdump): the "SRC > DST," of every line.
# Usage: tcpdump_sets.sh CORPUS_DIR (writes tests/conformance/tcpdump/<path with / as _>.macs)
set -euo pipefail
corpus=$1
out=$(dirname "$0")/tcpdump
mkdir -p "$out"
for path in $(awk -F'\t' '!/^#/ && $4 ~ /tcpdump/ {print $1}' "$(dirname "$0")/exceptions.tsv" | sort -u); do
  tcpdump -enr "$corpus/$path" 2>/dev/null |
    sed -nE 's/^[0-9:.]+ ([0-9a-f:]{17}) > ([0-9a-f:]{17}),.*/\1\n\2/p' | LC_ALL=C sort -u \
    >"$out/$(echo "${path#captures/}" | tr / _).macs"
done
