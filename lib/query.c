/* query — statsQuery's numbers from the snapshots or the archive (contract
 * in query.h). */
#include "pxstats/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/collector.h"
#include "pxstats/merge.h"
#include "pxstats/msg.h"
#include "pxstats/percentile.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdplot.h"
#include "pxstats/rrdstore.h"
#include "pxstats/xalloc.h"

const char *const pxs_query_fields[PXS_Q_NFIELDS] = {
    "client", "machines", "fileType", "start", "end", "files", "bytes", "errors",
    "filesOverMaxLatency", "latency_min", "latency_p50", "latency_p90", "latency_p95",
    "latency_p99", "latency_max", "latency_mean", "bytecount_p50", "bytecount_p99",
    "bytecount_max"};

const char *const pxs_query_by_names[4] = {"minute", "hour", "day", "total"};

bool pxs_query_rows_only(int field)
{
    return field >= PXS_Q_LAT_MIN && field != PXS_Q_LAT_MEAN;
}

char *pxs_query_rows_only_names(void)
{
    pxs_strlist l;
    char *s;

    pxs_strlist_init(&l);
    for (int f = PXS_Q_FILES; f < PXS_Q_NFIELDS; f++)
        if (pxs_query_rows_only(f))
            pxs_strlist_add(&l, pxs_query_fields[f]);
    s = pxs_strlist_join(&l, ", ");
    pxs_strlist_free(&l);
    return s;
}

int64_t pxs_query_period_end(pxs_query_by by, int64_t t, int64_t end)
{
    int64_t e;

    switch (by) {
    case PXS_BY_MINUTE:
        e = t - (((t % PXS_MINUTE) + PXS_MINUTE) % PXS_MINUTE) + PXS_MINUTE;
        break;
    case PXS_BY_HOUR:
        e = pxs_hour_floor(t) + PXS_HOUR;
        break;
    case PXS_BY_DAY:
        e = pxs_day_floor(t) + PXS_DAY;
        break;
    default:
        e = end;
    }
    return e < end ? e : end;
}

/* What one period has gathered. */
typedef struct acc {
    bool known;                 /* an hour of the period had a snapshot */
    uint64_t files, errors, over;
    int64_t bytes, lat_sum;
    pxs_values lat, size;       /* the latencies and sizes of the files */
} acc;

static void acc_reset(acc *a)
{
    pxs_values lat = a->lat, size = a->size;

    memset(a, 0, sizeof *a);
    lat.n = size.n = 0;      /* the buffers are reused from period to period */
    a->lat = lat;
    a->size = size;
}

static void acc_free(acc *a)
{
    pxs_values_free(&a->lat);
    pxs_values_free(&a->size);
}

/* The rows of h with a time in [lo, hi); *next is the first row not yet
 * looked at (rows are in time order). */
static void acc_rows(acc *a, const pxs_hour *h, size_t *next, int64_t lo, int64_t hi)
{
    bool lat = h->ft == PXS_TX && (h->types & PXS_T_LATENCY);
    bool size = (h->types & PXS_T_BYTECOUNT) != 0;

    while (*next < h->nrows && h->rows[*next].time < lo)
        (*next)++;
    for (; *next < h->nrows && h->rows[*next].time < hi; (*next)++) {
        const pxs_row *r = &h->rows[*next];
        if (r->error) {
            a->errors++;
            continue;
        }
        a->files++;
        a->bytes += r->bytes;
        if (h->ft == PXS_TX && r->latency > h->max_latency)
            a->over++;
        if (lat) {
            pxs_values_add(&a->lat, r->latency);
            a->lat_sum += r->latency;
        }
        if (size)
            pxs_values_add(&a->size, r->bytes);
    }
}

static void row_unknown(pxs_query_row *row)
{
    for (int i = 0; i < PXS_Q_NVALUES; i++)
        row->v[i] = NAN;
    row->latency_sum = NAN;
}

/* The row of a period gathered from snapshots. */
static void acc_row(acc *a, pxs_query_row *row)
{
    int64_t p[PXS_NPCT];
    static const unsigned size_pcts[] = {50, 99, 100};
    int64_t s[3];

    row_unknown(row);
    if (!a->known)
        return;
    PXS_QV(row, PXS_Q_FILES) = (double)a->files;
    PXS_QV(row, PXS_Q_BYTES) = (double)a->bytes;
    PXS_QV(row, PXS_Q_ERRORS) = (double)a->errors;
    /* rx has no latency: nothing can be late. */
    PXS_QV(row, PXS_Q_OVER) = row->ft == PXS_TX ? (double)a->over : NAN;
    if (pxs_values_percentiles(&a->lat, pxs_pcts, PXS_NPCT, p) == 0) {
        PXS_QV(row, PXS_Q_LAT_MIN) = (double)a->lat.v[0];   /* sorted by the call */
        PXS_QV(row, PXS_Q_LAT_P50) = (double)p[0];
        PXS_QV(row, PXS_Q_LAT_P90) = (double)p[1];
        PXS_QV(row, PXS_Q_LAT_P95) = (double)p[2];
        PXS_QV(row, PXS_Q_LAT_P99) = (double)p[3];
        PXS_QV(row, PXS_Q_LAT_MAX) = (double)a->lat.v[a->lat.n - 1];
        PXS_QV(row, PXS_Q_LAT_MEAN) = (double)a->lat_sum / (double)a->lat.n;
        row->latency_sum = (double)a->lat_sum;
    }
    if (pxs_values_percentiles(&a->size, size_pcts, 3, s) == 0) {
        PXS_QV(row, PXS_Q_SIZE_P50) = (double)s[0];
        PXS_QV(row, PXS_Q_SIZE_P99) = (double)s[1];
        PXS_QV(row, PXS_Q_SIZE_MAX) = (double)s[2];
    }
}

typedef struct run {
    const pxs_query *q;
    pxs_query_emit_fn emit;
    void *arg;
    char *machines;            /* joined with ',' */
    pxs_query_row row;         /* the row being filled (identity set per client) */
} run;

static void emit_period(run *r, int64_t ps, int64_t pe)
{
    r->row.start = ps;
    r->row.end = pe;
    r->emit(&r->row, r->arg);
}

/* One client from the snapshots, an hour at a time (memory: one hour of rows
 * and the values of the current period). Returns 0, 1 (a snapshot refused) or
 * -1. */
static int client_from_snapshots(run *r, const char *client)
{
    const pxs_query *q = r->q;
    int64_t ps = q->start, pe = pxs_query_period_end(q->by, q->start, q->end);
    acc a = {0};
    int status = 0;

    for (int64_t t = pxs_hour_floor(q->start); t < q->end; t += PXS_HOUR) {
        pxs_span sp;
        if (pxs_span_load(q->statsdir, client, q->ft, q->machines, t, t + PXS_HOUR, &sp) != 0) {
            acc_free(&a);
            return -1;
        }
        if (sp.unreadable)
            status = 1;
        const pxs_hour *h = sp.nhours == 1 ? sp.hours[0] : NULL;
        int64_t hs = t > q->start ? t : q->start, he = t + PXS_HOUR < q->end ? t + PXS_HOUR : q->end;
        size_t next = 0;
        /* Every period overlapping [hs, he): the hour's rows in it; a period
         * ending in this hour is complete. */
        while (ps < he) {
            if (h != NULL) {
                a.known = true;
                acc_rows(&a, h, &next, ps > hs ? ps : hs, pe < he ? pe : he);
            }
            if (pe > he)
                break;
            acc_row(&a, &r->row);
            emit_period(r, ps, pe);
            acc_reset(&a);
            ps = pe;
            pe = pxs_query_period_end(q->by, ps, q->end);
        }
        pxs_span_free(&sp);
    }
    acc_free(&a);
    return status;
}

/* One database's points over the range: NULL values when it cannot be read
 * (warned about). */
typedef struct points {
    double *v;
    size_t n;
    int64_t step, first;
} points;

static int fetch(const pxs_query *q, pxs_dbtype t, const char *client, const char *group,
                 points *p)
{
    char *path = pxs_rrd_path(q->statsdir, q->ft, t, client, group);
    int rc = pxs_rrd_fetch_average(path, q->start, q->end, PXS_RRD_STEP, &p->v, &p->n, &p->step,
                                   &p->first);

    if (rc != 0) {
        pxs_warnx("%s", pxs_error());
        memset(p, 0, sizeof *p);
    }
    free(path);
    return rc != 0;
}

/* The value of point i of p when it starts in [ps, pe) and is known, times
 * the minutes it stands for (count types); NaN otherwise. */
static double point_in(const points *p, size_t i, int64_t ps, int64_t pe, bool count)
{
    int64_t begin = p->first + (int64_t)i * p->step - p->step;

    if (p->v == NULL || begin < ps || begin >= pe || isnan(p->v[i]))
        return NAN;
    return count ? p->v[i] * (double)p->step / PXS_MINUTE : p->v[i];
}

/* One client from the archive of the machine group. Returns 0 or 1. */
static int client_from_archive(run *r, const char *client)
{
    static const struct { pxs_dbtype t; int field; } counts[] = {
        {PXS_DB_FILECOUNT, PXS_Q_FILES}, {PXS_DB_BYTECOUNT, PXS_Q_BYTES},
        {PXS_DB_ERRORS, PXS_Q_ERRORS}, {PXS_DB_FILESOVER, PXS_Q_OVER}};
    const pxs_query *q = r->q;
    char *group = pxs_strlist_join(q->machines, "");
    points pt[4], lat = {0};
    int status = 0;
    size_t ncounts = q->ft == PXS_TX ? 4 : 3;

    for (size_t k = 0; k < ncounts; k++)
        status |= fetch(q, counts[k].t, client, group, &pt[k]);
    if (q->ft == PXS_TX)
        status |= fetch(q, PXS_DB_LATENCY, client, group, &lat);
    for (int64_t ps = q->start, pe; ps < q->end; ps = pe) {
        pe = pxs_query_period_end(q->by, ps, q->end);
        double sum[4] = {0, 0, 0, 0}, lat_w = 0, files_w = 0;
        bool known = false;
        for (size_t k = 0; k < ncounts; k++)
            for (size_t i = 0; i < pt[k].n; i++) {
                double v = point_in(&pt[k], i, ps, pe, true);
                if (!isnan(v)) {
                    sum[k] += v;
                    known = known || k == 0;
                }
            }
        /* The mean latency of a point weighs as many files as it had. */
        if (lat.v && pt[0].v && lat.step == pt[0].step && lat.first == pt[0].first)
            for (size_t i = 0; i < lat.n && i < pt[0].n; i++) {
                double l = point_in(&lat, i, ps, pe, false), f = point_in(&pt[0], i, ps, pe, true);
                if (!isnan(l) && !isnan(f)) {
                    lat_w += l * f;
                    files_w += f;
                }
            }
        row_unknown(&r->row);
        if (known) {
            for (size_t k = 0; k < ncounts; k++)
                PXS_QV(&r->row, counts[k].field) = round(sum[k]);
            if (files_w > 0) {
                PXS_QV(&r->row, PXS_Q_LAT_MEAN) = lat_w / files_w;
                r->row.latency_sum = lat_w;
            }
        }
        emit_period(r, ps, pe);
    }
    for (size_t k = 0; k < ncounts; k++)
        free(pt[k].v);
    free(lat.v);
    free(group);
    return status ? 1 : 0;
}

int pxs_query_run(const pxs_query *q, pxs_query_emit_fn emit, void *arg)
{
    run r = {.q = q, .emit = emit, .arg = arg};
    int status = 0;

    if (q->start >= q->end) {
        pxs_set_error("an empty range: the start must be before the end");
        return -1;
    }
    r.machines = pxs_strlist_join(q->machines, ",");
    r.row.machines = r.machines;
    r.row.ft = q->ft;
    for (size_t i = 0; i < q->clients->n && status >= 0; i++) {
        int rc;
        r.row.client = q->clients->v[i];
        rc = q->archive ? client_from_archive(&r, q->clients->v[i])
                        : client_from_snapshots(&r, q->clients->v[i]);
        status = rc < 0 ? -1 : (status | rc);
    }
    free(r.machines);
    return status;
}
