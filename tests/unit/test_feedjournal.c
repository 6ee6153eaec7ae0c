/* Unit tests of feedjournal: the ranges journaled before a librrd update
 * cover every byte the update writes (undoing restores the file exactly, for
 * updates of one minute to beyond every archive's length, from databases
 * created at any minute); whole files and absent files; the recovery's three
 * cases (committed, not committed, cut short); every journal of a tree. */
#include <math.h>
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
#include "pxstats/feedjournal.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/rrdstore.h"
#include "pxstats/xalloc.h"
#include "testdir.h"

#define T0 1160265600   /* 2006-10-08 00:00:00 */

static int setup(void **state) { return testdir_make(state, "journal"); }
static int teardown(void **state) { return testdir_remove(state); }

/* Feeds n minutes of values after the database's last update. */
static void feed_minutes(const char *db, int64_t last, int64_t n, unsigned seed)
{
    int64_t *t = xmalloc((size_t)n * sizeof *t);
    double *v = xmalloc((size_t)n * sizeof *v);
    srand(seed);
    for (int64_t i = 0; i < n; i++) {
        t[i] = last + (i + 1) * 60;
        v[i] = rand() % 7 == 0 ? NAN : (double)(rand() % 1000);
    }
    assert_int_equal(pxs_rrd_update_ex(db, (size_t)n, t, v, NULL, true), 0);
    free(t);
    free(v);
}

static char *slurp(const char *path, size_t *len)
{
    char *b = pxs_read_file(path, len);
    assert_non_null(b);
    return b;
}

/* Journal, update, undo: the file is back byte for byte, whatever the
 * database's age, the minute it was created at and the length of the
 * update (from one minute to more than the 5-day minute archive). */
static void test_ranges_cover_every_update(void **state)
{
    const char *dir = *state;
    static const int64_t lengths[] = {1, 59, 60, 61, 239, 1440, 1441, 7199, 7201, 8000, 20000};
    for (unsigned trial = 0; trial < 2 * sizeof lengths / sizeof lengths[0]; trial++) {
        char rel[64];
        snprintf(rel, sizeof rel, "databases/tx/filecount/c%u_m1", trial);
        char *db = pxs_stats_file(dir, rel);
        int64_t created = T0 + (int64_t)(trial * 37 % 1440) * 60;
        assert_int_equal(pxs_rrd_create_ex(db, PXS_DB_FILECOUNT, created, true), 0);
        int64_t before_n = 1 + (int64_t)(trial * 997 % 5000);
        feed_minutes(db, created, before_n, trial);
        size_t l0, l1, l2;
        char *b0 = slurp(db, &l0);
        int64_t last = created + before_n * 60, n = lengths[trial % (sizeof lengths / sizeof lengths[0])];
        pxs_journal j;
        pxs_journal_init(&j);
        assert_int_equal(pxs_journal_add_db(&j, dir, rel, last + n * 60, false), 0);
        /* The journal holds ranges, not the file: a few kilobytes per day. */
        if (n <= 1440)
            assert_true(j.len < 40000);
        feed_minutes(db, last, n, trial + 100);
        char *b1 = slurp(db, &l1);
        assert_int_equal(l0, l1);
        assert_true(memcmp(b0, b1, l0) != 0);
        assert_int_equal(pxs_journal_undo(&j, dir), 0);
        char *b2 = slurp(db, &l2);
        assert_int_equal(l0, l2);
        if (memcmp(b0, b2, l0) != 0)
            fail_msg("trial %u (%lld minutes after %lld): the undo left a difference", trial,
                     (long long)n, (long long)before_n);
        pxs_journal_free(&j);
        free(b0);
        free(b1);
        free(b2);
        free(db);
    }
}

/* Writes text as the state file; returns its CRC. */
static uint32_t put_state(const char *dir, const char *text)
{
    char *p = pxs_stats_file(dir, "DATABASE-UPDATES/tx/c_m1");
    assert_int_equal(pxs_atomic_write(p, text, strlen(text)), 0);
    free(p);
    return pxs_journal_crc(text, strlen(text));
}

static void test_recovery(void **state)
{
    const char *dir = *state;
    const char *rel = "databases/tx/errors/c_m1", *newrel = "databases/tx/latency/c_m1";
    char *db = pxs_stats_file(dir, rel), *newdb = pxs_stats_file(dir, newrel);
    char *jpath = pxs_feed_journal_path(dir, PXS_TX, "c", "m1");
    char *spath = pxs_dbupdates_file(dir, PXS_TX, "c", "m1");
    assert_int_equal(pxs_rrd_create_ex(db, PXS_DB_ERRORS, T0, true), 0);
    feed_minutes(db, T0, 90, 1);
    size_t l0, l;
    char *b0 = slurp(db, &l0);
    put_state(dir, "2006-10-08 01:30:00\n");
    uint32_t commit = pxs_journal_crc("2006-10-08 02:30:00\n", 20);

    /* Not committed: the databases go back, the new one is removed. */
    pxs_journal j;
    pxs_journal_init(&j);
    assert_int_equal(pxs_journal_add_db(&j, dir, rel, T0 + 150 * 60, false), 0);
    assert_int_equal(pxs_journal_add_db(&j, dir, newrel, T0 + 150 * 60, false), 0);
    assert_int_equal(j.n, 2);
    assert_int_equal(pxs_journal_write(&j, jpath, commit), 0);
    feed_minutes(db, T0 + 90 * 60, 60, 2);
    assert_int_equal(pxs_rrd_create_ex(newdb, PXS_DB_LATENCY, T0, true), 0);
    assert_int_equal(pxs_journal_recover(dir, jpath, spath), 1);
    char *b = slurp(db, &l);
    assert_int_equal(l, l0);
    assert_memory_equal(b, b0, l0);
    free(b);
    assert_int_not_equal(access(newdb, F_OK), 0);
    assert_int_not_equal(access(jpath, F_OK), 0);
    /* Nothing to recover: 0. */
    assert_int_equal(pxs_journal_recover(dir, jpath, spath), 0);

    /* Committed: the state is the journal's; nothing is put back. */
    assert_int_equal(pxs_journal_write(&j, jpath, commit), 0);
    feed_minutes(db, T0 + 90 * 60, 60, 2);
    char *b1 = slurp(db, &l);
    put_state(dir, "2006-10-08 02:30:00\n");
    assert_int_equal(pxs_journal_recover(dir, jpath, spath), 2);
    b = slurp(db, &l);
    assert_memory_equal(b, b1, l);
    free(b);
    assert_int_not_equal(access(jpath, F_OK), 0);

    /* Cut short while being written (killed before any database was
     * touched): removed, nothing put back. */
    put_state(dir, "2006-10-08 01:30:00\n");
    assert_int_equal(pxs_journal_write(&j, jpath, commit), 0);
    struct stat st;
    assert_int_equal(stat(jpath, &st), 0);
    assert_int_equal(truncate(jpath, st.st_size / 2), 0);
    assert_int_equal(pxs_journal_recover(dir, jpath, spath), 2);
    b = slurp(db, &l);
    assert_memory_equal(b, b1, l);
    free(b);
    assert_int_not_equal(access(jpath, F_OK), 0);

    /* A whole-file entry (a rebuild) puts back a replaced or removed file. */
    pxs_journal w;
    pxs_journal_init(&w);
    assert_int_equal(pxs_journal_add_db(&w, dir, rel, 0, true), 0);
    assert_int_equal(pxs_journal_write(&w, jpath, commit), 0);
    assert_int_equal(unlink(db), 0);
    assert_int_equal(pxs_journal_recover_all(dir), 1);
    b = slurp(db, &l);
    assert_int_equal(l, l0);
    assert_memory_equal(b, b1, l);
    free(b);

    /* A journal naming a path outside the tree is refused, not acted on. */
    pxs_journal bad;
    pxs_journal_init(&bad);
    char *outside = pxs_stats_file(dir, "outside");
    assert_int_equal(pxs_atomic_write(outside, "x", 1), 0);
    assert_int_equal(pxs_journal_add_db(&bad, dir, "outside", 0, true), 0);
    /* The relative path is rewritten by hand to climb out. */
    memcpy(bad.buf + 4, "../x/xx", 7);
    assert_int_equal(pxs_journal_write(&bad, jpath, commit), 0);
    assert_int_equal(pxs_journal_recover(dir, jpath, spath), -1);
    assert_non_null(strstr(pxs_error(), "journal"));
    assert_int_equal(unlink(jpath), 0);

    pxs_journal_free(&bad);
    pxs_journal_free(&w);
    pxs_journal_free(&j);
    free(outside);
    free(b0);
    free(b1);
    free(db);
    free(newdb);
    free(jpath);
    free(spath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ranges_cover_every_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery, setup, teardown),
    };
    pxs_set_progname("test_feedjournal");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
