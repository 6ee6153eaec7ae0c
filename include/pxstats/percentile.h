/* percentile — the one definition of a percentile in pxstats.
 *
 * Nearest rank: the p-th percentile of n values is the smallest value v such
 * that at least p % of the values are <= v, i.e. the value of rank
 * ceil(p * n / 100) in ascending order (rank 1 for p = 0). It is always one
 * of the values (never an interpolation), so it is exact on integer data and
 * the same whatever tool prints it: pickleView, statsQuery, graphGen and the
 * web summary all call this. */
#ifndef PXSTATS_PERCENTILE_H
#define PXSTATS_PERCENTILE_H

#include <stddef.h>
#include <stdint.h>

/* The percentiles that pxstats reports, in the order it reports them. */
#define PXS_NPCT 4
extern const unsigned pxs_pcts[PXS_NPCT];   /* 50, 90, 95, 99 */

/* The 1-based rank of the pct-th percentile (0..100) among n > 0 values. */
size_t pxs_percentile_rank(unsigned pct, size_t n);

/* The k-th smallest (0-based) of v[0..n), n > 0, by selection in expected
 * linear time; v is reordered so that v[0..k) <= v[k] <= v[k+1..n). */
int64_t pxs_select_kth(int64_t *v, size_t n, size_t k);

/* The pct-th percentile (nearest rank) of v[0..n), n > 0; v is reordered. */
int64_t pxs_percentile(int64_t *v, size_t n, unsigned pct);

/* A growable list of integer values whose percentiles are asked. */
typedef struct pxs_values {
    int64_t *v;
    size_t n, cap;
} pxs_values;

void pxs_values_add(pxs_values *vals, int64_t x);
void pxs_values_free(pxs_values *vals);
/* Sets out[i] to the pcts[i]-th percentile of the values, for i < npct;
 * returns 0, or -1 (out untouched) when there is no value. Sorts the values
 * once (cheaper than a selection per percentile). */
int pxs_values_percentiles(pxs_values *vals, const unsigned *pcts, size_t npct, int64_t *out);

#endif
