/* SPDX-License-Identifier: MIT */
/*
 * labels.h - what the layout formats share: the labels of map lines, the
 * MPU column and the difference flags (text, JSON and SVG say the same
 * words), and the UTF-8 check of the JSON and XML writers.
 */
#ifndef GS_RPT_LABELS_H
#define GS_RPT_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* Grant `grant`'s driver: "0x1 console", "0xa0003", or "?" for no grant. */
void rpt_driver_str(const struct gs_layout *l, int grant, char *buf, size_t n);

/* A short label for a map line ("app memory", "grant 2 [0x1 console] T", ...). */
void rpt_region_label(const struct gs_layout *l, const struct gs_layout_region *r, char *buf,
                      size_t n);

/* The MPU column: "R0 s3-7   rw-", "R4       r-x", "--        ---". */
void rpt_mpu_col(int region, int lo, int hi, unsigned rights, char *buf, size_t n);

/* Flags of the access differences overlapping [a, b): " LEAK FORBIDDEN slack" or "". */
void rpt_diff_flags(const struct gs_layout *l, uint32_t a, uint64_t b, char *buf, size_t n);

/* The first n of `total` bytes in hex, "de ad be ef ..." when cut. */
void rpt_hexbytes(const uint8_t *b, unsigned n, unsigned total, char *buf, size_t cap);

/* Length of the valid UTF-8 sequence at s (0 if invalid), with at most n bytes. */
size_t rpt_utf8_len(const unsigned char *s, size_t n);

#endif
