#!/usr/bin/env bash
# Scanning a capture straight from an S3-compatible server on loopback (s3rver, started here)
# against one plain single-stream GET of the same object (curl to /dev/null) and against
# download-then-scan, interleaved and repeated; prints medians and ratios of wall time and of
# the client's CPU seconds per GiB (user + system of its processes; the server is not counted),
# which holds when the server shares the machine's cores.
#
#   bench/s3_compare.sh [BUILD_DIR] [RUNS]         (default build/release, 3 runs)
#   CAPTURE=/path/to/1g.pcap PARTS="8MiB:8 16MiB:4" bench/s3_compare.sh
set -euo pipefail
build=${1:-build/release}
runs=${2:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${DATA_DIR:-/tmp/ouiscan-bench}
mkdir -p "$data"
capture=${CAPTURE:-$data/imix-1g.pcap}
if [ ! -f "$capture" ]; then
  echo "generating $capture (1 GiB, IMIX, 20,000 hosts)" >&2
  "$build/tools/gen_pcap" -o "$capture" -s 1073.74 --seed 1 --hosts 20000 --zipf 1.0
fi
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
NODE_OPTIONS=--openssl-legacy-provider "$repo/node_modules/.bin/s3rver" -d "$work/s3" \
  -a 127.0.0.1 -p "$port" -s >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
curl -s -X PUT "http://127.0.0.1:$port/bench" >/dev/null
curl -s -X PUT --data-binary "@$capture" "http://127.0.0.1:$port/bench/capture.pcap" >/dev/null
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
url="http://127.0.0.1:$port/bench/capture.pcap"
declare -A cmd=(
  [curl_single_get]="curl -s -o /dev/null $url"
  [download_then_scan]="curl -s -o $work/copy.pcap $url && $build/tools/ouiscan -q -f json -o /dev/null $work/copy.pcap; rm -f $work/copy.pcap"
)
order=(curl_single_get download_then_scan)
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port
cmd[reader_only_default]="$build/bench/s3_read s3://bench/capture.pcap >/dev/null"
cmd[ouiscan_s3_default]="$build/tools/ouiscan -q -f json -o /dev/null s3://bench/capture.pcap"
order+=(reader_only_default ouiscan_s3_default)
for p in ${PARTS:-8MiB:8 64MiB:2}; do
  name="ouiscan_s3_${p/:/x}"
  cmd[$name]="$build/tools/ouiscan -q -f json -o /dev/null --s3-part-size ${p%%:*} --s3-parts ${p##*:} s3://bench/capture.pcap"
  cmd[reader_only_${p/:/x}]="OUISCAN_S3_PART_BYTES=${p%%:*} OUISCAN_S3_PARTS=${p##*:} $build/bench/s3_read s3://bench/capture.pcap >/dev/null"
  order+=("$name" "reader_only_${p/:/x}")
done
source "$repo/bench/lib.sh"
time_interleaved "$runs"  # the object is served by s3rver: no page-cache state to set
size=$(stat -c %s "$capture")
base=$(echo "${times[curl_single_get]}" | median)
gib=$(echo "$size / 1073741824" | bc -l)
cpu_base=$(echo "$(echo "${cpu[curl_single_get]}" | median) / $gib" | bc -l)
echo "capture: $capture ($size bytes), $runs runs each, interleaved; s3rver $(node -v) on loopback"
printf "%-28s %9s %9s %12s %14s %12s\n" approach median_s MB/s x_single_get cpu_s_per_GiB \
  x_curl_cpu
for name in "${order[@]}"; do
  m=$(echo "${times[$name]}" | median)
  c=$(echo "$(echo "${cpu[$name]}" | median) / $gib" | bc -l)
  printf "%-28s %9.2f %9.0f %12.2f %14.3f %12.2f\n" "$name" "$m" \
    "$(echo "$size / $m / 1000000" | bc -l)" "$(echo "$m / $base" | bc -l)" "$c" \
    "$(echo "$c / $cpu_base" | bc -l)"
done
