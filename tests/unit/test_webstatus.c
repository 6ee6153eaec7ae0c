/* Unit tests of webstatus, websummary and fedincomplete: the hours fed while
 * a machine's snapshot was missing; status.html's rows green or red by each
 * rule (lag, pickleSync, the archive, hours fed incomplete, the clients of the
 * last hour); the daily summary's row of a client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/collector.h"
#include "pxstats/config.h"
#include "pxstats/dbupdates.h"
#include "pxstats/fedincomplete.h"
#include "pxstats/layout.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/web.h"
#include "pxstats/websummary.h"
#include "pxstats/webstatus.h"
#include "pxstats/xalloc.h"

#define H0 1768003200      /* 2026-01-10 00:00:00 */

static pxs_config cfg;

/* An hour of client c1 on machine with n files of latency lat, and errors. */
static void hour(const char *client, pxs_filetype ft, const char *machine, int h, int n,
                 int lat, int errors)
{
    pxs_hour x;
    pxs_hour_init(&x, client, machine, ft, H0 + h * 3600, 1, 15, PXS_T_ALL);
    for (int i = 0; i < n; i++)
        pxs_hour_add_row(&x, H0 + h * 3600 + i * 10, 100 * (i + 1), lat, "P:a:b:c:3:D:x", false);
    for (int i = 0; i < errors; i++)
        pxs_hour_add_row(&x, H0 + h * 3600 + 3000 + i, 0, 0, "", true);
    pxs_hour_compute(&x);
    char *path = pxs_pickle_path(cfg.statsdir, client, x.start, ft, machine);
    assert_int_equal(pxs_snapshot_write(path, &x), 0);
    free(path);
    pxs_hour_free(&x);
}

/* The feed state of (tx, client, m1m2) fed up to hour `upto`: hours before
 * 02:00 with both machines' snapshots, the later ones without m2's. */
static void fed(const char *client, int upto)
{
    char *path = pxs_dbupdates_path(cfg.statsdir, PXS_TX, client, "m1m2");
    pxs_feedstate st;
    pxs_src_version v[2] = {{.state = PXS_SRC_READ, .mtime_sec = 1, .size = 10, .crc = 1},
                            {.state = PXS_SRC_READ, .mtime_sec = 1, .size = 10, .crc = 2}};

    pxs_feedstate_init(&st);
    st.created = H0;
    st.fed = H0 + upto * 3600;
    pxs_strlist_add(&st.machines, "m1");
    pxs_strlist_add(&st.machines, "m2");
    for (int h = 0; h < upto; h++) {
        v[1].state = h < 2 ? PXS_SRC_READ : PXS_SRC_ABSENT;
        pxs_feedstate_add(&st, H0 + h * 3600, h < 2 ? PXS_FED_OK : PXS_FED_INCOMPLETE, v);
    }
    assert_int_equal(pxs_feedstate_save(path, &st), 0);
    pxs_feedstate_free(&st);
    free(path);
}

static int setup(void **state)
{
    if (testdir_make(state, "webstatus") != 0)
        return -1;
    const char *d = *state;
    char *conf = xasprintf("%s/etc/pxstats.conf", d);
    const char *text = "[graphics]\nlogFilesMachines = m1,m2\npicklingMachines = m1;m2\n"
                       "localMachines = none\n";
    pxs_atomic_write(conf, text, strlen(text));
    unsetenv("PXROOT");
    unsetenv("PXSTATS_CONF");
    if (pxs_config_load(&cfg, d, conf) != 0)
        return -1;
    free(conf);
    /* m1: hours 0..5 of c1 (quiet, fast); m2 stopped after hour 1.
     * c2: errors and late files in hour 5. */
    for (int h = 0; h < 6; h++) {
        hour("c1", PXS_TX, "m1", h, 10, 2, 0);
        hour("c2", PXS_TX, "m1", h, 10, h == 5 ? 40 : 1, h == 5 ? 3 : 0);
        if (h < 2) {
            hour("c1", PXS_TX, "m2", h, 5, 3, 0);
            hour("c2", PXS_TX, "m2", h, 5, 3, 0);
        }
    }
    /* the archive fed up to 06:00 for c1, 04:00 for c2; from 02:00 without
     * m2's snapshots (rrdTransfer's record of the hours fed incomplete) */
    fed("c1", 6);
    fed("c2", 4);
    char *log = xasprintf("%s/log/pickleSync.log", cfg.statsdir);
    const char *lines = "2026-01-10 06:05:00 pickleSync: px@m1:22: synchronised\n"
                        "2026-01-10 01:05:00 pickleSync: px@m2:22: synchronised\n"
                        "2026-01-10 06:05:01 pickleSync: px@m2:22: failed\n";
    pxs_atomic_write(log, lines, strlen(lines));
    free(log);
    return 0;
}

static int teardown(void **state)
{
    pxs_config_free(&cfg);
    return testdir_remove(state);
}

static void group(pxs_strlist *l, const char *text)
{
    pxs_strlist_init(l);
    pxs_strlist_split(l, text, ',');
}

static void test_fed_incomplete(void **state)
{
    pxs_strlist g;
    int64_t *hours = NULL;
    size_t n = 0;

    (void)state;
    group(&g, "m1,m2");
    /* c1 was fed to 06:00: hours 2..5 had m1's snapshot but not m2's. */
    assert_int_equal(pxs_fed_incomplete(cfg.statsdir, PXS_TX, "c1", &g, NULL, H0, H0 + 86400,
                                        &hours, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(hours[0], H0 + 2 * 3600);
    assert_int_equal(hours[3], H0 + 5 * 3600);
    /* the same, as the hours m2 lacked; none that m1 lacked */
    n = 0;
    assert_int_equal(pxs_fed_incomplete(cfg.statsdir, PXS_TX, "c1", &g, "m2", H0, H0 + 86400,
                                        &hours, &n), 0);
    assert_int_equal(n, 4);
    n = 0;
    assert_int_equal(pxs_fed_incomplete(cfg.statsdir, PXS_TX, "c1", &g, "m1", H0, H0 + 86400,
                                        &hours, &n), 0);
    assert_int_equal(n, 0);
    /* c2 was fed only to 04:00: the hours not fed yet are not "fed incomplete". */
    assert_int_equal(pxs_fed_incomplete(cfg.statsdir, PXS_TX, "c2", &g, NULL, H0, H0 + 86400,
                                        &hours, &n), 0);
    assert_int_equal(n, 2);
    /* a window: only its hours */
    n = 0;
    assert_int_equal(pxs_fed_incomplete(cfg.statsdir, PXS_TX, "c1", &g, NULL, H0 + 4 * 3600,
                                        H0 + 5 * 3600, &hours, &n), 0);
    assert_int_equal(n, 1);
    pxs_strlist_free(&g);
    /* never fed, or a group of one machine: nothing */
    group(&g, "m1");
    n = 0;
    assert_int_equal(pxs_fed_incomplete(cfg.statsdir, PXS_TX, "c1", &g, NULL, H0, H0 + 86400,
                                        &hours, &n), 0);
    assert_int_equal(n, 0);
    pxs_strlist_free(&g);
    free(hours);
}

static char *status_page(int64_t now)
{
    pxs_strlist groups;
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);

    pxs_strlist_init(&groups);
    pxs_strlist_add(&groups, "m1,m2");
    assert_int_equal(pxs_webstatus_render(fp, &cfg, &groups, now), 0);
    fclose(fp);
    pxs_strlist_free(&groups);
    return buf;
}

/* The row of key, from "<tr" to "</tr>" (fresh string). */
static char *row(const char *page, const char *key)
{
    char *k = xasprintf("data-key=\"%s\"", key);
    const char *at = strstr(page, k);
    free(k);
    assert_non_null(at);
    const char *start = at;
    while (start > page && strncmp(start, "<tr", 3) != 0)
        start--;
    const char *end = strstr(at, "</tr>");
    assert_non_null(end);
    return xstrndup(start, (size_t)(end - start));
}

static void test_status(void **state)
{
    (void)state;
    char *page = status_page(H0 + 6 * 3600 + 1800);
    char *m1 = row(page, "machine:m1"), *m2 = row(page, "machine:m2");

    assert_non_null(strstr(page, "Computed at 2026-01-10 06:30:00 UTC"));
    /* m1: collected to 06:00, synchronised at 06:05; but c2's archive is 2 h
     * behind its snapshots: red. */
    assert_non_null(strstr(m1, "<td>2026-01-10 06:00:00</td><td>0 min</td>"));
    assert_non_null(strstr(m1, "2026-01-10 06:05:00 from m1<"));
    assert_non_null(strstr(m1, "behind their snapshots: tx_c2"));
    assert_non_null(strstr(m1, "<td>none</td>"));
    assert_non_null(strstr(m1, "class=\"bad\""));
    /* m2: collected to 02:00 (4 h behind), last sync 01:05 and failed since,
     * 4 + 2 hours fed without its data. */
    assert_non_null(strstr(m2, "<td>2026-01-10 02:00:00</td><td>4 h 00 min</td>"));
    assert_non_null(strstr(m2, "2026-01-10 01:05:00 from m2 (the last attempt failed)"));
    assert_non_null(strstr(m2, "6 (client, hour) fed without its data, the first at 2026-01-10 02:00:00"));
    assert_non_null(strstr(m2, "class=\"bad\""));
    free(m1);
    free(m2);
    /* the last hour: c2 had 3 errors and a p95 latency of 40 s; c1 is fine */
    char *c2 = row(page, "client:tx_c2");
    assert_non_null(strstr(c2, "3 errors; p95 latency 40 s (max 15 s)"));
    assert_null(strstr(page, "client:tx_c1"));
    free(c2);
    free(page);

    /* Once the archive of c2 is fed, m1 is green. */
    pxs_dbupdates_set(cfg.statsdir, PXS_TX, "c2", "m1m2", H0 + 6 * 3600);
    page = status_page(H0 + 6 * 3600 + 1800);
    m1 = row(page, "machine:m1");
    assert_non_null(strstr(m1, "class=\"ok\""));
    free(m1);
    free(page);
    /* An hour later without a new snapshot or feed: everything lags. */
    page = status_page(H0 + 8 * 3600);
    m1 = row(page, "machine:m1");
    assert_non_null(strstr(m1, "<td>2 h 00 min</td>"));
    assert_non_null(strstr(m1, "class=\"bad\""));
    /* no snapshot in the last hour: nothing to list, one green row */
    assert_non_null(strstr(page, "data-key=\"clients\""));
    free(m1);
    free(page);
    pxs_dbupdates_set(cfg.statsdir, PXS_TX, "c2", "m1m2", H0 + 4 * 3600);
}

static void test_summary(void **state)
{
    pxs_web_names names;
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);

    (void)state;
    pxs_web_names_init(&names);
    pxs_strlist_add(&names.tx, "c1");
    pxs_strlist_add(&names.tx, "nobody");
    pxs_strlist_add(&names.groups, "m1,m2");
    pxs_web_summary(fp, cfg.statsdir, H0 + 6 * 3600 + 10, &names);
    fclose(fp);
    /* c1 in the 24 h: 6 x 10 files on m1 + 2 x 5 on m2; bytes 6 x 5500 + 2 x 1500 */
    assert_non_null(strstr(buf, "<tr><td class=\"name\"><a href=\"#tx-c1\">c1</a></td><td>m1,m2</td>"
                                "<td class=\"num\">70</td><td class=\"num\">36&#8239;000</td>"
                                "<td class=\"num\">0</td><td class=\"num\">0.0 %</td>"
                                "<td class=\"num\">3</td></tr>"));
    assert_non_null(strstr(buf, "<a href=\"#tx-nobody\">nobody</a></td><td></td><td colspan=\"5\">no data"));
    assert_non_null(strstr(buf, "From 2026-01-09 06:00:00 to 2026-01-10 06:00:00 UTC"));
    free(buf);
    /* No group: no summary. */
    pxs_strlist_free(&names.groups);
    buf = NULL;
    fp = open_memstream(&buf, &size);
    pxs_web_summary(fp, cfg.statsdir, H0, &names);
    fclose(fp);
    assert_string_equal(buf, "");
    free(buf);
    pxs_web_names_free(&names);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_fed_incomplete),
        T(test_status),
        T(test_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
