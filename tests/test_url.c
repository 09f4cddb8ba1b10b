/* harness/net/evk_url: URL parsing, the Authorization header, and the
 * plain-TCP diagnosis's kinds (over loopback). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_net.h"
#include "evk_url.h"

static const struct {
    const char *url;
    bool tls;
    const char *host;
    int port;
    const char *path;
} good[] = {
    {"ws://h/", false, "h", 80, "/"},
    {"wss://h", true, "h", 443, "/"},
    {"ws://127.0.0.1:8080/events?x=1", false, "127.0.0.1", 8080, "/events?x=1"},
    {"ws://h?x", false, "h", 80, "/?x"},
    {"wss://[::1]:9/p", true, "::1", 9, "/p"},
};

START_TEST(parses_good_urls)
{
    evk_url u;
    char err[200] = "";
    ck_assert_msg(evk_url_parse(good[_i].url, &u, err, sizeof err) == 0, "%s: %s", good[_i].url, err);
    ck_assert_msg(u.tls == good[_i].tls && strcmp(u.host, good[_i].host) == 0 && u.port == good[_i].port &&
                      strcmp(u.path, good[_i].path) == 0,
                  "%s: tls %d host %s port %d path %s", good[_i].url, u.tls, u.host, u.port, u.path);
    ck_assert_int_eq(evk_url_check(good[_i].url, err, sizeof err), 0);
}
END_TEST

static const struct {
    const char *url, *want;
} bad[] = {
    {"", "empty URL"},
    {"http://x/", "must start with ws:// or wss://"},
    {"ws://", "no host"},
    {"ws://h:0/", "bad port"},
    {"ws://h:99999/", "bad port"},
    {"ws://h:12x/", "bad port"},
    {"ws://[::1/", "unclosed"},
    {"ws://h#frag", "fragments are not allowed"},
    {"ws://h/a b", "space"},
};

START_TEST(rejects_bad_urls)
{
    evk_url u;
    char err[200] = "";
    ck_assert_int_eq(evk_url_parse(bad[_i].url, &u, err, sizeof err), EVK_EINVAL);
    ck_assert_msg(strstr(err, bad[_i].want) != NULL, "%s: %s", bad[_i].url, err);
    ck_assert_int_eq(evk_url_check(bad[_i].url, err, sizeof err), EVK_EINVAL);
}
END_TEST

static const struct {
    const char *header, *value; /* value NULL: not an Authorization header */
} headers[] = {
    {"Authorization: Bearer abc", "Bearer abc"},
    {"authorization:Bearer abc", "Bearer abc"},
    {"AUTHORIZATION:    Basic x", "Basic x"},
    {"Authorization:", ""},
    {"X-Authorization: Bearer abc", NULL},
    {"Authorisation: Bearer abc", NULL},
    {"Cookie: a=b", NULL},
};

START_TEST(finds_the_authorization_header)
{
    const char *v = evk_header_authorization(headers[_i].header);
    if (!headers[_i].value) ck_assert_msg(v == NULL, "%s: got \"%s\"", headers[_i].header, v);
    else ck_assert_msg(v && strcmp(v, headers[_i].value) == 0, "%s: got \"%s\"", headers[_i].header, v ? v : "(null)");
}
END_TEST

static const struct {
    const char *header, *name, *value; /* name NULL: refused */
} splits[] = {
    {"X-Trace: abc", "X-Trace:", "abc"},
    {"X-Trace:\t  a b", "X-Trace:", "a b"},
    {"X-Empty:", "X-Empty:", ""},
    {": no name", NULL, NULL},
    {"no colon", NULL, NULL},
    {"X Space: v", NULL, NULL},
    {"X-Inject: a\r\nEvil: b", NULL, NULL},
    {"X-Inject: a\n", NULL, NULL},
};

START_TEST(splits_upgrade_headers)
{
    char *name = NULL, *value = NULL;
    int rc = evk_header_split(splits[_i].header, &name, &value);
    if (!splits[_i].name) {
        ck_assert_msg(rc == -1, "%s: accepted", splits[_i].header);
        return;
    }
    ck_assert_msg(rc == 0, "%s: refused", splits[_i].header);
    ck_assert_str_eq(name, splits[_i].name);
    ck_assert_str_eq(value, splits[_i].value);
    free(name);
    free(value);
}
END_TEST

static int refuse_all(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    (void)info, (void)user, (void)cb, (void)cuser;
    return 404;
}

START_TEST(diagnosis_kinds)
{
    char why[200];
    ck_assert_int_eq(evk_net_diagnose("http://x/", 1000, why, sizeof why), EVK_DIAG_BAD_URL);
    ck_assert_msg(strstr(why, "malformed URL") != NULL, "%s", why);
    ck_assert_int_eq(evk_net_diagnose("ws://127.0.0.1:1/", 1000, why, sizeof why), EVK_DIAG_REFUSED);
    ck_assert_str_eq(why, "connection refused");

    /* A listener (never serviced: the kernel completes the TCP handshake). */
    char err[200];
    evk_loop *l = evk_loop_new(NULL, err, sizeof err);
    ck_assert_msg(l != NULL, "%s", err);
    int port = 0;
    ck_assert_int_eq(evk_listen(l, "127.0.0.1", 0, refuse_all, NULL, &port, err, sizeof err), 0);
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);
    ck_assert_int_eq(evk_net_diagnose(url, 1000, why, sizeof why), EVK_DIAG_TCP_OK);
    ck_assert_str_eq(why, "TCP connects");
    evk_loop_free(l);
}
END_TEST

static Suite *url_suite(void)
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("url");
    tcase_add_loop_test(tc, parses_good_urls, 0, (int)EVK_COUNTOF(good));
    tcase_add_loop_test(tc, rejects_bad_urls, 0, (int)EVK_COUNTOF(bad));
    tcase_add_loop_test(tc, finds_the_authorization_header, 0, (int)EVK_COUNTOF(headers));
    tcase_add_loop_test(tc, splits_upgrade_headers, 0, (int)EVK_COUNTOF(splits));
    tcase_add_test(tc, diagnosis_kinds);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(url_suite)
