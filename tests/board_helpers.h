/* SPDX-License-Identifier: MIT */
/* Fixtures of the tests that run our apps on the Cortex-M board (test_machine, test_gdbstub). */
#ifndef GS_TEST_BOARD_HELPERS_H
#define GS_TEST_BOARD_HELPERS_H

#include "board.h"

/*
 * Adds the app APP (GS_APP_DIR/APP.elf, the build's apps) to board b with
 * package name `package`; asserts that the file reads and the board takes it.
 */
void tb_board_add_app(struct gs_board *b, const char *app, const char *package);

#endif
