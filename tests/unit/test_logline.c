/* Unit tests of logline: the line rules of DESIGN.md §3 on real-shaped lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxstats/logline.h"
#include "pxstats/pxtime.h"

static int64_t T(const char *iso)
{
    int64_t t = 0;

    assert_true(pxs_parse_date_arg(iso, &t));
    return t;
}

static pxs_line_kind parse(const char *line, pxs_filetype ft, pxs_record *r)
{
    return pxs_logline_parse(line, strlen(line), ft, 1, r);
}

static void product_is(const pxs_record *r, const char *want)
{
    assert_int_equal(r->product_len, strlen(want));
    assert_memory_equal(r->product, want, strlen(want));
}

static void tx_bulletin(void **state)
{
    pxs_record r;
    (void)state;
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (130 Bytes) Bulletin "
                           "SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20061008002431  delivered",
                           PXS_TX, &r),
                     PXS_LINE_DATA);
    assert_int_equal(r.time, T("2006-10-08 00:24:36"));
    assert_int_equal(r.bytes, 130);
    assert_int_equal(r.latency, 5);
    product_is(&r, "SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20061008002431");
}

static void tx_file_delivered(void **state)
{
    pxs_record r;
    (void)state;
    assert_int_equal(parse("2006-10-08 00:24:37,102 [INFO] (7124 Bytes) File /apps/px/txq/amis/3/"
                           "2006100800/SXUS23_KWBC_080024_RRX:ncp2:KWBC:SX:3:Direct:20061008002402 "
                           "delivered to ftp://pds@wxo-b1:/data/in/",
                           PXS_TX, &r),
                     PXS_LINE_DATA);
    assert_int_equal(r.bytes, 7124);
    assert_int_equal(r.latency, 35);
    product_is(&r, "SXUS23_KWBC_080024_RRX:ncp2:KWBC:SX:3:Direct:20061008002402");
}

static void rx_ingested(void **state)
{
    pxs_record r;
    (void)state;
    assert_int_equal(parse("2006-10-08 00:24:36,556 [INFO] (107 Bytes) Ingested in DB as /apps/px/db/"
                           "20061008/SM/file/CWAO/SMCN37_CWAO_300651___0001:file:CWAO:SM:3:Direct:"
                           "20061008002436",
                           PXS_RX, &r),
                     PXS_LINE_DATA);
    assert_int_equal(r.bytes, 107);
    assert_int_equal(r.latency, 0);
    product_is(&r, "SMCN37_CWAO_300651___0001");
}

static void error_line(void **state)
{
    pxs_record r;
    const char *l = "2006-10-08 00:24:38,001 [ERROR] Unable to connect to wxo-b1: Connection refused";
    (void)state;
    assert_int_equal(parse(l, PXS_TX, &r), PXS_LINE_ERROR);
    assert_int_equal(r.time, T("2006-10-08 00:24:38"));
    assert_int_equal(r.bytes, 0);
    assert_int_equal(r.latency, 0);
    assert_int_equal(r.product_len, 0);
    /* Not collecting errors: the line is skipped. */
    assert_int_equal(pxs_logline_parse(l, strlen(l), PXS_TX, 0, &r), PXS_LINE_SKIP);
    /* An error line that mentions Bytes is still an error (no [INFO]). */
    assert_int_equal(parse("2006-10-08 00:24:38,001 [ERROR] (12 Bytes) File x failed", PXS_TX, &r),
                     PXS_LINE_ERROR);
}

static void excluded_lines(void **state)
{
    pxs_record r;
    (void)state;
    /* Segments of AM/AMIS bulletins, speed lines, send timeouts, other levels. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (130 Bytes) Bulletin Segment number 3 sent",
                           PXS_TX, &r), PXS_LINE_SKIP);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] 23450 Bytes/sec", PXS_TX, &r),
                     PXS_LINE_SKIP);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [WARNING] SEND TIMEOUT (130 Bytes) File "
                           "/apps/px/txq/a/3/2006100800/A:b:c:d:e:f:20061008002430 to host",
                           PXS_TX, &r), PXS_LINE_SKIP);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] SEND TIMEOUT (130 Bytes) File x", PXS_TX,
                           &r), PXS_LINE_SKIP);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [WARNING] (130 Bytes) Bulletin "
                           "A:b:c:d:e:f:20061008002430  delivered", PXS_TX, &r), PXS_LINE_SKIP);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [DEBUG] (130 Bytes) Bulletin "
                           "A:b:c:d:e:f:20061008002430  delivered", PXS_TX, &r), PXS_LINE_SKIP);
    assert_int_equal(parse("Traceback (most recent call last):", PXS_TX, &r), PXS_LINE_SKIP);
    assert_int_equal(parse("  File \"/apps/px/lib/Ingestor.py\", line 213, in ingest", PXS_TX, &r),
                     PXS_LINE_SKIP);
    assert_int_equal(parse("IOError: [Errno 28] No space left on device", PXS_TX, &r),
                     PXS_LINE_SKIP);
    assert_int_equal(parse("", PXS_TX, &r), PXS_LINE_SKIP);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] Ingestor started", PXS_RX, &r),
                     PXS_LINE_SKIP);
}

static void malformed_lines(void **state)
{
    pxs_record r;
    (void)state;
    /* Bytes that are not a number. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (abc Bytes) Bulletin A:b:c:d:e:f:"
                           "20061008002430  delivered", PXS_TX, &r), PXS_LINE_MALFORMED);
    /* A truncated or absent time. */
    assert_int_equal(parse("2006-10-08 00:24,616 [INFO] (12 Bytes) Bulletin A:b:c:d:e:f:"
                           "20061008002430  delivered", PXS_TX, &r), PXS_LINE_MALFORMED);
    assert_int_equal(parse("[INFO] (12 Bytes) Bulletin A", PXS_RX, &r), PXS_LINE_MALFORMED);
    assert_int_equal(parse("2006-13-08 00:24:36,616 [INFO] (12 Bytes) Ingested in DB as /a/b:c",
                           PXS_RX, &r), PXS_LINE_MALFORMED);
    /* tx without the reception time field. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (12 Bytes) Bulletin SACN31:file:CWAO  "
                           "delivered", PXS_TX, &r), PXS_LINE_MALFORMED);
    /* tx with a short token list. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (12 Bytes)", PXS_TX, &r),
                     PXS_LINE_MALFORMED);
    /* rx without any '/'. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (12 Bytes) Ingested in DB", PXS_RX, &r),
                     PXS_LINE_MALFORMED);
    /* Negative and overflowing byte counts. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (-12 Bytes) Ingested in DB as /a/b:c",
                           PXS_RX, &r), PXS_LINE_MALFORMED);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (99999999999999999999999 Bytes) "
                           "Ingested in DB as /a/b:c", PXS_RX, &r), PXS_LINE_MALFORMED);
    /* An [ERROR] without a time. */
    assert_int_equal(parse("[ERROR] lost", PXS_TX, &r), PXS_LINE_MALFORMED);
}

static void latency_rules(void **state)
{
    pxs_record r;
    (void)state;
    /* Over a day: no wrap at 86400 (the 2006 original's timedelta.seconds bug). */
    assert_int_equal(parse("2006-10-09 00:24:36,616 [INFO] (1 Bytes) Bulletin "
                           "A:b:c:d:e:f:20061007002431  delivered", PXS_TX, &r), PXS_LINE_DATA);
    assert_int_equal(r.latency, 2 * 86400 + 5);
    /* Reception in the future (skewed clocks): clamped to 0. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (1 Bytes) Bulletin "
                           "A:b:c:d:e:f:20061008002500  delivered", PXS_TX, &r), PXS_LINE_DATA);
    assert_int_equal(r.latency, 0);
    /* Exactly on time. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (1 Bytes) Bulletin "
                           "A:b:c:d:e:f:20061008002436  delivered", PXS_TX, &r), PXS_LINE_DATA);
    assert_int_equal(r.latency, 0);
    /* Extra colon fields after the 7th. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (1 Bytes) Bulletin "
                           "A:b:c:d:e:f:20061008002426:extra  delivered", PXS_TX, &r), PXS_LINE_DATA);
    assert_int_equal(r.latency, 10);
}

static void bytes_rules(void **state)
{
    pxs_record r;
    (void)state;
    /* The first '(' counts, whatever follows. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (0 Bytes) Ingested in DB as /x/P:q",
                           PXS_RX, &r), PXS_LINE_DATA);
    assert_int_equal(r.bytes, 0);
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (4294967296 Bytes) Ingested in DB as "
                           "/x/P(1):q", PXS_RX, &r), PXS_LINE_DATA);
    assert_int_equal(r.bytes, 4294967296LL);
    product_is(&r, "P(1)");
    /* A CRLF line: the caller strips '\r'; a product then ends at the line end. */
    assert_int_equal(parse("2006-10-08 00:24:36,616 [INFO] (5 Bytes) Ingested in DB as /x/PROD",
                           PXS_RX, &r), PXS_LINE_DATA);
    product_is(&r, "PROD");
}

static void level_anywhere(void **state)
{
    pxs_record r;
    (void)state;
    /* The tag is looked for anywhere, not only at its usual column. */
    assert_int_equal(parse("2006-10-08 00:24:36,6 [INFO] (5 Bytes) Ingested in DB as /x/P:q",
                           PXS_RX, &r), PXS_LINE_DATA);
    assert_int_equal(r.bytes, 5);
}

static void nul_bytes(void **state)
{
    pxs_record r;
    char line[] = "2006-10-08 00:24:36,616 [INFO] (5 Bytes) Ingested in DB as /x/P\0Q:r";
    size_t len = sizeof line - 1;
    (void)state;
    assert_int_equal(pxs_logline_parse(line, len, PXS_RX, 1, &r), PXS_LINE_DATA);
    assert_int_equal(r.product_len, 3);
    /* A NUL before the tag does not hide it. */
    char line2[] = "2006-10-08 00:24:36,616 \0[ERROR] x";
    assert_int_equal(pxs_logline_parse(line2, sizeof line2 - 1, PXS_TX, 1, &r), PXS_LINE_ERROR);
    /* NUL inside the time: malformed, not a crash. */
    char line3[] = "2006-10-08 00:2\0:36,616 [INFO] (5 Bytes) Ingested in DB as /x/P";
    assert_int_equal(pxs_logline_parse(line3, sizeof line3 - 1, PXS_RX, 1, &r), PXS_LINE_MALFORMED);
}

static void megabyte_line(void **state)
{
    const char *head = "2006-10-08 00:24:36,616 [INFO] (77 Bytes) Bulletin ";
    const char *tail = ":b:c:d:e:f:20061008002430  delivered";
    size_t n = 1024 * 1024, hl = strlen(head), tl = strlen(tail);
    char *line = malloc(n);
    pxs_record r;
    (void)state;
    memcpy(line, head, hl);
    memset(line + hl, 'A', n - hl - tl);
    memcpy(line + n - tl, tail, tl);
    assert_int_equal(pxs_logline_parse(line, n, PXS_TX, 1, &r), PXS_LINE_DATA);
    assert_int_equal(r.bytes, 77);
    assert_int_equal(r.latency, 6);
    assert_int_equal(r.product_len, n - hl - strlen("  delivered"));
    /* The same megabyte of junk without a tag is just skipped. */
    memset(line, 'x', n);
    assert_int_equal(pxs_logline_parse(line, n, PXS_TX, 1, &r), PXS_LINE_SKIP);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tx_bulletin),    cmocka_unit_test(tx_file_delivered),
        cmocka_unit_test(rx_ingested),    cmocka_unit_test(error_line),
        cmocka_unit_test(excluded_lines), cmocka_unit_test(malformed_lines),
        cmocka_unit_test(latency_rules),  cmocka_unit_test(bytes_rules),
        cmocka_unit_test(level_anywhere), cmocka_unit_test(nul_bytes),
        cmocka_unit_test(megabyte_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
