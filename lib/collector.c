/* collector — rows of one hour and the statistics derived from them. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pxstats/collector.h"
#include "pxstats/msg.h"
#include "pxstats/percentile.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

void pxs_hour_init(pxs_hour *h, const char *client, const char *machine, pxs_filetype ft,
                   int64_t start, int interval_min, int max_latency, unsigned types)
{
    memset(h, 0, sizeof *h);
    h->client = xstrdup(client ? client : "");
    h->machine = xstrdup(machine ? machine : "");
    h->ft = ft;
    h->start = pxs_hour_floor(start);
    if (interval_min < 1 || 60 % interval_min != 0)
        interval_min = 1;
    h->interval = interval_min * 60;
    h->nbuckets = PXS_HOUR / h->interval;
    h->max_latency = max_latency;
    h->types = ft == PXS_RX ? types & ~(unsigned)PXS_T_LATENCY : types;
    pxs_strlist_init(&h->files);
    pxs_strlist_init(&h->sources);
    if (machine && *machine)
        pxs_strlist_add(&h->sources, machine);
    pxs_strpool_init(&h->products);
}

void pxs_hour_free(pxs_hour *h)
{
    free(h->client);
    free(h->machine);
    pxs_strlist_free(&h->files);
    pxs_strlist_free(&h->sources);
    free(h->rows);
    pxs_strpool_free(&h->products);
    free(h->buckets);
    memset(h, 0, sizeof *h);
}

bool pxs_hour_contains(const pxs_hour *h, int64_t t)
{
    return t >= h->start && t < h->start + PXS_HOUR;
}

static uint32_t intern_product(pxs_hour *h, const char *s, size_t len)
{
    char *clean;
    uint32_t id;

    if (memchr(s, '\0', len) == NULL)
        return pxs_strpool_intern(&h->products, s, len);
    /* NUL bytes in a log line would cut the name short on every later read. */
    clean = xmalloc(len);
    for (size_t i = 0; i < len; i++)
        clean[i] = s[i] ? s[i] : '?';
    id = pxs_strpool_intern(&h->products, clean, len);
    free(clean);
    return id;
}

static void push_row(pxs_hour *h, int64_t time, int64_t bytes, int64_t latency, uint32_t product,
                     bool error)
{
    pxs_row *r;

    if (h->nrows == h->cap)
        xgrow((void **)&h->rows, &h->cap, h->nrows + 1, sizeof *h->rows);
    r = &h->rows[h->nrows++];
    r->time = time;
    r->error = error;
    /* Error rows carry no values (DESIGN.md §3); uncollected types are zero. */
    r->bytes = !error && (h->types & PXS_T_BYTECOUNT) ? bytes : 0;
    r->latency = !error && (h->types & PXS_T_LATENCY) && h->ft == PXS_TX ? latency : 0;
    r->product = product;
    if (h->buckets) {
        free(h->buckets);
        h->buckets = NULL;
    }
}

void pxs_hour_add(pxs_hour *h, const pxs_record *r, bool error)
{
    if (!pxs_hour_contains(h, r->time) || (error && !(h->types & PXS_T_ERRORS)))
        return;
    push_row(h, r->time, r->bytes, r->latency,
             intern_product(h, r->product, error ? 0 : r->product_len), error);
}

void pxs_hour_add_row(pxs_hour *h, int64_t time, int64_t bytes, int64_t latency,
                      const char *product, bool error)
{
    if (!pxs_hour_contains(h, time) || (error && !(h->types & PXS_T_ERRORS)))
        return;
    push_row(h, time, bytes, latency, intern_product(h, product, error ? 0 : strlen(product)),
             error);
}

void pxs_hour_note_file(pxs_hour *h, const char *path)
{
    const char *slash = strrchr(path, '/');

    pxs_strlist_add_unique(&h->files, slash ? slash + 1 : path);
}

const char *pxs_hour_product(const pxs_hour *h, const pxs_row *row)
{
    return pxs_strpool_get(&h->products, row->product);
}

/* Stable order by time: rows come in log order, so this is normally a check. */
static void sort_rows(pxs_hour *h)
{
    size_t i, n = h->nrows;
    pxs_row *tmp;

    for (i = 1; i < n && h->rows[i - 1].time <= h->rows[i].time; i++)
        ;
    if (i >= n)
        return;
    /* Bottom-up merge sort: stable, unlike qsort. */
    tmp = xmalloc(n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = h->rows[b].time < h->rows[a].time ? h->rows[b++] : h->rows[a++];
            while (a < mid)
                tmp[k++] = h->rows[a++];
            while (b < hi)
                tmp[k++] = h->rows[b++];
        }
        memcpy(h->rows, tmp, n * sizeof *tmp);
    }
    free(tmp);
}

static double median_of(int64_t *v, size_t n)
{
    int64_t upper = pxs_select_kth(v, n, n / 2), lower;

    if (n % 2)
        return (double)upper;
    /* After selection every value below n/2 is <= upper: the largest of them. */
    lower = v[0];
    for (size_t i = 1; i < n / 2; i++)
        if (v[i] > lower)
            lower = v[i];
    return ((double)lower + (double)upper) / 2.0;
}

/* min/max (first occurrence), mean, exact median and total of one value
 * column over the data rows of a bucket. scratch holds nrows values. */
static void value_stats(const pxs_hour *h, const pxs_bucket *b, size_t field, int64_t *scratch,
                        pxs_valstats *v)
{
    size_t n = 0;

    memset(v, 0, sizeof *v);
    v->min_row = v->max_row = -1;
    for (size_t i = b->first_row; i < b->first_row + b->nrows; i++) {
        const pxs_row *r = &h->rows[i];
        int64_t x = field ? r->latency : r->bytes;
        if (r->error)
            continue;
        if (v->min_row < 0 || (double)x < v->min) {
            v->min = (double)x;
            v->min_row = (int64_t)i;
        }
        if (v->max_row < 0 || (double)x > v->max) {
            v->max = (double)x;
            v->max_row = (int64_t)i;
        }
        v->total += (double)x;
        scratch[n++] = x;
    }
    if (n == 0)
        return;
    v->mean = v->total / (double)n;
    v->median = median_of(scratch, n);
}

static void bucket_counts(const pxs_hour *h, pxs_bucket *b)
{
    for (size_t i = b->first_row; i < b->first_row + b->nrows; i++) {
        const pxs_row *r = &h->rows[i];
        if (r->error) {
            b->errors++;
            continue;
        }
        b->nb_files++;
        if (h->ft == PXS_TX && r->latency > h->max_latency)
            b->files_over_max_latency++;
    }
}

void pxs_hour_compute(pxs_hour *h)
{
    size_t row = 0, maxrows = 0;
    int64_t *scratch;

    sort_rows(h);
    free(h->buckets);
    h->buckets = xcalloc((size_t)h->nbuckets, sizeof *h->buckets);
    for (int i = 0; i < h->nbuckets; i++) {
        pxs_bucket *b = &h->buckets[i];
        int64_t end = h->start + (int64_t)(i + 1) * h->interval;
        b->start = h->start + (int64_t)i * h->interval;
        b->first_row = row;
        while (row < h->nrows && h->rows[row].time < end)
            row++;
        b->nrows = row - b->first_row;
        if (b->nrows > maxrows)
            maxrows = b->nrows;
    }
    scratch = xmalloc((maxrows ? maxrows : 1) * sizeof *scratch);
    for (int i = 0; i < h->nbuckets; i++) {
        pxs_bucket *b = &h->buckets[i];
        bucket_counts(h, b);
        value_stats(h, b, 1, scratch, &b->latency);
        value_stats(h, b, 0, scratch, &b->bytecount);
    }
    free(scratch);
}

bool pxs_product_match(const char *pattern, const char *product)
{
    if (pattern == NULL || *pattern == '\0' || strcmp(pattern, "All") == 0 ||
        strcmp(pattern, "ALL") == 0)
        return true;
    if (strpbrk(pattern, "*?[") != NULL)
        return fnmatch(pattern, product, 0) == 0;
    return strstr(product, pattern) != NULL;
}

void pxs_hour_filter(const pxs_hour *src, const char *pattern, pxs_hour *dst)
{
    pxs_hour_init(dst, src->client, src->machine, src->ft, src->start, src->interval / 60,
                  src->max_latency, src->types);
    dst->malformed = src->malformed;
    dst->partial = src->partial;
    pxs_strlist_free(&dst->sources);
    for (size_t i = 0; i < src->sources.n; i++)
        pxs_strlist_add(&dst->sources, src->sources.v[i]);
    for (size_t i = 0; i < src->files.n; i++)
        pxs_strlist_add(&dst->files, src->files.v[i]);
    for (size_t i = 0; i < src->nrows; i++) {
        const pxs_row *r = &src->rows[i];
        const char *p = pxs_hour_product(src, r);
        if (r->error || pxs_product_match(pattern, p))
            pxs_hour_add_row(dst, r->time, r->bytes, r->latency, p, r->error);
    }
    pxs_hour_compute(dst);
}

int pxs_types_parse(const char *text, pxs_filetype ft, unsigned *mask)
{
    pxs_strlist l;
    unsigned m = 0;
    int rc = 0;

    pxs_strlist_init(&l);
    pxs_strlist_split(&l, text, ',');
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const char *t = l.v[i];
        if (strcasecmp(t, "All") == 0)
            m |= PXS_T_ALL;
        else if (strcasecmp(t, "latency") == 0 && ft == PXS_TX)
            m |= PXS_T_LATENCY;
        else if (strcasecmp(t, "bytecount") == 0)
            m |= PXS_T_BYTECOUNT;
        else if (strcasecmp(t, "errors") == 0)
            m |= PXS_T_ERRORS;
        else {
            pxs_set_error("unknown data type '%s' for %s (%s)", t, pxs_filetype_name(ft),
                          ft == PXS_TX ? "latency, bytecount, errors" : "bytecount, errors");
            rc = -1;
        }
    }
    if (rc == 0 && l.n == 0) {
        pxs_set_error("empty list of data types");
        rc = -1;
    }
    pxs_strlist_free(&l);
    if (ft == PXS_RX)
        m &= ~(unsigned)PXS_T_LATENCY;
    *mask = m;
    return rc;
}
