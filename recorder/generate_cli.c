/* mems-trace gen: the command line of the generators (generate.c). */
#include "generate.h"
#include "mems_trace.h"

#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option gen_options[] = {
    {'s', 's', "seed", "S", "the seed, a whole number from 0 (required): the same seed, the same trace"},
    {'o', 'o', "out", "OUTPUT", "the trace file to write (required); its name picks the format as for\n"
                                "convert: .bin, .rep, .mtrace, else native text; .gz compresses"},
    {'n', 'n', "ops", "N", "operations, 100 to 1000000000 (default 100000)"},
    {'d', 'd', "sizes", "DIST", "the request-size distribution: uniform (--min, --max), exponential (--min\n"
                                "plus an exponential of mean --mean), powerlaw or pareto (--min, --alpha);\n"
                                "with --cv: constant, uniform, exponential, hyperexponential or pareto\n"
                                "(default uniform)"},
    {'a', 'a', "min", "B", "the smallest request in bytes, at least 1 (default 8)"},
    {'b', 'b', "max", "B", "the largest request in bytes, at least --min (default 4096); larger ones are clipped"},
    {'m', 'm', "mean", "B", "the mean request in bytes, at least 1 (exponential; with --cv, default 128)"},
    {'p', 'p', "alpha", "A", "the Pareto shape, above 0 (default 1.5)"},
    {'c', 'c', "cv", "C", "the sizes' coefficient of variation (standard deviation / mean), 0 or more:\n"
                          "--sizes is then of mean --mean and this CV"},
    {'t', 't', "threads", "N", "the threads the ops are spread over, 1 to 256 (default 1; more than one only\n"
                               "for private, prodcons and larson)"},
    {0},
};
static const struct cli_command gen_command = {
    "mems-trace gen", "KIND --seed S -o OUTPUT [OPTIONS]",
    "Generates a seeded, deterministic synthetic trace. KIND: ramp, peak, plateau (phase patterns);\n"
    "fragment, coalesce, realloc (adversarial); on --threads N threads: private (each thread churns its own\n"
    "blocks), prodcons (half the threads allocate, the others free), larson (threads hand their blocks on).",
    gen_options, NULL, false};

/* "ramp, peak, ... prodcons or larson": every kind, from the generators' own table. */
static const char *list_kinds(char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; gen_kind_name(i) != NULL && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", i == 0 ? "" : gen_kind_name(i + 1) ? ", " : " or ",
                              gen_kind_name(i));
    return out;
}

static bool is_kind(const char *name)
{
    for (size_t i = 0; gen_kind_name(i) != NULL; i++)
        if (strcmp(name, gen_kind_name(i)) == 0)
            return true;
    return false;
}

int generate_main(int argc, char **argv)
{
    struct gen_params p;
    gen_default_params(&p);
    const char *out = NULL, *sizes = "uniform";
    long long seed = -1, ops = 100000, threads = 1;
    double cv = -1, mean = -1;
    struct cli_parser cli;
    cli_start(&cli, &gen_command, argc, argv);
    for (int id; (id = cli_next(&cli)) != CLI_DONE;) {
        int bad = 0;
        switch (id) {
        case 's': bad = cli_count(&cli, 0, LLONG_MAX, &seed); break;
        case 'n': bad = cli_count(&cli, 100, 1000000000, &ops); break;
        case 't': bad = cli_count(&cli, 1, GEN_MAX_THREADS, &threads); break;
        case 'a': bad = cli_real(&cli, 1, 1e15, &p.min); break;
        case 'b': bad = cli_real(&cli, 1, 1e15, &p.max); break;
        case 'm': bad = cli_real(&cli, 1, 1e15, &mean); break;
        case 'c': bad = cli_real(&cli, 0, 1e6, &cv); break;
        case 'o': out = cli.value; break;
        case 'p':
            bad = cli_real(&cli, 0, 1e6, &p.alpha);
            if (bad == 0 && p.alpha <= 0)
                bad = cli_refuse(&cli, "%s takes a number above 0, not '%s'", cli.flag, cli.value);
            break;
        case 'd':
            sizes = cli.value;
            if (gen_sizes_from_name(sizes) < 0)
                bad = cli_refuse(&cli, "%s: unknown size distribution '%s' (uniform, exponential, powerlaw or pareto;"
                                 " with --cv also constant or hyperexponential)", cli.flag, sizes);
            break;
        default: return cli_status(id);
        }
        if (bad != 0)
            return 2;
    }
    char kinds[256], no_kind[sizeof kinds + 32];
    snprintf(no_kind, sizeof no_kind, "no KIND given (%s)", list_kinds(kinds, sizeof kinds));
    if (cli_operands(&cli, 1, 1, no_kind) != 0)
        return 2;
    const char *kind = cli.operand[0];
    if (!is_kind(kind)) {
        cli_refuse(&cli, "unknown KIND '%s' (%s)", kind, kinds);
        return 2;
    }
    if (threads > 1 && !gen_is_threaded_kind(kind)) {
        cli_refuse(&cli, "--threads %lld: %s runs on one thread only (private, prodcons and larson take more)",
                   threads, kind);
        return 2;
    }
    if (seed < 0 || out == NULL) {
        cli_refuse(&cli, "%s", seed < 0 ? "needs --seed S" : "needs -o OUTPUT");
        return 2;
    }
    if (p.max < p.min) {
        cli_refuse(&cli, "--max %g is below --min %g", p.max, p.min);
        return 2;
    }
    snprintf(p.kind, sizeof p.kind, "%s", kind);
    p.sizes = (enum gen_sizes)gen_sizes_from_name(sizes);
    if (cv >= 0) {
        char why[256];
        if (gen_sizes_by_cv(&p, sizes, mean > 0 ? mean : 128, cv, why, sizeof why) != 0) {
            cli_refuse(&cli, "%s", why);
            return 2;
        }
    } else if (p.sizes == SIZES_CONSTANT || p.sizes == SIZES_HYPEREXP) {
        cli_refuse(&cli, "--sizes %s needs --cv (and --mean)", sizes);
        return 2;
    } else if (mean > 0) {
        p.scale = mean;
    }
    p.threads = (unsigned)threads;
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
        fprintf(stderr, "mems-trace gen: %s: %zu ops on %ju thread%s, peak live %ju bytes\n", out, t.num_ops,
                (uintmax_t)t.facts.threads, t.facts.threads == 1 ? "" : "s", (uintmax_t)t.facts.peak_live_bytes);
    trace_free(&t);
    return rc != 0;
}
