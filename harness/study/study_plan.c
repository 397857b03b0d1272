/*
 * The study's plan: which traces (generated from a shape, a size family, a
 * coefficient of variation and a seed, or recorded programs), which node
 * structures, how many seeds. The quick plan keeps every experiment with
 * fewer cells, seeds and ops, so it runs in about a minute.
 */
#include "study.h"

#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MEMS_SOURCE_DIR
#define MEMS_SOURCE_DIR "."
#endif

#define MEAN_SIZE 256.0
#define MAX_SIZE 65536.0

struct size_cell {
    const char *family;
    double cv;
};

/* Shore's families, from no variance to a great deal. */
static const struct size_cell full_sizes[] = {
    {"constant", 0},       {"uniform", 0.15},         {"uniform", 0.3},          {"uniform", 0.5},
    {"exponential", 0.5},  {"exponential", 1},        {"hyperexponential", 1.5}, {"hyperexponential", 2},
    {"hyperexponential", 3}, {"hyperexponential", 4}, {"pareto", 0.5},           {"pareto", 1},
    {"pareto", 2},
};
static const struct size_cell quick_sizes[] = {
    {"constant", 0},         {"uniform", 0.25},       {"uniform", 0.5}, {"exponential", 1},
    {"hyperexponential", 2}, {"hyperexponential", 4}, {"pareto", 1},    {"pareto", 2},
};
/* the phase grid crosses every shape with these */
static const struct size_cell phase_sizes[] = {
    {"constant", 0}, {"uniform", 0.5}, {"exponential", 1}, {"hyperexponential", 4}, {"pareto", 2},
};
static const char *const shapes[] = {"ramp", "peak", "plateau"};
/* the recorded corpus (traces/corpus), in the quick plan too: its statistics need every program */
static const char *const full_programs[] = {"gcc-cc1",     "make-plan",      "perl-pod2text", "gawk-words",
                                            "python-json", "sqlite-queries", "gs-render",     "groff-man"};

static struct study_trace *add_trace(struct study *s)
{
    struct study_trace *grown = realloc(s->traces, (s->ntraces + 1) * sizeof *s->traces);
    if (grown == NULL)
        return NULL;
    s->traces = grown;
    struct study_trace *t = &s->traces[s->ntraces++];
    memset(t, 0, sizeof *t);
    return t;
}

/* The generated trace of this cell and seed, added once whichever experiments read it. */
static struct study_trace *generated(struct study *s, const char *shape, const struct size_cell *cell, unsigned seed,
                                     long ops)
{
    for (size_t i = 0; i < s->ntraces; i++) {
        struct study_trace *t = &s->traces[i];
        if (strcmp(t->shape, shape) == 0 && strcmp(t->sizes, cell->family) == 0 && t->cv == cell->cv &&
            t->seed == seed)
            return t;
    }
    struct study_trace *t = add_trace(s);
    if (t == NULL)
        return NULL;
    snprintf(t->shape, sizeof t->shape, "%s", shape);
    snprintf(t->sizes, sizeof t->sizes, "%s", cell->family);
    snprintf(t->name, sizeof t->name, "%s-%s-cv%g-s%u", shape, cell->family, cell->cv, seed);
    t->cv = cell->cv;
    t->seed = seed;
    gen_default_params(&t->params);
    snprintf(t->params.kind, sizeof t->params.kind, "%s", shape);
    t->params.seed = seed;
    t->params.ops = (size_t)ops;
    t->params.max = MAX_SIZE;
    char why[256];
    if (gen_sizes_by_cv(&t->params, cell->family, MEAN_SIZE, cell->cv, why, sizeof why) != 0) {
        fprintf(stderr, "mems-bench study: %s\n", why);
        return NULL;
    }
    return t;
}

/* A recorded trace's name: its file name less the extensions of trace files, so that heaptrack's
 * heaptrack.PROGRAM.PID.zst keeps its program and pid. */
static void name_of_file(const char *path, char *out, size_t size)
{
    static const char *const extensions[] = {".gz", ".zst", ".trace", ".rep", ".mtrace", ".log", ".bin", ".raw"};
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(base);
    for (bool cut = true; cut;) {
        cut = false;
        for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
            size_t n = strlen(extensions[i]);
            if (len > n && strncmp(base + len - n, extensions[i], n) == 0) {
                len -= n;
                cut = true;
            }
        }
    }
    snprintf(out, size, "%.*s", (int)len, base);
}

/* A name of traces/corpus (gcc-cc1), or a path. */
static void corpus_path(const char *name_or_path, char *out, size_t size)
{
    if (strchr(name_or_path, '/') != NULL || strchr(name_or_path, '.') != NULL)
        snprintf(out, size, "%s", name_or_path);
    else
        snprintf(out, size, "%s/traces/corpus/%s.trace.gz", MEMS_SOURCE_DIR, name_or_path);
}

int study_check_corpus(const char *flag, const char *list)
{
    struct cli_list items;
    if (cli_split("mems-bench study", flag, list, &items) != 0)
        return -1;
    for (size_t i = 0; i < items.count; i++) {
        char path[PATH_MAX];
        struct stat st;
        corpus_path(items.item[i], path, sizeof path);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0) {
            fprintf(stderr, "mems-bench study: %s: '%s' is neither a trace of traces/corpus (", flag, items.item[i]);
            for (size_t p = 0; p < sizeof full_programs / sizeof *full_programs; p++)
                fprintf(stderr, "%s%s", p ? ", " : "", full_programs[p]);
            fprintf(stderr, ") nor a trace file that can be read\n");
            return -1;
        }
    }
    return 0;
}

static int add_program(struct study *s, const char *name_or_path)
{
    struct study_trace *t = add_trace(s);
    if (t == NULL)
        return -1;
    corpus_path(name_or_path, t->path, sizeof t->path);
    name_of_file(t->path, t->name, sizeof t->name);
    snprintf(t->shape, sizeof t->shape, "program");
    snprintf(t->sizes, sizeof t->sizes, "%s", t->name);
    t->cv = NAN;
    t->in_programs = t->all_configs = true;
    return 0;
}

static void add_configs(struct study *s)
{
    static const size_t pages[] = {1, 16, 256};
    s->nconfigs = 0;
    for (size_t p = 0; p < 3; p++)
        for (int release = 0; release < 2; release++) {
            struct study_config *c = &s->configs[s->nconfigs++];
            c->min_pages = pages[p];
            c->release_empty_nodes = release;
            snprintf(c->name, sizeof c->name, "min%zu%s", pages[p], release ? "-release" : "");
        }
}

int study_make_plan(struct study *s, const struct study_options *o)
{
    add_configs(s);
    int seeds = o->seeds > 0 ? o->seeds : o->quick ? 7 : 11;
    long ops = o->ops > 0 ? o->ops : o->quick ? 40000 : 200000;
    const struct size_cell *sizes = o->quick ? quick_sizes : full_sizes;
    size_t nsizes = o->quick ? sizeof quick_sizes / sizeof *quick_sizes : sizeof full_sizes / sizeof *full_sizes;
    for (size_t c = 0; c < nsizes; c++)
        for (int seed = 1; seed <= seeds; seed++) {
            struct study_trace *t = generated(s, "plateau", &sizes[c], (unsigned)seed, ops);
            if (t == NULL)
                return -1;
            t->in_sizes = true;
        }
    for (size_t h = 0; h < sizeof shapes / sizeof *shapes; h++)
        for (size_t c = 0; c < sizeof phase_sizes / sizeof *phase_sizes; c++)
            for (int seed = 1; seed <= seeds; seed++) {
                struct study_trace *t = generated(s, shapes[h], &phase_sizes[c], (unsigned)seed, ops);
                if (t == NULL)
                    return -1;
                t->in_phases = t->all_configs = true;
            }
    if (o->corpus != NULL) {
        char *copy = strdup(o->corpus), *save = NULL;
        for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save))
            if (add_program(s, item) != 0) {
                free(copy);
                return -1;
            }
        free(copy);
    } else {
        for (size_t i = 0; i < sizeof full_programs / sizeof *full_programs; i++)
            if (add_program(s, full_programs[i]) != 0)
                return -1;
    }
    return 0;
}

int study_load_trace(const struct study *s, size_t t, struct trace *out, struct trace_error *error)
{
    const struct study_trace *st = &s->traces[t];
    int rc = st->path[0] ? trace_load(st->path, out, error) : generate_trace(&st->params, out, error);
    if (rc == 0)
        snprintf(out->name, sizeof out->name, "%s", st->name);
    return rc;
}

/* plan.csv: every trace, and for generated ones the mems-trace command that writes it. */
int study_write_plan_csv(const struct study *s)
{
    FILE *f = csv_open(s->out_dir, "plan.csv", "trace,shape,sizes,cv_nominal,seed,experiments,structures,source");
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < s->ntraces; i++) {
        const struct study_trace *t = &s->traces[i];
        fprintf(f, "%s,%s,%s,", t->name, t->shape, t->sizes);
        if (t->path[0])
            fprintf(f, ",,programs,all,%s\n", t->path);
        else
            fprintf(f, "%g,%u,%s%s%s,%s,mems-trace gen %s --seed %u --ops %zu --sizes %s --cv %g --mean %g --max %g\n",
                    t->cv, t->seed, t->in_sizes ? "sizes " : "", t->in_phases ? "phases " : "",
                    t->in_phases ? "structure" : "", t->all_configs ? "all" : "min1", t->shape, t->seed,
                    t->params.ops, t->sizes, t->cv, MEAN_SIZE, MAX_SIZE);
    }
    return fclose(f);
}
