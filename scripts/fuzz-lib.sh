# Sourced by the fuzzing scripts (fuzz-ci, fuzz-bench, mutants): what the
# targets are, where each one's stored inputs and dictionary live, and the
# options of the libFuzzer build and of a libFuzzer run, so that every
# script fuzzes a target exactly the way fuzz-ci does.

# Every fuzz target, in fuzz-ci's order.
GS_FUZZ_TARGETS="fuzz-syscalls fuzz-grants fuzz-ipc fuzz-mpu fuzz-loader fuzz-machine fuzz-scenario"

# The target whose seeds and dictionary target $1 uses (fuzz-machine decodes
# its input as fuzz-syscalls does).
gs_fuzz_shared() {
  case "$1" in
    fuzz-machine) echo fuzz-syscalls ;;
    *) echo "$1" ;;
  esac
}

# The seed directory of target $1 (fuzz-scenario's seeds are the bundled
# scenario files).
gs_fuzz_seed_dir() {
  case "$1" in
    fuzz-scenario) echo scenarios ;;
    *) echo "fuzz/seeds/$(gs_fuzz_shared "$1")" ;;
  esac
}

# The stored inputs of target $1: its seed directory and fuzz/regress/$1
# when it exists (directories, as libFuzzer and the replay programs take them).
gs_fuzz_inputs() {
  local d
  for d in "$(gs_fuzz_seed_dir "$1")" "fuzz/regress/$1"; do
    [ -d "$d" ] && printf '%s\n' "$d"
  done
}

# The meson options of the libFuzzer build fuzz-ci configures (with CC=clang).
gs_fuzz_setup_options() {
  echo "-Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false"
}

# The libFuzzer options of one run of target $1 (not the budget, the corpus
# or where artifacts go): fuzz/libfuzzer.options, then the dictionary.
gs_fuzz_run_options() {
  local dict
  dict="fuzz/$(gs_fuzz_shared "$1").dict"
  echo "-timeout=10 -rss_limit_mb=2048"
  [ -f "$dict" ] && echo "-dict=$dict"
}

# The meson options of fuzz-ci's UBSan build (its second, smaller job).
gs_fuzz_setup_options_ubsan() {
  echo "-Dfuzzing=true -Db_sanitize=undefined -Db_lundef=false"
}
