/*
 * Checks a suite run folder: every CSV and figure is there and not empty, and
 * every number in REPORT.md's tables matches the medians and ratios computed
 * here, independently, from summary.csv and latency.csv.
 *   check_suite RUN_DIR
 */
#include "unit.h"

#include <math.h>
#include <sys/stat.h>

static const char *run;

static long file_size(const char *relative)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", run, relative);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

#define MAX_ROWS 4096
#define MAX_COLS 64
static char summary[MAX_ROWS][MAX_COLS][64], latency[MAX_ROWS][MAX_COLS][64];
static int summary_rows, summary_cols, latency_rows, latency_cols;

static int read_csv(const char *name, char table[MAX_ROWS][MAX_COLS][64], int *rows, int *cols)
{
    char path[2048], line[8192];
    snprintf(path, sizeof path, "%s/%s", run, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    *rows = 0;
    while (*rows < MAX_ROWS && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        int c = 0;
        char *p = line;
        for (;;) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            snprintf(table[*rows][c++], 64, "%.63s", p);
            if (!comma || c == MAX_COLS)
                break;
            p = comma + 1;
        }
        *cols = c;
        (*rows)++;
    }
    fclose(f);
    return 0;
}

static int column(char table[MAX_ROWS][MAX_COLS][64], int cols, const char *name)
{
    for (int c = 0; c < cols; c++)
        if (strcmp(table[0][c], name) == 0)
            return c;
    return -1;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median over repeats of a metric, computed from the CSVs. */
static double expected(const char *metric, const char *trace, const char *alloc)
{
    double v[256];
    int n = 0;
    if (strncmp(metric, "latency_", 8) == 0) {
        char kind[16], pct[8];
        sscanf(metric + 8, "%15[^_]_%7[^_]", kind, pct);
        char col_name[32];
        snprintf(col_name, sizeof col_name, "%s_ns", pct);
        int ct = column(latency, latency_cols, "trace"), ca = column(latency, latency_cols, "allocator");
        int ck = column(latency, latency_cols, "op_kind"), cv = column(latency, latency_cols, col_name);
        for (int r = 1; r < latency_rows && n < 256; r++)
            if (!strcmp(latency[r][ct], trace) && !strcmp(latency[r][ca], alloc) && !strcmp(latency[r][ck], kind))
                v[n++] = atof(latency[r][cv]);
    } else {
        int ct = column(summary, summary_cols, "trace"), ca = column(summary, summary_cols, "allocator");
        const char *name = strcmp(metric, "holes_examined_per_search") == 0 ? "holes_examined_per_search" : metric;
        int cv = column(summary, summary_cols, name);
        if (cv < 0)
            return NAN;
        for (int r = 1; r < summary_rows && n < 256; r++)
            if (!strcmp(summary[r][ct], trace) && !strcmp(summary[r][ca], alloc) && summary[r][cv][0] != '\0')
                v[n++] = atof(summary[r][cv]);
    }
    return n ? median_of(v, n) : NAN;
}

/* Splits "| a | b | c |" into cells (trimmed, bold marks removed). */
static int cells_of(char *line, char cells[][128], int max)
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p != NULL && n < max) {
        char *q = strchr(p + 1, '|');
        if (q == NULL)
            break;
        int len = (int)(q - p - 1);
        char cell[256];
        snprintf(cell, sizeof cell, "%.*s", len, p + 1);
        char *s = cell;
        while (*s == ' ' || *s == '*')
            s++;
        size_t e = strlen(s);
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '*'))
            s[--e] = '\0';
        snprintf(cells[n++], 128, "%.127s", s);
        p = q;
    }
    return n;
}

static int checked;

static void check_report(void)
{
    char path[2048], line[8192];
    snprintf(path, sizeof path, "%s/REPORT.md", run);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    char metric[64] = "", allocs[MAX_COLS][128];
    double scale = 1;
    int mode = 0, nalloc = 0; /* 1: metric table, 2: ratio table */
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "<!-- table: %63s scale %lf -->", metric, &scale) == 2) {
            mode = 1, nalloc = 0;
            continue;
        }
        if (sscanf(line, "<!-- ratios: %63s -->", metric) == 1) {
            mode = 2, nalloc = 0;
            continue;
        }
        if (mode == 0 || line[0] != '|') {
            if (line[0] != '|')
                mode = 0;
            continue;
        }
        char cells[MAX_COLS][128];
        int n = cells_of(line, cells, MAX_COLS);
        if (nalloc == 0) { /* the header */
            for (int i = 1; i < n; i++)
                snprintf(allocs[i], sizeof allocs[i], "%s", cells[i]);
            nalloc = n;
            continue;
        }
        if (strncmp(cells[1], "---", 3) == 0 || strcmp(cells[0], "geometric mean") == 0)
            continue;
        for (int i = 1; i < n && i < nalloc; i++) {
            if (strcmp(cells[i], "–") == 0)
                continue;
            const char *number = cells[i];
            if (strncmp(number, "≈", strlen("≈")) == 0)
                number += strlen("≈");
            double shown = atof(number);
            double want;
            if (mode == 1) {
                want = expected(metric, cells[0], allocs[i]) / scale;
            } else {
                int glibc = 0;
                for (int k = 1; k < nalloc; k++)
                    if (strcmp(allocs[k], "glibc") == 0)
                        glibc = k;
                want = expected(metric, cells[0], allocs[i]) / expected(metric, cells[0], allocs[glibc]);
            }
            double tolerance = (mode == 1 ? 5e-4 : 5e-3) * fabs(want) + 1e-9;
            char detail[512];
            snprintf(detail, sizeof detail, "%s, %s, %s: REPORT.md shows %s, the CSV gives %.6g", metric, cells[0],
                     allocs[i], cells[i], want);
            unit_result(fabs(shown - want) <= tolerance, __FILE__, __LINE__, "report number matches the CSV", detail);
            checked++;
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    run = argv[1];
    static const char *const files[] = {
        "summary.csv", "latency.csv", "stats.csv", "host.txt", "REPORT.md",
        "figures/1-fragmentation-over-time.png", "figures/1-fragmentation-over-time.svg",
        "figures/2-fragmentation-by-trace.png", "figures/2-fragmentation-by-trace.svg",
        "figures/3-throughput-vs-glibc.png", "figures/3-throughput-vs-glibc.svg", "figures/4-latency-cdf.png",
        "figures/4-latency-cdf.svg", "figures/5-heap-map.png", "figures/5-heap-map.svg", "figures/6-search-cost.png",
        "figures/6-search-cost.svg", "hyperfine.json", "hyperfine.md",
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        long size = file_size(files[i]);
        unit_result(size > 0, __FILE__, __LINE__, "file produced and not empty", files[i]);
    }
    CHECK_EQ(read_csv("summary.csv", summary, &summary_rows, &summary_cols), 0);
    CHECK_EQ(read_csv("latency.csv", latency, &latency_rows, &latency_cols), 0);
    int ct = column(summary, summary_cols, "trace"), ca = column(summary, summary_cols, "allocator");
    for (int r = 1; r < summary_rows; r++) { /* one time series per trace x allocator, and its latency CDF */
        char name[512];
        snprintf(name, sizeof name, "timeseries/%s__%s.csv", summary[r][ct], summary[r][ca]);
        unit_result(file_size(name) > 0, __FILE__, __LINE__, "time series produced", name);
        snprintf(name, sizeof name, "latency_cdf/%s__%s.csv", summary[r][ct], summary[r][ca]);
        unit_result(file_size(name) > 0, __FILE__, __LINE__, "latency CDF produced", name);
    }
    check_report();
    CHECK(checked > 50);
    printf("check_suite: %d report numbers checked against the CSVs\n", checked);
    return unit_report("check_suite");
}
