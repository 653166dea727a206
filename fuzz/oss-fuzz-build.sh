#!/bin/bash -eu
# SPDX-License-Identifier: MIT
#
# Builds grantsim's fuzz targets the OSS-Fuzz / ClusterFuzzLite way: with the
# compiler and flags the service exports ($CC, $CFLAGS, $CXX, $CXXFLAGS,
# $LIB_FUZZING_ENGINE) into $OUT, each with its dictionary ($OUT/T.dict) and
# its seed corpus ($OUT/T_seed_corpus.zip: fuzz/seeds/T and fuzz/regress/T;
# for fuzz-scenario, scenarios/*.json but the schema, and fuzz/regress/T).
# No meson is needed: the sources are compiled directly.
#
# fuzz-scenario needs jansson and Unicorn 2 (found with pkg-config); without
# them it is skipped with a message and the other targets are still built.
# Their shared libraries are copied to $OUT/lib (the target's rpath), as the
# machines that run the fuzzers may not have them.
#
# Local check (libFuzzer + ASan):
#   CC=clang CXX=clang++ CFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" \
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out \
#   fuzz/oss-fuzz-build.sh

cd "$(dirname "$0")/.."
: "${OUT:?set OUT to the output directory}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (e.g. -fsanitize=fuzzer)}"
CC="${CC:-clang}"
CXX="${CXX:-clang++}"
CFLAGS="${CFLAGS:-}"
CXXFLAGS="${CXXFLAGS:-}"
WORK="${WORK:-$(mktemp -d)}"

obj="$WORK/grantsim-obj"
rm -rf "$obj"
mkdir -p "$obj" "$OUT"
flags="-std=c11 -D_DEFAULT_SOURCE -Isrc/core -Isrc/sim -Ifuzz"

# The libraries: the core, the loader (no Unicorn), the fuzz harness.
lib=()
for src in src/core/*.c src/sim/loader.c src/sim/thumb.c src/sim/script.c fuzz/decoder.c \
    fuzz/harness.c; do
  o="$obj/$(echo "$src" | tr / _).o"
  # shellcheck disable=SC2086
  $CC $CFLAGS $flags -c "$src" -o "$o"
  lib+=("$o")
done

# The dictionary and the seed corpus of target $1, whose seeds are the files
# given after it (and every file of fuzz/regress/$1).
finish() {
  local t="$1" f n=0
  shift
  cp "fuzz/$t.dict" "$OUT/$t.dict"
  rm -f "$OUT/${t}_seed_corpus.zip"
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

for t in fuzz-syscalls fuzz-grants fuzz-ipc fuzz-mpu fuzz-loader; do
  # shellcheck disable=SC2086
  $CC $CFLAGS $flags -c "fuzz/$t.c" -o "$obj/$t.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$obj/$t.o" "${lib[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$t"
  finish "$t" "fuzz/seeds/$t"/*
done

# fuzz-scenario: the scenario loader and runner (src/scenario) on the Unicorn
# machine (src/sim/board.c, machine.c). Its seeds are the bundled scenarios.
t=fuzz-scenario
if pkg-config --exists jansson 'unicorn >= 2'; then
  # shellcheck disable=SC2207
  scn_cflags=($(pkg-config --cflags jansson unicorn))
  # shellcheck disable=SC2207
  scn_libs=($(pkg-config --libs jansson unicorn))
  scn=()
  for src in src/sim/board.c src/sim/machine.c src/scenario/*.c "fuzz/$t.c"; do
    o="$obj/$(echo "$src" | tr / _).o"
    # shellcheck disable=SC2086
    $CC $CFLAGS $flags -Isrc/scenario "${scn_cflags[@]}" -c "$src" -o "$o"
    scn+=("$o")
  done
  # shellcheck disable=SC2086,SC2016
  $CXX $CXXFLAGS "${scn[@]}" "${lib[@]}" $LIB_FUZZING_ENGINE "${scn_libs[@]}" \
    -Wl,-rpath,'$ORIGIN/lib' -o "$OUT/$t"
  mkdir -p "$OUT/lib"
  for so in $(ldd "$OUT/$t" | awk '/lib(jansson|unicorn)/ { print $3 }'); do
    cp -L "$so" "$OUT/lib/"
  done
  seeds=()
  for f in scenarios/*.json; do
    [ "$(basename "$f")" = schema.json ] || seeds+=("$f")
  done
  finish "$t" "${seeds[@]}"
else
  echo "skipped $OUT/$t: needs jansson and Unicorn 2 (pkg-config jansson 'unicorn >= 2')" >&2
fi
