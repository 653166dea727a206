/* SPDX-License-Identifier: MIT */
/* The scenario format's names, the arena, and formatting helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "scn_internal.h"

/* ---- arena ---- */

int gs_arena_adopt(struct gs_scn_arena *a, void *p)
{
    if (!p)
        return 0;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        void **np = realloc(a->ptrs, cap * sizeof(*np));
        if (!np) {
            free(p);
            return 0;
        }
        a->ptrs = np;
        a->cap = cap;
    }
    a->ptrs[a->n++] = p;
    return 1;
}

void *gs_arena_alloc(struct gs_scn_arena *a, size_t size)
{
    void *p = calloc(1, size ? size : 1);

    return gs_arena_adopt(a, p) ? p : NULL;
}

char *gs_arena_strdup(struct gs_scn_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = gs_arena_alloc(a, n);

    if (d)
        memcpy(d, s, n);
    return d;
}

char *gs_arena_printf(struct gs_scn_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = gs_scn_vasprintf(fmt, ap);
    va_end(ap);
    return gs_arena_adopt(a, s) ? s : NULL;
}

void gs_arena_free(struct gs_scn_arena *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->ptrs[i]);
    free(a->ptrs);
    a->ptrs = NULL;
    a->n = a->cap = 0;
}

char *gs_scn_vasprintf(const char *fmt, va_list ap)
{
    va_list aq;
    int n;
    char *s;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *gs_scn_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = gs_scn_vasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ---- names ---- */

/* TRD104 return variants (TOCK-REFERENCE 3.2). */
static const struct {
    uint32_t code;
    const char *name;
} variants[] = {
    {0, "Failure"},         {1, "FailureU32"},   {2, "FailureU32U32"},
    {3, "FailureU64"},      {128, "Success"},    {129, "SuccessU32"},
    {130, "SuccessU32U32"}, {131, "SuccessU64"}, {132, "SuccessU32U32U32"},
    {133, "SuccessU32U64"},
};

const char *gs_scn_variant_name(uint32_t r0)
{
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
        if (variants[i].code == r0)
            return variants[i].name;
    return NULL;
}

int gs_scn_variant_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
        if (strcmp(variants[i].name, name) == 0)
            return (int)variants[i].code;
    return -1;
}

bool gs_scn_variant_is_failure(uint32_t r0)
{
    return r0 <= 3;
}

const char *gs_scn_base_name(enum gs_scn_base b)
{
    switch (b) {
    case GS_SB_ABS:
        return "abs";
    case GS_SB_RAM:
        return "ram";
    case GS_SB_FLASH:
        return "flash";
    case GS_SB_UPCALL:
        return "upcall";
    case GS_SB_RESULT:
        return "result";
    case GS_SB_BUF:
        return "buf";
    case GS_SB_END:
        return "end";
    case GS_SB_DATA:
        return "data";
    case GS_SB_TBF:
        return "tbf";
    case GS_SB_TBF_END:
        return "tbf_end";
    }
    return "?";
}

/* memop operations: the names the format's table gives them (keys.c). */
const char *gs_scn_memop_name(uint32_t op)
{
    return op < sizeof(gs_scn_memop_ops) / sizeof(gs_scn_memop_ops[0]) ? gs_scn_memop_ops[op]
                                                                       : NULL;
}

void gs_scn_value_text(const struct gs_scn_value *v, const struct gs_scenario *s, char *buf,
                       size_t n)
{
    int32_t sv = (int32_t)v->v;
    char of[96] = "";

    if (v->of >= 0 && s && (unsigned)v->of < s->nprocs)
        snprintf(of, sizeof(of), " of \"%s\"", s->procs[v->of].name);
    if (v->base == GS_SB_ABS) {
        snprintf(buf, n, "0x%x", (unsigned)v->v);
    } else if (v->base == GS_SB_UPCALL || v->base == GS_SB_RESULT) {
        snprintf(buf, n, "%s %u%s", gs_scn_base_name((enum gs_scn_base)v->base), (unsigned)v->v,
                 of);
    } else if (sv < 0) {
        snprintf(buf, n, "%s-0x%x%s", gs_scn_base_name((enum gs_scn_base)v->base),
                 (unsigned)(0u - v->v), of);
    } else {
        snprintf(buf, n, "%s+0x%x%s", gs_scn_base_name((enum gs_scn_base)v->base), (unsigned)v->v,
                 of);
    }
}

char *gs_scn_step_text(const struct gs_scn_step *st, const struct gs_scenario *s)
{
    char a[4][96];
    const char *mop;

    for (unsigned i = 0; i < 4; i++)
        gs_scn_value_text(&st->a[i], s, a[i], sizeof(a[i]));
    switch (st->kind) {
    case 0:
        if (st->a[0].base == GS_SB_ABS && st->a[0].v == 0)
            return gs_scn_asprintf("yield(no-wait, flag %s)", a[1]);
        if (st->a[0].base == GS_SB_ABS && st->a[0].v == 1)
            return gs_scn_asprintf("yield(wait)");
        if (st->a[0].base == GS_SB_ABS && st->a[0].v == 2)
            return gs_scn_asprintf("yield(wait-for %s, %s)", a[1], a[2]);
        break;
    case 1:
        return gs_scn_asprintf("subscribe(%s, %s, fn %s, appdata %s)", a[0], a[1], a[2], a[3]);
    case 2:
        return gs_scn_asprintf("command(%s, %s, %s, %s)", a[0], a[1], a[2], a[3]);
    case 3:
        return gs_scn_asprintf("allow_rw(%s, %s, %s, len %s)", a[0], a[1], a[2], a[3]);
    case 4:
        return gs_scn_asprintf("allow_ro(%s, %s, %s, len %s)", a[0], a[1], a[2], a[3]);
    case 5:
        mop = st->a[0].base == GS_SB_ABS ? gs_scn_memop_name(st->a[0].v) : NULL;
        if (mop)
            return gs_scn_asprintf("memop %s(%s)", mop, a[1]);
        return gs_scn_asprintf("memop(%s, %s)", a[0], a[1]);
    case 6:
        if (st->a[0].base == GS_SB_ABS && st->a[0].v <= 1)
            return gs_scn_asprintf("exit %s(%s)", st->a[0].v ? "restart" : "terminate", a[1]);
        break;
    case 7:
        return gs_scn_asprintf("allow_ur(%s, %s, %s, len %s)", a[0], a[1], a[2], a[3]);
    case GS_SCRIPT_OP_STORE32:
        return gs_scn_asprintf("store32(%s, %s)", a[0], a[1]);
    case GS_SCRIPT_OP_FILL8:
        return gs_scn_asprintf("fill8(%s, %s, len %s)", a[0], a[1], a[2]);
    case GS_SCRIPT_OP_LOAD32:
        return gs_scn_asprintf("load32(%s)", a[0]);
    case GS_SCRIPT_OP_SPIN:
        return gs_scn_asprintf("spin(%s)", a[0]);
    default:
        break;
    }
    return gs_scn_asprintf("svc %u(r0 %s, r1 %s, r2 %s, r3 %s)", (unsigned)st->kind, a[0], a[1],
                           a[2], a[3]);
}
