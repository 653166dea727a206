/* SPDX-License-Identifier: MIT */
/*
 * The rot13 pair's shared buffer. Layout as in libtock-c's
 * examples/rot13_client and rot13_service (struct rot13_buf): one signed
 * length byte, then up to 31 characters. The client shares 64 bytes aligned
 * to 64 that start with it.
 */
#ifndef GRANTSIM_APPS_ROT13_H
#define GRANTSIM_APPS_ROT13_H

#include <stdint.h>

struct rot13_buf {
    int8_t length;
    char text[31];
};

static inline char rot13_char(char c)
{
    if (c >= 'a' && c <= 'z') {
        return (char)('a' + (c - 'a' + 13) % 26);
    }
    if (c >= 'A' && c <= 'Z') {
        return (char)('A' + (c - 'A' + 13) % 26);
    }
    return c;
}

#endif
