# bash completion for ouiscan. Options are read from the program's own --help, so they never
# fall out of step with it; subcommands, formats, sort keys and interfaces are known here.
_ouiscan() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
  fi
  local prog=${words[0]} sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      lookup | db | diff | merge | plan) sub=${words[i]}; [ "$sub" = db ] && [ $((i + 1)) -lt "$cword" ] && sub="db ${words[i + 1]}"; break ;;
    esac
  done
  case $prev in
    -f | --format) mapfile -t COMPREPLY < <(compgen -W "table json jsonl csv ethers html" -- "$cur"); return ;;
    --sort) mapfile -t COMPREPLY < <(compgen -W "frames bytes address vendor first_seen" -- "$cur"); return ;;
    --api) mapfile -t COMPREPLY < <(compgen -W "macvendors maclookup" -- "$cur"); return ;;
    -i | --interface)
      mapfile -t COMPREPLY < <(compgen -W "$("$prog" -D 2>/dev/null | sed -n 's/^[0-9]*\.\([^ ]*\).*/\1/p')" -- "$cur")
      return ;;
    -r | -o | --output | -F | -w | --db | --ca-file | --diff | --api-cache | --from | \
      --manuf | --names)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    -j | --threads | -c | --count | --top | --duration | --chunk-size | --range | --headers | \
      --since | --until | --max-addresses | --s3-endpoint | --s3-region | --max-bytes | \
      --s3-part-size | --s3-parts | --api-url | --api-rate | --api-budget | --filter | \
      --parts | --part-size | --url-base | --date | --timeout | --retries)
      return ;;  # a value of the user's own
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$("$prog" $sub --help 2>/dev/null |
      grep -oE '(^|[ ,])--?[[:alnum:]][-[:alnum:]]*' | tr -d ' ,' | sort -u)" -- "$cur")
    return
  fi
  case $sub in
    "") mapfile -t COMPREPLY < <(compgen -W "lookup db diff merge plan" -- "$cur")
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur") ;;
    db) mapfile -t COMPREPLY < <(compgen -W "info update" -- "$cur") ;;
    lookup) ;;
    *) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
  esac
}
complete -o filenames -F _ouiscan ouiscan
