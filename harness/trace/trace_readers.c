/*
 * The three text formats. Each reader only splits lines into fields and says
 * what they mean; the builder judges whether the op makes sense.
 *
 *   native   traces/FORMAT.md
 *   .rep     CS:APP malloc lab: 4 header lines (the 2nd and 3rd are num_ids
 *            and num_ops), then "a id size", "r id size", "f id"
 *   mtrace   glibc MALLOC_TRACE logs: "@ caller + addr size", "- addr",
 *            "< old" / "> new size" pairs for realloc
 */
#include "trace_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 8

/* Splits `line` in place on blanks; returns the number of fields. */
static int split_fields(char *line, char *fields[MAX_FIELDS + 1])
{
    int n = 0;
    char *save = NULL;
    for (char *f = strtok_r(line, " \t", &save); f != NULL; f = strtok_r(NULL, " \t", &save)) {
        if (n == MAX_FIELDS + 1)
            return n;
        fields[n++] = f;
    }
    return n;
}

static bool is_blank_or_comment(const char *line)
{
    line += strspn(line, " \t");
    return *line == '\0' || *line == '#';
}

static int field_u64(struct trace_builder *b, const char *field, const char *what, uint64_t *out)
{
    if (parse_u64(field, out) != 0) {
        if (field[0] == '-')
            return builder_fail(b, "%s is negative: '%s'", what, field);
        return builder_fail(b, "%s is not a number: '%s'", what, field);
    }
    return 0;
}

static int expect_fields(struct trace_builder *b, int have, int want, const char *op)
{
    if (have < want)
        return builder_fail(b, "'%s' needs %d field%s, found %d", op, want - 1, want == 2 ? "" : "s", have - 1);
    if (have > want)
        return builder_fail(b, "'%s' takes %d field%s, found %d", op, want - 1, want == 2 ? "" : "s", have - 1);
    return 0;
}

/* ---- native ---- */

#define NATIVE_MAX_IDS ((size_t)1 << 28)

int read_native(struct line_source *s, struct trace_builder *b)
{
    char *line;
    bool header_seen = false;
    while ((line = source_next(s, &b->line)) != NULL) {
        if (!header_seen) {
            char *fields[MAX_FIELDS + 1];
            int n = split_fields(line, fields);
            if (n != 2 || strcmp(fields[0], "mems-trace") != 0 || strcmp(fields[1], "1") != 0)
                return builder_fail(b, "bad header: expected 'mems-trace 1'");
            header_seen = true;
            continue;
        }
        if (is_blank_or_comment(line))
            continue;
        char *fields[MAX_FIELDS + 1];
        int n = split_fields(line, fields);
        uint64_t thread = 0;
        if (n > 1 && fields[n - 1][0] == '@') {
            if (field_u64(b, fields[n - 1] + 1, "thread", &thread) != 0)
                return -1;
            if (thread > UINT16_MAX)
                return builder_fail(b, "thread %ju is out of range (at most %u)", (uintmax_t)thread, UINT16_MAX);
            n--;
        }
        const char *op = n > 0 ? fields[0] : ""; /* n > 0: blank lines were skipped */
        uint64_t id = 0, a = 0, c = 0;
        int rc;
        if (strlen(op) != 1)
            return builder_fail(b, "unknown op '%s'", op);
        switch (op[0]) {
        case 'a':
        case 'R':
            if (expect_fields(b, n, 3, op) || field_u64(b, fields[1], "id", &id) || field_u64(b, fields[2], "size", &a))
                return -1;
            rc = op[0] == 'a' ? builder_malloc(b, id, a, (uint16_t)thread)
                              : builder_realloc_null(b, id, a, (uint16_t)thread);
            break;
        case 'r':
            if (expect_fields(b, n, 3, op) || field_u64(b, fields[1], "id", &id) || field_u64(b, fields[2], "size", &a))
                return -1;
            rc = builder_realloc(b, id, a, (uint16_t)thread);
            break;
        case 'c':
            if (expect_fields(b, n, 4, op) || field_u64(b, fields[1], "id", &id) ||
                field_u64(b, fields[2], "count", &a) || field_u64(b, fields[3], "size", &c))
                return -1;
            rc = builder_calloc(b, id, a, c, (uint16_t)thread);
            break;
        case 'm':
            if (expect_fields(b, n, 4, op) || field_u64(b, fields[1], "id", &id) ||
                field_u64(b, fields[2], "alignment", &a) || field_u64(b, fields[3], "size", &c))
                return -1;
            rc = builder_aligned(b, id, a, c, (uint16_t)thread);
            break;
        case 'f':
            if (expect_fields(b, n, 2, op))
                return -1;
            if (strcmp(fields[1], "-") == 0)
                rc = builder_free_null(b, (uint16_t)thread);
            else
                rc = field_u64(b, fields[1], "id", &id) || builder_free(b, id, (uint16_t)thread);
            break;
        default:
            return builder_fail(b, "unknown op '%s'", op);
        }
        if (rc != 0)
            return -1;
    }
    if (source_failed(s))
        return -1;
    if (!header_seen)
        return builder_fail(b, "empty file: expected 'mems-trace 1'");
    return 0;
}

/* ---- CS:APP .rep ---- */

int read_rep(struct line_source *s, struct trace_builder *b)
{
    uint64_t header[4];
    const char *names[4] = {"first header line (heap size or weight)", "num_ids", "num_ops",
                            "fourth header line (weight, max payload or ignore ranges)"};
    char *line;
    for (int i = 0; i < 4; i++) {
        line = source_next(s, &b->line);
        if (line == NULL) {
            if (source_failed(s))
                return -1;
            b->line++;
            return builder_fail(b, "bad header: the file ends before %s", names[i]);
        }
        char *fields[MAX_FIELDS + 1];
        int n = split_fields(line, fields);
        if (n != 1 || parse_u64(fields[0], &header[i]) != 0)
            return builder_fail(b, "bad header: %s should be one non-negative number", names[i]);
    }
    uint64_t num_ids = header[1], num_ops = header[2];
    if (num_ids > NATIVE_MAX_IDS)
        return builder_fail(b, "bad header: num_ids %ju is too large", (uintmax_t)num_ids);
    b->max_ids = (size_t)num_ids;
    uint64_t ops = 0;
    while ((line = source_next(s, &b->line)) != NULL) {
        if (is_blank_or_comment(line))
            continue;
        if (ops == num_ops) {
            builder_warn(b, "ops beyond the %ju the header promises are ignored", (uintmax_t)num_ops);
            break;
        }
        char *fields[MAX_FIELDS + 1];
        int n = split_fields(line, fields);
        const char *op = n > 0 ? fields[0] : ""; /* n > 0: blank lines were skipped */
        uint64_t id = 0, size = 0;
        int rc;
        if (strcmp(op, "a") == 0 || strcmp(op, "r") == 0) {
            if (expect_fields(b, n, 3, op) || field_u64(b, fields[1], "id", &id) ||
                field_u64(b, fields[2], "size", &size))
                return -1;
            if (op[0] == 'a')
                rc = builder_malloc(b, id, size, 0);
            else if (id < num_ids && !builder_is_live(b, id))
                rc = builder_realloc_null(b, id, size, 0); /* r of an id never allocated: realloc(NULL, n) */
            else
                rc = builder_realloc(b, id, size, 0);
        } else if (strcmp(op, "f") == 0) {
            if (expect_fields(b, n, 2, op))
                return -1;
            if (strcmp(fields[1], "-1") == 0)
                rc = builder_free_null(b, 0);
            else
                rc = field_u64(b, fields[1], "id", &id) || builder_free(b, id, 0);
        } else {
            return builder_fail(b, "unknown op '%s' (expected a, r or f)", op);
        }
        if (rc != 0)
            return -1;
        ops++;
    }
    if (source_failed(s))
        return -1;
    if (ops < num_ops)
        return builder_fail(b, "the header promises %ju ops but the file has %ju (truncated?)", (uintmax_t)num_ops,
                            (uintmax_t)ops);
    return 0;
}

/* ---- glibc mtrace ---- */

int read_mtrace(struct line_source *s, struct trace_builder *b)
{
    struct address_map map = {0};
    char *line;
    int rc = 0;
    bool pending_realloc = false; /* a '<' line waits for its '>' */
    uint64_t realloc_old = 0;
    size_t unknown_frees = 0;
    while (rc == 0 && (line = source_next(s, &b->line)) != NULL) {
        char *fields[MAX_FIELDS + 1];
        int n = split_fields(line, fields);
        if (n == 0)
            continue;
        int f = 0;
        if (fields[0][0] == '=')
            continue; /* "= Start", "= End" */
        if (strcmp(fields[0], "@") == 0)
            f = 2; /* "@ caller" */
        if (n - f < 2)
            rc = builder_fail(b, "line missing a field");
        if (rc != 0)
            break;
        const char *op = fields[f];
        uint64_t address, size = 0;
        if (strlen(op) != 1 || parse_u64(fields[f + 1], &address) != 0) {
            rc = builder_fail(b, "expected '+', '-', '<', '>' or '!' and an address");
            break;
        }
        if (pending_realloc && op[0] != '>') {
            rc = builder_fail(b, "a realloc's '<' line is not followed by its '>' line");
            break;
        }
        if ((op[0] == '+' || op[0] == '>') &&
            (n - f != 3 || field_u64(b, fields[f + 2], "size", &size) != 0)) {
            rc = n - f != 3 ? builder_fail(b, "'%s' needs an address and a size", op) : -1;
            break;
        }
        long slot;
        uint32_t id;
        switch (op[0]) {
        case '+':
            if (address_find(&map, address) >= 0) {
                rc = builder_fail(b, "address 0x%jx is allocated again while still live", (uintmax_t)address);
                break;
            }
            if (address_add(&map, address, &id) != 0) {
                rc = builder_fail(b, "out of memory");
                break;
            }
            rc = builder_malloc(b, id, size, 0);
            break;
        case '-':
            slot = address_find(&map, address);
            if (slot < 0) {
                unknown_frees++; /* allocated before tracing began */
                break;
            }
            id = address_take(&map, (size_t)slot);
            rc = builder_free(b, id, 0);
            if (rc == 0 && id_recycle(&map, id) != 0)
                rc = builder_fail(b, "out of memory");
            break;
        case '<':
            pending_realloc = true;
            realloc_old = address;
            break;
        case '>':
            if (!pending_realloc) {
                rc = builder_fail(b, "a realloc's '>' line has no '<' line before it");
                break;
            }
            pending_realloc = false;
            slot = address_find(&map, realloc_old);
            if (slot < 0) {
                /* the old block predates the trace: the new one is a fresh allocation */
                unknown_frees++;
                rc = address_add(&map, address, &id) != 0 ? builder_fail(b, "out of memory")
                                                          : builder_malloc(b, id, size, 0);
                break;
            }
            /* the block keeps its id at its new address */
            id = address_take(&map, (size_t)slot);
            if (address_find(&map, address) >= 0) {
                rc = builder_fail(b, "realloc returned 0x%jx, which is still live", (uintmax_t)address);
                break;
            }
            rc = address_put(&map, address, id) != 0 ? builder_fail(b, "out of memory")
                                                     : builder_realloc(b, id, size, 0);
            break;
        case '!':
            break; /* a failed realloc changed nothing */
        default:
            rc = builder_fail(b, "unknown op '%s'", op);
        }
    }
    if (rc == 0 && source_failed(s))
        rc = -1;
    if (rc == 0 && pending_realloc)
        rc = builder_fail(b, "the file ends inside a realloc ('<' without '>')");
    if (rc == 0 && unknown_frees > 0)
        fprintf(stderr, "%s: warning: %zu frees or reallocs of blocks allocated before tracing began were skipped\n",
                b->file, unknown_frees);
    address_map_free(&map);
    return rc;
}
