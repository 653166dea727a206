/* SPDX-License-Identifier: MIT */
#include "errors.h"

#include <string.h>

const char *gs_err_name(int err)
{
    switch (err) {
    case GS_OK:
        return "Ok";
    case GS_E_NO_SUCH_APP:
        return "NoSuchApp";
    case GS_E_OUT_OF_MEMORY:
        return "OutOfMemory";
    case GS_E_ADDRESS_OUT_OF_BOUNDS:
        return "AddressOutOfBounds";
    case GS_E_INACTIVE_APP:
        return "InactiveApp";
    case GS_E_KERNEL_ERROR:
        return "KernelError";
    case GS_E_ALREADY_IN_USE:
        return "AlreadyInUse";
    case GS_E_MPU_CONFIG:
        return "MpuConfigurationError";
    case GS_E_MPU_FLASH_LEN:
        return "MpuInvalidFlashLength";
    case GS_E_ADDRESS_MISMATCH:
        return "MemoryAddressMismatch";
    case GS_E_NOT_ENOUGH_MEMORY:
        return "NotEnoughMemory";
    case GS_E_INTERNAL:
        return "InternalError";
    case GS_E_ARG:
        return "BadArgument";
    case GS_E_BOUNDS:
        return "OutsideSimulatedMemory";
    case GS_E_PANIC:
        return "KernelPanicked";
    case GS_E_FINALIZED:
        return "GrantsFinalized";
    case GS_E_NO_SLOT:
        return "NoProcessSlot";
    case GS_E_NOMEM_HOST:
        return "HostOutOfMemory";
    case GS_E_STATE:
        return "WrongState";
    case GS_E_FAULT:
        return "ProcessFaulted";
    default:
        return "UnknownError";
    }
}

static const char *const ecode_names[] = {
    [GS_EC_FAIL] = "FAIL",         [GS_EC_BUSY] = "BUSY",
    [GS_EC_ALREADY] = "ALREADY",   [GS_EC_OFF] = "OFF",
    [GS_EC_RESERVE] = "RESERVE",   [GS_EC_INVAL] = "INVAL",
    [GS_EC_SIZE] = "SIZE",         [GS_EC_CANCEL] = "CANCEL",
    [GS_EC_NOMEM] = "NOMEM",       [GS_EC_NOSUPPORT] = "NOSUPPORT",
    [GS_EC_NODEVICE] = "NODEVICE", [GS_EC_UNINSTALLED] = "UNINSTALLED",
    [GS_EC_NOACK] = "NOACK",
};

const char *gs_ecode_name(int code)
{
    if (code < GS_EC_FAIL || code > GS_EC_NOACK)
        return "UNKNOWN";
    return ecode_names[code];
}

int gs_ecode_from_name(const char *name)
{
    if (!name)
        return 0;
    for (int c = GS_EC_FAIL; c <= GS_EC_NOACK; c++)
        if (strcmp(name, ecode_names[c]) == 0)
            return c;
    return 0;
}

enum gs_ecode gs_err_to_ecode(int err)
{
    switch (err) {
    case GS_E_OUT_OF_MEMORY:
        return GS_EC_NOMEM;
    case GS_E_ADDRESS_OUT_OF_BOUNDS:
    case GS_E_NO_SUCH_APP:
        return GS_EC_INVAL;
    default:
        return GS_EC_FAIL;
    }
}
