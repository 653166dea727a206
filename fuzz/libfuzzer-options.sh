#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Prints the libFuzzer options of fuzz/libfuzzer.options (the one source of
# them for scripts/fuzz-ci and fuzz/oss-fuzz-build.sh) in the form a consumer
# needs:
#
#   fuzz/libfuzzer-options.sh flags [FILE...]
#       one "-name=value" a line, for a libFuzzer command line
#   fuzz/libfuzzer-options.sh ini DICT [FILE...]
#       an OSS-Fuzz / ClusterFuzzLite <target>.options file: "[libfuzzer]",
#       then "name = value" a line, then "dict = DICT" (DICT "-": none)
#
# FILE defaults to libfuzzer.options next to this script; several FILEs are
# read in order as one list (a target's own options file, fuzz/T.libfuzzer.options,
# adds to the shared one; a name may still be given only once). Their format is
# described at its top: "-name=value" lines, # comments, blank lines. A line
# that is not of that form, a name given twice, or -dict (dictionaries are per
# target) is an error: FILE:LINE: message on stderr, exit 2, nothing printed.
# The names are lower case (as libFuzzer's are; OSS-Fuzz's INI parser would
# fold them), the values have no white space (OSS-Fuzz joins them into one
# command line) and no '%' (its INI parser would interpolate it).
set -euo pipefail

usage() {
  awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0" >&2
  exit 2
}

mode="${1:-}"
case "$mode" in
  flags) shift ;;
  ini)
    [ $# -ge 2 ] || usage
    dict="$2"
    shift 2
    ;;
  *) usage ;;
esac
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$(dirname "$0")/libfuzzer.options")
for file in "${files[@]}"; do
  [ -f "$file" ] || { echo "libfuzzer-options: no such file: $file" >&2; exit 2; }
done

names=()
values=()
for file in "${files[@]}"; do
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    # Trailing white space (and a CR) is not part of the value.
    line="${line%"${line##*[![:space:]]}"}"
    case "$line" in
      '' | '#'*) continue ;;
    esac
    if ! [[ "$line" =~ ^-([a-z_][a-z0-9_]*)=([^[:space:]%]+)$ ]]; then
      echo "$file:$n: not a libFuzzer option of the form -name=value: $line" >&2
      exit 2
    fi
    name="${BASH_REMATCH[1]}"
    if [ "$name" = dict ]; then
      echo "$file:$n: -dict is per target (fuzz/<target>.dict), not an option for all" >&2
      exit 2
    fi
    for seen in "${names[@]}"; do
      if [ "$seen" = "$name" ]; then
        echo "$file:$n: -$name is given twice" >&2
        exit 2
      fi
    done
    names+=("$name")
    values+=("${BASH_REMATCH[2]}")
  done <"$file"
done

if [ "$mode" = ini ]; then
  echo "[libfuzzer]"
fi
for i in "${!names[@]}"; do
  if [ "$mode" = flags ]; then
    printf -- '-%s=%s\n' "${names[$i]}" "${values[$i]}"
  else
    printf '%s = %s\n' "${names[$i]}" "${values[$i]}"
  fi
done
if [ "$mode" = ini ] && [ "$dict" != - ]; then
  printf 'dict = %s\n' "$dict"
fi
