/* The literature's claims and the study's verdicts on them (study_claims.c). */
#ifndef MEMS_BENCH_STUDY_CLAIMS_H
#define MEMS_BENCH_STUDY_CLAIMS_H

#include "study.h"

#define CLAIM_MAX_QUANTITIES 64
#define CLAIM_MAX_VERDICTS 6

struct claim_quantity {
    char measure[32]; /* external_frag, interior_frag, a policy or a structure */
    char name[48];
    double value;     /* percent of peak live bytes, percentage points, or a count */
};

struct claim {
    const char *id, *statement;
    /* claims: [0] on every hole, [1] on the holes between live blocks; structure-share: per
     * policy; structure-ranking: per structure (the order of the policies) */
    char verdict[CLAIM_MAX_VERDICTS][64];
    struct claim_quantity q[CLAIM_MAX_QUANTITIES];
    size_t nq;
};

size_t study_claims(const struct study *s, struct claim *out, size_t max);
double claim_add(struct claim *c, const char *measure, const char *name, double value);
/* The quantity, or NaN. */
double claim_get(const struct claim *c, const char *measure, const char *name);
const char *claim_verdict(const struct study *s, const struct claim *c, const char *measure);
/* From an interval of paired differences: "agrees" when it lies on the expected side of 0, "disagrees" on
 * the other, else (or with fewer than two pairs) "cannot tell". */
const char *claim_sign_verdict(const struct median_ci *d, int expected_sign);
/* "agrees" when the interval lies inside [-margin, margin], "disagrees" when wholly outside. */
const char *claim_equal_verdict(const struct median_ci *d, double margin);
int study_write_verdicts_csv(const struct study *s, const struct claim *claims, size_t n);

#endif
