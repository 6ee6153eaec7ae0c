/* Unit tests of report: numbers, JSON strings, the JSON and text reports of
 * an hour, and the last-update table. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pxstats/pxtime.h"
#include "pxstats/report.h"
#include "pxstats/xalloc.h"

/* Captures what a report function writes. */
typedef struct capture {
    char *buf;
    size_t len;
    FILE *fp;
} capture;

static void cap_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->fp = open_memstream(&c->buf, &c->len);
    assert_non_null(c->fp);
}

static char *cap_close(capture *c)
{
    assert_int_equal(fclose(c->fp), 0);
    return c->buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void assert_number(double v, const char *want)
{
    char buf[PXS_NUM_SIZE];
    assert_string_equal(pxs_format_number(v, buf), want);
}

static void assert_round_trip(double v)
{
    char buf[PXS_NUM_SIZE];
    pxs_format_number(v, buf);
    assert_true(strtod(buf, NULL) == v);
    assert_null(strchr(buf, ' '));
}

static void test_numbers(void **state)
{
    (void)state;
    assert_number(0, "0");
    assert_number(-0.0, "0");
    assert_number(1234, "1234");
    assert_number(-7, "-7");
    assert_number(2.5, "2.5");
    assert_number(0.1, "0.1");
    assert_number(1.0 / 3.0, "0.33333333333333331");
    assert_number(9007199254740991.0, "9007199254740991");
    assert_number(NAN, "null");
    assert_number(INFINITY, "null");
    assert_number(-INFINITY, "null");
    assert_round_trip(1.0 / 3.0);
    assert_round_trip(2.0 / 3.0);
    assert_round_trip(1e300);
    assert_round_trip(-1.5e-300);
    assert_round_trip(9007199254740992.0 * 4);
    assert_round_trip(123456.789);
}

static void assert_json_string(const char *in, const char *want)
{
    capture c;
    cap_open(&c);
    pxs_json_string(c.fp, in);
    assert_string_equal(cap_close(&c), want);
    free(c.buf);
}

static void test_json_strings(void **state)
{
    (void)state;
    assert_json_string("", "\"\"");
    assert_json_string(NULL, "\"\"");
    assert_json_string("SACN31:file:CWAO", "\"SACN31:file:CWAO\"");
    assert_json_string("a\"b\\c", "\"a\\\"b\\\\c\"");
    assert_json_string("t\tn\nr\r", "\"t\\tn\\nr\\u000d\"");
    assert_json_string("\x01\x7f", "\"\\u0001\\u007f\"");
    /* Valid UTF-8 is kept; a lone Latin-1 byte becomes its code point. */
    assert_json_string("caf\xc3\xa9", "\"caf\xc3\xa9\"");
    assert_json_string("caf\xe9", "\"caf\\u00e9\"");
    /* Overlong, surrogate and truncated sequences are not UTF-8. */
    assert_json_string("\xc0\x80", "\"\\u00c0\\u0080\"");
    assert_json_string("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
    assert_json_string("\xe2\x82", "\"\\u00e2\\u0082\"");
    assert_json_string("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
    /* What a terminal acts on is escaped too: ESC, C1 CSI, a bidi override. */
    assert_json_string("a\x1b[2Jb", "\"a\\u001b[2Jb\"");
    assert_json_string("\xc2\x9b" "31m", "\"\\u009b31m\"");
    assert_json_string("x\xe2\x80\xaey", "\"x\\u202ey\"");
    assert_json_string("\xc2\xa0", "\"\xc2\xa0\"");   /* U+00A0 is text */
}

static void assert_term(const char *in, const char *want)
{
    char *t = pxs_term_escape(in);
    assert_string_equal(t, want);
    /* Nothing a terminal acts on is left: no C0 control, no DEL, no C1 byte
     * pair, no byte 0x80-0x9f outside a valid sequence. */
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        assert_false(*p < 0x20 || *p == 0x7f);
    free(t);
}

static void test_term_escape(void **state)
{
    (void)state;
    assert_term("", "");
    assert_term(NULL, "");
    assert_term("SACN31_CWAO:file:CWAO:SA:3:Direct:20061008000031",
                "SACN31_CWAO:file:CWAO:SA:3:Direct:20061008000031");
    /* ESC sequences (clear screen, set the title), CR, BEL, backspace. */
    assert_term("P\x1b[2J\x1b]0;owned\x07Q", "P\\x1b[2J\\x1b]0;owned\\x07Q");
    assert_term("over\rwrite", "over\\rwrite");
    assert_term("a\bb\x7f", "a\\x08b\\x7f");
    /* One line stays one line, a tab does not move the columns. */
    assert_term("two\nlines\tx", "two\\nlines\\tx");
    /* A backslash is doubled: the original can be read back. */
    assert_term("a\\x1b", "a\\\\x1b");
    /* C1 controls: as a character (UTF-8) and as a raw byte (8-bit CSI). */
    assert_term("\xc2\x9b" "31m", "\\u009b31m");
    assert_term("\x9b" "31m", "\\x9b31m");
    assert_term("\xc2\x85", "\\u0085");
    /* Bidirectional override and isolate. */
    assert_term("x\xe2\x80\xaey", "x\\u202ey");
    assert_term("\xe2\x81\xa6", "\\u2066");
    /* Valid UTF-8 text is kept; invalid bytes are shown as bytes. */
    assert_term("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_term("caf\xe9", "caf\\xe9");
    assert_term("\xc0\x80", "\\xc0\\x80");
    assert_term("\xe2\x82", "\\xe2\\x82");
    /* The longest expansion fits: every byte an escape. */
    assert_term("\x01\x01\x01", "\\x01\\x01\\x01");
    assert_term("\xe2\x80\xae\xe2\x80\xae", "\\u202e\\u202e");
}

/* 2006-10-08 00:00:00 UTC */
#define T0 1160265600

/* A tx hour: minute 0 has two files (latency 5 and 20, bytes 130 and 7124)
 * and an error; minute 59 has three files; the others are empty. */
static void tx_hour(pxs_hour *h, int interval_min)
{
    pxs_hour_init(h, "amis", "pds5", PXS_TX, T0 + 1234, interval_min, 15, PXS_T_ALL);
    pxs_hour_add_row(h, T0 + 36, 130, 5, "SACN31_CWAO:file:CWAO:SA:3:Direct:20061008000031", false);
    pxs_hour_add_row(h, T0 + 37, 7124, 20, "SXUS23_KWBC:ncp2:KWBC:SX:3:Direct:20061008000017",
                     false);
    pxs_hour_add_row(h, T0 + 38, 0, 0, "", true);
    pxs_hour_add_row(h, T0 + 3540, 10, 1, "P1", false);
    pxs_hour_add_row(h, T0 + 3541, 20, 2, "P2", false);
    pxs_hour_add_row(h, T0 + 3599, 31, 40, "P\"3", false);
    pxs_hour_note_file(h, "/apps/px/log/tx_amis.log");
    h->malformed = 3;
    pxs_hour_compute(h);
}

static void test_json_hour(void **state)
{
    pxs_hour h;
    capture c;
    char *out;

    (void)state;
    tx_hour(&h, 1);
    cap_open(&c);
    pxs_report_json(c.fp, &h);
    out = cap_close(&c);

    assert_non_null(strstr(out, "{\"client\":\"amis\",\"machine\":\"pds5\",\"fileType\":\"tx\","
                                "\"start\":\"2006-10-08 00:00:00\",\"interval\":1,"));
    assert_non_null(strstr(out, "\"files\":[\"tx_amis.log\"]"));
    assert_non_null(strstr(out, "\"machines\":[\"pds5\"]"));
    assert_non_null(strstr(out, "\"malformed\":3"));
    assert_non_null(strstr(out, "\"types\":[\"latency\",\"bytecount\",\"errors\"]"));
    /* One start for the hour, one per bucket; every bucket has all keys. */
    assert_int_equal(count(out, "\"start\":"), 61);
    assert_int_equal(count(out, "\"nbFiles\":"), 60);
    assert_int_equal(count(out, "\"median\":"), 120);
    assert_int_equal(count(out, "\"errors\":{\"total\":"), 60);
    assert_non_null(strstr(out, "{\"start\":\"2006-10-08 00:00:00\",\"nbFiles\":2,"
                                "\"filesOverMaxLatency\":1,\"latency\":{\"min\":5,\"max\":20,"
                                "\"mean\":12.5,\"median\":12.5,\"total\":25,"
                                "\"minFile\":\"SACN31_CWAO:file:CWAO:SA:3:Direct:20061008000031\","
                                "\"minTime\":\"2006-10-08 00:00:36\","));
    assert_non_null(strstr(out, "\"bytecount\":{\"min\":130,\"max\":7124,\"mean\":3627,"
                                "\"median\":3627,\"total\":7254,"));
    assert_non_null(strstr(out, "\"errors\":{\"total\":1}}"));
    /* An empty bucket has zeros, and nulls for where. */
    assert_non_null(strstr(out, "{\"start\":\"2006-10-08 00:01:00\",\"nbFiles\":0,"
                                "\"filesOverMaxLatency\":0,\"latency\":{\"min\":0,\"max\":0,"
                                "\"mean\":0,\"median\":0,\"total\":0,\"minFile\":null,"));
    /* Minute 59: latencies 1 2 40 (one late), bytes 10 20 31. */
    assert_non_null(strstr(out, "{\"start\":\"2006-10-08 00:59:00\",\"nbFiles\":3,"
                                "\"filesOverMaxLatency\":1,\"latency\":{\"min\":1,\"max\":40,"
                                "\"mean\":14.333333333333334,\"median\":2,\"total\":43,"));
    assert_non_null(strstr(out, "\"maxFile\":\"P\\\"3\",\"maxTime\":\"2006-10-08 00:59:59\""));
    assert_non_null(strstr(out, "\"mean\":20.333333333333332,\"median\":20,\"total\":61"));
    /* Buckets in time order, the object closed with a newline. */
    assert_true(strstr(out, "00:58:00") < strstr(out, "00:59:00"));
    assert_string_equal(out + strlen(out) - 3, "]}\n");
    free(out);
    pxs_hour_free(&h);
}

static void test_json_interval_and_rx(void **state)
{
    pxs_hour h;
    capture c;
    char *out;

    (void)state;
    tx_hour(&h, 5);
    cap_open(&c);
    pxs_report_json(c.fp, &h);
    out = cap_close(&c);
    assert_non_null(strstr(out, "\"interval\":5,"));
    assert_non_null(strstr(out, "\"nbBuckets\":12"));
    assert_int_equal(count(out, "\"nbFiles\":"), 12);
    assert_non_null(strstr(out, "{\"start\":\"2006-10-08 00:55:00\",\"nbFiles\":3,"));
    free(out);
    pxs_hour_free(&h);

    pxs_hour_init(&h, "ncp1", "pds5", PXS_RX, T0, 1, 15, PXS_T_ALL);
    pxs_hour_add_row(&h, T0 + 61, 500, 0, "SA", false);
    pxs_hour_add_row(&h, T0 + 62, 100, 0, "SM", false);
    pxs_hour_compute(&h);
    cap_open(&c);
    pxs_report_json(c.fp, &h);
    out = cap_close(&c);
    assert_non_null(strstr(out, "\"fileType\":\"rx\""));
    assert_non_null(strstr(out, "\"types\":[\"bytecount\",\"errors\"]"));
    /* rx has no latency: zeros even where there are files. */
    assert_non_null(strstr(out, "{\"start\":\"2006-10-08 00:01:00\",\"nbFiles\":2,"
                                "\"filesOverMaxLatency\":0,\"latency\":{\"min\":0,\"max\":0,"
                                "\"mean\":0,\"median\":0,\"total\":0,\"minFile\":null,"));
    assert_non_null(strstr(out, "\"bytecount\":{\"min\":100,\"max\":500,\"mean\":300,"
                                "\"median\":300,\"total\":600,\"minFile\":\"SM\","));
    free(out);
    pxs_hour_free(&h);
}

static void test_text_hour(void **state)
{
    pxs_hour h;
    capture c;
    char *out;

    (void)state;
    tx_hour(&h, 1);
    h.partial = true;
    cap_open(&c);
    pxs_report_text(c.fp, &h, "pickles/amis/20061008/tx/pds5_00");
    out = cap_close(&c);
    assert_non_null(strstr(out, "Snapshot        : pickles/amis/20061008/tx/pds5_00\n"));
    assert_non_null(strstr(out, "Files used      : tx_amis.log\n"));
    assert_non_null(strstr(out, "Start           : 2006-10-08 00:00:00\n"));
    assert_non_null(strstr(out, "Interval        : 1 minute(s)\n"));
    assert_non_null(strstr(out, "End             : 2006-10-08 01:00:00\n"));
    assert_non_null(strstr(out, "nbEntries       : 60\n"));
    assert_non_null(strstr(out, "Malformed lines : 3\n"));
    assert_non_null(strstr(out, "Partial hour    : yes"));
    assert_int_equal(count(out, "\nEntry "), 60);
    assert_int_equal(count(out, "(no data)"), 58);
    assert_non_null(strstr(out, "Entry 0 : 2006-10-08 00:00:00 -> 2006-10-08 00:01:00\n"
                                "  Files : 2   Over max latency : 1   Errors : 1\n"));
    assert_non_null(strstr(out, "    2006-10-08 00:00:38  error\n"));
    assert_non_null(strstr(out, "  Means    : latency 12.5  bytecount 3627\n"));
    assert_non_null(strstr(out, "  Medians  : latency 2  bytecount 20\n"));
    assert_non_null(strstr(out, "  Maximums : latency 40 (P\"3 at 2006-10-08 00:59:59)"));
    assert_non_null(strstr(out, "  Total    : latency 25  bytecount 7254  errors 1\n"));
    assert_non_null(strstr(out, "  Products : P1, P2, P\"3\n"));
    free(out);
    pxs_hour_free(&h);

    /* Products, client and machine from outside reach the terminal inert. */
    pxs_hour_init(&h, "am\x1bis", "pd\rs5", PXS_TX, T0, 60, 15, PXS_T_ALL);
    pxs_hour_add_row(&h, T0 + 1, 10, 1, "EVIL\x1b]0;title\x07:file:X", false);
    pxs_hour_add_row(&h, T0 + 2, 20, 30, "CR\rBEL\x07\xc2\x9b", false);
    pxs_hour_note_file(&h, "/log/tx_\x1b[31m.log");
    pxs_hour_compute(&h);
    cap_open(&c);
    pxs_report_text(c.fp, &h, "x\x1b");
    out = cap_close(&c);
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        assert_true(*p >= 0x20 || *p == '\n');
    assert_null(strstr(out, "\xc2\x9b"));
    assert_non_null(strstr(out, "Snapshot        : x\\x1b\n"));
    assert_non_null(strstr(out, "Client          : am\\x1bis\n"));
    assert_non_null(strstr(out, "Machine         : pd\\rs5"));
    assert_non_null(strstr(out, "  Products : EVIL\\x1b]0;title\\x07:file:X, CR\\rBEL\\x07\\u009b\n"));
    assert_non_null(strstr(out, "  Maximums : latency 30 (CR\\rBEL\\x07\\u009b at "));
    assert_non_null(strstr(out, "tx_\\x1b[31m.log"));
    free(out);
    pxs_hour_free(&h);
}

static void test_times_table(void **state)
{
    pxs_times t = {0};
    capture c;
    char *out, *a, *b, *d, *e;

    (void)state;
    cap_open(&c);
    pxs_report_times(c.fp, &t);
    out = cap_close(&c);
    assert_non_null(strstr(out, "No last-update time recorded"));
    free(out);

    pxs_times_set(&t, "pds6", PXS_TX, "amis", T0);
    pxs_times_set(&t, "pds5", PXS_TX, "metser", T0 + 3600);
    pxs_times_set(&t, "pds5", PXS_RX, "ncp1", T0 + 7200);
    pxs_times_set(&t, "pds5", PXS_TX, "a_very_long_client_name", T0);
    cap_open(&c);
    pxs_report_times(c.fp, &t);
    out = cap_close(&c);
    a = strstr(out, "# pds5    | rx_ncp1                    | 2006-10-08 02:00:00 #\n");
    b = strstr(out, "# pds5    | tx_a_very_long_client_name | 2006-10-08 00:00:00 #\n");
    d = strstr(out, "# pds5    | tx_metser                  | 2006-10-08 01:00:00 #\n");
    e = strstr(out, "# pds6    | tx_amis                    | 2006-10-08 00:00:00 #\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(d);
    assert_non_null(e);
    assert_true(a < b && b < d && d < e);
    assert_int_equal(count(out, "\n"), 8);
    free(out);
    pxs_times_free(&t);

    /* Names escaped, and the columns measured on what is printed. */
    memset(&t, 0, sizeof t);
    pxs_times_set(&t, "m\x1b", PXS_TX, "c\x07", T0);
    cap_open(&c);
    pxs_report_times(c.fp, &t);
    out = cap_close(&c);
    assert_non_null(strstr(out, "# m\\x1b   | tx_c\\x07        | 2006-10-08 00:00:00 #\n"));
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        assert_true(*p >= 0x20 || *p == '\n');
    free(out);
    pxs_times_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_term_escape),
        cmocka_unit_test(test_json_hour),
        cmocka_unit_test(test_json_interval_and_rx),
        cmocka_unit_test(test_text_hour),
        cmocka_unit_test(test_times_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
