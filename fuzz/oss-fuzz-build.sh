#!/bin/bash -eu
# SPDX-License-Identifier: MIT
#
# Builds grantsim's fuzz targets the OSS-Fuzz / ClusterFuzzLite way: with the
# compiler and flags the service exports ($CC, $CFLAGS, $CXX, $CXXFLAGS,
# $LIB_FUZZING_ENGINE) into $OUT, each with its dictionary ($OUT/T.dict) and
# its seed corpus ($OUT/T_seed_corpus.zip: fuzz/seeds/T and fuzz/regress/T).
# No meson is needed: the sources are compiled directly.
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

for t in fuzz-syscalls fuzz-grants fuzz-ipc fuzz-mpu fuzz-loader; do
  # shellcheck disable=SC2086
  $CC $CFLAGS $flags -c "fuzz/$t.c" -o "$obj/$t.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$obj/$t.o" "${lib[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$t"
  cp "fuzz/$t.dict" "$OUT/$t.dict"
  rm -f "$OUT/${t}_seed_corpus.zip"
  rm -rf "$obj/corpus-$t"
  mkdir -p "$obj/corpus-$t"
  n=0
  for kind in seeds regress; do
    if [ -d "fuzz/$kind/$t" ]; then
      for f in "fuzz/$kind/$t"/*; do
        [ -f "$f" ] || continue
        cp "$f" "$obj/corpus-$t/$kind-$(basename "$f")"
        n=$((n + 1))
      done
    fi
  done
  if [ "$n" -gt 0 ]; then
    zip -q -j "$OUT/${t}_seed_corpus.zip" "$obj/corpus-$t"/*
  fi
  echo "built $OUT/$t ($n seed inputs)"
done
