/* Unit tests of collector: bucket statistics derived from rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxstats/collector.h"
#include "pxstats/pxtime.h"

#define H0 1159488000 /* 2006-09-29 00:00:00 UTC */

static void add(pxs_hour *h, int64_t t, int64_t bytes, int64_t lat, const char *prod)
{
    pxs_hour_add_row(h, t, bytes, lat, prod, false);
}

static void bucket_stats(void **state)
{
    pxs_hour h;
    const pxs_bucket *b;
    (void)state;
    pxs_hour_init(&h, "amis", "m1", PXS_TX, H0 + 100, 1, 15, PXS_T_ALL);
    assert_int_equal(h.start, H0);
    assert_int_equal(h.nbuckets, 60);
    /* Minute 3: latencies 20, 5, 20, 40 -> min 5 (B), max 40 (D), first max kept. */
    add(&h, H0 + 180, 100, 20, "A");
    add(&h, H0 + 181, 50, 5, "B");
    add(&h, H0 + 200, 400, 20, "C");
    add(&h, H0 + 239, 10, 40, "D");
    add(&h, H0 + 239, 400, 16, "E");
    pxs_hour_add_row(&h, H0 + 185, 0, 0, "", true);
    pxs_hour_add_row(&h, H0 + 186, 999, 999, "ignored", true);
    pxs_hour_compute(&h);
    b = &h.buckets[3];
    assert_int_equal(b->start, H0 + 180);
    assert_int_equal(b->nb_files, 5);
    assert_int_equal(b->errors, 2);
    assert_int_equal(b->files_over_max_latency, 4); /* 20, 20, 40 and 16 are > 15 */
    assert_true(b->latency.min == 5);
    assert_string_equal(pxs_hour_product(&h, &h.rows[b->latency.min_row]), "B");
    assert_true(b->latency.max == 40);
    assert_string_equal(pxs_hour_product(&h, &h.rows[b->latency.max_row]), "D");
    assert_true(b->latency.total == 101);
    assert_true(b->latency.mean == 101.0 / 5);
    assert_true(b->latency.median == 20);
    assert_true(b->bytecount.min == 10);
    assert_true(b->bytecount.max == 400);
    /* Two rows hold 400: the first one in time order is kept. */
    assert_string_equal(pxs_hour_product(&h, &h.rows[b->bytecount.max_row]), "C");
    assert_true(b->bytecount.total == 960);
    assert_true(b->bytecount.median == 100);
    /* Error rows carry no values whatever was passed. */
    for (size_t i = 0; i < h.nrows; i++)
        if (h.rows[i].error)
            assert_true(h.rows[i].bytes == 0 && h.rows[i].latency == 0);
    /* Empty buckets are all zeros with no rows. */
    assert_int_equal(h.buckets[0].nb_files, 0);
    assert_int_equal(h.buckets[0].latency.min_row, -1);
    assert_true(h.buckets[0].latency.mean == 0);
    pxs_hour_free(&h);
}

static void even_median_and_threshold(void **state)
{
    pxs_hour h;
    (void)state;
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_ALL);
    add(&h, H0 + 3599, 1, 15, "a"); /* exactly the max: not over */
    add(&h, H0 + 3540, 4, 16, "b");
    add(&h, H0 + 3541, 7, 1, "c");
    add(&h, H0 + 3542, 2, 100000, "d"); /* more than a day */
    pxs_hour_compute(&h);
    assert_int_equal(h.buckets[59].nb_files, 4);
    assert_int_equal(h.buckets[59].files_over_max_latency, 2);
    assert_true(h.buckets[59].bytecount.median == 3.0);  /* (2+4)/2 */
    assert_true(h.buckets[59].latency.median == 15.5);   /* (15+16)/2 */
    assert_true(h.buckets[59].latency.max == 100000);
    pxs_hour_free(&h);
}

static void rows_outside_are_dropped(void **state)
{
    pxs_hour h;
    (void)state;
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_ALL);
    add(&h, H0 - 1, 1, 1, "before");
    add(&h, H0 + 3600, 1, 1, "after");
    add(&h, H0, 1, 1, "first");
    pxs_hour_compute(&h);
    assert_int_equal(h.nrows, 1);
    assert_int_equal(h.buckets[0].nb_files, 1);
    pxs_hour_free(&h);
}

static void out_of_order_rows_sorted_stably(void **state)
{
    pxs_hour h;
    (void)state;
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_ALL);
    add(&h, H0 + 600, 5, 0, "late1");
    add(&h, H0 + 60, 5, 0, "early");
    add(&h, H0 + 600, 5, 0, "late2");
    add(&h, H0 + 61, 9, 0, "early2");
    pxs_hour_compute(&h);
    assert_string_equal(pxs_hour_product(&h, &h.rows[0]), "early");
    assert_string_equal(pxs_hour_product(&h, &h.rows[1]), "early2");
    assert_string_equal(pxs_hour_product(&h, &h.rows[2]), "late1");
    assert_string_equal(pxs_hour_product(&h, &h.rows[3]), "late2");
    assert_int_equal(h.buckets[1].nb_files, 2);
    assert_int_equal(h.buckets[10].nb_files, 2);
    /* Ties: the first in collection order is the max file. */
    assert_string_equal(pxs_hour_product(&h, &h.rows[h.buckets[10].bytecount.max_row]), "late1");
    pxs_hour_compute(&h); /* idempotent */
    assert_int_equal(h.buckets[10].nb_files, 2);
    pxs_hour_free(&h);
}

static void rx_and_types(void **state)
{
    pxs_hour h;
    unsigned m;
    (void)state;
    pxs_hour_init(&h, "src", "m", PXS_RX, H0, 1, 15, PXS_T_ALL);
    assert_int_equal(h.types, PXS_T_BYTECOUNT | PXS_T_ERRORS);
    add(&h, H0, 10, 50, "p");
    pxs_hour_compute(&h);
    assert_true(h.rows[0].latency == 0);
    assert_int_equal(h.buckets[0].files_over_max_latency, 0);
    pxs_hour_free(&h);

    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_LATENCY);
    add(&h, H0, 10, 50, "p");
    pxs_hour_add_row(&h, H0, 0, 0, "", true); /* errors not collected: dropped */
    pxs_hour_compute(&h);
    assert_int_equal(h.nrows, 1);
    assert_true(h.rows[0].bytes == 0);
    assert_true(h.rows[0].latency == 50);
    pxs_hour_free(&h);

    assert_int_equal(pxs_types_parse("All", PXS_TX, &m), 0);
    assert_int_equal(m, PXS_T_ALL);
    assert_int_equal(pxs_types_parse("All", PXS_RX, &m), 0);
    assert_int_equal(m, PXS_T_BYTECOUNT | PXS_T_ERRORS);
    assert_int_equal(pxs_types_parse("errors, bytecount", PXS_TX, &m), 0);
    assert_int_equal(m, PXS_T_BYTECOUNT | PXS_T_ERRORS);
    assert_int_equal(pxs_types_parse("latency", PXS_RX, &m), -1);
    assert_int_equal(pxs_types_parse("bogus", PXS_TX, &m), -1);
    assert_int_equal(pxs_types_parse("", PXS_TX, &m), -1);
}

static void wider_buckets(void **state)
{
    pxs_hour h;
    (void)state;
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 5, 15, PXS_T_ALL);
    assert_int_equal(h.nbuckets, 12);
    add(&h, H0 + 299, 1, 0, "a");
    add(&h, H0 + 300, 1, 0, "b");
    pxs_hour_compute(&h);
    assert_int_equal(h.buckets[0].nb_files, 1);
    assert_int_equal(h.buckets[1].nb_files, 1);
    assert_int_equal(h.buckets[1].start, H0 + 300);
    pxs_hour_free(&h);
    /* A width that does not divide 60 falls back to one minute. */
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 7, 15, PXS_T_ALL);
    assert_int_equal(h.nbuckets, 60);
    pxs_hour_free(&h);
}

static void product_filter(void **state)
{
    pxs_hour h, f;
    (void)state;
    assert_true(pxs_product_match("All", "x"));
    assert_true(pxs_product_match(NULL, "x"));
    assert_true(pxs_product_match("SA*", "SACN31_CWAO"));
    assert_false(pxs_product_match("SA*", "XSACN"));
    assert_true(pxs_product_match("CWAO", "SACN31_CWAO_1"));   /* substring */
    assert_false(pxs_product_match("KWBC", "SACN31_CWAO_1"));
    assert_true(pxs_product_match("S?CN*", "SACN31"));
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_ALL);
    add(&h, H0 + 1, 100, 30, "SACN31_CWAO");
    add(&h, H0 + 2, 7, 1, "SXUS23_KWBC");
    pxs_hour_add_row(&h, H0 + 3, 0, 0, "", true);
    pxs_hour_compute(&h);
    pxs_hour_filter(&h, "SA*", &f);
    assert_int_equal(f.buckets[0].nb_files, 1);
    assert_int_equal(f.buckets[0].errors, 1);
    assert_true(f.buckets[0].bytecount.total == 100);
    assert_int_equal(f.buckets[0].files_over_max_latency, 1);
    pxs_hour_free(&f);
    pxs_hour_filter(&h, "All", &f);
    assert_int_equal(f.buckets[0].nb_files, 2);
    pxs_hour_free(&f);
    pxs_hour_free(&h);
}

static void nul_in_product(void **state)
{
    pxs_hour h;
    pxs_record r = {H0 + 5, 3, 0, "A\0B", 3, false, 0};
    (void)state;
    pxs_hour_init(&h, "c", "m", PXS_RX, H0, 1, 15, PXS_T_ALL);
    pxs_hour_add(&h, &r, false);
    pxs_hour_note_file(&h, "/var/log/rx_c.log");
    pxs_hour_note_file(&h, "/var/log/rx_c.log");
    pxs_hour_compute(&h);
    assert_string_equal(pxs_hour_product(&h, &h.rows[0]), "A?B");
    assert_int_equal(h.files.n, 1);
    assert_string_equal(h.files.v[0], "rx_c.log");
    pxs_hour_free(&h);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Medians against a sort, on random buckets of every size up to 200,
 * with many ties. */
static void medians_match_sorting(void **state)
{
    unsigned seed = 12345;
    (void)state;
    for (int n = 1; n <= 200; n++) {
        pxs_hour h;
        int64_t v[200];
        double want;
        pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_ALL);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245 + 12345;
            v[i] = (seed >> 8) % (n % 3 ? 1000 : 7);
            pxs_hour_add_row(&h, H0 + 30, v[i], v[i] % 50, "p", false);
        }
        qsort(v, (size_t)n, sizeof v[0], cmp64);
        want = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
        pxs_hour_compute(&h);
        assert_true(h.buckets[0].bytecount.median == want);
        assert_true(h.buckets[0].bytecount.min == v[0]);
        assert_true(h.buckets[0].bytecount.max == v[n - 1]);
        pxs_hour_free(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_stats),          cmocka_unit_test(even_median_and_threshold),
        cmocka_unit_test(rows_outside_are_dropped), cmocka_unit_test(out_of_order_rows_sorted_stably),
        cmocka_unit_test(rx_and_types),          cmocka_unit_test(wider_buckets),
        cmocka_unit_test(product_filter),        cmocka_unit_test(nul_in_product),
        cmocka_unit_test(medians_match_sorting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
