/*
 * What the recorder's files share (record_preload.c: the interposed
 * allocation calls and their recording; record_output.c: the trace's buffer
 * and file; record_process.c: fork, exec and exit): the lock and reentrancy
 * guard every call takes, the recording state, the output calls.
 *
 * None of it is exported: the library is built with hidden visibility, and
 * these declarations say so too, so the shared object exports only the calls
 * it interposes (marked EXPORT).
 */
#ifndef MEMS_RECORD_INTERNAL_H
#define MEMS_RECORD_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))
/* on `inside`'s declaration too, so every file reaches it as its defining
 * file does (initial-exec: no __tls_get_addr) */
#define TLS __thread __attribute__((tls_model("initial-exec")))

#pragma GCC visibility push(hidden)

/* ---- the real allocator (record_preload.c) ---- */

extern int (*real_execve)(const char *, char *const[], char *const[]);
extern int (*real_execvpe)(const char *, char *const[], char *const[]);
extern void (*real__exit)(int) __attribute__((noreturn));
void resolve_real(void);

/* ---- state ---- */

/* record_preload.c */
extern pthread_mutex_t call_lock; /* orders every call and its event */
extern TLS int inside;            /* this thread is in the recorder: calls pass through */
extern bool disabled;
extern uint64_t unknown_frees;

/* record_output.c */
extern int trace_fd;
extern char *trace_buffer;
extern size_t buffered, events_since_flush;

/* ---- output (record_output.c), called with call_lock held ---- */

void flush_events(void);
void put_text(const char *s);
void put_number(uint64_t v);
/* One event line: op letter, numbers, thread. */
void put_event(char op, int count, ...);
void start_trace(const char *note);
/* Returns false when recording is off. */
bool trace_ready(void);

#pragma GCC visibility pop

#endif
