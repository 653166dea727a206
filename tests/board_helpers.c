/* SPDX-License-Identifier: MIT */
#include "board_helpers.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

void tb_board_add_app(struct gs_board *b, const char *app, const char *package)
{
    char path[512];
    FILE *f;
    uint8_t *buf;
    long n;
    struct gs_load_error err;

    snprintf(path, sizeof(path), "%s/%s.elf", GS_APP_DIR, app);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "missing %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    memset(&err, 0, sizeof(err));
    ck_assert_msg(gs_board_add_elf(b, buf, (size_t)n, package, NULL, &err) == GS_OK, "%s: %s", app,
                  err.message);
    free(buf);
}
