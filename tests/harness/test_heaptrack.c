/* heaptrack's data files: both forms, plain, gzip and zstd (told apart by
 * content), how frees find their blocks, every malformed line refused with
 * its file:line, and files that are not traces at all (a directory, zeros). */
#include "trace.h"
#include "unit.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char directory[] = "/tmp/mems-test-heaptrack-XXXXXX";

enum packing { PLAIN, GZIP, ZSTD };

static const char *write_file(const char *name, const char *content, enum packing packing)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    size_t n = strlen(content);
    if (packing == GZIP) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, content, (unsigned)n);
        gzclose(f);
        return path;
    }
    FILE *f = fopen(path, "wb");
    if (packing == ZSTD) {
        size_t capacity = ZSTD_compressBound(n);
        char *packed = malloc(capacity);
        size_t packed_size = ZSTD_compress(packed, capacity, content, n, 3);
        CHECK(!ZSTD_isError(packed_size));
        fwrite(packed, 1, packed_size, f);
        free(packed);
    } else {
        fwrite(content, 1, n, f);
    }
    fclose(f);
    return path;
}

static void expect_rejected(const char *name, const char *content, const char *want, int line)
{
    struct trace t;
    struct trace_error error = {""};
    int rc = trace_load(write_file(name, content, PLAIN), &t, &error);
    char detail[900];
    snprintf(detail, sizeof detail, "%s: got \"%s\", wanted \"%s\"", name, error.message, want);
    unit_result(rc != 0 && strstr(error.message, want) != NULL, __FILE__, line, "recording refused with its error",
                detail);
    if (rc == 0)
        trace_free(&t);
}
#define REJECTED(name, content, want) expect_rejected(name, content, want, __LINE__)

/* Two allocation infos (16 and 32 bytes); info 0 has two blocks live when
 * the first free names it. */
static const char *interpreted = "v 10400 3\n"
                                 "X prog --flag\n"
                                 "I 1000 5e57c2\n"
                                 "s 4 main\n"
                                 "i 401000 1 1\n"
                                 "t 1 0\n"
                                 "a 10 1\n"
                                 "a 20 1\n"
                                 "+ 0\n"
                                 "+ 0\n"
                                 "+ 1\n"
                                 "- 0\n"
                                 "c 5\n"
                                 "R 1a\n"
                                 "+ 0\n"
                                 "- 1\n"
                                 "- 0\n"
                                 "- 0\n"
                                 "\n"
                                 "# strings: 1\n"
                                 "# ips: 1\n";

static const char *raw = "v 10400 3\n"
                         "x 4 prog\n"
                         "X prog\n"
                         "I 1000 5e57c2\n"
                         "m 1 -\n"
                         "m 4 prog 400000 0 1000\n"
                         "t 401000 0\n"
                         "+ 10 1 5000\n"
                         "+ 20 1 5020\n"
                         "- 5000\n"
                         "- 9999\n"        /* allocated before heaptrack began: skipped */
                         "+ 30 1 5020\n"   /* its free unrecorded: the 32 bytes stay live */
                         "- 5020\n"
                         "c 3\n"
                         "R 12\n";

static bool load_packed(const char *name, const char *content, int packing, struct trace *t)
{
    struct trace_error error = {""};
    int rc = trace_load(write_file(name, content, (enum packing)packing), t, &error);
    CHECK_EQ(rc, 0);
    if (rc != 0)
        fprintf(stderr, "%s\n", error.message);
    return rc == 0;
}

static void test_interpreted(void)
{
    for (int packing = PLAIN; packing <= ZSTD; packing++) {
        struct trace t;
        /* the name says nothing: the content decides */
        if (!load_packed("recording.trace", interpreted, packing, &t))
            continue;
        CHECK_EQ(t.format, FORMAT_HEAPTRACK);
        CHECK_STR(trace_format_name(t.format), "heaptrack");
        CHECK_EQ(t.num_ops, 8);
        CHECK_EQ(t.facts.count[OP_MALLOC], 4);
        CHECK_EQ(t.facts.count[OP_FREE], 4);
        CHECK_EQ(t.facts.peak_live_bytes, 64);
        CHECK_EQ(t.facts.final_live_bytes, 0);
        /* each free takes the most recent live block of its info */
        CHECK_EQ(t.ops[3].kind, OP_FREE);
        CHECK_EQ(t.ops[3].id, t.ops[1].id);
        CHECK_EQ(t.ops[5].id, t.ops[2].id);
        CHECK_EQ(t.ops[6].id, t.ops[4].id);
        CHECK_EQ(t.ops[7].id, t.ops[0].id);
        CHECK_EQ(t.ops[2].size, 32);
        trace_free(&t);
    }
}

static void test_raw(void)
{
    for (int packing = PLAIN; packing <= ZSTD; packing++) {
        struct trace t;
        if (!load_packed("recording.raw.zst", raw, packing, &t))
            continue;
        CHECK_EQ(t.format, FORMAT_HEAPTRACK_RAW);
        CHECK_STR(t.name, "recording");
        CHECK_EQ(t.facts.count[OP_MALLOC], 3);
        CHECK_EQ(t.facts.count[OP_FREE], 2);
        CHECK_EQ(t.facts.peak_live_bytes, 80);
        CHECK_EQ(t.facts.final_live_bytes, 32);
        /* frees by pointer: the first frees the block at 0x5000, the last
         * the 48 bytes now at 0x5020, not the 32 before them */
        CHECK_EQ(t.ops[2].id, t.ops[0].id);
        CHECK_EQ(t.ops[4].id, t.ops[3].id);
        CHECK(t.ops[3].id != t.ops[1].id);
        trace_free(&t);
    }
}

static void test_malformed(void)
{
    REJECTED("hex", "v 10400 3\na 1g 1\n", "hex:2: bad hex field '1g' (the size of a 'a' line)");
    REJECTED("hexraw", "v 10400 3\nx 1 p\n+ 10 1 50z0\n", "hexraw:3: bad hex field '50z0' (the pointer");
    REJECTED("long", "v 10400 3\nc 11112222333344445\n", "long:2: bad hex field '11112222333344445'");
    REJECTED("index", "v 10400 3\na 10 1\n+ 0\n- 1\n", "index:4: free of info index 0x1, which no 'a' line defines");
    REJECTED("twice", "v 10400 3\na 10 1\n+ 0\n- 0\n- 0\n", "twice:5: free of info index 0x0, which has no live block");
    REJECTED("plus", "v 10400 3\na 10 1\n+ 5\n", "plus:3: allocation of info index 0x5, but only 1 allocation infos");
    REJECTED("cut", "v 10400 3\na 10 1\n+ 0\n", "cut:4: the recording ends before heaptrack's closing");
    REJECTED("inside", "v 10400 3\nx 1 p\n+ 10 1 50", "inside:3: the recording ends inside this line");
    REJECTED("lost", "v 10400 3\ns 4 main\na 10 1\n+ 0\n# strings: 2\n",
             "lost:5: heaptrack's closing line counts 2 strings but the recording holds 1");
    REJECTED("mixed", "v 10400 3\na 10 1\n+ 10 1 5000\n",
             "mixed:3: a '+' line of a raw recording in an interpreted one");
    REJECTED("newer", "v 10400 4\n", "newer:1: heaptrack file format version 4");
    REJECTED("kind", "v 10400 3\nQ 1\n", "kind:2: unknown heaptrack line kind 'Q'");
    REJECTED("fields", "v 10400 3\nt 1\n", "fields:2: 't' line with 1 field (heaptrack writes 2)");
    REJECTED("ip", "v 10400 3\ni 1 2 3 4\n", "ip:2: 'i' line with 4 fields");
    REJECTED("first", "v 10400 3\n- 10\n", "first:2: a free before any allocation");
    REJECTED("string", "v 10400 3\ns 20 main\n", "string:2: 's' line shorter than its length 0x20 says");
    REJECTED("null", "v 10400 3\nx 1 p\n+ 10 1 0\n", "null:3: '+' line with pointer 0x0");
}

/* Compresses as heaptrack's pipe does: a stream flushed as it goes, so a
 * cut leaves whole blocks before it. */
static const char *write_flushed_zstd(const char *name, const char *content)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    FILE *f = fopen(path, "wb");
    ZSTD_CCtx *c = ZSTD_createCCtx();
    static char out[1 << 18];
    size_t n = strlen(content), chunk = 4096;
    for (size_t at = 0; at < n; at += chunk) {
        ZSTD_inBuffer in = {content + at, at + chunk < n ? chunk : n - at, 0};
        ZSTD_EndDirective mode = at + chunk < n ? ZSTD_e_flush : ZSTD_e_end;
        size_t left;
        do {
            ZSTD_outBuffer o = {out, sizeof out, 0};
            left = ZSTD_compressStream2(c, &o, &in, mode);
            fwrite(out, 1, o.pos, f);
        } while (!ZSTD_isError(left) && left != 0);
    }
    ZSTD_freeCCtx(c);
    fclose(f);
    return path;
}

static void test_truncated_zstd(void)
{
    /* a recording cut short in its compressed stream: refused at the line
     * where the readable part ends, after the lines before it were read */
    static char content[256 * 1024];
    size_t n = (size_t)snprintf(content, sizeof content, "v 10400 3\nx 1 p\n");
    for (unsigned i = 0; n < sizeof content - 64; i++)
        n += (size_t)snprintf(content + n, sizeof content - n, "+ %x 1 %x\n- %x\n", 16 + i % 977, 0x1000 + i * 7919,
                              0x1000 + i * 7919);
    const char *path = write_flushed_zstd("cut.zst", content);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK(truncate(path, st.st_size / 2) == 0);
    struct trace t;
    struct trace_error error = {""};
    CHECK(trace_load(path, &t, &error) != 0);
    unsigned long line = 0;
    const char *at = strstr(error.message, "cut.zst:");
    CHECK(at != NULL && sscanf(at, "cut.zst:%lu:", &line) == 1);
    CHECK(line > 1000);
    CHECK(strstr(error.message, "the compressed stream is truncated or corrupt") != NULL);
    fprintf(stderr, "(expected) %s\n", error.message);
}

static void test_not_traces(void)
{
    struct trace t;
    struct trace_error error = {""};
    CHECK(trace_load(directory, &t, &error) != 0);
    CHECK(strstr(error.message, "not a regular file (a directory)") != NULL);
    fprintf(stderr, "(expected) %s\n", error.message);

    char path[600];
    snprintf(path, sizeof path, "%s/zeros", directory);
    FILE *f = fopen(path, "wb");
    static char zeros[1 << 16];
    for (int i = 0; i < 16; i++)
        fwrite(zeros, 1, sizeof zeros, f);
    fclose(f);
    CHECK(trace_load(path, &t, &error) != 0);
    CHECK(strstr(error.message, "zeros: all 1048576 bytes of the file are zero") != NULL);
    fprintf(stderr, "(expected) %s\n", error.message);

    /* zeros then text is a file of another kind, judged by its content */
    f = fopen(path, "ab");
    fputs("v 10400 3\n", f);
    fclose(f);
    CHECK(trace_load(path, &t, &error) != 0);
    CHECK(strstr(error.message, "bytes of the file are zero") == NULL);
}

int main(void)
{
    if (mkdtemp(directory) == NULL)
        return 2;
    test_interpreted();
    test_raw();
    test_malformed();
    test_truncated_zstd();
    test_not_traces();
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    if (system(command) != 0)
        return 2;
    return unit_report("test_heaptrack");
}
