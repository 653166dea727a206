#!/bin/sh
# Test (suite fuzz): every planted bug of fuzz/mutants/ still applies to the
# tree, so scripts/mutants keeps working as the code changes.
#   check-apply.sh SOURCE_ROOT
set -eu
cd "$1"
n=0
for p in fuzz/mutants/*.patch; do
  if ! git apply --check "$p"; then
    echo "$p no longer applies: rebase it on the current code" >&2
    exit 1
  fi
  n=$((n + 1))
done
echo "check-apply: $n planted bugs apply"
