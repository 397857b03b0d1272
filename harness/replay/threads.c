/*
 * Replays with one thread per recorded thread. Each thread walks its own ops
 * (the trace's sync table chains them) and waits only where the table says:
 * for one op of another thread. Every thread publishes how far it got, and
 * only at the ops another thread waits for, so the ops nobody waits for cost
 * nothing over a serial replay. A waiter spins briefly, yields, then sleeps
 * on a futex; the publisher wakes it only when someone sleeps and the count
 * it waits for is reached: a consumer waiting for the end of a batch would
 * otherwise be woken, and the producer pay a system call, at every block of
 * it. A waiter whose wish a racing waiter overwrote wakes at its futex's
 * timeout, so a lost wake-up costs time, never progress. Every wait is
 * on an earlier op, so the earliest op not yet done can always run: no
 * deadlock (trace.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "replay_internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SPINS_BEFORE_YIELD 64
#define YIELDS_BEFORE_SLEEP 16
#define THREAD_STACK_BYTES ((size_t)256 << 10)

static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
    /* a timeout bounds what a lost wake-up costs (see wish_for) */
    struct timespec bound = {0, 2 * 1000 * 1000};
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, &bound, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void pause_briefly(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Records that a sleeper waits for `count`: the least wish stands, and a
 * stale one (a count already published, whose sleeper was woken) gives way.
 * Two waiters racing with a publisher can leave a wish overwritten; its
 * sleeper then wakes at the futex's timeout. */
static void wish_for(struct replay_worker *target, uint32_t count)
{
    uint32_t wish = atomic_load(&target->wake_at);
    while ((wish > count || wish <= atomic_load(&target->done)) &&
           !atomic_compare_exchange_weak(&target->wake_at, &wish, count)) {
    }
}

/* Returns once `target` has published `count` ops; true when it had to wait. */
static bool wait_until_done(struct replay_worker *target, uint32_t count)
{
    if (atomic_load_explicit(&target->done, memory_order_acquire) >= count)
        return false;
    for (int i = 0; i < SPINS_BEFORE_YIELD; i++) {
        pause_briefly();
        if (atomic_load_explicit(&target->done, memory_order_acquire) >= count)
            return true;
    }
    for (int i = 0; i < YIELDS_BEFORE_SLEEP; i++) {
        sched_yield();
        if (atomic_load_explicit(&target->done, memory_order_acquire) >= count)
            return true;
    }
    for (;;) {
        /* sequentially consistent with publish(): either it sees this sleeper
         * and wakes it, or this sees its count and does not sleep */
        atomic_fetch_add(&target->sleepers, 1);
        wish_for(target, count);
        uint32_t seen = atomic_load(&target->done);
        if (seen < count)
            futex_wait(&target->done, seen);
        atomic_fetch_sub(&target->sleepers, 1);
        if (seen >= count || atomic_load_explicit(&target->done, memory_order_acquire) >= count)
            return true;
    }
}

static void publish(struct replay_worker *w, uint32_t count)
{
    atomic_store(&w->done, count);
    if (atomic_load(&w->sleepers) != 0 && count >= atomic_load(&w->wake_at))
        futex_wake_all(&w->done);
}

/* Waits, if the table says so, until op `i` may run; counts and times the wait. */
static void wait_for_turn(struct replay_worker *workers, struct replay_worker *self, size_t i)
{
    const struct trace_sync *s = &self->r.trace->sync[i];
    if (s->after == TRACE_SYNC_NONE)
        return;
    const struct trace_sync *target = &self->r.trace->sync[s->after];
    uint64_t start = now_ns();
    if (wait_until_done(&workers[target->thread], target->rank + 1)) {
        self->waits++;
        self->wait_ns += now_ns() - start;
    }
}

static void *run_worker(void *argument)
{
    struct replay_worker *self = argument, *workers = self->workers;
    const struct trace_sync *sync = self->r.trace->sync;
    uint64_t start = now_ns();
    for (size_t i = self->first; i != TRACE_SYNC_NONE; i = sync[i].next) {
        wait_for_turn(workers, self, i);
        self->run_op(self, i);
        if (sync[i].flags & TRACE_SYNC_WAITED)
            publish(self, sync[i].rank + 1);
    }
    self->op_ns = now_ns() - start - self->wait_ns;
    atomic_store_explicit(&self->finished, 1, memory_order_release);
    return NULL;
}

uint64_t cpu_ns_now(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0)
        return 0;
    return (uint64_t)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000000u +
           (uint64_t)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000u;
}

/* A thread that cannot be made leaves others waiting on its ops forever:
 * the pass ends there, with exit status 2. */
static void start_worker(struct replay_worker *w, const pthread_attr_t *attributes)
{
    int rc = pthread_create(&w->id, attributes, run_worker, w);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot start replay thread %u of %u: %s\n", w->r.trace->name, w->index + 1,
                w->r.trace->sync_threads, strerror(rc));
        _exit(2);
    }
}

struct replay_worker *replay_threads_run(struct replay *r, replay_op_fn run_op, void *pass,
                                         struct thread_totals *totals)
{
    const struct trace *t = r->trace;
    uint32_t n = t->sync_threads;
    struct replay_worker *workers = map_zeroed(n * sizeof *workers);
    if (workers == NULL)
        return NULL;
    for (size_t i = 0, seen = 0; i < t->num_ops && seen < n; i++)
        if (t->sync[i].rank == 0) {
            struct replay_worker *w = &workers[seen++];
            w->r = *r;
            w->index = t->sync[i].thread;
            w->first = (uint32_t)i;
            w->workers = workers;
            w->run_op = run_op;
            w->pass = pass;
        }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, THREAD_STACK_BYTES);
    uint64_t cpu_before = cpu_ns_now(), wall_before = now_ns();
    uint32_t joined = 0;
    /* a thread starts when its first op may run, as the program's did */
    for (uint32_t k = 0; k < n; k++) {
        struct replay_worker *w = &workers[k];
        const struct trace_sync *first = &t->sync[w->first];
        if (first->after != TRACE_SYNC_NONE)
            wait_until_done(&workers[t->sync[first->after].thread], t->sync[first->after].rank + 1);
        start_worker(w, &attributes);
        /* threads that are through give their stacks back while others start */
        while (joined < k && atomic_load_explicit(&workers[joined].finished, memory_order_acquire))
            pthread_join(workers[joined++].id, NULL);
    }
    while (joined < n)
        pthread_join(workers[joined++].id, NULL);
    totals->wall_ns = now_ns() - wall_before;
    totals->cpu_ns = cpu_ns_now() - cpu_before;
    pthread_attr_destroy(&attributes);
    totals->threads = n;
    totals->waits = totals->wait_ns = totals->op_ns = 0;
    for (uint32_t k = 0; k < n; k++) {
        const struct replay_worker *w = &workers[k];
        totals->waits += w->waits;
        totals->wait_ns += w->wait_ns;
        totals->op_ns += w->op_ns;
        r->errors += w->r.errors;
        r->failed += w->r.failed;
        r->skipped += w->r.skipped;
    }
    return workers;
}

void replay_threads_free(struct replay_worker *workers, uint32_t n)
{
    munmap(workers, n * sizeof *workers);
}

void print_thread_totals(const struct replay *r, const struct thread_totals *t, FILE *out)
{
    fprintf(out, "replay_threads %u\ncross_thread_ops %ju\nsync_waits %ju\nsync_wait_ns %ju\n", t->threads,
            (uintmax_t)(r->threaded ? r->trace->cross_thread_ops : 0), (uintmax_t)t->waits, (uintmax_t)t->wait_ns);
    fprintf(out, "wall_seconds %.9f\ncpu_seconds %.6f\n", (double)t->wall_ns / 1e9, (double)t->cpu_ns / 1e9);
}
