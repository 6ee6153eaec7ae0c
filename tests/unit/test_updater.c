/* Unit tests of updater: hours cut, empty hours written, state committed,
 * the -n partial hour, and pxs_collect_window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pxstats/config.h"
#include "pxstats/layout.h"
#include "pxstats/snapshot.h"
#include "pxstats/state.h"
#include "pxstats/updater.h"

#define T0 1768003200 /* 2026-01-10 00:00:00 */

static char dir[] = "/tmp/pxs-updXXXXXX";
static pxs_config cfg;

static int setup(void **state)
{
    char *logdir, *path;
    FILE *f;
    (void)state;
    if (!mkdtemp(dir) || pxs_config_load(&cfg, dir, "/dev/null") != 0)
        return -1;
    logdir = cfg.logdir;
    if (asprintf(&path, "mkdir -p %s", logdir) < 0 || system(path) != 0)
        return -1;
    free(path);
    if (asprintf(&path, "%s/tx_c.log", logdir) < 0 || (f = fopen(path, "w")) == NULL)
        return -1;
    fputs("2026-01-10 00:10:00,000 [INFO] (100 Bytes) Bulletin A:b:c:d:e:f:20260110000940  delivered\n"
          "2026-01-10 00:10:30,000 [ERROR] refused\n"
          "[INFO] (x Bytes) junk\n"
          "2026-01-10 02:59:59,000 [INFO] (50 Bytes) Bulletin B:b:c:d:e:f:20260110025959  delivered\n"
          "2026-01-10 03:05:00,000 [INFO] (7 Bytes) Bulletin C:b:c:d:e:f:20260110030500  delivered\n", f);
    fclose(f);
    free(path);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    pxs_config_free(&cfg);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void opts(pxs_update_opts *o, int64_t date, bool now)
{
    memset(o, 0, sizeof *o);
    o->cfg = &cfg;
    o->machine = "m1";
    o->logdir = cfg.logdir;
    o->ft = PXS_TX;
    o->types = PXS_T_ALL;
    o->interval_min = 1;
    o->date = date;
    o->now = now;
    o->wait_lock = true;
}

static void read_hour(int64_t t, pxs_hour *h)
{
    char *path = pxs_pickle_path(cfg.statsdir, "c", t, PXS_TX, "m1");
    assert_int_equal(pxs_snapshot_read(path, h), 0);
    free(path);
}

static void collects_hours_and_state(void **state)
{
    pxs_update_opts o;
    pxs_strlist clients;
    pxs_times times;
    pxs_positions pos;
    pxs_hour h;
    int64_t t;
    (void)state;
    pxs_strlist_init(&clients);
    pxs_strlist_add(&clients, "c");
    /* First run: only the previous hour (no state yet). */
    opts(&o, T0 + 3600 + 120, false);
    assert_int_equal(pxs_update_clients(&o, &clients), 0);
    read_hour(T0, &h);
    assert_int_equal(h.buckets[10].nb_files, 1);
    assert_int_equal(h.buckets[10].errors, 1);
    assert_int_equal(h.malformed, 1);
    assert_true(h.buckets[10].latency.mean == 20);
    assert_int_equal(h.buckets[10].files_over_max_latency, 1);
    pxs_hour_free(&h);
    assert_int_equal(pxs_times_load(cfg.statsdir, &times), 0);
    assert_true(pxs_times_get(&times, "m1", PXS_TX, "c", &t));
    assert_int_equal(t, T0 + 3600);
    pxs_times_free(&times);
    /* Catch-up to 03:30 with -n: hours 01 (empty) and 02, and partial 03. */
    opts(&o, T0 + 3 * 3600 + 1800, true);
    assert_int_equal(pxs_update_clients(&o, &clients), 0);
    read_hour(T0 + 3600, &h);
    assert_int_equal(h.nrows, 0);
    pxs_hour_free(&h);
    read_hour(T0 + 2 * 3600, &h);
    assert_int_equal(h.buckets[59].nb_files, 1);
    assert_false(h.partial);
    pxs_hour_free(&h);
    read_hour(T0 + 3 * 3600, &h);
    assert_true(h.partial);
    assert_int_equal(h.buckets[5].nb_files, 1);
    pxs_hour_free(&h);
    /* The partial hour is not committed: the position stays before 03:05. */
    assert_int_equal(pxs_times_load(cfg.statsdir, &times), 0);
    assert_true(pxs_times_get(&times, "m1", PXS_TX, "c", &t));
    assert_int_equal(t, T0 + 3 * 3600);
    pxs_times_free(&times);
    assert_int_equal(pxs_positions_load(cfg.statsdir, &pos), 0);
    assert_int_equal(pos.n, 1);
    assert_int_equal(pos.e[0].offset, 90 + 40 + 22 + 89); /* before the 03:05 line */
    pxs_positions_free(&pos);
    pxs_strlist_free(&clients);
}

static void unknown_client_fails(void **state)
{
    pxs_update_opts o;
    pxs_strlist clients;
    (void)state;
    pxs_strlist_init(&clients);
    pxs_strlist_add(&clients, "nolog");
    opts(&o, T0 + 7200, false);
    assert_int_equal(pxs_update_clients(&o, &clients), 1);
    pxs_strlist_free(&clients);
}

static void window_from_logs(void **state)
{
    pxs_update_opts o;
    pxs_hour *hours;
    int n;
    (void)state;
    opts(&o, 0, false);
    assert_int_equal(pxs_collect_window(&o, "c", T0 + 2 * 3600, T0 + 3 * 3600 + 600, &hours, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(hours[0].buckets[59].nb_files, 1);
    assert_true(hours[1].partial);
    assert_int_equal(hours[1].buckets[5].nb_files, 1);
    for (int i = 0; i < n; i++)
        pxs_hour_free(&hours[i]);
    free(hours);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(collects_hours_and_state),
        cmocka_unit_test(unknown_client_fails),
        cmocka_unit_test(window_from_logs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
