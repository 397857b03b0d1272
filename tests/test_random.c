/*
 * Randomised malloc/free/realloc/calloc/get sequences under every policy and
 * option set, checked after every step: mems_check(), the reference model's
 * addresses and errors, the data written through each block, and every so
 * often the whole stats text. MEMS_RANDOM_STEPS scales the run.
 *
 * A long run (MEMS_RANDOM_STEPS=200000) grows to some 20,000 live blocks, and
 * mems_check() walks the whole heap: checked after every step it would take
 * hours. MEMS_RANDOM_CHECK_EVERY=K checks the invariants every K steps and
 * after the last (every address and error is still compared with the model
 * at every step), and compares the whole stats text every K steps too
 * rather than every 97th (its text and the model's grow with the heap: at
 * 20,000 blocks they took most of the run); MEMS_RANDOM_POLICY=NAME (a mems_policy_name) runs one
 * policy, so the members can run side by side. Members the library names
 * but does not implement (mems_policy_implemented) are left out; the
 * class-rounding members must be implemented.
 */
#include "model.h"
#include "unit.h"

struct block {
    uintptr_t v;
    size_t size;
    unsigned seed;
};

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    /* xorshift64*: deterministic for a seed, good enough for test inputs */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static size_t random_size(void)
{
    switch (rng_next() % 8) {
    case 0: return 1 + rng_next() % 8;
    case 1: return PAGE_SIZE - 1 + rng_next() % 3;
    case 2: return 1 + rng_next() % (3 * PAGE_SIZE);
    default: return 1 + rng_next() % 300;
    }
}

/* Fills the whole usable block, the bytes past the request too, so that a
 * calloc reusing any granule a block covered must zero it. */
static void pattern_write(const struct block *b)
{
    unsigned char *p = mems_get((void *)b->v);
    size_t usable = mems_block_size((void *)b->v);
    for (size_t i = 0; i < b->size; i++)
        p[i] = (unsigned char)(b->seed * 31 + i);
    memset(p + b->size, 0xA5, usable > b->size ? usable - b->size : 0);
}

static int pattern_holds(const struct block *b, size_t n)
{
    unsigned char *p = mems_get((void *)b->v);
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(b->seed * 31 + i))
            return 0;
    return 1;
}

static long check_every = 1;
static long stats_every = 97;
static bool built[MEMS_POLICY_COUNT];

/* switch_every > 0: every that many steps the policy changes, to a random one,
 * in MeMS (mems_set_policy rebuilds or hands over its hole index) and in the model. */
static void run(int policy, size_t alignment, size_t min_pages, bool release, uint64_t seed, long steps,
                long switch_every)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = policy;
    config.alignment = alignment;
    config.min_pages = min_pages;
    config.release_empty_nodes = release;
    CHECK_EQ(mems_init_with(&config), 0);
    struct model m;
    model_init(&m, PAGE_SIZE, policy, alignment, min_pages, release, 0);
    rng_state = seed;

    struct block *live = NULL;
    size_t nlive = 0, capacity = 0;
    int failures_before = unit_failed;
    for (long step = 0; step < steps && unit_failed == failures_before; step++) {
        unsigned op = rng_next() % 10;
        int want_error;
        if (switch_every > 0 && step > 0 && step % switch_every == 0) {
            /* a class-rounding member starts from an empty heap: switching to
             * or from one on a heap with nodes is refused */
            int next;
            do
                next = (int)(rng_next() % MEMS_POLICY_COUNT);
            while (!mems_policy_implemented((enum mems_policy)next));
            bool classes = mems_policy_rounds_to_classes(next) || mems_policy_rounds_to_classes(policy);
            bool allowed = next == policy || m.nnodes == 0 || !classes;
            int rc = mems_set_policy((enum mems_policy)next);
            CHECK_EQ(rc, allowed ? 0 : MEMS_E_BAD_CONFIG);
            if (rc == 0) {
                if (mems_policy_rounds_to_classes(next))
                    m.policy = next;
                else
                    model_set_policy(&m, next);
                policy = next;
            }
        }
        if (nlive == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            live = realloc(live, capacity * sizeof *live);
        }
        if (op < 4 || nlive == 0) {
            struct block b = {0, random_size(), (unsigned)step};
            bool zeroed = op == 3;
            b.v = (uintptr_t)(zeroed ? mems_calloc(1, b.size) : mems_malloc(b.size));
            CHECK_EQ(b.v, model_malloc(&m, b.size, &want_error));
            if (zeroed && b.v != 0) {
                unsigned char *p = mems_get((void *)b.v);
                size_t nonzero = 0;
                for (size_t i = 0; i < b.size; i++)
                    nonzero += p[i] != 0;
                CHECK_EQ(nonzero, 0);
            }
            if (b.v != 0) {
                pattern_write(&b);
                live[nlive++] = b;
            }
        } else if (op < 7) {
            size_t i = rng_next() % nlive;
            CHECK(pattern_holds(&live[i], live[i].size));
            mems_free((void *)live[i].v);
            CHECK_EQ(model_free(&m, live[i].v), MEMS_OK);
            live[i] = live[--nlive];
        } else if (op < 9) {
            size_t i = rng_next() % nlive;
            size_t size = random_size();
            size_t keep = size < live[i].size ? size : live[i].size;
            uintptr_t v = (uintptr_t)mems_realloc((void *)live[i].v, size);
            CHECK_EQ(v, model_realloc(&m, live[i].v, size, &want_error));
            live[i].v = v;
            CHECK(pattern_holds(&live[i], keep));
            live[i].size = size;
            pattern_write(&live[i]);
        } else {
            /* get: interior addresses of a live block, and a probe anywhere */
            size_t i = rng_next() % nlive;
            size_t off = rng_next() % live[i].size;
            unsigned char *base = mems_get((void *)live[i].v);
            CHECK(mems_get((void *)(live[i].v + off)) == base + off);
            uintptr_t probe = MEMS_VIRTUAL_BASE + rng_next() % (m.nnodes * 4 * PAGE_SIZE + 1);
            long offset = model_get(&m, probe, &want_error);
            CHECK_EQ(mems_get((void *)probe) == NULL, offset < 0);
        }
        if (step % check_every == 0 || step + 1 == steps)
            CHECK_INVARIANTS();
        if (step % stats_every == 0 || step + 1 == steps) {
            char *got = stats_text(), *want = model_stats_text(&m);
            CHECK_STR(got, want);
            free(got);
            free(want);
        }
    }
    if (unit_failed != failures_before)
        fprintf(stderr, "  in run: policy %s alignment %zu min_pages %zu release %d seed %ju%s\n",
                mems_policy_name(policy), alignment, min_pages, release, (uintmax_t)seed,
                switch_every > 0 ? ", switching policies" : "");
    free(live);
    model_destroy(&m);
    mems_finish();
}

int main(void)
{
    const char *env = getenv("MEMS_RANDOM_STEPS");
    long steps = env != NULL ? atol(env) : 3000;
    const char *every = getenv("MEMS_RANDOM_CHECK_EVERY");
    check_every = every != NULL && atol(every) > 0 ? atol(every) : 1;
    stats_every = check_every > 97 ? check_every : 97;
    const char *only = getenv("MEMS_RANDOM_POLICY");
    int only_policy = only != NULL ? mems_policy_from_name(only) : -1;
    if (only != NULL && only_policy < 0) {
        fprintf(stderr, "test_random: MEMS_RANDOM_POLICY=%s: expected a name of mems_policy_name\n", only);
        return 2;
    }
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++) {
        struct mems_config config;
        mems_default_config(&config);
        config.policy = policy;
        built[policy] = mems_init_with(&config) == 0;
        mems_finish();
        if (mems_policy_rounds_to_classes(policy))
            CHECK(built[policy]);
    }
    printf("test_random: %ld steps, invariants checked every %ld, stats text every %ld\n", steps, check_every,
           stats_every);
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++) {
        if ((only_policy >= 0 && policy != only_policy) || !mems_policy_implemented((enum mems_policy)policy))
            continue;
        run(policy, 1, 1, false, 0x9E3779B97F4A7C15ULL + policy, steps, 0);
        run(policy, 16, 1, false, 0xD1B54A32D192ED03ULL + policy, steps, 0);
        run(policy, 8, 3, true, 0xA0761D6478BD642FULL + policy, steps, 0);
        run(policy, 1, 1, true, 0xE7037ED1A0B428DBULL + policy, steps, 0);
    }
    /* the policy changed on a running heap, from this one to any other */
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++)
        if ((only_policy < 0 || policy == only_policy) && mems_policy_implemented((enum mems_policy)policy))
            run(policy, 16, 1, true, 0x5851F42D4C957F2DULL + policy, steps, 211);
    return unit_report("test_random");
}
