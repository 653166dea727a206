/* SPDX-License-Identifier: MIT */
/*
 * replay-main.c - the main() of a fuzz target built without libFuzzer (the
 * systemd way): runs LLVMFuzzerTestOneInput once on every file named on the
 * command line, and on every regular file inside each directory named.
 *
 *   fuzz-TARGET FILE|DIR...                 replay (a crash is a failed test)
 *   fuzz-TARGET --bench SECONDS FILE|DIR... run the inputs round-robin for
 *                                           SECONDS and print "TARGET: N exec/s",
 *                                           then the rates of the first and the
 *                                           last third of the run and the
 *                                           resident set size after each third
 *                                           (throughput decay, growth)
 *
 * Exit status: 0 when every input ran the same twice, 1 when an input's two
 * runs differ, 2 for usage or unreadable files.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz.h"

/* Weak: NULL in a target that reports no outcome. */
extern const char *gs_fuzz_outcome(void) __attribute__((weak));

struct input {
    char *path;
    uint8_t *data;
    size_t len;
};

struct inputs {
    struct input *v;
    size_t n, cap;
};

static int read_file(const char *path, struct inputs *in)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;

    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    do {
        if (len == cap) {
            uint8_t *b;
            cap = cap ? 2 * cap : 4096;
            b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = b;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    if (in->n == in->cap) {
        size_t c = in->cap ? 2 * in->cap : 16;
        struct input *v = realloc(in->v, c * sizeof(*v));
        if (!v) {
            free(buf);
            return -1;
        }
        in->v = v;
        in->cap = c;
    }
    in->v[in->n].path = strdup(path);
    in->v[in->n].data = buf;
    in->v[in->n].len = len;
    in->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds a file, or every regular file of a directory in name order. */
static int add_path(const char *path, struct inputs *in)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int err = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return read_file(path, in);
    d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        char *full;
        struct stat fs;
        if (e->d_name[0] == '.')
            continue;
        full = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (!full) {
            err = -1;
            break;
        }
        sprintf(full, "%s/%s", path, e->d_name);
        if (stat(full, &fs) != 0 || !S_ISREG(fs.st_mode)) {
            free(full);
            continue;
        }
        if (n == cap) {
            char **v;
            cap = cap ? 2 * cap : 16;
            v = realloc(names, cap * sizeof(*v));
            if (!v) {
                free(full);
                err = -1;
                break;
            }
            names = v;
        }
        names[n++] = full;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (!err && read_file(names[i], in) != 0)
            err = -1;
        free(names[i]);
    }
    free(names);
    return err;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

/* The process's peak resident set size, in KiB (Linux's ru_maxrss unit). */
static long max_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

int main(int argc, char **argv)
{
    struct inputs in = {NULL, 0, 0};
    double bench = 0;
    int i = 1, status = 0;

    if (argc > 2 && strcmp(argv[1], "--bench") == 0) {
        bench = atof(argv[2]);
        i = 3;
        if (bench <= 0) {
            fprintf(stderr, "usage: %s [--bench SECONDS] FILE|DIR...\n", argv[0]);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [--bench SECONDS] FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (; i < argc; i++)
        if (add_path(argv[i], &in) != 0)
            status = 2;
    if (status == 0 && bench == 0) {
        for (size_t j = 0; j < in.n; j++) {
            char first[1024] = "";
            printf("%s: running %s (%zu bytes)\n", base_name(argv[0]), in.v[j].path, in.v[j].len);
            fflush(stdout);
            LLVMFuzzerTestOneInput(in.v[j].data, in.v[j].len);
            if (gs_fuzz_outcome)
                snprintf(first, sizeof(first), "%s", gs_fuzz_outcome());
            LLVMFuzzerTestOneInput(in.v[j].data, in.v[j].len);
            if (gs_fuzz_outcome && strcmp(first, gs_fuzz_outcome()) != 0) {
                printf("%s: %s: the second run differs from the first (state leaked across the "
                       "reset between inputs)\n  first:  %s\n  second: %s\n",
                       base_name(argv[0]), in.v[j].path, first, gs_fuzz_outcome());
                status = 1;
            }
        }
        printf("%s: %zu inputs ran twice%s\n", base_name(argv[0]), in.n,
               gs_fuzz_outcome ? ", with the same outcome" : "");
    } else if (status == 0 && in.n > 0) {
        /* Thirds of the run: exec counts, and max RSS (KiB) at the end of each. */
        double start = now_s(), t = start;
        unsigned long long execs = 0, third[3] = {0, 0, 0};
        long rss[3] = {0, 0, 0};
        unsigned k = 0;
        while (t - start < bench) {
            for (size_t j = 0; j < in.n; j++)
                LLVMFuzzerTestOneInput(in.v[j].data, in.v[j].len);
            execs += in.n;
            t = now_s();
            while (k < 2 && t - start >= bench * (k + 1) / 3) {
                rss[k] = max_rss_kib();
                k++;
            }
            third[k] += in.n;
        }
        rss[2] = max_rss_kib();
        printf("%s: %.0f exec/s (%zu inputs, %llu runs in %.1f s)\n", base_name(argv[0]),
               (double)execs / (t - start), in.n, execs, t - start);
        if (third[0] && third[2])
            printf("%s: decay: first third %.0f exec/s, last third %.0f exec/s (x%.2f); "
                   "max RSS %ld, %ld, %ld KiB after each third\n",
                   base_name(argv[0]), third[0] / (bench / 3),
                   third[2] / (t - start - bench * 2 / 3),
                   (third[2] / (t - start - bench * 2 / 3)) / (third[0] / (bench / 3)), rss[0],
                   rss[1], rss[2]);
    }
    for (size_t j = 0; j < in.n; j++) {
        free(in.v[j].path);
        free(in.v[j].data);
    }
    free(in.v);
    return status;
}
