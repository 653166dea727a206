/* SPDX-License-Identifier: MIT */
/*
 * observer.h - the events the core reports and the findings of its oracles.
 *
 * Every observer attached to a kernel sees every event, synchronously, in
 * the order the kernel produces them. Observers must not call back into the
 * kernel except through read-only accessors.
 */
#ifndef GS_OBSERVER_H
#define GS_OBSERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "tmem.h"

struct gs_process;

enum gs_event_kind {
    GS_EV_PROCESS_CREATED,  /* a = memory_start, b = memory_len */
    GS_EV_GRANT_ALLOCATED,  /* a = grant number, b = grant address, c = size, d = driver,
                               r[0] = kernel break and r[1] = app break before it */
    GS_EV_GRANT_ENTERED,    /* a = grant number, b = grant address */
    GS_EV_GRANT_LEFT,       /* a = grant number */
    GS_EV_CUSTOM_ALLOCATED, /* a = custom serial, b = address, c = size */
    GS_EV_BRK,              /* a = old break, b = new break */
    GS_EV_MPU_CONFIGURED,   /* hardware written for p's config; a = config id */
    GS_EV_STATE,            /* a = old state, b = new state (enum gs_state) */
    GS_EV_TERMINATED,       /* a = completion code, b = has code */
    GS_EV_RESTARTED,        /* a = restart count */
    GS_EV_TASK_QUEUED,      /* a = task kind, b = driver, c = subscribe; task */
    GS_EV_TASK_DROPPED,     /* a = task kind, b = driver, c = subscribe, d = ErrorCode; task */
    GS_EV_SYSCALL,          /* a = class, regs in r[] (entry) */
    GS_EV_SYSCALL_RETURN,   /* a = class, regs in r[] (values written) */
    GS_EV_UPCALL_DELIVERED, /* a = pc, r[] = r0..r3 */
    GS_EV_IPC_DISPATCH,     /* a = other index, b = type (0 service, 1 client), c = len, d = ptr */
    GS_EV_FAULT,            /* a = fault kind, b = address */
    GS_EV_QUIRK,            /* an upstream quirk was exercised; text names it */
    GS_EV_DEBUG,            /* the kernel's debug!() output; text is the line */
    GS_EV_CONSOLE,          /* console output of p: a = length, text = bytes (not NUL-ended) */
    GS_EV_CONSOLE_INPUT,    /* bytes reach the console's UART: a = how many, b = how many a
                               pending receive took (the rest are lost), text = bytes */
    GS_EV_PANIC,            /* the kernel panicked; text is the panic message */
    GS_EV_FINDING,          /* an oracle finding; see finding */
    GS_EV_TASK_DEQUEUED,    /* dequeue_task took the head of p's queue; task */
    GS_EV_TASK_REMOVED,     /* remove_upcall(a = driver, b = subscribe) took task */
    GS_EV_GRANT_REGION_ALLOC, /* allocate_in_grant_region_internal(a = size, b = align): c = the
                                 new kernel break, d = 1 (or 0: refused); r[0] = kernel break,
                                 r[1] = app break before it (injected failures are not reported) */
};

struct gs_task;

enum gs_finding_kind {
    GS_FIND_OWNERSHIP, /* shadow map: a kernel store hit another owner's bytes */
    GS_FIND_LAYOUT,    /* a layout invariant does not hold */
    GS_FIND_ISOLATION, /* intended access set vs what the MPU permits */
    GS_FIND_PANIC,     /* the kernel panicked */
    GS_FIND_MACHINE,   /* the machine failed under the kernel (an engine call): run abandoned */
};
#define GS_FIND_KINDS 5 /* number of gs_finding_kind values */

struct gs_finding {
    enum gs_finding_kind kind;
    const char *site;          /* kernel function (or invariant name) where it was seen */
    int syscall_class;         /* syscall class in progress, -1 if none */
    uint32_t addr;             /* address involved, if any */
    struct gs_mem_finding mem; /* for GS_FIND_OWNERSHIP */
    char text[256];            /* one-line description */
};

struct gs_event {
    enum gs_event_kind kind;
    const struct gs_process *p; /* may be NULL for kernel-wide events */
    uint32_t a, b, c, d;
    uint32_t r[4];
    const char *text;
    const struct gs_finding *finding;
    const struct gs_task *task; /* the task of a task event */
};

typedef void (*gs_observer_fn)(void *ctx, const struct gs_event *ev);

/* Name of an event kind ("grant-allocated", ...). */
const char *gs_event_kind_name(enum gs_event_kind kind);

/* Name of a finding kind ("ownership", "layout", "isolation", "panic", "machine"). */
const char *gs_finding_kind_name(enum gs_finding_kind kind);

/*
 * Writes the stable identifier of a finding, used to deduplicate crashes:
 * "<kind>:<site>:<syscall class or ->" (e.g. "ownership:grant_subscribe:1").
 */
void gs_finding_id(const struct gs_finding *f, char *buf, unsigned n);

#endif
