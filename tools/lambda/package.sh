#!/usr/bin/env bash
# Builds the Lambda package for the provided.al2023 runtime: `bootstrap`, the stripped
# ouiscan-lambda binary, every shared library it loads together with the glibc loader (this
# machine's glibc 2.36 is newer than Amazon Linux 2023's 2.34, so the function brings its own
# and starts through it), and a CA bundle (Amazon Linux keeps its own elsewhere).
# Usage: package.sh BINARY OUT.zip
set -euo pipefail
binary=$1
out=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
cp "$binary" "$stage/bin/ouiscan-lambda"
strip --strip-unneeded "$stage/bin/ouiscan-lambda"
loader=""
while read -r lib; do
  cp -L "$lib" "$stage/lib/"
  case "$lib" in */ld-linux*) loader=$(basename "$lib") ;; esac
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
[ -n "$loader" ] || { echo "package.sh: no dynamic loader found in ldd output" >&2; exit 1; }
cp -L /etc/ssl/certs/ca-certificates.crt "$stage/ca-bundle.crt"
cat > "$stage/bootstrap" <<SCRIPT
#!/bin/sh
# Starts ouiscan-lambda through the loader and libraries shipped beside it.
root=\${LAMBDA_TASK_ROOT:-\$(dirname "\$0")}
exec "\$root/lib/$loader" --library-path "\$root/lib" "\$root/bin/ouiscan-lambda" "\$@"
SCRIPT
chmod 755 "$stage/bootstrap" "$stage/bin/ouiscan-lambda" "$stage/lib/$loader"
rm -f "$out"
(cd "$stage" && python3 - "$out" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for root, dirs, files in sorted(os.walk(".")):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, "."))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read(), compresslevel=9)
PY
)
echo "package.sh: $out: $(stat -c %s "$out") bytes ($(ls "$stage/lib" | wc -l) libraries, loader $loader)"
