/* mems-trace gen: the command line of the generators (generate.c). */
#include "generate.h"
#include "mems_trace.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fprintf(to, "usage: mems-trace gen KIND --seed S [--ops N] [--sizes DIST] [--min B] [--max B] [--mean B]\n"
                "                     [--alpha A] [--cv C] -o OUT\n"
                "KIND: ramp, peak, plateau (phase patterns); fragment, coalesce, realloc (adversarial)\n"
                "DIST: uniform (--min, --max), exponential (--min plus an exponential of mean --mean),\n"
                "      powerlaw or pareto (--min, --alpha); with --cv C: constant, uniform, exponential,\n"
                "      hyperexponential or pareto of mean --mean and coefficient of variation C\n");
}

int generate_main(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    struct gen_params p;
    gen_default_params(&p);
    snprintf(p.kind, sizeof p.kind, "%s", argv[0]);
    const char *out = NULL, *sizes = "uniform";
    long long seed = -1, ops = 100000;
    double cv = -1, mean = -1;
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'}, {"ops", required_argument, NULL, 'n'},
        {"sizes", required_argument, NULL, 'd'}, {"min", required_argument, NULL, 'a'},
        {"max", required_argument, NULL, 'b'},  {"mean", required_argument, NULL, 'm'},
        {"alpha", required_argument, NULL, 'p'}, {"out", required_argument, NULL, 'o'},
        {"cv", required_argument, NULL, 'c'},    {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "s:n:d:a:b:m:p:o:c:", options, NULL)) != -1) {
        switch (c) {
        case 's': seed = atoll(optarg); break;
        case 'n': ops = atoll(optarg); break;
        case 'a': p.min = atof(optarg); break;
        case 'b': p.max = atof(optarg); break;
        case 'm': mean = atof(optarg); break;
        case 'p': p.alpha = atof(optarg); break;
        case 'o': out = optarg; break;
        case 'c': cv = atof(optarg); break;
        case 'd': sizes = optarg; break;
        default: usage(stderr); return 2;
        }
    }
    if (gen_sizes_from_name(sizes) < 0) {
        fprintf(stderr, "mems-trace gen: unknown size distribution '%s'\n", sizes);
        return 2;
    }
    p.sizes = (enum gen_sizes)gen_sizes_from_name(sizes);
    if (cv >= 0) {
        char why[256];
        if (gen_sizes_by_cv(&p, sizes, mean > 0 ? mean : 128, cv, why, sizeof why) != 0) {
            fprintf(stderr, "mems-trace gen: %s\n", why);
            return 2;
        }
    } else if (p.sizes == SIZES_CONSTANT || p.sizes == SIZES_HYPEREXP) {
        fprintf(stderr, "mems-trace gen: --sizes %s needs --cv (and --mean)\n", sizes);
        return 2;
    } else if (mean > 0) {
        p.scale = mean;
    }
    if (seed < 0 || out == NULL || ops < 100 || (cv < 0 && p.min < 1) || p.max < p.min || p.alpha <= 0 || mean == 0) {
        fprintf(stderr, "mems-trace gen: needs --seed S (>= 0), -o OUT, --ops >= 100, 1 <= min <= max, mean and "
                        "alpha > 0\n");
        usage(stderr);
        return 2;
    }
    p.seed = (uint64_t)seed;
    p.ops = (size_t)ops;
    struct trace t;
    struct trace_error error;
    if (generate_trace(&p, &t, &error) != 0) {
        fprintf(stderr, "mems-trace gen: %s\n", error.message);
        return 1;
    }
    snprintf(t.name, sizeof t.name, "%s-%lld", p.kind, seed);
    int rc = trace_write_by_name(&t, out, &error);
    if (rc != 0)
        fprintf(stderr, "%s\n", error.message);
    else
        fprintf(stderr, "mems-trace gen: %s: %zu ops, peak live %ju bytes\n", out, t.num_ops,
                (uintmax_t)t.facts.peak_live_bytes);
    trace_free(&t);
    return rc != 0;
}
