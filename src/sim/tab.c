/* SPDX-License-Identifier: MIT */
/*
 * tab.c - reading and writing TABs with libarchive (tab.h).
 */
#include "tab.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

static int failf(char *err, size_t n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int failf(char *err, size_t n, int code, const char *fmt, ...)
{
    va_list ap;

    if (err && n) {
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The member's base name ("dir/cortex-m4.tbf" -> "cortex-m4.tbf"). */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* 2: "ARCH.tbf"; 1: "ARCH.<anything>.tbf"; 0: another member. */
static int match(const char *name, const char *arch)
{
    size_t a = strlen(arch), n = strlen(name);

    if (n < a + 4 || strncmp(name, arch, a) != 0 || strcmp(name + n - 4, ".tbf") != 0)
        return 0;
    if (n == a + 4)
        return 2;
    return name[a] == '.' && n > a + 5 ? 1 : 0;
}

/* Appends a TBF member's name to the list of what the TAB holds. */
static void list_add(char *list, size_t n, const char *name)
{
    size_t at = strlen(list);

    if (strlen(name) < 4 || strcmp(name + strlen(name) - 4, ".tbf") != 0 || at + 1 >= n)
        return;
    snprintf(list + at, n - at, "%s%s", at ? ", " : "", name);
}

int gs_tab_read(const uint8_t *tar, size_t len, const char *arch, uint8_t **tbf, size_t *tbf_len,
                char *entry, size_t entry_n, char *err, size_t err_n)
{
    struct archive *a;
    struct archive_entry *e;
    char list[256] = "";
    uint8_t *best = NULL;
    size_t best_len = 0;
    int best_rank = 0, r, code = GS_OK;
    unsigned count = 0;

    *tbf = NULL;
    *tbf_len = 0;
    if (!arch || !*arch)
        arch = GS_TAB_DEFAULT_ARCH;
    if (!tar || len == 0)
        return failf(err, err_n, GS_E_ARG, "an empty file is not a TAB (a tar archive)");
    a = archive_read_new();
    if (!a)
        return failf(err, err_n, GS_E_NOMEM_HOST, "out of host memory");
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK) {
        code = failf(err, err_n, GS_E_ARG, "not a TAB (a tar archive): %s",
                     archive_error_string(a) ? archive_error_string(a) : "unknown format");
        archive_read_free(a);
        return code;
    }
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = base_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
        int64_t size = archive_entry_size(e);
        int rank;

        if (++count > GS_TAB_MAX_ENTRIES) {
            code =
                failf(err, err_n, GS_E_ARG, "more than %u members: not a TAB", GS_TAB_MAX_ENTRIES);
            break;
        }
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        list_add(list, sizeof(list), name);
        rank = match(name, arch);
        if (rank <= best_rank)
            continue;
        if (size < 0 || (uint64_t)size > GS_TAB_MAX_TBF) {
            code = failf(err, err_n, GS_E_ARG, "member %s is %lld bytes, more than %u", name,
                         (long long)size, GS_TAB_MAX_TBF);
            break;
        }
        free(best);
        best = malloc(size ? (size_t)size : 1);
        if (!best) {
            code = failf(err, err_n, GS_E_NOMEM_HOST, "out of host memory");
            break;
        }
        if (archive_read_data(a, best, (size_t)size) != (la_ssize_t)size) {
            code = failf(err, err_n, GS_E_ARG, "member %s: %s", name,
                         archive_error_string(a) ? archive_error_string(a) : "truncated");
            break;
        }
        best_len = (size_t)size;
        best_rank = rank;
        if (entry && entry_n)
            snprintf(entry, entry_n, "%s", name);
    }
    if (code == GS_OK && r != ARCHIVE_EOF && r != ARCHIVE_OK)
        code = failf(err, err_n, GS_E_ARG, "not a readable TAB (tar archive): %s",
                     archive_error_string(a) ? archive_error_string(a) : "bad header");
    archive_read_free(a);
    if (code == GS_OK && !best_rank)
        code = failf(err, err_n, GS_E_ARG, "no TBF for %s in the TAB (%s%s)", arch,
                     list[0] ? "it has: " : "it has no .tbf member", list);
    if (code != GS_OK) {
        free(best);
        return code;
    }
    *tbf = best;
    *tbf_len = best_len;
    return GS_OK;
}

/* One regular file in the archive being written. */
static bool put(struct archive *a, const char *name, const void *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    bool ok;

    if (!e)
        return false;
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, 0, 0); /* reproducible */
    ok = archive_write_header(a, e) == ARCHIVE_OK &&
         (len == 0 || archive_write_data(a, data, len) == (la_ssize_t)len);
    archive_entry_free(e);
    return ok;
}

int gs_tab_write(const char *path, const char *name, const struct gs_tab_member *m, unsigned n,
                 char *err, size_t err_n)
{
    struct archive *a = archive_write_new();
    char meta[512], member[96];
    int code = GS_OK;

    if (!a)
        return failf(err, err_n, GS_E_NOMEM_HOST, "out of host memory");
    /* elf2tab's metadata.toml keys; libtock-c asks elf2tab for kernel 2.2. */
    snprintf(meta, sizeof(meta),
             "tab-version = 1\nname = \"%s\"\nonly-for-boards = \"\"\n"
             "minimum-tock-kernel-version = \"2.2\"\n",
             name);
    if (archive_write_set_format_ustar(a) != ARCHIVE_OK ||
        archive_write_open_filename(a, path) != ARCHIVE_OK ||
        !put(a, "metadata.toml", meta, strlen(meta)))
        code = GS_E_ARG;
    for (unsigned i = 0; code == GS_OK && i < n; i++) {
        snprintf(member, sizeof(member), "%s.tbf", m[i].arch);
        if (!put(a, member, m[i].tbf, m[i].len))
            code = GS_E_ARG;
    }
    if (code == GS_OK && archive_write_close(a) != ARCHIVE_OK)
        code = GS_E_ARG;
    if (code != GS_OK)
        failf(err, err_n, code, "%s: %s", path,
              archive_error_string(a) ? archive_error_string(a) : "cannot write");
    archive_write_free(a);
    return code;
}
