/*
 * A suite run's results read back from the folder its replays wrote: the same
 * reading for a run in one process and for the job folders of a planned run,
 * so both give their statistics and report from the same numbers.
 */
#include "suite_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_COLUMNS 96

/* Splits a CSV line (no quoting: the harness writes none) in place. */
static size_t split_csv(char *line, char **cells)
{
    line[strcspn(line, "\r\n")] = '\0';
    size_t n = 0;
    for (char *p = line; n < CSV_MAX_COLUMNS;) {
        cells[n++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

/* DIR/NAME opened, its header line read into `header`; NULL when either fails. */
static FILE *open_csv(const char *dir, const char *name, char *header, size_t size)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f != NULL && fgets(header, (int)size, f) == NULL) {
        fclose(f);
        return NULL;
    }
    return f;
}

static size_t column_of(char **header, size_t n, const char *name)
{
    for (size_t c = 0; c < n; c++)
        if (strcmp(header[c], name) == 0)
            return c;
    return n;
}

static size_t backend_index(const struct suite *s, const char *name)
{
    for (size_t a = 0; a < s->nbackends; a++)
        if (strcmp(s->backends[a].name, name) == 0)
            return a;
    return s->nbackends;
}

static size_t trace_index(const struct suite *s, const char *name)
{
    for (size_t t = 0; t < s->ntraces; t++)
        if (strcmp(s->traces[t].name, name) == 0)
            return t;
    return s->ntraces;
}

/* The backend of that name; a new one (known by name alone) when it is not there. */
static size_t backend_for(struct suite *s, const char *name)
{
    size_t a = backend_index(s, name);
    if (a < s->nbackends)
        return a;
    s->backends = realloc(s->backends, (s->nbackends + 1) * sizeof *s->backends);
    struct backend *b = &s->backends[s->nbackends];
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", name);
    b->kind = strncmp(name, "mems-", 5) == 0 ? BACKEND_MEMS : strcmp(name, "bump") == 0 ? BACKEND_BUMP : BACKEND_MALLOC;
    if (strcmp(name, "glibc") == 0)
        s->glibc = s->nbackends;
    return s->nbackends++;
}

static void read_host(const char *dir, char *host, size_t size)
{
    char path[PATH_MAX + 16], line[512];
    snprintf(path, sizeof path, "%s/host.txt", dir);
    snprintf(host, size, "unknown");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "host: ", 6) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(host, size, "%.*s", (int)size - 1, line + 6);
            break;
        }
    fclose(f);
}

static int load_traces(struct suite *s, const char *dir)
{
    char line[4096], *cells[CSV_MAX_COLUMNS], host[128];
    read_host(dir, host, sizeof host);
    FILE *f = open_csv(dir, "traces.csv", line, sizeof line);
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (split_csv(line, cells) < 4 || trace_index(s, cells[0]) < s->ntraces)
            continue;
        s->traces = realloc(s->traces, (s->ntraces + 1) * sizeof *s->traces);
        struct suite_trace *t = &s->traces[s->ntraces++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", cells[0]);
        snprintf(t->format, sizeof t->format, "%s", cells[1]);
        t->num_ops = strtoull(cells[2], NULL, 10);
        t->peak_live_bytes = strtoull(cells[3], NULL, 10);
        snprintf(t->dir, sizeof t->dir, "%s", dir);
        snprintf(t->host, sizeof t->host, "%s", host);
        if (s->ntraces > 1 && strcmp(host, s->traces[0].host) != 0)
            s->hosts_differ = true;
    }
    return fclose(f);
}

static int load_summary(struct suite *s, const char *dir)
{
    char line[8192], header_line[8192], *header[CSV_MAX_COLUMNS], *cells[CSV_MAX_COLUMNS];
    FILE *f = open_csv(dir, "summary.csv", header_line, sizeof header_line);
    if (f == NULL)
        return -1;
    size_t ncolumns = split_csv(header_line, header);
    size_t ct = column_of(header, ncolumns, "trace"), ca = column_of(header, ncolumns, "allocator"),
           cr = column_of(header, ncolumns, "repeat");
    if (ct == ncolumns || ca == ncolumns || cr == ncolumns) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = split_csv(line, cells);
        if (n != ncolumns || trace_index(s, cells[ct]) == s->ntraces)
            continue;
        s->rows = realloc(s->rows, (s->nrows + 1) * sizeof *s->rows);
        struct suite_row *row = &s->rows[s->nrows++];
        memset(row, 0, sizeof *row);
        row->trace = trace_index(s, cells[ct]);
        row->alloc = backend_for(s, cells[ca]);
        row->repeat = strtol(cells[cr], NULL, 10);
        if (row->repeat > s->repeats)
            s->repeats = row->repeat;
        for (size_t c = 0; c < n && row->summary.nfields < RESULT_MAX_FIELDS; c++) {
            if (cells[c][0] == '\0')
                continue;
            struct result_field *field = &row->summary.fields[row->summary.nfields++];
            snprintf(field->key, sizeof field->key, "%s", header[c]);
            snprintf(field->value, sizeof field->value, "%s", cells[c]);
        }
    }
    return fclose(f);
}

static struct suite_row *find_row(struct suite *s, size_t first, const char *trace, const char *alloc, long repeat)
{
    for (size_t r = first; r < s->nrows; r++)
        if (s->rows[r].repeat == repeat && strcmp(s->traces[s->rows[r].trace].name, trace) == 0 &&
            strcmp(s->backends[s->rows[r].alloc].name, alloc) == 0)
            return &s->rows[r];
    return NULL;
}

static int load_latency(struct suite *s, const char *dir, size_t first_row)
{
    char line[4096], *cells[CSV_MAX_COLUMNS];
    FILE *f = open_csv(dir, "latency.csv", line, sizeof line);
    if (f == NULL)
        return -1;
    /* trace,allocator,repeat,op_kind,count,p50_ns,p99_ns,p999_ns,max_ns,timer_overhead_ns */
    while (fgets(line, sizeof line, f) != NULL) {
        if (split_csv(line, cells) < 9)
            continue;
        struct suite_row *row = find_row(s, first_row, cells[0], cells[1], strtol(cells[2], NULL, 10));
        if (row == NULL || row->summary.nlatency == RESULT_MAX_LATENCY)
            continue;
        struct latency_row *l = &row->summary.latency[row->summary.nlatency++];
        snprintf(l->kind, sizeof l->kind, "%s", cells[3]);
        l->count = strtoull(cells[4], NULL, 10);
        l->p50 = strtoull(cells[5], NULL, 10);
        l->p99 = strtoull(cells[6], NULL, 10);
        l->p999 = strtoull(cells[7], NULL, 10);
        l->max = strtoull(cells[8], NULL, 10);
    }
    return fclose(f);
}

/* done.txt: "seconds S" and "featured NAME" */
static int load_done(struct suite *s, const char *dir, char *featured, size_t size)
{
    char path[PATH_MAX + 16], line[512];
    snprintf(path, sizeof path, "%s/done.txt", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    double seconds;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "seconds %lf", &seconds) == 1)
            s->elapsed_seconds += seconds;
        else if (strncmp(line, "featured ", 9) == 0 && featured[0] == '\0')
            snprintf(featured, size, "%.*s", (int)size - 1, line + 9);
    }
    return fclose(f);
}

int suite_load_results(struct suite *s, const char *dir)
{
    char featured[128] = "";
    if (s->ntraces > 0)
        snprintf(featured, sizeof featured, "%s", s->traces[s->featured].name);
    size_t first_row = s->nrows;
    if (load_done(s, dir, featured, sizeof featured) != 0 || load_traces(s, dir) != 0 ||
        load_summary(s, dir) != 0 || load_latency(s, dir, first_row) != 0)
        return -1;
    size_t t = trace_index(s, featured);
    s->featured = t < s->ntraces ? t : 0;
    return 0;
}
