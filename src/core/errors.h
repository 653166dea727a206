/* SPDX-License-Identifier: MIT */
/*
 * errors.h - grantsim's error values.
 *
 * Two families, never mixed:
 *
 *  - enum gs_err: the project-wide return convention inside grantsim. 0 is
 *    success, every failure is negative. The first block mirrors Tock's
 *    process::Error (kernel/src/process.rs) so that kernel functions can return
 *    exactly the error upstream returns; the second block is grantsim's own.
 *
 *  - enum gs_ecode: Tock's ErrorCode (kernel/src/errorcode.rs), positive
 *    values 1..13, used only where a result crosses the syscall boundary.
 */
#ifndef GS_ERRORS_H
#define GS_ERRORS_H

enum gs_err {
    GS_OK = 0,
    /* Tock process::Error (kernel/src/process.rs). */
    GS_E_NO_SUCH_APP = -1,
    GS_E_OUT_OF_MEMORY = -2,
    GS_E_ADDRESS_OUT_OF_BOUNDS = -3,
    GS_E_INACTIVE_APP = -4,
    GS_E_KERNEL_ERROR = -5,
    GS_E_ALREADY_IN_USE = -6,
    /* Tock ProcessLoadError values that process creation can return. */
    GS_E_MPU_CONFIG = -10,        /* MpuConfigurationError */
    GS_E_MPU_FLASH_LEN = -11,     /* MpuInvalidFlashLength */
    GS_E_ADDRESS_MISMATCH = -12,  /* MemoryAddressMismatch */
    GS_E_NOT_ENOUGH_MEMORY = -13, /* NotEnoughMemory */
    GS_E_INTERNAL = -14,          /* InternalError */
    /* grantsim's own. */
    GS_E_ARG = -20,        /* a caller passed an argument outside the contract */
    GS_E_BOUNDS = -21,     /* a target address outside simulated memory */
    GS_E_PANIC = -22,      /* the simulated kernel has panicked; the run is over */
    GS_E_FINALIZED = -23,  /* grants were finalized; create_grant refused */
    GS_E_NO_SLOT = -24,    /* no free process slot */
    GS_E_NOMEM_HOST = -25, /* the host ran out of memory */
    GS_E_STATE = -26,      /* operation not valid in the object's current state */
    GS_E_FAULT = -27,      /* the operation faulted the process */
};

/* Tock ErrorCode (kernel/src/errorcode.rs). 0 is reserved for success. */
enum gs_ecode {
    GS_EC_FAIL = 1,
    GS_EC_BUSY = 2,
    GS_EC_ALREADY = 3,
    GS_EC_OFF = 4,
    GS_EC_RESERVE = 5,
    GS_EC_INVAL = 6,
    GS_EC_SIZE = 7,
    GS_EC_CANCEL = 8,
    GS_EC_NOMEM = 9,
    GS_EC_NOSUPPORT = 10,
    GS_EC_NODEVICE = 11,
    GS_EC_UNINSTALLED = 12,
    GS_EC_NOACK = 13,
};

/* Name of an enum gs_err value ("OutOfMemory", "BadArgument", ...); never NULL. */
const char *gs_err_name(int err);

/* Name of a Tock ErrorCode ("NOMEM", ...); "UNKNOWN" for values outside 1..13. */
const char *gs_ecode_name(int code);

/* Parses an ErrorCode name (as printed by gs_ecode_name); returns 0 if unknown. */
int gs_ecode_from_name(const char *name);

/*
 * Maps a process::Error to the ErrorCode Tock returns for it
 * (`impl From<process::Error> for ErrorCode`, kernel/src/process.rs):
 * OutOfMemory -> NOMEM, AddressOutOfBounds -> INVAL, NoSuchApp -> INVAL,
 * InactiveApp -> FAIL, KernelError -> FAIL, AlreadyInUse -> FAIL.
 * Any other negative value maps to FAIL.
 */
enum gs_ecode gs_err_to_ecode(int err);

#endif
