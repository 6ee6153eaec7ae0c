/* Unit tests of layout: the paths of the stats tree (DESIGN.md §4) for given
 * epochs, including hour and day boundaries and times before 1970. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pxstats/layout.h"
#include "pxstats/pxtime.h"
#include "pxstats/strlist.h"

/* 2006-10-08 12:34:56 UTC */
#define T2006 1160310896

static void expect_pickle(const char *stats, const char *client, int64_t t, pxs_filetype ft,
                          const char *machine, const char *want)
{
    char *p = pxs_pickle_path(stats, client, t, ft, machine);

    if (strcmp(p, want) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "pickle path of %lld: '%s', expected '%s'", (long long)t, p,
                 want);
        free(p);
        fail_msg("%s", msg);
    }
    free(p);
}

static void test_pickle_path(void **state)
{
    (void)state;
    expect_pickle("/apps/px/stats", "amis", T2006, PXS_TX, "pds5",
                  "/apps/px/stats/pickles/amis/20061008/tx/pds5_12");
    expect_pickle("/s", "src", T2006, PXS_RX, "pds6", "/s/pickles/src/20061008/rx/pds6_12");
    /* The whole hour maps to one file; the next second is the next hour. */
    expect_pickle("/s", "a", T2006 - 34 * 60 - 56, PXS_TX, "m", "/s/pickles/a/20061008/tx/m_12");
    expect_pickle("/s", "a", T2006 - 34 * 60 - 57, PXS_TX, "m", "/s/pickles/a/20061008/tx/m_11");
    expect_pickle("/s", "a", T2006 + 25 * 60 + 3, PXS_TX, "m", "/s/pickles/a/20061008/tx/m_12");
    expect_pickle("/s", "a", T2006 + 25 * 60 + 4, PXS_TX, "m", "/s/pickles/a/20061008/tx/m_13");
    /* Midnight: hour 00 of the new day; the second before: 23 of the old. */
    expect_pickle("/s", "a", 1160352000, PXS_TX, "m", "/s/pickles/a/20061009/tx/m_00");
    expect_pickle("/s", "a", 1160351999, PXS_TX, "m", "/s/pickles/a/20061008/tx/m_23");
    /* Year end, leap day, the epoch, before it, and after 2038. */
    expect_pickle("/s", "a", 1167609599, PXS_TX, "m", "/s/pickles/a/20061231/tx/m_23");
    expect_pickle("/s", "a", 1167609600, PXS_TX, "m", "/s/pickles/a/20070101/tx/m_00");
    expect_pickle("/s", "a", 1078012800 + 5 * 3600, PXS_RX, "m", "/s/pickles/a/20040229/rx/m_05");
    expect_pickle("/s", "a", 0, PXS_TX, "m", "/s/pickles/a/19700101/tx/m_00");
    expect_pickle("/s", "a", -1, PXS_TX, "m", "/s/pickles/a/19691231/tx/m_23");
    expect_pickle("/s", "a", 2147483648LL, PXS_TX, "m", "/s/pickles/a/20380119/tx/m_03");
    /* A merged group name is a machine name like any other. */
    expect_pickle("/s", "a", T2006, PXS_TX, "pds5pds6", "/s/pickles/a/20061008/tx/pds5pds6_12");
    /* A relative stats dir stays relative. */
    expect_pickle("stats", "a", T2006, PXS_TX, "m", "stats/pickles/a/20061008/tx/m_12");
}

static void test_day_dir(void **state)
{
    char *p;

    (void)state;
    p = pxs_pickle_day_dir("/apps/px/stats", "amis", T2006);
    assert_string_equal(p, "/apps/px/stats/pickles/amis/20061008");
    free(p);
    p = pxs_pickle_day_dir("/s", "amis", 1160352000 - 1);
    assert_string_equal(p, "/s/pickles/amis/20061008");
    free(p);
    p = pxs_pickle_day_dir("/s", "amis", 1160352000);
    assert_string_equal(p, "/s/pickles/amis/20061009");
    free(p);
    p = pxs_pickle_day_dir("/s", "x", -86400);
    assert_string_equal(p, "/s/pickles/x/19691231");
    free(p);
    p = pxs_pickle_day_dir("/s", "x", -86401);
    assert_string_equal(p, "/s/pickles/x/19691230");
    free(p);
    /* The day dir is the prefix of every pickle path of that day. */
    for (int h = 0; h < 24; h++) {
        int64_t t = 1160265600 + h * 3600 + 59;
        char *day = pxs_pickle_day_dir("/s", "c", t), *pk = pxs_pickle_path("/s", "c", t, PXS_RX, "m");
        assert_int_equal(strncmp(pk, day, strlen(day)), 0);
        assert_int_equal(pk[strlen(day)], '/');
        free(day);
        free(pk);
    }
}

static void test_stats_file(void **state)
{
    char *p;

    (void)state;
    p = pxs_stats_file("/apps/px/stats", "PICKLED-TIMES");
    assert_string_equal(p, "/apps/px/stats/PICKLED-TIMES");
    free(p);
    p = pxs_stats_file("/s", "DATABASE-UPDATES/tx/amis_pds5");
    assert_string_equal(p, "/s/DATABASE-UPDATES/tx/amis_pds5");
    free(p);
}

static void test_group_name(void **state)
{
    pxs_strlist l;
    char *g;

    (void)state;
    pxs_strlist_init(&l);
    pxs_strlist_split(&l, "pds5,pds6", ',');
    g = pxs_group_name(&l);
    assert_string_equal(g, "pds5pds6");
    free(g);
    pxs_strlist_free(&l);
    pxs_strlist_split(&l, "pds5", ',');
    g = pxs_group_name(&l);
    assert_string_equal(g, "pds5");
    free(g);
    pxs_strlist_free(&l);
    /* Order is kept: the config's order names the group. */
    pxs_strlist_split(&l, "pxatx, pds1 ,pds2", ',');
    g = pxs_group_name(&l);
    assert_string_equal(g, "pxatxpds1pds2");
    free(g);
    pxs_strlist_free(&l);
    g = pxs_group_name(&l);
    assert_string_equal(g, "");
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pickle_path),
        cmocka_unit_test(test_day_dir),
        cmocka_unit_test(test_stats_file),
        cmocka_unit_test(test_group_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
