/*
 * The replay with one thread per recorded thread, in process (so a
 * ThreadSanitizer build sees every access): traces built to hand blocks and
 * ids between threads in the ways that could deadlock or race (chains of
 * cross-thread reallocs and frees, ids reused across threads, threads whose
 * only op waits on another's last, many threads at random), each replayed by
 * every pass on glibc's malloc, MeMS with its lock and bump. Every replay must
 * end (ctest's timeout catches a deadlock), check clean, replay every op, and
 * report the threads and cross-thread ops counted here from the ops alone.
 * A trace whose order across threads is impossible, and a binary form whose
 * thread table is corrupt, are refused.
 */
#include "replay.h"
#include "unit.h"

#include <math.h>
#include <stdarg.h>
#include <unistd.h>

static char output[16384];

static double value(const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\n%s ", key);
    const char *at = strstr(output, pattern);
    return at != NULL ? strtod(at + strlen(pattern), NULL) : NAN;
}

/* ---- traces as text ---- */

struct text {
    char *data;
    size_t used, capacity;
};

static void put(struct text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *format, ...)
{
    if (t->data == NULL && (t->data = malloc(t->capacity = 4096)) == NULL)
        abort();
    for (;;) {
        va_list args;
        va_start(args, format);
        int n = vsnprintf(t->data + t->used, t->capacity - t->used, format, args);
        va_end(args);
        if ((size_t)n < t->capacity - t->used) {
            t->used += (size_t)n;
            return;
        }
        t->capacity = t->capacity * 2 + 4096;
        t->data = realloc(t->data, t->capacity);
        if (t->data == NULL)
            abort();
    }
}

/* Writes `text` to a file, loads it, writes and maps its binary form. */
static int load(const char *text, struct trace *trace, struct trace_error *error)
{
    char path[] = "/tmp/mems-test-threads-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    bool written = write(fd, text, n) == (ssize_t)n;
    close(fd);
    struct trace loaded;
    int rc = written ? trace_load(path, &loaded, error) : -1;
    unlink(path);
    if (rc != 0)
        return -1;
    char bin[64];
    snprintf(bin, sizeof bin, "%s.bin", path);
    rc = trace_write_binary(&loaded, bin, error) == 0 && trace_map_binary(bin, trace, error) == 0 ? 0 : -1;
    trace_free(&loaded);
    unlink(bin);
    return rc;
}

/* a block made in @0, passed down a chain of threads by realloc, freed in @0 */
static char *chain_trace(int threads, int rounds)
{
    struct text t = {0};
    put(&t, "mems-trace 1\n");
    for (int r = 0; r < rounds; r++) {
        int id = r % 7;
        put(&t, "a %d %d @0\n", id, 16 + r % 300);
        for (int k = 1; k < threads; k++)
            put(&t, "r %d %d @%d\n", id, 16 + (r * k) % 3000, k);
        put(&t, "f %d @0\n", id);
    }
    return t.data;
}

/* ids freed in one thread and made again in the other, round after round */
static char *ping_pong_trace(int rounds)
{
    struct text t = {0};
    put(&t, "mems-trace 1\n");
    for (int r = 0; r < rounds; r++) {
        int id = r % 4;
        put(&t, "a %d 40 @0\nf %d @1\nc %d 3 24 @1\nf %d @0\n", id, id, id, id);
    }
    return t.data;
}

/* @1's only op waits on @0's last; @2 starts only after @1 and waits on it */
static char *last_op_trace(int ops)
{
    struct text t = {0};
    put(&t, "mems-trace 1\n");
    for (int i = 0; i < ops; i++)
        put(&t, "a %d %d @0\nf %d @0\n", 10 + i % 5, 8 + i % 100, 10 + i % 5);
    put(&t, "m 1 64 100 @0\nf 1 @1\na 1 10 @2\nf 1 @2\n");
    return t.data;
}

/* many threads at random: allocate in one, free or grow in any */
static char *random_trace(int threads, int ops, uint32_t seed)
{
    enum { IDS = 512 };
    bool live[IDS] = {false};
    struct text t = {0};
    put(&t, "mems-trace 1\n");
    for (int i = 0; i < ops; i++) {
        seed = seed * 1103515245u + 12345u;
        int thread = (int)((seed >> 8) % (uint32_t)threads), id = (int)((seed >> 16) % IDS);
        if (!live[id])
            put(&t, "a %d %u @%d\n", id, 1 + (seed >> 4) % 2000, thread);
        else if ((seed >> 3) % 4 == 0)
            put(&t, "r %d %u @%d\n", id, 1 + (seed >> 5) % 5000, thread);
        else
            put(&t, "f %d @%d\n", id, thread);
        live[id] = !live[id] || (seed >> 3) % 4 == 0;
    }
    return t.data;
}

/* ---- what the replay must report, counted from the ops ---- */

struct counts {
    uint64_t threads, cross;
};

static struct counts count(const struct trace *trace)
{
    struct counts c = {0, 0};
    bool *seen = calloc(65536, sizeof *seen);
    int *maker = malloc(trace->num_ids * sizeof *maker); /* thread of the id's last allocation or realloc */
    for (size_t i = 0; i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        if (!seen[op->thread]) {
            seen[op->thread] = true;
            c.threads++;
        }
        if (op->kind == OP_FREE && (op->flags & OP_FLAG_NULL))
            continue;
        bool existing = (op->kind == OP_FREE || op->kind == OP_REALLOC) && !(op->flags & OP_FLAG_NULL);
        if (existing && maker[op->id] != op->thread)
            c.cross++;
        if (op->kind != OP_FREE)
            maker[op->id] = op->thread;
    }
    free(seen);
    free(maker);
    return c;
}

static const struct allocator_ops *allocator(const char *name)
{
    struct backend b;
    char why[256];
    if (backend_resolve(name, &b, why, sizeof why) != 0)
        abort();
    const struct allocator_ops *ops = backend_ops(&b, 16, 0);
    return b.kind == BACKEND_MEMS ? backend_locked(ops) : ops;
}

static void replay_all_ways(const char *name, const struct trace *trace)
{
    static const char *const allocators[] = {"glibc", "mems-first", "mems-best", "bump"};
    struct counts want = count(trace);
    CHECK(want.threads > 1);
    for (size_t a = 0; a < sizeof allocators / sizeof *allocators; a++)
        for (int mode = MODE_CHECK; mode <= MODE_LATENCY; mode++) {
            memset(output, 0, sizeof output);
            FILE *out = fmemopen(output + 1, sizeof output - 2, "w");
            output[0] = '\n';
            struct replay_options options = {.threads = REPLAY_THREADS_RECORDED};
            int rc = replay_run((enum replay_mode)mode, trace, allocator(allocators[a]), &options, out);
            fclose(out);
            unit_result(rc == 0, __FILE__, __LINE__, name, allocators[a]);
            CHECK_EQ(value("ops"), trace->num_ops);
            if (mode == MODE_LATENCY)
                continue;
            CHECK_EQ(value("replay_threads"), want.threads);
            CHECK_EQ(value("cross_thread_ops"), want.cross);
            CHECK(value("wall_seconds") > 0);
            if (mode == MODE_CHECK) {
                CHECK_EQ(value("integrity_errors"), 0);
                CHECK_EQ(value("failed_allocations"), 0);
                CHECK_EQ(value("skipped_ops"), 0);
                CHECK(value("peak_live_bytes") > 0);
            }
        }
}

static void replay_text(const char *name, char *text)
{
    struct trace trace;
    struct trace_error error;
    int rc = load(text, &trace, &error);
    unit_result(rc == 0, __FILE__, __LINE__, name, rc == 0 ? "" : error.message);
    free(text);
    if (rc != 0)
        return;
    CHECK(trace.sync != NULL);
    replay_all_ways(name, &trace);
    trace_free(&trace);
}

/* A realloc refused in one thread leaves the old block, which another thread
 * then frees: nothing skipped, nothing lost (MeMS capped at 1 MiB mapped). */
static void refused_realloc_across_threads(void)
{
    struct trace trace;
    struct trace_error error;
    int rc = load("mems-trace 1\na 0 1000 @0\nr 0 100000000 @1\na 1 10 @0\nf 0 @2\nf 1 @1\n", &trace, &error);
    unit_result(rc == 0, __FILE__, __LINE__, "refused realloc trace", rc == 0 ? "" : error.message);
    if (rc != 0)
        return;
    struct backend b;
    char why[256];
    CHECK_EQ(backend_resolve("mems-first", &b, why, sizeof why), 0);
    memset(output, 0, sizeof output);
    FILE *out = fmemopen(output + 1, sizeof output - 2, "w");
    output[0] = '\n';
    struct replay_options options = {.threads = REPLAY_THREADS_RECORDED, .mem_limit = 1 << 20};
    CHECK_EQ(replay_run(MODE_CHECK, &trace, backend_locked(backend_ops(&b, 16, 1 << 20)), &options, out), 0);
    fclose(out);
    CHECK_EQ(value("failed_allocations"), 1);
    CHECK_EQ(value("skipped_ops"), 0);
    CHECK_EQ(value("integrity_errors"), 0);
    CHECK_EQ(value("cross_thread_ops"), 3);
    trace_free(&trace);
}

static void refuses_impossible_order(void)
{
    struct trace trace;
    struct trace_error error;
    /* @1 frees id 1 before @0 allocates it */
    CHECK(load("mems-trace 1\na 0 10 @0\nf 1 @1\na 1 10 @0\n", &trace, &error) != 0);
    CHECK(strstr(error.message, ":3: free of id 1, which is not live, in thread 1") != NULL);
    /* @1 makes id 0 again while @0 still holds it (freed later) */
    CHECK(load("mems-trace 1\na 0 10 @0\na 0 20 @1\nf 0 @0\n", &trace, &error) != 0);
    CHECK(strstr(error.message, ":3: id 0 is allocated again while still live") != NULL);
}

/* A thread table edited to wait on a later op would hang the replay: the
 * mapping refuses it. */
static void refuses_corrupt_table(void)
{
    struct trace loaded, mapped;
    struct trace_error error;
    char path[] = "/tmp/mems-test-threads-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "mems-trace 1\na 0 10 @0\nf 0 @1\na 1 10 @1\nf 1 @0\n";
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    CHECK_EQ(trace_load(path, &loaded, &error), 0);
    CHECK_EQ(trace_write_binary(&loaded, path, &error), 0);
    trace_free(&loaded);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    /* the table ends the file: op 0's `after` made to point at op 3 */
    struct trace_sync first;
    CHECK(fseek(f, -(long)(4 * sizeof first), SEEK_END) == 0 && fread(&first, sizeof first, 1, f) == 1);
    CHECK_EQ(first.after, TRACE_SYNC_NONE);
    first.after = 3;
    CHECK(fseek(f, -(long)(4 * sizeof first), SEEK_END) == 0 && fwrite(&first, sizeof first, 1, f) == 1);
    fclose(f);
    CHECK(trace_map_binary(path, &mapped, &error) != 0);
    CHECK(strstr(error.message, "sync table") != NULL);
    unlink(path);
}

int main(int argc, char **argv)
{
    replay_text("chain of 8 threads", chain_trace(8, 300));
    replay_text("ids reused across threads", ping_pong_trace(1500));
    replay_text("only op waits on the last", last_op_trace(2000));
    replay_text("16 threads at random", random_trace(16, 20000, 7));
    replay_text("3 threads at random", random_trace(3, 20000, 11));
    if (argc > 1) {
        char path[4096];
        snprintf(path, sizeof path, "%s/small/mt-handoff.trace", argv[1]);
        struct trace loaded, trace;
        struct trace_error error;
        int rc = trace_load(path, &loaded, &error);
        unit_result(rc == 0, __FILE__, __LINE__, "mt-handoff loads", rc == 0 ? "" : error.message);
        if (rc == 0) {
            char bin[] = "/tmp/mems-test-threads-bin-XXXXXX";
            close(mkstemp(bin));
            if (trace_write_binary(&loaded, bin, &error) == 0 && trace_map_binary(bin, &trace, &error) == 0) {
                replay_all_ways("mt-handoff", &trace);
                trace_free(&trace);
            } else {
                unit_result(0, __FILE__, __LINE__, "mt-handoff binary", error.message);
            }
            unlink(bin);
            trace_free(&loaded);
        }
    }
    refused_realloc_across_threads();
    refuses_impossible_order();
    refuses_corrupt_table();
    return unit_report("test_threads");
}
