/* SPDX-License-Identifier: MIT */
/*
 * A run's timeline as an SVG picture (timeline.c): trace.c feeds it the
 * events of its Trace Event Format writer.
 */
#ifndef GS_TIMELINE_H
#define GS_TIMELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "arch.h"

#define GS_TL_MAX_PIDS   (GS_MAX_PROCS + 1) /* pid 0: the kernel; 1 + slot: a process */
#define GS_TL_CATEGORIES 6                  /* upcall, ipc, memory, mpu, fault, process */

struct gs_timeline;

struct gs_timeline *gs_timeline_new(void);
void gs_timeline_free(struct gs_timeline *tl);

/* The lane of pid is called name. */
void gs_timeline_name(struct gs_timeline *tl, unsigned pid, const char *name);

/* The category number of a Trace Event Format category ("upcall", ...). */
unsigned gs_timeline_category(const char *cat);

/*
 * An event of lane pid at ts for dur (simulated microseconds): a syscall bar
 * (bar true, kind = its class 0-7) or a marker (kind = its category); text
 * is its tooltip (the call and result, or the text trace's line).
 */
void gs_timeline_add(struct gs_timeline *tl, unsigned pid, bool bar, unsigned kind, double ts,
                     double dur, const char *text);

/* The picture: lanes, the bars and markers, the time axis, a legend. */
void gs_timeline_write_svg(const struct gs_timeline *tl, FILE *f, const char *title);

#endif
