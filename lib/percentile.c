/* percentile — nearest-rank percentiles (contract in percentile.h). */
#include "pxstats/percentile.h"

#include <stdlib.h>

#include "pxstats/xalloc.h"

const unsigned pxs_pcts[PXS_NPCT] = {50, 90, 95, 99};

size_t pxs_percentile_rank(unsigned pct, size_t n)
{
    /* ceil(pct * n / 100) in integers: no rounding of 0.95 * 20 to 19.000...04. */
    size_t rank = ((size_t)pct * n + 99) / 100;

    if (pct > 100)
        rank = n;
    return rank < 1 ? 1 : rank;
}

int64_t pxs_select_kth(int64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;

    while (lo < hi) {
        int64_t pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

int64_t pxs_percentile(int64_t *v, size_t n, unsigned pct)
{
    return pxs_select_kth(v, n, pxs_percentile_rank(pct, n) - 1);
}

void pxs_values_add(pxs_values *vals, int64_t x)
{
    if (vals->n == vals->cap)
        xgrow((void **)&vals->v, &vals->cap, vals->n + 1, sizeof *vals->v);
    vals->v[vals->n++] = x;
}

void pxs_values_free(pxs_values *vals)
{
    free(vals->v);
    vals->v = NULL;
    vals->n = vals->cap = 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

int pxs_values_percentiles(pxs_values *vals, const unsigned *pcts, size_t npct, int64_t *out)
{
    if (vals->n == 0)
        return -1;
    qsort(vals->v, vals->n, sizeof *vals->v, cmp_i64);
    for (size_t i = 0; i < npct; i++)
        out[i] = vals->v[pxs_percentile_rank(pcts[i], vals->n) - 1];
    return 0;
}
