/* SPDX-License-Identifier: MIT */
/*
 * scn_internal.h - what the scenario modules share and nobody else needs:
 * the allocation arena of a scenario, small formatting helpers, and the
 * names of the format's enums.
 */
#ifndef GS_SCN_INTERNAL_H
#define GS_SCN_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Every allocation of a scenario lives until gs_scenario_free. */
struct gs_scn_arena {
    void **ptrs;
    size_t n, cap;
};

void *gs_arena_alloc(struct gs_scn_arena *a, size_t size); /* zeroed; NULL on OOM */
char *gs_arena_strdup(struct gs_scn_arena *a, const char *s);
char *gs_arena_printf(struct gs_scn_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Takes ownership of a malloc'd pointer (freed with the arena); false on OOM (p freed). */
int gs_arena_adopt(struct gs_scn_arena *a, void *p);
void gs_arena_free(struct gs_scn_arena *a);

/* malloc'd printf; NULL on OOM. */
char *gs_scn_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gs_scn_vasprintf(const char *fmt, va_list ap);

/* Names used by the format (and by messages). */
const char *gs_scn_variant_name(uint32_t r0);   /* "Success", ...; NULL if not a variant */
int gs_scn_variant_from_name(const char *name); /* r0 code, or -1 */
bool gs_scn_variant_is_failure(uint32_t r0);
const char *gs_scn_base_name(enum gs_scn_base b);
const char *gs_scn_memop_name(uint32_t op); /* NULL when unnamed */

/* Human form of a step ("command(0x90000, 3, 0x0, 0x0)"), malloc'd. */
char *gs_scn_step_text(const struct gs_scn_step *st, const struct gs_scenario *s);

/* A value as written in the file ("0x20", "ram+0x20", "end-0x58c of \"svc\""). */
void gs_scn_value_text(const struct gs_scn_value *v, const struct gs_scenario *s, char *buf,
                       size_t n);

#endif
