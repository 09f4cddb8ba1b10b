#include "evk_causes.h"
#include "evk_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evk_err.h"

void evk_summarize(const evk_case_result *r, size_t n, evk_summary *s)
{
    memset(s, 0, sizeof *s);
    s->total = n;
    for (size_t i = 0; i < n; i++) {
        switch (r[i].verdict) {
        case EVK_VERDICT_PASS:
            s->pass++;
            if (r[i].baseline_listed) s->fixed++;
            break;
        case EVK_VERDICT_FAIL:
            if (r[i].baseline_listed) s->known_failures++;
            else s->fail++;
            break;
        case EVK_VERDICT_NON_STRICT: s->non_strict++; break;
        case EVK_VERDICT_INFO: s->info++; break;
        default: s->skip++; break;
        }
    }
}

int evk_run_status(const evk_summary *s)
{
    return s->fail ? 1 : 0;
}

int evk_baseline_apply(const char *path, evk_case_result *r, size_t n,
                       bool (*known_id)(const char *id), char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "baseline %s: %s", path, strerror(errno));
        return EVK_EIO;
    }
    char line[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line, *h = strchr(line, '#');
        if (h) *h = '\0';
        while (*p == ' ' || *p == '\t') p++;
        char *e = p + strlen(p);
        while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
        if (!*p) continue;
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if (strcmp(r[i].c->id, p) == 0) r[i].baseline_listed = found = true;
        if (!found) { /* cases not selected for this run are fine; unknown ids are not */
            if (known_id && !known_id(p)) {
                snprintf(err, errcap, "baseline %s:%d: '%s' is not a case id", path, lineno, p);
                rc = EVK_EIO;
                break;
            }
        }
    }
    fclose(f);
    return rc;
}

size_t evk_report_sanitize(const char *data, size_t len, char *out, size_t cap)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t o = 0;
    if (!cap) return 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = d[i];
        size_t k = 0;
        if (c >= 0x20 && c < 0x7f) k = 1;
        else if (c == '\t' || c == '\n') k = 1;
        else if (c >= 0xC2 && c <= 0xDF) k = 2;
        else if (c >= 0xE0 && c <= 0xEF) k = 3;
        else if (c >= 0xF0 && c <= 0xF4) k = 4;
        if (k > 1) { /* check the continuation bytes and the forbidden ranges */
            bool ok = i + k <= len;
            for (size_t j = 1; ok && j < k; j++) ok = (d[i + j] & 0xC0) == 0x80;
            if (ok && c == 0xE0) ok = d[i + 1] >= 0xA0;
            if (ok && c == 0xED) ok = d[i + 1] <= 0x9F;
            if (ok && c == 0xF0) ok = d[i + 1] >= 0x90;
            if (ok && c == 0xF4) ok = d[i + 1] <= 0x8F;
            if (!ok) k = 0;
        }
        if (k) {
            if (o + k >= cap) break;
            memcpy(out + o, d + i, k);
            o += k;
            i += k;
        } else {
            if (o + 4 >= cap) break;
            snprintf(out + o, cap - o, "\\x%02x", c);
            o += 4;
            i++;
        }
    }
    out[o] = '\0';
    return o;
}

static int write_atomically(const char *dir, const char *name,
                            int (*writer)(FILE *, const evk_run_info *, const evk_case_result *, size_t),
                            const evk_run_info *info, const evk_case_result *r, size_t n, char *err,
                            size_t errcap)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errcap, "cannot write %s: %s", tmp, strerror(errno));
        return EVK_EIO;
    }
    int rc = writer(f, info, r, n);
    if (fflush(f) != 0 || ferror(f)) rc = EVK_EIO;
    if (fclose(f) != 0) rc = EVK_EIO;
    if (rc == 0 && rename(tmp, path) != 0) rc = EVK_EIO;
    if (rc) {
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
    }
    return rc;
}

static int mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int evk_report_write_all(const char *dir, const evk_run_info *info, const evk_case_result *r,
                         size_t n, char *err, size_t errcap)
{
    if (mkdirs(dir) != 0) {
        snprintf(err, errcap, "cannot create report directory %s: %s", dir, strerror(errno));
        return EVK_EIO;
    }
    int rc = write_atomically(dir, "report.json", evk_report_json, info, r, n, err, errcap);
    if (!rc) rc = write_atomically(dir, "junit.xml", evk_report_junit, info, r, n, err, errcap);
    if (!rc) rc = write_atomically(dir, "report.html", evk_report_html, info, r, n, err, errcap);
    if (!rc) rc = write_atomically(dir, "summary.md", evk_report_summary_md, info, r, n, err, errcap);
    return rc;
}

/* A table cell: '|' escaped, one line, bytes made safe. */
static void md_cell(FILE *f, const char *text)
{
    char safe[1200];
    evk_report_sanitize(text, strlen(text), safe, sizeof safe);
    for (const char *p = safe; *p; p++) {
        if (*p == '|') fputs("\\|", f);
        else if (*p == '\n' || *p == '\t') fputc(' ', f);
        else fputc(*p, f);
    }
}

int evk_report_summary_md(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n)
{
    evk_summary s;
    evk_summarize(r, n, &s);
    fprintf(f, "### evack conformance: %s\n\n", info->interrupted ? "interrupted" : s.fail ? "failed" : "passed");
    fprintf(f, "%zu passed, %zu failed, %zu non-strict, %zu informational, %zu skipped", s.pass, s.fail,
            s.non_strict, s.info, s.skip);
    if (s.known_failures || s.fixed)
        fprintf(f, "; baseline: %zu known failure(s), %zu fixed", s.known_failures, s.fixed);
    fprintf(f, " (%zu cases, %s, profile `%s`)\n", s.total, info->role, info->profile);
    evk_cause *g = malloc((n ? n : 1) * sizeof *g);
    size_t ng = g ? evk_causes_group(r, n, info, g, n, NULL) : 0;
    for (size_t k = 0; k < ng; k++) {
        fprintf(f, "\n**%zu cases failed for one reason:** ", g[k].count);
        md_cell(f, g[k].title);
        fprintf(f, " (first: `%s`)", r[g[k].first].c->id);
        if (g[k].blocked)
            fprintf(f, "; %zu of them never reached their own steps, %zu failed on their own rule", g[k].blocked,
                    g[k].count - g[k].blocked);
        fputs(".  \nTry: ", f);
        md_cell(f, g[k].hint);
        fputc('\n', f);
    }
    free(g);
    bool head = false;
    for (size_t i = 0; i < n; i++) {
        if (r[i].verdict != EVK_VERDICT_FAIL) continue;
        if (!head) fputs("\n| case | verdict | observed |\n| --- | --- | --- |\n", f), head = true;
        fprintf(f, "| `%s` | %s | ", r[i].c->id, r[i].baseline_listed ? "known failure" : "fail");
        md_cell(f, r[i].observed);
        fputs(" |\n", f);
    }
    return ferror(f) ? EVK_EIO : 0;
}
