#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz entry point: the build lives in the repository.
exec "$SRC/grantsim/fuzz/oss-fuzz-build.sh"
