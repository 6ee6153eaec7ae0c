/* Unit tests of fileversions: the rebuild decision (rebuilt when a source
 * changed, appeared or disappeared, never otherwise), FILE_VERSIONS on disk,
 * and pxs_merge_build on a real tree. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/fileversions.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

/* 2006-10-08 12:00:00 UTC */
#define H12 1160308800

static pxs_fv_source src(const char *path, int64_t sec, long nsec, uint64_t size, uint32_t crc)
{
    pxs_fv_source s = {.path = (char *)path, .mtime_sec = sec, .mtime_nsec = nsec,
                       .size = size, .crc = crc};
    return s;
}

static void test_decisions(void **state)
{
    (void)state;
    pxs_fileversions fv = {0};
    const char *m = "pickles/amis/20061008/tx/m1m2_12";
    pxs_fv_source cur[3] = {
        src("pickles/amis/20061008/tx/m1_12", 1000, 5, 300, 0xdeadbeef),
        src("pickles/amis/20061008/tx/m2_12", 1001, 0, 200, 0x01020304),
        src("pickles/amis/20061008/tx/m3_12", 1002, 0, 100, 0x0a0b0c0d),
    };
    /* Nothing recorded: build. */
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, cur, 2));
    pxs_fv_record(&fv, m, cur, 2);
    assert_int_equal(fv.n, 2);
    /* Unchanged, in any order: never rebuilt. */
    assert_false(pxs_fv_needs_rebuild(&fv, m, true, cur, 2));
    pxs_fv_source swapped[2] = {cur[1], cur[0]};
    assert_false(pxs_fv_needs_rebuild(&fv, m, true, swapped, 2));
    /* ... unless the merged snapshot itself is gone. */
    assert_true(pxs_fv_needs_rebuild(&fv, m, false, cur, 2));
    /* Each of mtime (to the nanosecond), size and checksum counts. */
    pxs_fv_source c2[2] = {cur[0], cur[1]};
    c2[0].mtime_nsec = 6;
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, c2, 2));
    c2[0] = cur[0];
    c2[0].mtime_sec = 999;
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, c2, 2));
    c2[0] = cur[0];
    c2[1].size = 201;
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, c2, 2));
    c2[1] = cur[1];
    c2[1].crc ^= 1;
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, c2, 2));
    /* A machine appeared, or disappeared. */
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, cur, 3));
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, cur, 1));
    assert_true(pxs_fv_needs_rebuild(&fv, m, true, cur + 1, 1));
    /* Another merged snapshot's record says nothing about this one. */
    assert_true(pxs_fv_needs_rebuild(&fv, "pickles/amis/20061008/tx/m1m2_13", true, cur, 2));

    /* Recording again replaces the lines of that merged snapshot only. */
    pxs_fv_record(&fv, "other", cur + 2, 1);
    pxs_fv_record(&fv, m, cur, 3);
    assert_int_equal(fv.n, 4);
    assert_false(pxs_fv_needs_rebuild(&fv, m, true, cur, 3));
    assert_false(pxs_fv_needs_rebuild(&fv, "other", true, cur + 2, 1));
    pxs_fv_free(&fv);
}

static char *tmpdir(void)
{
    char *d = xstrdup("/tmp/pxs-test-fv.XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void rmtree(const char *d)
{
    char *cmd = xasprintf("rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void test_file_roundtrip(void **state)
{
    (void)state;
    char *stats = tmpdir();
    pxs_fileversions fv;
    assert_int_equal(pxs_fv_load(stats, &fv), 0);   /* missing: empty */
    assert_int_equal(fv.n, 0);
    pxs_fv_source a[2] = {src("pickles/odd name/x_1", 1160308800, 123456789, 42, 0xcafe0001),
                          src("pickles/b%c/y_1", 5, 0, 0, 0)};
    pxs_fv_record(&fv, "pickles/z/m1m2_1", a, 2);
    pxs_fv_record(&fv, "pickles/a/m1m2_1", a + 1, 1);
    assert_int_equal(pxs_fv_save(stats, &fv), 0);
    pxs_fv_free(&fv);

    char *path = pxs_stats_file(stats, "FILE_VERSIONS");
    size_t len;
    char *text = pxs_read_file(path, &len);
    assert_non_null(text);
    /* Sorted, escaped, human-readable. */
    assert_non_null(strstr(text, "pickles/a/m1m2_1 pickles/b%25c/y_1 5.000000000 0 00000000\n"));
    assert_non_null(strstr(text, "pickles/z/m1m2_1 pickles/odd%20name/x_1 1160308800.123456789 42 "
                                 "cafe0001\n"));
    assert_true(strstr(text, "pickles/a/") < strstr(text, "pickles/z/"));
    free(text);

    assert_int_equal(pxs_fv_load(stats, &fv), 0);
    assert_int_equal(fv.n, 3);
    assert_true(fv.sorted);
    assert_false(pxs_fv_needs_rebuild(&fv, "pickles/z/m1m2_1", true, a, 2));
    assert_false(pxs_fv_needs_rebuild(&fv, "pickles/a/m1m2_1", true, a + 1, 1));
    assert_true(pxs_fv_needs_rebuild(&fv, "pickles/m/m1m2_1", true, a + 1, 1));

    /* A table of updates merged in: z replaced, m added, a kept. */
    pxs_fileversions upd = {0};
    pxs_fv_record(&upd, "pickles/z/m1m2_1", a + 1, 1);
    pxs_fv_record(&upd, "pickles/m/m1m2_1", a, 2);
    pxs_fv_merge(&fv, &upd);
    assert_int_equal(upd.n, 0);
    assert_int_equal(fv.n, 4);
    assert_true(fv.sorted);
    assert_string_equal(fv.e[0].merged, "pickles/a/m1m2_1");
    assert_string_equal(fv.e[3].merged, "pickles/z/m1m2_1");
    assert_false(pxs_fv_needs_rebuild(&fv, "pickles/z/m1m2_1", true, a + 1, 1));
    assert_true(pxs_fv_needs_rebuild(&fv, "pickles/z/m1m2_1", true, a, 2));
    assert_false(pxs_fv_needs_rebuild(&fv, "pickles/m/m1m2_1", true, a, 2));
    assert_false(pxs_fv_needs_rebuild(&fv, "pickles/a/m1m2_1", true, a + 1, 1));
    pxs_fv_free(&fv);

    /* An edited line that does not parse is an error naming file and line. */
    static const char *const bad[] = {
        "# comment\nm s 1.000000000 2\n",
        "m s 1.5 2 00000000\n",
        "m s 1.000000000 -2 00000000\n",
        "m s 1.000000000 2 xyz\n",
        "m s x.000000000 2 00000000\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(pxs_atomic_write(path, bad[i], strlen(bad[i])), 0);
        assert_int_equal(pxs_fv_load(stats, &fv), -1);
        assert_non_null(strstr(pxs_error(), "FILE_VERSIONS:"));
        assert_int_equal(fv.n, 0);
    }
    free(path);
    rmtree(stats);
    free(stats);
}

/* Writes one machine's snapshot of amis tx at hour t with n rows. */
static void write_snap(const char *stats, const char *machine, int64_t t, int n, int64_t bytes)
{
    pxs_hour h;
    pxs_hour_init(&h, "amis", machine, PXS_TX, t, 1, 15, PXS_T_ALL);
    for (int i = 0; i < n; i++)
        pxs_hour_add_row(&h, t + 7 * i, bytes + i, i % 20, "P", false);
    char *path = pxs_pickle_path(stats, "amis", t, PXS_TX, machine);
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    free(path);
    pxs_hour_free(&h);
}

static void test_describe(void **state)
{
    (void)state;
    char *stats = tmpdir();
    pxs_fv_source s;
    assert_int_equal(pxs_fv_describe(stats, "pickles/amis/20061008/tx/m1_12", &s), 1);
    write_snap(stats, "m1", H12, 10, 100);
    assert_int_equal(pxs_fv_describe(stats, "pickles/amis/20061008/tx/m1_12", &s), 0);
    char *path = pxs_pickle_path(stats, "amis", H12, PXS_TX, "m1");
    uint32_t crc;
    struct stat st;
    assert_int_equal(pxs_snapshot_checksum(path, &crc), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(s.crc, crc);
    assert_int_equal(s.size, (uint64_t)st.st_size);
    assert_int_equal(s.mtime_sec, st.st_mtim.tv_sec);
    assert_int_equal(s.mtime_nsec, st.st_mtim.tv_nsec);
    assert_string_equal(s.path, "pickles/amis/20061008/tx/m1_12");
    pxs_fv_source_free(&s);
    assert_int_equal(pxs_atomic_write(path, "junk", 4), 0);
    assert_int_equal(pxs_fv_describe(stats, "pickles/amis/20061008/tx/m1_12", &s), -1);
    free(path);
    rmtree(stats);
    free(stats);
}

static struct timespec mtime_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mtim;
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Sets a file's mtime back, so that a rebuild shows as a newer mtime even on
 * a file system with coarse timestamps. */
static void age(const char *path)
{
    struct timespec ts[2] = {{.tv_sec = 1000000000, .tv_nsec = 0},
                             {.tv_sec = 1000000000, .tv_nsec = 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_merge_build(void **state)
{
    (void)state;
    char *stats = tmpdir();
    pxs_strlist clients, ms;
    pxs_strlist_init(&clients);
    pxs_strlist_init(&ms);
    pxs_strlist_add(&clients, "amis");
    pxs_strlist_add(&ms, "m1");
    pxs_strlist_add(&ms, "m2");
    write_snap(stats, "m1", H12, 10, 100);
    write_snap(stats, "m2", H12, 5, 1000);
    write_snap(stats, "m2", H12 + 3600, 3, 1000);
    pxs_merge_report rep;
    /* 12h both, 13h m2 only, 14h nobody. */
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &ms, H12, H12 + 3 * 3600, &rep), 0);
    assert_int_equal(rep.built, 2);
    assert_int_equal(rep.empty, 1);
    assert_int_equal(rep.unchanged, 0);
    char *m12 = pxs_pickle_path(stats, "amis", H12, PXS_TX, "m1m2");
    char *m13 = pxs_pickle_path(stats, "amis", H12 + 3600, PXS_TX, "m1m2");
    char *m14 = pxs_pickle_path(stats, "amis", H12 + 7200, PXS_TX, "m1m2");
    assert_int_equal(access(m14, F_OK), -1);
    pxs_hour h;
    assert_int_equal(pxs_snapshot_read(m12, &h), 0);
    assert_int_equal(h.nrows, 15);
    assert_int_equal(h.sources.n, 2);
    pxs_hour_free(&h);

    /* Nothing changed: nothing rebuilt, files untouched. */
    age(m12);
    age(m13);
    struct timespec t12 = mtime_of(m12), t13 = mtime_of(m13);
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &ms, H12, H12 + 3 * 3600, &rep), 0);
    assert_int_equal(rep.built, 0);
    assert_int_equal(rep.unchanged, 2);
    assert_true(same_time(mtime_of(m12), t12));
    assert_true(same_time(mtime_of(m13), t13));

    /* m1 collected again with one more row: 12h only is rebuilt. */
    write_snap(stats, "m1", H12, 11, 100);
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &ms, H12, H12 + 3 * 3600, &rep), 0);
    assert_int_equal(rep.built, 1);
    assert_false(same_time(mtime_of(m12), t12));
    assert_true(same_time(mtime_of(m13), t13));
    assert_int_equal(pxs_snapshot_read(m12, &h), 0);
    assert_int_equal(h.nrows, 16);
    pxs_hour_free(&h);

    /* m1 appears for 13h: rebuilt with both. */
    write_snap(stats, "m1", H12 + 3600, 2, 5);
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &ms, H12, H12 + 3 * 3600, &rep), 0);
    assert_int_equal(rep.built, 1);
    assert_int_equal(pxs_snapshot_read(m13, &h), 0);
    assert_int_equal(h.nrows, 5);
    assert_int_equal(h.sources.n, 2);
    pxs_hour_free(&h);

    /* m2 disappears for 12h: rebuilt from m1 alone. */
    char *s12 = pxs_pickle_path(stats, "amis", H12, PXS_TX, "m2");
    assert_int_equal(unlink(s12), 0);
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &ms, H12, H12 + 3 * 3600, &rep), 0);
    assert_int_equal(rep.built, 1);
    assert_int_equal(pxs_snapshot_read(m12, &h), 0);
    assert_int_equal(h.nrows, 11);
    assert_int_equal(h.sources.n, 1);
    assert_string_equal(h.sources.v[0], "m1");
    pxs_hour_free(&h);

    /* A corrupt source: that hour fails, keeps its old merge; others go on. */
    age(m12);
    t12 = mtime_of(m12);
    char *s13 = pxs_pickle_path(stats, "amis", H12 + 3600, PXS_TX, "m1");
    assert_int_equal(pxs_atomic_write(s13, "junk", 4), 0);
    unlink(m12);
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &ms, H12, H12 + 3 * 3600, &rep), 1);
    assert_int_equal(rep.failed, 1);
    assert_int_equal(rep.built, 1);
    assert_int_equal(access(m13, F_OK), 0);

    /* Fewer than two machines, or one named twice: refused. */
    pxs_strlist one;
    pxs_strlist_init(&one);
    pxs_strlist_add(&one, "m1");
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &one, H12, H12 + 3600, &rep), -1);
    pxs_strlist_add(&one, "m1");
    assert_int_equal(pxs_merge_build(stats, &clients, PXS_TX, &one, H12, H12 + 3600, &rep), -1);
    pxs_strlist_free(&one);

    /* pickleClean removed a merged snapshot: its lines go at the next save. */
    pxs_fileversions fv;
    assert_int_equal(pxs_fv_load(stats, &fv), 0);
    size_t before = fv.n;
    assert_int_equal(unlink(m13), 0);
    pxs_fv_prune(&fv, stats);
    assert_int_equal(fv.n, before - 2);
    pxs_fv_free(&fv);

    free(s12);
    free(s13);
    free(m12);
    free(m13);
    free(m14);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&ms);
    rmtree(stats);
    free(stats);
}

int main(void)
{
    pxs_set_progname("test_fileversions");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_file_roundtrip),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_merge_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
