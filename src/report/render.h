/* SPDX-License-Identifier: MIT */
/*
 * render.h - the renderers of the memory-map model (src/core/layout.h):
 * `grantsim layout` as text, JSON or SVG, and `grantsim explain` as text
 * or JSON.
 *
 * The model is data; this layer turns it into bytes for people and for
 * machines. Every renderer writes to a gs_sink (printer.h) and does no
 * other I/O. A model keeps pointers to its kernel and process (the text
 * renderer prints upstream's printouts of the live process first), so
 * render it before the kernel changes.
 *
 *   text.c     gs_layout_print_text, gs_layout_print_extended
 *   json.c     gs_layout_print_json (jw.c: the JSON writer)
 *   svg.c      gs_layout_print_svg
 *   explain.c  gs_explain_print_text, gs_explain_print_json
 *   labels.c   the labels the formats share (labels.h)
 */
#ifndef GS_RENDER_H
#define GS_RENDER_H

#include "layout.h"
#include "printer.h"

/*
 * Text: upstream's gs_print_overview and gs_print_full_process of the live
 * process (unchanged), then grantsim's sections: the detailed map (high
 * addresses first, MPU decision in a side column, flags for slack, leaks and
 * forbidden ranges), flash, per-grant internals, custom grants, MPU regions,
 * the access comparison and anomalies. Lines end "\r\n" (see gs_sink.crlf).
 */
void gs_layout_print_text(const struct gs_layout *l, struct gs_sink *s);

/*
 * Only grantsim's extended sections of gs_layout_print_text (no upstream
 * printouts); for reports that already printed those.
 */
void gs_layout_print_extended(const struct gs_layout *l, struct gs_sink *s);

/* JSON: the whole model as one object (schema in json.c and docs/layout.md). */
void gs_layout_print_json(const struct gs_layout *l, struct gs_sink *s);

/*
 * SVG: a self-contained picture (no external CSS or scripts) that scales
 * (a viewBox drawn at 100%): the process block as a vertical bar on a
 * logarithmic-height scale, coloured by owner, grants expanded into their
 * parts, MPU regions and enabled subregions as brackets, the TBF as a second
 * bar, other reachable memory, the access differences highlighted, every
 * MPU region of the config (IPC ones included) as its eight subregions with
 * the disabled ones hatched, and a legend. Every region of the model is one
 * <rect class="region ..."> element; every element standing for memory has
 * a <title> with its values (slot contents, RBAR/RASR, owner).
 */
void gs_layout_print_svg(const struct gs_layout *l, struct gs_sink *s);

/* Renders an explanation (gs_explain) as text lines ("\r\n") or as one JSON object. */
void gs_explain_print_text(const struct gs_explain *e, struct gs_sink *s);
void gs_explain_print_json(const struct gs_explain *e, struct gs_sink *s);

#endif
