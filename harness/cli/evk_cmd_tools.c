/* `evack validate` and `evack list`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_catalog.h"
#include "evk_cli.h"
#include "evk_validate.h"

#define MAX_INPUT (64u << 20)

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
        if (n == cap) {
            if (cap >= MAX_INPUT) evk_die("the message is larger than %u MiB", MAX_INPUT >> 20);
            char *b = realloc(buf, cap * 2);
            if (!b) free(buf);
            buf = b;
            cap *= 2;
        }
    }
    if (!buf) evk_die("out of memory");
    *len = n;
    return buf;
}

int evk_cmd_validate(int argc, char **argv)
{
    const char *profile_name = "seed", *file = NULL;
    bool handshake = false;
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--profile", true)) profile_name = a.value;
        else if (evk_arg_is(&a, "--handshake", false)) handshake = true;
        else if (strcmp(argv[a.i], "--help") == 0) {
            puts("usage: evack validate [--profile P] [--handshake] [FILE]\n"
                 "judges one message (FILE, or stdin): exit 0 valid, 1 violation, 2 usage error;\n"
                 "--handshake also checks the ack time-limit policy of a handshake Event");
            return 0;
        } else if (argv[a.i][0] == '-' && argv[a.i][1]) evk_die("unknown option '%s'", argv[a.i]);
        else if (!file) file = argv[a.i];
        else evk_die("one FILE at most");
    }
    evk_profile p;
    char err[512];
    if (evk_profile_load(&p, profile_name, err, sizeof err) < 0) evk_die("%s", err);
    FILE *f = stdin;
    if (file && strcmp(file, "-") != 0) {
        f = fopen(file, "rb");
        if (!f) evk_die("%s: %s", file, strerror(errno));
    }
    size_t len;
    char *msg = read_all(f, &len);
    if (f != stdin) fclose(f);

    evk_message m;
    evk_validate(&p, msg, len, true, &m);
    uint64_t limit = 0;
    if (m.violation == EVK_V_NONE && handshake) {
        if (m.kind != EVK_MSG_EVENT) {
            m.violation = EVK_V_UNKNOWN_ACK;
            m.close_code = evk_profile_send_code(&p, m.violation);
            snprintf(m.reason, sizeof m.reason, "a handshake must be an Event, not an Ack");
        } else {
            evk_validate_policy(&p, msg, len, &limit, &m);
        }
    }
    free(msg);
    if (m.violation != EVK_V_NONE && m.violation != EVK_V_FATAL_STATUS) {
        char codes[96];
        printf("violation: %s, close %s (%s profile sends %d): %s\n", evk_violation_key(m.violation),
               evk_profile_codes_text(&p, m.violation, codes, sizeof codes), p.name, m.close_code, m.reason);
        return 1;
    }
    if (m.violation == EVK_V_FATAL_STATUS) {
        printf("violation: fatal_status, close %d: %s\n", m.close_code, m.reason);
        return 1;
    }
    char ids[EVK_UUID_STRLEN + 1];
    evk_uuid_format(&m.id, ids);
    printf("valid %s %s (sent_at %s)", m.kind == EVK_MSG_EVENT ? "Event" : "Ack", ids,
           evk_ts_tier_name(m.sent_at_tier));
    if (handshake) printf(", ack time limit %llu ms", (unsigned long long)limit);
    if (m.notes & EVK_NOTE_DUP_KEY) printf("; note: a key appears twice (the first counts)");
    if (m.notes & EVK_NOTE_LONE_SURROGATE) printf("; note: a lone surrogate escape");
    putchar('\n');
    return 0;
}

int evk_cmd_list(int argc, char **argv)
{
    unsigned roles = EVK_CASE_SC;
    bool markdown = false;
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--role", true)) {
            if (strcmp(a.value, "server") == 0) roles = EVK_CASE_S;
            else if (strcmp(a.value, "client") == 0) roles = EVK_CASE_C;
            else evk_die("--role '%s': expected server or client (the target's role)", a.value);
        } else if (evk_arg_is(&a, "--markdown", false)) markdown = true;
        else evk_die("unknown argument '%s' (evack list [--role server|client] [--markdown])", argv[a.i]);
    }
    size_t n;
    const evk_case *const *all = evk_catalog_all(&n);
    if (markdown) puts("| case | target | rule | what evack does |\n| --- | --- | --- | --- |");
    for (size_t i = 0; i < n; i++) {
        const evk_case *c = all[i];
        if (!(c->roles & roles)) continue;
        const char *who = c->roles == EVK_CASE_SC ? "both" : c->roles == EVK_CASE_S ? "server" : "client";
        if (markdown)
            printf("| `%s` | %s%s | %s | %s |\n", c->id, who,
                   (c->flags & EVK_CF_STRICT_ONLY) ? " (strict)" : "", c->spec, c->doing ? c->doing : "");
        else
            printf("%-30s %-6s %s\n", c->id, who, c->spec);
    }
    return 0;
}
