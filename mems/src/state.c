/*
 * The one MeMS state, its peaks and its error record: the bottom layer,
 * which every other calls and which calls none (its life, from mems_init to
 * mems_finish: lifecycle.c).
 */
#include "state.h"

#include <stdarg.h>
#include <string.h>

/* The arenas' copy of the core (MEMS_ARENA_HEAP) shares these with the
 * static heap's: it leaves them out. */
#ifndef MEMS_ARENA_HEAP
struct heap_state mems_single_heap;
MEMS_THREAD_LOCAL struct heap_state *mems_current = &mems_single_heap;

/* Per thread, as errno: under arenas a thread's calls reach several heaps,
 * and the error it reads back must be the one its own last call recorded. */
static MEMS_THREAD_LOCAL int last_error;
static MEMS_THREAD_LOCAL char last_error_message[256];
#endif

size_t mems_page_size(void)
{
    return PAGE_SIZE;
}

void state_update_peaks(void)
{
    size_t mapped = mems_state.pages * (size_t)PAGE_SIZE;
    size_t live = state_live_bytes();
    if (mapped > mems_state.peak_mapped_bytes)
        mems_state.peak_mapped_bytes = mapped;
    if (live > mems_state.peak_live_bytes)
        mems_state.peak_live_bytes = live;
    if (mapped + mems_state.metadata_bytes > mems_state.peak_footprint_bytes)
        mems_state.peak_footprint_bytes = mapped + mems_state.metadata_bytes;
    if (mems_state.requested_bytes > mems_state.peak_requested_bytes)
        mems_state.peak_requested_bytes = mems_state.requested_bytes;
}

#ifndef MEMS_ARENA_HEAP
void state_record_error(int code, const char *format, ...)
{
    last_error = code;
    va_list args;
    va_start(args, format);
    vsnprintf(last_error_message, sizeof last_error_message, format, args);
    va_end(args);
    if (mems_state.config.print_errors)
        fprintf(stderr, "mems: %s\n", last_error_message);
}

int mems_last_error(void)
{
    return last_error;
}

const char *mems_last_error_message(void)
{
    return last_error == MEMS_OK ? "no error" : last_error_message;
}

void mems_clear_error(void)
{
    last_error = MEMS_OK;
    last_error_message[0] = '\0';
}

static const char *const error_names[MEMS_ERROR_COUNT] = {
    [MEMS_OK] = "no error",
    [MEMS_E_ZERO_SIZE] = "zero-byte allocation",
    [MEMS_E_OVERFLOW] = "size overflows",
    [MEMS_E_NO_MEMORY] = "mmap failed",
    [MEMS_E_CAP_REACHED] = "mapped-bytes cap reached",
    [MEMS_E_UNKNOWN_ADDRESS] = "address not given by MeMS",
    [MEMS_E_INTERIOR_FREE] = "free of an interior address",
    [MEMS_E_DOUBLE_FREE] = "free of a free address",
    [MEMS_E_GET_HOLE] = "address lies in a hole",
    [MEMS_E_BAD_CONFIG] = "bad configuration",
    [MEMS_E_OS] = "munmap failed",
};

const char *mems_strerror(int code)
{
    return code >= 0 && code < MEMS_ERROR_COUNT ? error_names[code] : "unknown error";
}
#endif
