/* SPDX-License-Identifier: MIT */
/*
 * grantsim tab ELF -o FILE.tab [--name NAME] [--stack N] [--app-heap N]
 *              [--kernel-heap N] [--arch ARCH]
 *
 * Packs a libtock-c ELF the way libtock-c's build packs it: the TBF that
 * elf2tab writes with libtock-c's arguments (Configuration.mk: kernel 2.2,
 * minimum footer 3000; TOCK-REFERENCE 11.2.4; the same synthesis the board
 * uses for an ELF) inside a TAB with a metadata.toml, as tockloader
 * installs it. NAME is the package name (default: the file's stem), which
 * IPC discovery compares against. The sizes default as for `grantsim run`
 * (from the ELF's symbols, else elf2tab's defaults).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "errors.h"
#include "loader.h"
#include "scenario.h"
#ifdef GS_HAVE_TAB
#include "tab.h"
#endif

void gs_cmd_tab_usage(struct gs_usage *u)
{
    gs_usage_synopsis(u, "tab",
                      "--output=FILE.tab [--name=NAME] [--stack=N] [--app-heap=N] "
                      "[--kernel-heap=N] [--arch=ARCH] ELF");
    if (!u->full)
        return;
    fputs("Pack a libtock-c ELF as libtock-c's build packs it: the TBF elf2tab writes with\n"
          "libtock-c's arguments (kernel 2.2, minimum footer 3000), as ARCH.tbf in a TAB\n"
          "with a metadata.toml, as tockloader installs it.\n"
          "\n"
          "  -o, --output=FILE.tab  the TAB to write\n"
          "      --name=NAME        the package name, which IPC discovery compares (default:\n"
          "                         the file's name without its extension)\n"
          "      --stack=N          elf2tab's --stack (default: from the ELF's crt0 header)\n"
          "      --app-heap=N       elf2tab's --app-heap (default: the ELF's APP_HEAP_SIZE,\n"
          "                         else 1024)\n"
          "      --kernel-heap=N    elf2tab's --kernel-heap (default: the ELF's\n"
          "                         KERNEL_HEAP_SIZE, else 1024)\n"
          "      --arch=ARCH        the TBF's name in the TAB (default cortex-m4)\n"
          "  -h, --help             print this help and exit\n",
          u->f);
}

/* A size option: decimal or 0x hex, at most 16 MiB. */
static bool size_arg(const char *opt, const char *v, uint32_t *out)
{
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(v, &end, 0);
    if (errno || end == v || *end || v[0] == '-' || x > (16u << 20)) {
        fprintf(stderr, "grantsim tab: %s: expected a size in bytes up to 16 MiB, got \"%s\"\n",
                opt, v);
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

/* Reads a whole file (at most 16 MiB); prints why not. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (16L << 20) ||
        fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc(n ? (size_t)n : 1)) ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "grantsim tab: cannot read %s: %s\n", path,
                errno ? strerror(errno) : "larger than 16 MiB");
        free(buf);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int gs_cmd_tab(int argc, char **argv)
{
    enum { O_NAME = 256 };
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'},
        {"name", required_argument, NULL, O_NAME},
        GS_CLI_ELF_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *name = NULL, *arch = "cortex-m4";
    struct gs_elf_opts eo;
    int opt;

    gs_elf_opts_default(&eo);
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case O_NAME:
            name = optarg;
            break;
        case GS_OPT_ARCH:
            arch = optarg;
            break;
        case GS_OPT_STACK:
            if (!size_arg("--stack", optarg, &eo.stack_size))
                return GS_EXIT_INPUT;
            break;
        case GS_OPT_APP_HEAP:
            if (!size_arg("--app-heap", optarg, &eo.app_heap_size))
                return GS_EXIT_INPUT;
            break;
        case GS_OPT_KERNEL_HEAP:
            if (!size_arg("--kernel-heap", optarg, &eo.kernel_heap_size))
                return GS_EXIT_INPUT;
            break;
        case 'h':
            return gs_cli_help("tab");
        default:
            return gs_cli_option_error("tab", opt, argv, longs);
        }
    }
    if (optind + 1 != argc || !out)
        return gs_cli_usage_error("tab", "give one ELF and -o FILE.tab");
#ifndef GS_HAVE_TAB
    (void)name;
    (void)arch;
    fprintf(stderr, "grantsim tab: this grantsim was built without libarchive\n");
    return GS_EXIT_INPUT;
#else
    {
        const char *elf_path = argv[optind];
        char *stem = NULL;
        size_t len = 0, tlen = 0;
        uint8_t *elf = slurp(elf_path, &len), *tbf = NULL;
        struct gs_elf_image img;
        struct gs_tbf_synth syn;
        struct gs_load_error le;
        struct gs_tab_member m;
        char err[512];
        int e;

        if (!elf)
            return GS_EXIT_INPUT;
        if (!name) {
            stem = gs_cmd_file_stem(elf_path);
            name = stem ? stem : "app";
        }
        for (const char *c = name; *c; c++) {
            if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) {
                fprintf(stderr, "grantsim tab: --name: quotes, backslashes and control "
                                "characters are not allowed in a package name\n");
                free(elf);
                free(stem);
                return GS_EXIT_INPUT;
            }
        }
        memset(&le, 0, sizeof(le));
        e = gs_elf_to_image(elf, len, &eo, &img, &le);
        if (e == GS_OK) {
            gs_tbf_synth_from_image(&syn, &img, name);
            e = gs_tbf_synthesize(&syn, &tbf, &tlen, &le);
            gs_elf_image_free(&img);
        }
        free(elf);
        if (e != GS_OK) {
            fprintf(stderr, "grantsim tab: %s is not a loadable libtock-c ELF: %s at %s: %s\n",
                    elf_path, le.name ? le.name : gs_load_code_name(e),
                    le.field[0] ? le.field : "?", le.message);
            free(stem);
            return GS_EXIT_INPUT;
        }
        m.arch = arch;
        m.tbf = tbf;
        m.len = tlen;
        e = gs_tab_write(out, name, &m, 1, err, sizeof(err));
        free(tbf);
        free(stem);
        if (e != GS_OK) {
            fprintf(stderr, "grantsim tab: %s\n", err);
            return GS_EXIT_INPUT;
        }
        return GS_EXIT_PASS;
    }
#endif
}
