/* SPDX-License-Identifier: MIT */
/*
 * ipc_client (package ipc_client): the client half of the rot13 pair,
 * modelled on libtock-c's examples/rot13_client, but it stops after ROUNDS
 * round trips and checks every answer.
 *
 * 1. discover "org.grantsim.rot13" (IPC command 1);
 * 2. subscribe to notifications from that service, share a 64-byte buffer
 *    aligned to 64 with it (allow_rw number = service id);
 * 3. ROUNDS times: notify the service (command 2), Yield-Wait until the
 *    client upcall, print the buffer, check it.
 *
 * Output on a faithful kernel:
 *   rot13 1: Uryyb Jbeyq!
 *   rot13 2: Hello World!
 *   rot13 3: Uryyb Jbeyq!
 *   rot13 client done
 * Exit codes: 0 all rounds right; 1 service not found; 2 subscribe failed;
 * 3 share failed; 4 notify failed; 5 an answer was wrong.
 */
#include "console.h"
#include "ipc.h"
#include "rot13.h"

#define SERVICE_NAME "org.grantsim.rot13"
#define MESSAGE      "Hello World!"
#define ROUNDS       3

/* The whole 64 bytes are shared; struct rot13_buf sits at their start. */
static char shared[64] __attribute__((aligned(64)));

static volatile bool answered;

/* The upcall of a Client notification: (service id, len, ptr) of what the
 * service shared with us; this service shares nothing, so (id, 0, 0). */
static void on_answer(uint32_t service, uint32_t len, uint32_t ptr, void *appdata)
{
    (void)service;
    (void)len;
    (void)ptr;
    (void)appdata;
    answered = true;
}

int main(void)
{
    uint32_t svc;
    int st = ipc_discover(SERVICE_NAME, &svc);
    if (st != TOCK_OK) {
        printf("rot13 client: no service %s: %s\n", SERVICE_NAME, tock_strerror(st));
        return 1;
    }
    st = ipc_register_client(svc, on_answer, NULL);
    if (st != TOCK_OK) {
        printf("rot13 client: subscribe failed: %s\n", tock_strerror(st));
        return 2;
    }

    struct rot13_buf *rb = (struct rot13_buf *)shared;
    rb->length = (int8_t)(sizeof(MESSAGE) - 1);
    memcpy(rb->text, MESSAGE, sizeof(MESSAGE) - 1);
    st = ipc_share(svc, shared, sizeof(shared));
    if (st != TOCK_OK) {
        printf("rot13 client: share failed: %s\n", tock_strerror(st));
        return 3;
    }

    char expect[sizeof(MESSAGE) - 1];
    memcpy(expect, MESSAGE, sizeof(expect));
    int wrong = 0;
    for (int round = 1; round <= ROUNDS; round++) {
        answered = false;
        st = ipc_notify_service(svc);
        if (st != TOCK_OK) {
            printf("rot13 client: notify failed: %s\n", tock_strerror(st));
            return 4;
        }
        tock_yield_for(&answered);
        for (size_t i = 0; i < sizeof(expect); i++) {
            expect[i] = rot13_char(expect[i]);
        }
        printf("rot13 %d: %.*s\n", round, rb->length, rb->text);
        if (rb->length != (int8_t)sizeof(expect) || memcmp(rb->text, expect, sizeof(expect)) != 0) {
            wrong = 1;
        }
    }
    printf("rot13 client done\n");
    return wrong ? 5 : 0;
}
