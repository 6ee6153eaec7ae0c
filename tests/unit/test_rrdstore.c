/* Unit tests of rrdstore: databases fed from generated snapshots hold, as read
 * back by the rrdtool binary (an independent reader), the per-minute values
 * computed here from the raw rows; the layout; reruns and replays; merged
 * machine groups; rx; the failure paths; the worker pool. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/collector.h"
#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdbackup.h"
#include "pxstats/rrdstore.h"
#include "pxstats/snapshot.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

#define T0 1160265600   /* 2006-10-08 00:00:00 */
#define H 3600
#define MAXROWS 4096

typedef struct row { int64_t t, bytes, lat; int err; } row;

/* The raw rows written, per machine, so that expectations never go through
 * the collector. */
typedef struct rows { row r[MAXROWS]; size_t n; } rows;

static char *stats;
static rows m1, m2, src;

static int setup(void **state)
{
    (void)state;
    stats = xstrdup("/tmp/pxs-test-rrdstore.XXXXXX");
    assert_non_null(mkdtemp(stats));
    m1.n = m2.n = src.n = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *argv[] = {"rm", "-rf", stats, NULL};
    pxs_spawn(argv, NULL);
    free(stats);
    return 0;
}

/* Writes one hour of random rows (an error row now and then) as a snapshot. */
static void write_hour(const char *client, const char *machine, pxs_filetype ft, int64_t start,
                       unsigned seed, int nrows, rows *keep)
{
    pxs_hour h;
    pxs_hour_init(&h, client, machine, ft, start, 1, 15, PXS_T_ALL);
    srand(seed);
    for (int i = 0; i < nrows; i++) {
        row r = {start + rand() % H, 1 + rand() % 100000, ft == PXS_TX ? rand() % 40 : 0,
                 rand() % 20 == 0};
        if (r.err)
            r.bytes = r.lat = 0;
        pxs_hour_add_row(&h, r.t, r.bytes, r.lat, r.err ? "" : "SACN31_CWAO", r.err);
        keep->r[keep->n++] = r;
    }
    pxs_hour_compute(&h);
    char *path = pxs_pickle_path(stats, client, start, ft, machine);
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    free(path);
    pxs_hour_free(&h);
}

/* The expected value of the minute (end - 60, end], NAN for an hour none of
 * the row sets has a snapshot of (present[] says which hours exist). */
static double expected(const rows *const *sets, size_t nsets, pxs_dbtype t, int64_t end,
                       int64_t first_hour, const int *present, int nhours)
{
    int64_t ms = end - 60;
    int hour = (int)((ms - first_hour) / H);
    if (hour < 0 || hour >= nhours || !present[hour])
        return NAN;
    double files = 0, bytes = 0, lat = 0, errs = 0, over = 0;
    for (size_t s = 0; s < nsets; s++)
        for (size_t i = 0; i < sets[s]->n; i++) {
            const row *r = &sets[s]->r[i];
            if (r->t < ms || r->t >= end)
                continue;
            if (r->err) {
                errs++;
                continue;
            }
            files++;
            bytes += (double)r->bytes;
            lat += (double)r->lat;
            over += r->lat > 15;
        }
    switch (t) {
    case PXS_DB_LATENCY: return files > 0 ? lat / files : 0;
    case PXS_DB_BYTECOUNT: return bytes;
    case PXS_DB_ERRORS: return errs;
    case PXS_DB_FILECOUNT: return files;
    default: return over;
    }
}

/* `rrdtool fetch` of a database: fills times/vals with the rows in (s, e]. */
static size_t fetch(const char *path, int64_t s, int64_t e, int64_t *times, double *vals)
{
    char sa[32], ea[32];
    snprintf(sa, sizeof sa, "%lld", (long long)s);
    snprintf(ea, sizeof ea, "%lld", (long long)e);
    char *argv[] = {"rrdtool", "fetch", (char *)path, "AVERAGE", "-r", "60", "-s", sa, "-e", ea, NULL};
    char *out = NULL;
    size_t len = 0;
    pxs_spawn_opts o = {.stdout_buf = &out, .stdout_len = &len};
    assert_int_equal(pxs_spawn(argv, &o), 0);
    size_t n = 0;
    for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        long long t;
        char v[64];
        if (sscanf(line, "%lld: %63s", &t, v) != 2 || t <= s || t > e)
            continue;
        times[n] = t;
        vals[n++] = strstr(v, "nan") ? NAN : strtod(v, NULL);
    }
    free(out);
    return n;
}

static void check_db_ft(pxs_filetype ft, const char *client, const char *machine, pxs_dbtype t,
                        const rows *const *sets, size_t nsets, int64_t first, const int *present,
                        int nhours)
{
    static int64_t times[24 * 60];
    static double vals[24 * 60];
    char *path = pxs_rrd_path(stats, ft, t, client, machine);
    size_t n = fetch(path, first, first + (int64_t)nhours * H, times, vals);
    assert_int_equal(n, (size_t)nhours * 60);
    for (size_t i = 0; i < n; i++) {
        double want = expected(sets, nsets, t, times[i], first, present, nhours);
        if (isnan(want)) {
            if (!isnan(vals[i]))
                fail_msg("%s at %lld: %g, wanted unknown", path, (long long)times[i], vals[i]);
        } else if (isnan(vals[i]) || fabs(vals[i] - want) > 1e-6 * (1 + fabs(want))) {
            fail_msg("%s at %lld: %g, wanted %g", path, (long long)times[i], vals[i], want);
        }
    }
    free(path);
}

static void check_db(const char *client, const char *machine, pxs_dbtype t, const rows *const *sets,
                     size_t nsets, int64_t first, const int *present, int nhours)
{
    check_db_ft(PXS_TX, client, machine, t, sets, nsets, first, present, nhours);
}

static void test_feed_matches_rows(void **state)
{
    (void)state;
    int present[5] = {1, 1, 0, 1, 0};
    for (int h = 0; h < 5; h++)
        if (present[h])
            write_hour("amis", "m1", PXS_TX, T0 + h * H, 10 + h, 400, &m1);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + 5 * H + 1234, 0, &st), 1);
    assert_int_equal(st.created, 5);
    assert_int_equal(st.values, 5 * 5 * 60);
    const rows *sets[] = {&m1};
    for (int t = 0; t < PXS_DB_NTYPES; t++)
        check_db("amis", "m1", (pxs_dbtype)t, sets, 1, T0, present, 5);
    int64_t when;
    assert_int_equal(pxs_dbupdates_get(stats, PXS_TX, "amis", "m1", &when), 1);
    assert_int_equal(when, T0 + 5 * H);

    /* Nothing new: nothing written, the files untouched. */
    char *path = pxs_rrd_path(stats, PXS_TX, PXS_DB_LATENCY, "amis", "m1");
    size_t len1, len2;
    char *before = pxs_read_file(path, &len1);
    memset(&st, 0, sizeof st);
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + 5 * H, 0, &st), 0);
    assert_int_equal(st.values, 0);

    /* A replay (state lost) skips what the databases already hold. */
    char *upd = pxs_dbupdates_path(stats, PXS_TX, "amis", "m1");
    assert_int_equal(unlink(upd), 0);
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + 5 * H, 0, &st), 1);
    assert_int_equal(st.values, 0);
    char *after = pxs_read_file(path, &len2);
    assert_int_equal(len1, len2);
    free(before);
    free(after);

    /* A snapshot arriving late for an hour already fed as unknown: rrd only
     * appends, so the databases are rebuilt (every snapshot since their
     * creation is kept here) and hold it (issue 13, rule 1). */
    write_hour("amis", "m1", PXS_TX, T0 + 4 * H, 99, 300, &m1);
    memset(&st, 0, sizeof st);
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + 6 * H, 0, &st), 1);
    assert_int_equal(st.rebuilt, 1);
    assert_int_equal(st.values, 5 * 6 * 60);
    int present6[6] = {1, 1, 0, 1, 1, 0};
    for (int t = 0; t < PXS_DB_NTYPES; t++)
        check_db("amis", "m1", (pxs_dbtype)t, sets, 1, T0, present6, 6);
    free(upd);
    free(path);
    pxs_strlist_free(&ms);
}

static void test_layout(void **state)
{
    (void)state;
    char *path = pxs_rrd_path(stats, PXS_TX, PXS_DB_FILESOVER, "amis", "m1");
    assert_int_equal(pxs_rrd_create(path, PXS_DB_FILESOVER, T0), 0);
    char *argv[] = {"rrdtool", "info", path, NULL};
    char *out = NULL;
    size_t len = 0;
    pxs_spawn_opts o = {.stdout_buf = &out, .stdout_len = &len};
    assert_int_equal(pxs_spawn(argv, &o), 0);
    const char *want[] = {
        "step = 60\n", "ds[filesOverMaxLatency].type = \"GAUGE\"\n",
        "ds[filesOverMaxLatency].minimal_heartbeat = 60\n", "ds[filesOverMaxLatency].min = NaN\n",
        "ds[filesOverMaxLatency].max = NaN\n", "last_update = 1160265600\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(out, want[i]) == NULL)
            fail_msg("rrdtool info lacks %s", want[i]);
    static const char *cf[] = {"AVERAGE", "MIN", "MAX"};
    static const int rra[4][2] = {{1, 7200}, {60, 336}, {240, 1460}, {1440, 3650}};
    for (int i = 0; i < 12; i++) {
        char line[128];
        snprintf(line, sizeof line, "rra[%d].cf = \"%s\"\n", i, cf[i % 3]);
        assert_non_null(strstr(out, line));
        snprintf(line, sizeof line, "rra[%d].rows = %d\n", i, rra[i / 3][1]);
        assert_non_null(strstr(out, line));
        snprintf(line, sizeof line, "rra[%d].pdp_per_row = %d\n", i, rra[i / 3][0]);
        assert_non_null(strstr(out, line));
        snprintf(line, sizeof line, "rra[%d].xff = 5.0000000000e-01\n", i);
        assert_non_null(strstr(out, line));
    }
    assert_null(strstr(out, "rra[12]"));
    assert_null(strstr(out, "ds[latency]"));
    free(out);
    free(path);
}

static void test_merged_group(void **state)
{
    (void)state;
    int present[3] = {1, 1, 1};
    write_hour("amis", "m1", PXS_TX, T0, 1, 200, &m1);
    write_hour("amis", "m2", PXS_TX, T0, 2, 200, &m2);
    write_hour("amis", "m1", PXS_TX, T0 + H, 3, 200, &m1);
    write_hour("amis", "m2", PXS_TX, T0 + 2 * H, 4, 200, &m2);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_strlist_add(&ms, "m2");
    int64_t first;
    assert_int_equal(pxs_rrd_first_snapshot(stats, "amis", PXS_TX, &ms, &first), 1);
    assert_int_equal(first, T0);
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + 3 * H, 0, &st), 1);
    const rows *sets[] = {&m1, &m2};
    for (int t = 0; t < PXS_DB_NTYPES; t++)
        check_db("amis", "m1m2", (pxs_dbtype)t, sets, 2, T0, present, 3);
    pxs_strlist_free(&ms);
}

static void test_rx_and_first_snapshot(void **state)
{
    (void)state;
    /* The earliest snapshot is on the second day: the feed starts there. */
    write_hour("ncp1", "m1", PXS_RX, T0 + 26 * H, 7, 100, &src);
    write_hour("ncp1", "m1", PXS_RX, T0 + 27 * H, 8, 100, &src);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    int64_t first;
    assert_int_equal(pxs_rrd_first_snapshot(stats, "ncp1", PXS_RX, &ms, &first), 1);
    assert_int_equal(first, T0 + 26 * H);
    assert_int_equal(pxs_rrd_first_snapshot(stats, "ncp1", PXS_TX, &ms, &first), 0);
    assert_int_equal(pxs_rrd_first_snapshot(stats, "nobody", PXS_RX, &ms, &first), 0);
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "ncp1", PXS_RX, &ms, T0 + 28 * H, 0, &st), 1);
    assert_int_equal(st.created, 3);
    int present[2] = {1, 1};
    const rows *sets[] = {&src};
    check_db_ft(PXS_RX, "ncp1", "m1", PXS_DB_BYTECOUNT, sets, 1, T0 + 26 * H, present, 2);
    check_db_ft(PXS_RX, "ncp1", "m1", PXS_DB_ERRORS, sets, 1, T0 + 26 * H, present, 2);
    check_db_ft(PXS_RX, "ncp1", "m1", PXS_DB_FILECOUNT, sets, 1, T0 + 26 * H, present, 2);
    char *lat = pxs_rrd_path(stats, PXS_RX, PXS_DB_LATENCY, "ncp1", "m1");
    assert_int_not_equal(access(lat, F_OK), 0);
    free(lat);
    /* No snapshot at all: nothing to feed, not an error. */
    assert_int_equal(pxs_rrd_feed(stats, "nobody", PXS_RX, &ms, T0 + 28 * H, 0, &st), 0);
    pxs_strlist_free(&ms);
}

static void test_dump_restore_roundtrip(void **state)
{
    (void)state;
    write_hour("amis", "m1", PXS_TX, T0, 5, 300, &m1);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + H, 0, &st), 1);
    char *db = pxs_rrd_path(stats, PXS_TX, PXS_DB_BYTECOUNT, "amis", "m1");
    char *x1 = xasprintf("%s/1.xml", stats), *x2 = xasprintf("%s/2.xml", stats);
    char *copy = xasprintf("%s/copy.rrd", stats);
    char *d1[] = {"rrdtool", "dump", db, x1, NULL};
    char *r[] = {"rrdtool", "restore", x1, copy, NULL};
    char *d2[] = {"rrdtool", "dump", copy, x2, NULL};
    assert_int_equal(pxs_spawn(d1, NULL), 0);
    assert_int_equal(pxs_spawn(r, NULL), 0);
    assert_int_equal(pxs_spawn(d2, NULL), 0);
    size_t l1, l2;
    char *a = pxs_read_file(x1, &l1), *b = pxs_read_file(x2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(a, b, l1);
    free(a);
    free(b);
    free(db);
    free(x1);
    free(x2);
    free(copy);
    pxs_strlist_free(&ms);
}

static void test_types(void **state)
{
    (void)state;
    unsigned mask;
    pxs_dbtype t[PXS_DB_NTYPES];
    assert_int_equal(pxs_dbtypes_of(PXS_TX, t), 5);
    assert_int_equal(pxs_dbtypes_of(PXS_RX, t), 3);
    assert_int_equal(t[0], PXS_DB_BYTECOUNT);
    assert_int_equal(pxs_dbtypes_parse("All", PXS_TX, &mask), 0);
    assert_int_equal(mask, 31);
    assert_int_equal(pxs_dbtypes_parse("filecount, errors", PXS_RX, &mask), 0);
    assert_int_equal(mask, (1u << PXS_DB_FILECOUNT) | (1u << PXS_DB_ERRORS));
    assert_int_equal(pxs_dbtypes_parse("latency", PXS_RX, &mask), -1);
    assert_non_null(strstr(pxs_error(), "latency"));
    assert_int_equal(pxs_dbtypes_parse("speed", PXS_TX, &mask), -1);
    assert_int_equal(pxs_dbtypes_parse(",", PXS_TX, &mask), -1);
    assert_string_equal(pxs_dbtype_name(PXS_DB_FILESOVER), "filesOverMaxLatency");
    assert_false(pxs_dbtype_is_count(PXS_DB_LATENCY));
    assert_true(pxs_dbtype_is_count(PXS_DB_ERRORS));
    char *p = pxs_rrd_path("/s", PXS_TX, PXS_DB_ERRORS, "amis", "pds5pds6");
    assert_string_equal(p, "/s/databases/tx/errors/amis_pds5pds6");
    free(p);
    p = pxs_rrd_path("/s", PXS_RX, PXS_DB_ERRORS, "amis", "pds5pds6");
    assert_string_equal(p, "/s/databases/rx/errors/amis_pds5pds6");
    free(p);
}

/* What a killed creation or copy leaves beside a database is removed; the
 * database, its neighbours and a journal are not. */
static void test_clean_temporaries(void **state)
{
    (void)state;
    static const char *const gone[] = {".db.new", ".db.newAbC123", ".db.XyZ789"};
    static const char *const kept[] = {"db", ".dbx.new", "db.new", ".db.journal", "dbAbC123"};
    char *db = xasprintf("%s/d/db", stats);
    for (size_t i = 0; i < 3; i++) {
        char *p = xasprintf("%s/d/%s", stats, gone[i]);
        assert_int_equal(pxs_atomic_write(p, "x", 1), 0);
        free(p);
    }
    for (size_t i = 0; i < 5; i++) {
        char *p = xasprintf("%s/d/%s", stats, kept[i]);
        assert_int_equal(pxs_atomic_write(p, "x", 1), 0);
        free(p);
    }
    pxs_rrd_clean_temporaries(db);
    for (size_t i = 0; i < 3; i++) {
        char *p = xasprintf("%s/d/%s", stats, gone[i]);
        assert_int_not_equal(access(p, F_OK), 0);
        free(p);
    }
    for (size_t i = 0; i < 5; i++) {
        char *p = xasprintf("%s/d/%s", stats, kept[i]);
        assert_int_equal(access(p, F_OK), 0);
        free(p);
    }
    /* A creation leaves nothing but the database. */
    char *made = xasprintf("%s/e/amis_m1", stats);
    assert_int_equal(pxs_rrd_create(made, PXS_DB_ERRORS, T0), 0);
    char *dir = xasprintf("%s/e", stats);
    char *argv[] = {"ls", "-A", dir, NULL};
    char *out = NULL;
    size_t len = 0;
    pxs_spawn_opts o = {.stdout_buf = &out, .stdout_len = &len};
    assert_int_equal(pxs_spawn(argv, &o), 0);
    assert_string_equal(out, "amis_m1\n");
    free(out);
    free(dir);
    free(made);
    free(db);
}

static void test_failures(void **state)
{
    (void)state;
    int64_t times[1] = {T0 + 60};
    double vals[1] = {1};
    char *missing = xasprintf("%s/databases/latency/none_m1", stats);
    assert_int_equal(pxs_rrd_update(missing, 1, times, vals, NULL), -1);
    assert_non_null(strstr(pxs_error(), "none_m1"));
    /* A file where a directory should be. */
    char *blocker = xasprintf("%s/blocker", stats);
    assert_int_equal(pxs_atomic_write(blocker, "x", 1), 0);
    char *bad = xasprintf("%s/db", blocker);
    assert_int_equal(pxs_rrd_create(bad, PXS_DB_ERRORS, T0), -1);
    /* Not a database. */
    assert_int_equal(pxs_rrd_update(blocker, 1, times, vals, NULL), -1);
    assert_non_null(strstr(pxs_error(), "blocker"));
    /* A corrupt DATABASE-UPDATES stops the feed with its name. */
    write_hour("amis", "m1", PXS_TX, T0, 5, 10, &m1);
    char *upd = pxs_dbupdates_path(stats, PXS_TX, "amis", "m1");
    assert_int_equal(pxs_atomic_write(upd, "yesterday\n", 10), 0);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + H, 0, &st), -1);
    assert_non_null(strstr(pxs_error(), "DATABASE-UPDATES"));
    /* A database that cannot be written: DATABASE-UPDATES does not move. */
    assert_int_equal(pxs_dbupdates_set(stats, PXS_TX, "amis", "m1", T0), 0);
    char *db = pxs_rrd_path(stats, PXS_TX, PXS_DB_LATENCY, "amis", "m1");
    char *dbdir = xasprintf("%s/databases/tx/latency", stats);
    assert_int_equal(pxs_mkdirs(dbdir), 0);
    assert_int_equal(pxs_atomic_write(db, "not an rrd", 10), 0);
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + H, 0, &st), -1);
    int64_t when;
    assert_int_equal(pxs_dbupdates_get(stats, PXS_TX, "amis", "m1", &when), 1);
    assert_int_equal(when, T0);
    free(db);
    free(dbdir);
    free(upd);
    free(missing);
    free(blocker);
    free(bad);
    pxs_strlist_free(&ms);
}

static void test_wide_buckets(void **state)
{
    (void)state;
    /* Five-minute buckets: counts spread evenly, latency kept, per minute. */
    pxs_hour h;
    pxs_hour_init(&h, "wide", "m1", PXS_TX, T0, 5, 15, PXS_T_ALL);
    pxs_hour_add_row(&h, T0 + 10, 500, 20, "A", false);
    pxs_hour_add_row(&h, T0 + 200, 1500, 10, "B", false);
    pxs_hour_compute(&h);
    char *path = pxs_pickle_path(stats, "wide", T0, PXS_TX, "m1");
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    pxs_hour_free(&h);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "wide", PXS_TX, &ms, T0 + H, 0, &st), 1);
    int64_t times[60];
    double vals[60];
    char *b = pxs_rrd_path(stats, PXS_TX, PXS_DB_BYTECOUNT, "wide", "m1");
    char *l = pxs_rrd_path(stats, PXS_TX, PXS_DB_LATENCY, "wide", "m1");
    assert_int_equal(fetch(b, T0, T0 + H, times, vals), 60);
    for (int i = 0; i < 5; i++)
        assert_float_equal(vals[i], 400, 1e-9);
    assert_float_equal(vals[5], 0, 1e-9);
    assert_int_equal(fetch(l, T0, T0 + H, times, vals), 60);
    for (int i = 0; i < 5; i++)
        assert_float_equal(vals[i], 15, 1e-9);
    free(b);
    free(l);
    free(path);
    pxs_strlist_free(&ms);
}

/* The backups of rrdbackup (a module without a suite of its own): same bytes,
 * restore, the 20 kept, names, failures. */
static void test_backups(void **state)
{
    (void)state;
    write_hour("amis", "m1", PXS_TX, T0, 5, 50, &m1);
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_feed_stats st = {0};
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + H, 0, &st), 1);
    char *db = pxs_rrd_path(stats, PXS_TX, PXS_DB_ERRORS, "amis", "m1");
    size_t l0, l1;
    char *before = pxs_read_file(db, &l0);
    char *name = NULL;
    assert_int_equal(pxs_rrd_backup(stats, T0 + H + 60, false, &name), 0);
    assert_string_equal(name, "2006-10-08 01:01:00");
    free(name);
    char *copy = xasprintf("%s/databases_backups/2006-10-08_01:01:00/databases/tx/errors/amis_m1", stats);
    char *got = pxs_read_file(copy, &l1);
    assert_int_equal(l0, l1);
    assert_memory_equal(before, got, l0);
    free(got);

    /* Feed on, then restore: the database is the backed-up bytes again, and
     * the state before the restore was saved first. */
    write_hour("amis", "m1", PXS_TX, T0 + H, 6, 50, &m1);
    assert_int_equal(pxs_rrd_feed(stats, "amis", PXS_TX, &ms, T0 + 2 * H, 0, &st), 1);
    char *saved = NULL;
    assert_int_equal(pxs_rrd_restore(stats, "2006-10-08 01:01:00", T0 + 2 * H, false, &saved), 0);
    assert_string_equal(saved, "2006-10-08 02:00:00");
    free(saved);
    got = pxs_read_file(db, &l1);
    assert_int_equal(l0, l1);
    assert_memory_equal(before, got, l0);
    free(got);
    int64_t when;
    assert_int_equal(pxs_dbupdates_get(stats, PXS_TX, "amis", "m1", &when), 1);
    assert_int_equal(when, T0 + H);

    /* The same second twice: the next free second. 25 more: 20 kept. */
    assert_int_equal(pxs_rrd_backup(stats, T0 + H + 60, false, &name), 0);
    assert_string_equal(name, "2006-10-08 01:01:01");
    free(name);
    for (int i = 0; i < 25; i++)
        assert_int_equal(pxs_rrd_backup(stats, T0 + 10 * H + i, false, NULL), 0);
    pxs_strlist l;
    pxs_strlist_init(&l);
    assert_int_equal(pxs_rrd_backups_list(stats, &l), 0);
    assert_int_equal(l.n, PXS_BACKUPS_KEPT);
    assert_string_equal(l.v[0], "2006-10-08 10:00:05");
    pxs_strlist_free(&l);

    assert_int_equal(pxs_rrd_restore(stats, "2001-01-01 00:00:00", T0, false, NULL), -1);
    assert_non_null(strstr(pxs_error(), "2001-01-01_00:00:00"));
    assert_int_equal(pxs_rrd_restore(stats, "last week", T0, false, NULL), -1);
    free(before);
    free(copy);
    free(db);
    pxs_strlist_free(&ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_feed_matches_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merged_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_and_first_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_restore_roundtrip, setup, teardown),
        cmocka_unit_test(test_types),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_temporaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide_buckets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backups, setup, teardown),
    };
    pxs_set_progname("test_rrdstore");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
