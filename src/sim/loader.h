/* SPDX-License-Identifier: MIT */
/*
 * loader.h - Tock Binary Format (TBF) parsing, the kernel's flash scan, and
 * the libtock-c ELF -> flash image -> TBF conversion (TOCK-REFERENCE 8 and
 * 11.2).
 *
 * Four jobs, each usable alone:
 *
 *   gs_tbf_parse        one TBF from a byte buffer: the base header, the
 *                       checksum and every header TLV, exactly as
 *                       libraries/tock-tbf/src/parse.rs accepts or refuses it;
 *                       the gs_tbf_* getters give the derived values (8.3).
 *   gs_flash_scan       the synchronous loader's walk over app flash
 *                       (kernel/src/process_loading.rs, process_binary.rs):
 *                       one entry per TBF, loadable or with the reason it is
 *                       skipped, and why the walk stopped.
 *   gs_elf_to_image     a libtock-c PIC ELF32 (ARM, little-endian) to the
 *                       flash image elf2tab puts behind the TBF header
 *                       (11.2.3): segments, u32 length, relocations.
 *   gs_tbf_synthesize   the TBF header and footer elf2tab writes around such
 *                       an image (11.2.4).
 *
 * Byte-level layout of the TBF base header (all fields little-endian):
 *
 *    0        2        4                 8                12               16
 *    +--------+--------+-----------------+-----------------+----------------+
 *    |version |header_ |   total_size    |      flags      |    checksum    |
 *    | = 2    |  size  |  (whole TBF)    | bit0 = enabled  | XOR of words   |
 *    +--------+--------+-----------------+-----------------+----------------+
 *    | TLV: u16 type, u16 length, data, zero padding to 4 ...               |
 *    +----------------------------------------------------------------------+ header_size
 *    | protected trailer (protected_trailer_size bytes)                     |
 *    +----------------------------------------------------------------------+ protected_size
 *    | app binary: crt0 header, .text, .got/.data image, u32 len, .rel.data |
 *    +----------------------------------------------------------------------+ binary_end
 *    | footers: Credentials TLVs (type 128)                                 |
 *    +----------------------------------------------------------------------+ total_size
 *
 * Nothing here allocates unless its contract says so; nothing reads outside
 * the buffer it is given, whatever the bytes are.
 *
 * Errors: every function returns 0 on success or a negative value: a
 * gs_err (errors.h: GS_E_ARG for a contract violation, GS_E_NOMEM_HOST) or
 * one of the loader's own codes below, which describe malformed input. The
 * loader's codes live below -99 so that they never collide with gs_err.
 * When a `struct gs_load_error *` is given (it may be NULL) it is filled on
 * error only, with the code's stable name, the offending field, its byte
 * offset in the input and a message.
 */
#ifndef GS_LOADER_H
#define GS_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "process.h"

/* ------------------------------------------------------------------ errors */

enum gs_load_code {
    /* TbfParseError / InitialTbfParseError (libraries/tock-tbf/src/types.rs). */
    GS_LE_UNABLE_TO_PARSE = -100,  /* "UnableToParse": version != 2 */
    GS_LE_INVALID_HEADER = -101,   /* "InvalidHeader": header_size < 16 or > total_size */
    GS_LE_NOT_ENOUGH_FLASH = -102, /* "NotEnoughFlash": a field runs past its buffer */
    GS_LE_CHECKSUM = -103,         /* "ChecksumMismatch" */
    GS_LE_BAD_TLV = -104,          /* "BadTlvEntry": a TLV of the wrong length or type */
    GS_LE_BAD_NAME = -105,         /* "BadProcessName": package name not UTF-8 */
    GS_LE_TBF_INTERNAL = -106,     /* "InternalError": upstream's name for a short slice */
    /* ELF input and synthesis (grantsim's own). */
    GS_LE_ELF_HEADER = -110, /* "BadElfHeader": not an ELF32 LE ARM executable */
    GS_LE_ELF_BOUNDS = -111, /* "ElfOutOfBounds": a table or range outside the file */
    GS_LE_ELF_LAYOUT = -112, /* "BadElfLayout": segments/entry not a libtock-c PIC layout */
    GS_LE_TOO_LARGE = -113,  /* "TooLarge": a size beyond the loader's limits */
};

/* What went wrong, for messages and tests. */
struct gs_load_error {
    int code;          /* enum gs_load_code or a gs_err */
    const char *name;  /* stable name of code ("ChecksumMismatch", ...) */
    char field[48];    /* offending field ("tlv[2].length", "e_phoff", ...) */
    size_t offset;     /* byte offset of that field in the input buffer */
    uint32_t value;    /* the offending value (BadTlvEntry: the TLV type;
                          InvalidHeader: total_size) */
    uint32_t stored;   /* ChecksumMismatch: the value in the header */
    uint32_t computed; /* ChecksumMismatch: the XOR computed over the header */
    char message[160];
};

/* Stable name of a loader code or gs_err value; never NULL. */
const char *gs_load_code_name(int code);

/* ------------------------------------------------------------- TBF header */

#define GS_TBF_BASE_SIZE    16u
#define GS_TBF_VERSION      2u
#define GS_TBF_FLAG_ENABLED 0x1u
#define GS_TBF_FLAG_STICKY  0x2u

/* TLV types (libraries/tock-tbf/src/types.rs TbfHeaderTypes). */
enum gs_tbf_tlv {
    GS_TLV_MAIN = 1,
    GS_TLV_WFR = 2,
    GS_TLV_PACKAGE_NAME = 3,
    GS_TLV_PIC_OPTION1 = 4, /* obsolete; parsed as unknown */
    GS_TLV_FIXED_ADDRESSES = 5,
    GS_TLV_PERMISSIONS = 6,
    GS_TLV_STORAGE_PERMISSIONS = 7,
    GS_TLV_KERNEL_VERSION = 8,
    GS_TLV_PROGRAM = 9,
    GS_TLV_SHORT_ID = 10,
    GS_TLV_CREDENTIALS = 128, /* footer only */
};

/*
 * A parsed TBF header. Pointers are borrowed: they point into the buffer
 * given to gs_tbf_parse and are valid as long as it is. Fields of TLVs that
 * are absent are zero.
 */
struct gs_tbf {
    const uint8_t *buf; /* first byte of the TBF */
    uint16_t version;
    uint16_t header_size;
    uint32_t total_size;
    uint32_t flags;
    uint32_t checksum;
    bool padding;  /* header of exactly 16 bytes: not an app (TbfHeader::Padding) */
    unsigned ntlv; /* TLVs walked */

    bool has_main; /* type 1; the first one counts */
    uint32_t main_init_fn_offset, main_protected_trailer, main_min_ram;
    bool has_program; /* type 9; the first one counts */
    uint32_t prog_init_fn_offset, prog_protected_trailer, prog_min_ram, prog_binary_end,
        prog_version;
    uint16_t program_at; /* offset of the Program TLV's data from the TBF start */
    const uint8_t *name; /* type 3 (last wins): valid UTF-8, not NUL-terminated */
    uint16_t name_len;
    const uint8_t *wfr; /* type 2 (last wins): wfr_len / 8 {offset, size} pairs */
    uint16_t wfr_len;
    bool has_fixed; /* type 5 (last wins): raw values, 0xFFFFFFFF = none */
    uint32_t fixed_ram, fixed_flash;
    const uint8_t *perms; /* type 6 (last wins), raw; see gs_tbf_command_permissions */
    uint16_t perms_len;
    bool has_perms;
    const uint8_t *storage; /* type 7 (last wins), raw; see gs_tbf_storage_permissions */
    uint16_t storage_len;
    bool has_storage;
    bool has_kernel_version; /* type 8 (last wins) */
    uint16_t kv_major, kv_minor;
    bool has_short_id; /* type 10 (last wins); 0 means none */
    uint32_t short_id;
};

/*
 * parse_tbf_header_lengths (libraries/tock-tbf/src/parse.rs) on the first 8
 * bytes of buf. On success writes the version, header_size and total_size.
 * Errors: GS_LE_NOT_ENOUGH_FLASH (len < 8), GS_LE_UNABLE_TO_PARSE (version
 * != 2: the end of the app list), GS_LE_INVALID_HEADER (header_size < 16 or
 * > total_size; err->value = total_size, the number of bytes a scan skips),
 * GS_E_ARG (buf NULL with len > 0).
 */
int gs_tbf_lengths(const uint8_t *buf, size_t len, uint16_t *version, uint16_t *header_size,
                   uint32_t *total_size, struct gs_load_error *err);

/*
 * Parses the TBF that starts at buf: the lengths (gs_tbf_lengths), then
 * requires total_size <= len (as the kernel's discover_process_binary does),
 * then runs parse_tbf_header on [0, header_size): checksum, Padding, and
 * every TLV with upstream's rules and order of checks. Footers are not
 * looked at (gs_tbf_footers does that). *out is written only on success and
 * borrows buf.
 * Errors: those of gs_tbf_lengths; GS_LE_NOT_ENOUGH_FLASH (total_size > len,
 * a TLV header or data past header_size); GS_LE_CHECKSUM (err->stored,
 * err->computed); GS_LE_BAD_TLV (err->value = type: Main != 12, Program !=
 * 20, WFR not a multiple of 8, FixedAddresses != 8, KernelVersion != 4,
 * ShortId != 4); GS_LE_BAD_NAME (PackageName not UTF-8); GS_E_ARG.
 */
int gs_tbf_parse(const uint8_t *buf, size_t len, struct gs_tbf *out, struct gs_load_error *err);

/* Derived values (TbfHeader methods in libraries/tock-tbf/src/types.rs).
 * Program is used when present, else Main, else 0; Padding gives 0.
 * Sums wrap at 32 bits as upstream's release builds do. */
uint32_t gs_tbf_min_ram(const struct gs_tbf *t);
uint32_t gs_tbf_protected_size(const struct gs_tbf *t); /* header_size + trailer; = app start */
uint32_t gs_tbf_init_offset(const struct gs_tbf *t);    /* init_fn_offset + header_size */
uint32_t gs_tbf_binary_end(const struct gs_tbf *t);     /* Program's, else total_size */
uint32_t gs_tbf_binary_version(const struct gs_tbf *t); /* Program's, else 0 */
bool gs_tbf_enabled(const struct gs_tbf *t);            /* an app with flags bit 0 set */

/* Fixed addresses: true and *addr when the TLV is present and the value is
 * not 0xFFFFFFFF. *addr is written only when true is returned. */
bool gs_tbf_fixed_ram(const struct gs_tbf *t, uint32_t *addr);
bool gs_tbf_fixed_flash(const struct gs_tbf *t, uint32_t *addr);

/* Number of writeable flash regions and region i ({0, 0} when i is out of
 * range, like get_writeable_flash_region). */
unsigned gs_tbf_wfr_count(const struct gs_tbf *t);
struct gs_wfr gs_tbf_wfr_at(const struct gs_tbf *t, unsigned i);

enum gs_cmd_perm {
    GS_PERM_NONE_AT_ALL,      /* no Permissions TLV, or a malformed one on the way */
    GS_PERM_NONE_THIS_DRIVER, /* entries exist, none for this driver */
    GS_PERM_MASK,             /* *mask is the allowed-command bitmap (0 if the driver
                                 is listed but not this offset) */
};

/*
 * get_command_permissions(driver, offset) with offset = command / 64: walks
 * the entries in order, returning the first match; a malformed TLV (shorter
 * than its count says) gives NONE_AT_ALL when the walk reaches the missing
 * entry. *mask is written for GS_PERM_MASK only.
 */
enum gs_cmd_perm gs_tbf_command_permissions(const struct gs_tbf *t, uint32_t driver,
                                            uint32_t offset, uint64_t *mask);

/* Decoded StoragePermissions TLV (at most 8 read and 8 modify ids upstream). */
#define GS_TBF_MAX_STORAGE_IDS 8u
struct gs_tbf_storage {
    uint32_t write_id; /* 0 = none */
    uint16_t nread, nmodify;
    uint32_t read_ids[GS_TBF_MAX_STORAGE_IDS];
    uint32_t modify_ids[GS_TBF_MAX_STORAGE_IDS];
};

/*
 * Decodes the StoragePermissions TLV the way TbfHeaderV2StoragePermissions's
 * TryFrom does. Errors: GS_E_ARG (no such TLV), GS_LE_NOT_ENOUGH_FLASH (a
 * count or id past the TLV), GS_LE_BAD_TLV (more than 8 ids in a list).
 * *out is written only on success.
 */
int gs_tbf_storage_permissions(const struct gs_tbf *t, struct gs_tbf_storage *out,
                               struct gs_load_error *err);

/* ---------------------------------------------------------------- footers */

enum gs_cred_format {
    GS_CRED_RESERVED = 0,
    GS_CRED_RSA3072 = 1,
    GS_CRED_RSA4096 = 2,
    GS_CRED_SHA256 = 3,
    GS_CRED_SHA384 = 4,
    GS_CRED_SHA512 = 5,
    GS_CRED_ECDSA_P256 = 6,
};

struct gs_tbf_footers {
    unsigned count; /* Credentials footers found */
    unsigned count_by_format[7];
    uint32_t first_format; /* format of the first footer (if count > 0) */
    uint32_t end;          /* offset (from the TBF start) where the walk stopped */
};

/*
 * Walks the footer region [binary_end, total_size) as the credential checker
 * does (kernel/src/process_checker.rs with parse_tbf_footer): each footer is
 * a type-128 TLV whose data starts with a u32 format; the next footer starts
 * length + 4 bytes later (no alignment). A TLV that does not fit ends the
 * walk quietly (upstream: "past last footer"). Requires the TBF bytes up to
 * total_size to be in the buffer t was parsed from (gs_tbf_parse checks it).
 * Errors: GS_LE_NOT_ENOUGH_FLASH (binary_end > total_size), GS_LE_BAD_TLV
 * (type != 128, or an unknown format), GS_LE_TBF_INTERNAL (a Credentials
 * TLV shorter than its 4-byte format), GS_E_ARG. *out only on success.
 */
int gs_tbf_footers(const struct gs_tbf *t, struct gs_tbf_footers *out, struct gs_load_error *err);

/* ------------------------------------------------------- to gs_app_info */

/*
 * The kernel's view of a parsed TBF at target address flash_start.
 * Ownership: info.name points into the TBF buffer (borrowed); perms and wfr
 * are malloc'd and owned by this struct (free with gs_tbf_app_free).
 * gs_process_create copies all three, so the holder may be freed as soon as
 * the process exists.
 */
struct gs_tbf_app {
    struct gs_app_info info;
    struct gs_wfr *wfr;
};

/*
 * Fills *out from t: flash_start/len, header_size, the Program-else-Main
 * values, binary_end, fixed addresses, name and Permissions TLV data (both
 * pointing into t's buffer) and writeable flash regions (owned by *out). Errors: GS_E_ARG (Padding, NULL), GS_E_NOMEM_HOST. *out is
 * written only on success.
 */
int gs_tbf_app_info(const struct gs_tbf *t, uint32_t flash_start, struct gs_tbf_app *out);

/* Frees what gs_tbf_app_info allocated. Accepts NULL and a zeroed struct. */
void gs_tbf_app_free(struct gs_tbf_app *a);

/* ------------------------------------------------------------ flash scan */

#define GS_KERNEL_MAJOR         2u
#define GS_KERNEL_MINOR_HEAD    3u /* kernel/src/lib.rs at HEAD */
#define GS_KERNEL_MINOR_REL_2_2 1u /* the release-2.2 tag never bumped it */
#define GS_SCAN_DEFAULT_MAX     4096u

/* Why one TBF is or is not handed to process creation. */
enum gs_scan_reason {
    GS_SCAN_LOADABLE,          /* "Loadable" */
    GS_SCAN_PADDING,           /* "Padding" */
    GS_SCAN_NOT_ENABLED,       /* "NotEnabledProcess" */
    GS_SCAN_KERNEL_VERSION,    /* "IncompatibleKernelVersion": major or minor */
    GS_SCAN_NO_KERNEL_VERSION, /* "NoKernelVersion": required and absent */
    GS_SCAN_FOOTER_OVERRUN,    /* "NotEnoughFlash": binary_end > total_size (ends the scan) */
    GS_SCAN_FLASH_ADDRESS,     /* "IncorrectFlashAddress": FixedAddresses flash mismatch */
    GS_SCAN_INVALID_HEADER,    /* "InvalidHeader": skipped by total_size */
    GS_SCAN_PARSE_FAILURE,     /* "TbfHeaderParseFailure": see the entry's error */
};

/* Why the walk ended. */
enum gs_scan_stop {
    GS_STOP_END,              /* "EndOfFlash": exactly at the end */
    GS_STOP_UNABLE_TO_PARSE,  /* "UnableToParse": version != 2 (TbfHeaderNotFound) */
    GS_STOP_NOT_ENOUGH_FLASH, /* "NotEnoughFlash": < 8 bytes left, total_size past the end,
                                or binary_end > total_size */
    GS_STOP_ZERO_SIZE,        /* "ZeroSizeEntry": InvalidHeader with total_size 0 (upstream
                                would retry the same address forever) */
    GS_STOP_TOO_MANY,         /* "TooManyEntries": opts.max_entries reached */
};

const char *gs_scan_reason_name(enum gs_scan_reason r);
const char *gs_scan_stop_name(enum gs_scan_stop s);

struct gs_scan_opts {
    uint16_t kernel_major;       /* GS_KERNEL_MAJOR */
    uint16_t kernel_minor;       /* GS_KERNEL_MINOR_HEAD or _REL_2_2 (profile) */
    bool require_kernel_version; /* true in load_processes (HEAD and 2.2) */
    unsigned max_entries;        /* 0 = GS_SCAN_DEFAULT_MAX */
};

/* Defaults: kernel 2.3 (HEAD), KernelVersion required, default max. */
void gs_scan_opts_default(struct gs_scan_opts *o);

struct gs_scan_entry {
    uint32_t addr; /* target address of the TBF's first byte */
    uint32_t size; /* bytes the scan advanced (total_size) */
    bool loadable; /* passed ProcessBinary::create's checks */
    enum gs_scan_reason reason;
    bool parsed;                /* tbf is valid (every reason but InvalidHeader/ParseFailure) */
    struct gs_tbf tbf;          /* borrows the flash buffer */
    struct gs_load_error error; /* InvalidHeader, ParseFailure, footer overrun */
};

struct gs_flash_scan {
    struct gs_scan_entry *entries; /* malloc'd */
    unsigned count;
    enum gs_scan_stop stop;
    uint32_t stop_addr;              /* address where the walk ended */
    struct gs_load_error stop_error; /* the error behind stop (unused for END/TOO_MANY) */
};

/*
 * ProcessBinary::create's checks on a parsed TBF at target address addr, in
 * upstream's order: Padding, not enabled, KernelVersion (present: major !=
 * kernel_major or minor > kernel_minor; absent and required), binary_end >
 * total_size, FixedAddresses flash != addr + protected_size.
 * Returns GS_SCAN_LOADABLE or the reason. o NULL = defaults.
 */
enum gs_scan_reason gs_tbf_load_check(const struct gs_tbf *t, uint32_t addr,
                                      const struct gs_scan_opts *o);

/*
 * Walks the app flash [flash_start, flash_start + len) the way
 * load_processes_from_flash does: TBFs back to back, each advancing by its
 * total_size. Padding, disabled, version-incompatible, misplaced and
 * unparsable TBFs are recorded and skipped; the walk stops at a version other
 * than 2, at fewer than 8 bytes left, at a TBF running past the end, and at
 * a footer overrun (recorded, then stop). Process slots are not modelled:
 * the caller creates processes from the loadable entries in order.
 * out is written only on success; free it with gs_flash_scan_free.
 * Errors: GS_E_ARG (NULL flash with len > 0, flash_start + len past 4 GiB),
 * GS_E_NOMEM_HOST.
 */
int gs_flash_scan(uint32_t flash_start, const uint8_t *flash, size_t len,
                  const struct gs_scan_opts *o, struct gs_flash_scan *out);

/* Frees a scan result. Accepts NULL and a zeroed struct. */
void gs_flash_scan_free(struct gs_flash_scan *s);

/* ------------------------------------------------------------------ ELF */

#define GS_ELF_FLASH_ORIGIN  0x80000000u /* userland_generic.ld's sentinel */
#define GS_ELF_MAX_IMAGE     0x400000u   /* 4 MiB: larger flash images are refused */
#define GS_ELF_MAX_WFR       16u
#define GS_ELF_MAX_PHNUM     64u  /* libtock-c apps have about 5 */
#define GS_ELF_MAX_SHNUM     512u /* and about 40 sections with debug info */
#define GS_ELF_STACK_AUTO    UINT32_MAX
#define GS_ELF_DEFAULT_STACK 2048u /* elf2tab's fallback, libtock-c's STACK_SIZE */
#define GS_ELF_DEFAULT_HEAP  1024u /* elf2tab's --app-heap / --kernel-heap defaults */
#define GS_ELF_HEAP_AUTO     UINT32_MAX

struct gs_elf_opts {
    /*
     * Stack reserved in minimum_ram_size. GS_ELF_STACK_AUTO takes the crt0
     * header's stack_size (image offset 36, TOCK-REFERENCE 11.1.2): libtock-c
     * passes the same STACK_SIZE to the linker (--defsym) and to elf2tab
     * (--stack), so this reproduces its builds without knowing the make
     * variables. An image shorter than the 40-byte crt0 header (bare_bones
     * has none) takes the ELF's absolute STACK_SIZE symbol, the same
     * --defsym, and without one falls back to 2048, elf2tab's own default. (elf2tab alone, without --stack, would use
     * the .stack section's size, which libtock-c's linker script rounds to 16.)
     */
    uint32_t stack_size;
    /*
     * --app-heap and --kernel-heap. GS_ELF_HEAP_AUTO takes the ELF's
     * absolute symbols APP_HEAP_SIZE and KERNEL_HEAP_SIZE: libtock-c's
     * Configuration.mk passes each value both to the linker (--defsym) and
     * to elf2tab, so a libtock-c ELF carries what its elf2tab call used
     * (bare_bones: 0 and 0). Without the symbols: elf2tab's default, 1024
     * (elf2tab src/cmdline.rs).
     */
    uint32_t app_heap_size;
    uint32_t kernel_heap_size;
};

/* Defaults: stack and heaps AUTO. */
void gs_elf_opts_default(struct gs_elf_opts *o);

/* Where the stack size came from: the option, the crt0 header, the ELF's
 * STACK_SIZE symbol (an image without a crt0 header), elf2tab's default. */
enum gs_stack_source { GS_STACK_EXPLICIT, GS_STACK_CRT0, GS_STACK_DEFAULT, GS_STACK_SYMBOL };
enum gs_heap_source { GS_HEAP_EXPLICIT, GS_HEAP_SYMBOL, GS_HEAP_DEFAULT };

/*
 * The flash image of an ELF (TOCK-REFERENCE 11.2.3): image offset 0 is
 * app_start (the crt0 header), i.e. flash address 0x80000000 of the link.
 *
 *   0                                          reldata_offset    len
 *   | PT_LOAD file bytes at p_paddr - 0x80000000 | u32 rel_len | .rel.* |
 *   |   (zero-filled gaps between segments)     |             |        |
 */
struct gs_elf_image {
    uint8_t *bytes; /* malloc'd, len bytes */
    uint32_t len;
    uint32_t reldata_offset;    /* end of the segments = the u32 rel_len word */
    uint32_t rel_len;           /* bytes of relocations after the word */
    uint32_t entry_offset;      /* e_entry - 0x80000000, Thumb bit kept */
    uint32_t ram_segments_size; /* sum of p_memsz of writable PT_LOADs with vaddr != paddr */
    uint32_t stack_size;
    enum gs_stack_source stack_source;
    uint32_t app_heap_size, kernel_heap_size;
    enum gs_heap_source heap_source; /* SYMBOL only when every AUTO heap had its symbol */
    uint32_t minimum_ram_size;       /* ram + align8(stack) + align4(app) + align4(kernel) */
    unsigned nwfr;                   /* sections named *.wfr*: offsets relative to image start */
    struct gs_wfr wfr[GS_ELF_MAX_WFR];
};

/*
 * Converts a libtock-c PIC ELF (ELF32, little-endian, EM_ARM, ET_EXEC) the
 * way elf2tab's elf_to_tbf lays out the binary. Every header, table, segment
 * and section range is validated before use; p_paddr below 0x80000000,
 * segments out of order or overlapping in flash, p_filesz > p_memsz, an
 * entry point outside the loaded bytes, images over GS_ELF_MAX_IMAGE and
 * tables over GS_ELF_MAX_PHNUM / GS_ELF_MAX_SHNUM entries are refused. o NULL = defaults. *out is written only on success; free it with
 * gs_elf_image_free.
 * Errors: GS_LE_ELF_HEADER, GS_LE_ELF_BOUNDS, GS_LE_ELF_LAYOUT,
 * GS_LE_TOO_LARGE (err->field names the field, e.g.
 * "program_header[1].p_offset"), GS_E_ARG, GS_E_NOMEM_HOST.
 */
int gs_elf_to_image(const uint8_t *elf, size_t len, const struct gs_elf_opts *o,
                    struct gs_elf_image *out, struct gs_load_error *err);

/* Frees an image. Accepts NULL and a zeroed struct. */
void gs_elf_image_free(struct gs_elf_image *img);

/* One allocated section of a libtock-c ELF, at its link address. */
struct gs_elf_section {
    char name[32]; /* cut to 31 bytes */
    uint32_t addr, size;
    bool flash; /* linked in flash (at or above GS_ELF_FLASH_ORIGIN), else a RAM offset */
};

/*
 * The allocated, non-empty sections of an ELF that gs_elf_to_image accepts,
 * in section-table order, at most max of them into out. Where they land: a
 * flash section at gs_process_app_start + (addr - GS_ELF_FLASH_ORIGIN), a
 * RAM section at memory_start + addr (crt0's rebasing; apps/README.md).
 * For debuggers (gdb's add-symbol-file). Returns how many there are (may
 * exceed max), or gs_elf_to_image's errors.
 */
int gs_elf_sections(const uint8_t *elf, size_t len, struct gs_elf_section *out, unsigned max,
                    struct gs_load_error *err);

/* ------------------------------------------------------------- synthesis */

#define GS_TBF_LIBTOCK_FOOTER 3000u /* libtock-c's --minimum-footer-size */
#define GS_TBF_MAX_FOOTER     0x400000u

/* Everything elf2tab needs besides the ELF (TOCK-REFERENCE 11.2.4). */
struct gs_tbf_synth {
    const uint8_t *image; /* app binary, incl. the u32 rel_len word and relocations */
    uint32_t image_len;
    uint32_t init_fn_offset; /* entry, relative to the end of the header */
    uint32_t minimum_ram_size;
    const struct gs_wfr *wfr; /* offsets relative to the image start */
    unsigned nwfr;
    const char *package_name;            /* NUL-terminated UTF-8; "" or NULL: no PackageName TLV */
    uint16_t kernel_major, kernel_minor; /* KernelVersion TLV (always written) */
    uint32_t minimum_footer_size;
    uint32_t app_version; /* Program TLV version */
    bool disabled;        /* flags bit 0 clear */
    /*
     * elf2tab --protected-region-size: the header plus a zero-filled
     * protected trailer (protected_trailer_size = this - header size), so
     * that the binary starts this many bytes into the TBF. 0: the header
     * only. init_fn_offset and the WFR offsets stay relative to the binary's
     * start; the header gets them relative to its end, as elf2tab writes them.
     */
    uint32_t protected_size;
};

/*
 * Fills s from an ELF image with libtock-c's elf2tab arguments: name as
 * given, kernel 2.2, minimum footer 3000, version 0, enabled. s borrows img.
 */
void gs_tbf_synth_from_image(struct gs_tbf_synth *s, const struct gs_elf_image *img,
                             const char *package_name);

/*
 * Builds a TBF the way elf2tab does: base header, Main, Program, PackageName
 * (+ zero padding to 4), one WFR TLV per region, KernelVersion, checksum;
 * then the image; then a Reserved (format 0) Credentials footer making the
 * footer at least minimum_footer_size (rounded up to 4, at least 8), and
 * total_size padded to the next power of two (at least 512) with the
 * footer absorbing the padding. binary_end_offset = header_size + image_len.
 * A padding too small for a footer TLV (< 8 bytes, only without a minimum
 * footer) is written as plain zero bytes, as elf2tab does. Divergence: a
 * footer longer than one TLV can describe (length is u16) becomes a chain of
 * Reserved TLVs; elf2tab truncates the length.
 * On success *out is a malloc'd buffer of *out_len = total_size bytes.
 * Errors: GS_LE_BAD_NAME (name not UTF-8), GS_LE_TOO_LARGE (header over
 * 65535 bytes, image over GS_ELF_MAX_IMAGE, footer over GS_TBF_MAX_FOOTER),
 * GS_E_ARG (NULL pointers, image_len < 4, too many WFRs), GS_E_NOMEM_HOST.
 */
int gs_tbf_synthesize(const struct gs_tbf_synth *s, uint8_t **out, size_t *out_len,
                      struct gs_load_error *err);

/* ------------------------------------------------------------------ fuzz */

/*
 * Runs every parser on arbitrary bytes: gs_tbf_parse (+ footers, app info,
 * permission and storage lookups), gs_flash_scan, gs_elf_to_image, and for an
 * ELF that converts, gs_tbf_synthesize followed by gs_tbf_parse, aborting if
 * the round trip does not give back the synthesized values. Always returns 0
 * (the libFuzzer convention); never reads outside data.
 */
int gs_loader_fuzz_one(const uint8_t *data, size_t len);

#endif
