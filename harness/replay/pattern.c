/*
 * What the check pass writes into a block and reads back: each byte follows
 * from the block's id and its offset, so an overwrite, a lost realloc or two
 * blocks sharing memory show up as a wrong byte.
 *
 * A block is written whole unless the replay is bounded (its trace does not
 * fit comfortably in the memory budget) and the block is larger than
 * PATTERN_WHOLE_MAX: then only its first and last PATTERN_EDGE bytes and one
 * 8-byte word in each of PATTERN_SAMPLES equal strides between them, so a
 * block of 36 GB costs about a megabyte of touched memory (harness/METRICS.md).
 */
#include "replay_internal.h"

#include <string.h>

struct range {
    uint64_t start, end;
};

static uint64_t pattern_word(uint32_t id, uint64_t w)
{
    uint64_t x = ((uint64_t)id << 32 | 0x5bd1e995u) ^ (w * 0x9E3779B97F4A7C15ULL);
    x ^= x >> 29;
    return x * 0xBF58476D1CE4E5B9ULL;
}

static unsigned char pattern_byte(uint32_t id, uint64_t i)
{
    return (unsigned char)(pattern_word(id, i / 8) >> (8 * (i % 8)));
}

/* The parts of a block of `extent` bytes that are written, in address order. */
static size_t pattern_ranges(uint32_t id, uint64_t extent, bool bounded, struct range *out)
{
    if (!bounded || extent <= PATTERN_WHOLE_MAX) {
        out[0] = (struct range){0, extent};
        return 1;
    }
    size_t n = 0;
    out[n++] = (struct range){0, PATTERN_EDGE};
    uint64_t middle = extent - 2 * PATTERN_EDGE, stride = middle / PATTERN_SAMPLES;
    for (uint64_t k = 0; k < PATTERN_SAMPLES; k++) {
        /* a word at a place within the stride that follows from the id */
        uint64_t within = (pattern_word(id, ~k) % (stride / 8)) * 8;
        uint64_t at = PATTERN_EDGE + k * stride + within;
        at -= at % 8;
        out[n++] = (struct range){at, at + 8};
    }
    out[n++] = (struct range){extent - PATTERN_EDGE, extent};
    return n;
}

static void fill_range(unsigned char *p, uint32_t id, struct range r)
{
    uint64_t i = r.start;
    for (; i < r.end && i % 8 != 0; i++)
        p[i] = pattern_byte(id, i);
    for (; r.end - i >= 8; i += 8) {
        uint64_t v = pattern_word(id, i / 8);
        memcpy(p + i, &v, 8);
    }
    for (; i < r.end; i++)
        p[i] = pattern_byte(id, i);
}

static uint64_t check_range(const unsigned char *p, uint32_t id, struct range r)
{
    uint64_t i = r.start;
    for (; i < r.end && i % 8 != 0; i++)
        if (p[i] != pattern_byte(id, i))
            return i;
    for (; r.end - i >= 8; i += 8) {
        uint64_t v = pattern_word(id, i / 8), have;
        memcpy(&have, p + i, 8);
        if (have != v)
            break;
    }
    for (; i < r.end; i++)
        if (p[i] != pattern_byte(id, i))
            return i;
    return UINT64_MAX;
}

void pattern_fill(void *block, uint32_t id, uint64_t extent, bool bounded)
{
    struct range ranges[PATTERN_SAMPLES + 2];
    size_t n = pattern_ranges(id, extent, bounded, ranges);
    for (size_t i = 0; i < n; i++)
        fill_range(block, id, ranges[i]);
}

uint64_t pattern_check(const void *block, uint32_t id, uint64_t extent, uint64_t limit, bool bounded)
{
    struct range ranges[PATTERN_SAMPLES + 2];
    size_t n = pattern_ranges(id, extent, bounded, ranges);
    for (size_t i = 0; i < n && ranges[i].start < limit; i++) {
        struct range r = {ranges[i].start, ranges[i].end < limit ? ranges[i].end : limit};
        uint64_t bad = check_range(block, id, r);
        if (bad != UINT64_MAX)
            return bad;
    }
    return UINT64_MAX;
}

uint64_t zero_check(const void *block, uint32_t id, uint64_t extent, bool bounded)
{
    const unsigned char *p = block;
    struct range ranges[PATTERN_SAMPLES + 2];
    size_t n = pattern_ranges(id, extent, bounded, ranges);
    for (size_t i = 0; i < n; i++)
        for (uint64_t k = ranges[i].start; k < ranges[i].end; k++)
            if (p[k] != 0)
                return k;
    return UINT64_MAX;
}
