/* The trace readers: good files in every format (plain and gzip), every kind
 * of malformed file with its file:line, and the binary and native writers. */
#include "trace.h"
#include "unit.h"

#include <unistd.h>
#include <zlib.h>

static char directory[] = "/tmp/mems-test-traces-XXXXXX";

static const char *write_file(const char *name, const char *content, bool gz)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzputs(f, content);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "w");
        fputs(content, f);
        fclose(f);
    }
    return path;
}

/* Loads `content`; it must fail with an error containing `want`. */
static void expect_rejected(const char *name, const char *content, const char *want, int line)
{
    struct trace t;
    struct trace_error error = {""};
    const char *path = write_file(name, content, false);
    int rc = trace_load(path, &t, &error);
    char detail[900];
    snprintf(detail, sizeof detail, "%s: got \"%s\", wanted \"%s\"", name, error.message, want);
    unit_result(rc != 0 && strstr(error.message, want) != NULL, __FILE__, line, "trace rejected with its error",
                detail);
    if (rc == 0)
        trace_free(&t);
}
#define REJECTED(name, content, want) expect_rejected(name, content, want, __LINE__)

static int load(const char *path, struct trace *t)
{
    struct trace_error error;
    int rc = trace_load(path, t, &error);
    if (rc != 0)
        fprintf(stderr, "unexpected: %s\n", error.message);
    return rc;
}

static const char *native_sample = "mems-trace 1\n"
                                   "# every op\n"
                                   "a 0 24\n"
                                   "\n"
                                   "r 0 100 @3\n"
                                   "c 1 10 16\n"
                                   "m 2 64 200\n"
                                   "R 3 50\n"
                                   "f -\n"
                                   "f 0\n"
                                   "r 1 0\n"
                                   "f 2\n"
                                   "f 3 @1\n";

static void test_native(void)
{
    struct trace t;
    CHECK_EQ(load(write_file("good.trace", native_sample, false), &t), 0);
    CHECK_EQ(t.format, FORMAT_NATIVE);
    CHECK_EQ(t.num_ops, 10);
    CHECK_EQ(t.num_ids, 4);
    CHECK_EQ(t.facts.count[OP_MALLOC], 1);
    CHECK_EQ(t.facts.count[OP_CALLOC], 1);
    CHECK_EQ(t.facts.count[OP_ALIGNED], 1);
    CHECK_EQ(t.facts.count[OP_REALLOC], 3);
    CHECK_EQ(t.facts.count[OP_FREE], 4);
    /* live: 24, 100, 260, 460, 510 (peak, after op 4), then falls */
    CHECK_EQ(t.facts.peak_live_bytes, 510);
    CHECK_EQ(t.facts.peak_live_op, 4);
    CHECK_EQ(t.facts.final_live_bytes, 0);
    CHECK_EQ(t.facts.threads, 4);
    CHECK_EQ(t.ops[1].thread, 3);
    CHECK_EQ(t.ops[2].extra, 10);
    CHECK_EQ(t.ops[3].extra, 64);
    CHECK(t.ops[4].flags & OP_FLAG_NULL);
    CHECK(t.ops[5].kind == OP_FREE && (t.ops[5].flags & OP_FLAG_NULL));
    CHECK_STR(t.name, "good");
    trace_free(&t);

    /* the same, gzip-compressed, reads the same */
    CHECK_EQ(load(write_file("good.trace.gz", native_sample, true), &t), 0);
    CHECK_EQ(t.num_ops, 10);
    CHECK_EQ(t.facts.peak_live_bytes, 510);
    CHECK_STR(t.name, "good");
    trace_free(&t);
}

static void test_rep_dialects(void)
{
    struct trace t;
    /* CS:APP 2e: heap size, ids, ops, weight */
    CHECK_EQ(load(write_file("a.rep", "20000\n3\n6\n1\na 0 10\na 1 20\nr 0 40\nf 1\na 2 5\nf 0\n", false), &t), 0);
    CHECK_EQ(t.format, FORMAT_REP);
    CHECK_EQ(t.num_ops, 6);
    CHECK_EQ(t.facts.peak_live_bytes, 60);
    trace_free(&t);
    /* the course variant: f -1 frees NULL, r of an id never allocated is realloc(NULL) */
    CHECK_EQ(load(write_file("b.rep", "1\n2\n4\n0\nf -1\nr 1 30\na 0 5\nf 1\n", false), &t), 0);
    CHECK(t.ops[0].kind == OP_FREE && (t.ops[0].flags & OP_FLAG_NULL));
    CHECK(t.ops[1].kind == OP_REALLOC && (t.ops[1].flags & OP_FLAG_NULL));
    trace_free(&t);
    /* ops beyond num_ops are ignored (with a warning on stderr) */
    CHECK_EQ(load(write_file("c.rep", "0\n1\n2\n0\na 0 8\nf 0\na 0 9\nf 0\n", false), &t), 0);
    CHECK_EQ(t.num_ops, 2);
    trace_free(&t);
    /* compressed .rep */
    CHECK_EQ(load(write_file("d.rep.gz", "0\n1\n2\n0\na 0 8\nf 0\n", true), &t), 0);
    CHECK_EQ(t.num_ops, 2);
    trace_free(&t);
}

static void test_mtrace(void)
{
    struct trace t;
    const char *log = "= Start\n"
                      "@ ./prog:[0x4005d6] + 0x1000 0x64\n"
                      "@ ./prog:[0x4005d6] + 0x2000 0x10\n"
                      "+ 0x3000 0x8\n"
                      "@ ./prog:[0x4005e4] < 0x1000\n"
                      "@ ./prog:[0x4005e4] > 0x4000 0xc8\n"
                      "@ ./prog:[0x400600] - 0x2000\n"
                      "- 0x9999\n"
                      "@ ./prog:[0x400610] ! 0x4000 0xffffffffffff\n"
                      "@ [0x400620] + 0x2000 0x20\n"
                      "- 0x4000\n"
                      "- 0x2000\n"
                      "- 0x3000\n"
                      "= End\n";
    CHECK_EQ(load(write_file("prog.mtrace", log, false), &t), 0);
    CHECK_EQ(t.format, FORMAT_MTRACE);
    CHECK_EQ(t.num_ops, 9); /* the unknown free and the failed realloc are not ops */
    CHECK_EQ(t.facts.count[OP_MALLOC], 4);
    CHECK_EQ(t.facts.count[OP_REALLOC], 1);
    CHECK_EQ(t.facts.count[OP_FREE], 4);
    CHECK_EQ(t.facts.peak_live_bytes, 0xc8 + 0x8 + 0x20); /* after 0x2000 comes back */
    CHECK_EQ(t.num_ids, 3); /* 0x2000's id came back for its second life */
    trace_free(&t);
}

static void test_malformed(void)
{
    REJECTED("h.trace", "mems-trace 2\na 0 1\n", "h.trace:1: bad header");
    REJECTED("o.trace", "mems-trace 1\na 0 1\nx 0\n", "o.trace:3: unknown op 'x'");
    REJECTED("m.trace", "mems-trace 1\na 0\n", "m.trace:2: 'a' needs 2 fields, found 1");
    REJECTED("e.trace", "mems-trace 1\na 0 1 2\n", "e.trace:2: 'a' takes 2 fields, found 3");
    REJECTED("n.trace", "mems-trace 1\na 0 -5\n", "n.trace:2: size is negative: '-5'");
    REJECTED("s.trace", "mems-trace 1\na 0 12kb\n", "s.trace:2: size is not a number: '12kb'");
    REJECTED("i.trace", "mems-trace 1\na 999999999999 1\n", "i.trace:2: id 999999999999 is out of range");
    REJECTED("l.trace", "mems-trace 1\na 0 1\na 0 2\n", "l.trace:3: id 0 is allocated again while still live");
    REJECTED("f.trace", "mems-trace 1\na 0 1\nf 1\n", "f.trace:3: free of id 1, which is not live");
    REJECTED("ff.trace", "mems-trace 1\na 0 1\nf 0\nf 0\n", "ff.trace:4: free of id 0, which is not live");
    REJECTED("r.trace", "mems-trace 1\nr 4 10\n", "r.trace:2: realloc of id 4, which is not live");
    REJECTED("al.trace", "mems-trace 1\nm 0 24 10\n", "al.trace:2: alignment 24 is not a power of two");
    REJECTED("t.trace", "mems-trace 1\na 0 1 @x\n", "t.trace:2: thread is not a number");
    REJECTED("co.trace", "mems-trace 1\nc 0 4294967296 4294967296\n", "co.trace:2: calloc of");
    REJECTED("empty.trace", "", "empty.trace: empty file");
    REJECTED("junk.trace", "hello world\n", "junk.trace:1: unknown trace format");
    REJECTED("noops.trace", "mems-trace 1\n# nothing\n", "noops.trace: the trace has no operations");

    REJECTED("hdr.rep", "100\nmany\n4\n1\n", "hdr.rep:2: bad header: num_ids");
    REJECTED("short.rep", "100\n4\n", "short.rep:3: bad header: the file ends before num_ops");
    REJECTED("trunc.rep", "0\n2\n4\n1\na 0 1\na 1 2\nf 0\n", "trunc.rep:7: the header promises 4 ops but the file has 3");
    REJECTED("miss.rep", "0\n2\n2\n1\na 0\nf 0\n", "miss.rep:5: 'a' needs 2 fields");
    REJECTED("neg.rep", "0\n2\n2\n1\na 0 -8\nf 0\n", "neg.rep:5: size is negative");
    REJECTED("nan.rep", "0\n2\n2\n1\na 0 eight\nf 0\n", "nan.rep:5: size is not a number");
    REJECTED("range.rep", "0\n2\n2\n1\na 2 8\nf 2\n", "range.rep:5: id 2 is out of range (ids must be below 2)");
    REJECTED("dead.rep", "0\n2\n2\n1\na 0 8\nf 1\n", "dead.rep:6: free of id 1, which is not live");
    REJECTED("op.rep", "0\n2\n2\n1\nq 0 8\nf 1\n", "op.rep:5: unknown op 'q'");

    REJECTED("gt.mtrace", "= Start\n@ x > 0x10 0x8\n", "gt.mtrace:2: a realloc's '>' line has no '<' line before it");
    REJECTED("lt.mtrace", "= Start\n+ 0x10 0x8\n< 0x10\n", "lt.mtrace:3: the file ends inside a realloc");
    REJECTED("sz.mtrace", "= Start\n+ 0x10\n", "sz.mtrace:2: '+' needs an address and a size");
    REJECTED("twice.mtrace", "= Start\n+ 0x10 0x8\n+ 0x10 0x8\n", "twice.mtrace:3: address 0x10 is allocated again");
}

static void test_truncated_gzip(void)
{
    /* a compressed trace cut short: the reader must say so, not stop quietly */
    char content[64 * 1024];
    size_t n = (size_t)snprintf(content, sizeof content, "mems-trace 1\n");
    for (int i = 0; i < 3000 && n < sizeof content - 40; i++)
        n += (size_t)snprintf(content + n, sizeof content - n, "a %d %d\nf %d\n", i % 50, 100 + i, i % 50);
    const char *path = write_file("cut.trace.gz", content, true);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CHECK(truncate(path, size / 2) == 0);
    struct trace t;
    struct trace_error error = {""};
    CHECK(trace_load(path, &t, &error) != 0);
    CHECK(strstr(error.message, "cut.trace.gz:") != NULL);
    CHECK(strstr(error.message, "truncated or corrupt") != NULL);
}

static void test_binary_and_native_round_trips(void)
{
    struct trace t, back;
    CHECK_EQ(load(write_file("rt.trace", native_sample, false), &t), 0);
    struct trace_error error;
    char bin[512], text[512];
    snprintf(bin, sizeof bin, "%s/rt.bin", directory);
    snprintf(text, sizeof text, "%s/rt2.trace.gz", directory);
    CHECK_EQ(trace_write_binary(&t, bin, &error), 0);
    CHECK_EQ(trace_load(bin, &back, &error), 0); /* detected by its magic */
    CHECK_EQ(back.format, FORMAT_BINARY);
    CHECK_EQ(back.num_ops, t.num_ops);
    CHECK(memcmp(back.ops, t.ops, t.num_ops * sizeof *t.ops) == 0);
    CHECK(memcmp(&back.facts, &t.facts, sizeof t.facts) == 0);
    CHECK_STR(back.name, "rt");
    trace_free(&back);

    CHECK_EQ(trace_write_native(&t, text, &error), 0);
    CHECK_EQ(trace_load(text, &back, &error), 0);
    CHECK_EQ(back.format, FORMAT_NATIVE);
    CHECK_EQ(back.num_ops, t.num_ops);
    CHECK(memcmp(back.ops, t.ops, t.num_ops * sizeof *t.ops) == 0);
    trace_free(&back);

    /* a binary form cut short is refused, not read past its end */
    CHECK(truncate(bin, 300) == 0);
    CHECK(trace_map_binary(bin, &back, &error) != 0);
    CHECK(strstr(error.message, "truncated") != NULL);
    trace_free(&t);
}

int main(void)
{
    if (mkdtemp(directory) == NULL)
        return 2;
    test_native();
    test_rep_dialects();
    test_mtrace();
    test_malformed();
    test_truncated_gzip();
    test_binary_and_native_round_trips();
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    if (system(command) != 0)
        return 2;
    return unit_report("test_traces");
}
