/* SPDX-License-Identifier: MIT */
#include "observer.h"

#include <stdio.h>

const char *gs_event_kind_name(enum gs_event_kind kind)
{
    switch (kind) {
    case GS_EV_PROCESS_CREATED:
        return "process-created";
    case GS_EV_GRANT_ALLOCATED:
        return "grant-allocated";
    case GS_EV_GRANT_ENTERED:
        return "grant-entered";
    case GS_EV_GRANT_LEFT:
        return "grant-left";
    case GS_EV_CUSTOM_ALLOCATED:
        return "custom-grant-allocated";
    case GS_EV_BRK:
        return "brk";
    case GS_EV_MPU_CONFIGURED:
        return "mpu-configured";
    case GS_EV_STATE:
        return "state";
    case GS_EV_TERMINATED:
        return "terminated";
    case GS_EV_RESTARTED:
        return "restarted";
    case GS_EV_TASK_QUEUED:
        return "task-queued";
    case GS_EV_TASK_DROPPED:
        return "task-dropped";
    case GS_EV_SYSCALL:
        return "syscall";
    case GS_EV_SYSCALL_RETURN:
        return "syscall-return";
    case GS_EV_UPCALL_DELIVERED:
        return "upcall-delivered";
    case GS_EV_IPC_DISPATCH:
        return "ipc-dispatch";
    case GS_EV_FAULT:
        return "fault";
    case GS_EV_QUIRK:
        return "quirk";
    case GS_EV_DEBUG:
        return "debug";
    case GS_EV_CONSOLE:
        return "console";
    case GS_EV_CONSOLE_INPUT:
        return "console-input";
    case GS_EV_PANIC:
        return "panic";
    case GS_EV_FINDING:
        return "finding";
    case GS_EV_TASK_DEQUEUED:
        return "task-dequeued";
    case GS_EV_TASK_REMOVED:
        return "task-removed";
    case GS_EV_GRANT_REGION_ALLOC:
        return "grant-region-alloc";
    }
    return "unknown";
}

const char *gs_finding_kind_name(enum gs_finding_kind kind)
{
    switch (kind) {
    case GS_FIND_OWNERSHIP:
        return "ownership";
    case GS_FIND_LAYOUT:
        return "layout";
    case GS_FIND_ISOLATION:
        return "isolation";
    case GS_FIND_PANIC:
        return "panic";
    case GS_FIND_MACHINE:
        return "machine";
    }
    return "unknown";
}

void gs_finding_id(const struct gs_finding *f, char *buf, unsigned n)
{
    if (f->syscall_class >= 0)
        snprintf(buf, n, "%s:%s:%d", gs_finding_kind_name(f->kind), f->site ? f->site : "?",
                 f->syscall_class);
    else
        snprintf(buf, n, "%s:%s:-", gs_finding_kind_name(f->kind), f->site ? f->site : "?");
}
