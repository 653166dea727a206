/* SPDX-License-Identifier: MIT */
/*
 * tab.h - Tock Application Bundles (TAB): what elf2tab writes and tockloader
 * installs. A TAB is a POSIX tar archive of one TBF per architecture
 * ("cortex-m4.tbf", "cortex-m0.tbf", ...; fixed-address builds add their
 * addresses: "cortex-m4.0x00040000.0x20008000.tbf") and a metadata.toml
 * (tab-version, name, minimum-tock-kernel-version...). See elf2tab's
 * src/main.rs (the archive it builds) and tockloader's tab.py (how it
 * picks a TBF for a board's architecture).
 *
 * The archive is read and written with libarchive. Reading never trusts the
 * archive: sizes are bounded, only regular files are looked at, and a bad
 * archive is an error with libarchive's own message.
 */
#ifndef GS_TAB_H
#define GS_TAB_H

#include <stddef.h>
#include <stdint.h>

#define GS_TAB_DEFAULT_ARCH "cortex-m4"
#define GS_TAB_MAX_TBF      (4u << 20) /* 4 MiB: more than any board's app flash here */
#define GS_TAB_MAX_ENTRIES  256u

/*
 * Takes the TBF for `arch` (NULL: GS_TAB_DEFAULT_ARCH) out of the TAB in
 * tar[0, len): the member named "ARCH.tbf", else the first member named
 * "ARCH.*.tbf" (a fixed-address build) in archive order. On success *tbf is
 * a malloc'd copy (free it), *tbf_len its size, and entry the member's name.
 * Errors (GS_E_ARG, GS_E_NOMEM_HOST) fill err: not a tar archive, a member
 * too large, no TBF for the architecture (the message lists the TBFs there).
 */
int gs_tab_read(const uint8_t *tar, size_t len, const char *arch, uint8_t **tbf, size_t *tbf_len,
                char *entry, size_t entry_n, char *err, size_t err_n);

/* One TBF to put in a TAB: it is stored as "ARCH.tbf". */
struct gs_tab_member {
    const char *arch;
    const uint8_t *tbf;
    size_t len;
};

/*
 * Writes a TAB to `path`: metadata.toml (tab-version 1, name, the minimum
 * kernel version "2.2" libtock-c's elf2tab call asks for; no build date,
 * so the archive is reproducible), then each member. Errors: GS_E_ARG with
 * err filled (cannot write the file, libarchive's message).
 */
int gs_tab_write(const char *path, const char *name, const struct gs_tab_member *m, unsigned n,
                 char *err, size_t err_n);

#endif
