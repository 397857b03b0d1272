/*
 * Records the rec_program scenarios with `mems-trace record` and checks the
 * recorded ops exactly: only ops on "marker" blocks (sizes >= 100000) count,
 * so the C library's own allocations do not disturb the comparison.
 *   test_recorder MEMS_TRACE REC_PROGRAM WORKDIR
 */
#include "trace.h"
#include "unit.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *tool, *program, *workdir;

struct recorded {
    struct trace traces[4];
    char names[4][256];
    int count;
};

static int record(const char *mode, struct recorded *out)
{
    char dir[1024], command[4096];
    snprintf(dir, sizeof dir, "%s/%s", workdir, mode);
    snprintf(command, sizeof command, "rm -rf '%s' && '%s' record --plain -o '%s' -- '%s' %s", dir, tool, dir,
             program, mode);
    int status = system(command);
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && out->count < 4) {
        if (strstr(e->d_name, ".trace") == NULL)
            continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct trace_error error;
        if (trace_load(path, &out->traces[out->count], &error) != 0) {
            fprintf(stderr, "recorded trace invalid: %s\n", error.message);
            continue;
        }
        snprintf(out->names[out->count], sizeof out->names[0], "%s", e->d_name);
        out->count++;
    }
    closedir(d);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void release(struct recorded *r)
{
    for (int i = 0; i < r->count; i++)
        trace_free(&r->traces[i]);
}

/* The marker ops of a trace as text: "a100001 r100002 R100003 r0 ..." with the
 * frees named by the size their block was created with. */
static void marker_text(const struct trace *t, char *out, size_t size)
{
    uint64_t *created = calloc(t->num_ids + 1, sizeof *created);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->num_ops && n + 40 < size; i++) {
        const struct trace_op *op = &t->ops[i];
        bool null = op->flags & OP_FLAG_NULL;
        uint64_t bytes = op_bytes(op);
        switch (op->kind) {
        case OP_MALLOC:
        case OP_CALLOC:
        case OP_ALIGNED:
            created[op->id] = bytes;
            if (bytes < 100000)
                continue;
            if (op->kind == OP_MALLOC)
                n += (size_t)snprintf(out + n, size - n, "a%ju ", (uintmax_t)bytes);
            else if (op->kind == OP_CALLOC)
                n += (size_t)snprintf(out + n, size - n, "c%jux%ju ", (uintmax_t)op->extra, (uintmax_t)op->size);
            else
                n += (size_t)snprintf(out + n, size - n, "m%ju/%ju ", (uintmax_t)op->extra, (uintmax_t)op->size);
            break;
        case OP_REALLOC:
            if (null) {
                created[op->id] = op->size;
                if (op->size >= 100000)
                    n += (size_t)snprintf(out + n, size - n, "R%ju ", (uintmax_t)op->size);
            } else if (created[op->id] >= 100000) {
                n += (size_t)snprintf(out + n, size - n, "r%ju ", (uintmax_t)op->size);
            }
            break;
        case OP_FREE:
            if (null)
                n += (size_t)snprintf(out + n, size - n, "f- ");
            else if (created[op->id] >= 100000)
                n += (size_t)snprintf(out + n, size - n, "f%ju ", (uintmax_t)created[op->id]);
            break;
        }
    }
    free(created);
}

static void test_edge_cases(void)
{
    struct recorded r;
    CHECK_EQ(record("edge", &r), 0);
    CHECK_EQ(r.count, 1);
    if (r.count != 1)
        return;
    char text[4096];
    marker_text(&r.traces[0], text, sizeof text);
    /* a realloc keeps its block's name: the free of p shows the size p was created with */
    CHECK_STR(text, "a100001 r100002 R100003 r0 a100010 f- f- f- a100011 c3x100004 m64/100005 m128/100096 "
                    "m256/100007 m4096/100008 m4096/102400 f100001 f100010 f100011 f300012 f100005 f100096 "
                    "f100007 f100008 f102400 ");
    release(&r);
}

static void test_threads(void)
{
    struct recorded r;
    CHECK_EQ(record("threads", &r), 0);
    CHECK_EQ(r.count, 1);
    if (r.count != 1)
        return;
    const struct trace *t = &r.traces[0];
    int thread_of[5] = {-1, -1, -1, -1, -1};
    size_t allocs[5] = {0}, frees[5] = {0}, mixed = 0;
    uint64_t *worker_of = calloc(t->num_ids, sizeof *worker_of);
    for (size_t i = 0; i < t->num_ops; i++) {
        const struct trace_op *op = &t->ops[i];
        int w;
        if (op->kind == OP_MALLOC && op->size >= 200000 && op->size < 250000) {
            w = (int)((op->size - 200000) / 10000);
            worker_of[op->id] = (uint64_t)w + 1;
            allocs[w]++;
        } else if (op->kind == OP_FREE && !(op->flags & OP_FLAG_NULL) && worker_of[op->id] != 0) {
            w = (int)worker_of[op->id] - 1;
            worker_of[op->id] = 0;
            frees[w]++;
        } else {
            continue;
        }
        if (thread_of[w] < 0)
            thread_of[w] = op->thread;
        mixed += thread_of[w] != op->thread;
    }
    free(worker_of);
    for (int w = 0; w < 5; w++) {
        CHECK_EQ(allocs[w], 1000);
        CHECK_EQ(frees[w], 1000);
        for (int v = 0; v < w; v++)
            CHECK(thread_of[v] != thread_of[w]);
    }
    CHECK_EQ(mixed, 0);
    CHECK(t->facts.threads >= 5);
    release(&r);
}

/* Records `mode`, which must leave two traces, and gives their marker texts:
 * `with` the one holding `marker`, `other` the other. False if not two. */
static bool record_two(const char *mode, const char *marker, struct recorded *r, char *with, char *other, size_t size)
{
    CHECK_EQ(record(mode, r), 0);
    CHECK_EQ(r->count, 2);
    if (r->count != 2)
        return false;
    marker_text(&r->traces[0], with, size);
    marker_text(&r->traces[1], other, size);
    if (strstr(with, marker) == NULL) {
        char swap[4096];
        snprintf(swap, sizeof swap, "%s", with);
        snprintf(with, size, "%s", other);
        snprintf(other, size, "%s", swap);
    }
    return true;
}

static void test_fork(void)
{
    struct recorded r;
    char parent[4096], child[4096];
    if (!record_two("fork", "a300004", &r, parent, child, sizeof parent))
        return;
    CHECK_STR(parent, "a300001 f300001 a300002 f300002 a300004 f300004 ");
    /* the child opens with what it inherited, and nothing the parent did before */
    CHECK_STR(child, "a300002 a300003 f300002 f300003 ");
    release(&r);
}

static void test_exec(void)
{
    struct recorded r;
    char first[4096], second[4096];
    if (!record_two("exec", "a400001", &r, first, second, sizeof first))
        return;
    CHECK_STR(first, "a400001 ");
    CHECK_STR(second, "a400002 f400002 ");
    int dashed = strstr(r.names[0], "-1.trace") != NULL || strstr(r.names[1], "-1.trace") != NULL;
    CHECK(dashed); /* the new image writes PROGRAM.PID-1.trace */
    release(&r);
}

static void test_killed(void)
{
    struct recorded r;
    CHECK_EQ(record("kill", &r), 128 + 9);
    CHECK_EQ(r.count, 1);
    if (r.count != 1)
        return;
    size_t marked = 0;
    for (size_t i = 0; i < r.traces[0].num_ops; i++)
        marked += r.traces[0].ops[i].kind == OP_MALLOC && r.traces[0].ops[i].size >= 500000;
    /* at most FLUSH_EVENTS (4096) events are lost when the process is killed */
    CHECK(marked + 4096 >= 10000);
    CHECK(marked <= 10000);
    release(&r);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_recorder MEMS_TRACE REC_PROGRAM WORKDIR\n");
        return 2;
    }
    tool = argv[1], program = argv[2], workdir = argv[3];
    test_edge_cases();
    test_threads();
    test_fork();
    test_exec();
    test_killed();
    return unit_report("test_recorder");
}
