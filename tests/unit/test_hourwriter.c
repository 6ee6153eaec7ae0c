/* Unit tests of hourwriter: hours of every size (through the encoder thread,
 * in place, spilled) land in the batch in order with the bytes of
 * pxs_snapshot_encode; the hour in flight is dropped on request; a snapshot
 * that cannot be written fails the publish with the path named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxstats/hourwriter.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/snapshot.h"
#include "testdir.h"

#define H0 1768003200 /* 2026-01-10 00:00:00 */

/* An hour of n rows (in time order) starting at start. */
static void make_hour(pxs_hour *h, int64_t start, int n)
{
    char name[96];

    pxs_hour_init(h, "c", "m1", PXS_TX, start, 1, 15, PXS_T_ALL);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "SACN%02d_CWAO_%06d:file:CWAO:SA:3:Direct:20260110%06d",
                 i % 40, i, i % 10000);
        pxs_hour_add_row(h, start + (int64_t)i * 3600 / n, 100 + i, i % 30, name, i % 91 == 0);
    }
    pxs_hour_note_file(h, "/apps/px/log/tx_c.log");
    pxs_hour_compute(h);
}

/* The snapshot under dir for the hour at start equals the encoding of an
 * hour made the same way. */
static void check_file(const char *dir, int64_t start, int n)
{
    char *path = pxs_pickle_path(dir, "c", start, PXS_TX, "m1");
    pxs_hour h;
    unsigned char *want;
    size_t wlen, glen;
    char *got = pxs_read_file(path, &glen);

    assert_non_null(got);
    make_hour(&h, start, n);
    pxs_snapshot_encode(&h, &want, &wlen);
    assert_int_equal(glen, wlen);
    assert_memory_equal(got, want, wlen);
    pxs_hour_free(&h);
    free(want);
    free(got);
    free(path);
}

static void sizes_in_order(void **state)
{
    const char *dir = *state;
    pxs_abatch batch;
    pxs_hourwriter w;
    const int rows[] = {10, 0, 60000, 20, 70000, 5};
    pxs_hourspill *spill;

    pxs_abatch_init(&batch);
    pxs_hourwriter_init(&w, &batch, dir, "c", PXS_TX, "m1");
    for (int i = 0; i < 6; i++) {
        pxs_hour h;
        make_hour(&h, H0 + i * 3600, rows[i]);
        spill = NULL;
        if (rows[i] == 70000) {
            /* A spilled hour: its rows taken into the spill first. */
            spill = pxs_hourspill_open(dir, h.start);
            assert_non_null(spill);
            pxs_hourspill_take(spill, &h);
        }
        assert_int_equal(pxs_hourwriter_publish(&w, &h, spill), 0);
        pxs_hourspill_free(spill);
        pxs_hour_free(&h);
    }
    assert_int_equal(pxs_hourwriter_end(&w, true), 0);
    assert_int_equal(pxs_abatch_mark(&batch), 6);
    /* Published in the order given. */
    for (int i = 0; i < 6; i++) {
        char *path = pxs_pickle_path(dir, "c", H0 + i * 3600, PXS_TX, "m1");
        assert_string_equal(batch.final.v[i], path);
        free(path);
    }
    assert_int_equal(pxs_abatch_commit(&batch), 0);
    for (int i = 0; i < 6; i++)
        check_file(dir, H0 + i * 3600, rows[i]);
}

static void end_drops_the_hour_in_flight(void **state)
{
    const char *dir = *state;
    pxs_abatch batch;
    pxs_hourwriter w;
    pxs_hour h;

    pxs_abatch_init(&batch);
    pxs_hourwriter_init(&w, &batch, dir, "c", PXS_TX, "m1");
    make_hour(&h, H0, 100);
    assert_int_equal(pxs_hourwriter_publish(&w, &h, NULL), 0);
    pxs_hour_free(&h);
    assert_int_equal(pxs_hourwriter_end(&w, false), 0);
    assert_int_equal(pxs_abatch_mark(&batch), 0);
    pxs_abatch_abort(&batch);
}

static void unwritable_snapshot_fails(void **state)
{
    const char *dir = *state;
    char *blocker = NULL;
    pxs_abatch batch;
    pxs_hourwriter w;
    pxs_hour h;
    FILE *f;

    /* A file where the client's directory of snapshots should be. */
    assert_true(asprintf(&blocker, "%s/pickles/c", dir) > 0);
    {
        char *pickles = NULL;
        assert_true(asprintf(&pickles, "%s/pickles", dir) > 0);
        assert_int_equal(pxs_mkdirs(pickles), 0);
        free(pickles);
    }
    f = fopen(blocker, "w");
    assert_non_null(f);
    fclose(f);
    pxs_abatch_init(&batch);
    pxs_hourwriter_init(&w, &batch, dir, "c", PXS_TX, "m1");
    make_hour(&h, H0, 100);
    /* Handed to the thread: the failure shows when it is written. */
    assert_int_equal(pxs_hourwriter_publish(&w, &h, NULL), 0);
    pxs_hour_free(&h);
    assert_int_equal(pxs_hourwriter_end(&w, true), -1);
    assert_non_null(strstr(pxs_error(), "pickles/c"));
    assert_int_equal(pxs_abatch_mark(&batch), 0);
    pxs_abatch_abort(&batch);
    free(blocker);
}

static int setup(void **state)
{
    return testdir_make(state, "hourwriter");
}

static int teardown(void **state)
{
    return testdir_remove(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sizes_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(end_drops_the_hour_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(unwritable_snapshot_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
