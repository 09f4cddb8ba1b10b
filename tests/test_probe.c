/* The reachability probe over loopback: each way of not answering has its
 * own kind (programs decide on it) and its own line (people read it). */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_probe.h"

typedef struct target {
    evk_loop *loop;
    int port;
    int status; /* what the listener answers: 0 lets it in */
} target;

static void ignore(evk_conn *c, const evk_net_event *ev, void *user)
{
    (void)c, (void)ev, (void)user;
}

static int decide(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    (void)info;
    const target *t = user;
    *cb = ignore;
    *cuser = NULL;
    return t->status;
}

static void setup(target *t, int status)
{
    char err[200];
    t->status = status;
    t->loop = evk_loop_new(NULL, err, sizeof err);
    ck_assert_msg(t->loop != NULL, "%s", err);
    ck_assert_int_eq(evk_listen(t->loop, "127.0.0.1", 0, decide, t, &t->port, err, sizeof err), 0);
}

static evk_probe_kind probe(evk_loop *l, const char *url, const char *const *headers, size_t nheaders,
                            int *status, char *err, size_t cap)
{
    evk_suite_opts o = {.loop = l, .url = url, .headers = headers, .nheaders = nheaders};
    return evk_suite_probe(&o, status, err, cap);
}

START_TEST(answers_ok)
{
    target t;
    setup(&t, 0);
    char url[64], err[300] = "";
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", t.port);
    int status = -1;
    ck_assert_int_eq(probe(t.loop, url, NULL, 0, &status, err, sizeof err), EVK_PROBE_OK);
    ck_assert_int_eq(status, 0);
    evk_loop_free(t.loop);
}
END_TEST

START_TEST(refused_with_a_status)
{
    target t;
    setup(&t, 401);
    char url[64], err[300], want[160];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", t.port);
    int status = 0;
    ck_assert_int_eq(probe(t.loop, url, NULL, 0, &status, err, sizeof err), EVK_PROBE_HTTP_STATUS);
    ck_assert_int_eq(status, 401);
    snprintf(want, sizeof want, "cannot connect to %s: the upgrade was refused with HTTP 401", url);
    ck_assert_str_eq(err, want);
    evk_loop_free(t.loop);
}
END_TEST

START_TEST(nothing_listens)
{
    char err[300];
    evk_loop *l = evk_loop_new(NULL, err, sizeof err);
    ck_assert_int_eq(probe(l, "ws://127.0.0.1:1/", NULL, 0, NULL, err, sizeof err), EVK_PROBE_REFUSED);
    ck_assert_str_eq(err, "cannot connect to ws://127.0.0.1:1/: connection refused");
    ck_assert_int_eq(probe(l, "http://x/", NULL, 0, NULL, err, sizeof err), EVK_PROBE_BAD_URL);
    ck_assert_msg(strstr(err, "malformed URL") != NULL, "%s", err);
    evk_loop_free(l);
}
END_TEST

START_TEST(a_bad_header_is_not_a_network_problem)
{
    target t;
    setup(&t, 0);
    char url[64], err[300];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", t.port);
    const char *hdr[] = {"NoColonHere s3cret"};
    ck_assert_int_eq(probe(t.loop, url, hdr, 1, NULL, err, sizeof err), EVK_PROBE_START_FAILED);
    ck_assert_msg(strstr(err, "header 1") != NULL && strstr(err, "s3cret") == NULL, "%s", err);
    evk_loop_free(t.loop);
}
END_TEST

/* A target that takes the connection and never answers the upgrade. */
START_TEST(a_silent_target_hangs)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    char url[64], err[300], want[160];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", ntohs(a.sin_port));
    evk_loop *l = evk_loop_new(NULL, err, sizeof err);
    ck_assert_int_eq(probe(l, url, NULL, 0, NULL, err, sizeof err), EVK_PROBE_HUNG);
    snprintf(want, sizeof want, "cannot connect to %s: no answer within 5 s", url);
    ck_assert_str_eq(err, want);
    evk_loop_free(l);
    close(fd);
}
END_TEST

START_TEST(every_kind_has_a_name)
{
    for (int k = EVK_PROBE_OK; k <= EVK_PROBE_UPGRADE_FAILED; k++)
        ck_assert_str_ne(evk_probe_kind_name((evk_probe_kind)k), "unknown");
    ck_assert_str_eq(evk_probe_kind_name(EVK_PROBE_HUNG), "hung");
    ck_assert_str_eq(evk_probe_kind_name((evk_probe_kind)99), "unknown");
}
END_TEST

static Suite *probe_suite(void)
{
    Suite *s = suite_create("probe");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, answers_ok);
    tcase_add_test(tc, refused_with_a_status);
    tcase_add_test(tc, nothing_listens);
    tcase_add_test(tc, a_bad_header_is_not_a_network_problem);
    tcase_add_test(tc, a_silent_target_hangs);
    tcase_add_test(tc, every_kind_has_a_name);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(probe_suite)
