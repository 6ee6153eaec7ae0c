/* Unit tests of the feed's convergence (rrdfeed.c): whatever arrives late,
 * changes, is repaired or is deleted, the databases end up as `rrdtool dump`
 * shows those of a reference fed once from the final snapshots; the hold-back
 * and its record; rebuilds from the kept snapshots and from a backup when
 * days were cleaned; stale hours when nothing older can be proven right;
 * refused snapshots; databases behind their state; a deleted database; two
 * groups with one name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/collector.h"
#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/rrdbackup.h"
#include "pxstats/rrdstore.h"
#include "pxstats/snapshot.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

#define T0 1160265600   /* 2006-10-08 00:00:00 */
#define H 3600

static char *live, *ref;   /* two stats trees: the one under test, a reference */

static char *mktree(const char *tag)
{
    char *d = xasprintf("/tmp/pxs-test-rrdfeed-%s.XXXXXX", tag);
    assert_non_null(mkdtemp(d));
    return d;
}

static int setup(void **state)
{
    (void)state;
    live = mktree("live");
    ref = mktree("ref");
    return 0;
}

static void rmtree(const char *d)
{
    char *argv[] = {"rm", "-rf", (char *)d, NULL};
    pxs_spawn(argv, NULL);
}

static int teardown(void **state)
{
    (void)state;
    rmtree(live);
    rmtree(ref);
    free(live);
    free(ref);
    return 0;
}

/* One hour of rows of a machine (seeded: the same seed, the same snapshot). */
static void snap(const char *stats, const char *client, const char *machine, int64_t start,
                 unsigned seed)
{
    pxs_hour h;
    pxs_hour_init(&h, client, machine, PXS_TX, start, 1, 15, PXS_T_ALL);
    srand(seed);
    int n = 50 + rand() % 200;
    for (int i = 0; i < n; i++)
        pxs_hour_add_row(&h, start + rand() % H, 1 + rand() % 5000, rand() % 40, "SACN31",
                         rand() % 30 == 0);
    pxs_hour_compute(&h);
    char *path = pxs_pickle_path(stats, client, start, PXS_TX, machine);
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    free(path);
    pxs_hour_free(&h);
}

static void unsnap(const char *stats, const char *client, const char *machine, int64_t start)
{
    char *path = pxs_pickle_path(stats, client, start, PXS_TX, machine);
    assert_int_equal(unlink(path), 0);
    free(path);
}

/* Hours [from, to) of machine in both trees, or only in one. */
static void snaps(const char *stats, const char *machine, int from, int to)
{
    for (int h = from; h < to; h++)
        snap(stats, "amis", machine, T0 + (int64_t)h * H, (unsigned)(h * 31 + machine[1]));
}

static int feed(const char *stats, const char *group, int64_t end, int wait, pxs_feed_stats *st)
{
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_split(&ms, group, ',');
    memset(st, 0, sizeof *st);
    int rc = pxs_rrd_feed(stats, "amis", PXS_TX, &ms, end, wait, st);
    pxs_strlist_free(&ms);
    return rc;
}

static char *dump(const char *stats, pxs_dbtype t, const char *group)
{
    char *db = pxs_rrd_path(stats, PXS_TX, t, "amis", group);
    char *argv[] = {"rrdtool", "dump", db, NULL};
    char *out = NULL;
    size_t len = 0;
    pxs_spawn_opts o = {.stdout_buf = &out, .stdout_len = &len};
    assert_int_equal(pxs_spawn(argv, &o), 0);
    free(db);
    return out;
}

/* Every database of the group in live equals ref's (rrdtool dump). */
static void same_archive(const char *group)
{
    for (int t = 0; t < PXS_DB_NTYPES; t++) {
        char *a = dump(live, (pxs_dbtype)t, group), *b = dump(ref, (pxs_dbtype)t, group);
        if (strcmp(a, b) != 0)
            fail_msg("%s database of amis_%s differs from the reference",
                     pxs_dbtype_name((pxs_dbtype)t), group);
        free(a);
        free(b);
    }
}

static void load_state(const char *stats, const char *group, pxs_feedstate *s)
{
    char *p = pxs_dbupdates_file(stats, PXS_TX, "amis", group);
    assert_int_equal(pxs_feedstate_load(p, s), 1);
    free(p);
}

/* A machine late by a cycle: held back, then fed complete. Late beyond the
 * wait: fed incomplete, recorded, then rebuilt when it arrives. */
static void test_hold_back_and_late(void **state)
{
    (void)state;
    pxs_feed_stats st;
    snaps(live, "m1", 0, 6);
    snaps(live, "m2", 0, 3);
    assert_int_equal(feed(live, "m1,m2", T0 + 6 * H, 2, &st), 1);
    assert_int_equal(st.held, 1);
    pxs_feedstate s;
    load_state(live, "m1m2", &s);
    assert_int_equal(s.fed, T0 + 4 * H);   /* hour 3 waited 2 h: fed incomplete */
    assert_int_equal(s.n, 4);
    assert_int_equal(s.h[2].status, PXS_FED_OK);
    assert_int_equal(s.h[3].status, PXS_FED_INCOMPLETE);
    assert_int_equal(s.h[3].src[1].state, PXS_SRC_ABSENT);
    pxs_feedstate_free(&s);
    pxs_feed_problems p;
    assert_int_equal(pxs_feed_problems_list(live, &p), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.v[0].client, "amis");
    assert_string_equal(p.v[0].group, "m1m2");
    assert_string_equal(p.v[0].missing, "m2");
    assert_int_equal(p.v[0].first, T0 + 3 * H);
    assert_int_equal(p.v[0].last, T0 + 3 * H);
    pxs_feed_problems_free(&p);
    /* m2 catches up: hours 4 and 5 now complete, hour 3 repaired. */
    snaps(live, "m2", 3, 6);
    assert_int_equal(feed(live, "m1,m2", T0 + 6 * H, 2, &st), 1);
    assert_int_equal(st.rebuilt, 1);
    assert_int_equal(st.held, 0);
    snaps(ref, "m1", 0, 6);
    snaps(ref, "m2", 0, 6);
    assert_int_equal(feed(ref, "m1,m2", T0 + 6 * H, 0, &st), 1);
    same_archive("m1m2");
    assert_int_equal(pxs_feed_problems_list(live, &p), 0);
    assert_int_equal(p.n, 0);
    pxs_feed_problems_free(&p);
    /* Rerun: nothing new, nothing rebuilt. */
    assert_int_equal(feed(live, "m1,m2", T0 + 6 * H, 2, &st), 0);
    assert_int_equal(st.rebuilt, 0);
}

/* A snapshot that changes, one that disappears, one older than the
 * databases: each converges (rebuilt from the kept snapshots). */
static void test_changes_converge(void **state)
{
    (void)state;
    pxs_feed_stats st;
    snaps(live, "m1", 2, 8);
    assert_int_equal(feed(live, "m1", T0 + 8 * H, 0, &st), 1);
    snap(live, "amis", "m1", T0 + 4 * H, 999);      /* repaired: other rows */
    unsnap(live, "amis", "m1", T0 + 6 * H);          /* deleted */
    snaps(live, "m1", 1, 2);                         /* older than the databases */
    assert_int_equal(feed(live, "m1", T0 + 8 * H, 0, &st), 1);
    assert_int_equal(st.rebuilt, 1);
    snaps(ref, "m1", 1, 8);
    snap(ref, "amis", "m1", T0 + 4 * H, 999);
    unsnap(ref, "amis", "m1", T0 + 6 * H);
    assert_int_equal(feed(ref, "m1", T0 + 8 * H, 0, &st), 1);
    same_archive("m1");
    /* The same bytes written again (a rerun of statsUpdater): no rebuild. */
    snap(live, "amis", "m1", T0 + 4 * H, 999);
    assert_int_equal(feed(live, "m1", T0 + 8 * H, 0, &st), 0);
    assert_int_equal(st.rebuilt, 0);
    /* A deleted database: rebuilt whole. */
    char *db = pxs_rrd_path(live, PXS_TX, PXS_DB_ERRORS, "amis", "m1");
    assert_int_equal(unlink(db), 0);
    free(db);
    assert_int_equal(feed(live, "m1", T0 + 8 * H, 0, &st), 1);
    assert_int_equal(st.rebuilt, 1);
    same_archive("m1");
}

/* Days cleaned: the kept snapshots no longer reach back to the databases'
 * creation, so a later change is rebuilt from the newest backup older than
 * it whose record matches; without one, the hours are marked stale. */
static void test_backup_and_stale(void **state)
{
    (void)state;
    pxs_feed_stats st;
    /* Day 1 and day 2 in both trees, fed on time. */
    snaps(live, "m1", 0, 48);
    snaps(ref, "m1", 0, 48);
    assert_int_equal(feed(live, "m1", T0 + 24 * H, 0, &st), 1);
    char *name = NULL;
    assert_int_equal(pxs_rrd_backup(live, T0 + 24 * H + 600, false, &name), 0);
    free(name);
    assert_int_equal(feed(live, "m1", T0 + 48 * H, 0, &st), 1);
    /* pickleClean removes day 1 from the live tree. */
    char *day1 = pxs_pickle_day_dir(live, "amis", T0);
    rmtree(day1);
    free(day1);
    /* Hour 30 is repaired: rebuilt from the backup (fed to day 2, 00:00). */
    snap(live, "amis", "m1", T0 + 30 * H, 4242);
    snap(ref, "amis", "m1", T0 + 30 * H, 4242);
    assert_int_equal(feed(live, "m1", T0 + 48 * H, 0, &st), 1);
    assert_int_equal(st.rebuilt, 1);
    assert_int_equal(st.stale, 0);
    assert_int_equal(feed(ref, "m1", T0 + 48 * H, 0, &st), 1);
    same_archive("m1");
    pxs_feedstate s;
    load_state(live, "m1", &s);
    assert_int_equal(s.h[0].hour, T0 + 24 * H);   /* day 1's records dropped */
    pxs_feedstate_free(&s);
    /* A change at hour 25 before... no: a change of day 2 when the only
     * backup is younger than it cannot be proven: make the backup newer. */
    assert_int_equal(pxs_rrd_backup(live, T0 + 48 * H + 600, false, &name), 0);
    free(name);
    char *old = xasprintf("%s/databases_backups/2006-10-09_00:10:00", live);
    rmtree(old);
    free(old);
    snap(live, "amis", "m1", T0 + 26 * H, 777);
    assert_int_equal(feed(live, "m1", T0 + 48 * H, 0, &st), 0);
    assert_int_equal(st.stale, 1);
    assert_int_equal(st.rebuilt, 0);
    load_state(live, "m1", &s);
    pxs_fed_hour *h = pxs_feedstate_find(&s, T0 + 26 * H);
    assert_non_null(h);
    assert_int_equal(h->status, PXS_FED_STALE);
    pxs_feedstate_free(&s);
    pxs_feed_problems p;
    assert_int_equal(pxs_feed_problems_list(live, &p), 0);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.v[0].status, PXS_FED_STALE);
    pxs_feed_problems_free(&p);
    /* Reported once: the next run has nothing to say. */
    assert_int_equal(feed(live, "m1", T0 + 48 * H, 0, &st), 0);
    assert_int_equal(st.stale, 0);
}

/* A snapshot that cannot be read is refused (counted: the run fails), held
 * back, then fed without; once repaired, the hour is fed from it. */
static void test_refused(void **state)
{
    (void)state;
    pxs_feed_stats st;
    snaps(live, "m1", 0, 4);
    snaps(ref, "m1", 0, 4);
    char *p = pxs_pickle_path(live, "amis", T0 + 2 * H, PXS_TX, "m1");
    size_t len;
    char *good = pxs_read_file(p, &len);
    assert_non_null(good);
    assert_int_equal(pxs_atomic_write(p, good, len / 2), 0);   /* cut short */
    assert_int_equal(feed(live, "m1", T0 + 4 * H, 3, &st), 1);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.held, 1);
    pxs_feedstate s;
    load_state(live, "m1", &s);
    assert_int_equal(s.fed, T0 + 2 * H);
    pxs_feedstate_free(&s);
    assert_int_equal(feed(live, "m1", T0 + 4 * H, 0, &st), 1);
    assert_int_equal(st.refused, 1);
    load_state(live, "m1", &s);
    assert_int_equal(s.h[2].status, PXS_FED_INCOMPLETE);
    assert_int_equal(s.h[2].src[0].state, PXS_SRC_UNREADABLE);
    pxs_feedstate_free(&s);
    /* Still there: refused again at the next run. */
    assert_int_equal(feed(live, "m1", T0 + 4 * H, 0, &st), 0);
    assert_int_equal(st.refused, 1);
    assert_int_equal(pxs_atomic_write(p, good, len), 0);
    assert_int_equal(feed(live, "m1", T0 + 4 * H, 0, &st), 1);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.rebuilt, 1);
    assert_int_equal(feed(ref, "m1", T0 + 4 * H, 0, &st), 1);
    same_archive("m1");
    free(good);
    free(p);
}

/* Databases that hold less than their state says (rrdcached lost queued
 * values; an old copy put back) are fed again from where they end. */
static void test_databases_behind(void **state)
{
    (void)state;
    pxs_feed_stats st;
    snaps(live, "m1", 0, 6);
    snaps(ref, "m1", 0, 6);
    assert_int_equal(feed(live, "m1", T0 + 3 * H, 0, &st), 1);
    char *saved[PXS_DB_NTYPES];
    size_t lens[PXS_DB_NTYPES];
    for (int t = 0; t < PXS_DB_NTYPES; t++) {
        char *db = pxs_rrd_path(live, PXS_TX, (pxs_dbtype)t, "amis", "m1");
        saved[t] = pxs_read_file(db, &lens[t]);
        free(db);
    }
    assert_int_equal(feed(live, "m1", T0 + 6 * H, 0, &st), 1);
    for (int t = 0; t < PXS_DB_NTYPES; t++) {
        char *db = pxs_rrd_path(live, PXS_TX, (pxs_dbtype)t, "amis", "m1");
        assert_int_equal(pxs_atomic_write(db, saved[t], lens[t]), 0);
        free(db);
        free(saved[t]);
    }
    assert_int_equal(feed(live, "m1", T0 + 6 * H, 0, &st), 1);
    assert_int_equal(feed(ref, "m1", T0 + 6 * H, 0, &st), 1);
    same_archive("m1");
}

/* Two groups making one name ("a,bc" and "ab,c"): the second is refused. */
static void test_name_clash(void **state)
{
    (void)state;
    pxs_feed_stats st;
    snap(live, "amis", "a", T0, 1);
    snap(live, "amis", "ab", T0, 2);
    assert_int_equal(feed(live, "a,bc", T0 + H, 0, &st), 1);
    assert_int_equal(feed(live, "ab,c", T0 + H, 0, &st), -1);
    assert_non_null(strstr(pxs_error(), "fed for the machines a,bc, not ab,c"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hold_back_and_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changes_converge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_and_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_databases_behind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_clash, setup, teardown),
    };
    pxs_set_progname("test_rrdfeed");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
