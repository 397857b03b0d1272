/*
 * Every metric of the check pass on traces/small/tiny.trace, replayed on MeMS
 * (first fit, exact sizes), against answers worked out by hand here.
 *
 *   op  call        live   MeMS after the op (P = PAGE_SIZE >= 4096)
 *   0   a 0 1000    1000   maps node [0,P) and one metadata page: P[0,1000) H[1000,P)
 *   1   a 1 2000    3000   P P[1000,3000) H[3000,P)                       (peak live)
 *   2   f 0         2000   H[0,1000) P H[3000,P)
 *   3   a 2 500     2500   P[0,500) H[500,1000) P H[3000,P)
 *   4   f 1          500   P H[500,P)
 *   5   f 2            0   H[0,P)
 *
 * The footprint is P (user node) + 4P of metadata (node records, page map,
 * granule directory, one granule leaf) = 5P throughout. Samples
 * are taken after every op (6 ops < 2000). First fit compares holes in address
 * order: op 0 finds none, op 1 its one hole, op 3 the hole [0,1000) (fits), so
 * 2 holes are examined in all.
 */
#include "replay.h"
#include "unit.h"

#include <math.h>
#include <unistd.h>

static char output[8192];

static double value(const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\n%s ", key);
    const char *at = strstr(output, pattern);
    if (at == NULL) {
        fprintf(stderr, "no '%s' in the output\n", key);
        return NAN;
    }
    return strtod(at + strlen(pattern), NULL);
}

/* The page faults a timed pass over the trace `body` (native format, two
 * block sizes substituted) reports; NAN when it does not run. */
static double timed_faults(const struct allocator_ops *ops, const char *body, size_t size1, size_t size2)
{
    char path[] = "/tmp/mems-test-faults-XXXXXX", text[256];
    int fd = mkstemp(path);
    if (fd < 0)
        return NAN;
    int n = snprintf(text, sizeof text, "mems-trace 1\n");
    n += snprintf(text + n, sizeof text - (size_t)n, body, size1, size2);
    bool written = write(fd, text, (size_t)n) == n;
    close(fd);
    struct trace trace;
    struct trace_error error;
    double faults = NAN;
    if (written && trace_load(path, &trace, &error) == 0) {
        FILE *out = fmemopen(output + 1, sizeof output - 2, "w");
        if (replay_run(MODE_TIMED, &trace, ops, &(struct replay_options){.series_path = NULL}, out) == 0) {
            fclose(out);
            faults = value("page_faults");
        } else {
            fclose(out);
        }
        trace_free(&trace);
    }
    unlink(path);
    return faults;
}

#define CHECK_NEAR(got, want) CHECK(fabs((got) - (double)(want)) < 1e-6 * (fabs((double)(want)) + 1))

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_metrics TRACES_DIR\n");
        return 2;
    }
    const double P = (double)mems_page_size();
    if (P < 4096) {
        printf("test_metrics: PAGE_SIZE %g < 4096, the hand-worked answers assume one node: skipped\n", P);
        printf("0 passed, 0 failed\n");
        return 0;
    }
    char path[1024], series[1100];
    snprintf(path, sizeof path, "%s/small/tiny.trace", argv[1]);
    struct trace trace;
    struct trace_error error;
    if (trace_load(path, &trace, &error) != 0) {
        fprintf(stderr, "%s\n", error.message);
        return 2;
    }
    struct backend backend;
    char why[200];
    CHECK_EQ(backend_resolve("mems-first", &backend, why, sizeof why), 0);
    const struct allocator_ops *ops = backend_ops(&backend, 1, 0);
    snprintf(series, sizeof series, "/tmp/mems-test-metrics-%d.csv", (int)getpid());
    FILE *out = fmemopen(output + 1, sizeof output - 2, "w");
    output[0] = '\n';
    CHECK_EQ(replay_run(MODE_CHECK, &trace, ops, &(struct replay_options){.series_path = series}, out), 0);
    fclose(out);

    const double foot = 5 * P, mean_live = (1000 + 3000 + 2000 + 2500 + 500 + 0) / 6.0;
    CHECK_NEAR(value("integrity_errors"), 0);
    CHECK_NEAR(value("peak_live_bytes"), 3000);
    CHECK_NEAR(value("peak_footprint_bytes"), foot);
    CHECK_NEAR(value("utilization"), 3000 / foot);
    CHECK(fabs(value("frag_jw1") - (foot - mean_live) / mean_live) < 1e-5);
    CHECK(fabs(value("frag_jw2") - (foot - 3000) / 3000) < 1e-5);
    CHECK(fabs(value("frag_jw3") - (foot - 3000) / 3000) < 1e-5); /* the plateau's sample with most live */
    CHECK(fabs(value("frag_jw4") - (foot - 3000) / 3000) < 1e-5);
    CHECK_NEAR(value("mems_given_bytes"), 3000);
    CHECK_NEAR(value("mems_rounding_bytes"), 0);
    CHECK_NEAR(value("mems_hole_bytes"), P - 3000);
    CHECK_NEAR(value("mems_metadata_bytes"), 4 * P);
    CHECK_NEAR(value("mmap_calls"), 5);
    CHECK_NEAR(value("munmap_calls"), 0);
    CHECK_NEAR(value("searches"), 3);
    CHECK_NEAR(value("holes_examined"), 2);
    CHECK_NEAR(value("samples"), 6);

    /* the time series, row by row */
    FILE *f = fopen(series, "r");
    CHECK(f != NULL);
    char line[512];
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK_STR(line, "op_index,live_bytes,footprint_bytes,rss_bytes,allocator_reported_bytes,hole_count,"
                    "largest_hole_bytes,holes_examined_total,searches_total\n");
    const double live[6] = {1000, 3000, 2000, 2500, 500, 0};
    const double holes[6] = {1, 1, 2, 2, 1, 1};
    const double largest[6] = {P - 1000, P - 3000, fmax(1000, P - 3000), fmax(500, P - 3000), P - 500, P};
    const double searches[6] = {1, 2, 2, 3, 3, 3};
    const double examined[6] = {0, 1, 1, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        unsigned long long c[9];
        CHECK(fgets(line, sizeof line, f) != NULL);
        CHECK_EQ(sscanf(line, "%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu", &c[0], &c[1], &c[2], &c[3], &c[4],
                        &c[5], &c[6], &c[7], &c[8]),
                 9);
        CHECK_EQ(c[8], searches[i]);
        CHECK_EQ(c[0], i);
        CHECK_EQ(c[1], live[i]);
        CHECK_EQ(c[2], foot);
        CHECK(c[3] > 0);
        CHECK_EQ(c[5], holes[i]);
        CHECK_EQ(c[6], largest[i]);
        CHECK_EQ(c[7], examined[i]);
    }
    CHECK(fgets(line, sizeof line, f) == NULL);
    fclose(f);
    unlink(series);

    /* the timed and latency passes report what they promise */
    out = fmemopen(output + 1, sizeof output - 2, "w");
    CHECK_EQ(replay_run(MODE_TIMED, &trace, ops, &(struct replay_options){.series_path = NULL}, out), 0);
    fclose(out);
    CHECK(value("seconds") > 0);
    CHECK_NEAR(value("ns_per_op"), value("seconds") * 1e9 / 6);
    CHECK(strstr(output, "\nsteady_ns_per_op ") == NULL); /* asked for no steady phase */
    /* the steady phase (ops 2 to 5) timed apart: within the whole pass's time */
    out = fmemopen(output + 1, sizeof output - 2, "w");
    CHECK_EQ(replay_run(MODE_TIMED, &trace, ops, &(struct replay_options){.steady_from = 2}, out), 0);
    fclose(out);
    CHECK(value("steady_ns_per_op") > 0);
    CHECK(value("steady_ns_per_op") * 4 <= value("seconds") * 1e9 * 1.0001);
    out = fmemopen(output + 1, sizeof output - 2, "w");
    CHECK_EQ(replay_run(MODE_LATENCY, &trace, ops, &(struct replay_options){.series_path = NULL}, out), 0);
    fclose(out);
    CHECK(value("timer_overhead_ns") > 0);
    CHECK(strstr(output, "\nlatency malloc 3 ") != NULL);
    CHECK(strstr(output, "\nlatency free 3 ") != NULL);
    trace_free(&trace);

    /* page faults of the timed pass: MeMS's calloc of fresh pages touches
     * none of them; calloc over a freed block must zero it, one fault per
     * page the pass has not touched yet (the malloc before it wrote nothing) */
    const size_t block_pages = 64;
    /* faults from outside MeMS (the kernel's own bookkeeping on a busy
     * machine) only add: the fewest of three passes is MeMS's */
    double fresh_faults = INFINITY;
    for (int attempt = 0; attempt < 3; attempt++)
        fresh_faults = fmin(fresh_faults, timed_faults(ops, "c 0 1 %zu\nf 0\n", block_pages * (size_t)P, 0));
    CHECK(fresh_faults < (double)block_pages / 4);
    CHECK(timed_faults(ops, "a 0 %zu\nf 0\nc 1 1 %zu\nf 1\n", block_pages * (size_t)P, block_pages * (size_t)P) >=
          (double)block_pages * P / (double)sysconf(_SC_PAGESIZE));
    return unit_report("test_metrics");
}
