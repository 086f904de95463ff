#!/usr/bin/env bash
# Whether two ouiscan builds give the same JSON for every capture: the corpus (../shared/corpus
# when present) and any files given, with the timing and memory fields removed (seconds,
# stages, throughput, memory), which differ from run to run. For refactors that must not change
# behaviour.
#
#   bench/same_json.sh OLD_OUISCAN NEW_OUISCAN [CAPTURE ...]
set -euo pipefail
old=$1 new=$2
shift 2
corpus=${CORPUS_DIR:-$(dirname "$0")/../../shared/corpus}
files=("$@")
if [ -d "$corpus/captures" ]; then
  mapfile -t -O "${#files[@]}" files < <(find "$corpus/captures" -type f | sort)
fi
strip='import json, sys
d = json.load(sys.stdin)
for k in ("seconds", "stages", "throughput", "memory"):
    d["summary"].pop(k, None)
print(json.dumps(d, sort_keys=True))'
same=0 differ=0
for f in "${files[@]}"; do
  a=$("$old" -q -f json --no-progress "$f" 2>/dev/null | python3 -c "$strip" || true)
  b=$("$new" -q -f json --no-progress "$f" 2>/dev/null | python3 -c "$strip" || true)
  if [ "$a" == "$b" ]; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "differs: $f"
  fi
done
echo "$same identical, $differ different (of ${#files[@]} captures)"
[ "$differ" -eq 0 ]
