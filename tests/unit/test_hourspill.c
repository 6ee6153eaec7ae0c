/* Unit tests of hourspill: a spilled hour's snapshot against the one
 * pxs_snapshot_encode writes for the same rows (the same bytes for rows in
 * time order, the same hour on load otherwise), names checked on a hash hit,
 * temporary files that never show, and errors that fail the hour. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxstats/hourspill.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/snapshot.h"
#include "pxstats/strpool.h"
#include "testdir.h"

#define H0 1159488000

/* A deterministic row generator (no libc rand: the same rows everywhere). */
typedef struct gen {
    uint64_t x;
    int kind;           /* 0: mixed names, 1: long random names, 2: few names, repeated,
                         * 3: hostile text (quotes, backquotes, $(), newlines, %, very long) */
    bool shuffle;       /* times out of order */
} gen;

static uint64_t next(gen *g)
{
    g->x ^= g->x << 13;
    g->x ^= g->x >> 7;
    g->x ^= g->x << 17;
    return g->x;
}

/* The i-th row: time, bytes, latency, product, error. */
static void row(gen *g, int i, int n, int64_t *t, int64_t *bytes, int64_t *lat, char *name,
                size_t size, bool *error)
{
    uint64_t r = next(g);

    *t = g->shuffle ? H0 + (int64_t)(r % 3600) : H0 + (int64_t)i * 3600 / n;
    *bytes = (int64_t)(r >> 20) % 200000;
    *lat = (int64_t)(r >> 40) % 90;
    *error = r % 97 == 0;
    if (*error) {
        name[0] = '\0';
        return;
    }
    switch (g->kind) {
    case 0:
        if (r % 5 == 0)
            snprintf(name, size, "plain-%llu", (unsigned long long)(r % 5000));
        else
            snprintf(name, size, "SACN%02d_CWAO_%06d:file:CWAO:SA:3:Direct:20060929%02d%02d%02d",
                     (int)(r % 50), i, (int)((*t - H0) / 3600), (int)((*t - H0) / 60 % 60),
                     (int)((*t - H0) % 60));
        break;
    case 1:
        for (size_t k = 0; k < 60; k++)
            name[k] = (char)('a' + (next(g) % 26));
        name[60] = '\0';
        break;
    case 2:
        snprintf(name, size, "hot-%llu", (unsigned long long)(r % 7));
        break;
    default: {
        static const char *bits[] = {"'", "\"", "`touch x`", "$(id)", "\n", "\r\t", "%s%n",
                                     "\\", ":", "_", "@m", "\x7f\x01"};
        size_t at = 0;
        /* Ingest-like or not, repeated or not, up to the buffer's size. */
        for (int k = 0; k < (int)(r % 9) + 1 && at + 12 < size; k++) {
            const char *b = bits[(r >> (4 * k)) % 12];
            size_t blen = strlen(b);
            memcpy(name + at, b, blen);
            at += blen;
        }
        if (r % 4 == 0)
            at += (size_t)snprintf(name + at, size - at, ":s:t:u:v:w:20260110%06d", i % 100000);
        else if (r % 4 == 1)
            for (; at + 1 < size; at++)
                name[at] = (char)('A' + at % 26);
        name[at] = '\0';
        break;
    }
    }
}

/* The same rows into full (kept whole, computed) and, in batches of every
 * `batch` rows, through a small hour into sp; ident ends with no rows. */
static void fill(gen g, int n, int batch, pxs_hour *full, pxs_hour *ident, pxs_hourspill *sp)
{
    char name[4096];

    pxs_hour_init(full, "amis", "pds5", PXS_TX, H0, 1, 15, PXS_T_ALL);
    pxs_hour_init(ident, "amis", "pds5", PXS_TX, H0, 1, 15, PXS_T_ALL);
    for (int i = 0; i < n; i++) {
        int64_t t, b, l;
        bool err;
        row(&g, i, n, &t, &b, &l, name, sizeof name, &err);
        pxs_hour_add_row(full, t, b, l, name, err);
        pxs_hour_add_row(ident, t, b, l, name, err);
        if (ident->nrows >= (size_t)batch)
            pxs_hourspill_take(sp, ident);
    }
    pxs_hourspill_take(sp, ident);
    assert_int_equal(ident->nrows, 0);
    assert_int_equal(pxs_hourspill_rows(sp), full->nrows);
    full->malformed = ident->malformed = 4;
    pxs_hour_note_file(full, "/apps/px/log/tx_amis.log");
    pxs_hour_note_file(ident, "/apps/px/log/tx_amis.log");
    pxs_hour_compute(full);
    pxs_hour_compute(ident);
}

/* The spilled snapshot's bytes, from a file. */
static unsigned char *write_spilled(const char *dir, pxs_hourspill *sp, const pxs_hour *ident,
                                    size_t *len)
{
    char *path = NULL;
    FILE *fp;
    char *buf;

    assert_true(asprintf(&path, "%s/out", dir) > 0);
    fp = fopen(path, "w+");
    assert_non_null(fp);
    assert_int_equal(pxs_hourspill_write(sp, ident, fp), 0);
    assert_int_equal(fclose(fp), 0);
    buf = pxs_read_file(path, len);
    assert_non_null(buf);
    free(path);
    return (unsigned char *)buf;
}

static void same_stats(const pxs_hour *a, const pxs_hour *b)
{
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->malformed, b->malformed);
    for (size_t i = 0; i < a->nrows; i++) {
        assert_int_equal(a->rows[i].time, b->rows[i].time);
        assert_int_equal(a->rows[i].bytes, b->rows[i].bytes);
        assert_int_equal(a->rows[i].latency, b->rows[i].latency);
        assert_int_equal(a->rows[i].error, b->rows[i].error);
        assert_string_equal(pxs_hour_product(a, &a->rows[i]), pxs_hour_product(b, &b->rows[i]));
    }
    for (int i = 0; i < a->nbuckets; i++) {
        assert_int_equal(a->buckets[i].nb_files, b->buckets[i].nb_files);
        assert_int_equal(a->buckets[i].errors, b->buckets[i].errors);
        assert_true(a->buckets[i].latency.median == b->buckets[i].latency.median);
        assert_true(a->buckets[i].bytecount.median == b->buckets[i].bytecount.median);
        assert_int_equal(a->buckets[i].latency.max_row, b->buckets[i].latency.max_row);
    }
}

/* Spills n rows of g in batches, and checks the snapshot against the one of
 * the whole hour: same bytes (in order) or same hour once loaded. */
static void check_spill(const char *dir, gen g, int n, int batch, bool same_bytes)
{
    pxs_hour full, ident, a, b;
    pxs_hourspill *sp = pxs_hourspill_open(dir, H0);
    unsigned char *mem, *file;
    size_t mlen, flen;

    assert_non_null(sp);
    fill(g, n, batch, &full, &ident, sp);
    pxs_snapshot_encode(&full, &mem, &mlen);
    file = write_spilled(dir, sp, &ident, &flen);
    if (same_bytes) {
        assert_int_equal(mlen, flen);
        assert_memory_equal(mem, file, mlen);
    }
    assert_int_equal(pxs_snapshot_decode(mem, mlen, "mem", &a), 0);
    assert_int_equal(pxs_snapshot_decode(file, flen, "spilled", &b), 0);
    same_stats(&a, &b);
    same_stats(&full, &b);
    pxs_hour_free(&a);
    pxs_hour_free(&b);
    pxs_hour_free(&full);
    pxs_hour_free(&ident);
    pxs_hourspill_free(sp);
    free(mem);
    free(file);
}

/* In time order, a small product section (libdeflate's path): same bytes. */
static void in_order_small(void **state)
{
    check_spill(*state, (gen){88172645463325252ull, 0, false}, 3000, 1000, true);
    check_spill(*state, (gen){88172645463325252ull, 0, false}, 3000, 1, true);
}

/* In time order, a product section over PXS_SNAPENC_ONESHOT (zlib's path,
 * columns moved to the file many times over): same bytes. */
static void in_order_big(void **state)
{
    check_spill(*state, (gen){1234567ull, 1, false}, 40000, 4096, true);
    check_spill(*state, (gen){7654321ull, 0, false}, 120000, 4096, true);
}

/* Hostile names (quotes, backquotes, newlines, control characters, names
 * as long as the buffer): same bytes in order, same hour out of order. */
static void hostile_names(void **state)
{
    check_spill(*state, (gen){31337ull, 3, false}, 30000, 777, true);
    check_spill(*state, (gen){31338ull, 3, true}, 30000, 4096, false);
}

/* Out of order: the rows are written as they came; loaded, the same hour. */
static void out_of_order(void **state)
{
    check_spill(*state, (gen){42ull, 0, true}, 50000, 4096, false);
}

/* A few names repeated over and over, long after their text went to the
 * names' file: each row gets its own name back. */
static void repeated_names(void **state)
{
    check_spill(*state, (gen){99ull, 2, false}, 30000, 500, true);
    /* Many distinct names first (their text leaves memory), then repeats. */
    {
        pxs_hour full, ident, b;
        pxs_hourspill *sp = pxs_hourspill_open(*state, H0);
        unsigned char *file;
        size_t flen;
        char name[64];

        pxs_hour_init(&full, "c", "m", PXS_RX, H0, 1, 15, PXS_T_ALL);
        pxs_hour_init(&ident, "c", "m", PXS_RX, H0, 1, 15, PXS_T_ALL);
        for (int i = 0; i < 60000; i++) {
            int k = i < 30000 ? i : (i * 7919) % 30000;
            snprintf(name, sizeof name, "name-%07d-%s", k, k % 2 ? "odd" : "even");
            pxs_hour_add_row(&full, H0 + i / 20, i, 0, name, false);
            pxs_hour_add_row(&ident, H0 + i / 20, i, 0, name, false);
            if (ident.nrows == 1000)
                pxs_hourspill_take(sp, &ident);
        }
        pxs_hourspill_take(sp, &ident);
        pxs_hour_compute(&full);
        file = write_spilled(*state, sp, &ident, &flen);
        assert_int_equal(pxs_snapshot_decode(file, flen, "spilled", &b), 0);
        assert_int_equal(b.products.n, 30000);
        same_stats(&full, &b);
        pxs_hour_free(&full);
        pxs_hour_free(&ident);
        pxs_hour_free(&b);
        pxs_hourspill_free(sp);
        free(file);
    }
}

typedef struct hashed {
    uint32_t hash, i;
} hashed;

static int by_hash(const void *x, const void *y)
{
    const hashed *a = x, *b = y;

    return a->hash != b->hash ? (a->hash < b->hash ? -1 : 1) : (a->i < b->i ? -1 : 1);
}

/* Two names with the same hash are two products (the text decides). */
static void hash_collision(void **state)
{
    /* Two names "c<i>" whose 32-bit hashes are equal: among 2^19 names a few
     * pairs are expected (birthday bound), and the hash is deterministic. */
    enum { N = 1 << 19 };
    hashed *h = malloc(N * sizeof *h);
    char a[32] = "", b[32] = "";
    pxs_hour full, ident, back;
    pxs_hourspill *sp;
    unsigned char *file;
    size_t flen;

    assert_non_null(h);
    for (uint32_t i = 0; i < N; i++) {
        char s[32];
        snprintf(s, sizeof s, "c%u", i);
        h[i] = (hashed){pxs_strpool_hash(s, strlen(s)), i};
    }
    qsort(h, N, sizeof *h, by_hash);
    for (uint32_t i = 1; i < N && a[0] == '\0'; i++)
        if (h[i].hash == h[i - 1].hash) {
            snprintf(a, sizeof a, "c%u", h[i - 1].i);
            snprintf(b, sizeof b, "c%u", h[i].i);
        }
    free(h);
    assert_true(a[0] != '\0');
    assert_int_equal(pxs_strpool_hash(a, strlen(a)), pxs_strpool_hash(b, strlen(b)));
    sp = pxs_hourspill_open(*state, H0);
    assert_non_null(sp);
    pxs_hour_init(&full, "c", "m", PXS_RX, H0, 1, 15, PXS_T_ALL);
    pxs_hour_init(&ident, "c", "m", PXS_RX, H0, 1, 15, PXS_T_ALL);
    for (int i = 0; i < 100; i++) {
        const char *n = i % 3 ? a : b;
        pxs_hour_add_row(&full, H0 + i, i, 0, n, false);
        pxs_hour_add_row(&ident, H0 + i, i, 0, n, false);
        pxs_hourspill_take(sp, &ident);
    }
    pxs_hour_compute(&full);
    file = write_spilled(*state, sp, &ident, &flen);
    assert_int_equal(pxs_snapshot_decode(file, flen, "spilled", &back), 0);
    assert_int_equal(back.products.n, 2);
    same_stats(&full, &back);
    pxs_hour_free(&full);
    pxs_hour_free(&ident);
    pxs_hour_free(&back);
    pxs_hourspill_free(sp);
    free(file);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The temporary files never have a name in the directory. */
static void nothing_shows(void **state)
{
    pxs_hour full, ident;
    pxs_hourspill *sp = pxs_hourspill_open(*state, H0);

    assert_non_null(sp);
    fill((gen){5ull, 1, false}, 20000, 4096, &full, &ident, sp);
    assert_int_equal(entries(*state), 0);
    pxs_hourspill_free(sp);
    assert_int_equal(entries(*state), 0);
    pxs_hour_free(&full);
    pxs_hour_free(&ident);
}

/* No directory: refused, named. A snapshot that cannot be written: -1. */
static void errors(void **state)
{
    char *missing = NULL;
    pxs_hourspill *sp;
    pxs_hour full, ident;
    FILE *fp;

    assert_true(asprintf(&missing, "%s/no/such/dir", (char *)*state) > 0);
    assert_null(pxs_hourspill_open(missing, H0));
    assert_non_null(strstr(pxs_error(), missing));
    free(missing);

    sp = pxs_hourspill_open(*state, H0);
    assert_non_null(sp);
    fill((gen){77ull, 1, false}, 20000, 4096, &full, &ident, sp);
    fp = fopen("/dev/full", "w");
    assert_non_null(fp);
    assert_int_equal(pxs_hourspill_write(sp, &ident, fp), -1);
    assert_non_null(strstr(pxs_error(), "cannot write"));
    fclose(fp);
    pxs_hourspill_free(sp);
    pxs_hour_free(&full);
    pxs_hour_free(&ident);
}

static int setup(void **state)
{
    return testdir_make(state, "hourspill");
}

static int teardown(void **state)
{
    return testdir_remove(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(in_order_small, setup, teardown),
        cmocka_unit_test_setup_teardown(in_order_big, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_names, setup, teardown),
        cmocka_unit_test_setup_teardown(repeated_names, setup, teardown),
        cmocka_unit_test_setup_teardown(hash_collision, setup, teardown),
        cmocka_unit_test_setup_teardown(nothing_shows, setup, teardown),
        cmocka_unit_test_setup_teardown(errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
