/*
 * Checks a study folder (mems-bench study): every file is there; every
 * number of each claim paragraph of study.md is one of that claim's numbers
 * in verdicts.csv; the deciding medians of verdicts.csv and every cell of the
 * size and phase tables are recomputed here, independently, from runs.csv; the
 * policy zoo names every member the library implements, on every program,
 * and two of its claims' numbers are recomputed from zoo.csv.
 *   check_study STUDY_DIR
 */
#include "unit.h"

#include "mems.h"

#include <ctype.h>
#include <math.h>
#include <sys/stat.h>

static const char *dir;

struct csv {
    char ***cell; /* rows x columns, row 0 the header */
    int rows, cols;
};

static char *read_all(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = calloc((size_t)size + 1, 1);
    if (text != NULL && fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* Splits text in place: lines, then commas (the study's CSVs quote nothing). */
static int load_csv(const char *name, struct csv *out)
{
    char *text = read_all(name);
    if (text == NULL)
        return -1;
    out->rows = 0;
    out->cell = NULL;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        out->cell = realloc(out->cell, (size_t)(out->rows + 1) * sizeof *out->cell);
        char **fields = NULL;
        int n = 0;
        for (char *p = line;; n++) {
            fields = realloc(fields, (size_t)(n + 1) * sizeof *fields);
            fields[n] = p;
            char *comma = strchr(p, ',');
            if (comma == NULL)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        if (out->rows == 0)
            out->cols = n + 1;
        out->cell[out->rows++] = fields;
    }
    return 0;
}

static int col(const struct csv *c, const char *name)
{
    for (int i = 0; i < c->cols; i++)
        if (strcmp(c->cell[0][i], name) == 0)
            return i;
    fprintf(stderr, "check_study: no column %s\n", name);
    exit(2);
}

static const char *at(const struct csv *c, int row, const char *name)
{
    return c->cell[row][col(c, name)];
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Does `shown` (as printed, 3 significant digits or a whole number) stand for v? */
static int shows(double shown, double v)
{
    return fabs(shown - v) <= 0.006 * fabs(v) + (fabs(v) >= 100 ? 0.5 : 1e-9);
}

static struct csv runs, verdicts, plan;
static int numbers_checked, recomputed;

/* ---- every number of a claim paragraph is one of the claim's in verdicts.csv ---- */

static void check_paragraph(const char *claim, char *text)
{
    /* `code` spans name structures (min256), not numbers */
    for (char *p = strchr(text, '`'); p != NULL; p = strchr(p, '`')) {
        char *end = strchr(p + 1, '`');
        if (end == NULL)
            break;
        memset(p, ' ', (size_t)(end - p + 1));
        p = end + 1;
    }
    for (char *p = text; *p;) {
        if (!isdigit((unsigned char)*p) || (p > text && (isalpha((unsigned char)p[-1]) || p[-1] == '_'))) {
            p++;
            continue;
        }
        char *end;
        double shown = strtod(p - (p > text && p[-1] == '-'), &end);
        int found = 0;
        for (int r = 1; r < verdicts.rows && !found; r++)
            found = strcmp(at(&verdicts, r, "claim"), claim) == 0 && shows(shown, atof(at(&verdicts, r, "value")));
        char detail[256];
        snprintf(detail, sizeof detail, "claim %s: %.*s is none of its numbers in verdicts.csv", claim,
                 (int)(end - p), p);
        unit_result(found, __FILE__, __LINE__, "reading number comes from verdicts.csv", detail);
        numbers_checked++;
        p = end;
    }
}

static void check_reading(char *md)
{
    int claims = 0;
    for (char *p = strstr(md, "<!-- claim: "); p != NULL; p = strstr(p + 1, "<!-- claim: ")) {
        char claim[64];
        if (sscanf(p, "<!-- claim: %63s -->", claim) != 1)
            continue;
        char *statement = strchr(p, '\n'); /* the claim as the literature puts it: not checked */
        char *body = statement ? strchr(statement + 1, '\n') : NULL;
        if (body == NULL)
            break;
        body++;
        char *stop = strstr(body, "\n\n");
        size_t len = stop ? (size_t)(stop - body) : strlen(body);
        char *text = strndup(body, len);
        check_paragraph(claim, text);
        free(text);
        claims++;
    }
    CHECK(claims >= 8);
}

/* ---- verdicts.csv's medians from runs.csv ---- */

static double verdict_value(const char *claim, const char *measure, const char *quantity)
{
    for (int r = 1; r < verdicts.rows; r++)
        if (!strcmp(at(&verdicts, r, "claim"), claim) && !strcmp(at(&verdicts, r, "measure"), measure) &&
            !strcmp(at(&verdicts, r, "quantity"), quantity))
            return atof(at(&verdicts, r, "value"));
    return NAN;
}

static int in_sizes_sweep(const char *trace)
{
    for (int r = 1; r < plan.rows; r++)
        if (!strcmp(at(&plan, r, "trace"), trace))
            return strstr(at(&plan, r, "experiments"), "sizes") != NULL;
    return 0;
}

/* The run's ratio (percent) of a trace, policy and the default structure; NaN when absent. */
static double ratio(const char *trace, const char *policy, const char *measure)
{
    for (int r = 1; r < runs.rows; r++)
        if (!strcmp(at(&runs, r, "trace"), trace) && !strcmp(at(&runs, r, "policy"), policy) &&
            !strcmp(at(&runs, r, "structure"), "min1"))
            return 100 * atof(at(&runs, r, measure));
    return NAN;
}

static void recheck(const char *claim, const char *measure, const char *quantity, double want)
{
    double have = verdict_value(claim, measure, quantity);
    char detail[256];
    snprintf(detail, sizeof detail, "%s %s %s: verdicts.csv %.9g, runs.csv gives %.9g", claim, measure, quantity,
             have, want);
    unit_result(fabs(have - want) <= 1e-6 * fabs(want) + 1e-9, __FILE__, __LINE__, "verdict recomputed from runs.csv",
                detail);
    recomputed++;
}

static void check_shore(const char *claim, const char *family, const char *cv)
{
    static const char *const measures[] = {"external_frag", "interior_frag"};
    for (int k = 0; k < 2; k++) {
        double d[4096], best[4096], first[4096];
        int n = 0;
        for (int r = 1; r < runs.rows && n < 4096; r++) {
            const char *trace = at(&runs, r, "trace");
            if (strcmp(at(&runs, r, "policy"), "first") != 0 || strcmp(at(&runs, r, "structure"), "min1") != 0 ||
                strcmp(at(&runs, r, "sizes"), family) != 0 || (cv && strcmp(at(&runs, r, "cv_nominal"), cv) != 0) ||
                !in_sizes_sweep(trace))
                continue;
            first[n] = ratio(trace, "first", measures[k]);
            best[n] = ratio(trace, "best", measures[k]);
            d[n] = best[n] - first[n];
            n++;
        }
        recheck(claim, measures[k], "traces", n);
        recheck(claim, measures[k], "difference_median_points", median_of(d, n));
        recheck(claim, measures[k], "best_median_percent", median_of(best, n));
        recheck(claim, measures[k], "first_median_percent", median_of(first, n));
    }
}

static void check_next_worst(void)
{
    static const char *const measures[] = {"external_frag", "interior_frag"};
    for (int k = 0; k < 2; k++) {
        double d[256];
        int n = 0;
        for (int r = 1; r < runs.rows && n < 256; r++) {
            const char *trace = at(&runs, r, "trace");
            if (strcmp(at(&runs, r, "shape"), "program") != 0 || strcmp(at(&runs, r, "policy"), "first") != 0 ||
                strcmp(at(&runs, r, "structure"), "min1") != 0)
                continue;
            d[n++] = fmin(ratio(trace, "next", measures[k]), ratio(trace, "worst", measures[k])) -
                     fmax(ratio(trace, "best", measures[k]), ratio(trace, "first", measures[k]));
        }
        recheck("jw-next-worst", measures[k], "traces", n);
        recheck("jw-next-worst", measures[k], "difference_median_points", median_of(d, n));
    }
}

/* ---- the policy zoo: every member the library implements, on every program; its claims ---- */

static struct csv zoo;

/* The member's #4 (percent) on a trace in the view ("jw4_policy", "jw4_all"); NaN when absent. */
static double zoo_jw4(const char *trace, const char *member, const char *view)
{
    for (int r = 1; r < zoo.rows; r++)
        if (!strcmp(at(&zoo, r, "trace"), trace) && !strcmp(at(&zoo, r, "member"), member))
            return 100 * atof(at(&zoo, r, view));
    return NAN;
}

static int member_implemented(int policy)
{
    struct mems_config c;
    mems_default_config(&c);
    c.policy = (enum mems_policy)policy;
    c.alignment = 16;
    int ok = mems_init_with(&c) == 0;
    if (ok)
        mems_finish();
    return ok;
}

static void check_zoo(const char *md)
{
    int members = 0;
    for (int p = 0; p < MEMS_POLICY_COUNT; p++) {
        const char *name = mems_policy_name((enum mems_policy)p);
        int rows = 0, programs = 0;
        for (int r = 1; r < zoo.rows; r++)
            rows += !strcmp(at(&zoo, r, "member"), name);
        for (int r = 1; r < plan.rows; r++)
            if (strstr(at(&plan, r, "experiments"), "programs") != NULL) {
                programs++;
                double v = zoo_jw4(at(&plan, r, "trace"), name, "jw4_policy");
                if (member_implemented(p))
                    CHECK(!isnan(v) && v >= 0);
            }
        char cell[96];
        snprintf(cell, sizeof cell, "| `%s` |", name);
        if (member_implemented(p)) {
            members++;
            CHECK(programs > 0 && rows >= programs);
            unit_result(strstr(md, cell) != NULL, __FILE__, __LINE__, "the zoo table names the member", name);
        } else {
            unit_result(rows == 0, __FILE__, __LINE__, "no zoo row of a member the library lacks", name);
        }
    }
    CHECK(members >= 4);
    static const char *const claims[] = {"zoo-near-ideal", "zoo-lifo-first", "zoo-fifo-first", "zoo-best-order",
                                         "zoo-next-first", "zoo-classes-waste", "zoo-lea-best", "zoo-tlsf-best"};
    for (size_t i = 0; i < sizeof claims / sizeof *claims; i++) {
        int rows = 0;
        for (int r = 1; r < verdicts.rows; r++)
            if (!strcmp(at(&verdicts, r, "claim"), claims[i])) {
                const char *v = at(&verdicts, r, "verdict");
                rows++;
                CHECK(!strcmp(v, "agrees") || !strcmp(v, "disagrees") || !strcmp(v, "cannot tell"));
            }
        unit_result(rows > 0, __FILE__, __LINE__, "verdicts.csv holds the zoo's claim", claims[i]);
    }
    /* next minus first, program by program, recomputed from zoo.csv */
    static const char *const views[] = {"jw4_policy", "jw4_all"};
    for (int k = 0; k < 2; k++) {
        double d[256], first[256];
        int n = 0;
        for (int r = 1; r < plan.rows && n < 256; r++) {
            const char *trace = at(&plan, r, "trace");
            if (strstr(at(&plan, r, "experiments"), "programs") == NULL)
                continue;
            double a = zoo_jw4(trace, "next", views[k]), b = zoo_jw4(trace, "first", views[k]);
            if (isnan(a) || isnan(b))
                continue;
            first[n] = b;
            d[n++] = a - b;
        }
        recheck("zoo-next-first", views[k], "next_minus_first_median_points", median_of(d, n));
        recheck("zoo-near-ideal", views[k], "first_median_percent", median_of(first, n));
    }
}

/* ---- the size and phase tables: each median over seeds from runs.csv ---- */

static double cell_median(const char *shape, const char *family, const char *cv, const char *policy)
{
    double v[1024];
    int n = 0;
    for (int r = 1; r < runs.rows && n < 1024; r++)
        if (!strcmp(at(&runs, r, "shape"), shape) && !strcmp(at(&runs, r, "sizes"), family) &&
            atof(at(&runs, r, "cv_nominal")) == atof(cv) && !strcmp(at(&runs, r, "policy"), policy) &&
            !strcmp(at(&runs, r, "structure"), "min1"))
            v[n++] = 100 * atof(at(&runs, r, "external_frag"));
    return median_of(v, n);
}

static void check_tables(char *md)
{
    static const char *const policies[] = {"first", "next", "best", "worst"};
    int tables = 0;
    for (char *p = strstr(md, "<!-- table: external_frag min1 -->"); p != NULL;
         p = strstr(p + 1, "<!-- table: external_frag min1 -->")) {
        tables++;
        char *line = strchr(p, '\n') + 1;
        int sizes_table = strncmp(line, "| plateau: sizes", 16) == 0;
        line = strchr(strchr(line, '\n') + 1, '\n') + 1; /* past the header and the rule */
        while (*line == '|') {
            char *next = strchr(line, '\n');
            char row[1024];
            snprintf(row, sizeof row, "%.*s", (int)(next - line), line);
            char *cells[16];
            int n = 0;
            for (char *c = strtok(row, "|"); c != NULL && n < 16; c = strtok(NULL, "|")) {
                while (*c == ' ')
                    c++;
                cells[n++] = c;
            }
            const char *shape = sizes_table ? "plateau" : strtok(cells[0], " ");
            char *family = strtok(cells[sizes_table ? 0 : 1], " "), *cv = strtok(cells[sizes_table ? 1 : 2], " ");
            int first_policy = 3; /* both tables: three columns name the cell */
            for (int i = 0; i < 4 && first_policy + i < n; i++) {
                double want = cell_median(shape, family, cv, policies[i]);
                double shown = atof(cells[first_policy + i]);
                char detail[256];
                snprintf(detail, sizeof detail, "%s %s %s %s: study.md shows %g, runs.csv gives %.6g", shape, family,
                         cv, policies[i], shown, want);
                unit_result(shows(shown, want), __FILE__, __LINE__, "table median from runs.csv", detail);
                numbers_checked++;
            }
            line = next + 1;
        }
    }
    CHECK(tables == 2);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    dir = argv[1];
    static const char *const files[] = {
        "runs.csv", "cells.csv", "verdicts.csv", "plan.csv", "study.md",
        "figures/study-1-size-variance.png", "figures/study-1-size-variance.svg", "figures/study-2-phases.png",
        "figures/study-2-phases.svg", "figures/study-3-structure.png", "figures/study-3-structure.svg",
        "figures/study-4-programs.png", "figures/study-4-programs.svg", "figures/study-5-waste.png",
        "figures/study-5-waste.svg", "zoo.csv", "zoo_time.csv", "figures/study-6-zoo.png",
        "figures/study-6-zoo.svg", "figures/study-7-tradeoff.png", "figures/study-7-tradeoff.svg",
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        struct stat st;
        unit_result(stat(path, &st) == 0 && st.st_size > 0, __FILE__, __LINE__, "file produced and not empty",
                    files[i]);
    }
    if (load_csv("runs.csv", &runs) != 0 || load_csv("verdicts.csv", &verdicts) != 0 ||
        load_csv("plan.csv", &plan) != 0 || load_csv("zoo.csv", &zoo) != 0) {
        fprintf(stderr, "check_study: cannot read the CSVs of %s\n", dir);
        return 1;
    }
    char *md = read_all("study.md");
    CHECK(md != NULL);
    if (md == NULL)
        return unit_report("check_study");
    char *copy = strdup(md);
    check_reading(md);
    check_tables(copy);
    check_shore("shore-uniform", "uniform", NULL);
    check_shore("shore-hyperexponential", "hyperexponential", NULL);
    check_shore("shore-exponential", "exponential", "1");
    check_next_worst();
    check_zoo(copy);
    free(md);
    free(copy);
    CHECK(numbers_checked > 100);
    printf("check_study: %d numbers of study.md checked, %d verdict numbers recomputed from runs.csv\n",
           numbers_checked, recomputed);
    return unit_report("check_study");
}
