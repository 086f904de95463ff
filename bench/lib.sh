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
# appending each wall time in seconds to times[name], the CPU seconds (user + system) of the
# command's processes to cpu[name], and its stderr to errors[name]. The CAPTUREs given are
# evicted and read before each round.
#
#   time_interleaved RUNS [CAPTURE...]
time_interleaved() {
  local runs=$1 i name start end err f
  shift
  declare -gA times cpu errors
  err=$(mktemp)
  for ((i = 0; i < runs; i++)); do
    for f in "$@"; do evict_and_read "$f"; done
    for name in "${order[@]}"; do
      # `times` (a builtin: no subshell) gives the CPU time of this shell's waited-for children
      # so far; the difference is the command's. A server started in the background is not
      # waited for, so it is not counted.
      times >"$err.cpu0"
      start=$(date +%s.%N)
      bash -c "${cmd[$name]}" >/dev/null 2>"$err"
      end=$(date +%s.%N)
      times >"$err.cpu1"
      times[$name]+="$(echo "$end - $start" | bc) "
      cpu[$name]+="$(echo "$(children_cpu "$err.cpu1") - $(children_cpu "$err.cpu0")" | bc) "
      errors[$name]+="$(cat "$err")"$'\n'
    done
  done
  rm -f "$err" "$err.cpu0" "$err.cpu1"
}

# User + system seconds of the children, from the second line of `times` ("0m1.5s 0m0.25s").
children_cpu() {
  sed -n 2p "$1" | tr 'ms' '  ' | awk '{print $1 * 60 + $2 + $3 * 60 + $4}'
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
