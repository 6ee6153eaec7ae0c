/* Unit tests of query and queryout: every period of every --by over aligned
 * and unaligned ranges against a brute-force count of the rows (machines
 * merged, hours missing unknown, error rows counted as errors only, rx
 * without latency), then the four output formats. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/collector.h"
#include "pxstats/layout.h"
#include "pxstats/pxtime.h"
#include "pxstats/query.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

#define H0 1768003200      /* 2026-01-10 00:00:00 */
#define NROWS 600

typedef struct trow {
    int machine;           /* 0: m1, 1: m2 */
    int64_t time, bytes, latency;
    bool error;
} trow;

static trow rows[NROWS];
static char *statsdir;
static const char *const mnames[] = {"m1", "m2"};

/* Hours 0, 1 and 3 have snapshots on m1; hours 0 and 3 on m2; hour 2 none. */
static bool has_snapshot(int machine, int hour)
{
    return hour == 0 || hour == 3 || (hour == 1 && machine == 0);
}

static void make_rows(void)
{
    int n = 0;
    srand(77);
    while (n < NROWS) {
        int machine = rand() % 2, hour = rand() % 4;
        if (!has_snapshot(machine, hour))
            continue;
        trow *r = &rows[n++];
        r->machine = machine;
        r->time = H0 + hour * 3600 + rand() % 3600;
        r->error = rand() % 10 == 0;
        r->bytes = r->error ? 0 : 1 + rand() % 5000;
        r->latency = r->error ? 0 : rand() % 40;
    }
}

static void write_hour(pxs_filetype ft, int machine, int hour)
{
    pxs_hour h;
    char *path;

    pxs_hour_init(&h, "c1", mnames[machine], ft, H0 + hour * 3600, 1, 15, PXS_T_ALL);
    for (int i = 0; i < NROWS; i++)
        if (rows[i].machine == machine && rows[i].time / 3600 == (H0 / 3600) + hour)
            pxs_hour_add_row(&h, rows[i].time, rows[i].bytes, rows[i].latency, "P:a:b:c:3:D:x",
                             rows[i].error);
    pxs_hour_compute(&h);
    path = pxs_pickle_path(statsdir, "c1", h.start, ft, mnames[machine]);
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    free(path);
    pxs_hour_free(&h);
}

static int setup(void **state)
{
    if (testdir_make(state, "query") != 0)
        return -1;
    statsdir = *state;
    make_rows();
    for (int m = 0; m < 2; m++)
        for (int hour = 0; hour < 4; hour++)
            if (has_snapshot(m, hour)) {
                write_hour(PXS_TX, m, hour);
                write_hour(PXS_RX, m, hour);
            }
    return 0;
}

/* ---- the brute force ---- */

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double nearest(const int64_t *sorted, size_t n, unsigned p)
{
    /* the smallest value with at least p % of the values <= it */
    for (size_t i = 0; i < n; i++) {
        size_t le = 0;
        for (size_t j = 0; j < n; j++)
            le += sorted[j] <= sorted[i];
        if (le * 100 >= p * n)
            return (double)sorted[i];
    }
    return NAN;
}

static void expected(pxs_filetype ft, int mask, int64_t ps, int64_t pe, double *v)
{
    int64_t lat[NROWS], size[NROWS];
    size_t n = 0;
    double files = 0, bytes = 0, errors = 0, over = 0, latsum = 0;
    bool known = false;

    for (int i = 0; i < PXS_Q_NVALUES; i++)
        v[i] = NAN;
    for (int64_t h = ps - ((ps - H0) % 3600 + 3600) % 3600; h < pe; h += 3600)
        for (int m = 0; m < 2; m++)
            known = known || ((mask & (1 << m)) && h >= H0 && has_snapshot(m, (int)((h - H0) / 3600)));
    if (!known)
        return;
    for (int i = 0; i < NROWS; i++) {
        const trow *r = &rows[i];
        if (!(mask & (1 << r->machine)) || r->time < ps || r->time >= pe)
            continue;
        if (r->error) {
            errors++;
            continue;
        }
        files++;
        bytes += (double)r->bytes;
        over += r->latency > 15;
        lat[n] = r->latency;
        size[n] = r->bytes;
        latsum += (double)r->latency;
        n++;
    }
    v[PXS_Q_FILES - PXS_Q_FILES] = files;
    v[PXS_Q_BYTES - PXS_Q_FILES] = bytes;
    v[PXS_Q_ERRORS - PXS_Q_FILES] = errors;
    v[PXS_Q_OVER - PXS_Q_FILES] = ft == PXS_TX ? over : NAN;
    if (n == 0)
        return;
    qsort(lat, n, sizeof *lat, cmp);
    qsort(size, n, sizeof *size, cmp);
    if (ft == PXS_TX) {
        v[PXS_Q_LAT_MIN - PXS_Q_FILES] = (double)lat[0];
        v[PXS_Q_LAT_P50 - PXS_Q_FILES] = nearest(lat, n, 50);
        v[PXS_Q_LAT_P90 - PXS_Q_FILES] = nearest(lat, n, 90);
        v[PXS_Q_LAT_P95 - PXS_Q_FILES] = nearest(lat, n, 95);
        v[PXS_Q_LAT_P99 - PXS_Q_FILES] = nearest(lat, n, 99);
        v[PXS_Q_LAT_MAX - PXS_Q_FILES] = (double)lat[n - 1];
        v[PXS_Q_LAT_MEAN - PXS_Q_FILES] = latsum / (double)n;
    }
    v[PXS_Q_SIZE_P50 - PXS_Q_FILES] = nearest(size, n, 50);
    v[PXS_Q_SIZE_P99 - PXS_Q_FILES] = nearest(size, n, 99);
    v[PXS_Q_SIZE_MAX - PXS_Q_FILES] = (double)size[n - 1];
}

typedef struct check {
    pxs_filetype ft;
    int mask;
    pxs_query_by by;
    int64_t start, end, next;   /* next: where the next period must start */
    int rows;
} check;

static void check_row(const pxs_query_row *r, void *arg)
{
    check *c = arg;
    double want[PXS_Q_NVALUES];

    assert_string_equal(r->client, "c1");
    assert_int_equal(r->ft, c->ft);
    assert_int_equal(r->start, c->next);
    assert_true(r->end > r->start && r->end <= c->end);
    assert_int_equal(r->end, pxs_query_period_end(c->by, r->start, c->end));
    c->next = r->end;
    c->rows++;
    expected(c->ft, c->mask, r->start, r->end, want);
    for (int i = 0; i < PXS_Q_NVALUES; i++) {
        double a = r->v[i], b = want[i];
        if (isnan(a) != isnan(b) || (!isnan(a) && fabs(a - b) > 1e-9 * fmax(1, fabs(b))))
            fail_msg("%s %lld..%lld: %s is %g, want %g", r->machines, (long long)r->start,
                     (long long)r->end, pxs_query_fields[PXS_Q_FILES + i], a, b);
    }
}

static void run(pxs_filetype ft, int mask, pxs_query_by by, int64_t start, int64_t end, int nrows)
{
    pxs_strlist clients, machines;
    check c = {ft, mask, by, start, end, start, 0};

    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    pxs_strlist_add(&clients, "c1");
    for (int m = 0; m < 2; m++)
        if (mask & (1 << m))
            pxs_strlist_add(&machines, mnames[m]);
    pxs_query q = {statsdir, ft, &clients, &machines, start, end, by, false};
    assert_int_equal(pxs_query_run(&q, check_row, &c), 0);
    assert_int_equal(c.next, end);
    if (nrows >= 0)
        assert_int_equal(c.rows, nrows);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
}

static void test_periods(void **state)
{
    (void)state;
    assert_int_equal(pxs_query_period_end(PXS_BY_MINUTE, H0 + 61, H0 + 1000), H0 + 120);
    assert_int_equal(pxs_query_period_end(PXS_BY_HOUR, H0 + 61, H0 + 1000), H0 + 1000);
    assert_int_equal(pxs_query_period_end(PXS_BY_HOUR, H0 + 61, H0 + 9000), H0 + 3600);
    assert_int_equal(pxs_query_period_end(PXS_BY_DAY, H0 + 61, H0 + 2 * 86400), H0 + 86400);
    assert_int_equal(pxs_query_period_end(PXS_BY_TOTAL, H0 + 61, H0 + 2 * 86400), H0 + 2 * 86400);
    assert_int_equal(pxs_query_period_end(PXS_BY_MINUTE, -59, 1000), 0);
}

static void test_against_brute_force(void **state)
{
    (void)state;
    for (int ft = PXS_TX; ft <= PXS_RX; ft++)
        for (int mask = 1; mask <= 3; mask++) {
            run((pxs_filetype)ft, mask, PXS_BY_HOUR, H0 - 7200, H0 + 5 * 3600, 7);
            run((pxs_filetype)ft, mask, PXS_BY_TOTAL, H0 - 7200, H0 + 5 * 3600, 1);
            run((pxs_filetype)ft, mask, PXS_BY_DAY, H0 - 7200, H0 + 5 * 3600, 2);
            run((pxs_filetype)ft, mask, PXS_BY_MINUTE, H0 + 1817, H0 + 4210, 41);
            run((pxs_filetype)ft, mask, PXS_BY_HOUR, H0 + 1817, H0 + 3 * 3600 + 5, 4);
            run((pxs_filetype)ft, mask, PXS_BY_TOTAL, H0 + 7200, H0 + 10800, 1);   /* unknown */
        }
    /* An empty range is refused. */
    pxs_strlist c, m;
    pxs_strlist_init(&c);
    pxs_strlist_init(&m);
    pxs_query q = {statsdir, PXS_TX, &c, &m, H0, H0, PXS_BY_HOUR, false};
    assert_int_equal(pxs_query_run(&q, check_row, NULL), -1);
}

/* ---- output ---- */

static char *render(pxs_query_format fmt, bool archive, pxs_query_by by, int64_t start,
                    int64_t end, pxs_filetype ft)
{
    pxs_strlist clients, machines;
    pxs_query_out o;
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);

    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    pxs_strlist_add(&clients, "c1");
    pxs_strlist_add(&machines, "m1");
    pxs_strlist_add(&machines, "m2");
    pxs_query q = {statsdir, ft, &clients, &machines, start, end, by, false};
    pxs_query_out_init(&o, fp, fmt, archive);
    assert_int_equal(pxs_query_run(&q, pxs_query_out_row, &o), 0);
    pxs_query_out_finish(&o);
    fclose(fp);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    return buf;
}

static void test_formats(void **state)
{
    char *s;
    char *absent = pxs_query_rows_only_names();

    (void)state;
    assert_string_equal(absent, "latency_min, latency_p50, latency_p90, latency_p95, latency_p99, "
                                "latency_max, bytecount_p50, bytecount_p99, bytecount_max");
    free(absent);
    s = render(PXS_FMT_CSV, false, PXS_BY_HOUR, H0 + 7200, H0 + 14400, PXS_TX);
    static const char header[] =
        "client,machines,fileType,start,end,files,bytes,errors,filesOverMaxLatency,latency_min,"
        "latency_p50,latency_p90,latency_p95,latency_p99,latency_max,latency_mean,bytecount_p50,"
        "bytecount_p99,bytecount_max\n";
    assert_int_equal(strncmp(s, header, strlen(header)), 0);
    assert_non_null(strstr(s, "\nc1,\"m1,m2\",tx,2026-01-10 02:00:00,2026-01-10 03:00:00,,,,,,,,,,,,,,\n"));
    assert_non_null(strstr(s, "\nc1,\"m1,m2\",tx,2026-01-10 03:00:00,2026-01-10 04:00:00,"));
    free(s);
    s = render(PXS_FMT_JSON, false, PXS_BY_HOUR, H0 + 7200, H0 + 10800, PXS_RX);
    assert_string_equal(s, "{\"client\":\"c1\",\"machines\":\"m1,m2\",\"fileType\":\"rx\","
                           "\"start\":\"2026-01-10 02:00:00\",\"end\":\"2026-01-10 03:00:00\","
                           "\"files\":null,\"bytes\":null,\"errors\":null,\"filesOverMaxLatency\":null,"
                           "\"latency_min\":null,\"latency_p50\":null,\"latency_p90\":null,"
                           "\"latency_p95\":null,\"latency_p99\":null,\"latency_max\":null,"
                           "\"latency_mean\":null,\"bytecount_p50\":null,\"bytecount_p99\":null,"
                           "\"bytecount_max\":null}\n");
    free(s);
    /* One period per client: stable series, no period labels. */
    s = render(PXS_FMT_OPENMETRICS, false, PXS_BY_TOTAL, H0, H0 + 14400, PXS_TX);
    assert_non_null(strstr(s, "# HELP pxstats_files "));
    assert_non_null(strstr(s, "# TYPE pxstats_files gauge\npxstats_files{client=\"c1\",machine=\"m1,m2\",filetype=\"tx\"} "));
    assert_non_null(strstr(s, "# TYPE pxstats_latency_seconds summary\n"));
    assert_non_null(strstr(s, "pxstats_latency_seconds{client=\"c1\",machine=\"m1,m2\",filetype=\"tx\",quantile=\"0.95\"} "));
    assert_non_null(strstr(s, "pxstats_latency_seconds_count{client=\"c1\",machine=\"m1,m2\",filetype=\"tx\"} "));
    assert_null(strstr(s, "start="));
    assert_string_equal(s + strlen(s) - 6, "# EOF\n");
    free(s);
    /* Several periods: start and end labels; an unknown period left out. */
    s = render(PXS_FMT_OPENMETRICS, false, PXS_BY_HOUR, H0 + 3600, H0 + 14400, PXS_RX);
    assert_non_null(strstr(s, "pxstats_files{client=\"c1\",machine=\"m1,m2\",filetype=\"rx\",start=\"2026-01-10 01:00:00\",end=\"2026-01-10 02:00:00\"} "));
    assert_null(strstr(s, "start=\"2026-01-10 02:00:00\""));
    assert_null(strstr(s, "latency"));
    free(s);
    /* The table: the header names the fields, "-" for unknown, and with the
     * archive a last line naming the absent columns. */
    s = render(PXS_FMT_TABLE, true, PXS_BY_HOUR, H0 + 7200, H0 + 10800, PXS_TX);
    assert_int_equal(strncmp(s, "client  machines  fileType  start                end                  files  bytes  errors", 82), 0);
    assert_non_null(strstr(s, "\nc1      m1,m2     tx        2026-01-10 02:00:00  2026-01-10 03:00:00      -      -       -"));
    assert_non_null(strstr(s, "\n(from the RRD archive, which keeps per-minute values only: latency_min, "));
    free(s);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_periods),
        T(test_against_brute_force),
        T(test_formats),
    };
    return cmocka_run_group_tests(tests, setup, testdir_remove);
}
