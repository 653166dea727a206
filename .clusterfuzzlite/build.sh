#!/usr/bin/env bash
# ClusterFuzzLite / OSS-Fuzz entry point (run by the builder's compile with
# $CC $CFLAGS $LIB_FUZZING_ENGINE $OUT ... set): the build lives in the
# repository, fuzz/oss-fuzz-build.sh.
#   $SRC/build.sh
set -euo pipefail
exec "$SRC/grantsim/fuzz/oss-fuzz-build.sh"
