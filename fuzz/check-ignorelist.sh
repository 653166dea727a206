#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Checks that libFuzzer's coverage ignorelist (fuzz/coverage-ignore.txt) was
# applied to the objects of a fuzzing build, whichever build compiled them:
#
#   fuzz/check-ignorelist.sh [--list FILE] [-v] DIR|OBJECT...
#
#   --list  the ignorelist (default: coverage-ignore.txt next to this script)
#   -v      print one line per object checked
#
# DIR is searched for *.o: a meson fuzzing build (-Dfuzzing=true), or the
# $WORK/grantsim-obj directory of fuzz/oss-fuzz-build.sh. Each object's
# source file is read from its debug information (both builds compile with
# -g or -gline-tables-only) and named relative to the source tree. Then:
#
#   - every "src:" pattern must match the same files whether a build names
#     them src/core/tmem.c (oss-fuzz-build.sh, from the tree), ../src/core/tmem.c
#     (meson, from a build directory inside it) or /any/dir/src/core/tmem.c,
#     so that the compiler applies it in every build (write "src:*src/...");
#   - every "src:" pattern must match at least one object's source;
#   - an object whose source a "src:" pattern matches must carry no
#     sanitizer-coverage instrumentation: no __sancov_cntrs section (the
#     inline 8-bit counters) and no reference to a __sanitizer_cov_* hook
#     (trace-cmp, indirect calls);
#   - every other object must carry it (which also shows that the objects
#     were built for libFuzzer, -fsanitize=fuzzer-no-link, at all);
#   - an object of a library built on purpose without coverage (meson's
#     lib*_plain.a, the plain-*.o of fuzz/oss-fuzz-build.sh) must carry none;
#   - a function that a "fun:" pattern names and that is compiled out of
#     line in an instrumented object must have no counter update and no hook
#     call in its code (relocations against __sancov_cntrs or
#     __sanitizer_cov_*), while the object's other functions have some. A
#     "fun:" function inlined everywhere has no code of its own to check;
#   - in a build with AddressSanitizer, an object whose source a "src:"
#     pattern of the [address] section of the sanitizer ignorelist
#     (fuzz/sanitize-ignore.txt, --asan-list) matches must have no ASan
#     check (call of __asan_report_* or __asan_load/store*) that the line
#     table puts on that source's own lines (code inlined from a header is
#     the header's), and each such pattern must match some object (the
#     same path rule holds).
#
# Objects for another machine than the fuzz targets' (the Cortex-M apps) and
# objects whose source lies outside the tree are skipped. Any other line of
# the ignorelist than a "src:" or "fun:" entry, a comment or a blank line is
# an error. Exit 0 when every check holds, 1 when one fails (each failure is
# printed), 2 for usage errors or missing tools (binutils, llvm-dwarfdump:
# scripts/setup installs them).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd -P)"
list="$here/coverage-ignore.txt"
asan_list="$here/sanitize-ignore.txt"
verbose=0
paths=()

usage() {
  awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$0" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --list) list="${2:-}"; shift 2 || usage ;;
    --asan-list) asan_list="${2:-}"; shift 2 || usage ;;
    -v) verbose=1; shift ;;
    -h | --help) usage ;;
    -*) echo "check-ignorelist: unknown option: $1" >&2; usage ;;
    *) paths+=("$1"); shift ;;
  esac
done
[ ${#paths[@]} -gt 0 ] || usage
[ -f "$list" ] || { echo "check-ignorelist: no such ignorelist: $list" >&2; exit 2; }
for tool in readelf objdump nm llvm-dwarfdump; do
  if ! command -v "$tool" >/dev/null; then
    echo "check-ignorelist: $tool is missing (scripts/setup installs it)" >&2
    exit 2
  fi
done

# The ignorelist's entries.
src_pats=()
fun_pats=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line="${line%"${line##*[![:space:]]}"}"
  case "$line" in
    '' | '#'*) ;;
    src:*) src_pats+=("${line#src:}") ;;
    fun:*) fun_pats+=("${line#fun:}") ;;
    *)
      echo "check-ignorelist: $list:$n: not a src: or fun: entry: $line" >&2
      exit 2
      ;;
  esac
done <"$list"

# The [address] section of the sanitizer ignorelist (other sections: not ours to check).
asan_pats=()
if [ -f "$asan_list" ]; then
  section=""
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line="${line%"${line##*[![:space:]]}"}"
    case "$line" in
      '' | '#'*) ;;
      '['*']') section="$line" ;;
      src:*) [ "$section" = "[address]" ] && asan_pats+=("${line#src:}") ;;
      *)
        echo "check-ignorelist: $asan_list:$n: not a section, src: entry or comment: $line" >&2
        exit 2
        ;;
    esac
  done <"$asan_list"
fi

objects=()
for p in "${paths[@]}"; do
  if [ -d "$p" ]; then
    while IFS= read -r -d '' o; do
      objects+=("$o")
    done < <(find "$p" -name '*.o' -type f -print0 | sort -z)
  elif [ -f "$p" ]; then
    objects+=("$p")
  else
    echo "check-ignorelist: no such file or directory: $p" >&2
    exit 2
  fi
done

failures=0
fail() {
  echo "check-ignorelist: FAIL: $*"
  failures=$((failures + 1))
}

# Whether glob $1 (the ignorelist's syntax: * matches any characters,
# slashes too) matches string $2.
matches() {
  # shellcheck disable=SC2053
  [[ "$2" == $1 ]]
}

# The source file of object $1 relative to the tree ("" when outside it),
# from its first compile unit's DW_AT_name and DW_AT_comp_dir.
source_of() {
  local info name dir abs
  info=$(llvm-dwarfdump --debug-info "$1" 2>/dev/null) || return 1
  name=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*DW_AT_name[[:space:]]*("\(.*\)")$/\1/p' | head -1)
  dir=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*DW_AT_comp_dir[[:space:]]*("\(.*\)")$/\1/p' | head -1)
  [ -n "$name" ] || return 1
  case "$name" in
    /*) abs="$name" ;;
    *) abs="$dir/$name" ;;
  esac
  abs=$(realpath -m "$abs")
  case "$abs" in
    "$root"/*) echo "${abs#"$root"/}" ;;
    *) echo "" ;;
  esac
}

# Whether object $1 carries sanitizer-coverage instrumentation.
instrumented() {
  objdump -h "$1" | awk '$2 == "__sancov_cntrs" { found = 1 } END { exit !found }' ||
    nm -u "$1" | grep -q ' __sanitizer_cov_'
}

# "COUNT FUNCTION" for each function of object $1: how many relocations
# against the counters or the coverage hooks its code has.
coverage_per_function() {
  objdump -d -r --no-show-raw-insn "$1" | awk '
    /^[0-9a-f]+ <.*>:$/ { f = substr($2, 2, length($2) - 3); n[f] += 0; next }
    /R_[A-Z0-9_]+[ \t]+(__sancov_cntrs|__sanitizer_cov_)/ { n[f]++ }
    END { for (f in n) print n[f], f }'
}

machine=""
checked=0
ignored=0
plain=0
funs_checked=0
declare -A src_hits=() asan_hits=()
asan_build=0
asan_ignored=0
for o in "${objects[@]}"; do
  m=$(readelf -h "$o" 2>/dev/null | sed -n 's/^ *Machine: *//p')
  if [ -z "$m" ]; then
    fail "$o: not an ELF object"
    continue
  fi
  # The guest apps are Cortex-M code (arm-none-eabi-gcc), never a fuzz target.
  if [ "$m" = ARM ]; then
    [ "$verbose" = 0 ] || echo "  skip   $o (ARM)"
    continue
  fi
  if [ -z "$machine" ]; then
    machine="$m"
  elif [ "$m" != "$machine" ]; then
    fail "$o: built for $m, the others for $machine"
    continue
  fi
  if ! rel=$(source_of "$o"); then
    fail "$o: no debug information, so its source file is unknown (build with -g or -gline-tables-only)"
    continue
  fi
  if [ -z "$rel" ]; then
    [ "$verbose" = 0 ] || echo "  skip   $o (source outside the tree)"
    continue
  fi
  checked=$((checked + 1))

  # AddressSanitizer's ignorelist, in a build with ASan.
  if nm -u "$o" | grep -q ' __asan_init'; then
    asan_build=1
    for pat in "${asan_pats[@]}"; do
      a=0 b=0 c=0
      matches "$pat" "$rel" && a=1
      matches "$pat" "../$rel" && b=1
      matches "$pat" "/any/dir/$rel" && c=1
      if [ "$a$b$c" != 000 ] && [ "$a$b$c" != 111 ]; then
        fail "[address] src:$pat matches $rel only as some builds name it; write it as src:*$rel"
      fi
      [ "$a" = 1 ] || continue
      asan_hits["$pat"]=1
      asan_ignored=$((asan_ignored + 1))
      # Checks inlined from headers (their functions are not the source's) are
      # attributed to the header by the line table: only the source's own count.
      own=$(objdump -d -r -l "$o" | awk -v src="/$rel" '
        /^\// { f = $1; sub(/:[0-9]+.*$/, "", f); next }
        /R_[A-Z0-9_]+[ \t]+__asan_(report_|load|store)/ {
          if (substr(f, length(f) - length(src) + 1) == src) n++ }
        END { print n + 0 }')
      if [ "$own" -gt 0 ]; then
        fail "$o ($rel): ASan-ignored by src:$pat, but $own ASan checks come from its own lines"
      fi
    done
  fi

  # Which src: patterns match, and do they match the same in every naming?
  hit=""
  for pat in "${src_pats[@]}"; do
    a=0 b=0 c=0
    matches "$pat" "$rel" && a=1
    matches "$pat" "../$rel" && b=1
    matches "$pat" "/any/dir/$rel" && c=1
    if [ "$a$b$c" != 000 ] && [ "$a$b$c" != 111 ]; then
      fail "src:$pat matches $rel only as some builds name it" \
        "(as $rel: $a, as ../$rel: $b, as /any/dir/$rel: $c); write it as src:*$rel"
    fi
    if [ "$a" = 1 ]; then
      hit="$pat"
      src_hits["$pat"]=1
    fi
  done

  # A library built on purpose without coverage (meson's lib*_plain.a, the
  # plain- objects of oss-fuzz-build.sh: the scenario layer fuzz-machine
  # links) must have none, whatever the ignorelist says of its sources.
  case "$o" in
    *_plain.a.p/* | */plain-*)
      plain=$((plain + 1))
      if instrumented "$o"; then
        fail "$o ($rel): a plain (uninstrumented) library's object has coverage instrumentation"
      else
        [ "$verbose" = 0 ] || echo "  ok     $rel: plain copy, no coverage instrumentation"
      fi
      continue
      ;;
  esac
  if [ -n "$hit" ]; then
    ignored=$((ignored + 1))
    if instrumented "$o"; then
      fail "$o ($rel): ignored by src:$hit, but it has coverage instrumentation"
    else
      [ "$verbose" = 0 ] || echo "  ok     $rel: ignored, no coverage instrumentation"
    fi
    continue
  fi
  if ! instrumented "$o"; then
    fail "$o ($rel): not ignored, but it has no coverage instrumentation" \
      "(built without -fsanitize=fuzzer-no-link?)"
    continue
  fi
  [ "$verbose" = 0 ] || echo "  ok     $rel: instrumented"

  # fun: entries compiled out of line in this object.
  [ ${#fun_pats[@]} -gt 0 ] || continue
  defined=$(nm --defined-only "$o" | awk '$2 ~ /^[TtWw]$/ { print $3 }')
  wanted=()
  for f in $defined; do
    for pat in "${fun_pats[@]}"; do
      if matches "$pat" "$f"; then
        wanted+=("$f")
        break
      fi
    done
  done
  [ ${#wanted[@]} -gt 0 ] || continue
  per_function=$(coverage_per_function "$o")
  others=$(printf '%s\n' "$per_function" | awk -v skip=" ${wanted[*]} " \
    'index(skip, " " $2 " ") == 0 && $1 > 0 { n++ } END { print n + 0 }')
  if [ "$others" -eq 0 ]; then
    fail "$o ($rel): no function shows coverage relocations, so the fun: check cannot tell"
  fi
  for f in "${wanted[@]}"; do
    count=$(printf '%s\n' "$per_function" | awk -v f="$f" '$2 == f { print $1 }')
    funs_checked=$((funs_checked + 1))
    if [ "${count:-0}" -gt 0 ]; then
      fail "$o ($rel): function $f is ignored (fun:), but its code has $count coverage relocations"
    else
      [ "$verbose" = 0 ] || echo "  ok     $rel: $f (fun:) has no coverage instrumentation"
    fi
  done
done

if [ "$checked" -eq 0 ]; then
  fail "no object of the tree found under ${paths[*]}"
fi
for pat in "${src_pats[@]}"; do
  if [ -z "${src_hits[$pat]:-}" ]; then
    fail "src:$pat matches none of the $checked objects' sources"
  fi
done
if [ "$asan_build" = 1 ]; then
  for pat in "${asan_pats[@]}"; do
    if [ -z "${asan_hits[$pat]:-}" ]; then
      fail "[address] src:$pat matches none of the $checked objects' sources"
    fi
  done
fi

if [ "$failures" -gt 0 ]; then
  echo "check-ignorelist: $failures failure(s)"
  exit 1
fi
echo "check-ignorelist: $checked objects: $ignored ignored (${#src_pats[@]} src: entries)" \
  "and uninstrumented, $plain of plain libraries uninstrumented," \
  "$((checked - ignored - plain)) instrumented; $funs_checked out-of-line" \
  "function(s) of ${#fun_pats[@]} fun: entries uninstrumented;" \
  "$( [ "$asan_build" = 1 ] && echo "$asan_ignored without ASan checks (${#asan_pats[@]} [address] entries)" || echo "no ASan")"
