/* Unit tests of gnuplot (graphGen's graphs) and graphjobs (--all).
 *
 * Snapshots are written from rows made here; every expected figure is
 * computed from those same rows by plain loops in this file, never by the
 * collector or the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/collector.h"
#include "pxstats/config.h"
#include "pxstats/gnuplot.h"
#include "pxstats/pngspan.h"
#include "pxstats/graphjobs.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

#define T0 1790000000LL           /* any time: the rows start at its hour */
#define NROWS 3000

typedef struct trow {
    int machine;                  /* 0 or 1 */
    int64_t time, bytes, latency;
    int error;
    char product[64];
} trow;

static trow rows[NROWS];
static char root[256];
static pxs_config cfg;

static int64_t hour0(void) { return pxs_hour_floor(T0); }

static unsigned lcg_state = 12345;
static unsigned lcg(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (lcg_state >> 8) & 0xffffff;
}

/* Rows over 6 hours on 2 machines; hour 4 has no snapshot at all. */
static void make_rows(void)
{
    for (int i = 0; i < NROWS; i++) {
        trow *r = &rows[i];
        int64_t h;
        r->machine = (int)(lcg() % 2);
        do
            h = lcg() % 6;
        while (h == 4);
        r->time = hour0() + h * 3600 + (int64_t)(lcg() % 3600);
        r->error = lcg() % 23 == 0;
        r->bytes = r->error ? 0 : 10 + (int64_t)(lcg() % 200000);
        r->latency = r->error ? 0 : (int64_t)(lcg() % 40);
        if (r->error)
            r->product[0] = '\0';
        else
            snprintf(r->product, sizeof r->product, "%s_CWAO_%02u:ncp1:CWAO:%s:3:Direct:%u",
                     lcg() % 3 ? "SACN31" : "FTCN43", lcg() % 50, lcg() % 2 ? "SA" : "FT",
                     lcg() % 1000);
    }
}

static void write_snapshots(void)
{
    const char *machines[2] = {"pds5", "pds6"};

    for (int m = 0; m < 2; m++)
        for (int64_t h = 0; h < 6; h++) {
            pxs_hour hr;
            char *path;
            if (h == 4)
                continue;
            pxs_hour_init(&hr, "amis", machines[m], PXS_TX, hour0() + h * 3600, 1, 15, PXS_T_ALL);
            for (int i = 0; i < NROWS; i++)
                if (rows[i].machine == m && pxs_hour_floor(rows[i].time) == hour0() + h * 3600)
                    pxs_hour_add_row(&hr, rows[i].time, rows[i].bytes, rows[i].latency,
                                     rows[i].product, rows[i].error);
            pxs_hour_compute(&hr);
            path = pxs_pickle_path(cfg.statsdir, "amis", hr.start, PXS_TX, machines[m]);
            assert_int_equal(pxs_snapshot_write(path, &hr), 0);
            free(path);
            pxs_hour_free(&hr);
        }
}

static int setup(void **state)
{
    char *conf;

    (void)state;
    snprintf(root, sizeof root, "%s/pxs-gnuplot.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(root) == NULL)
        return -1;
    conf = xasprintf("%s/pxstats.conf", root);
    pxs_atomic_write(conf, "", 0);
    if (pxs_config_load(&cfg, root, conf) != 0)
        return -1;
    free(conf);
    make_rows();
    write_snapshots();
    return 0;
}

static int teardown(void **state)
{
    pid_t pid;
    char *argv[] = {"rm", "-rf", root, NULL};

    (void)state;
    pxs_config_free(&cfg);
    pid = pxs_spawn_bg(argv);
    return pid > 0 ? (pxs_spawn_wait(pid) == 0 ? 0 : -1) : -1;
}

/* --- expected figures, computed from rows[] ------------------------------ */

typedef struct expect {
    double y[6 * 60];             /* per minute of the 6 hours */
    uint64_t files, over, errors;
    double bytes, max;            /* max: largest latency or file */
    int64_t tmax;
    const char *fmax;
    int64_t p95;                  /* latency: nearest rank, -1 when no file */
} expect;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool matches(const trow *r, const char *pattern, int machines_mask)
{
    if (!(machines_mask & (1 << r->machine)))
        return false;
    if (r->error || pattern == NULL)
        return true;
    return strstr(r->product, pattern) != NULL;
}

/* Rows in time order, machine 0 before 1 on a tie (the merge's order). */
static int by_time(const void *a, const void *b)
{
    const trow *x = *(const trow *const *)a, *y = *(const trow *const *)b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->machine != y->machine)
        return x->machine - y->machine;
    return x < y ? -1 : x > y;
}

static void expected(unsigned type, const char *pattern, int mask, expect *e)
{
    static const trow *sorted[NROWS];
    static int64_t lat[NROWS];
    double sum[6 * 60] = {0};
    int n[6 * 60] = {0};
    size_t ns = 0, nlat = 0;

    memset(e, 0, sizeof *e);
    for (int i = 0; i < NROWS; i++)
        sorted[ns++] = &rows[i];
    qsort(sorted, ns, sizeof *sorted, by_time);
    for (size_t k = 0; k < ns; k++) {
        const trow *r = sorted[k];
        int m = (int)((r->time - hour0()) / 60);
        double v = type == PXS_T_LATENCY ? (double)r->latency : (double)r->bytes;
        if (!matches(r, pattern, mask))
            continue;
        if (r->error) {
            e->errors++;
            if (type == PXS_T_ERRORS)
                e->y[m] += 1;
            continue;
        }
        e->files++;
        lat[nlat++] = r->latency;
        e->over += r->latency > 15;
        e->bytes += (double)r->bytes;
        sum[m] += v;
        n[m]++;
        if (type != PXS_T_ERRORS && (e->fmax == NULL || v > e->max)) {
            e->max = v;
            e->tmax = r->time;
            e->fmax = r->product;
        }
    }
    for (int m = 0; m < 6 * 60 && type != PXS_T_ERRORS; m++)
        e->y[m] = type == PXS_T_LATENCY ? (n[m] ? sum[m] / n[m] : 0) : sum[m];
    /* The smallest latency that at least 95 % of the files do not exceed. */
    qsort(lat, nlat, sizeof *lat, cmp_i64);
    e->p95 = -1;
    for (size_t i = 0; i < nlat && e->p95 < 0; i++) {
        size_t le = i + 1;
        while (le < nlat && lat[le] == lat[i])
            le++;
        if (le * 100 >= 95 * nlat)
            e->p95 = lat[i];
    }
}

/* --- tests ---------------------------------------------------------------- */

static void test_types_parse(void **state)
{
    unsigned t[3];
    int n;

    (void)state;
    assert_int_equal(pxs_graph_types_parse("All", PXS_TX, t, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(t[0], PXS_T_ERRORS);
    assert_int_equal(t[1], PXS_T_BYTECOUNT);
    assert_int_equal(t[2], PXS_T_LATENCY);
    assert_int_equal(pxs_graph_types_parse(NULL, PXS_RX, t, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pxs_graph_types_parse("latency, errors", PXS_TX, t, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(t[0], PXS_T_LATENCY);
    assert_int_equal(t[1], PXS_T_ERRORS);
    assert_int_equal(pxs_graph_types_parse("latency", PXS_RX, t, &n), -1);
    assert_int_equal(pxs_graph_types_parse("errors,errors", PXS_TX, t, &n), -1);
    assert_non_null(strstr(pxs_error(), "twice"));
    assert_int_equal(pxs_graph_types_parse("bogus", PXS_TX, t, &n), -1);
    assert_int_equal(pxs_graph_types_parse("All,latency", PXS_TX, t, &n), -1);
    assert_int_equal(pxs_graph_types_parse(",", PXS_TX, t, &n), -1);
    assert_string_equal(pxs_graph_type_name(PXS_T_BYTECOUNT), "bytecount");
}

static void test_quote(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "''"},
        {"plain SACN31_CWAO", "'plain SACN31_CWAO'"},
        /* Only the quote is special in single quotes: doubled. */
        {"a'b''c", "'a''b''''c'"},
        /* Backquotes, macros, backslashes and double quotes stay as text. */
        {"`touch x`@m\\\"$(id)", "'`touch x`@m\\\"$(id)'"},
        /* A newline would end the command: every control character goes. */
        {"a\nb\rc\td\x01" "e\x7f" "f", "'a?b?c?d?e?f'"},
        /* Valid UTF-8 is kept; broken sequences become '?'. */
        {"caf\xc3\xa9 \xe2\x82\xac", "'caf\xc3\xa9 \xe2\x82\xac'"},
        {"x\xc3(\xff\xc0\xaf\xed\xa0\x80", "'x?(??????" "'"},
        {"\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = pxs_gnuplot_quote(cases[i].in);
        assert_string_equal(q, cases[i].out);
        free(q);
    }
}

static pxs_graph_opts opts(pxs_strlist *clients, pxs_strlist *machines, const char *m,
                           const char *product)
{
    pxs_graph_opts o = {0};

    pxs_strlist_init(clients);
    pxs_strlist_init(machines);
    pxs_strlist_add(clients, "amis");
    pxs_strlist_split(machines, m, ',');
    o.cfg = &cfg;
    o.clients = clients;
    o.machines = machines;
    o.ft = PXS_TX;
    o.date = hour0() + 6 * 3600 + 1234;     /* rounded down: the window is the 6 hours */
    o.span = 6;
    o.product = product;
    pxs_graph_types_parse("All", PXS_TX, o.types, &o.ntypes);
    return o;
}

static void test_path(void **state)
{
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds5,pds6", "SA* [x]/y");
    char *p, *want;

    (void)state;
    pxs_strlist_add(&c, "cvt");
    p = pxs_graph_path(&o, 1154408400);   /* 2006-08-01 05:00:00 */
    want = xasprintf("%s/graphs/tx/amis-cvt/tx_amis-cvt_20060801_05:00:00_errors,bytecount,latency_"
                     "6hours_on_pds5,pds6_forSA*xyproducts.png", cfg.statsdir);
    assert_string_equal(p, want);
    free(p);
    free(want);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

/* Checks every panel of a loaded graph against rows[]. */
static void check_panels(const pxs_graph *g, const char *pattern, int mask)
{
    assert_false(g->no_data);
    assert_int_equal(g->npanels, 3);
    assert_int_equal(g->series[0].missing, 1);
    for (size_t k = 0; k < g->npanels; k++) {
        const pxs_panel *p = &g->panels[k];
        expect e;
        double sum = 0, max = 0;
        size_t j = 0;
        expected(p->type, pattern, mask, &e);
        /* 5 hours of snapshots: 300 points, the missing hour draws none. */
        assert_int_equal(p->npoints, 300);
        for (int mnt = 0; mnt < 360; mnt++) {
            if (mnt / 60 == 4)
                continue;
            assert_int_equal(p->x[j], hour0() + mnt * 60);
            assert_true(p->y[j] - e.y[mnt] < 1e-9 && e.y[mnt] - p->y[j] < 1e-9);
            sum += e.y[mnt];
            if (e.y[mnt] > max)
                max = e.y[mnt];
            j++;
        }
        assert_true(p->mean - sum / 300 < 1e-9 && sum / 300 - p->mean < 1e-9);
        assert_true(p->max == max);
        assert_int_equal(p->nb_files, e.files);
        assert_int_equal(p->files_over, e.over);
        assert_int_equal(p->nb_errors, e.errors);
        assert_true(p->total_bytes == e.bytes);
        assert_int_equal(p->max_latency, 15);
        if (p->type == PXS_T_LATENCY) {
            assert_true(p->has_p95);
            assert_true(e.p95 >= 0);
            assert_int_equal(p->p95, e.p95);
        } else {
            assert_false(p->has_p95);
        }
        if (p->type != PXS_T_ERRORS) {
            assert_true(p->has_extreme);
            assert_true(p->extreme == e.max);
            assert_int_equal(p->extreme_time, e.tmax);
            assert_string_equal(p->extreme_file, e.fmax);
        } else {
            assert_true(p->extreme == max);
        }
    }
}

static void test_load_merged(void **state)
{
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds5,pds6", NULL);
    pxs_graph g;

    (void)state;
    assert_int_equal(pxs_graph_load(&o, &g), 0);
    assert_int_equal(g.end, hour0() + 6 * 3600);
    assert_int_equal(g.start, hour0());
    check_panels(&g, NULL, 3);
    pxs_graph_free(&g);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

static void test_load_one_machine_filtered(void **state)
{
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds6", "FTCN43");
    pxs_graph g;

    (void)state;
    assert_int_equal(pxs_graph_load(&o, &g), 0);
    check_panels(&g, "FTCN43", 2);
    pxs_graph_free(&g);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

/* The script's datablocks hold exactly the panels' points. */
static void test_script(void **state)
{
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds5,pds6", "FT\"CN\\43");
    pxs_graph g;
    size_t len, k = 0, npts = 0;
    char *s, *line, *save = NULL;
    bool in_block = false;

    (void)state;
    assert_int_equal(pxs_graph_load(&o, &g), 0);
    s = pxs_graph_script(&g, &len);
    assert_int_equal(strlen(s), len);
    assert_non_null(strstr(s, "set terminal png noenhanced size 1280,1026\n"));
    /* Single-quoted, the product's '"' and '\\' are plain text. */
    assert_non_null(strstr(s, "set label 'Product Type : FT\"CN\\43' at screen"));
    assert_non_null(strstr(s, "Latency for amis for a span of 6 hours ending at "));
    for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        long long x;
        double y;
        if (strncmp(line, "$p", 2) == 0) {
            in_block = true;
            npts = 0;
        } else if (in_block && strcmp(line, "EOD") == 0) {
            assert_int_equal(npts, g.panels[k].npoints);
            in_block = false;
            k++;
        } else if (in_block) {
            assert_int_equal(sscanf(line, "%lld %lf", &x, &y), 2);
            assert_int_equal(x, g.panels[k].x[npts]);
            assert_true(y - g.panels[k].y[npts] < 1e-9 && g.panels[k].y[npts] - y < 1e-9);
            npts++;
        }
    }
    assert_int_equal(k, 3);
    free(s);
    pxs_graph_free(&g);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

static void test_no_data(void **state)
{
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds5", NULL);
    pxs_graph g;
    size_t len;
    char *s;

    (void)state;
    o.date += 30 * 24 * 3600;
    assert_int_equal(pxs_graph_load(&o, &g), 0);
    assert_true(g.no_data);
    assert_int_equal(g.npanels, 0);
    s = pxs_graph_script(&g, &len);
    assert_non_null(strstr(s, "set title 'No data for amis (tx) on pds5 for a span of 6 hours"));
    assert_non_null(strstr(s, "size 1280,342\n"));
    free(s);
    pxs_graph_free(&g);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

/* Writes a tx log of amis for machine: lines at hour 6 + minute m (second
 * 10), n bytes each, latency 3 s; and one line after 06:30 that -n at 06:30
 * must not draw. */
static void write_log(const char *machine, const int *minutes, size_t n, int64_t bytes)
{
    char *path = xasprintf("%s/%s/tx_amis.log", cfg.logdir, machine), *text = xstrdup("");

    for (size_t i = 0; i <= n; i++) {
        int64_t t = hour0() + 6 * 3600 + (i < n ? minutes[i] * 60 + 10 : 45 * 60);
        char iso[PXS_ISO_SIZE], rec[32], *line, *all;
        pxs_strftime(t - 3, "%Y%m%d%H%M%S", rec, sizeof rec);
        line = xasprintf("%s,000 [INFO] (%lld Bytes) File /apps/px/txq/amis/3/x/"
                         "SACN31_CWAO_%zu:ncp1:CWAO:SA:3:Direct:%s delivered to ftp://h:/in/\n",
                         pxs_format_iso(t, iso), (long long)bytes, i, rec);
        all = xasprintf("%s%s", text, line);
        free(text);
        free(line);
        text = all;
    }
    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
    free(path);
    free(text);
}

/* -n: the window ends at "now" (06:30) and its current hour comes from the
 * logs of each machine, merged; nothing after 06:30 is drawn. */
static void test_now_from_logs(void **state)
{
    static const int m5[] = {0, 7, 7, 29}, m6[] = {7, 12};
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds5,pds6", NULL);
    pxs_graph g;
    const pxs_panel *bytes;

    (void)state;
    write_log("pds5", m5, 4, 1000);
    write_log("pds6", m6, 2, 10);
    o.now = true;
    o.date = hour0() + 6 * 3600 + 30 * 60;
    assert_int_equal(pxs_graph_load(&o, &g), 0);
    assert_int_equal(g.end, o.date);
    assert_int_equal(g.start, o.date - 6 * 3600);
    assert_int_equal(g.series[0].nhours, 7);
    bytes = &g.panels[1];
    assert_int_equal(bytes->type, PXS_T_BYTECOUNT);
    /* Hours 0:30..5:59 from the snapshots (hour 4 missing), 6:00..6:29 from the logs. */
    assert_int_equal(bytes->npoints, 30 + 4 * 60 + 30);
    assert_int_equal(bytes->x[bytes->npoints - 30], hour0() + 6 * 3600);
    assert_true(bytes->y[bytes->npoints - 30] == 1000);
    assert_true(bytes->y[bytes->npoints - 30 + 7] == 2010);
    assert_true(bytes->y[bytes->npoints - 30 + 12] == 10);
    assert_true(bytes->y[bytes->npoints - 1] == 1000);
    pxs_graph_free(&g);
    /* One machine alone: its hour is used as is. */
    pxs_strlist_free(&m);
    pxs_strlist_init(&m);
    pxs_strlist_add(&m, "pds6");
    assert_int_equal(pxs_graph_load(&o, &g), 0);
    bytes = &g.panels[1];
    assert_true(bytes->y[bytes->npoints - 30 + 7] == 10);
    assert_true(bytes->y[bytes->npoints - 30] == 0);
    pxs_graph_free(&g);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

static bool gnuplot_found(void)
{
    char *argv[] = {"gnuplot", "--version", NULL};
    char *out = NULL;
    size_t olen;
    pxs_spawn_opts so = {.stdout_buf = &out, .stdout_len = &olen};
    int st = pxs_spawn(argv, &so);

    free(out);
    return st == 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_make_png(void **state)
{
    pxs_strlist c, m;
    pxs_graph_opts o = opts(&c, &m, "pds5,pds6", NULL);
    char *png = NULL, *link, *dir;
    unsigned char *data;
    size_t len;

    (void)state;
    if (!gnuplot_found())
        skip();
    assert_int_equal(pxs_graph_make(&o, NULL, true, &png), 0);
    assert_non_null(png);
    data = (unsigned char *)pxs_read_file(png, &len);
    assert_non_null(data);
    assert_true(len > 33);
    assert_memory_equal(data, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(data + 12, "IHDR", 4);
    assert_int_equal(be32(data + 16), 1280);
    assert_int_equal(be32(data + 20), 3 * 342);
    free(data);
    link = xasprintf("%s/webGraphics/columbo/tx/amis.png", cfg.statsdir);
    assert_int_equal(access(link, R_OK), 0);
    /* The 24 h copy says which span it shows (the pages and uploads check it). */
    int64_t s, e;
    assert_int_equal(pxs_png_file_span(link, &s, &e), 1);
    assert_int_equal(e - s, (int64_t)o.span * 3600);
    dir = xasprintf("%s/graphs/tx/amis", cfg.statsdir);
    assert_int_equal(count_entries(dir), 1);   /* nothing left but the PNG */
    free(dir);
    free(link);
    free(png);
    pxs_strlist_free(&c);
    pxs_strlist_free(&m);
}

static void test_run_failures(void **state)
{
    char *png = xasprintf("%s/fail/x.png", root), *dir = xasprintf("%s/fail", root);
    const char *bad = "set terminal png\nplot $nothing\n";

    (void)state;
    assert_int_equal(pxs_gnuplot_run("/nonexistent/gnuplot", "plot 1\n", 7, png), -1);
    assert_non_null(strstr(pxs_error(), "gnuplot"));
    assert_int_equal(access(png, F_OK), -1);
    if (gnuplot_found()) {
        assert_int_equal(pxs_gnuplot_run("gnuplot", bad, strlen(bad), png),
                         -1);
        assert_non_null(strstr(pxs_error(), "failed (exit status"));
        /* A script that draws nothing on stdout is an error too. */
        assert_int_equal(pxs_gnuplot_run("gnuplot", "print 1\n", 8, png), -1);
        assert_non_null(strstr(pxs_error(), "no PNG"));
        assert_int_equal(access(png, F_OK), -1);
        if (count_entries(dir) >= 0)
            assert_int_equal(count_entries(dir), 0);
    }
    free(png);
    free(dir);
}

static void test_jobs_list(void **state)
{
    pxs_strlist m;
    pxs_graph_jobs jobs;
    pxs_filetype fts[2] = {PXS_TX, PXS_RX};
    pxs_hour h;
    char *path;

    (void)state;
    /* cvt has an rx snapshot on pds6 only. */
    pxs_hour_init(&h, "cvt", "pds6", PXS_RX, hour0(), 1, 15, PXS_T_BYTECOUNT | PXS_T_ERRORS);
    pxs_hour_compute(&h);
    path = pxs_pickle_path(cfg.statsdir, "cvt", hour0(), PXS_RX, "pds6");
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    free(path);
    pxs_hour_free(&h);
    pxs_strlist_init(&m);
    pxs_strlist_split(&m, "pds5,pds6", ',');
    pxs_graph_jobs_list(cfg.statsdir, &m, fts, 2, false, hour0(), hour0() + 6 * 3600, &jobs);
    assert_int_equal(jobs.n, 2);
    assert_string_equal(jobs.v[0].client, "amis");
    assert_int_equal(jobs.v[0].ft, PXS_TX);
    assert_int_equal(jobs.v[0].machines.n, 2);
    assert_string_equal(jobs.v[1].client, "cvt");
    assert_int_equal(jobs.v[1].ft, PXS_RX);
    pxs_graph_jobs_free(&jobs);
    pxs_graph_jobs_list(cfg.statsdir, &m, fts, 2, true, hour0(), hour0() + 6 * 3600, &jobs);
    assert_int_equal(jobs.n, 3);
    assert_string_equal(jobs.v[0].machines.v[0], "pds5");
    assert_string_equal(jobs.v[1].machines.v[0], "pds6");
    assert_string_equal(jobs.v[2].client, "cvt");
    assert_string_equal(jobs.v[2].machines.v[0], "pds6");
    pxs_graph_jobs_free(&jobs);
    /* Outside the window: nothing. */
    pxs_graph_jobs_list(cfg.statsdir, &m, fts, 2, false, hour0() + 7 * 3600,
                        hour0() + 9 * 3600, &jobs);
    assert_int_equal(jobs.n, 0);
    pxs_graph_jobs_free(&jobs);
    pxs_strlist_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_parse),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_load_merged),
        cmocka_unit_test(test_load_one_machine_filtered),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_no_data),
        cmocka_unit_test(test_now_from_logs),
        cmocka_unit_test(test_make_png),
        cmocka_unit_test(test_run_failures),
        cmocka_unit_test(test_jobs_list),
    };

    pxs_set_progname("test_gnuplot");
    return cmocka_run_group_tests(tests, setup, teardown);
}
