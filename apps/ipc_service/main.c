/* SPDX-License-Identifier: MIT */
/*
 * ipc_service (package org.grantsim.rot13): the service half of a rot13 pair,
 * modelled on libtock-c's examples/rot13_service.
 *
 * It registers an IPC service upcall under its own package name and then
 * Yield-Waits forever. For every notification from a client it applies rot13
 * to the client's shared buffer in place and notifies that client back.
 * It never exits and prints one line at start.
 */
#include "console.h"
#include "ipc.h"
#include "rot13.h"

#define SERVICE_NAME "org.grantsim.rot13"

/* The upcall of a Service notification: (client id, shared len, shared ptr),
 * tock kernel/src/ipc.rs schedule_upcall. A client that shared nothing gives
 * (0, 0). */
static void on_request(uint32_t client, uint32_t len, uint32_t ptr, void *appdata)
{
    (void)appdata;
    if (ptr != 0 && len >= sizeof(struct rot13_buf)) {
        struct rot13_buf *rb = (struct rot13_buf *)ptr;
        int n = rb->length;
        if (n > (int)sizeof(rb->text)) {
            n = (int)sizeof(rb->text);
        }
        for (int i = 0; i < n; i++) {
            rb->text[i] = rot13_char(rb->text[i]);
        }
    }
    ipc_notify_client(client);
}

int main(void)
{
    int st = ipc_register_service(SERVICE_NAME, on_request, NULL);
    if (st != TOCK_OK) {
        printf("rot13 service: register failed: %s\n", tock_strerror(st));
        return 1;
    }
    printf("rot13 service ready\n");
    for (;;) {
        tock_yield();
    }
}
