/* SPDX-License-Identifier: MIT */
/*
 * grant_stress: a client of the board's test capsule (driver 0x90000,
 * docs/drivers.md) that goes through its command table and checks every
 * answer against the capsule's contract.
 *
 * Needs a test capsule with at least 1 upcall, 1 RO allow, 1 RW allow and a
 * T of at least 8 bytes; out-of-range checks use index/offset 1000/0x10000
 * so that any smaller shape works.
 *
 * Exit code: 0 if every check held, otherwise the number of the first check
 * that failed (after a line "grant_stress: FAIL check N: ..."). The checks
 * are numbered in the order they run; README.md lists them.
 */
#include "console.h"
#include "tock.h"

#define TC DRIVER_TESTCAP

#define CMD_EXISTS       0u
#define CMD_UPCALL       1u
#define CMD_WRITE_T      2u
#define CMD_READ_T       3u
#define CMD_SUM_RO       4u
#define CMD_FILL_RW      5u
#define CMD_CUSTOM_GRANT 6u
#define CMD_ADDRESSES    7u
#define CMD_FLOOD        8u

#define FLOOD_N          32u
#define CUSTOM_SIZE      256u
#define CUSTOM_ALIGN     8u
#define CUSTOM_MAX_TRIES 4096u
#define BAD_INDEX        1000u
#define BAD_OFFSET       0x10000u

struct upcall_log {
    uint32_t count;
    uint32_t arg0, arg1, arg2;
    void *appdata;
};

static struct upcall_log log;

static void on_upcall(uint32_t a0, uint32_t a1, uint32_t a2, void *appdata)
{
    log.count++;
    log.arg0 = a0;
    log.arg1 = a1;
    log.arg2 = a2;
    log.appdata = appdata;
}

static int check_no;

/* Numbers the next check; if it failed, reports it and exits with its number. */
static void check(int ok, const char *what)
{
    check_no++;
    if (!ok) {
        printf("grant_stress: FAIL check %d: %s\n", check_no, what);
        exit(check_no);
    }
}

static int cmd_none(uint32_t cmd, uint32_t a0, uint32_t a1)
{
    return tock_ret_none(tock_command(TC, cmd, a0, a1));
}

static int cmd_u32(uint32_t cmd, uint32_t a0, uint32_t a1, uint32_t *v)
{
    return tock_ret_u32(tock_command(TC, cmd, a0, a1), v);
}

static uint32_t byte_sum(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s += b[i];
    }
    return s;
}

static const char flash_text[] = "read-only bytes in flash";

int main(void)
{
    uint32_t v = 0;
    uint32_t w = 0;
    tock_swap_t sw;

    /* Allocates the console grant now, before the grant region runs out. */
    printf("grant_stress: start\n");

    /* 1: the driver exists. */
    check(cmd_none(CMD_EXISTS, 0, 0) == TOCK_OK, "command 0 (exists)");

    /* 2-3: the first subscribe returns the null upcall as the old one. */
    sw = tock_subscribe(TC, 0, on_upcall, &log);
    check(sw.status == TOCK_OK, "subscribe 0");
    check(sw.ptr == 0 && sw.val == 0, "first subscribe returns (0, 0)");

    /* 4-8: T starts zeroed, words written read back, out of range is INVAL. */
    check(cmd_u32(CMD_READ_T, 0, 0, &v) == TOCK_OK && v == 0, "T starts as zeros");
    check(cmd_none(CMD_WRITE_T, 0, 0xC0FFEE01u) == TOCK_OK, "write T[0]");
    check(cmd_none(CMD_WRITE_T, 4, 0x12345678u) == TOCK_OK, "write T[4]");
    check(cmd_u32(CMD_READ_T, 0, 0, &v) == TOCK_OK && v == 0xC0FFEE01u &&
              cmd_u32(CMD_READ_T, 4, 0, &w) == TOCK_OK && w == 0x12345678u,
          "T words read back");
    check(cmd_u32(CMD_READ_T, BAD_OFFSET, 0, &v) == TOCK_EINVAL, "read T out of range is INVAL");

    /* 9-13: RO allow 0 from RAM, then from flash; the swap returns the old one. */
    static uint8_t ro_ram[16];
    for (size_t i = 0; i < sizeof(ro_ram); i++) {
        ro_ram[i] = (uint8_t)(i + 1);
    }
    sw = tock_allow_ro(TC, 0, ro_ram, sizeof(ro_ram));
    check(sw.status == TOCK_OK && sw.ptr == 0 && sw.val == 0, "allow_ro 0 (RAM)");
    check(cmd_u32(CMD_SUM_RO, 0, 0, &v) == TOCK_OK && v == 136, "sum of RO allow 0 (RAM) is 136");
    sw = tock_allow_ro(TC, 0, flash_text, sizeof(flash_text) - 1);
    check(sw.status == TOCK_OK && sw.ptr == (uint32_t)ro_ram && sw.val == sizeof(ro_ram),
          "allow_ro 0 (flash) returns the RAM buffer");
    check(cmd_u32(CMD_SUM_RO, 0, 0, &v) == TOCK_OK &&
              v == byte_sum(flash_text, sizeof(flash_text) - 1),
          "sum of RO allow 0 (flash)");
    check(cmd_u32(CMD_SUM_RO, BAD_INDEX, 0, &v) == TOCK_EINVAL, "sum of RO allow 1000 is INVAL");
    tock_allow_ro(TC, 0, NULL, 0);

    /* 14-18: RW allow 0 is filled by the capsule; after un-allowing, nothing is. */
    static uint8_t rw[32];
    sw = tock_allow_rw(TC, 0, rw, sizeof(rw));
    check(sw.status == TOCK_OK, "allow_rw 0");
    int all = cmd_u32(CMD_FILL_RW, 0, 0x5A, &v) == TOCK_OK && v == sizeof(rw);
    for (size_t i = 0; i < sizeof(rw); i++) {
        all = all && rw[i] == 0x5A;
    }
    check(all, "fill RW allow 0 with 0x5a");
    sw = tock_allow_rw(TC, 0, NULL, 0);
    check(sw.status == TOCK_OK && sw.ptr == (uint32_t)rw && sw.val == sizeof(rw),
          "un-allow returns the old buffer");
    check(cmd_u32(CMD_FILL_RW, 0, 0xA5, &v) == TOCK_OK && v == 0 && rw[0] == 0x5A,
          "fill after un-allow touches nothing");
    check(cmd_u32(CMD_FILL_RW, BAD_INDEX, 0, &v) == TOCK_EINVAL, "fill RW allow 1000 is INVAL");

    /* 19-21: one scheduled upcall arrives with (v, i, 0) and our appdata. */
    check(cmd_none(CMD_UPCALL, 0, 7) == TOCK_OK, "schedule upcall 0");
    tock_yield();
    check(log.count == 1 && log.arg0 == 7 && log.arg1 == 0 && log.arg2 == 0 && log.appdata == &log,
          "upcall 0 delivered with (7, 0, 0) and appdata");
    check(cmd_none(CMD_UPCALL, BAD_INDEX, 0) == TOCK_EINVAL, "schedule upcall 1000 is INVAL");

    /* 22-23: the grant and its T lie in the kernel's grant region. */
    uint32_t base = 0, t = 0, grant_start = 0, ram_end = 0;
    check(tock_ret_u32_u32(tock_command(TC, CMD_ADDRESSES, 0, 0), &base, &t) == TOCK_OK,
          "command 7 (addresses)");
    check(tock_memop_u32(MEMOP_GRANT_START, 0, &grant_start) == TOCK_OK &&
              tock_memop_u32(MEMOP_RAM_END, 0, &ram_end) == TOCK_OK && grant_start <= base &&
              base < t && t < ram_end,
          "grant_start <= grant < T < RAM end");

    /* 24-27: flood the task queue, then drain it with Yield-NoWait. No printf
     * in between: a full queue has no room for the console's event. */
    uint32_t queued = 0;
    log.count = 0;
    int flood = cmd_u32(CMD_FLOOD, FLOOD_N, 0, &queued);
    int full_refused = 1;
    if (flood == TOCK_OK && queued < FLOOD_N) {
        full_refused = cmd_none(CMD_UPCALL, 0, 9) == TOCK_ENOMEM;
    }
    uint32_t drained = 0;
    while (tock_yield_no_wait() == 1 && drained < 2 * FLOOD_N) {
        drained++;
    }
    check(flood == TOCK_OK && queued >= 1 && queued <= FLOOD_N, "command 8 (flood) queued 1..32");
    check(full_refused, "schedule upcall on a full queue is NOMEM");
    check(log.count == queued, "every queued upcall was delivered");
    check(drained == queued, "Yield-NoWait returned 1 once per upcall");

    /* 28-30: custom grants until NOMEM; they come out of the grant region. */
    uint32_t grants = 0;
    int st = TOCK_OK;
    while (grants < CUSTOM_MAX_TRIES) {
        st = cmd_u32(CMD_CUSTOM_GRANT, CUSTOM_SIZE, CUSTOM_ALIGN, &v);
        if (st != TOCK_OK) {
            break;
        }
        grants++;
    }
    uint32_t grant_start_after = 0;
    check(grants >= 1, "at least one custom grant");
    check(st == TOCK_ENOMEM, "custom grants end with NOMEM");
    check(tock_memop_u32(MEMOP_GRANT_START, 0, &grant_start_after) == TOCK_OK &&
              grant_start_after <= grant_start - grants * CUSTOM_SIZE,
          "the grant region grew down by at least the custom grants");

    /* 31-32: the capsule still works with the region exhausted. */
    check(cmd_u32(CMD_READ_T, 0, 0, &v) == TOCK_OK && v == 0xC0FFEE01u, "T intact afterwards");
    check(cmd_none(99, 0, 0) == TOCK_ENOSUPPORT, "command 99 is NOSUPPORT");

    printf("grant_stress: custom grants %u, flood queued %u delivered %u\n", (unsigned)grants,
           (unsigned)queued, (unsigned)log.count);
    printf("grant_stress: PASS (%d checks)\n", check_no);
    return 0;
}
