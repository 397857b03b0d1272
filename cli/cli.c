/* The shared command-line conventions (cli.h). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 26

static const struct cli_option help_option = {'h', 'h', "help", NULL, "this help"};

static size_t count_options(const struct cli_command *c)
{
    size_t n = 0;
    while (c->options != NULL && c->options[n].name != NULL)
        n++;
    return n;
}

/* "-a, --alloc LIST" */
static int option_label(const struct cli_option *o, char *out, size_t size)
{
    char letter[8] = "    ";
    if (o->letter != 0)
        snprintf(letter, sizeof letter, "-%c, ", o->letter);
    const char *value = o->value == NULL ? "" : o->value;
    return snprintf(out, size, "%s--%s%s%s", letter, o->name, value[0] == '[' || value[0] == '\0' ? "" : " ", value);
}

static void print_option(const struct cli_option *o, FILE *to)
{
    char label[128];
    int width = option_label(o, label, sizeof label);
    fprintf(to, "  %s", label);
    if (width + 2 >= HELP_COLUMN)
        fprintf(to, "\n%*s", HELP_COLUMN, "");
    else
        fprintf(to, "%*s", HELP_COLUMN - 2 - width, "");
    for (const char *line = o->help; *line != '\0';) {
        size_t length = strcspn(line, "\n");
        fprintf(to, "%.*s\n", (int)length, line);
        line += length;
        if (*line == '\n' && *++line != '\0')
            fprintf(to, "%*s", HELP_COLUMN, "");
    }
}

void cli_help(const struct cli_command *c, FILE *to)
{
    fprintf(to, "usage: %s %s\n", c->name, c->synopsis);
    if (c->about != NULL)
        fprintf(to, "%s\n", c->about);
    fprintf(to, "\noptions:\n");
    for (size_t i = 0; i < count_options(c); i++)
        print_option(&c->options[i], to);
    print_option(&help_option, to);
    if (c->after != NULL)
        fprintf(to, "\n%s\n", c->after);
}

int cli_status(int id)
{
    return id == CLI_HELP ? 0 : 2;
}

int cli_refuse(const struct cli_parser *p, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "%s: ", p->command->name);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    return -1;
}

/* The option `arg` names (without any "=VALUE"), or NULL; -1 in *index for --help. */
static const struct cli_option *find_option(const struct cli_command *c, const char *arg, size_t *index)
{
    size_t n = count_options(c);
    if (arg[1] != '-') { /* -x */
        if (arg[1] == 'h' && arg[2] == '\0')
            return *index = (size_t)-1, &help_option;
        for (size_t i = 0; i < n; i++)
            if (c->options[i].letter != 0 && c->options[i].letter == arg[1])
                return *index = i, &c->options[i];
        return NULL;
    }
    size_t length = strcspn(arg + 2, "=");
    if (length == 4 && strncmp(arg + 2, "help", 4) == 0)
        return *index = (size_t)-1, &help_option;
    for (size_t i = 0; i < n; i++)
        if (strlen(c->options[i].name) == length && strncmp(c->options[i].name, arg + 2, length) == 0)
            return *index = i, &c->options[i];
    return NULL;
}

static bool is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0';
}

static bool takes_value(const struct cli_option *o)
{
    return o->value != NULL && o->value[0] != '[';
}

/* --help anywhere among the options wins over everything else on the line. */
static bool help_asked(const struct cli_parser *p)
{
    for (int i = 1; i < p->argc; i++) {
        const char *arg = p->argv[i];
        if (strcmp(arg, "--") == 0)
            return false;
        if (!is_option(arg)) {
            if (p->command->operands_end_options)
                return false;
            continue;
        }
        size_t index;
        const struct cli_option *o = find_option(p->command, arg, &index);
        if (o == &help_option)
            return true;
        /* the value of -x VALUE or --name VALUE is no option */
        if (o != NULL && takes_value(o) && strchr(arg, '=') == NULL && (arg[1] == '-' || arg[2] == '\0'))
            i++;
    }
    return false;
}

void cli_start(struct cli_parser *p, const struct cli_command *command, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->command = command;
    p->argc = argc;
    p->argv = argv;
    p->next = 1;
    p->operand = argv + 1; /* never ahead of the slot read next, so nothing unread is overwritten */
}

static void take_operands_from(struct cli_parser *p, int from)
{
    for (int i = from; i < p->argc; i++)
        p->operand[p->noperands++] = p->argv[i];
    p->next = p->argc;
}

/* The operands end with NULL, as argv does (for exec). */
static int finish(struct cli_parser *p)
{
    p->operand[p->noperands] = NULL;
    return CLI_DONE;
}

int cli_next(struct cli_parser *p)
{
    if (p->next == 1 && help_asked(p)) {
        cli_help(p->command, stdout);
        return CLI_HELP;
    }
    p->flag = p->value = NULL;
    while (p->next < p->argc && !is_option(p->argv[p->next])) {
        if (p->command->operands_end_options) {
            take_operands_from(p, p->next);
            return finish(p);
        }
        p->operand[p->noperands++] = p->argv[p->next++];
    }
    if (p->next >= p->argc)
        return finish(p);
    char *arg = p->argv[p->next++];
    if (strcmp(arg, "--") == 0) {
        take_operands_from(p, p->next);
        return finish(p);
    }
    size_t index;
    const struct cli_option *o = find_option(p->command, arg, &index);
    char *equals = arg[1] == '-' ? strchr(arg, '=') : NULL;
    int typed_length = equals != NULL ? (int)(equals - arg) : arg[1] != '-' ? 2 : (int)strlen(arg);
    char *typed = o != NULL && o != &help_option ? p->typed[index] : p->unknown;
    snprintf(typed, sizeof p->unknown, "%.*s", typed_length, arg);
    p->flag = typed;
    if (o == NULL || o == &help_option || (arg[1] != '-' && arg[2] != '\0' && !takes_value(o))) {
        cli_refuse(p, "unknown option '%.*s' (%s --help lists them)", (int)strcspn(arg, "="), arg, p->command->name);
        return CLI_ERROR;
    }
    if (equals != NULL)
        p->value = equals + 1;
    else if (arg[1] != '-' && arg[2] != '\0')
        p->value = arg + 2; /* -r5 */
    else if (takes_value(o) && p->next < p->argc)
        p->value = p->argv[p->next++];
    if (takes_value(o) && p->value == NULL) {
        cli_refuse(p, "%s needs a value (%s)", p->flag, o->value);
        return CLI_ERROR;
    }
    if (o->value == NULL && p->value != NULL) {
        cli_refuse(p, "%s takes no value", p->flag);
        return CLI_ERROR;
    }
    if (p->seen[index]) {
        cli_refuse(p, "%s is given twice", p->flag);
        return CLI_ERROR;
    }
    p->seen[index] = true;
    return o->id;
}

int cli_operands(const struct cli_parser *p, int least, int most, const char *what)
{
    if (p->noperands < least) {
        cli_refuse(p, "%s (%s --help says more)", what, p->command->name);
        return -1;
    }
    if (most >= 0 && p->noperands > most) {
        cli_refuse(p, "unexpected argument '%s'", p->operand[most]);
        return -1;
    }
    return 0;
}

int cli_operands_only(struct cli_parser *p, const struct cli_command *command, int argc, char **argv, int least,
                      int most, const char *missing)
{
    cli_start(p, command, argc, argv);
    int id = cli_next(p);
    if (id != CLI_DONE)
        return cli_status(id);
    return cli_operands(p, least, most, missing) == 0 ? CLI_DONE : 2;
}

int cli_count(const struct cli_parser *p, long long least, long long most, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(p->value, &end, 10);
    if (errno != 0 || end == p->value || *end != '\0' || isspace((unsigned char)p->value[0]) || n < least ||
        n > most) {
        if (most == LLONG_MAX)
            return cli_refuse(p, "%s takes a whole number from %lld up, not '%s'", p->flag, least, p->value);
        return cli_refuse(p, "%s takes a whole number from %lld to %lld, not '%s'", p->flag, least, most, p->value);
    }
    *out = n;
    return 0;
}

int cli_real(const struct cli_parser *p, double least, double most, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(p->value, &end);
    if (errno != 0 || end == p->value || *end != '\0' || isspace((unsigned char)p->value[0]) || !isfinite(x) ||
        x < least || x > most)
        return cli_refuse(p, "%s takes a number from %g to %g, not '%s'", p->flag, least, most, p->value);
    *out = x;
    return 0;
}

static void join_names(const char *const *names, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; names[i] != NULL && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i == 0 ? "" : names[i + 1] ? ", " : " or ",
                                 names[i]);
}

int cli_choice(const struct cli_parser *p, const char *const *names, int *out)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], p->value) == 0)
            return *out = i, 0;
    char known[512];
    join_names(names, known, sizeof known);
    return cli_refuse(p, "%s takes %s, not '%s'", p->flag, known, p->value);
}

static int say(const char *command, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int say(const char *command, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "%s: ", command);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    return -1;
}

int cli_split(const char *command, const char *flag, const char *text, struct cli_list *out)
{
    out->count = 0;
    if (strlen(text) >= sizeof out->text)
        return say(command, "%s: the list is longer than %zu characters", flag, sizeof out->text - 1);
    memcpy(out->text, text, strlen(text) + 1);
    for (char *item = out->text;;) {
        char *comma = strchr(item, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*item == '\0')
            return say(command, "%s '%s': an empty item (comma-separated, no spaces)", flag, text);
        for (size_t i = 0; i < out->count; i++)
            if (strcmp(out->item[i], item) == 0)
                return say(command, "%s names '%s' twice", flag, item);
        if (out->count == CLI_LIST_MAX)
            return say(command, "%s: at most %d items", flag, CLI_LIST_MAX);
        out->item[out->count++] = item;
        if (comma == NULL)
            return 0;
        item = comma + 1;
    }
}

int cli_list(const struct cli_parser *p, struct cli_list *out)
{
    return cli_split(p->command->name, p->flag, p->value, out);
}

int cli_list_known(const char *command, const char *flag, const struct cli_list *list, const char *const *known)
{
    for (size_t i = 0; i < list->count; i++) {
        bool found = false;
        for (size_t k = 0; known[k] != NULL && !found; k++)
            found = strcmp(known[k], list->item[i]) == 0;
        if (!found) {
            char names[1024];
            join_names(known, names, sizeof names);
            return say(command, "%s: unknown name '%s' (%s)", flag, list->item[i], names);
        }
    }
    return 0;
}
