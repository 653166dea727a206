#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds grantsim's seven fuzz targets the OSS-Fuzz / ClusterFuzzLite way:
#
#   OUT=DIR LIB_FUZZING_ENGINE=-fsanitize=fuzzer [CC=clang] [CXX=clang++] \
#     [CFLAGS=...] [CXXFLAGS=...] [WORK=DIR] fuzz/oss-fuzz-build.sh
#
# with the compiler and flags the service exports ($CC $CFLAGS for the
# sources, $CXX $CXXFLAGS $LIB_FUZZING_ENGINE for the links), into $OUT:
#
#   $OUT/T                  the libFuzzer binary
#   $OUT/T.options          fuzz/libfuzzer.options as an OSS-Fuzz INI file
#                           ([libfuzzer], name = value, dict = T.dict)
#   $OUT/T.dict             the target's dictionary
#   $OUT/T_seed_corpus.zip  its seeds and fuzz/regress/T
#
# for T in fuzz-syscalls fuzz-grants fuzz-ipc fuzz-mpu fuzz-loader (the core
# and the loader) and fuzz-machine fuzz-scenario (the Cortex-M machine:
# jansson and Unicorn 2, found with pkg-config; without them the build
# fails). The sources and the libraries they form are those of the meson
# build (src/*/meson.build, fuzz/meson.build): keep the two in step. Objects
# go to $WORK/grantsim-obj (a temporary directory when WORK is not set).
#
# Coverage: when $CFLAGS asks for libFuzzer's instrumentation
# (-fsanitize=fuzzer-no-link, as the service's libFuzzer builds do), the
# sources are compiled with -fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt,
# as the meson fuzzing build compiles them; fuzz/check-ignorelist.sh checks
# the objects. Shared libraries the targets need that the machines running
# them may lack (jansson; Unicorn when it is not static) are copied to
# $OUT/lib, the targets' rpath.
#
# Seeds: fuzz/seeds/T; fuzz-machine decodes as fuzz-syscalls and shares its
# seeds and dictionary; fuzz-scenario's seeds are scenarios/*.json but the
# schema. scripts/cfl-check runs this script as the service would and checks
# what it built.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$PWD"
: "${OUT:?set OUT to the output directory}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (e.g. -fsanitize=fuzzer)}"
CC="${CC:-clang}"
CXX="${CXX:-clang++}"
CFLAGS="${CFLAGS:-}"
CXXFLAGS="${CXXFLAGS:-}"
WORK="${WORK:-$(mktemp -d)}"
AR="${AR:-ar}"

obj="$WORK/grantsim-obj"
rm -rf "$obj"
mkdir -p "$obj" "$OUT"

# What every source gets besides $CFLAGS (the meson build's project
# arguments; its warnings are left out).
flags=(-std=c11 -D_DEFAULT_SOURCE -Isrc/core -Isrc/report -Isrc/sim -Isrc/scenario -Isrc/prog
  -Ifuzz)
case " $CFLAGS " in
  *fuzzer-no-link*)
    flags+=("-fsanitize-coverage-ignorelist=$root/fuzz/coverage-ignore.txt")
    flags+=("-fsanitize-ignorelist=$root/fuzz/sanitize-ignore.txt")
    ;;
esac
if ! pkg-config --exists jansson 'unicorn >= 2'; then
  echo "oss-fuzz-build: fuzz-machine and fuzz-scenario need jansson and Unicorn 2" \
    "(pkg-config jansson 'unicorn >= 2')" >&2
  exit 1
fi
# shellcheck disable=SC2207
flags+=($(pkg-config --cflags jansson unicorn))
# --static: a static libunicorn needs its private libraries (-lpthread -lm).
# shellcheck disable=SC2207
machine_libs=($(pkg-config --libs --static jansson unicorn))

# Compiles the sources given after the archive name $1 into $obj/$1.a.
archive() {
  local a="$1" src o objs=()
  shift
  for src in "$@"; do
    o="$obj/$(echo "$src" | tr / _).o"
    # shellcheck disable=SC2086
    $CC $CFLAGS "${flags[@]}" -c "$src" -o "$o"
    objs+=("$o")
  done
  rm -f "$obj/$a.a"
  "$AR" rcs "$obj/$a.a" "${objs[@]}"
}

# The libraries, as meson forms them: src/core/meson.build (every .c of
# src/core), src/report/meson.build (every .c of src/report: the layout
# renderers the scenario reports print), src/sim/meson.build (gssim_base,
# gssim), src/scenario/meson.build (every .c of src/scenario),
# src/prog/meson.build (gsprog, gsprogscn; repro.c, meson's gsrepro, goes
# with prog-scenario.c here: no target links it, and
# fuzz/check-ignorelist.sh wants an object for every ignorelist entry),
# fuzz/meson.build (gsfuzzharness).
archive gscore src/core/*.c
archive gsreport src/report/*.c
archive gssim_base src/sim/thumb.c src/sim/script.c src/sim/loader.c
archive gsprog src/prog/decoder.c src/prog/prog-run.c
archive gsfuzzharness fuzz/harness.c
archive gssim src/sim/board.c src/sim/machine.c
archive gsscn src/scenario/*.c
archive gsprogscn src/prog/prog-scenario.c src/prog/repro.c

# The scenario layer again, without coverage, for fuzz-machine (meson's
# gsscn_plain, src/scenario/meson.build): plumbing there, fuzzed only by
# fuzz-scenario. Objects named plain-* (fuzz/check-ignorelist.sh knows them).
plain_flags=()
case " $CFLAGS " in
  *fuzzer-no-link*) plain_flags=(-fno-sanitize=fuzzer-no-link) ;;
esac
plain_objs=()
for src in src/scenario/*.c; do
  o="$obj/plain-$(echo "$src" | tr / _).o"
  # shellcheck disable=SC2086
  $CC $CFLAGS "${flags[@]}" "${plain_flags[@]}" -c "$src" -o "$o"
  plain_objs+=("$o")
done
rm -f "$obj/gsscn_plain.a"
"$AR" rcs "$obj/gsscn_plain.a" "${plain_objs[@]}"

# Links target $1 from fuzz/$1.c and the archives given after it (most
# dependent first); the machine targets also get jansson and Unicorn.
link() {
  local t="$1" a libs=() extra=()
  shift
  for a in "$@"; do
    libs+=("$obj/$a.a")
  done
  case " $* " in
    *" gssim "*)
      extra=("${machine_libs[@]}")
      # shellcheck disable=SC2016
      extra+=('-Wl,-rpath,$ORIGIN/lib')
      ;;
  esac
  # shellcheck disable=SC2086
  $CC $CFLAGS "${flags[@]}" -c "fuzz/$t.c" -o "$obj/$t.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$obj/$t.o" "${libs[@]}" $LIB_FUZZING_ENGINE "${extra[@]}" -o "$OUT/$t"
}

# Writes target $1's options, dictionary (fuzz/$2.dict, when there is one)
# and seed corpus: the files given after $2, and every file of fuzz/regress/$1.
finish() {
  local t="$1" dict="$2" f n=0
  shift 2
  rm -f "$OUT/$t.dict" "$OUT/${t}_seed_corpus.zip"
  optfiles=(fuzz/libfuzzer.options)
  [ -f "fuzz/$t.libfuzzer.options" ] && optfiles+=("fuzz/$t.libfuzzer.options")
  if [ -f "fuzz/$dict.dict" ]; then
    cp "fuzz/$dict.dict" "$OUT/$t.dict"
    fuzz/libfuzzer-options.sh ini "$t.dict" "${optfiles[@]}" >"$OUT/$t.options"
  else
    fuzz/libfuzzer-options.sh ini - "${optfiles[@]}" >"$OUT/$t.options"
  fi
  rm -rf "$obj/corpus-$t"
  mkdir -p "$obj/corpus-$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$obj/corpus-$t/seeds-$(basename "$f")"
    n=$((n + 1))
  done
  if [ -d "fuzz/regress/$t" ]; then
    for f in "fuzz/regress/$t"/*; do
      [ -f "$f" ] || continue
      cp "$f" "$obj/corpus-$t/regress-$(basename "$f")"
      n=$((n + 1))
    done
  fi
  if [ "$n" -gt 0 ]; then
    zip -q -j "$OUT/${t}_seed_corpus.zip" "$obj/corpus-$t"/*
  fi
  echo "built $OUT/$t ($n seed inputs)"
}

for t in fuzz-syscalls fuzz-grants fuzz-ipc fuzz-mpu; do
  link "$t" gsfuzzharness gsprog gscore
  finish "$t" "$t" "fuzz/seeds/$t"/*
done
link fuzz-loader gssim_base gscore
finish fuzz-loader fuzz-loader fuzz/seeds/fuzz-loader/*

# fuzz-syscalls' programs on the Cortex-M machine, as scenarios.
link fuzz-machine gsprogscn gsfuzzharness gsprog gsscn_plain gsreport gssim gssim_base gscore
finish fuzz-machine fuzz-syscalls fuzz/seeds/fuzz-syscalls/*

# The scenario loader and runner on scenario text; its seeds are the bundled
# scenarios.
link fuzz-scenario gsscn gsreport gssim gssim_base gscore
seeds=()
for f in scenarios/*.json; do
  [ "$(basename "$f")" = schema.json ] || seeds+=("$f")
done
finish fuzz-scenario fuzz-scenario "${seeds[@]}"

# The shared libraries of the machine targets that are not on every machine.
for so in $(ldd "$OUT/fuzz-machine" "$OUT/fuzz-scenario" |
  awk '/lib(jansson|unicorn)/ { print $3 }' | sort -u); do
  mkdir -p "$OUT/lib"
  cp -L "$so" "$OUT/lib/"
done
