/* Unit tests of state: PICKLED-TIMES and PICKLED_FILE_POSITIONS (missing file,
 * round trips, sorted output, escaped paths, set/replace/drop, malformed lines
 * rejected with file:line) and the generic line reader. */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

#define PATH_SIZE 4096
/* 2006-10-08 12:00:00 UTC */
#define T0 1160308800

static int setup_dir(void **state)
{
    if (testdir_make(state, "state") != 0)
        return -1;
    return 0;
}

static int teardown_dir(void **state)
{
    return testdir_remove(state);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[PATH_SIZE];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
}

/* The file's lines that are not comments, joined with '\n'. */
static char *data_lines(const char *dir, const char *name)
{
    char path[PATH_SIZE];
    char *text, *out, *q;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    text = pxs_read_file(path, NULL);
    assert_non_null(text);
    out = q = xmalloc(strlen(text) + 1);
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (line[0] != '#') {
            memcpy(q, line, n);
            q += n;
        }
        line += n;
    }
    *q = '\0';
    free(text);
    return out;
}

/* ---- PICKLED-TIMES ------------------------------------------------------- */

static void test_times_missing_is_empty(void **state)
{
    const char *dir = *state;
    pxs_times t;
    int64_t when = 5;

    memset(&t, 0xff, sizeof t);
    assert_int_equal(pxs_times_load(dir, &t), 0);
    assert_int_equal(t.n, 0);
    assert_false(pxs_times_get(&t, "pds5", PXS_TX, "amis", &when));
    assert_int_equal(when, 5);
    pxs_times_free(&t);
    /* A missing stats directory too. */
    assert_int_equal(pxs_times_load("/nonexistent/pxs-stats", &t), 0);
    assert_int_equal(t.n, 0);
    pxs_times_free(&t);
}

static void test_times_set_get_replace(void **state)
{
    pxs_times t;
    int64_t when;
    char name[16] = "amis";

    (void)state;
    memset(&t, 0, sizeof t);
    pxs_times_set(&t, "pds5", PXS_TX, name, T0);
    name[0] = 'X'; /* strings are copied */
    pxs_times_set(&t, "pds5", PXS_RX, "amis", T0 + 3600);
    pxs_times_set(&t, "pds6", PXS_TX, "amis", T0 + 7200);
    assert_int_equal(t.n, 3);
    assert_true(pxs_times_get(&t, "pds5", PXS_TX, "amis", &when));
    assert_int_equal(when, T0);
    assert_true(pxs_times_get(&t, "pds5", PXS_RX, "amis", &when));
    assert_int_equal(when, T0 + 3600);
    assert_true(pxs_times_get(&t, "pds6", PXS_TX, "amis", &when));
    assert_int_equal(when, T0 + 7200);
    assert_false(pxs_times_get(&t, "pds7", PXS_TX, "amis", &when));
    assert_false(pxs_times_get(&t, "pds5", PXS_TX, "Xmis", &when));
    assert_false(pxs_times_get(&t, "pds5", PXS_TX, "ami", &when));
    /* Replace, not add. */
    pxs_times_set(&t, "pds5", PXS_TX, "amis", T0 - 86400);
    assert_int_equal(t.n, 3);
    assert_true(pxs_times_get(&t, "pds5", PXS_TX, "amis", &when));
    assert_int_equal(when, T0 - 86400);
    pxs_times_free(&t);
    assert_int_equal(t.n, 0);
    assert_null(t.e);
}

static void test_times_round_trip_sorted(void **state)
{
    const char *dir = *state;
    pxs_times t, back;
    int64_t when;
    char *lines;

    memset(&t, 0, sizeof t);
    pxs_times_set(&t, "pds6", PXS_TX, "zeta", T0);
    pxs_times_set(&t, "pds5", PXS_RX, "bbb", T0 + 60);
    pxs_times_set(&t, "pds5", PXS_TX, "zzz", -3600);           /* before 1970 */
    pxs_times_set(&t, "pds5", PXS_TX, "aaa", 4102444800LL);    /* 2100-01-01 */
    pxs_times_set(&t, "pds10", PXS_TX, "x", 0);
    assert_int_equal(pxs_times_save(dir, &t), 0);

    /* Sorted by machine, then tx before rx, then client. */
    lines = data_lines(dir, "PICKLED-TIMES");
    assert_string_equal(lines, "pds10 tx_x 1970-01-01 00:00:00\n"
                               "pds5 tx_aaa 2100-01-01 00:00:00\n"
                               "pds5 tx_zzz 1969-12-31 23:00:00\n"
                               "pds5 rx_bbb 2006-10-08 12:01:00\n"
                               "pds6 tx_zeta 2006-10-08 12:00:00\n");
    free(lines);

    assert_int_equal(pxs_times_load(dir, &back), 0);
    assert_int_equal(back.n, 5);
    for (size_t i = 0; i < t.n; i++) {
        assert_true(pxs_times_get(&back, t.e[i].machine, t.e[i].ft, t.e[i].client, &when));
        assert_int_equal(when, t.e[i].time);
    }
    /* Saving what was loaded gives the same bytes. */
    {
        char path[PATH_SIZE];
        char *a, *b;
        snprintf(path, sizeof path, "%s/PICKLED-TIMES", dir);
        a = pxs_read_file(path, NULL);
        assert_int_equal(pxs_times_save(dir, &back), 0);
        b = pxs_read_file(path, NULL);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    pxs_times_free(&t);
    pxs_times_free(&back);

    /* An empty table saves to a file with no data line. */
    memset(&t, 0, sizeof t);
    assert_int_equal(pxs_times_save(dir, &t), 0);
    lines = data_lines(dir, "PICKLED-TIMES");
    assert_string_equal(lines, "");
    free(lines);
    assert_int_equal(pxs_times_load(dir, &back), 0);
    assert_int_equal(back.n, 0);
    pxs_times_free(&back);
}

static void test_times_comments_and_blanks(void **state)
{
    const char *dir = *state;
    pxs_times t;
    int64_t when;

    put(dir, "PICKLED-TIMES",
        "# edited by hand\n"
        "\n"
        "   # indented comment\n"
        "pds5   tx_amis\t2006-10-08 12:00:00\r\n"
        "#pds5 tx_gone 2006-10-08 12:00:00\n"
        "   \t  \n"
        "pds5 rx_src 2006-10-08 13:00:00");   /* no final newline */
    assert_int_equal(pxs_times_load(dir, &t), 0);
    assert_int_equal(t.n, 2);
    assert_true(pxs_times_get(&t, "pds5", PXS_TX, "amis", &when));
    assert_int_equal(when, T0);
    assert_true(pxs_times_get(&t, "pds5", PXS_RX, "src", &when));
    assert_int_equal(when, T0 + 3600);
    assert_false(pxs_times_get(&t, "pds5", PXS_TX, "gone", &when));
    pxs_times_free(&t);

    /* A later line for the same key wins. */
    put(dir, "PICKLED-TIMES", "m tx_c 2006-10-08 12:00:00\nm tx_c 2006-10-08 15:00:00\n");
    assert_int_equal(pxs_times_load(dir, &t), 0);
    assert_int_equal(t.n, 1);
    assert_true(pxs_times_get(&t, "m", PXS_TX, "c", &when));
    assert_int_equal(when, T0 + 3 * 3600);
    pxs_times_free(&t);
}

/* Loads text as PICKLED-TIMES and expects "<file>:<line>: <want>". */
static void expect_times_error(const char *dir, const char *text, int line, const char *want)
{
    char full[PATH_SIZE + 512];
    pxs_times t;

    put(dir, "PICKLED-TIMES", text);
    assert_int_equal(pxs_times_load(dir, &t), -1);
    snprintf(full, sizeof full, "%s/PICKLED-TIMES:%d: %s", dir, line, want);
    if (strcmp(pxs_error(), full) != 0)
        fail_msg("for %s: got '%s', expected '%s'", text, pxs_error(), full);
    pxs_times_free(&t);
}

static void test_times_malformed(void **state)
{
    const char *dir = *state;
    const char *fields = "expected '<machine> <ft>_<client> YYYY-MM-DD HH:MM:SS'";
    char *long_line;

    expect_times_error(dir, "# c\npds5 tx_amis 2006-10-08\n", 2, fields);
    expect_times_error(dir, "pds5 tx_amis 2006-10-08 12:00:00 extra\n", 1, fields);
    expect_times_error(dir, "pds5\n", 1, fields);
    expect_times_error(dir, "ok tx_a 2006-10-08 12:00:00\n\n../x tx_amis 2006-10-08 12:00:00\n", 3,
                       "bad machine name '../x'");
    expect_times_error(dir, "pds5 xx_amis 2006-10-08 12:00:00\n", 1,
                       "'xx_amis' is not <tx|rx>_<name>");
    expect_times_error(dir, "pds5 tx_ 2006-10-08 12:00:00\n", 1, "'tx_' is not <tx|rx>_<name>");
    expect_times_error(dir, "pds5 amis 2006-10-08 12:00:00\n", 1, "'amis' is not <tx|rx>_<name>");
    expect_times_error(dir, "pds5 tx_$(id) 2006-10-08 12:00:00\n", 1,
                       "'tx_$(id)' is not <tx|rx>_<name>");
    expect_times_error(dir, "pds5 TX_amis 2006-10-08 12:00:00\n", 1,
                       "'TX_amis' is not <tx|rx>_<name>");
    expect_times_error(dir, "pds5 tx_amis 2006-13-08 12:00:00\n", 1,
                       "bad date '2006-13-08 12:00:00'");
    expect_times_error(dir, "pds5 tx_amis 2006-02-29 12:00:00\n", 1,
                       "bad date '2006-02-29 12:00:00'");
    expect_times_error(dir, "pds5 tx_amis 2006-10-08 12:00\n", 1, "bad date '2006-10-08 12:00'");
    expect_times_error(dir, "pds5 tx_amis yesterday noon\n", 1, "bad date 'yesterday noon'");
    /* An overlong date is refused, not cut down to something valid. */
    long_line = xasprintf("pds5 tx_amis 2006-10-08 12:00:00%0100d\n", 0);
    put(dir, "PICKLED-TIMES", long_line);
    {
        pxs_times t;
        assert_int_equal(pxs_times_load(dir, &t), -1);
        assert_non_null(strstr(pxs_error(), "PICKLED-TIMES:1: bad date"));
        pxs_times_free(&t);
    }
    free(long_line);
    /* Binary junk: refused as a whole. */
    {
        char path[PATH_SIZE];
        pxs_times t;
        snprintf(path, sizeof path, "%s/PICKLED-TIMES", dir);
        assert_int_equal(pxs_atomic_write(path, "pds5 tx_a\0 x", 12), 0);
        assert_int_equal(pxs_times_load(dir, &t), -1);
        assert_non_null(strstr(pxs_error(), "not a text file"));
        pxs_times_free(&t);
    }
}

static void test_times_unreadable(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    pxs_times t;

    /* A directory where the file should be: an error, not "empty". */
    snprintf(path, sizeof path, "%s/PICKLED-TIMES", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(pxs_times_load(dir, &t), -1);
    assert_non_null(strstr(pxs_error(), path));
    pxs_times_free(&t);
    /* And it cannot be saved over. */
    memset(&t, 0, sizeof t);
    pxs_times_set(&t, "m", PXS_TX, "c", T0);
    assert_int_equal(pxs_times_save(dir, &t), -1);
    assert_non_null(strstr(pxs_error(), path));
    pxs_times_free(&t);
}

/* ---- PICKLED_FILE_POSITIONS ---------------------------------------------- */

static pxs_position mkpos(const char *path, uint64_t dev, uint64_t ino, uint64_t offset,
                          const char *machine, pxs_filetype ft, const char *client)
{
    pxs_position p;

    memset(&p, 0, sizeof p);
    p.path = (char *)path;
    p.dev = dev;
    p.ino = ino;
    p.fp_len = 256;
    p.fp_crc = 0xdeadbeef;
    p.offset = offset;
    p.machine = (char *)machine;
    p.client = (char *)client;
    p.ft = ft;
    return p;
}

static void test_positions_missing_is_empty(void **state)
{
    const char *dir = *state;
    pxs_positions p;

    assert_int_equal(pxs_positions_load(dir, &p), 0);
    assert_int_equal(p.n, 0);
    assert_null(pxs_positions_find(&p, 1, 2));
    pxs_positions_free(&p);
}

static void test_positions_set_find_drop(void **state)
{
    pxs_positions p;
    pxs_position a = mkpos("/log/tx_amis.log", 2049, 100, 5000, "pds5", PXS_TX, "amis");
    pxs_position b = mkpos("/log/tx_amis.log.2006-10-07", 2049, 99, 7000, "pds5", PXS_TX, "amis");
    pxs_position c = mkpos("/log/rx_src.log", 2049, 200, 10, "pds5", PXS_RX, "amis");
    pxs_position d = mkpos("/log/tx_amis.log", 2050, 100, 1, "pds6", PXS_TX, "amis");
    pxs_position *f;
    char buf[64] = "/log/tx_amis.log";

    (void)state;
    memset(&p, 0, sizeof p);
    a.path = buf;
    pxs_positions_set(&p, &a);
    buf[1] = 'X'; /* copied */
    pxs_positions_set(&p, &b);
    pxs_positions_set(&p, &c);
    pxs_positions_set(&p, &d); /* same inode on another device: another file */
    assert_int_equal(p.n, 4);
    f = pxs_positions_find(&p, 2049, 100);
    assert_non_null(f);
    assert_string_equal(f->path, "/log/tx_amis.log");
    assert_int_equal(f->offset, 5000);
    f = pxs_positions_find(&p, 2050, 100);
    assert_non_null(f);
    assert_string_equal(f->machine, "pds6");
    assert_null(pxs_positions_find(&p, 2049, 101));

    /* Replace by (dev, ino): the file was renamed by rotation. */
    a = mkpos("/log/tx_amis.log.2006-10-08", 2049, 100, 6000, "pds5", PXS_TX, "amis");
    pxs_positions_set(&p, &a);
    assert_int_equal(p.n, 4);
    f = pxs_positions_find(&p, 2049, 100);
    assert_string_equal(f->path, "/log/tx_amis.log.2006-10-08");
    assert_int_equal(f->offset, 6000);

    /* Drop every position of (pds5, tx, amis): a and b go, c (rx) and d
     * (pds6) stay. */
    pxs_positions_drop(&p, "pds5", PXS_TX, "amis");
    assert_int_equal(p.n, 2);
    assert_null(pxs_positions_find(&p, 2049, 100));
    assert_null(pxs_positions_find(&p, 2049, 99));
    assert_non_null(pxs_positions_find(&p, 2049, 200));
    assert_non_null(pxs_positions_find(&p, 2050, 100));
    /* Dropping what is not there changes nothing. */
    pxs_positions_drop(&p, "nobody", PXS_TX, "amis");
    assert_int_equal(p.n, 2);
    pxs_positions_free(&p);
    assert_int_equal(p.n, 0);
    assert_null(p.e);
}

/* ---- lookups by hash, on many entries ------------------------------------- */

/* 20,000 clients on three machines, tx and rx: every entry is found again,
 * none that is not there; setting again replaces; saving sorts. */
static void test_times_many(void **state)
{
    const char *dir = *state;
    enum { N = 20000 };
    static const char *machines[] = {"pds1", "pds10", "pds1x"};
    pxs_times t, back;
    char name[32];
    int64_t when;

    memset(&t, 0, sizeof t);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "c%05d", i);
        pxs_times_set(&t, machines[i % 3], (pxs_filetype)(i % 2), name, (int64_t)T0 + i * 3600);
    }
    /* Names that share prefixes and keys that differ by the file type only. */
    pxs_times_set(&t, "pds1", PXS_TX, "c0000", 1);
    pxs_times_set(&t, "pds1", PXS_RX, "c0000", 2);
    pxs_times_set(&t, "pds", PXS_TX, "1c0000", 3);
    assert_int_equal(t.n, N + 3);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "c%05d", i);
        assert_true(pxs_times_get(&t, machines[i % 3], (pxs_filetype)(i % 2), name, &when));
        assert_int_equal(when, (int64_t)T0 + i * 3600);
        assert_false(pxs_times_get(&t, machines[(i + 1) % 3], (pxs_filetype)(i % 2), name, &when));
        assert_false(pxs_times_get(&t, machines[i % 3], (pxs_filetype)(1 - i % 2), name, &when));
    }
    assert_true(pxs_times_get(&t, "pds1", PXS_RX, "c0000", &when));
    assert_int_equal(when, 2);
    assert_true(pxs_times_get(&t, "pds", PXS_TX, "1c0000", &when));
    assert_int_equal(when, 3);
    /* Replacing keeps one entry. */
    pxs_times_set(&t, "pds10", PXS_RX, "c00001", 42);
    assert_int_equal(t.n, N + 3);
    assert_true(pxs_times_get(&t, "pds10", PXS_RX, "c00001", &when));
    assert_int_equal(when, 42);

    assert_int_equal(pxs_times_save(dir, &t), 0);
    assert_int_equal(pxs_times_load(dir, &back), 0);
    assert_int_equal(back.n, t.n);
    for (size_t i = 0; i < t.n; i++) {
        assert_true(pxs_times_get(&back, t.e[i].machine, t.e[i].ft, t.e[i].client, &when));
        assert_int_equal(when, t.e[i].time);
    }
    /* Saving did not reorder t: the index still finds every entry. */
    for (size_t i = 0; i < t.n; i++) {
        assert_true(pxs_times_get(&t, t.e[i].machine, t.e[i].ft, t.e[i].client, &when));
        assert_int_equal(when, t.e[i].time);
    }
    pxs_times_free(&t);
    pxs_times_free(&back);
}

static pxs_position pos_of(int client, int file, char *path, size_t size, char *name,
                           size_t nsize)
{
    snprintf(name, nsize, "c%05d", client);
    if (file == 0)
        snprintf(path, size, "/log/tx_%s.log", name);
    else
        snprintf(path, size, "/log/tx_%s.log.2026-01-0%d", name, file);
    return mkpos(path, 2049, (uint64_t)client * 8 + (uint64_t)file, (uint64_t)file * 10, "pds5",
                 PXS_TX, name);
}

/* 5,000 clients of 6 files each: found by file and by owner, dropped by
 * owner (the entries moved into the holes stay found), a file changing owner,
 * and the saved bytes independent of the order of the sets. */
static void test_positions_many(void **state)
{
    const char *dir = *state;
    enum { N = 5000, F = 6 };
    pxs_positions p, q;
    pxs_position **v, *f;
    char path[64], name[16];
    size_t n;
    char *a, *b, file[PATH_SIZE];

    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < F; k++) {
            pxs_position x = pos_of(i, k, path, sizeof path, name, sizeof name);
            pxs_positions_set(&p, &x);
        }
    /* The same set in the opposite order. */
    for (int i = N - 1; i >= 0; i--)
        for (int k = F - 1; k >= 0; k--) {
            pxs_position x = pos_of(i, k, path, sizeof path, name, sizeof name);
            pxs_positions_set(&q, &x);
        }
    assert_int_equal(p.n, N * F);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "c%05d", i);
        v = pxs_positions_of(&p, "pds5", PXS_TX, name, &n);
        assert_int_equal(n, F);
        /* In the order of the file: by path (the live .log first). */
        for (size_t k = 0; k < n; k++) {
            assert_string_equal(v[k]->client, name);
            assert_int_equal(v[k]->ino, (uint64_t)i * 8 + k);
            if (k > 0)
                assert_true(strcmp(v[k - 1]->path, v[k]->path) < 0);
        }
        free(v);
        for (int k = 0; k < F; k++) {
            f = pxs_positions_find(&p, 2049, (uint64_t)i * 8 + (uint64_t)k);
            assert_non_null(f);
            assert_string_equal(f->client, name);
        }
        assert_null(pxs_positions_find(&p, 2049, (uint64_t)i * 8 + 7));
        assert_null(pxs_positions_find(&p, 2050, (uint64_t)i * 8));
    }
    v = pxs_positions_of(&p, "pds5", PXS_RX, "c00001", &n);
    assert_int_equal(n, 0);
    free(v);

    snprintf(file, sizeof file, "%s/PICKLED_FILE_POSITIONS", dir);
    assert_int_equal(pxs_positions_save(dir, &q), 0);
    b = pxs_read_file(file, NULL);
    assert_int_equal(pxs_positions_save(dir, &p), 0);
    a = pxs_read_file(file, NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);

    /* Drop every other client: the others keep all their files. */
    for (int i = 0; i < N; i += 2) {
        snprintf(name, sizeof name, "c%05d", i);
        pxs_positions_drop(&p, "pds5", PXS_TX, name);
    }
    assert_int_equal(p.n, N / 2 * F);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "c%05d", i);
        v = pxs_positions_of(&p, "pds5", PXS_TX, name, &n);
        assert_int_equal(n, i % 2 ? F : 0);
        free(v);
        for (int k = 0; k < F; k++) {
            f = pxs_positions_find(&p, 2049, (uint64_t)i * 8 + (uint64_t)k);
            if (i % 2 == 0) {
                assert_null(f);
                continue;
            }
            assert_non_null(f);
            assert_string_equal(f->client, name);
            assert_int_equal(f->offset, (uint64_t)k * 10);
        }
    }
    /* A file that changes owner (its inode now another client's log). */
    {
        pxs_position x = mkpos("/log/tx_other.log", 2049, 1 * 8 + 3, 77, "pds5", PXS_TX, "other");
        pxs_positions_set(&p, &x);
    }
    assert_int_equal(p.n, N / 2 * F);
    v = pxs_positions_of(&p, "pds5", PXS_TX, "c00001", &n);
    assert_int_equal(n, F - 1);
    free(v);
    v = pxs_positions_of(&p, "pds5", PXS_TX, "other", &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0]->offset, 77);
    free(v);
    pxs_positions_drop(&p, "pds5", PXS_TX, "c00001");
    assert_non_null(pxs_positions_find(&p, 2049, 1 * 8 + 3));
    assert_null(pxs_positions_find(&p, 2049, 1 * 8 + 2));
    /* Dropped, then set again. */
    {
        pxs_position x = pos_of(0, 0, path, sizeof path, name, sizeof name);
        pxs_positions_set(&p, &x);
        assert_non_null(pxs_positions_find(&p, 2049, 0));
    }
    pxs_positions_free(&p);
    pxs_positions_free(&q);
}

static void test_positions_round_trip_escaped(void **state)
{
    const char *dir = *state;
    pxs_positions p, back;
    pxs_position a = mkpos("/logs/my dir/tx_a%20b.log", 18446744073709551615ULL,
                           9223372036854775808ULL, 1099511627776ULL, "pds5", PXS_TX, "a");
    pxs_position b = mkpos("/logs/tab\there/new\nline/100%.log", 1, 2, 0, "pds6", PXS_RX, "src");
    pxs_position c = mkpos("/logs/a.log", 3, 4, 42, "m", PXS_TX, "z");
    char *lines;

    memset(&p, 0, sizeof p);
    c.fp_len = 0;
    c.fp_crc = 0;
    b.fp_crc = 0x1;
    b.scanned = 7;
    b.max_time = 1768043099;   /* 2026-01-10 11:04:59 */
    b.settled = 1768039200;    /* 2026-01-10 10:00:00 */
    pxs_positions_set(&p, &a);
    pxs_positions_set(&p, &b);
    pxs_positions_set(&p, &c);
    assert_int_equal(pxs_positions_save(dir, &p), 0);
    /* Sorted by path; spaces, tabs, newlines and '%' escaped; CRC in 8 hex
     * digits. */
    lines = data_lines(dir, "PICKLED_FILE_POSITIONS");
    assert_string_equal(lines,
                        "/logs/a.log 3 4 0:00000000 42 m tx_z 42 - -\n"
                        "/logs/my%20dir/tx_a%2520b.log 18446744073709551615 9223372036854775808 "
                        "256:deadbeef 1099511627776 pds5 tx_a 1099511627776 - -\n"
                        "/logs/tab%09here/new%0Aline/100%25.log 1 2 256:00000001 0 pds6 rx_src "
                        "7 2026-01-10T11:04:59 2026-01-10T10:00:00\n");
    free(lines);

    assert_int_equal(pxs_positions_load(dir, &back), 0);
    assert_int_equal(back.n, 3);
    for (size_t i = 0; i < p.n; i++) {
        const pxs_position *want = &p.e[i];
        pxs_position *got = pxs_positions_find(&back, want->dev, want->ino);
        assert_non_null(got);
        assert_string_equal(got->path, want->path);
        assert_int_equal(got->fp_len, want->fp_len);
        assert_int_equal(got->fp_crc, want->fp_crc);
        assert_int_equal(got->offset, want->offset);
        assert_string_equal(got->machine, want->machine);
        assert_string_equal(got->client, want->client);
        assert_int_equal(got->ft, want->ft);
        assert_int_equal(got->scanned, want->scanned);
        assert_int_equal(got->max_time, want->max_time < 946684800 ? PXS_NO_TIME : want->max_time);
        assert_int_equal(got->settled, want->settled < 946684800 ? PXS_NO_TIME : want->settled);
    }
    pxs_positions_free(&p);
    pxs_positions_free(&back);
}

static void expect_positions_error(const char *dir, const char *text, int line, const char *want)
{
    char full[PATH_SIZE + 512];
    pxs_positions p;

    put(dir, "PICKLED_FILE_POSITIONS", text);
    assert_int_equal(pxs_positions_load(dir, &p), -1);
    snprintf(full, sizeof full, "%s/PICKLED_FILE_POSITIONS:%d: %s", dir, line, want);
    if (strcmp(pxs_error(), full) != 0)
        fail_msg("for %s: got '%s', expected '%s'", text, pxs_error(), full);
    pxs_positions_free(&p);
}

static void test_positions_malformed(void **state)
{
    const char *dir = *state;
    const char *num = "bad number in a file position";
    const char *who = "bad machine or client in a file position";
    const char *count = "expected '<path> <dev> <inode> <fplen>:<fpcrc> <offset> <machine> "
                        "<ft>_<client> [<scanned> <maxtime> <settled>]'";
    const char *scan = "bad scanned offset in a file position";
    const char *when = "bad time in a file position (YYYY-MM-DDTHH:MM:SS or -)";

    /* A good line first, so that the line number matters. */
    expect_positions_error(dir, "# h\n/a 1 2 3:ff 4 m tx_c\n/b 1 2 3:ff 4 m\n", 3, count);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c extra\n", 1, count);
    expect_positions_error(dir, "/b x 2 3:ff 4 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 -2 3:ff 4 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 2 3ff 4 m tx_c\n", 1, num);        /* no colon */
    expect_positions_error(dir, "/b 1 2 257:ff 4 m tx_c\n", 1, num);     /* fplen > 256 */
    expect_positions_error(dir, "/b 1 2 3:1ffffffff 4 m tx_c\n", 1, num); /* crc > 32 bits */
    expect_positions_error(dir, "/b 1 2 3:xyz 4 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 2 :ff 4 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 2 3: 4 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 2 3:ff 4.5 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 2 3:ff 99999999999999999999 m tx_c\n", 1, num);
    expect_positions_error(dir, "/b 1 2 3:ff 4 -m tx_c\n", 1, who);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m c\n", 1, who);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m rx_.c\n", 1, who);
    /* The fields of the scan: all three or none. */
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c 5\n", 1, count);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c 5 - - -\n", 1, count);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c 3 - -\n", 1, scan);   /* before offset */
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c x - -\n", 1, scan);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c 5 2026-01-10 -\n", 1, when);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c 5 - 2026-01-10T25:00:00\n", 1, when);
    expect_positions_error(dir, "/b 1 2 3:ff 4 m tx_c 5 2026-01-10 11:00:00 -\n", 1, count);
}

/* Files written before the scan fields existed read as "scanned = offset,
 * times unknown". */
static void test_positions_older_format(void **state)
{
    const char *dir = *state;
    pxs_positions p;

    put(dir, "PICKLED_FILE_POSITIONS", "/b 1 2 3:ff 4 m tx_c\n/c 1 3 3:ff 9 m tx_c 12 - 2026-01-10T10:00:00\n");
    assert_int_equal(pxs_positions_load(dir, &p), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(pxs_positions_find(&p, 1, 2)->scanned, 4);
    assert_int_equal(pxs_positions_find(&p, 1, 2)->max_time, PXS_NO_TIME);
    assert_int_equal(pxs_positions_find(&p, 1, 2)->settled, PXS_NO_TIME);
    assert_int_equal(pxs_positions_find(&p, 1, 3)->scanned, 12);
    assert_int_equal(pxs_positions_find(&p, 1, 3)->max_time, PXS_NO_TIME);
    assert_int_equal(pxs_positions_find(&p, 1, 3)->settled, 1768039200);
    pxs_positions_free(&p);
}

/* ---- the generic reader and the escapes ---------------------------------- */

typedef struct seen {
    char text[1024];
    int calls, fail_at;
} seen;

static int record(char **fields, int n, void *arg)
{
    seen *s = arg;
    size_t len = strlen(s->text);

    s->calls++;
    snprintf(s->text + len, sizeof s->text - len, "%d:", n);
    for (int i = 0; i < n; i++) {
        len = strlen(s->text);
        snprintf(s->text + len, sizeof s->text - len, "[%s]", fields[i]);
    }
    len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "\n");
    if (s->calls == s->fail_at) {
        pxs_set_error("field '%s' is wrong", fields[0]);
        return -1;
    }
    return 0;
}

static void test_read_lines(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE], want[PATH_SIZE + 64];
    seen s;

    snprintf(path, sizeof path, "%s/generic", dir);
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_state_read_lines(path, record, &s), 0); /* missing: no call */
    assert_int_equal(s.calls, 0);

    put(dir, "generic", "# comment\n#\n  # indented\n\na b\tc\n  lead  trail  \r\n"
                        "x#y not-a-comment\nlast");
    assert_int_equal(pxs_state_read_lines(path, record, &s), 0);
    assert_int_equal(s.calls, 4);
    assert_string_equal(s.text, "3:[a][b][c]\n2:[lead][trail]\n2:[x#y][not-a-comment]\n1:[last]\n");

    /* The callback's error gets "<file>:<line>: " in front; parsing stops. */
    memset(&s, 0, sizeof s);
    s.fail_at = 2;
    assert_int_equal(pxs_state_read_lines(path, record, &s), -1);
    assert_int_equal(s.calls, 2);
    snprintf(want, sizeof want, "%s:6: field 'lead' is wrong", path);
    assert_string_equal(pxs_error(), want);

    /* An empty file: no call. */
    put(dir, "generic", "");
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_state_read_lines(path, record, &s), 0);
    assert_int_equal(s.calls, 0);
}

static void test_escape(void **state)
{
    static const char *samples[] = {
        "", "plain", "a b", "100%", "%20", "%%", "tab\tnl\nend", " lead", "trail ", "cr\rx",
        "/apps/px/log/tx_amis.log.2006-10-08.gz", "%2", "%zz", "caf\xc3\xa9",
    };
    char *e;

    (void)state;
    e = pxs_state_escape("a b%c\td\ne\rf");
    assert_string_equal(e, "a%20b%25c%09d%0Ae%0Df");
    free(e);
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        e = pxs_state_escape(samples[i]);
        /* Escaped text has no separator left in it. */
        assert_null(strpbrk(e, " \t\n\r"));
        pxs_state_unescape(e);
        assert_string_equal(e, samples[i]);
        free(e);
    }
    /* Unescape of text no one escaped: lower-case hex too, invalid kept. */
    {
        char s1[] = "a%2fb%zz%4", s2[] = "%41%42%", s3[] = "";
        pxs_state_unescape(s1);
        assert_string_equal(s1, "a/b%zz%4");
        pxs_state_unescape(s2);
        assert_string_equal(s2, "AB%");
        pxs_state_unescape(s3);
        assert_string_equal(s3, "");
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_times_missing_is_empty),
        T(test_times_set_get_replace),
        T(test_times_round_trip_sorted),
        T(test_times_comments_and_blanks),
        T(test_times_malformed),
        T(test_times_unreadable),
        T(test_positions_missing_is_empty),
        T(test_positions_set_find_drop),
        T(test_positions_round_trip_escaped),
        T(test_positions_malformed),
        T(test_positions_older_format),
        T(test_times_many),
        T(test_positions_many),
        T(test_read_lines),
        T(test_escape),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
