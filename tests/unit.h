/* Minimal assertions for the MeMS tests: each failure names file and line,
 * and unit_report() ends the run with "N passed, N failed". */
#ifndef MEMS_UNIT_H
#define MEMS_UNIT_H

#include "mems.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed;

static inline void unit_result(int ok, const char *file, int line, const char *what, const char *detail)
{
    if (ok) {
        unit_passed++;
        return;
    }
    unit_failed++;
    fprintf(stderr, "%s:%d: FAILED: %s%s%s\n", file, line, what, detail[0] ? " -- " : "", detail);
}

#define CHECK(cond) unit_result(!!(cond), __FILE__, __LINE__, #cond, "")
#define CHECK_EQ(a, b)                                                                                         \
    do {                                                                                                       \
        uintmax_t unit_a_ = (uintmax_t)(a), unit_b_ = (uintmax_t)(b);                                          \
        char unit_d_[96];                                                                                      \
        snprintf(unit_d_, sizeof unit_d_, "%ju != %ju", unit_a_, unit_b_);                                     \
        unit_result(unit_a_ == unit_b_, __FILE__, __LINE__, #a " == " #b, unit_d_);                            \
    } while (0)
#define CHECK_STR(a, b)                                                                                        \
    do {                                                                                                       \
        const char *unit_a_ = (a), *unit_b_ = (b);                                                             \
        int unit_ok_ = strcmp(unit_a_, unit_b_) == 0;                                                          \
        unit_result(unit_ok_, __FILE__, __LINE__, #a " equals " #b, "");                                       \
        if (!unit_ok_)                                                                                         \
            fprintf(stderr, "---- got:\n%s---- expected:\n%s----\n", unit_a_, unit_b_);                        \
    } while (0)
/* mems_check() must find nothing wrong. */
#define CHECK_INVARIANTS()                                                                                     \
    do {                                                                                                       \
        char unit_m_[256];                                                                                     \
        int unit_n_ = mems_check(unit_m_, sizeof unit_m_);                                                     \
        unit_result(unit_n_ == 0, __FILE__, __LINE__, "mems_check() == 0", unit_m_);                           \
    } while (0)

/* Whether the library builds this member: it may name members it does not
 * build yet (mems_init_with refuses them), which a loop over every policy
 * leaves out. */
static inline int unit_policy_built(int policy)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = (enum mems_policy)policy;
    int built = mems_init_with(&config) == 0;
    mems_finish();
    return built;
}

static inline int unit_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed == 0 ? 0 : 1;
}

/* The text mems_print_stats() would print, in a buffer the caller frees. */
static inline char *stats_text(void)
{
    FILE *f = tmpfile();
    if (f == NULL)
        abort();
    mems_print_stats_to(f);
    long n = ftell(f);
    char *text = calloc((size_t)n + 1, 1);
    rewind(f);
    if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n)
        abort();
    fclose(f);
    return text;
}

#endif
