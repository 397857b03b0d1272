/*
 * The policy zoo in the study: every placement policy the library implements
 * (the address-ordered fits, their LIFO and FIFO free lists, TLSF, Lea's
 * segregated fit, the buddy systems, simple segregated storage) replayed on
 * the study's traces under the default structure, measured as Johnstone &
 * Wilson (ISMM 1998) measure: #3 and #4, once with everything counted and once
 * with the policy's part alone; the programs also timed, for the trade-off.
 */
#ifndef MEMS_BENCH_STUDY_ZOO_H
#define MEMS_BENCH_STUDY_ZOO_H

#include "study.h"
#include "study_claims.h"

#include <stdbool.h>
#include <stdio.h>

#define ZOO_MAX_MEMBERS 32
#define ZOO_TIMED_REPEATS 3

/* One trace under one member; ratios of live bytes (0.05 = 5 %). */
struct zoo_measure {
    double jw3_all, jw3_policy; /* at the op of largest footprint: (F - live) / live */
    double jw4_all, jw4_policy; /* (largest footprint - peak live) / peak live */
    double ns_per_op;           /* median of the timed replays (programs only, else NaN) */
    int ran, failed;
};

/* "all" counts MeMS's metadata and the rounding to 16 bytes; "policy" leaves
 * both out and keeps the holes and, for the class-rounding members, the
 * rounding to their classes (their internal fragmentation). */
enum zoo_view { ZOO_ALL, ZOO_POLICY };

struct study_zoo {
    int member[ZOO_MAX_MEMBERS]; /* enum mems_policy values */
    const char *name[ZOO_MAX_MEMBERS];
    size_t nmembers;
    struct zoo_measure *m; /* [trace * ZOO_MAX_MEMBERS + k] */
    double seconds;
};

/* study_zoo.c */
/* The members the library implements, each replayed on every trace of the plan. */
int study_zoo_run(struct study *s, struct study_zoo *z);
void study_zoo_free(struct study_zoo *z);
const struct zoo_measure *zoo_find(const struct study *s, const struct study_zoo *z, size_t trace, size_t k);
/* #4 (jw4 = true) or #3 in the view, as a fraction; NaN when the replay failed. */
double zoo_value(const struct zoo_measure *m, bool jw4, enum zoo_view view);
/* The member's index in z, or -1. */
int zoo_member(const struct study_zoo *z, const char *name);
int study_zoo_write_csv(const struct study *s, const struct study_zoo *z);

/* study_zoo_reading.c */
size_t study_zoo_claims(const struct study *s, const struct study_zoo *z, struct claim *out, size_t max);
void study_zoo_write_section(FILE *f, const struct study *s, const struct study_zoo *z, const struct claim *claims,
                             size_t nclaims);
/* DIR/zoo.dat, the plot data of study-6-zoo and study-7-tradeoff: a row per member */
int study_zoo_write_plot_data(const struct study *s, const struct study_zoo *z, const char *dir);

#endif
