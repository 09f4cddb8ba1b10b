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
    evk_dupkeys dup = EVK_DUPKEYS_FIRST;
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--profile", true)) profile_name = a.value;
        else if (evk_arg_is(&a, "--handshake", false)) handshake = true;
        else if (evk_arg_is(&a, "--dup-keys", true)) {
            int d = evk_dupkeys_lookup(a.value);
            if (d < 0) evk_die("--dup-keys '%s': expected first, last or reject", a.value);
            dup = (evk_dupkeys)d;
        } else if (strcmp(argv[a.i], "--help") == 0) {
            puts("usage: evack validate [--profile P] [--handshake] [--dup-keys first|last|reject] [FILE]\n"
                 "judges one message (FILE, or stdin): exit 0 valid, 1 violation, 2 usage error;\n"
                 "--handshake also checks the ack time-limit policy of a handshake Event;\n"
                 "--dup-keys reads a repeated key as a parser would: the first (cJSON, the default),\n"
                 "the last (Python, JavaScript, Go, Jackson) or not at all (the text is refused)");
            return 0;
        } else if (argv[a.i][0] == '-' && argv[a.i][1]) evk_die("unknown option '%s'", argv[a.i]);
        else if (!file) file = argv[a.i];
        else evk_die("one FILE at most");
    }
    evk_profile p;
    char err[512];
    if (evk_profile_load(&p, profile_name, err, sizeof err) < 0) evk_die("%s", err);
    if (handshake && !p.has_handshake)
        evk_die("profile %s declares no handshake phase (\"handshake\": null): --handshake has no policy to check", p.name);
    FILE *f = stdin;
    if (file && strcmp(file, "-") != 0) {
        f = fopen(file, "rb");
        if (!f) evk_die("%s: %s", file, strerror(errno));
    }
    size_t len;
    char *msg = read_all(f, &len);
    if (f != stdin) fclose(f);

    evk_message m;
    evk_validate_ex(&p, msg, len, true, dup, &m);
    uint64_t limit = 0;
    if (m.violation == EVK_V_NONE && handshake) {
        if (m.kind != EVK_MSG_EVENT) {
            m.violation = EVK_V_UNKNOWN_ACK;
            m.close_code = evk_profile_send_code(&p, m.violation);
            snprintf(m.reason, sizeof m.reason, "a handshake must be an Event, not an Ack");
        } else {
            evk_validate_policy_ex(&p, msg, len, dup, &limit, &m);
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
    if (m.notes & EVK_NOTE_DUP_KEY)
        printf("; note: a key appears twice (read here as: the %s counts; other parsers differ, see --dup-keys)",
               dup == EVK_DUPKEYS_LAST ? "last" : "first");
    if (m.notes & EVK_NOTE_LONE_SURROGATE) printf("; note: a lone surrogate escape");
    putchar('\n');
    return 0;
}

/* `evack profile show NAME`: a shipped profile, ready to copy and edit;
 * `evack profile check FILE`: load one and say what it is (or what is wrong). */
int evk_cmd_profile(int argc, char **argv)
{
    static const char usage[] =
        "usage: evack profile show seed|latest|strict   print a shipped profile (JSON, ready to edit)\n"
        "       evack profile check FILE                 load a profile: its name and description, or the problem\n"
        "       evack profile list                       the shipped profiles and their descriptions";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        puts(usage);
        return argc < 2 ? 2 : 0;
    }
    const char *const *names = evk_profile_builtin_names();
    char err[512];
    evk_profile p;
    if (strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; names[i]; i++) {
            if (evk_profile_load(&p, names[i], err, sizeof err) < 0) evk_die("%s", err);
            printf("%-8s %s\n", p.name, p.description);
        }
        return 0;
    }
    if (argc != 3) evk_die("profile %s needs one argument (evack profile --help)", argv[1]);
    if (strcmp(argv[1], "show") == 0) {
        const char *text = evk_profile_builtin_text(argv[2]);
        if (!text) {
            char list[160] = "";
            size_t o = 0;
            for (size_t i = 0; names[i] && o < sizeof list; i++)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
            evk_die("no shipped profile '%s' (shipped: %s)", argv[2], list);
        }
        fputs(text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "check") == 0) {
        if (evk_profile_load(&p, argv[2], err, sizeof err) < 0) {
            fprintf(stderr, "evack: %s\n", err);
            return 1;
        }
        printf("ok: profile %s: %s", p.name, p.description[0] ? p.description : "(no description)");
        if (!p.has_handshake) printf(" [no handshake phase, ack limit %llu ms]", (unsigned long long)p.ack_limit_ms);
        putchar('\n');
        return 0;
    }
    evk_die("unknown profile command '%s' (evack profile --help)", argv[1]);
}

/* The traceability matrix: conformance/rules.tsv names every normative rule
 * of the seed and PROTOCOL.md and the cases that check it; `list
 * --traceability FILE` checks it against the compiled-in cases and writes
 * docs/catalog.md. */
#define RULE_MAX_CASES 64

typedef struct rule {
    const char *id, *source, *text, *note; /* into the file's buffer */
    const char *cases[RULE_MAX_CASES];
    size_t ncases;
} rule;

typedef struct rules {
    rule *r;
    size_t n;
    char *buf; /* the file, edited in place */
} rules;

static const evk_case *find_case(const evk_case *const *all, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->id, id) == 0) return all[i];
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\r')) *--e = '\0';
    return s;
}

/* Read and check the rule list: every line has an id, a source, the rule and
 * case ids that exist (or, for a gap, a note saying why); ids are unique.
 * Any problem stops the command (exit 2) with FILE:LINE and the reason. */
static void rules_load(rules *rs, const char *path, const evk_case *const *all, size_t ncases)
{
    FILE *f = fopen(path, "rb");
    if (!f) evk_die("%s: %s", path, strerror(errno));
    size_t len;
    char *buf = read_all(f, &len);
    fclose(f);
    char *b = realloc(buf, len + 1);
    if (!b) evk_die("out of memory");
    b[len] = '\0';
    *rs = (rules){.buf = b};
    size_t cap = 0;
    int lineno = 0;
    for (char *line = b, *next; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (!*trim(line) || line[0] == '#') continue;
        char *field[6] = {0};
        size_t nf = 0;
        for (char *p = line; p && nf < 6; nf++) {
            field[nf] = p;
            p = strchr(p, '\t');
            if (p) *p++ = '\0';
        }
        if (nf < 3 || nf > 5)
            evk_die("%s:%d: %zu fields; want id, source, rule, case ids[, note] separated by tabs", path, lineno, nf);
        if (rs->n == cap) {
            cap = cap ? cap * 2 : 64;
            rule *r = realloc(rs->r, cap * sizeof *r);
            if (!r) evk_die("out of memory");
            rs->r = r;
        }
        rule *r = &rs->r[rs->n];
        *r = (rule){.id = trim(field[0]), .source = trim(field[1]), .text = trim(field[2]),
                    .note = nf > 4 ? trim(field[4]) : ""};
        if (!*r->id || !*r->source || !*r->text) evk_die("%s:%d: an empty id, source or rule", path, lineno);
        for (size_t i = 0; i < rs->n; i++)
            if (strcmp(rs->r[i].id, r->id) == 0) evk_die("%s:%d: rule '%s' is listed twice", path, lineno, r->id);
        for (char *p = nf > 3 ? field[3] : NULL, *comma; p; p = comma) {
            comma = strchr(p, ',');
            if (comma) *comma++ = '\0';
            const char *id = trim(p);
            if (!*id) continue;
            if (!find_case(all, ncases, id))
                evk_die("%s:%d: rule '%s' names '%s', which is not a case id", path, lineno, r->id, id);
            for (size_t i = 0; i < r->ncases; i++)
                if (strcmp(r->cases[i], id) == 0) evk_die("%s:%d: '%s' is listed twice", path, lineno, id);
            if (r->ncases == RULE_MAX_CASES) evk_die("%s:%d: more than %d cases", path, lineno, RULE_MAX_CASES);
            r->cases[r->ncases++] = id;
        }
        if (!r->ncases && !*r->note)
            evk_die("%s:%d: rule '%s' has no case: a gap needs a note saying why", path, lineno, r->id);
        rs->n++;
    }
    if (!rs->n) evk_die("%s: no rules", path);
}

static bool rule_names(const rule *r, const char *case_id)
{
    for (size_t i = 0; i < r->ncases; i++)
        if (strcmp(r->cases[i], case_id) == 0) return true;
    return false;
}

/* A Markdown table cell: '|' would end the cell and '<' could open HTML. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '\n' || *s == '\t') fputc(' ', f);
        else fputc(*s, f);
    }
}

static const char *role_word(const evk_case *c)
{
    return evk_roles_name(c->roles);
}

static void catalog_markdown(FILE *o, const rules *rs, const char *rules_path, const evk_case *const *all,
                             size_t n)
{
    size_t only_s = 0, only_c = 0, gaps = 0;
    for (size_t i = 0; i < n; i++) {
        if (all[i]->roles == EVK_ROLES_S) only_s++;
        if (all[i]->roles == EVK_ROLES_C) only_c++;
    }
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->r[i].ncases) gaps++;
    fprintf(o, "# Case catalog and traceability matrix\n\n"
               "<!-- Generated by `build/evack list --traceability %s > docs/catalog.md`\n"
               "     from the cases compiled into evack and %s. Do not edit: the test\n"
               "     docs.catalog fails when this file differs from a fresh one. -->\n\n",
            rules_path, rules_path);
    fprintf(o, "Every case evack runs, and every normative rule of the seed document\n"
               "(`seed-Common.md`) and of `PROTOCOL.md` with the cases that check it.\n"
               "The rules are kept as data in `conformance/rules.tsv`; this page is\n"
               "generated from it and from the cases in the code, and the generator\n"
               "refuses a rule that names a case that does not exist.\n\n");
    fprintf(o, "**%zu cases**: %zu for both roles, %zu only against servers, %zu only against\n"
               "clients. **%zu rules**: %zu checked by at least one case, **%zu gaps**.\n\n",
            n, n - only_s - only_c, only_s, only_c, rs->n, rs->n - gaps, gaps);
    fputs("- [Cases](#cases)\n- [Traceability matrix](#traceability-matrix)\n- [Gaps](#gaps)\n\n", o);

    fputs("## Cases\n\n"
          "*target*: the role the implementation under test plays (`server`: evack connects\n"
          "to it; `client`: evack listens and the client connects; `both`: the case runs\n"
          "in either role). *fatal status*: runs only under a profile with a fatal status;\n"
          "*needs `field`*: runs only under a profile whose Events have that field;\n"
          "*informational*: recorded, never judged; *token*: runs only when `HEADERS`\n"
          "carries a bearer token. *rules*: the rules of the matrix below it checks.\n", o);
    char group[32] = "";
    for (size_t i = 0; i < n; i++) {
        const evk_case *c = all[i];
        char g[32];
        evk_case_group(c, g, sizeof g);
        if (strcmp(g, group) != 0) {
            snprintf(group, sizeof group, "%s", g);
            fprintf(o, "\n### %s\n\n| case | target | the rule it checks | what evack does | rules |\n"
                       "| --- | --- | --- | --- | --- |\n", group);
        }
        fprintf(o, "| `%s` | %s", c->id, role_word(c));
        if (c->flags & EVK_CF_STRICT_ONLY) fputs(", fatal status", o);
        if (c->needs_field) fprintf(o, ", needs `%s`", c->needs_field);
        if (c->flags & EVK_CF_INFORMATIONAL) fputs(", informational", o);
        if (c->flags & EVK_CF_NEEDS_TOKEN) fputs(", token", o);
        fputs(" | ", o);
        md_cell(o, c->spec);
        fputs(" | ", o);
        md_cell(o, c->doing ? c->doing : "");
        fputs(" |", o);
        const char *sep = " ";
        for (size_t k = 0; k < rs->n; k++)
            if (rule_names(&rs->r[k], c->id)) {
                fprintf(o, "%s`%s`", sep, rs->r[k].id);
                sep = ", ";
            }
        fputs(*sep == ',' ? " |\n" : " — |\n", o);
    }

    fputs("\n## Traceability matrix\n\n"
          "Each rule and the cases that check it; (S) and (C) mark cases that run only\n"
          "against servers or only against clients.\n\n"
          "| rule | source | requirement | checked by |\n| --- | --- | --- | --- |\n", o);
    for (size_t k = 0; k < rs->n; k++) {
        const rule *r = &rs->r[k];
        fprintf(o, "| `%s` | ", r->id);
        md_cell(o, r->source);
        fputs(" | ", o);
        md_cell(o, r->text);
        fputs(" | ", o);
        if (!r->ncases) fputs("**gap**", o);
        for (size_t i = 0; i < r->ncases; i++) {
            const evk_case *c = find_case(all, n, r->cases[i]);
            fprintf(o, "%s`%s`%s", i ? ", " : "", c->id,
                    c->roles == EVK_ROLES_S ? " (S)" : c->roles == EVK_ROLES_C ? " (C)" : "");
        }
        if (r->ncases && *r->note) {
            fputs("; ", o);
            md_cell(o, r->note);
        }
        fputs(" |\n", o);
    }

    fprintf(o, "\n## Gaps\n\nRules no case checks (%zu), and why.\n\n", gaps);
    if (gaps) fputs("| rule | source | requirement | why no case checks it |\n| --- | --- | --- | --- |\n", o);
    for (size_t k = 0; k < rs->n; k++) {
        const rule *r = &rs->r[k];
        if (r->ncases) continue;
        fprintf(o, "| `%s` | ", r->id);
        md_cell(o, r->source);
        fputs(" | ", o);
        md_cell(o, r->text);
        fputs(" | ", o);
        md_cell(o, r->note);
        fputs(" |\n", o);
    }
    size_t untraced = 0;
    for (size_t i = 0; i < n; i++) {
        bool traced = false;
        for (size_t k = 0; k < rs->n && !traced; k++) traced = rule_names(&rs->r[k], all[i]->id);
        if (!traced) fprintf(o, "%s`%s`", untraced++ ? ", " : "\nCases that trace to no rule: ", all[i]->id);
    }
    fputs(untraced ? ".\n" : "\nEvery case traces to at least one rule.\n", o);
}

int evk_cmd_list(int argc, char **argv)
{
    unsigned roles = EVK_ROLES_SC;
    bool markdown = false, ids_only = false, informational = false;
    const char *trace = NULL;
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--ids", false)) ids_only = true;
        else if (evk_arg_is(&a, "--informational", false)) ids_only = informational = true;
        else if (evk_arg_is(&a, "--role", true)) {
            if (strcmp(a.value, "server") == 0) roles = EVK_ROLES_S;
            else if (strcmp(a.value, "client") == 0) roles = EVK_ROLES_C;
            else evk_die("--role '%s': expected server or client (the target's role)", a.value);
        } else if (evk_arg_is(&a, "--markdown", false)) markdown = true;
        else if (evk_arg_is(&a, "--traceability", true)) trace = a.value;
        else if (strcmp(argv[a.i], "--help") == 0) {
            puts("usage: evack list [--role server|client] [--markdown | --ids | --informational]\n"
                 "       evack list --traceability conformance/rules.tsv > docs/catalog.md\n"
                 "lists the cases and their rules (--ids: the ids alone; --informational: the ids of the\n"
                 "informational cases); --traceability checks the rule list against the cases and prints\n"
                 "the catalog with its traceability matrix and gaps (Markdown)");
            return 0;
        } else
            evk_die("unknown argument '%s' (evack list [--role server|client] [--markdown | --ids | "
                    "--informational] [--traceability RULES.tsv])", argv[a.i]);
    }
    size_t n;
    const evk_case *const *all = evk_catalog_all(&n);
    if (trace) {
        if (roles != EVK_ROLES_SC) evk_die("--traceability covers both roles; leave out --role");
        rules rs;
        rules_load(&rs, trace, all, n);
        catalog_markdown(stdout, &rs, trace, all, n);
        free(rs.r);
        free(rs.buf);
        return ferror(stdout) ? 2 : 0;
    }
    if (markdown) puts("| case | target | rule | what evack does |\n| --- | --- | --- | --- |");
    for (size_t i = 0; i < n; i++) {
        const evk_case *c = all[i];
        if (!(c->roles & roles)) continue;
        if (ids_only) {
            if (!informational || (c->flags & EVK_CF_INFORMATIONAL)) puts(c->id);
            continue;
        }
        const char *who = role_word(c);
        if (markdown)
            printf("| `%s` | %s%s%s%s%s | %s | %s |\n", c->id, who, c->flags & EVK_CF_STRICT_ONLY ? " (fatal status)" : "",
                   c->needs_field ? " (needs " : "", c->needs_field ? c->needs_field : "", c->needs_field ? ")" : "",
                   c->spec, c->doing ? c->doing : "");
        else
            printf("%-30s %-6s %s\n", c->id, who, c->spec);
    }
    return 0;
}
