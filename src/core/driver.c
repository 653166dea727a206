/* SPDX-License-Identifier: MIT */
#include "driver.h"

#include <stdlib.h>

#include "errors.h"
#include "process.h"

int gs_kernel_add_driver(struct gs_kernel *k, struct gs_driver *d)
{
    if (!d || !d->ops || gs_kernel_driver(k, d->num))
        return GS_E_ARG;
    if (k->ndrivers == k->drivers_cap) {
        unsigned cap = k->drivers_cap ? 2 * k->drivers_cap : 8;
        struct gs_driver **v = realloc(k->drivers, cap * sizeof(*v));
        if (!v)
            return GS_E_NOMEM_HOST;
        k->drivers = v;
        k->drivers_cap = cap;
    }
    d->k = k;
    k->drivers[k->ndrivers++] = d;
    return GS_OK;
}

struct gs_driver *gs_kernel_driver(const struct gs_kernel *k, uint32_t num)
{
    for (unsigned i = 0; i < k->ndrivers; i++)
        if (k->drivers[i]->num == num)
            return k->drivers[i];
    return NULL;
}

void gs_kernel_set_filter(struct gs_kernel *k, gs_syscall_filter_fn fn, void *ctx)
{
    k->filter = fn;
    k->filter_ctx = ctx;
}

/* capsules/system/src/syscall_filter/tbf_header_filter.rs TbfHeaderFilterDefaultAllow. */
int gs_filter_tbf_permissions(void *ctx, const struct gs_process *p, const struct gs_syscall *sc)
{
    uint64_t mask = 0;
    uint32_t offset = sc->cls == GS_SYS_COMMAND ? sc->r[1] / 64 : 0;
    enum gs_cmd_perms_kind k;

    (void)ctx;
    switch (sc->cls) {
    case GS_SYS_SUBSCRIBE:
    case GS_SYS_COMMAND:
    case GS_SYS_RW_ALLOW:
    case GS_SYS_RO_ALLOW:
    case GS_SYS_UR_ALLOW:
        break;
    default:
        return 0;
    }
    k = gs_process_command_permissions(p, sc->r[0], offset, &mask);
    if (k == GS_PERMS_NONE_AT_ALL)
        return 0;
    if (k == GS_PERMS_NONE_THIS_DRIVER)
        return GS_EC_NODEVICE;
    if (sc->cls != GS_SYS_COMMAND)
        return 0;
    return (mask >> (sc->r[1] % 64)) & 1 ? 0 : GS_EC_NODEVICE;
}
