/* Unit tests of merge: rows of the same hour from several machines merged
 * into exact statistics (not averages of averages), the order of equal times,
 * the sources, refusals, and spans loaded from real snapshot files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/merge.h"
#include "pxstats/msg.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

/* 2006-10-08 12:00:00 UTC */
#define H12 1160308800

static void hour(pxs_hour *h, const char *machine, int64_t start)
{
    pxs_hour_init(h, "amis", machine, PXS_TX, start, 1, 15, PXS_T_ALL);
}

/* The two machines of most tests:
 *   m1: 12:00:10 latency 1 bytes 100 "A"; 12:00:30 latency 5 bytes 300 "B";
 *       12:00:30 error; 12:01:00 latency 20 bytes 50 "A"
 *   m2: 12:00:05 latency 3 bytes 200 "C"; 12:00:30 latency 10 bytes 400 "D"
 * Minute 0 of the merge: latencies {1,5,3,10} -> median 4 (the mean of 3 and
 * 5), whereas the medians of the machines are 3 and 6.5. */
static void two_machines(pxs_hour *a, pxs_hour *b)
{
    hour(a, "m1", H12);
    pxs_hour_add_row(a, H12 + 10, 100, 1, "A", false);
    pxs_hour_add_row(a, H12 + 30, 300, 5, "B", false);
    pxs_hour_add_row(a, H12 + 30, 0, 0, "", true);
    pxs_hour_add_row(a, H12 + 60, 50, 20, "A", false);
    pxs_hour_note_file(a, "/log/m1/tx_amis.log");
    a->malformed = 2;
    pxs_hour_compute(a);
    hour(b, "m2", H12);
    pxs_hour_add_row(b, H12 + 5, 200, 3, "C", false);
    pxs_hour_add_row(b, H12 + 30, 400, 10, "D", false);
    pxs_hour_note_file(b, "/log/m2/tx_amis.log");
    pxs_hour_note_file(b, "/log/m2/tx_amis.log.2006-10-07");
    b->malformed = 1;
    pxs_hour_compute(b);
}

static void test_merge_rows_and_stats(void **state)
{
    (void)state;
    pxs_hour a, b, m;
    two_machines(&a, &b);
    const pxs_hour *src[] = {&a, &b};
    assert_int_equal(pxs_merge_hours(src, 2, "m1m2", &m), 0);

    assert_string_equal(m.machine, "m1m2");
    assert_string_equal(m.client, "amis");
    assert_int_equal(m.start, H12);
    assert_int_equal(m.nrows, 6);
    /* By time; at 12:00:30 m1's rows (B, then its error) before m2's D. */
    static const int64_t times[] = {H12 + 5, H12 + 10, H12 + 30, H12 + 30, H12 + 30, H12 + 60};
    static const char *const prods[] = {"C", "A", "B", "", "D", "A"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(m.rows[i].time, times[i]);
        assert_string_equal(pxs_hour_product(&m, &m.rows[i]), prods[i]);
    }
    assert_int_equal(m.rows[3].error, 1);

    const pxs_bucket *b0 = &m.buckets[0], *b1 = &m.buckets[1];
    assert_int_equal(b0->nb_files, 4);
    assert_int_equal(b0->errors, 1);
    assert_true(b0->latency.median == 4.0);
    assert_true(b0->latency.mean == (1 + 5 + 3 + 10) / 4.0);
    assert_true(b0->latency.min == 1.0);
    assert_true(b0->latency.max == 10.0);
    assert_int_equal(b0->latency.min_row, 1);
    assert_int_equal(b0->latency.max_row, 4);
    assert_true(b0->bytecount.total == 1000.0);
    assert_true(b0->bytecount.median == 250.0);
    assert_int_equal(b0->files_over_max_latency, 0);
    assert_int_equal(b1->nb_files, 1);
    assert_int_equal(b1->files_over_max_latency, 1);
    assert_true(b1->latency.mean == 20.0);
    for (int i = 2; i < m.nbuckets; i++)
        assert_int_equal(m.buckets[i].nb_files, 0);

    assert_int_equal(m.sources.n, 2);
    assert_string_equal(m.sources.v[0], "m1");
    assert_string_equal(m.sources.v[1], "m2");
    assert_int_equal(m.files.n, 2);
    assert_true(pxs_strlist_has(&m.files, "tx_amis.log"));
    assert_true(pxs_strlist_has(&m.files, "tx_amis.log.2006-10-07"));
    assert_int_equal(m.malformed, 3);
    pxs_hour_free(&m);

    /* The other order puts m2's row first among equal times. */
    const pxs_hour *rev[] = {&b, &a};
    assert_int_equal(pxs_merge_hours(rev, 2, "m2m1", &m), 0);
    assert_string_equal(pxs_hour_product(&m, &m.rows[2]), "D");
    assert_string_equal(m.sources.v[0], "m2");
    pxs_hour_free(&m);
    pxs_hour_free(&a);
    pxs_hour_free(&b);
}

/* Merging a merged hour again keeps every machine it holds, once. */
static void test_merge_nested_sources(void **state)
{
    (void)state;
    pxs_hour a, b, c, ab, abc;
    two_machines(&a, &b);
    hour(&c, "m3", H12);
    pxs_hour_add_row(&c, H12 + 1, 7, 2, "E", false);
    c.partial = true;
    pxs_hour_compute(&c);
    const pxs_hour *s1[] = {&a, &b};
    assert_int_equal(pxs_merge_hours(s1, 2, "m1m2", &ab), 0);
    assert_false(ab.partial);
    const pxs_hour *s2[] = {&ab, &c, &a};
    assert_int_equal(pxs_merge_hours(s2, 3, "all", &abc), 0);
    assert_int_equal(abc.sources.n, 3);
    assert_string_equal(abc.sources.v[2], "m3");
    assert_true(abc.partial);
    assert_int_equal(abc.nrows, 6 + 1 + 4);
    pxs_hour_free(&abc);
    pxs_hour_free(&ab);
    pxs_hour_free(&a);
    pxs_hour_free(&b);
    pxs_hour_free(&c);
}

/* One source: the same rows and statistics, under the group's name. */
static void test_merge_single(void **state)
{
    (void)state;
    pxs_hour a, b, m;
    two_machines(&a, &b);
    const pxs_hour *src[] = {&b};
    assert_int_equal(pxs_merge_hours(src, 1, "m1m2", &m), 0);
    assert_int_equal(m.nrows, b.nrows);
    assert_true(m.buckets[0].latency.median == b.buckets[0].latency.median);
    assert_int_equal(m.sources.n, 1);
    assert_string_equal(m.sources.v[0], "m2");
    pxs_hour_free(&m);
    pxs_hour_free(&a);
    pxs_hour_free(&b);
}

static void test_merge_refusals(void **state)
{
    (void)state;
    pxs_hour a, b, m;
    two_machines(&a, &b);
    const pxs_hour *src[] = {&a, &b};
    assert_int_equal(pxs_merge_hours(src, 0, "x", &m), -1);

    b.start += 3600;
    assert_int_equal(pxs_merge_hours(src, 2, "m1m2", &m), -1);
    assert_non_null(strstr(pxs_error(), "cannot merge"));
    b.start -= 3600;

    b.interval = 300;
    assert_int_equal(pxs_merge_hours(src, 2, "m1m2", &m), -1);
    b.interval = 60;

    b.ft = PXS_RX;
    assert_int_equal(pxs_merge_hours(src, 2, "m1m2", &m), -1);
    b.ft = PXS_TX;

    char *saved = b.client;
    b.client = xstrdup("other");
    assert_int_equal(pxs_merge_hours(src, 2, "m1m2", &m), -1);
    assert_non_null(strstr(pxs_error(), "other"));
    free(b.client);
    b.client = saved;
    pxs_hour_free(&a);
    pxs_hour_free(&b);
}

/* ---- spans from files --------------------------------------------------- */

static char *tmpdir(void)
{
    char *d = xstrdup("/tmp/pxs-test-merge.XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void rmtree(const char *d)
{
    char *cmd = xasprintf("rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void write_hour(const char *stats, pxs_hour *h)
{
    char *path = pxs_pickle_path(stats, h->client, h->start, h->ft, h->machine);
    assert_int_equal(pxs_snapshot_write(path, h), 0);
    free(path);
}

static void test_span_load(void **state)
{
    (void)state;
    char *stats = tmpdir();
    pxs_hour a, b, c;
    two_machines(&a, &b);
    write_hour(stats, &a);
    write_hour(stats, &b);
    /* 13h: only m2. 14h: nobody. 15h: m1 corrupt, m2 fine. */
    hour(&c, "m2", H12 + 3600);
    pxs_hour_add_row(&c, H12 + 3600 + 59, 9, 1, "X", false);
    write_hour(stats, &c);
    pxs_hour_free(&c);
    hour(&c, "m2", H12 + 3 * 3600);
    pxs_hour_add_row(&c, H12 + 3 * 3600 + 1, 9, 1, "Y", false);
    write_hour(stats, &c);
    char *bad = pxs_pickle_path(stats, "amis", H12 + 3 * 3600, PXS_TX, "m1");
    assert_int_equal(pxs_atomic_write(bad, "garbage, not a snapshot", 23), 0);

    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_strlist_add(&ms, "m2");
    pxs_span sp;
    /* Start and end are rounded down to the hour. */
    assert_int_equal(pxs_span_load(stats, "amis", PXS_TX, &ms, H12 + 100, H12 + 4 * 3600 + 5, &sp),
                     0);
    assert_int_equal(sp.nhours, 4);
    assert_int_equal(sp.start, H12);
    assert_string_equal(sp.machine, "m1m2");
    assert_non_null(sp.hours[0]);
    assert_int_equal(sp.hours[0]->nrows, 6);
    assert_true(sp.hours[0]->buckets[0].latency.median == 4.0);
    assert_non_null(sp.hours[1]);
    assert_string_equal(sp.hours[1]->machine, "m1m2");
    assert_int_equal(sp.hours[1]->sources.n, 1);
    assert_string_equal(sp.hours[1]->sources.v[0], "m2");
    assert_null(sp.hours[2]);
    assert_non_null(sp.hours[3]);
    assert_int_equal(sp.hours[3]->nrows, 1);
    assert_int_equal(sp.unreadable, 1);
    pxs_span_free(&sp);

    /* A single machine is used as is. */
    pxs_strlist one;
    pxs_strlist_init(&one);
    pxs_strlist_add(&one, "m1");
    assert_int_equal(pxs_span_load(stats, "amis", PXS_TX, &one, H12, H12 + 3600, &sp), 0);
    assert_int_equal(sp.nhours, 1);
    assert_string_equal(sp.hours[0]->machine, "m1");
    assert_int_equal(sp.hours[0]->nrows, 4);
    pxs_span_free(&sp);

    /* An empty span is fine; a reversed one, or a bad name, is not. */
    assert_int_equal(pxs_span_load(stats, "amis", PXS_TX, &ms, H12, H12, &sp), 0);
    assert_int_equal(sp.nhours, 0);
    pxs_span_free(&sp);
    assert_int_equal(pxs_span_load(stats, "amis", PXS_TX, &ms, H12 + 3600, H12, &sp), -1);
    assert_int_equal(pxs_span_load(stats, "../etc", PXS_TX, &ms, H12, H12 + 3600, &sp), -1);
    assert_non_null(strstr(pxs_error(), "unsafe"));

    pxs_strlist_free(&one);
    pxs_strlist_free(&ms);
    free(bad);
    pxs_hour_free(&a);
    pxs_hour_free(&b);
    pxs_hour_free(&c);
    rmtree(stats);
    free(stats);
}

int main(void)
{
    pxs_set_progname("test_merge");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_rows_and_stats),
        cmocka_unit_test(test_merge_nested_sources),
        cmocka_unit_test(test_merge_single),
        cmocka_unit_test(test_merge_refusals),
        cmocka_unit_test(test_span_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
