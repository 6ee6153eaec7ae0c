/* Unit tests of snapshot: round trip, determinism, and refusal of bad files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/snapshot.h"

#define H0 1159488000

static void sample(pxs_hour *h)
{
    pxs_hour_init(h, "amis", "pds5pds6", PXS_TX, H0, 1, 15, PXS_T_ALL);
    for (int i = 0; i < 500; i++) {
        char prod[96];
        snprintf(prod, sizeof prod, "SACN%02d_CWAO_%06d:file:CWAO:SA:3:Direct:20060929%06d", i % 40,
                 i, i);
        pxs_hour_add_row(h, H0 + i * 7, 100 + i * 13, i % 30, prod, false);
        if (i % 50 == 0)
            pxs_hour_add_row(h, H0 + i * 7, 0, 0, "", true);
    }
    pxs_hour_add_row(h, H0 + 10, 5, 1, "SACN00_CWAO_000000:file:CWAO:SA:3:Direct:20060929000000", false);
    h->malformed = 3;
    pxs_hour_note_file(h, "/apps/px/log/tx_amis.log.2006-09-28");
    pxs_hour_note_file(h, "/apps/px/log/tx_amis.log");
    pxs_strlist_add(&h->sources, "pds6");
    pxs_hour_compute(h);
}

static void same_hour(const pxs_hour *a, const pxs_hour *b)
{
    assert_string_equal(a->client, b->client);
    assert_string_equal(a->machine, b->machine);
    assert_int_equal(a->ft, b->ft);
    assert_int_equal(a->start, b->start);
    assert_int_equal(a->interval, b->interval);
    assert_int_equal(a->max_latency, b->max_latency);
    assert_int_equal(a->types, b->types);
    assert_int_equal(a->malformed, b->malformed);
    assert_int_equal(a->files.n, b->files.n);
    assert_int_equal(a->sources.n, b->sources.n);
    assert_int_equal(a->nrows, b->nrows);
    for (size_t i = 0; i < a->nrows; i++) {
        assert_int_equal(a->rows[i].time, b->rows[i].time);
        assert_int_equal(a->rows[i].bytes, b->rows[i].bytes);
        assert_int_equal(a->rows[i].latency, b->rows[i].latency);
        assert_int_equal(a->rows[i].error, b->rows[i].error);
        assert_string_equal(pxs_hour_product(a, &a->rows[i]), pxs_hour_product(b, &b->rows[i]));
    }
    for (int i = 0; i < a->nbuckets; i++) {
        assert_int_equal(a->buckets[i].nb_files, b->buckets[i].nb_files);
        assert_true(a->buckets[i].latency.median == b->buckets[i].latency.median);
        assert_true(a->buckets[i].bytecount.mean == b->buckets[i].bytecount.mean);
        assert_int_equal(a->buckets[i].bytecount.max_row, b->buckets[i].bytecount.max_row);
    }
}

static char dir[] = "/tmp/pxs-snapXXXXXX";

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

static void round_trip(void **state)
{
    pxs_hour h, back;
    unsigned char *a, *b;
    size_t alen, blen;
    char *path = NULL;
    (void)state;
    sample(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    pxs_snapshot_encode(&h, &b, &blen);
    assert_int_equal(alen, blen);            /* deterministic: reruns give the same bytes */
    assert_memory_equal(a, b, alen);
    assert_int_equal(pxs_snapshot_decode(a, alen, "mem", &back), 0);
    same_hour(&h, &back);
    pxs_hour_free(&back);
    assert_true(asprintf(&path, "%s/pickles/amis/20060929/tx/m_00", dir) > 0);
    assert_int_equal(pxs_snapshot_write(path, &h), 0);
    assert_int_equal(pxs_snapshot_read(path, &back), 0);
    same_hour(&h, &back);
    {
        uint32_t crc;
        assert_int_equal(pxs_snapshot_checksum(path, &crc), 0);
        assert_int_equal(crc, (uint32_t)(a[20] | a[21] << 8 | a[22] << 16 | (uint32_t)a[23] << 24));
    }
    pxs_hour_free(&back);
    free(path);
    free(a);
    free(b);
    pxs_hour_free(&h);
}

/* Names of every shape survive: WMO-like, repeated fields, very long parts,
 * many '_' parts, not an ingest name at all, a time that would not read back. */
static void odd_products_round_trip(void **state)
{
    static char longsite[6000];
    const char *names[] = {
        "SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20060929000001",
        "X:file:CWAO:SA:3:Direct:20060929000001",
        "plainname",
        "",
        "a_b_c_d_e_f_g_h_i_j:s:t:u:v:w:20060929000002",
        "SA_CWAO:sys:CWAO:SA:3:Direct:20060929235960",
        "SA:s:t:u:v:w:2006092900000",
        longsite,
    };
    pxs_hour h, back;
    unsigned char *a;
    size_t alen;
    (void)state;
    memset(longsite, 'Q', sizeof longsite - 1);
    memcpy(longsite, "SA_", 3);
    {
        /* "SA_QQQ...:x:QQQ...:SA:3:Direct:..." with the site equal to part 1. */
        static char built[13000];
        snprintf(built, sizeof built, "SA_%.2990s:x:%.2990s:SA:3:Direct:20060929000003", longsite + 3, longsite + 3);
        names[7] = built;
    }
    pxs_hour_init(&h, "c", "m", PXS_TX, H0, 1, 15, PXS_T_ALL);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        pxs_hour_add_row(&h, H0 + (int64_t)i, 10, (int64_t)i * 100, names[i], false);
    pxs_hour_compute(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    assert_int_equal(pxs_snapshot_decode(a, alen, "mem", &back), 0);
    same_hour(&h, &back);
    pxs_hour_free(&back);
    free(a);
    pxs_hour_free(&h);
}

static void empty_hour(void **state)
{
    pxs_hour h, back;
    unsigned char *a;
    size_t alen;
    (void)state;
    pxs_hour_init(&h, "src", "m1", PXS_RX, H0 + 3600 * 5, 1, 15, PXS_T_ALL);
    pxs_hour_compute(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    assert_int_equal(pxs_snapshot_decode(a, alen, "mem", &back), 0);
    same_hour(&h, &back);
    assert_int_equal(back.nrows, 0);
    pxs_hour_free(&back);
    free(a);
    pxs_hour_free(&h);
}

/* Big hours, their product columns compressed by libdeflate (several blocks,
 * under a megabyte) or by zlib (above): the body is one zlib stream that
 * zlib's streaming inflate reads to its end, in small pieces, with the
 * payload length of the header and a good Adler-32; it decodes to the same
 * hour. */
static void big_hour(int nrows)
{
    pxs_hour h, back;
    unsigned char *a, piece[1000];
    size_t alen, total = 0;
    z_stream z;
    int rc;
    pxs_hour_init(&h, "big", "m1", PXS_TX, H0, 1, 15, PXS_T_ALL);
    for (int i = 0; i < nrows; i++) {
        char prod[96];
        snprintf(prod, sizeof prod, "SACN%02d_CWAO_%06d___%04d:wxo:CWAO:SA:3:Direct:20060929%02d%02d%02d",
                 i % 97, i, (i * 7919) % 10000, i / 36000, i / 600 % 60, i / 10 % 60);
        pxs_hour_add_row(&h, H0 + i / 34, (i * 2654435761u) % 5000000, i % 31, prod, i % 1000 == 0);
    }
    pxs_hour_compute(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit(&z), Z_OK);
    z.next_in = a + PXS_SNAPSHOT_HEADER;
    z.avail_in = (uInt)(alen - PXS_SNAPSHOT_HEADER);
    do {
        z.next_out = piece;
        z.avail_out = sizeof piece;
        rc = inflate(&z, Z_NO_FLUSH);
        total += sizeof piece - z.avail_out;
    } while (rc == Z_OK);
    assert_int_equal(rc, Z_STREAM_END);
    assert_int_equal(z.avail_in, 0);
    assert_int_equal(total, a[12] | a[13] << 8 | a[14] << 16 | (size_t)a[15] << 24);
    inflateEnd(&z);
    assert_int_equal(pxs_snapshot_decode(a, alen, "big", &back), 0);
    same_hour(&h, &back);
    pxs_hour_free(&back);
    free(a);
    pxs_hour_free(&h);
}

static void big_hours_one_zlib_stream(void **state)
{
    (void)state;
    big_hour(20000);
    big_hour(120000);
}

static void every_truncation_refused(void **state)
{
    pxs_hour h, back;
    unsigned char *a;
    size_t alen;
    (void)state;
    sample(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    for (size_t n = 0; n < alen; n++) {
        assert_int_equal(pxs_snapshot_decode(a, n, "cut", &back), -1);
        assert_non_null(strstr(pxs_error(), "cut:"));
    }
    free(a);
    pxs_hour_free(&h);
}

static void every_bit_flip_refused(void **state)
{
    pxs_hour h, back;
    unsigned char *a;
    size_t alen;
    (void)state;
    sample(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    for (size_t i = 0; i < alen; i++) {
        if (i == 10 || i == 11)
            continue; /* the flags are free for later versions */
        a[i] ^= 0x10;
        assert_int_equal(pxs_snapshot_decode(a, alen, "flip", &back), -1);
        a[i] ^= 0x10;
    }
    free(a);
    pxs_hour_free(&h);
}

static void newer_version_refused(void **state)
{
    pxs_hour h, back;
    unsigned char *a;
    size_t alen;
    (void)state;
    sample(&h);
    pxs_snapshot_encode(&h, &a, &alen);
    a[8] = 2;
    assert_int_equal(pxs_snapshot_decode(a, alen, "new", &back), -1);
    assert_non_null(strstr(pxs_error(), "version 2"));
    free(a);
    pxs_hour_free(&h);
}

/* A well-formed container around a payload that lies: must be refused. */
static void lying_payloads_refused(void **state)
{
    static const unsigned char payloads[][24] = {
        {4, 'a', 'm', 'i', 's'},                       /* ends after the client */
        {1, 'x', 1, 'm', 0, 0x80, 0x80},               /* bad start varint */
        {3, '.', '.', '/', 1, 'm', 0, 0, 120, 15, 7, 0}, /* unsafe client name */
        {1, 'x', 1, 'm', 2, 0, 120, 15, 7, 0, 0, 0, 0, 0, 0}, /* bad file type */
        {1, 'x', 1, 'm', 0, 0, 84, 15, 7, 0, 0, 0, 0, 0, 0},  /* interval 42 s */
        {1, 'x', 1, 'm', 0, 0, 120, 15, 7, 0, 0, 0, 0, 0, 1, 2, 0}, /* row past the hour */
        {1, 'x', 1, 'm', 0, 0, 120, 15, 7, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4}, /* product id 2 of 0 */
    };
    (void)state;
    for (size_t k = 0; k < sizeof payloads / sizeof payloads[0]; k++) {
        unsigned char out[256];
        uLongf clen = sizeof out - PXS_SNAPSHOT_HEADER;
        pxs_hour back;
        size_t plen = sizeof payloads[k];
        memcpy(out, "PXSNAP\r\n\1\0\0\0", 12);
        assert_int_equal(compress(out + 24, &clen, payloads[k], plen), Z_OK);
        out[12] = (unsigned char)plen; out[13] = out[14] = out[15] = 0;
        out[16] = (unsigned char)clen; out[17] = out[18] = out[19] = 0;
        uint32_t c = (uint32_t)crc32(0, out + 24, (uInt)clen);
        out[20] = (unsigned char)c; out[21] = (unsigned char)(c >> 8);
        out[22] = (unsigned char)(c >> 16); out[23] = (unsigned char)(c >> 24);
        assert_int_equal(pxs_snapshot_decode(out, 24 + clen, "lie", &back), -1);
        assert_non_null(strstr(pxs_error(), "lie: corrupt"));
    }
}

static void missing_file(void **state)
{
    pxs_hour back;
    char *path = NULL;
    (void)state;
    assert_true(asprintf(&path, "%s/none", dir) > 0);
    assert_int_equal(pxs_snapshot_read(path, &back), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(pxs_error(), path));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),          cmocka_unit_test(empty_hour),
        cmocka_unit_test(odd_products_round_trip), cmocka_unit_test(big_hours_one_zlib_stream),
        cmocka_unit_test(every_truncation_refused), cmocka_unit_test(every_bit_flip_refused),
        cmocka_unit_test(newer_version_refused), cmocka_unit_test(lying_payloads_refused),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
