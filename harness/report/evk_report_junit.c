/* junit.xml: each case a <testcase> (classname = group, name = case id);
 * failures carry "expected ..., observed ..." and the transcript. */
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_report.h"

/* XML text: escape markup, keep valid UTF-8, \xNN the rest (XML 1.0 cannot
 * carry most control characters at all). */
static void xml(FILE *f, const char *s, size_t len)
{
    char *clean = malloc(len * 4 + 1);
    if (!clean) return;
    evk_report_sanitize(s, len, clean, len * 4 + 1);
    for (const char *p = clean; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*p, f);
        }
    }
    free(clean);
}

static void xmls(FILE *f, const char *s)
{
    xml(f, s, strlen(s));
}

static void transcript(FILE *f, const evk_transcript *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const evk_tentry *e = &t->e[i];
        fprintf(f, "%6llu ms %-4s %-6s", (unsigned long long)e->t_ms,
                e->kind == EVK_T_NOTE ? "--" : e->out ? "out" : "in", evk_tkind_name(e->kind));
        if (e->kind == EVK_T_CLOSE) fprintf(f, " %d", e->code);
        if (e->kind == EVK_T_TEXT || e->kind == EVK_T_BINARY) fprintf(f, " (%zu bytes)", e->size);
        fputc(' ', f);
        if (e->kind == EVK_T_BINARY) {
            for (size_t k = 0; k < e->data_len && k < 64; k++) fprintf(f, "%02x", (unsigned char)e->data[k]);
        } else {
            xml(f, e->data, e->data_len > 300 ? 300 : e->data_len);
        }
        fputc('\n', f);
    }
    if (t->dropped) fprintf(f, "... %zu more entries not kept\n", t->dropped);
}

int evk_report_junit(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n)
{
    evk_summary s;
    evk_summarize(r, n, &s);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"evack\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
            s.total, s.fail, s.skip + s.known_failures, (double)info->duration_ms / 1000.0);
    for (size_t i = 0; i < n;) {
        char group[32], g2[32];
        evk_case_group(r[i].c, group, sizeof group);
        size_t end = i, fails = 0, skips = 0;
        double secs = 0;
        while (end < n && strcmp(evk_case_group(r[end].c, g2, sizeof g2), group) == 0) {
            if (r[end].verdict == EVK_VERDICT_FAIL && !r[end].baseline_listed) fails++;
            if (r[end].verdict == EVK_VERDICT_SKIP || (r[end].verdict == EVK_VERDICT_FAIL && r[end].baseline_listed)) skips++;
            secs += (double)r[end].duration_ms / 1000.0;
            end++;
        }
        fprintf(f, "  <testsuite name=\"");
        xmls(f, group);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n", end - i, fails, skips, secs);
        for (; i < end; i++) {
            const evk_case_result *c = &r[i];
            fprintf(f, "    <testcase classname=\"");
            xmls(f, group);
            fprintf(f, "\" name=\"");
            xmls(f, c->c->id);
            fprintf(f, "\" time=\"%.3f\">\n", (double)c->duration_ms / 1000.0);
            if (c->verdict == EVK_VERDICT_FAIL && !c->baseline_listed) {
                fprintf(f, "      <failure type=\"fail\" message=\"expected ");
                xmls(f, c->expected);
                fputs(", observed ", f);
                xmls(f, c->observed);
                fputs("\">", f);
                xmls(f, c->c->spec);
                fputs("\n", f);
                transcript(f, &c->tr);
                fputs("</failure>\n", f);
            } else if (c->verdict == EVK_VERDICT_SKIP || c->verdict == EVK_VERDICT_FAIL) {
                fprintf(f, "      <skipped message=\"");
                if (c->verdict == EVK_VERDICT_FAIL) fputs("known failure (baseline): ", f);
                xmls(f, c->verdict == EVK_VERDICT_FAIL ? c->observed : c->observed);
                fputs("\"/>\n", f);
            }
            if (c->verdict != EVK_VERDICT_SKIP) {
                fprintf(f, "      <system-out>%s: expected ", evk_verdict_name(c->verdict));
                xmls(f, c->expected);
                fputs("; observed ", f);
                xmls(f, c->observed);
                if (c->baseline_listed && c->verdict == EVK_VERDICT_PASS)
                    fputs(" (fixed: remove it from the baseline)", f);
                fputs("</system-out>\n", f);
            }
            fputs("    </testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return ferror(f) ? EVK_EIO : 0;
}
