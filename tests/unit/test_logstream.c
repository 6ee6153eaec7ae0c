/* Unit tests of logstream: lines out of order counted in their hour, late
 * lines, lines from the future, hours held back by a line being written, hours
 * written again when a new line falls in them, the log going on past DATE,
 * positions, a publish that fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "testdir.h"

#include "pxstats/logstream.h"
#include "pxstats/msg.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

#define T10 1768039200 /* 2026-01-10 10:00:00 */
#define H 3600
#define M 60

/* What was published. */
typedef struct got {
    int n;
    int64_t start[16];
    size_t rows[16];
    uint64_t malformed[16];
    bool partial[16];
    int64_t bytes[16];
    int fail_at;           /* publish fails at this call (1-based; 0: never) */
    int spilled;           /* hours published from a spill */
} got;

/* A spilled hour, as its snapshot reads back. */
static void read_spilled(pxs_hourspill *spill, const pxs_hour *h, pxs_hour *back)
{
    FILE *fp = tmpfile();
    char *buf;
    long len;

    assert_non_null(fp);
    assert_int_equal(h->nrows, 0);
    if (pxs_hourspill_write(spill, h, fp) != 0)
        fail_msg("%s", pxs_error());
    assert_int_equal(fflush(fp), 0);
    len = ftell(fp);
    assert_true(len > 0);
    buf = xmalloc((size_t)len);
    rewind(fp);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    assert_int_equal(pxs_snapshot_decode((unsigned char *)buf, (size_t)len, "spill", back), 0);
    free(buf);
}

static int keep(void *arg, pxs_hour *h, pxs_hourspill *spill)
{
    got *g = arg;
    int64_t b = 0;
    pxs_hour back;

    if (g->fail_at && g->n + 1 == g->fail_at) {
        pxs_set_error("disk full");
        return -1;
    }
    if (spill != NULL) {
        /* Judged as the hour its snapshot holds. */
        read_spilled(spill, h, &back);
        h = &back;
        g->spilled++;
    }
    for (size_t i = 0; i < h->nrows; i++)
        b += h->rows[i].bytes;
    g->start[g->n] = h->start;
    g->rows[g->n] = h->nrows;
    g->malformed[g->n] = h->malformed;
    g->partial[g->n] = h->partial;
    g->bytes[g->n] = b;
    g->n++;
    if (spill != NULL)
        pxs_hour_free(&back);
    return 0;
}

static const got *find(const got *g, int64_t start, int *i)
{
    for (*i = g->n - 1; *i >= 0; (*i)--)
        if (g->start[*i] == start)
            return g;
    return NULL;
}

/* A tx data line at t + s seconds from 10:00. */
static void put(FILE *f, int s, int bytes)
{
    int64_t t = T10 + s;
    int hh = (int)((t / 3600) % 24), mm = (int)((t / 60) % 60), ss = (int)(t % 60);
    fprintf(f, "2026-01-10 %02d:%02d:%02d,000 [INFO] (%d Bytes) Bulletin P:a:b:c:3:Direct:20260110%02d%02d%02d  delivered\n",
            hh, mm, ss, bytes, hh, mm, ss);
}

typedef struct fixture {
    char *dir, *path;
    pxs_logfiles files;
    pxs_stream_file sf[4];
    pxs_stream s;
    got g;
    bool spill;            /* every hour with a row goes through hourspill */
    bool spill_refused;    /* ...whose temporary files cannot be made */
    char *nodir;
} fixture;

static void run(fixture *x, int64_t last, int64_t date, bool now, const pxs_positions *prev,
                int want_rc)
{
    pxs_logfiles_free(&x->files);
    assert_int_equal(pxs_logfiles_list(x->dir, PXS_TX, "c", date + 60 * M, &x->files), 0);
    memset(&x->s, 0, sizeof x->s);
    memset(x->sf, 0, sizeof x->sf);
    x->s.settled = last;
    for (size_t i = 0; i < x->files.n; i++) {
        x->sf[i].f = &x->files.f[i];
        for (size_t j = 0; prev && j < prev->n; j++)
            if (prev->e[j].ino == x->files.f[i].ino) {
                x->sf[i].pos = &prev->e[j];
                if (prev->e[j].settled < x->s.settled)
                    x->s.settled = prev->e[j].settled;
            }
    }
    x->s.client = "c";
    x->s.machine = "m1";
    x->s.ft = PXS_TX;
    x->s.types = PXS_T_ALL;
    x->s.interval_min = 1;
    x->s.max_latency = 15;
    x->s.last = last;
    x->s.first_empty = last;
    x->s.date = date;
    x->s.now = now;
    x->s.tolerance = 60 * M;
    x->s.disorder = 5 * M;
    x->s.files = x->sf;
    x->s.nfiles = x->files.n;
    x->s.publish = keep;
    x->s.publish_arg = &x->g;
    if (x->spill) {
        x->s.spill_dir = x->spill_refused ? x->nodir : x->dir;
        x->s.spill_rows = 1;
    }
    memset(&x->g.n, 0, sizeof x->g.n);
    assert_int_equal(pxs_stream_run(&x->s), want_rc);
    if (x->spill_refused)
        assert_int_equal(x->g.spilled, 0);   /* kept in memory, the same results */
    else if (x->spill)
        for (int i = 0; i < x->g.n; i++)
            assert_true(x->g.rows[i] == 0 || x->g.spilled > 0);
}

static int setup(void **state)
{
    fixture *x = xcalloc(1, sizeof *x);

    if (testdir_make((void **)&x->dir, "logstream") != 0)
        return -1;
    x->path = xasprintf("%s/tx_c.log", x->dir);
    *state = x;
    return 0;
}

/* The same cases, every hour spilled from its first row: the same results. */
static int setup_spill(void **state)
{
    if (setup(state) != 0)
        return -1;
    ((fixture *)*state)->spill = true;
    return 0;
}

/* The same cases, the spill's directory missing: every hour stays in memory
 * (a warning each), with the same results. */
static int setup_spill_refused(void **state)
{
    fixture *x;

    if (setup_spill(state) != 0)
        return -1;
    x = *state;
    x->spill_refused = true;
    x->nodir = xasprintf("%s/no/such/dir", x->dir);
    return 0;
}

static int teardown(void **state)
{
    fixture *x = *state;

    pxs_stream_free(&x->s);
    pxs_logfiles_free(&x->files);
    free(x->path);
    free(x->nodir);
    testdir_remove((void **)&x->dir);
    free(x);
    return 0;
}

static void out_of_order_lines(void **state)
{
    fixture *x = *state;
    FILE *f = fopen(x->path, "w");
    int i;
    put(f, 59 * M + 58, 1);     /* 10:59:58 */
    put(f, 60 * M + 1, 2);      /* 11:00:01 */
    put(f, 59 * M + 59, 4);     /* 10:59:59: 2 s out of order, counted in 10:00 */
    put(f, 56 * M, 8);          /* 10:56:00: 4 min out of order */
    put(f, 65 * M + 30, 16);    /* 11:05:30: settles 10:00, stops the scan */
    put(f, 59 * M, 32);         /* 10:59:00: late, left for the next run */
    fclose(f);
    run(x, T10, T10 + H, false, NULL, 0);
    assert_int_equal(x->g.n, 1);
    assert_int_equal(x->g.start[0], T10);
    assert_int_equal(x->g.rows[0], 3);
    assert_int_equal(x->g.bytes[0], 13);
    assert_int_equal(x->s.new_last, T10 + H);
    /* The next run starts at the first line of 11:00, knows where it stopped. */
    assert_int_equal(x->s.positions.n, 1);
    assert_int_equal(x->s.positions.e[0].settled, T10 + H);
    {
        pxs_positions prev = x->s.positions;
        x->s.positions = (pxs_positions){0};
        assert_int_equal(prev.e[0].offset, 93);   /* the first line, 93 bytes */
        assert_true(prev.e[0].scanned > prev.e[0].offset);
        pxs_stream_free(&x->s);
        run(x, T10 + H, T10 + 2 * H, false, &prev, 0);
        pxs_positions_free(&prev);
    }
    /* 11:00 gets 11:00:01 and 11:05:30; 10:59:00 is late, 10:59:59 seen before. */
    assert_non_null(find(&x->g, T10 + H, &i));
    assert_int_equal(x->g.bytes[i], 18);
    assert_int_equal(x->s.stats.late, 1);
    assert_int_equal(x->s.stats.lines, 2);
}

static void lines_from_the_future(void **state)
{
    fixture *x = *state;
    FILE *f = fopen(x->path, "w");
    int i;
    put(f, 10 * M, 1);
    fputs("2038-01-19 03:14:07,000 [INFO] (5 Bytes) Bulletin F:a:b:c:3:Direct:20380119031407  delivered\n", f);
    put(f, 20 * M, 2);
    put(f, 70 * M, 4);
    fputs("2038-01-19 03:14:07,000 [INFO] (5 Bytes) Bulletin G:a:b:c:3:Direct:20380119031407  delivered\n", f);
    fclose(f);
    run(x, T10, T10 + 2 * H, false, NULL, 0);
    /* The first comes back: malformed in 10:00. The last has nothing after
     * it: the log went on past DATE, the scan stops before it. */
    assert_non_null(find(&x->g, T10, &i));
    assert_int_equal(x->g.rows[i], 2);
    assert_int_equal(x->g.malformed[i], 1);
    assert_int_equal(x->s.stats.future, 1);
    assert_int_equal(x->s.new_last, T10 + 2 * H);
    assert_int_equal(x->s.notes.n, 1);
    assert_non_null(strstr(x->s.notes.v[0], "tx_c.log:2: a line from the future (dated 2038-01-19 03:14:07)"));
}

static void held_by_a_line_being_written(void **state)
{
    fixture *x = *state;
    FILE *f = fopen(x->path, "w");
    int i;
    put(f, 10 * M, 1);
    put(f, 40 * M, 2);
    fputs("2026-01-10 10:59:59,000 [INFO] (4", f);
    fclose(f);
    run(x, T10, T10 + H + 10 * M, false, NULL, 0);
    assert_int_equal(x->g.n, 0);
    assert_int_equal(x->s.new_last, T10);
    assert_non_null(x->s.held);
    /* Completed: counted in its hour. */
    {
        pxs_positions prev = x->s.positions;
        x->s.positions = (pxs_positions){0};
        pxs_stream_free(&x->s);
        f = fopen(x->path, "a");
        fputs(" Bytes) Bulletin Q:a:b:c:3:Direct:20260110105959  delivered\n", f);
        fclose(f);
        run(x, T10, T10 + H + 10 * M, false, &prev, 0);
        pxs_positions_free(&prev);
    }
    assert_non_null(find(&x->g, T10, &i));
    assert_int_equal(x->g.bytes[i], 7);
    assert_int_equal(x->s.new_last, T10 + H);
}

/* A run at 11:00 sharp closes 10:00 at the end of the log; a line of 10:00
 * written after it, in the window, makes the next run write 10:00 again,
 * whole. */
static void hour_written_again(void **state)
{
    fixture *x = *state;
    FILE *f = fopen(x->path, "w");
    int i;
    put(f, 10 * M, 1);
    put(f, 59 * M, 2);
    fclose(f);
    run(x, T10, T10 + H, false, NULL, 0);
    assert_int_equal(x->g.n, 1);
    assert_int_equal(x->g.bytes[0], 3);
    {
        pxs_positions prev = x->s.positions;
        x->s.positions = (pxs_positions){0};
        assert_int_equal(prev.e[0].settled, T10);     /* 10:00 not settled */
        assert_int_equal(prev.e[0].offset, 0);
        pxs_stream_free(&x->s);
        f = fopen(x->path, "a");
        put(f, 60 * M + 5, 4);   /* 11:00:05 */
        put(f, 59 * M + 30, 8);  /* 10:59:30, 35 s out of order */
        put(f, 66 * M, 16);
        fclose(f);
        run(x, T10 + H, T10 + 2 * H, false, &prev, 0);
        pxs_positions_free(&prev);
    }
    assert_non_null(find(&x->g, T10, &i));
    assert_int_equal(x->g.bytes[i], 11);
    assert_int_equal(x->s.stats.lines, 1 + 2);   /* the new line of 10:00, two of 11:00 */
    assert_non_null(find(&x->g, T10 + H, &i));
    assert_int_equal(x->g.bytes[i], 20);
}

static void partial_hour_and_failure(void **state)
{
    fixture *x = *state;
    FILE *f = fopen(x->path, "w");
    int i;
    put(f, 10 * M, 1);
    put(f, 70 * M, 2);
    put(f, 95 * M, 4);
    fclose(f);
    /* -n at 11:30: 10:00 complete, 11:00 partial up to 11:30. */
    run(x, T10, T10 + H + 30 * M, true, NULL, 0);
    assert_int_equal(x->g.n, 2);
    assert_non_null(find(&x->g, T10 + H, &i));
    assert_true(x->g.partial[i]);
    assert_int_equal(x->g.bytes[i], 2);
    assert_int_equal(x->s.new_last, T10 + H);
    pxs_stream_free(&x->s);
    /* A publish that fails fails the run. */
    x->g.fail_at = 1;
    run(x, T10, T10 + 2 * H, false, NULL, -1);
    assert_non_null(strstr(pxs_error(), "disk full"));
    x->g.fail_at = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(out_of_order_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(lines_from_the_future, setup, teardown),
        cmocka_unit_test_setup_teardown(held_by_a_line_being_written, setup, teardown),
        cmocka_unit_test_setup_teardown(hour_written_again, setup, teardown),
        cmocka_unit_test_setup_teardown(partial_hour_and_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_order_lines, setup_spill, teardown),
        cmocka_unit_test_setup_teardown(lines_from_the_future, setup_spill, teardown),
        cmocka_unit_test_setup_teardown(held_by_a_line_being_written, setup_spill, teardown),
        cmocka_unit_test_setup_teardown(hour_written_again, setup_spill, teardown),
        cmocka_unit_test_setup_teardown(partial_hour_and_failure, setup_spill, teardown),
        cmocka_unit_test_setup_teardown(out_of_order_lines, setup_spill_refused, teardown),
        cmocka_unit_test_setup_teardown(hour_written_again, setup_spill_refused, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
