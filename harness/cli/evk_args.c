/* The argv helpers every subcommand shares: see evk_args.h. */
#include "evk_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void evk_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("evack: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

bool evk_arg_is(evk_args *a, const char *name, bool takes_value)
{
    const char *arg = a->argv[a->i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return false;
    if (arg[n] == '=' && takes_value) {
        a->value = arg + n + 1;
        return true;
    }
    if (arg[n] != '\0') return false;
    if (takes_value) {
        if (a->i + 1 >= a->argc) evk_die("option %s needs a value", name);
        a->value = a->argv[++a->i];
    }
    return true;
}

double evk_arg_number(const char *opt, const char *value, double lo, double hi)
{
    char *end;
    double d = strtod(value, &end);
    if (end == value || *end || !(d >= lo && d <= hi))
        evk_die("%s '%s': expected a number from %g to %g", opt, value, lo, hi);
    return d;
}

void evk_headers_add(const char **v, size_t cap, size_t *n, char *text)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t') line++;
        if (!*line) continue;
        if (*n == cap) evk_die("too many headers (at most %zu)", cap);
        if (!strchr(line, ':')) evk_die("header %zu is not of the form 'Name: value'", *n + 1);
        v[(*n)++] = line;
    }
}
