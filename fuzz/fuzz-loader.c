/* SPDX-License-Identifier: MIT */
/*
 * fuzz-loader: every parser of src/sim/loader.h on arbitrary bytes
 * (gs_loader_fuzz_one): TBF header and footers, the flash scan, ELF to
 * image and the TBF round trip. Oracles: ASan/UBSan and the round-trip
 * abort inside gs_loader_fuzz_one.
 */
#include "fuzz.h"
#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return gs_loader_fuzz_one(data, size);
}
