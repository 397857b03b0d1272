/*
 * Differential fuzzing of MeMS: the input bytes are a configuration and a
 * sequence of malloc/calloc/free/realloc/get operations, run on MeMS and on
 * the reference model (tests/model.c). Any difference in returned virtual
 * addresses, errors, mems_get results, data written through MeMS pointers,
 * the stats text, or a problem found by mems_check() aborts.
 */
#include "mems_internal.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIVE 256

struct cursor {
    const uint8_t *data;
    size_t size, at;
};

static unsigned next_byte(struct cursor *c)
{
    return c->at < c->size ? c->data[c->at++] : 0;
}

static size_t next_size(struct cursor *c)
{
    unsigned a = next_byte(c), b = next_byte(c);
    switch (a >> 6) {
    case 0: return b;                                  /* 0..255, 0 included */
    case 1: return ((a & 63) << 8 | b);                /* up to 16 KiB */
    case 2: return (size_t)PAGE_SIZE - 2 + (b & 3);    /* around a page */
    default: return ((size_t)(a & 15) << 12) + b;      /* up to 64 KiB */
    }
}

struct live {
    uintptr_t v;
    size_t size;
    uint8_t seed;
};

static void fail(const char *what, long step)
{
    fprintf(stderr, "fuzz_mems: step %ld: %s\n", step, what);
    abort();
}

/* The whole usable block, the bytes past the request too: a calloc that
 * reuses any granule a block covered must find it zeroed. */
static void fill(const struct live *b)
{
    unsigned char *p = mems_get((void *)b->v);
    size_t usable = mems_block_size((void *)b->v);
    for (size_t i = 0; i < b->size; i++)
        p[i] = (unsigned char)(b->seed + i * 13);
    for (size_t i = b->size; i < usable; i++)
        p[i] = 0x5A;
}

static int intact(const struct live *b, size_t n)
{
    unsigned char *p = mems_get((void *)b->v);
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(b->seed + i * 13))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cursor c = {data, size, 0};
    unsigned setup = next_byte(&c);
    static const size_t alignments[4] = {1, 8, 16, 64};
    struct mems_config config;
    mems_default_config(&config);
    /* bits 0-1 and 6-7: the member; one this build lacks falls back to the four */
    int policy = (int)((setup & 3) | (setup >> 6) << 2);
    config.policy = (enum mems_policy)(mems_policy_implemented((enum mems_policy)policy) ? policy : policy & 3);
    config.alignment = alignments[(setup >> 2) & 3];
    config.min_pages = 1 + ((setup >> 4) & 1) * 3;
    config.release_empty_nodes = (setup >> 5) & 1;
    if (mems_init_with(&config) != 0) {
        if (config.policy < MEMS_FIRST_FIT_LIFO || mems_policy_rounds_to_classes(config.policy))
            fail("init refused a valid configuration", -1);
        return 0; /* a member this library names but does not build */
    }
    struct model m;
    model_init(&m, PAGE_SIZE, (int)config.policy, config.alignment, config.min_pages, config.release_empty_nodes, 0);
    struct live live[MAX_LIVE];
    size_t nlive = 0;
    char message[256];
    for (long step = 0; c.at < c.size; step++) {
        unsigned op = next_byte(&c) % 6;
        int want;
        if (op <= 1 || nlive == 0) { /* malloc or calloc */
            size_t n = next_size(&c);
            if (nlive == MAX_LIVE)
                continue;
            uintptr_t v = (uintptr_t)(op == 1 ? mems_calloc(1, n) : mems_malloc(n));
            uintptr_t expected = model_malloc(&m, n, &want);
            if (v != expected)
                fail("malloc returned another address than the model", step);
            if (v == 0 && mems_last_error() != want)
                fail("malloc failed with another error than the model", step);
            if (v != 0) {
                live[nlive] = (struct live){v, n, (uint8_t)step};
                if (op == 1 && n > 0) {
                    unsigned char *p = mems_get((void *)v);
                    for (size_t i = 0; i < n; i++)
                        if (p[i] != 0)
                            fail("calloc memory is not zero", step);
                }
                fill(&live[nlive++]);
            }
        } else if (op == 2) { /* free */
            size_t i = next_byte(&c) % nlive;
            if (!intact(&live[i], live[i].size))
                fail("a block's data changed before its free", step);
            mems_free((void *)live[i].v);
            if (model_free(&m, live[i].v) != MEMS_OK)
                fail("the model refused a free MeMS took", step);
            live[i] = live[--nlive];
        } else if (op == 3) { /* realloc */
            size_t i = next_byte(&c) % nlive, n = next_size(&c);
            uintptr_t v = (uintptr_t)mems_realloc((void *)live[i].v, n);
            uintptr_t expected = model_realloc(&m, live[i].v, n, &want);
            if (v != expected)
                fail("realloc returned another address than the model", step);
            if (n == 0) {
                live[i] = live[--nlive];
            } else if (v != 0) {
                size_t keep = n < live[i].size ? n : live[i].size;
                live[i].v = v;
                if (!intact(&live[i], keep))
                    fail("realloc lost data", step);
                live[i].size = n;
                fill(&live[i]);
            }
        } else if (op == 4) { /* get inside a live block */
            size_t i = next_byte(&c) % nlive;
            size_t offset = live[i].size ? (size_t)next_byte(&c) % live[i].size : 0;
            unsigned char *base = mems_get((void *)live[i].v);
            if (live[i].size > 0 && (unsigned char *)mems_get((void *)(live[i].v + offset)) != base + offset)
                fail("mems_get of an interior address is not base + offset", step);
        } else { /* get anywhere, frees of anything: errors must match the model */
            uintptr_t probe = MEMS_VIRTUAL_BASE - 8 + ((uintptr_t)next_byte(&c) << 8 | next_byte(&c)) * 7;
            long offset = model_get(&m, probe, &want);
            void *real = mems_get((void *)probe);
            if ((real == NULL) != (offset < 0))
                fail("mems_get and the model disagree on an address", step);
            if (real == NULL && mems_last_error() != want)
                fail("mems_get failed with another error than the model", step);
            if (next_byte(&c) & 1) {
                int live_start = 0;
                for (size_t k = 0; k < nlive; k++)
                    live_start |= live[k].v == probe;
                if (!live_start) { /* a bad free: refused alike, nothing changes */
                    mems_clear_error();
                    mems_free((void *)probe);
                    int model_error = model_free(&m, probe);
                    if (mems_last_error() != model_error)
                        fail("a bad free gave another error than the model", step);
                }
            }
        }
        if (mems_check(message, sizeof message) != 0)
            fail(message, step);
    }
    char *got = NULL;
    size_t length = 0;
    FILE *f = open_memstream(&got, &length);
    mems_print_stats_to(f);
    fclose(f);
    char *want_text = model_stats_text(&m);
    if (strcmp(got, want_text) != 0)
        fail("the stats text differs from the model's", -1);
    free(got);
    free(want_text);
    model_destroy(&m);
    mems_finish();
    if (mems_test_live_mappings() != 0)
        fail("mappings left after mems_finish", -1);
    return 0;
}
