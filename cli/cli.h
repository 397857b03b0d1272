/*
 * The command-line conventions every tool of the project shares (mems-bench,
 * mems-trace, mems-run): one table per command gives both what is parsed and
 * what --help prints, so no option can go undocumented; every value is checked
 * whole before any work starts, and every refusal names the flag as typed.
 *
 *   static const struct cli_option options[] = {
 *       {'r', 'r', "repeat", "N", "replays of each trace (default 1)"},
 *       {'q', 0, "quiet", NULL, "no table on stdout"},
 *       {0},
 *   };
 *   static const struct cli_command command = {"mems-bench replay", "[OPTIONS] TRACE...", "Replays ...", options};
 *   struct cli_parser p;
 *   cli_start(&p, &command, argc, argv);
 *   for (int id; (id = cli_next(&p)) != CLI_DONE;)
 *       switch (id) {
 *       case 'r': if (cli_count(&p, 1, 1000, &repeats) != 0) return 2; break;
 *       case 'q': quiet = true; break;
 *       default: return cli_status(id); // --help (0) or a refusal (2)
 *       }
 *   // the operands: p.operand[0 .. p.noperands)
 */
#ifndef MEMS_CLI_H
#define MEMS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One option: the value cli_next returns for it, its one-letter form (0:
 * none; 'h' is --help's), its long name, the name of its value in the help
 * (NULL: it takes none; "[=FILE]": optional, given as --name=FILE only), and
 * what it does (lines separated by '\n'). */
struct cli_option {
    int id;
    char letter;
    const char *name;
    const char *value;
    const char *help;
};

/* A command: its name as the user types it, what follows the name in the
 * synopsis, a paragraph on what it does, its options (ended by {0}), and an
 * optional paragraph after them. With `operands_end_options`, the first
 * operand ends the options (a command line to run follows). */
struct cli_command {
    const char *name;
    const char *synopsis;
    const char *about;
    const struct cli_option *options;
    const char *after;
    bool operands_end_options;
};

#define CLI_MAX_OPTIONS 48

struct cli_parser {
    const struct cli_command *command;
    int argc;
    char **argv;
    int next;           /* the argv index read next */
    const char *flag;   /* the current option as typed: "--alloc", "-a"; in the parser: copy it to keep it */
    const char *value;  /* its value (argv's own string), NULL when none was given */
    bool seen[CLI_MAX_OPTIONS];
    char typed[CLI_MAX_OPTIONS][32]; /* each option's flag as typed (each is given once) */
    char unknown[32];
    int noperands;
    char **operand; /* the operands in order, gathered at the start of argv's slots after argv[0] */
};

/* cli_next's results besides an option's id. */
#define CLI_DONE (-1)  /* no option left: the operands are in p->operand */
#define CLI_HELP (-2)  /* --help or -h: the help is printed on stdout */
#define CLI_ERROR (-3) /* a bad command line: said on stderr */

/* argv[0] is the command's own word (e.g. "replay"); parsing starts after it. */
void cli_start(struct cli_parser *p, const struct cli_command *command, int argc, char **argv);
int cli_next(struct cli_parser *p);
/* The exit status for CLI_HELP (0) and CLI_ERROR (2). */
int cli_status(int id);
void cli_help(const struct cli_command *command, FILE *to);

/* For a command with no option but --help: parses argv into *p, whose
 * operands must number from least to most (most < 0: no bound; `missing`
 * says what is lacking). Returns CLI_DONE to go on, or the exit status. */
int cli_operands_only(struct cli_parser *p, const struct cli_command *command, int argc, char **argv, int least,
                      int most, const char *missing);

/* "COMMAND: MESSAGE" on stderr; returns -1, for `return cli_refuse(...)`. */
int cli_refuse(const struct cli_parser *p, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The operand count must lie in [least, most] (most < 0: no bound), else it says so. */
int cli_operands(const struct cli_parser *p, int least, int most, const char *what);

/* The current option's value, checked whole; each returns 0, or -1 after
 * saying what the flag takes. */
int cli_count(const struct cli_parser *p, long long least, long long most, long long *out);
int cli_real(const struct cli_parser *p, double least, double most, double *out);
/* One of `names` (ended by NULL): its index. */
int cli_choice(const struct cli_parser *p, const char *const *names, int *out);

/* A comma-separated list: no empty item, no item twice. The items point into
 * `text`, a copy of the value. */
#define CLI_LIST_MAX 64
struct cli_list {
    char text[4096];
    const char *item[CLI_LIST_MAX];
    size_t count;
};
/* Of the current option's value. */
int cli_list(const struct cli_parser *p, struct cli_list *out);
/* Of any text (a default, or a value kept from parsing), refusals naming `flag`. */
int cli_split(const char *command, const char *flag, const char *text, struct cli_list *out);
/* Each item one of `known` (ended by NULL). */
int cli_list_known(const char *command, const char *flag, const struct cli_list *list, const char *const *known);

#endif
