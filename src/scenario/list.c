/* SPDX-License-Identifier: MIT */
/* Scenario files named on a command line: files as given, directories expanded (scenario.h). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

#define MAX_DEPTH 16

static int push(struct gs_scn_paths *p, const char *path)
{
    char *d;

    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        char **nv = realloc(p->v, cap * sizeof(*nv));
        if (!nv)
            return -1;
        p->v = nv;
        p->cap = cap;
    }
    d = strdup(path);
    if (!d)
        return -1;
    p->v[p->n++] = d;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Adds every *.json below dir except schema.json (sorted per directory, depth-first). */
static int add_dir(struct gs_scn_paths *p, const char *dir, unsigned depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct gs_scn_paths here = {0};
    int rc = 0;

    if (!d || depth > MAX_DEPTH) {
        if (d)
            closedir(d);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s%s%s", dir,
                 dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (is_dir(path) || (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 &&
                             strcmp(e->d_name, "schema.json") != 0)) {
            if (push(&here, path) != 0)
                rc = -1;
        }
    }
    closedir(d);
    if (here.n)
        qsort(here.v, here.n, sizeof(here.v[0]), cmp_str);
    for (size_t i = 0; i < here.n && rc == 0; i++)
        rc = is_dir(here.v[i]) ? add_dir(p, here.v[i], depth + 1) : push(p, here.v[i]);
    gs_scn_paths_free(&here);
    return rc;
}

int gs_scn_paths_add(struct gs_scn_paths *p, const char *path)
{
    return is_dir(path) ? add_dir(p, path, 0) : push(p, path);
}

void gs_scn_paths_free(struct gs_scn_paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof(*p));
}
