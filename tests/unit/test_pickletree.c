/* Unit tests of pickletree: snapshot names, the days of a client by file
 * type (sorted, odd entries ignored), the clients of a file type, the newest
 * snapshot of a machine (a merged group's file is not one of its machines'). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/pickletree.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

#define DAY23 1795392000   /* 2026-11-23 00:00:00 */

static void touch(const char *dir, const char *rel)
{
    char *p = xasprintf("%s/pickles/%s", dir, rel);
    assert_int_equal(pxs_atomic_write(p, "", 0), 0);
    free(p);
}

static int setup(void **state)
{
    if (testdir_make(state, "pickletree") != 0)
        return -1;
    const char *d = *state;
    touch(d, "amis/20261123/tx/pds5_00");
    touch(d, "amis/20261123/tx/pds5_07");
    touch(d, "amis/20261123/tx/pds5pds6_09");
    touch(d, "amis/20261121/tx/pds6_23");
    touch(d, "amis/20261124/tx/pds6_01");
    touch(d, "amis/notaday/tx/pds5_10");
    touch(d, "amis/20261199/tx/pds5_10");      /* no such day */
    touch(d, "ncp1/20261123/rx/pds5_04");
    touch(d, "both/20261122/tx/pds5_02");
    touch(d, "both/20261123/rx/pds5_03");
    touch(d, ".hidden/20261123/tx/pds5_02");   /* not a client name */
    return 0;
}

static void test_name_hour(void **state)
{
    size_t ml = 0;
    (void)state;
    assert_int_equal(pxs_pickle_name_hour("pds5_07", &ml), 7);
    assert_int_equal(ml, 4);
    assert_int_equal(pxs_pickle_name_hour("pds5pds6_23", &ml), 23);
    assert_int_equal(ml, 8);
    assert_int_equal(pxs_pickle_name_hour("a_b_00", &ml), 0);
    assert_int_equal(ml, 3);
    assert_int_equal(pxs_pickle_name_hour("pds5_24", &ml), -1);
    assert_int_equal(pxs_pickle_name_hour("pds5_7", &ml), -1);
    assert_int_equal(pxs_pickle_name_hour("_07", &ml), -1);
    assert_int_equal(pxs_pickle_name_hour("pds5-07", &ml), -1);
    assert_int_equal(pxs_pickle_name_hour(".pds5_07.XXXXXX", &ml), -1);
}

static void test_days(void **state)
{
    int64_t *days;
    size_t n;

    assert_int_equal(pxs_pickle_days(*state, "amis", PXS_TX, &days, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(days[0], DAY23 - 2 * PXS_DAY);
    assert_int_equal(days[1], DAY23);
    assert_int_equal(days[2], DAY23 + PXS_DAY);
    free(days);
    assert_int_equal(pxs_pickle_days(*state, "amis", PXS_RX, &days, &n), 0);
    assert_int_equal(n, 0);
    free(days);
    assert_int_equal(pxs_pickle_days(*state, "nobody", PXS_TX, &days, &n), 0);
    assert_int_equal(n, 0);
    free(days);
}

static void test_clients(void **state)
{
    pxs_strlist l;

    pxs_strlist_init(&l);
    assert_int_equal(pxs_pickle_clients(*state, PXS_TX, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0], "amis");
    assert_string_equal(l.v[1], "both");
    pxs_strlist_free(&l);
    assert_int_equal(pxs_pickle_clients(*state, PXS_RX, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0], "both");
    assert_string_equal(l.v[1], "ncp1");
    pxs_strlist_free(&l);
    /* No pickles/ at all: no client, no error. */
    assert_int_equal(pxs_pickle_clients("/nonexistent/pxs", PXS_TX, &l), 0);
    assert_int_equal(l.n, 0);
}

static void test_newest(void **state)
{
    int64_t h = 0;
    pxs_strlist amis;

    assert_int_equal(pxs_pickle_newest(*state, PXS_TX, NULL, "pds5", &h), 1);
    assert_int_equal(h, DAY23 + 7 * PXS_HOUR);
    assert_int_equal(pxs_pickle_newest(*state, PXS_TX, NULL, "pds6", &h), 1);
    assert_int_equal(h, DAY23 + PXS_DAY + PXS_HOUR);
    /* The merged group is a machine of its own name only. */
    assert_int_equal(pxs_pickle_newest(*state, PXS_TX, NULL, "pds5pds6", &h), 1);
    assert_int_equal(h, DAY23 + 9 * PXS_HOUR);
    assert_int_equal(pxs_pickle_newest(*state, PXS_TX, NULL, "pds", &h), 0);
    assert_int_equal(pxs_pickle_newest(*state, PXS_RX, NULL, "pds6", &h), 0);
    assert_int_equal(pxs_pickle_newest(*state, PXS_RX, NULL, "pds5", &h), 1);
    assert_int_equal(h, DAY23 + 4 * PXS_HOUR);
    /* Among some clients only. */
    pxs_strlist_init(&amis);
    pxs_strlist_add(&amis, "both");
    assert_int_equal(pxs_pickle_newest(*state, PXS_TX, &amis, "pds5", &h), 1);
    assert_int_equal(h, DAY23 - PXS_DAY + 2 * PXS_HOUR);
    assert_int_equal(pxs_pickle_newest(*state, PXS_TX, &amis, "pds6", &h), 0);
    pxs_strlist_free(&amis);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, testdir_remove)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_hour),
        T(test_days),
        T(test_clients),
        T(test_newest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
