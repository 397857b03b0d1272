/* The shared command-line parser (cli/): the forms of an option, operands
 * anywhere or ending the options, and every refusal. */
#include "cli.h"
#include "unit.h"

#include <limits.h>

static const struct cli_option options[] = {
    {'r', 'r', "repeat", "N", "how many"},
    {'q', 'q', "quiet", NULL, "no table"},
    {'s', 0, "stats", "[=FILE]", "stats"},
    {'a', 'a', "alloc", "LIST", "allocators"},
    {0},
};
static const struct cli_command command = {"tool cmd", "[OPTIONS] FILE...", NULL, options, NULL, false};
static const struct cli_command runner = {"tool run", "[OPTIONS] COMMAND...", NULL, options, NULL, true};

/* Starts on `args` (NULL-ended, after the command word). */
static void start(const struct cli_command *c, char **args, struct cli_parser *p)
{
    static char *argv[32];
    int argc = 0;
    argv[argc++] = "cmd";
    while (args[argc - 1] != NULL)
        argv[argc] = args[argc - 1], argc++;
    argv[argc] = NULL;
    cli_start(p, c, argc, argv);
}

/* The first option's id, its flag and value left in *p. */
static int first(const struct cli_command *c, char **args, struct cli_parser *p)
{
    start(c, args, p);
    return cli_next(p);
}

/* Every id in order, then CLI_DONE or the refusal; returns how many options. */
static int parse(const struct cli_command *c, char **args, struct cli_parser *p, int *ids, int max)
{
    start(c, args, p);
    int n = 0, id;
    while ((id = cli_next(p)) >= 0 && n < max)
        ids[n++] = id;
    ids[n] = id;
    return n;
}

static void test_forms(void)
{
    struct cli_parser p;
    int ids[16];
    CHECK_EQ(parse(&command, (char *[]){"a.trace", "--repeat", "3", "-q", "b.trace", "--alloc=x,y", NULL}, &p, ids,
                   15),
             3);
    CHECK_EQ(ids[0], 'r');
    CHECK_EQ(ids[1], 'q');
    CHECK_EQ(ids[2], 'a');
    CHECK_EQ(ids[3], CLI_DONE);
    CHECK_EQ(p.noperands, 2);
    CHECK_STR(p.operand[0], "a.trace");
    CHECK_STR(p.operand[1], "b.trace");
    CHECK(p.operand[2] == NULL);
    CHECK_EQ(first(&command, (char *[]){"--alloc=x,y", NULL}, &p), 'a');
    CHECK_STR(p.flag, "--alloc");
    CHECK_STR(p.value, "x,y");
    CHECK_EQ(first(&command, (char *[]){"-r5", NULL}, &p), 'r');
    CHECK_STR(p.flag, "-r");
    CHECK_STR(p.value, "5");

    /* after "--" and, for a runner, after its first operand, nothing is an option */
    parse(&command, (char *[]){"-q", "--", "-r", "--quiet", NULL}, &p, ids, 15);
    CHECK_EQ(ids[1], CLI_DONE);
    CHECK_EQ(p.noperands, 2);
    CHECK_STR(p.operand[0], "-r");
    parse(&runner, (char *[]){"-q", "ls", "-r", "-h", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], 'q');
    CHECK_EQ(ids[1], CLI_DONE);
    CHECK_EQ(p.noperands, 3);
    CHECK_STR(p.operand[0], "ls");
    CHECK(p.operand[3] == NULL);

    /* an optional value comes only with '=' */
    CHECK_EQ(first(&runner, (char *[]){"--stats", "ls", NULL}, &p), 's');
    CHECK(p.value == NULL);
    CHECK_EQ(cli_next(&p), CLI_DONE);
    CHECK_STR(p.operand[0], "ls");
    CHECK_EQ(first(&runner, (char *[]){"--stats=out.txt", "ls", NULL}, &p), 's');
    CHECK_STR(p.value, "out.txt");
}

static void test_refusals(void)
{
    struct cli_parser p;
    int ids[16];
    parse(&command, (char *[]){"--repeat", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], CLI_ERROR); /* needs a value */
    parse(&command, (char *[]){"--quiet=1", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], CLI_ERROR); /* takes none */
    parse(&command, (char *[]){"--repeats", "2", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], CLI_ERROR); /* unknown: no abbreviations, no near names */
    parse(&command, (char *[]){"-qr", "2", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], CLI_ERROR);
    parse(&command, (char *[]){"-r", "2", "--repeat", "3", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], 'r');
    CHECK_EQ(ids[1], CLI_ERROR); /* given twice */
    /* --help anywhere among the options wins, even after a bad one */
    parse(&command, (char *[]){"--bogus", "x", "-h", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], CLI_HELP);
    CHECK_EQ(cli_status(CLI_HELP), 0);
    CHECK_EQ(cli_status(CLI_ERROR), 2);
    /* but not as an option's value or after "--" */
    CHECK_EQ(first(&command, (char *[]){"--alloc", "-h", NULL}, &p), 'a');
    CHECK_STR(p.value, "-h");
    parse(&command, (char *[]){"--", "--help", NULL}, &p, ids, 15);
    CHECK_EQ(ids[0], CLI_DONE);
}

static void test_values(void)
{
    struct cli_parser p;
    long long n = -7;
    const char *bad[] = {"1x", "abc", "", " 1", "0", "1001", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ(first(&command, (char *[]){"--repeat", (char *)bad[i], NULL}, &p), 'r');
        CHECK(cli_count(&p, 1, 1000, &n) != 0);
    }
    CHECK_EQ(n, (uintmax_t)-7); /* untouched by a refusal */
    first(&command, (char *[]){"--repeat", "1000", NULL}, &p);
    CHECK(cli_count(&p, 1, 1000, &n) == 0 && n == 1000);
    double x = 0;
    first(&command, (char *[]){"--repeat", "1.5e3", NULL}, &p);
    CHECK(cli_real(&p, 0, 1e6, &x) == 0 && x == 1500);
    first(&command, (char *[]){"--repeat", "nan", NULL}, &p);
    CHECK(cli_real(&p, 0, 1e6, &x) != 0);
    int choice = -1;
    const char *const sizes[] = {"small", "large", NULL};
    first(&command, (char *[]){"--repeat", "large", NULL}, &p);
    CHECK(cli_choice(&p, sizes, &choice) == 0 && choice == 1);
    first(&command, (char *[]){"--repeat", "huge", NULL}, &p);
    CHECK(cli_choice(&p, sizes, &choice) != 0);
}

static void test_lists(void)
{
    struct cli_list list;
    CHECK(cli_split("tool", "--alloc", "glibc,mems-best,jemalloc", &list) == 0);
    CHECK_EQ(list.count, 3);
    CHECK_STR(list.item[2], "jemalloc");
    CHECK(cli_split("tool", "--alloc", "glibc,mems-best,glibc", &list) != 0);
    CHECK(cli_split("tool", "--alloc", "glibc,", &list) != 0);
    CHECK(cli_split("tool", "--alloc", ",glibc", &list) != 0);
    CHECK(cli_split("tool", "--alloc", "", &list) != 0);
    const char *const known[] = {"gcc-cc1", "make-plan", NULL};
    CHECK(cli_split("tool", "--programs", "make-plan,gcc-cc1", &list) == 0);
    CHECK(cli_list_known("tool", "--programs", &list, known) == 0);
    CHECK(cli_split("tool", "--programs", "make-plan,nosuch", &list) == 0);
    CHECK(cli_list_known("tool", "--programs", &list, known) != 0);
}

/* The help names every option of the table, with its value and text. */
static void test_help(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cli_help(&command, f);
    fclose(f);
    CHECK(strncmp(text, "usage: tool cmd [OPTIONS] FILE...\n", 34) == 0);
    CHECK(strstr(text, "  -r, --repeat N") != NULL);
    CHECK(strstr(text, "      --stats[=FILE]") != NULL);
    CHECK(strstr(text, "  -q, --quiet ") != NULL);
    CHECK(strstr(text, "  -h, --help ") != NULL);
    for (size_t i = 0; options[i].name != NULL; i++)
        CHECK(strstr(text, options[i].help) != NULL);
    free(text);
}

int main(void)
{
    test_forms();
    test_refusals();
    test_values();
    test_lists();
    test_help();
    return unit_report("test_cli");
}
