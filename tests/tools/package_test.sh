#!/usr/bin/env bash
# The Debian package on this machine (as root; CI's own): cpack builds
# ouiscan_<version>_amd64.deb from the release build, apt installs it with the Depends that
# dpkg-shlibdeps computed, the installed ouiscan runs and scans the sample (tshark's address
# set, tests/data/README.md), its man page is found, and the package is removed again.
#   tests/tools/package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build/release}" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL $*" >&2; exit 1; }
if dpkg -s ouiscan >/dev/null 2>&1; then fail "ouiscan is already installed: not touching it"; fi
(cd "$build" && cpack -G DEB >/dev/null)
version=$(sed -n 's/^project(ouiscan VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
deb="$build/ouiscan_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "no $deb"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libtbb libcurl libpcap; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/ouiscan ./usr/share/man/man1/ouiscan.1 ./usr/share/doc/ouiscan/README.md; do
  grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done
if grep -qE '^\./usr/(include|lib)/' <<<"$contents"; then
  fail "the program's package holds the library (headers or archives)"
fi
echo "ok   $(basename "$deb"), Depends: $depends"
trap 'apt-get remove -y ouiscan >/dev/null 2>&1 || true' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" >/dev/null
[ "$(command -v ouiscan)" = /usr/bin/ouiscan ] || fail "ouiscan is not /usr/bin/ouiscan"
ouiscan --version | grep -qx "ouiscan $version" || fail "ouiscan --version: $(ouiscan --version)"
got=$(ouiscan -q --no-progress -f csv "$repo/tests/data/sample.pcapng" | tail -n +2 | cut -d, -f1 | sort)
want=$(sort "$repo/tests/data/sample.pcapng.macs")
[ "$got" = "$want" ] || fail "the installed ouiscan's addresses differ from tshark's: $(diff <(echo "$want") <(echo "$got") | head)"
[ "$(man -w ouiscan)" = /usr/share/man/man1/ouiscan.1.gz ] || [ "$(man -w ouiscan)" = /usr/share/man/man1/ouiscan.1 ] ||
  fail "man -w ouiscan: $(man -w ouiscan 2>&1)"
for f in /usr/share/bash-completion/completions/ouiscan /usr/share/doc/ouiscan/README.md; do
  [ -f "$f" ] || fail "missing $f"
done
echo "ok   installed with apt: ouiscan --version, a scan of the sample (tshark's addresses), man ouiscan"
apt-get remove -y ouiscan >/dev/null
trap - EXIT
[ ! -e /usr/bin/ouiscan ] || fail "/usr/bin/ouiscan is still there after apt-get remove"
echo "ok   removed"
