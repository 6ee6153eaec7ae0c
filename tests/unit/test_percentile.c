/* Unit tests of percentile: nearest rank on hand-computed cases, the ranks
 * at the edges, selection and the sorted path agreeing with a naive sort on
 * random data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pxstats/percentile.h"

static void test_rank(void **state)
{
    (void)state;
    /* ceil(p * n / 100), at least 1. */
    assert_int_equal(pxs_percentile_rank(50, 1), 1);
    assert_int_equal(pxs_percentile_rank(99, 1), 1);
    assert_int_equal(pxs_percentile_rank(0, 10), 1);
    assert_int_equal(pxs_percentile_rank(50, 10), 5);
    assert_int_equal(pxs_percentile_rank(50, 11), 6);
    assert_int_equal(pxs_percentile_rank(95, 20), 19);   /* exactly 19, not 20 */
    assert_int_equal(pxs_percentile_rank(95, 21), 20);
    assert_int_equal(pxs_percentile_rank(99, 100), 99);
    assert_int_equal(pxs_percentile_rank(99, 101), 100);
    assert_int_equal(pxs_percentile_rank(100, 7), 7);
    assert_int_equal(pxs_pcts[0], 50);
    assert_int_equal(pxs_pcts[PXS_NPCT - 1], 99);
}

static void test_hand_computed(void **state)
{
    int64_t v[] = {15, 20, 35, 40, 50};
    int64_t one[] = {7};
    (void)state;
    /* The classic nearest-rank example. */
    assert_int_equal(pxs_percentile(v, 5, 5), 15);
    assert_int_equal(pxs_percentile(v, 5, 30), 20);
    assert_int_equal(pxs_percentile(v, 5, 40), 20);
    assert_int_equal(pxs_percentile(v, 5, 50), 35);
    assert_int_equal(pxs_percentile(v, 5, 100), 50);
    assert_int_equal(pxs_percentile(one, 1, 99), 7);

    pxs_values vals = {0};
    int64_t out[PXS_NPCT];
    assert_int_equal(pxs_values_percentiles(&vals, pxs_pcts, PXS_NPCT, out), -1);
    for (int i = 100; i >= 1; i--)
        pxs_values_add(&vals, i);
    assert_int_equal(pxs_values_percentiles(&vals, pxs_pcts, PXS_NPCT, out), 0);
    assert_int_equal(out[0], 50);
    assert_int_equal(out[1], 90);
    assert_int_equal(out[2], 95);
    assert_int_equal(out[3], 99);
    pxs_values_free(&vals);
    assert_null(vals.v);
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Selection and sorting agree with the definition on random data, with many
 * ties (small ranges) and without. */
static void test_random(void **state)
{
    (void)state;
    srand(12345);
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + (size_t)(rand() % 200);
        int range = round % 3 == 0 ? 3 : 1000000;
        int64_t *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *v), *work = malloc(n * sizeof *v);
        pxs_values vals = {0};
        for (size_t i = 0; i < n; i++) {
            v[i] = rand() % range - range / 4;
            pxs_values_add(&vals, v[i]);
        }
        memcpy(sorted, v, n * sizeof *v);
        qsort(sorted, n, sizeof *v, cmp);
        int64_t out[PXS_NPCT];
        assert_int_equal(pxs_values_percentiles(&vals, pxs_pcts, PXS_NPCT, out), 0);
        for (unsigned p = 0; p <= 100; p += 7) {
            /* the definition: the smallest v with at least p % of values <= v */
            int64_t want = sorted[n - 1];
            for (size_t i = 0; i < n; i++) {
                size_t le = 0;
                for (size_t j = 0; j < n; j++)
                    le += sorted[j] <= sorted[i];
                if (le * 100 >= p * n) {
                    want = sorted[i];
                    break;
                }
            }
            memcpy(work, v, n * sizeof *v);
            assert_int_equal(pxs_percentile(work, n, p), want);
        }
        for (size_t k = 0; k < PXS_NPCT; k++)
            assert_int_equal(out[k], sorted[pxs_percentile_rank(pxs_pcts[k], n) - 1]);
        memcpy(work, v, n * sizeof *v);
        assert_int_equal(pxs_select_kth(work, n, n / 2), sorted[n / 2]);
        pxs_values_free(&vals);
        free(v);
        free(sorted);
        free(work);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
