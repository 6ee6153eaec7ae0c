/* Unit tests of snapenc: the varints of the format, the split of ingest
 * names, the same snapshot in memory and to a file, the payload limit and a
 * file that cannot be written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxstats/msg.h"
#include "pxstats/snapenc.h"
#include "pxstats/snapshot.h"

#define H0 1768003200 /* 2026-01-10 00:00:00 */

static void varints(void **state)
{
    pxs_wbuf w = {0};
    (void)state;

    pxs_wbuf_varint(&w, 0);
    pxs_wbuf_varint(&w, 127);
    pxs_wbuf_varint(&w, 128);
    pxs_wbuf_varint(&w, 300);
    pxs_wbuf_svarint(&w, -1);
    pxs_wbuf_svarint(&w, 1);
    pxs_wbuf_svarint(&w, INT64_MIN);
    {
        const unsigned char want[] = {0x00, 0x7f, 0x80, 0x01, 0xac, 0x02, 0x01, 0x02,
                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
        assert_int_equal(w.len, sizeof want);
        assert_memory_equal(w.p, want, sizeof want);
    }
    free(w.p);
}

static void ingest_names(void **state)
{
    const char *f[7], *part;
    size_t fl[7], plen;
    int64_t t;
    const char *ok = "SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20060929000001";
    (void)state;

    assert_true(pxs_split_ingest(ok, strlen(ok), f, fl, &t));
    assert_int_equal(fl[0], strlen("SACN31_CWAO_300651___0006"));
    assert_int_equal(fl[2], 4);
    assert_memory_equal(f[2], "CWAO", 4);
    assert_int_equal(t, 1159488001);
    /* Six colons exactly, and a time that reads back the same. */
    assert_false(pxs_split_ingest("a:b:c", 5, f, fl, &t));
    assert_false(pxs_split_ingest("a:b:c:d:e:f:g:h", 15, f, fl, &t));
    assert_false(pxs_split_ingest("a:b:c:d:e:f:2006092900000", 25, f, fl, &t));
    assert_false(pxs_split_ingest("a:b:c:d:e:f:20060931000000", 26, f, fl, &t));
    /* Only len bytes are looked at. */
    assert_true(pxs_split_ingest(ok, strlen(ok), f, fl, &t));
    assert_false(pxs_split_ingest(ok, strlen(ok) - 1, f, fl, &t));

    assert_true(pxs_what_part("SACN31_CWAO_300651", 18, 1, &part, &plen));
    assert_int_equal(plen, 4);
    assert_memory_equal(part, "CWAO", 4);
    assert_true(pxs_what_part("SACN31_CWAO_300651", 18, 2, &part, &plen));
    assert_int_equal(plen, 6);
    assert_false(pxs_what_part("SACN31_CWAO_300651", 18, 3, &part, &plen));
}

static void sample(pxs_hour *h, int n)
{
    char name[96];

    pxs_hour_init(h, "c", "m1", PXS_TX, H0, 1, 15, PXS_T_ALL);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s%d_KWNB_%06d:ncp1:KWNB:SX:3:Direct:20260110%02d%02d00",
                 i % 3 ? "SXCN" : "plain-", i % 50, i, (i / 60) % 24, i % 60);
        pxs_hour_add_row(h, H0 + (int64_t)i * 3600 / n, 100 + i * 7, i % 20, name, i % 77 == 0);
    }
    pxs_hour_compute(h);
}

/* The body of h, through snapenc, to fp (NULL: memory). */
static int encode(const pxs_hour *h, FILE *fp, unsigned char **buf, size_t *len)
{
    pxs_snapenc *e = pxs_snapenc_start(fp);
    pxs_wbuf w = {0};
    pxs_rowcols rc;
    pxs_prodcols pc;
    bool *seen = calloc(h->products.n + 1, 1);
    int rc_body;

    assert_non_null(e);
    pxs_snapenc_identity(&w, h);
    pxs_snapenc_rows(e, &w);
    free(w.p);
    pxs_rowcols_init(&rc, h->start);
    pxs_prodcols_init(&pc);
    for (size_t i = 0; i < h->nrows; i++) {
        const pxs_row *r = &h->rows[i];
        if (!seen[r->product]) {
            const char *s = pxs_hour_product(h, r);
            seen[r->product] = true;
            assert_int_equal(r->product, pc.n);  /* ids in the order rows name them */
            pxs_prodcols_add(&pc, s, strlen(s), r->time - r->latency);
        }
        pxs_rowcols_add(&rc, r->time, r->bytes, r->latency, r->error, r->product);
    }
    free(seen);
    rc_body = pxs_snapenc_body(e, &rc, &pc, NULL);
    pxs_rowcols_free(&rc);
    pxs_prodcols_free(&pc);
    if (rc_body != 0) {
        pxs_snapenc_abort(e);
        return -1;
    }
    return pxs_snapenc_finish(e, buf, len);
}

/* In memory and to a file: the bytes of pxs_snapshot_encode, for a small
 * product section (libdeflate) and a big one (zlib). */
static void memory_and_file_agree(void **state)
{
    /* 100,000 rows: a product section over PXS_SNAPENC_ONESHOT. */
    const int sizes[] = {10, 400, 100000};
    (void)state;
    for (int k = 0; k < 3; k++) {
        int n = sizes[k];
        pxs_hour h;
        unsigned char *want, *mem, *file;
        size_t wlen, mlen, flen;
        FILE *fp = tmpfile();

        sample(&h, n);
        pxs_snapshot_encode(&h, &want, &wlen);
        assert_int_equal(encode(&h, NULL, &mem, &mlen), 0);
        assert_int_equal(mlen, wlen);
        assert_memory_equal(mem, want, wlen);
        assert_non_null(fp);
        assert_int_equal(encode(&h, fp, NULL, &flen), 0);
        assert_int_equal(flen, wlen);
        assert_int_equal(ftell(fp), (long)wlen); /* left at the end */
        file = malloc(flen);
        rewind(fp);
        assert_int_equal(fread(file, 1, flen, fp), flen);
        assert_memory_equal(file, want, wlen);
        fclose(fp);
        free(want);
        free(mem);
        free(file);
        pxs_hour_free(&h);
    }
}

static void payload_limit(void **state)
{
    pxs_snapenc *e = pxs_snapenc_start(NULL);
    (void)state;

    assert_non_null(e);
    assert_int_equal(pxs_snapenc_begin_products(e, (size_t)PXS_SNAPSHOT_MAX_PAYLOAD + 1), -1);
    assert_non_null(strstr(pxs_error(), "over the format's limit"));
    pxs_snapenc_abort(e);
}

static void unwritable_file(void **state)
{
    pxs_hour h;
    FILE *fp = fopen("/dev/full", "w");
    size_t len;
    (void)state;

    assert_non_null(fp);
    sample(&h, 40000);
    assert_int_equal(encode(&h, fp, NULL, &len), -1);
    assert_non_null(strstr(pxs_error(), "cannot write the snapshot"));
    fclose(fp);
    pxs_hour_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(varints),
        cmocka_unit_test(ingest_names),
        cmocka_unit_test(memory_and_file_agree),
        cmocka_unit_test(payload_limit),
        cmocka_unit_test(unwritable_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
