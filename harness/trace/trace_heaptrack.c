/*
 * heaptrack's data files (heaptrack 1.0 and later, file format versions 1 to
 * 3), in both of its forms; every number is hex. The grammar, and what each
 * line becomes, is in traces/FORMAT.md.
 *
 *   raw (heaptrack -r)   "+ size trace pointer", "- pointer": frees are
 *                        matched to their block by pointer, exactly
 *   interpreted          "a size trace" defines an allocation info (index 0,
 *   (the default)        1, ... in order), "+ info", "- info": a free names
 *                        only the size and call stack of what it frees
 */
#include "trace_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_BLOCK UINT32_MAX
#define MAX_FILE_VERSION 3

enum recording { RECORDING_UNKNOWN, RECORDING_RAW, RECORDING_INTERPRETED };

/* Interpreted recordings: the allocation infos, and per info its live blocks,
 * most recent first, as a list threaded through the ids. */
struct info_table {
    uint64_t *size;
    uint32_t *newest; /* per info: its most recent live block, or NO_BLOCK */
    size_t count, capacity;
    uint32_t *older; /* per id: the next older live block of the same info */
    size_t id_capacity;
};

struct heaptrack_reader {
    struct trace_builder *b;
    enum recording recording;
    unsigned file_version;
    struct info_table infos;
    struct address_map blocks; /* raw: pointer to id; interpreted: only its pool of ids */
    uint64_t strings, ips;     /* counted against heaptrack's closing lines */
    bool strings_closed, ips_closed;
    size_t unknown_frees, reused_pointers, ambiguous_frees;
};

/* ---- fields ---- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int read_hex(struct heaptrack_reader *r, char **cursor, char kind, const char *what, uint64_t *out)
{
    char *p = *cursor + strspn(*cursor, " ");
    size_t n = strcspn(p, " ");
    if (n == 0)
        return builder_fail(r->b, "'%c' line lacks its %s", kind, what);
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++) {
        int digit = hex_digit(p[i]);
        if (digit < 0 || i >= 16)
            return builder_fail(r->b, "bad hex field '%.*s' (the %s of a '%c' line)", (int)(n > 40 ? 40 : n), p,
                                what, kind);
        value = value << 4 | (uint64_t)digit;
    }
    *out = value;
    *cursor = p + n;
    return 0;
}

static int expect_end(struct heaptrack_reader *r, const char *cursor, char kind)
{
    cursor += strspn(cursor, " ");
    if (*cursor != '\0')
        return builder_fail(r->b, "'%c' line has a field heaptrack does not write: '%.40s'", kind, cursor);
    return 0;
}

static int count_fields(const char *cursor)
{
    int n = 0;
    for (;;) {
        cursor += strspn(cursor, " ");
        if (*cursor == '\0')
            return n;
        n++;
        cursor += strcspn(cursor, " ");
    }
}

/* Hex fields only: exactly `fields` of them. */
static int check_hex_fields(struct heaptrack_reader *r, char *cursor, char kind, int fields)
{
    int n = count_fields(cursor);
    if (n != fields)
        return builder_fail(r->b, "'%c' line with %d field%s (heaptrack writes %d)", kind, n, n == 1 ? "" : "s",
                            fields);
    uint64_t ignored;
    for (int i = 0; i < n; i++)
        if (read_hex(r, &cursor, kind, "field", &ignored) != 0)
            return -1;
    return 0;
}

/* ---- the two forms ---- */

static int set_recording(struct heaptrack_reader *r, enum recording recording, char kind)
{
    if (r->recording == RECORDING_UNKNOWN)
        r->recording = recording;
    if (r->recording == recording)
        return 0;
    return builder_fail(r->b, "a '%c' line of %s recording in %s one", kind,
                        recording == RECORDING_RAW ? "a raw" : "an interpreted",
                        recording == RECORDING_RAW ? "an interpreted" : "a raw");
}

/* Grows a per-info or per-id list, new entries NO_BLOCK. */
static int grow_blocks(uint32_t **array, size_t *capacity, size_t need)
{
    if (need <= *capacity)
        return 0;
    size_t n = *capacity ? *capacity : 1024;
    while (n < need)
        n *= 2;
    uint32_t *grown = realloc(*array, n * sizeof *grown);
    if (grown == NULL)
        return -1;
    memset(grown + *capacity, 0xff, (n - *capacity) * sizeof *grown);
    *array = grown;
    *capacity = n;
    return 0;
}

static int define_info(struct heaptrack_reader *r, char *cursor)
{
    uint64_t size, trace;
    if (set_recording(r, RECORDING_INTERPRETED, 'a') || read_hex(r, &cursor, 'a', "size", &size) ||
        read_hex(r, &cursor, 'a', "trace index", &trace) || expect_end(r, cursor, 'a'))
        return -1;
    struct info_table *t = &r->infos;
    if (t->count == t->capacity) {
        size_t capacity = t->capacity;
        uint64_t *sizes = realloc(t->size, (capacity ? capacity * 2 : 1024) * sizeof *sizes);
        if (sizes != NULL)
            t->size = sizes;
        if (sizes == NULL || grow_blocks(&t->newest, &t->capacity, t->count + 1) != 0)
            return builder_fail(r->b, "out of memory for %zu allocation infos", t->count + 1);
    }
    t->size[t->count++] = size;
    return 0;
}

static int allocate_by_info(struct heaptrack_reader *r, uint64_t info)
{
    struct info_table *t = &r->infos;
    if (info >= t->count)
        return builder_fail(r->b, "allocation of info index 0x%jx, but only %zu allocation infos ('a' lines) come "
                                  "before it", (uintmax_t)info, t->count);
    uint32_t id = id_take(&r->blocks);
    if (grow_blocks(&t->older, &t->id_capacity, (size_t)id + 1) != 0)
        return builder_fail(r->b, "out of memory for %ju blocks", (uintmax_t)id + 1);
    t->older[id] = t->newest[info];
    t->newest[info] = id;
    return builder_malloc(r->b, id, t->size[info], 0);
}

/* The most recent live block of that allocation info: exact for the common
 * temporary (allocated, then freed before another of its kind); otherwise
 * lifetimes among blocks of one call stack and size may be permuted. */
static int free_by_info(struct heaptrack_reader *r, uint64_t info)
{
    struct info_table *t = &r->infos;
    if (info >= t->count)
        return builder_fail(r->b, "free of info index 0x%jx, which no 'a' line defines (%zu do)", (uintmax_t)info,
                            t->count);
    uint32_t id = t->newest[info];
    if (id == NO_BLOCK)
        return builder_fail(r->b, "free of info index 0x%jx, which has no live block", (uintmax_t)info);
    t->newest[info] = t->older[id];
    if (t->older[id] != NO_BLOCK)
        r->ambiguous_frees++;
    if (builder_free(r->b, id, 0) != 0)
        return -1;
    return id_recycle(&r->blocks, id) == 0 ? 0 : builder_fail(r->b, "out of memory");
}

/* A pointer still live: its free went unrecorded (glibc's realloc(p, 0)
 * frees p and returns NULL, which heaptrack does not log). The earlier block
 * stays live to the end, as heaptrack's own interpreter counts it. */
static int allocate_at_pointer(struct heaptrack_reader *r, uint64_t size, uint64_t pointer)
{
    if (pointer < 2)
        return builder_fail(r->b, "'+' line with pointer 0x%jx, which heaptrack never records", (uintmax_t)pointer);
    long slot = address_find(&r->blocks, pointer);
    if (slot >= 0) {
        address_take(&r->blocks, (size_t)slot);
        r->reused_pointers++;
    }
    uint32_t id;
    if (address_add(&r->blocks, pointer, &id) != 0)
        return builder_fail(r->b, "out of memory");
    return builder_malloc(r->b, id, size, 0);
}

/* A pointer heaptrack saw no allocation of was allocated before it began
 * (or while it was attaching); its own interpreter drops such frees too. */
static int free_at_pointer(struct heaptrack_reader *r, uint64_t pointer)
{
    long slot = address_find(&r->blocks, pointer);
    if (slot < 0 || pointer < 2) {
        r->unknown_frees++;
        return 0;
    }
    uint32_t id = address_take(&r->blocks, (size_t)slot);
    if (builder_free(r->b, id, 0) != 0)
        return -1;
    return id_recycle(&r->blocks, id) == 0 ? 0 : builder_fail(r->b, "out of memory");
}

static int read_allocation(struct heaptrack_reader *r, char *cursor)
{
    uint64_t a, trace, pointer;
    if (count_fields(cursor) == 1) {
        if (set_recording(r, RECORDING_INTERPRETED, '+') || read_hex(r, &cursor, '+', "allocation info index", &a))
            return -1;
        return allocate_by_info(r, a);
    }
    if (set_recording(r, RECORDING_RAW, '+') || read_hex(r, &cursor, '+', "size", &a) ||
        read_hex(r, &cursor, '+', "trace index", &trace) || read_hex(r, &cursor, '+', "pointer", &pointer) ||
        expect_end(r, cursor, '+'))
        return -1;
    return allocate_at_pointer(r, a, pointer);
}

static int read_free(struct heaptrack_reader *r, char *cursor)
{
    uint64_t value;
    const char *what = r->recording == RECORDING_INTERPRETED ? "allocation info index" : "pointer";
    if (r->recording == RECORDING_UNKNOWN)
        return builder_fail(r->b, "a free before any allocation or allocation info");
    if (read_hex(r, &cursor, '-', what, &value) || expect_end(r, cursor, '-'))
        return -1;
    return r->recording == RECORDING_INTERPRETED ? free_by_info(r, value) : free_at_pointer(r, value);
}

/* ---- the other lines ---- */

static int read_version(struct heaptrack_reader *r, char *cursor)
{
    uint64_t heaptrack_version, file_version;
    if (r->file_version != 0)
        return builder_fail(r->b, "a second 'v' line");
    if (read_hex(r, &cursor, 'v', "heaptrack version", &heaptrack_version) != 0)
        return -1;
    if (count_fields(cursor) == 0 && heaptrack_version == 0x010200)
        file_version = 1; /* heaptrack 1.0's files name no file version */
    else if (read_hex(r, &cursor, 'v', "file format version", &file_version) || expect_end(r, cursor, 'v'))
        return -1;
    if (file_version == 0 || file_version > MAX_FILE_VERSION)
        return builder_fail(r->b, "heaptrack file format version %ju (heaptrack %jx); versions 1 to %d are read",
                            (uintmax_t)file_version, (uintmax_t)heaptrack_version, MAX_FILE_VERSION);
    r->file_version = (unsigned)file_version;
    return 0;
}

/* "s" (a string) and, in raw recordings, "x" (the executable) and "m" (a
 * module): from version 3 on their text comes after its length in hex. */
static int read_string(struct heaptrack_reader *r, char *cursor, char kind)
{
    uint64_t length;
    if (kind != 's' || r->file_version >= 3) {
        if (read_hex(r, &cursor, kind, "length", &length) != 0)
            return -1;
        if (cursor[0] != ' ' || strlen(cursor + 1) < length)
            return builder_fail(r->b, "'%c' line shorter than its length 0x%jx says", kind, (uintmax_t)length);
    }
    if (kind == 's')
        r->strings++;
    return set_recording(r, kind == 's' ? RECORDING_INTERPRETED : RECORDING_RAW, kind);
}

/* "i ip module [function [file line [function file line]...]]": an
 * instruction pointer, its module and the frames it resolved to. */
static int read_instruction_pointer(struct heaptrack_reader *r, char *cursor)
{
    int n = count_fields(cursor);
    if (n < 2 || n == 4 || (n > 4 && (n - 5) % 3 != 0))
        return builder_fail(r->b, "'i' line with %d fields (heaptrack writes 2, 3, or 5 and then groups of 3)", n);
    r->ips++;
    if (set_recording(r, RECORDING_INTERPRETED, 'i') != 0)
        return -1;
    return check_hex_fields(r, cursor, 'i', n);
}

/* heaptrack_interpret closes its output with "# strings: N" and "# ips: N"
 * (decimal): a recording cut short, or with lines lost, fails here. */
static int read_comment(struct heaptrack_reader *r, const char *line)
{
    const char *names[2] = {"# strings: ", "# ips: "};
    uint64_t counted[2] = {r->strings, r->ips};
    bool *closed[2] = {&r->strings_closed, &r->ips_closed};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(line, names[i], n) != 0)
            continue;
        uint64_t said;
        if (parse_u64(line + n, &said) != 0)
            return builder_fail(r->b, "'%.*s' is not followed by a number", (int)n - 1, names[i]);
        if (said != counted[i])
            return builder_fail(r->b,
                                "heaptrack's closing line counts %ju %s but the recording holds %ju (lines lost?)",
                                (uintmax_t)said, i == 0 ? "strings" : "instruction pointers", (uintmax_t)counted[i]);
        *closed[i] = true;
    }
    return 0;
}

static int read_line(struct heaptrack_reader *r, char *line)
{
    char kind = line[0], *cursor = line + 1;
    if (kind != '#' && kind != '\0' && line[1] != ' ' && line[1] != '\0')
        return builder_fail(r->b, "not a heaptrack line: '%.40s'", line);
    if (r->file_version == 0 && kind != 'v' && kind != '#' && kind != '\0')
        return builder_fail(r->b, "a '%c' line before heaptrack's version line", kind);
    switch (kind) {
    case '\0': return 0;
    case '#': return read_comment(r, line);
    case 'v': return read_version(r, cursor);
    case '+': return read_allocation(r, cursor);
    case '-': return read_free(r, cursor);
    case 'a': return define_info(r, cursor);
    case 's':
    case 'x':
    case 'm': return read_string(r, cursor, kind);
    case 'i': return read_instruction_pointer(r, cursor);
    case 't':
    case 'I': return check_hex_fields(r, cursor, kind, 2);
    case 'c':
    case 'R': return check_hex_fields(r, cursor, kind, 1);
    case 'A': return expect_end(r, cursor, kind);
    case 'X': /* the command line */
    case 'S': /* a leak suppression */
        return 0;
    default:
        return builder_fail(r->b, "unknown heaptrack line kind '%c'", kind);
    }
}

static void say_what_was_approximated(const struct heaptrack_reader *r)
{
    const char *file = r->b->file;
    if (r->ambiguous_frees > 0)
        fprintf(stderr,
                "%s: note: an interpreted heaptrack recording names the call stack and size a free releases, not "
                "the block; each free takes the most recent live block of its call stack and size (%zu had more "
                "than one), so lifetimes among blocks of the same call stack and size may be permuted; op counts "
                "and peak live bytes are exact (a raw recording, heaptrack -r, is exact throughout)\n",
                file, r->ambiguous_frees);
    if (r->unknown_frees > 0)
        fprintf(stderr, "%s: warning: %zu frees of pointers allocated before heaptrack began were skipped, as "
                        "heaptrack skips them\n", file, r->unknown_frees);
    if (r->reused_pointers > 0)
        fprintf(stderr, "%s: warning: %zu allocations returned a pointer whose free heaptrack did not record (as "
                        "after realloc(p, 0)); the earlier blocks stay live to the end, as heaptrack counts them\n",
                file, r->reused_pointers);
}

int read_heaptrack(struct line_source *s, struct trace_builder *b)
{
    struct heaptrack_reader r = {.b = b};
    char *line;
    int rc = 0;
    while (rc == 0 && (line = source_next(s, &b->line)) != NULL)
        rc = read_line(&r, line);
    if (rc == 0 && source_failed(s))
        rc = -1;
    if (rc == 0 && !source_ended_line(s)) /* heaptrack ends every line it writes */
        rc = builder_fail(b, "the recording ends inside this line (truncated?)");
    if (rc == 0 && r.recording == RECORDING_INTERPRETED && !(r.strings_closed && r.ips_closed)) {
        b->line++;
        rc = builder_fail(b, "the recording ends before heaptrack's closing '# strings:' and '# ips:' lines "
                             "(truncated?)");
    }
    if (rc == 0) {
        if (r.recording == RECORDING_RAW)
            b->trace->format = FORMAT_HEAPTRACK_RAW;
        say_what_was_approximated(&r);
    }
    free(r.infos.size);
    free(r.infos.newest);
    free(r.infos.older);
    address_map_free(&r.blocks);
    return rc;
}
