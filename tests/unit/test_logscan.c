/* Unit tests of logscan and logfiles: whole lines only, positions, gzip,
 * over-long lines, file choice by content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "pxstats/logfiles.h"
#include "pxstats/logscan.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"

static char dir[] = "/tmp/pxs-scanXXXXXX";
/* A date far after every test line: the latest plausible time. */
#define LATEST 4102444800 /* 2100-01-01 */

#define L1 "2026-01-10 00:00:05,000 [INFO] (10 Bytes) Ingested in DB as /db/P1:x\n"
#define L2 "2026-01-10 00:01:05,000 [WARNING] something\n"
#define L3 "2026-01-10 00:02:05,000 [ERROR] lost\n"
#define L4 "2026-01-10 00:03:05,000 [INFO] (zz Bytes) Ingested in DB as /db/P2:x\n"
#define L5 "2026-01-10 01:00:00,000 [INFO] (30 Bytes) Ingested in DB as /db/P3:x\n"

typedef struct seen {
    int data, errors, malformed, stop_at_data; /* stop when this many data lines seen (0: never) */
    int64_t last_time;
    uint64_t last_offset, last_line;
    int64_t bytes;
} seen;

static int count(void *arg, pxs_line_kind kind, const pxs_record *r, uint64_t offset)
{
    seen *s = arg;

    if (kind == PXS_LINE_DATA && s->stop_at_data && s->data == s->stop_at_data)
        return 1;
    s->last_offset = offset;
    s->last_line = r->line;
    s->last_time = r->time;
    if (kind == PXS_LINE_DATA) {
        s->data++;
        s->bytes += r->bytes;
    } else if (kind == PXS_LINE_ERROR)
        s->errors++;
    else
        s->malformed++;
    return 0;
}

static char *write_file(const char *name, const char *text, size_t len)
{
    char *path = NULL;
    FILE *f;

    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void whole_lines_and_positions(void **state)
{
    const char text[] = L1 L2 L3 L4 "2026-01-10 00:04:00,000 [INFO] (7";
    char *path = write_file("rx_a.log", text, sizeof text - 1);
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    assert_int_equal(pxs_logscan_file(path, false, 0, PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.data, 1);
    assert_int_equal(s.errors, 1);
    assert_int_equal(s.malformed, 1);
    assert_int_equal(s.bytes, 10);
    /* The unfinished last line is not consumed. */
    assert_int_equal(res.offset, strlen(L1 L2 L3 L4));
    assert_int_equal(res.lines, 4);
    /* Resuming at the saved offset reads nothing more until the line ends. */
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_logscan_file(path, false, res.offset, PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.data + s.errors + s.malformed, 0);
    assert_int_equal(res.offset, strlen(L1 L2 L3 L4));
    free(path);
    /* Completed: exactly that line is read. */
    {
        const char more[] = L1 L2 L3 L4 "2026-01-10 00:04:00,000 [INFO] (7 Bytes) Ingested in DB as /d/Q\n";
        path = write_file("rx_a.log", more, sizeof more - 1);
        memset(&s, 0, sizeof s);
        assert_int_equal(pxs_logscan_file(path, false, strlen(L1 L2 L3 L4), PXS_RX, 1, count, &s,
                                          &res), 0);
        assert_int_equal(s.data, 1);
        assert_int_equal(s.bytes, 7);
        assert_int_equal(s.last_offset, strlen(L1 L2 L3 L4));
        assert_int_equal(res.offset, sizeof more - 1);
        free(path);
    }
}

static void stop_leaves_position_before_line(void **state)
{
    const char text[] = L1 L5;
    char *path = write_file("rx_b.log", text, sizeof text - 1);
    pxs_scan_result res;
    seen s = {.stop_at_data = 1};
    (void)state;
    assert_int_equal(pxs_logscan_file(path, false, 0, PXS_RX, 1, count, &s, &res), 0);
    assert_true(res.stopped);
    assert_int_equal(res.offset, strlen(L1));
    free(path);
}

static void errors_not_wanted_and_crlf(void **state)
{
    const char text[] = "2026-01-10 00:02:05,000 [ERROR] lost\r\n"
                        "2026-01-10 00:00:05,000 [INFO] (10 Bytes) Ingested in DB as /db/P1\r\n";
    char *path = write_file("rx_c.log", text, sizeof text - 1);
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    assert_int_equal(pxs_logscan_file(path, false, 0, PXS_RX, 0, count, &s, &res), 0);
    assert_int_equal(s.errors, 0);
    assert_int_equal(s.data, 1);
    free(path);
}

static void gzip_files(void **state)
{
    char *path = NULL;
    gzFile g;
    pxs_scan_result res;
    seen s = {0};
    int64_t t;
    (void)state;
    assert_true(asprintf(&path, "%s/rx_d.log.2026-01-09.gz", dir) > 0);
    g = gzopen(path, "wb");
    assert_non_null(g);
    gzputs(g, L1 L2 L3 L5);
    gzclose(g);
    assert_int_equal(pxs_logscan_file(path, true, 0, PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.data, 2);
    assert_int_equal(res.offset, strlen(L1 L2 L3 L5));
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_logscan_file(path, true, strlen(L1 L2 L3), PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.data, 1);
    assert_int_equal(s.bytes, 30);
    assert_true(pxs_logfile_first_time(path, true, LATEST, &t));
    assert_int_equal(t, 1768003205);
    assert_true(pxs_logfile_last_time(path, true, LATEST, &t));
    assert_int_equal(t, 1768006800);
    free(path);
}

static void overlong_line_is_malformed(void **state)
{
    size_t big = PXS_LINE_MAX + 100, n = strlen(L1);
    char *text = malloc(big + 2 * n + 1), *path;
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    memcpy(text, L1, n);
    memset(text + n, 'x', big);
    text[n + big - 1] = '\n';
    memcpy(text + n + big, L1, n);
    path = write_file("rx_e.log", text, big + 2 * n);
    assert_int_equal(pxs_logscan_file(path, false, 0, PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.data, 2);
    assert_int_equal(s.malformed, 1);
    assert_int_equal(res.offset, big + 2 * n);
    free(path);
    free(text);
}

/* An over-long line still being written is not counted until it ends, and
 * then once. */
static void overlong_unfinished_counted_once(void **state)
{
    size_t big = PXS_LINE_MAX + 10, n = strlen(L1);
    char *text = malloc(n + big + 1 + n), *path;
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    memcpy(text, L1, n);
    memset(text + n, 'x', big);
    path = write_file("rx_h.log", text, n + big);
    assert_int_equal(pxs_logscan_file(path, false, 0, PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.data, 1);
    assert_int_equal(s.malformed, 0);
    assert_int_equal(res.offset, n);
    assert_int_equal(res.lines, 1);
    free(path);
    text[n + big] = '\n';
    memcpy(text + n + big + 1, L1, n);
    path = write_file("rx_h.log", text, n + big + 1 + n);
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_logscan_file(path, false, res.offset, PXS_RX, 1, count, &s, &res), 0);
    assert_int_equal(s.malformed, 1);
    assert_int_equal(s.data, 1);
    assert_int_equal(s.last_offset, n + big + 1);
    assert_int_equal(res.offset, n + big + 1 + n);
    free(path);
    free(text);
}

static void missing_file_named(void **state)
{
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    assert_int_equal(pxs_logscan_file("/nonexistent/rx_z.log", false, 0, PXS_RX, 1, count, &s, &res), -1);
    assert_non_null(strstr(pxs_error(), "/nonexistent/rx_z.log"));
}

static void file_choice_by_content(void **state)
{
    /* Names lie: the ".2000-01-01" file holds the newest rotated lines. */
    const char old[] = "Traceback line without time\n" L1 L2;
    const char newer[] = L5;
    const char live[] = "2026-01-10 02:00:00,000 [INFO] (1 Bytes) Ingested in DB as /db/P9\n";
    const char silent[] = "no timestamps at all\n";
    char *a = write_file("rx_f.log.2026-01-11", old, sizeof old - 1);
    char *b = write_file("rx_f.log.2000-01-01", newer, sizeof newer - 1);
    char *c = write_file("rx_f.log", live, sizeof live - 1);
    char *d = write_file("rx_f.logbook", silent, sizeof silent - 1);
    char *e = write_file("rx_fg.log", silent, sizeof silent - 1);
    pxs_logfiles l;
    int64_t t0 = 1768003200; /* 2026-01-10 00:00:00 */
    (void)state;
    assert_int_equal(pxs_logfiles_list(dir, PXS_RX, "f", LATEST, &l), 0);
    assert_int_equal(l.n, 3);
    assert_non_null(strstr(l.f[0].path, "2026-01-11"));
    assert_non_null(strstr(l.f[1].path, "2000-01-01"));
    assert_true(l.f[2].live);
    pxs_logfiles_free(&l);
    /* Only the file holding 01:00 covers [00:30, 01:30]. */
    assert_int_equal(pxs_logfiles_find(dir, PXS_RX, "f", t0 + 1800, t0 + 5400, LATEST, &l), 0);
    assert_int_equal(l.n, 1);
    assert_non_null(strstr(l.f[0].path, "2000-01-01"));
    pxs_logfiles_free(&l);
    assert_int_equal(pxs_logfiles_find(dir, PXS_RX, "f", t0, t0 + 3 * 3600, LATEST, &l), 0);
    assert_int_equal(l.n, 3);
    pxs_logfiles_free(&l);
    assert_int_equal(pxs_logfiles_find("/nonexistent", PXS_RX, "f", t0, t0, LATEST, &l), -1);
    free(a); free(b); free(c); free(d); free(e);
}

static void last_time_across_blocks(void **state)
{
    /* A last timed line far from the end, behind a long untimed tail. */
    size_t n = strlen(L1), tail = 200000;
    char *text = malloc(n + tail), *path;
    int64_t t;
    (void)state;
    memcpy(text, L1, n);
    for (size_t i = 0; i < tail; i++)
        text[n + i] = (i % 80 == 79) ? '\n' : 'y';
    path = write_file("rx_g.log", text, n + tail);
    assert_true(pxs_logfile_last_time(path, false, LATEST, &t));
    assert_int_equal(t, 1768003205);
    free(path);
    free(text);
}

static void client_names_of_files(void **state)
{
    static const struct { const char *entry; pxs_filetype ft; const char *name; bool live; } cases[] = {
        {"tx_amis.log", PXS_TX, "amis", true},
        {"tx_amis.log.2026-01-10", PXS_TX, "amis", false},
        {"tx_amis.log.2026-01-10.gz", PXS_TX, "amis", false},
        {"tx_x.log.log", PXS_TX, "x.log", true},
        {"tx_x.log.log.2026-01-10", PXS_TX, "x.log", false},
        {"rx_ncp1.log", PXS_RX, "ncp1", true},
        {"rx_ncp1.log", PXS_TX, NULL, false},
        {"tx_amis.log.old", PXS_TX, NULL, false},
        {"tx_amis.logbook", PXS_TX, NULL, false},
        {"tx_.log", PXS_TX, NULL, false},
        {"tx_amis", PXS_TX, NULL, false},
        {"stats_pickling.log", PXS_TX, NULL, false},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool live = !cases[i].live;
        char *name = pxs_logfile_client(cases[i].entry, cases[i].ft, &live);
        if (cases[i].name == NULL)
            assert_null(name);
        else {
            assert_non_null(name);
            assert_string_equal(name, cases[i].name);
            assert_int_equal(live, cases[i].live);
        }
        free(name);
    }
}


/* The tail of a file still being written is described; a rotated file's last
 * line counts as it stands. */
static void unterminated_tail(void **state)
{
    const char text[] = L1 L2 "2026-01-10 00:04:00,000 [INFO] (7 Bytes) Ingested in DB as /d/Q";
    const char short_tail[] = L1 "2026-01-10 0";
    char *path = write_file("rx_t.log", text, sizeof text - 1), *p2;
    pxs_scan_opts o = {.ft = PXS_RX, .want_errors = 1, .gz = false, .final = false};
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    assert_int_equal(pxs_logscan(path, &o, 0, count, &s, &res), 0);
    assert_int_equal(s.data, 1);
    assert_int_equal(res.offset, strlen(L1 L2));
    assert_int_equal(res.tail_len, sizeof text - 1 - strlen(L1 L2));
    assert_int_equal(res.tail_time, 1768003440); /* 2026-01-10 00:04:00 */
    /* The same bytes in a file no longer written: the line counts. */
    o.final = true;
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_logscan(path, &o, 0, count, &s, &res), 0);
    assert_int_equal(s.data, 2);
    assert_int_equal(s.bytes, 17);
    assert_int_equal(s.last_offset, strlen(L1 L2));
    assert_int_equal(s.last_line, 2);
    assert_int_equal(res.offset, sizeof text - 1);
    assert_int_equal(res.lines, 3);
    assert_int_equal(res.tail_len, 0);
    /* A tail whose time is not written yet says no time. */
    o.final = false;
    p2 = write_file("rx_u.log", short_tail, sizeof short_tail - 1);
    assert_int_equal(pxs_logscan(p2, &o, 0, count, &s, &res), 0);
    assert_int_equal(res.tail_len, 12);
    assert_int_equal(res.tail_time, -1);
    free(path);
    free(p2);
}

/* A gzip file cut short, or with a bad CRC, is an error naming it. */
static void damaged_gzip(void **state)
{
    char *path = NULL;
    gzFile g;
    FILE *f;
    long size;
    unsigned char *b;
    pxs_scan_result res;
    seen s = {0};
    (void)state;
    assert_true(asprintf(&path, "%s/rx_z.log.2026-01-09.gz", dir) > 0);
    g = gzopen(path, "wb");
    for (int i = 0; i < 2000; i++)
        gzputs(g, L1 L5);
    gzclose(g);
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    b = malloc((size_t)size);
    rewind(f);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    /* The trailer's CRC changed. */
    b[size - 8] ^= 0xff;
    f = fopen(path, "wb");
    fwrite(b, 1, (size_t)size, f);
    fclose(f);
    assert_int_equal(pxs_logscan_file(path, true, 0, PXS_RX, 1, count, &s, &res), -1);
    assert_non_null(strstr(pxs_error(), path));
    assert_non_null(strstr(pxs_error(), "gzip: incorrect data check"));
    /* Cut short: what was read is delivered, then the error. */
    b[size - 8] ^= 0xff;
    f = fopen(path, "wb");
    fwrite(b, 1, (size_t)size - 20, f);
    fclose(f);
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_logscan_file(path, true, 0, PXS_RX, 1, count, &s, &res), -1);
    assert_non_null(strstr(pxs_error(), "gzip: compressed data cut short"));
    assert_true(s.data > 0);
    /* The position stays at a line's start, after the lines delivered. */
    assert_true(res.offset > 0);
    assert_true(res.offset % strlen(L1 L5) == 0 || res.offset % strlen(L1 L5) == strlen(L1));
    free(b);
    free(path);
}

/* The top of a file: its first plausible time (a 1969 or 2038 line is
 * none), its fingerprint, or why it cannot be placed. */
static void file_tops(void **state)
{
    const char reset[] = "1969-12-31 23:59:59,000 [INFO] (1 Bytes) Ingested in DB as /db/R\n"
                         "2038-01-19 03:14:07,000 [INFO] (1 Bytes) Ingested in DB as /db/F\n" L5;
    const char ahead[] = "2031-01-01 00:00:00,000 [INFO] (1 Bytes) Ingested in DB as /db/A\n";
    const char being[] = "2026-01-10 00:0";
    char *nul = calloc(1, PXS_LINE_MAX + 10), *a, *b, *c, *d, *e;
    pxs_logfiles l;
    int64_t max = 1768003200 + 86400; /* 2026-01-11 00:00:00 */
    (void)state;
    memcpy(nul + PXS_LINE_MAX + 10 - strlen(L1), L1, strlen(L1));
    a = write_file("rx_top.log.1", reset, sizeof reset - 1);
    b = write_file("rx_top.log.2", ahead, sizeof ahead - 1);
    c = write_file("rx_top.log.3", nul, PXS_LINE_MAX + 10);
    d = write_file("rx_top.log", being, sizeof being - 1);
    e = write_file("tx_top.log", "", 0);
    assert_int_equal(pxs_logfiles_list(dir, PXS_RX, "top", max, &l), 0);
    assert_int_equal(l.n, 4);
    /* Reading order: no time, then by first time, the live file last. */
    assert_non_null(strstr(l.f[0].path, "top.log.3"));
    assert_int_equal(l.f[0].first, -1);
    assert_non_null(l.f[0].why);
    assert_non_null(strstr(l.f[0].why, "no line with a plausible time in its first 1048576 bytes"));
    assert_non_null(strstr(l.f[1].path, "top.log.1"));
    assert_int_equal(l.f[1].first, 1768006800);   /* L5, past the 1969 and 2038 lines */
    assert_null(l.f[1].why);
    assert_int_equal(l.f[1].head_len, sizeof reset - 1);   /* shorter than PXS_FP_MAX */
    assert_memory_equal(l.f[1].head, reset, sizeof reset - 1);
    assert_int_equal(l.f[0].head_len, PXS_FP_MAX);
    assert_non_null(strstr(l.f[2].path, "top.log.2"));
    assert_int_equal(l.f[2].first, 1924992000);   /* all after max: placed by its first time */
    assert_null(l.f[2].why);
    assert_true(l.f[3].live);
    assert_null(l.f[3].why);                       /* a first line being written */
    assert_int_equal(l.f[3].first, -1);
    pxs_logfiles_free(&l);
    assert_int_equal(pxs_logfiles_types(dir, "top"), (1u << PXS_TX) | (1u << PXS_RX));
    assert_int_equal(pxs_logfiles_types(dir, "nosuch"), 0);
    assert_int_equal(pxs_logfiles_types("/nonexistent", "top"), 0);
    unlink(a); unlink(b); unlink(c); unlink(d); unlink(e);
    free(a); free(b); free(c); free(d); free(e);
    free(nul);
}

/* A directory listed once for many clients: what changes in it (a rotation:
 * rename, then a new live file) is seen by the next lookup. */
static void logdir_sees_changes(void **state)
{
    static const char line[] = "2026-01-10 10:00:00,000 [INFO] x\n";
    pxs_logdir d;
    pxs_logfiles l;
    char *live, *old, *other;
    struct stat st;

    (void)state;
    live = write_file("tx_rot.log", line, sizeof line - 1);
    other = write_file("tx_rot2.log", line, sizeof line - 1);
    pxs_logdir_init(&d, dir, PXS_TX);
    /* Listings made within a second of a change are made again: wait so
     * that this one is kept, and the changes below must show through the
     * directory's mtime. */
    sleep(2);
    assert_int_equal(pxs_logdir_files(&d, "rot", LATEST, &l), 0);
    assert_false(d.racy);
    assert_int_equal(l.n, 1);
    pxs_logfiles_free(&l);
    assert_int_equal(pxs_logdir_files(&d, "rot2", LATEST, &l), 0);
    assert_int_equal(l.n, 1);
    pxs_logfiles_free(&l);
    assert_int_equal(pxs_logdir_files(&d, "nobody", LATEST, &l), 0);
    assert_int_equal(l.n, 0);
    pxs_logfiles_free(&l);

    assert_true(asprintf(&old, "%s/tx_rot.log.2026-01-10", dir) > 0);
    assert_int_equal(rename(live, old), 0);
    free(write_file("tx_rot.log", line, sizeof line - 1));
    assert_int_equal(stat(live, &st), 0);
    assert_int_equal(pxs_logdir_files(&d, "rot", LATEST, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.f[0].path, old);   /* the rotated file first */
    assert_false(l.f[0].live);
    assert_true(l.f[1].live);
    assert_int_equal(l.f[1].ino, (uint64_t)st.st_ino);
    pxs_logfiles_free(&l);
    /* Removed: gone from the next lookup. */
    assert_int_equal(unlink(other), 0);
    assert_int_equal(pxs_logdir_files(&d, "rot2", LATEST, &l), 0);
    assert_int_equal(l.n, 0);
    pxs_logfiles_free(&l);
    pxs_logdir_free(&d);
    unlink(old);
    unlink(live);
    free(old);
    free(live);
    free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_lines_and_positions), cmocka_unit_test(stop_leaves_position_before_line),
        cmocka_unit_test(errors_not_wanted_and_crlf), cmocka_unit_test(gzip_files),
        cmocka_unit_test(overlong_line_is_malformed), cmocka_unit_test(missing_file_named),
        cmocka_unit_test(overlong_unfinished_counted_once),
        cmocka_unit_test(client_names_of_files),
        cmocka_unit_test(file_choice_by_content),    cmocka_unit_test(last_time_across_blocks),
        cmocka_unit_test(unterminated_tail),         cmocka_unit_test(damaged_gzip),
        cmocka_unit_test(file_tops),
        cmocka_unit_test(logdir_sees_changes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
