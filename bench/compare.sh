#!/usr/bin/env bash
# End-to-end comparison on one large capture, interleaved and repeated, the capture evicted
# from the page cache and read once whole before each round: ouiscan (full JSON result to
# /dev/null, all cores and one thread) against the memory floor (map the file and sum it as
# 8-byte words, one thread) and the libpcap pcap_next_ex + unordered_set baseline; with OLD, an
# older ouiscan binary in the same rounds (an A/B); tshark on a 200 MB prefix when installed.
# Prints the median of each and the ratios to the floor.
#
#   bench/compare.sh [BUILD_DIR] [RUNS]      (default build/release, 5 runs)
#   CAPTURE=/path/to/file.pcap OLD=/tmp/old/ouiscan bench/compare.sh build/release 7
#   PCAPNG=/path/to/same-traffic.pcapng adds pcapng rows (the default capture has its twin)
#   IDENTITY=/path/to/ip-traffic.pcap adds rows for traffic with IP headers and DHCP, NDP, mDNS
#   and LLDP frames: the identity stage's cost (by default gen_pcap --identity-share 0.01)
set -euo pipefail
build=${1:-build/release}
runs=${2:-5}
data=${DATA_DIR:-/tmp/ouiscan-bench}
mkdir -p "$data"
capture=${CAPTURE:-$data/imix-2g.pcap}
if [ ! -f "$capture" ]; then
  echo "generating $capture (2 GiB, IMIX, 20,000 hosts, Zipf 1.0, 10% VLAN)" >&2
  "$build/tools/gen_pcap" -o "$capture" -s 2147.48 --seed 1 --hosts 20000 --zipf 1.0
fi
source "$(dirname "$0")/lib.sh"

declare -A cmd=(
  [floor]="$build/bench/memory_floor $capture"
  [ouiscan]="$build/tools/ouiscan -q -f json $capture"
  [ouiscan_1thread]="$build/tools/ouiscan -q -j 1 -f json $capture"
  [ouiscan_4threads]="$build/tools/ouiscan -q -j 4 -f json $capture"
  [libpcap]="$build/bench/libpcap_baseline $capture"
)
order=(floor ouiscan ouiscan_1thread ouiscan_4threads libpcap)
# The same traffic as pcapng (generated alongside the default capture), in the same rounds.
pcapng=${PCAPNG:-}
if [ -z "$pcapng" ] && [ -z "${CAPTURE:-}" ]; then
  pcapng=$data/imix-2g.pcapng
  if [ ! -f "$pcapng" ]; then
    echo "generating $pcapng (the same traffic as pcapng)" >&2
    "$build/tools/gen_pcap" -o "$pcapng" -s 2147.48 --seed 1 --hosts 20000 --zipf 1.0 -F pcapng
  fi
fi
if [ -n "$pcapng" ]; then
  cmd[floor_pcapng]="$build/bench/memory_floor $pcapng"
  cmd[pcapng]="$build/tools/ouiscan -q -f json $pcapng"
  cmd[pcapng_1thread]="$build/tools/ouiscan -q -j 1 -f json $pcapng"
  order+=(floor_pcapng pcapng pcapng_1thread)
fi
# The same traffic mix with IPv4 headers and 1% of frames from the protocols that name hosts.
identity=${IDENTITY:-}
if [ -z "$identity" ] && [ -z "${CAPTURE:-}" ]; then
  identity=$data/imix-id-2g.pcap
  if [ ! -f "$identity" ]; then
    echo "generating $identity (IPv4 headers, 1% DHCP, NDP, mDNS and LLDP frames)" >&2
    "$build/tools/gen_pcap" -o "$identity" -s 2147.48 --seed 1 --hosts 20000 --zipf 1.0 \
      --identity-share 0.01
  fi
fi
if [ -n "$identity" ]; then
  cmd[floor_identity]="$build/bench/memory_floor $identity"
  cmd[identity]="$build/tools/ouiscan -q -f json $identity"
  cmd[identity_1thread]="$build/tools/ouiscan -q -j 1 -f json $identity"
  order+=(floor_identity identity identity_1thread)
fi
if [ -n "${OLD:-}" ]; then
  cmd[old]="$OLD -q -f json $capture"
  cmd[old_1thread]="$OLD -q -j 1 -f json $capture"
  order+=(old old_1thread)
  if [ -n "$identity" ]; then
    cmd[old_identity]="$OLD -q -f json $identity"
    cmd[old_identity_1thread]="$OLD -q -j 1 -f json $identity"
    order+=(old_identity old_identity_1thread)
  fi
fi
time_interleaved "$runs" "$capture" ${pcapng:+"$pcapng"} ${identity:+"$identity"}

bytes=$(stat -c %s "$capture")
floor=$(echo "${times[floor]}" | median)
echo "capture: $capture ($bytes bytes), $runs runs each, interleaved, evicted and read once" \
  "before each round; $(nproc) cores, $(uname -r)"
echo "${errors[floor]}" | grep -m1 -o 'page cache: .*' | sed 's/^/first round, as the floor saw it: /'
echo "${errors[floor]}" | grep -o '[0-9.]*% of the file PMD-mapped' | sort -g |
  awk '{a[NR]=$1} END {printf "PMD-mapped share over the rounds: %s to %s\n", a[1], a[NR]}'
printf '%-16s %10s %10s %12s %14s\n' approach median_s GB/s x_floor median_x_pair
for name in "${order[@]}"; do
  m=$(echo "${times[$name]}" | median)
  printf '%-16s %10.3f %10.2f %12.2f %14.2f\n' "$name" "$m" \
    "$(echo "$bytes / $m / 1000000000" | bc -l)" "$(echo "$m / $floor" | bc -l)" \
    "$(median_ratio "$name" floor)"
done
if [ -n "$pcapng" ]; then
  echo "pcapng / pcap, median of the rounds' ratios: $(median_ratio pcapng ouiscan) (default" \
    "threads), $(median_ratio pcapng_1thread ouiscan_1thread) (one thread); $pcapng"
  echo "${errors[floor_pcapng]}" | grep -o '[0-9.]*% of the file PMD-mapped' | sort -g |
    awk '{a[NR]=$1} END {printf "pcapng PMD-mapped share over the rounds: %s to %s\n", a[1], a[NR]}'
  echo "pcapng against its own floor, median of the rounds' ratios: $(median_ratio pcapng \
    floor_pcapng) (default threads), $(median_ratio pcapng_1thread floor_pcapng) (one thread)"
fi
if [ -n "$identity" ]; then
  echo "identity traffic / plain, median of the rounds' ratios: $(median_ratio identity ouiscan)" \
    "(default threads), $(median_ratio identity_1thread ouiscan_1thread) (one thread); $identity"
  echo "${errors[floor_identity]}" | grep -o '[0-9.]*% of the file PMD-mapped' | sort -g |
    awk '{a[NR]=$1} END {printf "identity PMD-mapped share over the rounds: %s to %s\n", a[1], a[NR]}'
  echo "identity traffic against its own floor, median of the rounds' ratios: $(median_ratio \
    identity floor_identity) (default threads), $(median_ratio identity_1thread floor_identity)" \
    "(one thread)"
fi
if [ -n "${OLD:-}" ]; then
  echo "new / old, median of the rounds' ratios: $(median_ratio ouiscan old) (default threads)," \
    "$(median_ratio ouiscan_1thread old_1thread) (one thread)"
  if [ -n "$identity" ]; then
    echo "new / old on the identity traffic: $(median_ratio identity old_identity) (default" \
      "threads), $(median_ratio identity_1thread old_identity_1thread) (one thread)"
  fi
fi
if command -v tshark >/dev/null; then
  prefix=$data/prefix-200m.pcap
  [ -f "$prefix" ] || head -c 200000000 "$capture" >"$prefix"
  start=$(date +%s.%N)
  tshark -n -r "$prefix" -q -z endpoints,eth >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  t=$(echo "($end - $start) * $bytes / 200000000" | bc -l)
  printf '%-16s %10.3f %10.2f %12.2f  (one run on a 200 MB prefix, scaled)\n' tshark "$t" \
    "$(echo "$bytes / $t / 1000000000" | bc -l)" "$(echo "$t / $floor" | bc -l)"
fi
