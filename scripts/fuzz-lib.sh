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
  echo "-Dfuzzing=true -Db_sanitize=address -Db_lundef=false"
}

# The option files of target $1: fuzz/libfuzzer.options, then the target's
# own fuzz/T.libfuzzer.options when it has one.
gs_fuzz_option_files() {
  echo fuzz/libfuzzer.options
  [ -f "fuzz/$1.libfuzzer.options" ] && echo "fuzz/$1.libfuzzer.options"
  return 0
}

# The libFuzzer options of one run of target $1 (not the budget, the corpus
# or where artifacts go): its option files, then its dictionary.
gs_fuzz_run_options() {
  local dict
  dict="fuzz/$(gs_fuzz_shared "$1").dict"
  # shellcheck disable=SC2046
  fuzz/libfuzzer-options.sh flags $(gs_fuzz_option_files "$1") || return 2
  [ -f "$dict" ] && echo "-dict=$dict"
  return 0
}

# ASan's options for fuzzing, unless the caller set ASAN_OPTIONS: those of
# the OSS-Fuzz / ClusterFuzzLite runner (its base-runner image; a 10 MB
# quarantine keeps the resident set small), stopping at the first report.
gs_fuzz_asan_options() {
  echo "alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:dedup_token_length=3:halt_on_error=1:abort_on_error=1"
}

# UBSan's, likewise.
gs_fuzz_ubsan_options() {
  echo "print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3:halt_on_error=1"
}

# Exports ASAN_OPTIONS and UBSAN_OPTIONS as fuzz-ci runs the targets (the
# runner's, above), keeping what the caller set. fuzz-ci, fuzz-bench and
# mutants call it, so each measures and fuzzes what fuzz-ci runs.
gs_fuzz_export_sanitizer_options() {
  export ASAN_OPTIONS="${ASAN_OPTIONS:-$(gs_fuzz_asan_options)}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-$(gs_fuzz_ubsan_options)}"
}

# The meson options of fuzz-ci's UBSan build (its second, smaller job: as
# OSS-Fuzz does, the two sanitizers are separate builds, so UBSan's checks
# do not slow down the ASan one).
gs_fuzz_setup_options_ubsan() {
  echo "-Dfuzzing=true -Db_sanitize=undefined -Db_lundef=false"
}
