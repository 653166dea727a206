/* SPDX-License-Identifier: MIT */
/*
 * jpath.h - JSON paths and the position locator behind scenario error
 * messages.
 *
 * jansson reports a line and column only for syntax errors. A scenario
 * error found later (a wrong type, an unknown key, a number out of range)
 * is known by its JSON path, e.g. processes[2].script[5].command.driver;
 * gs_jpath_locate() scans the original text again, following that path, and
 * returns where the value (or its key) starts. The scan is independent of
 * jansson and robust to any input: it never reads outside the buffer, never
 * recurses, and on text that does not contain the path it returns the
 * deepest prefix that it found.
 *
 * Positions are 1-based; columns count characters (UTF-8 sequences), as
 * jansson's do, so both kinds of error point the same way in an editor.
 */
#ifndef GS_JPATH_H
#define GS_JPATH_H

#include <stdbool.h>
#include <stddef.h>

#define GS_JPATH_MAX 24 /* deeper paths are truncated (never needed by the schema) */

/* One step of a path: an object key (key != NULL) or an array index. */
struct gs_jcomp {
    const char *key; /* NUL-terminated; borrowed */
    size_t index;
};

struct gs_jpath {
    struct gs_jcomp c[GS_JPATH_MAX];
    unsigned n;       /* components in use (at most GS_JPATH_MAX) */
    unsigned dropped; /* pushes beyond GS_JPATH_MAX, popped first */
};

void gs_jpath_push_key(struct gs_jpath *p, const char *key);
void gs_jpath_push_index(struct gs_jpath *p, size_t index);
void gs_jpath_pop(struct gs_jpath *p);

/*
 * Writes the path as text: keys that are identifiers as ".key" (no dot
 * first), others as ["key"] with JSON escapes, indices as [n]. The empty
 * path is written as "(top level)". Always NUL-terminates when n > 0;
 * returns buf.
 */
char *gs_jpath_format(const struct gs_jcomp *c, unsigned nc, char *buf, size_t n);

struct gs_jpos {
    size_t offset;  /* byte offset in the text */
    unsigned line;  /* 1-based */
    unsigned col;   /* 1-based, in characters */
    unsigned depth; /* components of the path that were found (== nc when all were) */
};

/*
 * Finds the value at path c[0..nc) in the JSON text (or, with at_key, the
 * key of the last component when it is an object key). When the whole path
 * is not present, *out describes the deepest prefix found (depth < nc; depth
 * 0 is the top-level value). Returns true when the whole path was found.
 */
bool gs_jpath_locate(const char *text, size_t len, const struct gs_jcomp *c, unsigned nc,
                     bool at_key, struct gs_jpos *out);

/* Line and column (1-based, columns in characters) of a byte offset. */
void gs_jpath_linecol(const char *text, size_t len, size_t offset, unsigned *line, unsigned *col);

/*
 * What the last gs_jpath_locate_memo() found in one text: the offset of each
 * value along its path, and the last position converted to a line and a
 * column. Locating one path after another (processes[0].script[0], then
 * script[1], ...) then resumes where the shared prefix, or the previous
 * element of the same array, was found, instead of scanning the text from
 * its start each time: the loader locates every step and expectation, and
 * that was quadratic in the size of the file. Zero-initialize it; it
 * belongs to one text (another text, or another length, resets it).
 */
#define GS_JPATH_MEMO_DEPTH (GS_JPATH_MAX + 2)
#define GS_JPATH_MEMO_KEY   64 /* longer keys end the memoized path */
struct gs_jpath_memo {
    const char *text;
    size_t len;
    unsigned n; /* components of the path memoized (all found) */
    struct {
        bool is_key;
        char key[GS_JPATH_MEMO_KEY];
        size_t index;
    } c[GS_JPATH_MEMO_DEPTH];
    size_t off[GS_JPATH_MEMO_DEPTH + 1]; /* off[k]: start of the value at c[0..k) */
    size_t koff[GS_JPATH_MEMO_DEPTH];    /* koff[k]: start of the key of c[k] (a key) */
    size_t lc_off;                       /* the last offset converted, and its position */
    unsigned lc_line, lc_col;
};

/*
 * gs_jpath_locate with a memo (NULL: none): the same answer, found from
 * where the memo's path left off when the two paths share a prefix. Paths
 * deeper than GS_JPATH_MEMO_DEPTH are located, not memoized past it.
 */
bool gs_jpath_locate_memo(const char *text, size_t len, const struct gs_jcomp *c, unsigned nc,
                          bool at_key, struct gs_jpath_memo *m, struct gs_jpos *out);

#endif
