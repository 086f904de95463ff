# What the whole-run benchmarks share (sourced, not run): the interleaved timing loop with the
# page cache put in one known state before each round, and the median.
#
#   source bench/lib.sh
#   declare -A cmd=([a]="prog1 file" [b]="prog2 file"); order=(a b)
#   time_interleaved 5 "$capture"   # fills times[a], times[b] with "s1 s2 ..."
#   m=$(echo "${times[a]}" | median)

# Evicts FILE from the page cache, then reads it once whole: every round starts with the
# capture cached in full, not piecemeal (a cache filled piecemeal changes mmap readers' speed
# by up to 2.7x, and not equally for all of them).
evict_and_read() {
  dd if="$1" iflag=nocache count=0 status=none
  cat "$1" >/dev/null
}

# Runs every command of `order` (from the associative array `cmd`) once per round, RUNS rounds,
# appending each wall time in seconds to times[name] and its stderr to errors[name]. The
# CAPTUREs given are evicted and read before each round.
#
#   time_interleaved RUNS [CAPTURE...]
time_interleaved() {
  local runs=$1 i name start end err f
  shift
  declare -gA times errors
  err=$(mktemp)
  for ((i = 0; i < runs; i++)); do
    for f in "$@"; do evict_and_read "$f"; done
    for name in "${order[@]}"; do
      start=$(date +%s.%N)
      bash -c "${cmd[$name]}" >/dev/null 2>"$err"
      end=$(date +%s.%N)
      times[$name]+="$(echo "$end - $start" | bc) "
      errors[$name]+="$(cat "$err")"$'\n'
    done
  done
  rm -f "$err"
}

# The median over the rounds of times[A] / times[B], taken round by round.
median_ratio() {
  paste -d' ' <(echo "${times[$1]}" | tr ' ' '\n' | grep -v '^$') \
    <(echo "${times[$2]}" | tr ' ' '\n' | grep -v '^$') |
    awk '{print $1 / $2}' | tr '\n' ' ' | median
}

# The median of numbers separated by blanks on standard input.
median() {
  tr ' ' '\n' | grep -v '^$' | sort -g |
    awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
