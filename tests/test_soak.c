/*
 * Soak: a long randomized run under every policy and option set, with the
 * data of every block checked when it is freed or moved, mems_check() every
 * CHECK_EVERY operations, and no mapping left after mems_finish().
 * MEMS_SOAK_OPS sets the operations per configuration (default 25 000;
 * millions on request).
 */
#include "mems_internal.h"
#include "unit.h"

#define CHECK_EVERY 997
#define MAX_LIVE 4096

struct block {
    unsigned char *real;
    void *v;
    size_t size;
    unsigned char seed;
};

static uint64_t state = 88172645463325252ULL;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static size_t draw(void)
{
    switch (next() % 16) {
    case 0: return 1 + next() % (8 * PAGE_SIZE);
    case 1: case 2: return 1 + next() % PAGE_SIZE;
    default: return 1 + next() % 256;
    }
}

static int intact(const struct block *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b->real[i] != (unsigned char)(b->seed ^ i))
            return 0;
    return 1;
}

static void fill(struct block *b)
{
    b->real = mems_get(b->v);
    for (size_t i = 0; i < b->size; i++)
        b->real[i] = (unsigned char)(b->seed ^ i);
}

static void soak(struct mems_config *config, long ops)
{
    static struct block live[MAX_LIVE];
    size_t n = 0;
    CHECK_EQ(mems_init_with(config), 0);
    int failed_before = unit_failed;
    for (long i = 0; i < ops && unit_failed == failed_before; i++) {
        unsigned op = (unsigned)(next() % 100);
        if ((op < 50 && n < MAX_LIVE) || n == 0) {
            struct block *b = &live[n];
            b->size = draw();
            b->seed = (unsigned char)i;
            b->v = mems_malloc(b->size);
            CHECK(b->v != NULL);
            if (b->v == NULL)
                continue;
            fill(b);
            n++;
        } else if (op < 85) {
            size_t k = next() % n;
            CHECK(intact(&live[k], live[k].size));
            mems_free(live[k].v);
            live[k] = live[--n];
        } else {
            size_t k = next() % n, size = draw();
            size_t keep = size < live[k].size ? size : live[k].size;
            void *v = mems_realloc(live[k].v, size);
            CHECK(v != NULL);
            if (v == NULL)
                continue;
            live[k].v = v;
            live[k].real = mems_get(v);
            CHECK(intact(&live[k], keep));
            live[k].size = size;
            fill(&live[k]);
        }
        if (i % CHECK_EVERY == 0)
            CHECK_INVARIANTS();
    }
    CHECK_INVARIANTS();
    mems_finish();
    CHECK_EQ(mems_test_live_mappings(), 0);
}

int main(void)
{
    const char *env = getenv("MEMS_SOAK_OPS");
    long ops = env != NULL ? atol(env) : 25000;
    static const size_t alignments[] = {1, 8, 16};
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++)
        for (size_t a = 0; a < 3 && mems_policy_implemented((enum mems_policy)policy); a++)
            for (int release = 0; release < 2; release++) {
                struct mems_config config;
                mems_default_config(&config);
                config.policy = (enum mems_policy)policy;
                config.alignment = alignments[a];
                config.min_pages = release ? 1 : 4;
                config.release_empty_nodes = release;
                soak(&config, ops);
            }
    return unit_report("test_soak");
}
