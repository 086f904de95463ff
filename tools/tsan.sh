#!/usr/bin/env bash
# ThreadSanitizer run of the concurrent parts: the scan pipeline's tests (oneTBB; with gzip and
# zstd input, the read-ahead thread), the read-ahead stream's own tests, and the S3
# end-to-end test (the parallel ranged reader's threads). Debian's oneTBB is not instrumented,
# so TSan could not see its synchronisation and would report every hand-off between pipeline
# stages; oneTBB is therefore built first from Debian's own source package with
# -fsanitize=thread (once; kept in build/tbb-tsan).
# Usage: tools/tsan.sh   (as root on Debian 12, after tools/build.sh deps)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(getconf _NPROCESSORS_ONLN)
prefix=$PWD/build/tbb-tsan
if [ ! -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ]; then
  if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # The source lines matching the binary ones, in whichever format the machine uses.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        >/etc/apt/sources.list.d/ouiscan-deb-src.sources
    else
      sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/ouiscan-deb-src.list
    fi
    apt-get update -qq
  fi
  rm -rf build/tbb-src && mkdir -p build/tbb-src
  (cd build/tbb-src && apt-get source -qq onetbb >/dev/null 2>&1)
  src=$(find build/tbb-src -maxdepth 1 -type d -name 'onetbb-*' | head -1)
  cmake -S "$src" -B build/tbb-src/build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_TEST=OFF \
    -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF -DTBB_SANITIZE=thread -DCMAKE_INSTALL_PREFIX="$prefix" \
    >/dev/null
  cmake --build build/tbb-src/build -j"$jobs" >/dev/null
  cmake --install build/tbb-src/build >/dev/null
fi
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$jobs" --target pipeline_test io_test ouiscan
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
build/tsan/tests/pipeline_test --gtest_brief=1
build/tsan/tests/io_test --gtest_brief=1
python3 tests/tools/s3_test.py build/tsan/tools/ouiscan "$PWD" "${OUISCAN_CORPUS_DIR:-../shared/corpus}"
