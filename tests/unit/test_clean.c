/* Unit tests of clean: the cutoff, day names, and removal on a real tree
 * (what goes, what must stay: other names, files, links and their targets). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/clean.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* 2006-10-08 12:34:56 UTC and the midnights around it. */
#define NOW      1160310896
#define OCT08    1160265600
#define OCT04    (OCT08 - 4 * 86400)

static void test_cutoff(void **state)
{
    (void)state;
    assert_int_equal(pxs_clean_cutoff(NOW, 5), OCT04);
    assert_int_equal(pxs_clean_cutoff(NOW, 1), OCT08);
    assert_int_equal(pxs_clean_cutoff(OCT08, 2), OCT08 - 86400);
    /* Across a month and a year. */
    assert_int_equal(pxs_clean_cutoff(pxs_days_from_civil(2007, 1, 2) * 86400 + 5, 5),
                     pxs_days_from_civil(2006, 12, 29) * 86400);
}

static void test_day_names(void **state)
{
    int64_t day;

    (void)state;
    assert_true(pxs_clean_day_name("20061008", &day));
    assert_int_equal(day, OCT08);
    assert_true(pxs_clean_day_name("20040229", &day));
    assert_false(pxs_clean_day_name("20060229", &day));
    assert_false(pxs_clean_day_name("20060230", &day));
    assert_false(pxs_clean_day_name("20061399", &day));
    assert_false(pxs_clean_day_name("20061000", &day));
    assert_false(pxs_clean_day_name("2006100", &day));
    assert_false(pxs_clean_day_name("200610081", &day));
    assert_false(pxs_clean_day_name("2006100a", &day));
    assert_false(pxs_clean_day_name("2006-10-", &day));
    assert_false(pxs_clean_day_name("", &day));
}

/* A fresh stats directory under /tmp; returns it (to free and remove). */
static char *tmp_stats(void)
{
    char *dir = xstrdup("/tmp/pxs-test-clean.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void mkdirs(const char *stats, const char *rel)
{
    char *p = xasprintf("%s/%s", stats, rel);
    assert_int_equal(pxs_mkdirs(p), 0);
    free(p);
}

static void touch(const char *stats, const char *rel)
{
    char *p = xasprintf("%s/%s", stats, rel);
    assert_int_equal(pxs_atomic_write(p, "x", 1), 0);
    free(p);
}

static bool exists(const char *stats, const char *rel)
{
    struct stat st;
    char *p = xasprintf("%s/%s", stats, rel);
    bool r = lstat(p, &st) == 0;
    free(p);
    return r;
}

static void rm_rf(const char *dir)
{
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execvp("rm", argv);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

/* The tree of the removal tests. */
static void build_tree(const char *s, const char *outside)
{
    char *link, *target;

    mkdirs(s, "pickles/amis/20061001/tx");
    touch(s, "pickles/amis/20061001/tx/pds5_00");
    touch(s, "pickles/amis/20061001/tx/pds5pds6_13");
    mkdirs(s, "pickles/amis/20061001/rx");
    mkdirs(s, "pickles/amis/20061003/tx");
    mkdirs(s, "pickles/amis/20061004/tx");
    touch(s, "pickles/amis/20061004/tx/pds5_00");
    mkdirs(s, "pickles/amis/20061008/tx");
    mkdirs(s, "pickles/amis/20061009");            /* the future stays */
    mkdirs(s, "pickles/amis/2006100");             /* not 8 digits */
    mkdirs(s, "pickles/amis/20060230");            /* not a date */
    mkdirs(s, "pickles/amis/backup");
    touch(s, "pickles/amis/20060101");             /* a file, not a dir */
    touch(s, "pickles/amis/README");
    mkdirs(s, "pickles/.snapshot/20060101");       /* not a client name */
    mkdirs(s, "pickles/metser/20060930/rx");
    touch(s, "pickles/metser/20060930/rx/pds5_23");
    touch(s, "pickles/stray");                     /* a file among clients */
    /* A link named as an old day, and a link inside an old day: both point
     * outside, whose content must survive. */
    mkdirs(outside, "keep/sub");
    touch(outside, "keep/sub/precious");
    target = xasprintf("%s/keep", outside);
    link = xasprintf("%s/pickles/amis/20060102", s);
    assert_int_equal(symlink(target, link), 0);
    free(link);
    link = xasprintf("%s/pickles/amis/20061001/tx/link", s);
    assert_int_equal(symlink(target, link), 0);
    free(link);
    free(target);
}

static void test_remove(void **state)
{
    char *s = tmp_stats(), *o = tmp_stats();
    pxs_strlist removed;
    char *want;

    (void)state;
    build_tree(s, o);
    pxs_strlist_init(&removed);
    assert_int_equal(pxs_clean_pickles(s, NOW, 5, false, &removed), 0);
    assert_int_equal(removed.n, 3);
    want = xasprintf("%s/pickles/amis/20061001", s);
    assert_string_equal(removed.v[0], want);
    free(want);
    want = xasprintf("%s/pickles/amis/20061003", s);
    assert_string_equal(removed.v[1], want);
    free(want);
    want = xasprintf("%s/pickles/metser/20060930", s);
    assert_string_equal(removed.v[2], want);
    free(want);

    assert_false(exists(s, "pickles/amis/20061001"));
    assert_false(exists(s, "pickles/amis/20061003"));
    assert_false(exists(s, "pickles/metser/20060930"));
    assert_true(exists(s, "pickles/metser"));
    assert_true(exists(s, "pickles/amis/20061004/tx/pds5_00"));
    assert_true(exists(s, "pickles/amis/20061008/tx"));
    assert_true(exists(s, "pickles/amis/20061009"));
    assert_true(exists(s, "pickles/amis/2006100"));
    assert_true(exists(s, "pickles/amis/20060230"));
    assert_true(exists(s, "pickles/amis/backup"));
    assert_true(exists(s, "pickles/amis/20060101"));
    assert_true(exists(s, "pickles/amis/README"));
    assert_true(exists(s, "pickles/amis/20060102"));
    assert_true(exists(s, "pickles/.snapshot/20060101"));
    assert_true(exists(s, "pickles/stray"));
    assert_true(exists(o, "keep/sub/precious"));

    /* Nothing left to do: a second run removes nothing. */
    pxs_strlist_free(&removed);
    pxs_strlist_init(&removed);
    assert_int_equal(pxs_clean_pickles(s, NOW, 5, false, &removed), 0);
    assert_int_equal(removed.n, 0);
    pxs_strlist_free(&removed);
    rm_rf(s);
    rm_rf(o);
    free(s);
    free(o);
}

static void test_dry_run_and_keep(void **state)
{
    char *s = tmp_stats(), *o = tmp_stats();
    pxs_strlist removed;

    (void)state;
    build_tree(s, o);
    pxs_strlist_init(&removed);
    assert_int_equal(pxs_clean_pickles(s, NOW, 5, true, &removed), 0);
    assert_int_equal(removed.n, 3);
    assert_true(exists(s, "pickles/amis/20061001/tx/pds5_00"));
    assert_true(exists(s, "pickles/metser/20060930/rx/pds5_23"));
    pxs_strlist_free(&removed);

    /* -k 1 keeps only today; -k 9 keeps everything here. */
    pxs_strlist_init(&removed);
    assert_int_equal(pxs_clean_pickles(s, NOW, 9, false, &removed), 0);
    assert_int_equal(removed.n, 0);
    assert_int_equal(pxs_clean_pickles(s, NOW, 1, false, &removed), 0);
    assert_int_equal(removed.n, 4);
    assert_false(exists(s, "pickles/amis/20061004"));
    assert_true(exists(s, "pickles/amis/20061008"));
    assert_true(exists(s, "pickles/amis/20061009"));
    assert_true(exists(o, "keep/sub/precious"));
    pxs_strlist_free(&removed);
    rm_rf(s);
    rm_rf(o);
    free(s);
    free(o);
}

static void test_missing_and_bad(void **state)
{
    char *s = tmp_stats();
    pxs_strlist removed;

    (void)state;
    pxs_strlist_init(&removed);
    /* No pickles directory: nothing to do. */
    assert_int_equal(pxs_clean_pickles(s, NOW, 5, false, &removed), 0);
    assert_int_equal(removed.n, 0);
    /* pickles is a file: an error naming it. */
    touch(s, "pickles");
    assert_int_equal(pxs_clean_pickles(s, NOW, 5, false, &removed), -1);
    assert_non_null(strstr(pxs_error(), "/pickles"));
    assert_non_null(strstr(pxs_error(), "Not a directory"));
    pxs_strlist_free(&removed);
    rm_rf(s);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cutoff),
        cmocka_unit_test(test_day_names),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_dry_run_and_keep),
        cmocka_unit_test(test_missing_and_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
