#!/usr/bin/env bash
# One entry point for people and CI on a fresh Debian 12 machine (run as root):
#   tools/build.sh sample   install what is needed, build, scan the bundled sample capture
#   tools/build.sh test     install; clang-format and clang-tidy; build (release with GCC,
#                           ASan+UBSan with clang and the fuzz targets, warnings as errors)
#                           and run every test in both; the Debian package built, installed
#                           with apt, run and removed; the ThreadSanitizer run (tools/tsan.sh);
#                           a short libFuzzer smoke run
#   tools/build.sh deps     only install the packages
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-sample}
jobs=$(getconf _NPROCESSORS_ONLN)

packages=(cmake make g++ pkg-config python3 python3-yaml gzip bc openssl tcpdump tshark iproute2 procps
          libtbb-dev libfmt-dev libcli11-dev zlib1g-dev libpcap-dev libcurl4-openssl-dev libzstd-dev zstd
          libssl-dev libsimdjson-dev ca-certificates pcapfix dpkg-dev
          libgtest-dev libgmock-dev libbenchmark-dev
          clang clang-format clang-tidy libclang-rt-14-dev git scdoc man-db groff-base fish zsh
          chromium)

install_deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "== [${SECONDS}s] installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Test servers from npm (s3rver for the S3 tests), pinned by package-lock.json.
install_test_servers() {
  if ! command -v npm >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  [ -x node_modules/.bin/s3rver ] || npm ci --no-audit --no-fund --loglevel=error
}

build() {  # build PRESET [cmake --build options, e.g. --target T ...]
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j"$jobs" "${@:2}"
}

case "$mode" in
  deps)
    install_deps
    install_test_servers
    ;;
  sample)
    install_deps
    build release
    build/release/tools/ouiscan --no-progress tests/data/sample.pcapng
    ;;
  test)
    set -o pipefail
    install_deps
    install_test_servers
    echo "== [${SECONDS}s] format: clang-format $(clang-format --version | grep -oE '[0-9]+\.[0-9.]+' | head -1)"
    git ls-files '*.h' '*.cpp' ':!third_party' | xargs -r clang-format --dry-run -Werror
    # tshark's answers on the corpus, asked once in this run: the ASan run reuses the release
    # run's (tests/tools/support.py, tshark()).
    rm -rf build/tshark-cache
    export OUISCAN_TSHARK_CACHE=$PWD/build/tshark-cache
    for preset in release asan; do
      echo "== [${SECONDS}s] $preset: build and test"
      build "$preset"
      if [ "$preset" = release ]; then
        echo "== [${SECONDS}s] tidy: clang-tidy $(clang-tidy --version | grep -oE '[0-9]+\.[0-9.]+' | head -1)"
        tools/tidy.sh build/release
        if [ "$(id -u)" = 0 ]; then
          echo "== [${SECONDS}s] package: the .deb built, installed with apt, run and removed"
          tests/tools/package_test.sh build/release
        elif [ "${OUISCAN_NO_SKIPS:-0}" = 1 ]; then
          echo "== [${SECONDS}s] package: needs root to install the .deb (OUISCAN_NO_SKIPS=1)" >&2
          exit 1
        else
          echo "== [${SECONDS}s] package: skipped (installing the .deb needs root)"
        fi
      fi
      log=$(mktemp)
      echo "== [${SECONDS}s] $preset: ctest"
      # install_test checks where an install puts its files (man page, completions, database),
      # which the release run covers; under ASan it would only start processes ten times slower.
      exclude=()
      [ "$preset" = asan ] && exclude=(-E '^install_test$')
      ctest --preset "$preset" -j"$jobs" "${exclude[@]}" | tee "$log"
      # CI has the corpus and network namespaces: there a skipped test is a failed one.
      if [ "${OUISCAN_NO_SKIPS:-0}" = 1 ] && grep -qE '\*\*\*Skipped|Not Run' "$log"; then
        echo "== [${SECONDS}s] $preset: tests were skipped (OUISCAN_NO_SKIPS=1):" >&2
        grep -E '\*\*\*Skipped|Not Run' "$log" >&2
        exit 1
      fi
    done
    echo "== [${SECONDS}s] tsan: ThreadSanitizer on the pipeline and the S3 reader (oneTBB rebuilt with TSan)"
    tools/tsan.sh
    # The asan preset (clang) built the libFuzzer targets beside the tests.
    echo "== [${SECONDS}s] fuzz: libFuzzer smoke run (clang, ASan+UBSan)"
    fuzz_targets=(capture decode ouidb s3 lambda merge wireshark)
    for target in "${fuzz_targets[@]}"; do
      work=$(mktemp -d)
      if ! build/asan/tests/fuzz/fuzz_$target -max_total_time="${OUISCAN_FUZZ_SECONDS:-10}" \
          -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/" \
          "$work" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target" >"$work/log" 2>&1; then
        tail -n 40 "$work/log"
        echo "fuzz_$target found a failure; the input is in $work (save it under tests/fuzz/regressions/$target/)" >&2
        exit 1
      fi
      grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" | sed "s/^/fuzz_$target /"
      rm -rf "$work"
    done
    echo "== [${SECONDS}s] done"
    ;;
  *)
    echo "usage: tools/build.sh [sample|test|deps]" >&2
    exit 2
    ;;
esac
