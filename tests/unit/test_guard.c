/* Unit tests of guard: names with nothing in the tree are refused with a
 * message naming them and the place looked at; "All" passes; a machine the
 * config names is known before it delivers; archives and logs likewise. */
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
#include "pxstats/config.h"
#include "pxstats/dbupdates.h"
#include "pxstats/guard.h"
#include "pxstats/msg.h"
#include "pxstats/rrdstore.h"
#include "pxstats/xalloc.h"

static pxs_config cfg;

static void touch(const char *path)
{
    assert_int_equal(pxs_atomic_write(path, "", 0), 0);
}

static int setup(void **state)
{
    if (testdir_make(state, "guard") != 0)
        return -1;
    const char *d = *state;
    char *conf = xasprintf("%s/etc/pxstats.conf", d), *p;
    touch(p = xasprintf("%s/stats/pickles/amis/20261123/tx/pds5_01", d));
    free(p);
    touch(p = xasprintf("%s/stats/pickles/ncp1/20261123/rx/pds6_01", d));
    free(p);
    touch(p = xasprintf("%s/log/tx_amis.log.2026-11-22", d));
    free(p);
    pxs_atomic_write(conf, "[databases]\nmachineNames = pds5,pds7\n", 37);
    unsetenv("PXROOT");
    unsetenv("PXSTATS_CONF");
    if (pxs_config_load(&cfg, d, conf) != 0)
        return -1;
    free(conf);
    return 0;
}

static int teardown(void **state)
{
    pxs_config_free(&cfg);
    return testdir_remove(state);
}

static void list(pxs_strlist *l, const char *text)
{
    pxs_strlist_init(l);
    pxs_strlist_split(l, text, ',');
}

static void expect(int rc, const char *want)
{
    char *full = xasprintf(want, cfg.statsdir);
    assert_int_equal(rc, -1);
    assert_string_equal(pxs_error(), full);
    free(full);
}

static void test_snapshots(void **state)
{
    pxs_strlist c, m;

    (void)state;
    list(&c, "All");
    list(&m, "pds5");
    assert_int_equal(pxs_guard_snapshots(&cfg, PXS_TX, &c, &m), 0);
    pxs_strlist_free(&c);
    list(&c, "amis");
    assert_int_equal(pxs_guard_snapshots(&cfg, PXS_TX, &c, &m), 0);
    assert_int_equal(pxs_guard_snapshots(&cfg, PXS_TX, &c, NULL), 0);
    pxs_strlist_free(&c);
    /* Every missing name at once, with where it was looked for. */
    list(&c, "amis,amsi,sattnet");
    expect(pxs_guard_snapshots(&cfg, PXS_TX, &c, &m),
           "no tx snapshot of clients 'amsi', 'sattnet' under %s/pickles");
    pxs_strlist_free(&c);
    /* amis is a tx client: as an rx source it has nothing. */
    list(&c, "amis");
    expect(pxs_guard_snapshots(&cfg, PXS_RX, &c, NULL), "no rx snapshot of source 'amis' under %s/pickles");
    pxs_strlist_free(&m);
    /* pds6 has rx snapshots only; pds9 nothing. */
    list(&m, "pds5,pds6,pds9");
    expect(pxs_guard_snapshots(&cfg, PXS_TX, &c, &m),
           "no tx snapshot of machines 'pds6', 'pds9' for amis under %s/pickles");
    pxs_strlist_free(&c);
    list(&c, "All");
    expect(pxs_guard_snapshots(&cfg, PXS_TX, &c, &m),
           "no tx snapshot of machines 'pds6', 'pds9' under %s/pickles");
    pxs_strlist_free(&m);
    /* pds7 is named by the config: known though it has delivered nothing. */
    list(&m, "pds5,pds7");
    assert_int_equal(pxs_guard_snapshots(&cfg, PXS_TX, &c, &m), 0);
    pxs_strlist_free(&m);
    pxs_strlist_free(&c);
}

/* An empty file where the database of (t, client, group) goes: what the
 * guard looks for is that something is there. */
static void touch_db(pxs_filetype ft, pxs_dbtype t, const char *client, const char *group)
{
    char *path = pxs_rrd_path(cfg.statsdir, ft, t, client, group);
    char *dir = xstrdup(path);

    *strrchr(dir, '/') = '\0';
    assert_int_equal(pxs_mkdirs(dir), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    free(dir);
    free(path);
}

static void test_archive(void **state)
{
    pxs_strlist c;

    (void)state;
    list(&c, "All");
    expect(pxs_guard_archive(cfg.statsdir, PXS_TX, &c, "pds5pds6"),
           "no tx archive for machines 'pds5pds6': nothing matches %s/DATABASE-UPDATES/tx/*_pds5pds6");
    assert_int_equal(pxs_dbupdates_set(cfg.statsdir, PXS_TX, "amis", "pds5pds6", 1795392000), 0);
    assert_int_equal(pxs_guard_archive(cfg.statsdir, PXS_TX, &c, "pds5pds6"), 0);
    pxs_strlist_free(&c);
    /* A named client needs a database (of any type), fed or not. */
    list(&c, "amis");
    char *want = pxs_rrd_path("%s", PXS_TX, PXS_DB_LATENCY, "amis", "pds5pds6");
    char *msg = xasprintf("no tx archive of client 'amis' for machines 'pds5pds6' (no %s)", want);
    expect(pxs_guard_archive(cfg.statsdir, PXS_TX, &c, "pds5pds6"), msg);
    free(msg);
    free(want);
    touch_db(PXS_TX, PXS_DB_ERRORS, "amis", "pds5pds6");
    assert_int_equal(pxs_guard_archive(cfg.statsdir, PXS_TX, &c, "pds5pds6"), 0);
    pxs_strlist_free(&c);
    list(&c, "amis,nosuch");
    want = pxs_rrd_path("%s", PXS_TX, PXS_DB_LATENCY, "nosuch", "pds5pds6");
    msg = xasprintf("no tx archive of client 'nosuch' for machines 'pds5pds6' (no %s)", want);
    expect(pxs_guard_archive(cfg.statsdir, PXS_TX, &c, "pds5pds6"), msg);
    free(msg);
    free(want);
    pxs_strlist_free(&c);
    list(&c, "wxo");
    touch_db(PXS_TX, PXS_DB_LATENCY, "wxo", "pds5pds6");
    want = pxs_rrd_path("%s", PXS_RX, PXS_DB_BYTECOUNT, "wxo", "pds5pds6");
    msg = xasprintf("no rx archive of source 'wxo' for machines 'pds5pds6' (no %s)", want);
    /* rx has no latency database: a tx latency database is no rx archive. */
    expect(pxs_guard_archive(cfg.statsdir, PXS_RX, &c, "pds5pds6"), msg);
    free(msg);
    free(want);
    pxs_strlist_free(&c);
}

static void test_logs(void **state)
{
    pxs_strlist c;
    char *want;

    (void)state;
    list(&c, "amis");
    assert_int_equal(pxs_guard_logs(cfg.logdir, PXS_TX, &c), 0);
    assert_int_equal(pxs_guard_logs(cfg.logdir, PXS_RX, &c), -1);
    want = xasprintf("no rx log (rx_<name>.log*) of source 'amis' in %s", cfg.logdir);
    assert_string_equal(pxs_error(), want);
    free(want);
    pxs_strlist_free(&c);
    list(&c, "All");
    assert_int_equal(pxs_guard_logs("/nonexistent", PXS_TX, &c), 0);
    pxs_strlist_free(&c);
    list(&c, "amis");
    assert_int_equal(pxs_guard_logs("/nonexistent/pxs", PXS_TX, &c), -1);
    assert_non_null(strstr(pxs_error(), "/nonexistent/pxs"));
    pxs_strlist_free(&c);
    assert_true(pxs_guard_is_all(NULL));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_snapshots),
        T(test_archive),
        T(test_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
