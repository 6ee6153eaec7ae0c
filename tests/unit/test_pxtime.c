/* Unit tests of pxtime: parsing (ISO, date arguments, the compact form of
 * ingest names), formatting against the C library's gmtime_r/timegm, floors
 * before 1970, and pxs_now with PXS_NOW. The C library is the independent
 * oracle: pxtime must agree with it without using it per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pxstats/pxtime.h"

/* 2006-10-08 12:34:56 UTC (date -u -d '2006-10-08 12:34:56' +%s). */
#define T2006 1160310896

static bool iso(const char *s, int64_t *t) { return pxs_parse_iso(s, strlen(s), t); }

/* The C library's answer for a broken-down UTC time. */
static int64_t libc_epoch(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};

    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

static void test_parse_iso_valid(void **state)
{
    int64_t t = 42;

    (void)state;
    assert_true(iso("2006-10-08 12:34:56", &t));
    assert_int_equal(t, T2006);
    assert_true(iso("1970-01-01 00:00:00", &t));
    assert_int_equal(t, 0);
    assert_true(iso("1970-01-01 00:00:01", &t));
    assert_int_equal(t, 1);
    assert_true(iso("1969-12-31 23:59:59", &t));
    assert_int_equal(t, -1);
    assert_true(iso("1900-01-01 00:00:00", &t));
    assert_int_equal(t, -2208988800LL);
    /* 2038 and beyond: no 32-bit overflow. */
    assert_true(iso("2038-01-19 03:14:07", &t));
    assert_int_equal(t, 2147483647LL);
    assert_true(iso("2038-01-19 03:14:08", &t));
    assert_int_equal(t, 2147483648LL);
    assert_true(iso("2106-02-07 06:28:16", &t));
    assert_int_equal(t, 4294967296LL);
    assert_true(iso("9999-12-31 23:59:59", &t));
    assert_int_equal(t, 253402300799LL);
    /* Ends of every field's range. */
    assert_true(iso("2006-12-31 23:59:59", &t));
    assert_int_equal(t, libc_epoch(2006, 12, 31, 23, 59, 59));
    assert_true(iso("2006-01-01 00:00:00", &t));
    assert_int_equal(t, libc_epoch(2006, 1, 1, 0, 0, 0));
    assert_true(iso("2006-04-30 10:00:00", &t));
    assert_int_equal(t, libc_epoch(2006, 4, 30, 10, 0, 0));
}

static void test_parse_iso_leap_days(void **state)
{
    int64_t t;

    (void)state;
    /* Leap years: divisible by 4; centuries only when divisible by 400. */
    assert_true(iso("2004-02-29 00:00:00", &t));
    assert_int_equal(t, libc_epoch(2004, 2, 29, 0, 0, 0));
    assert_true(iso("2000-02-29 12:00:00", &t));
    assert_int_equal(t, libc_epoch(2000, 2, 29, 12, 0, 0));
    assert_true(iso("2400-02-29 00:00:00", &t));
    assert_int_equal(t, libc_epoch(2400, 2, 29, 0, 0, 0));
    assert_true(iso("1960-02-29 23:59:59", &t));
    assert_int_equal(t, libc_epoch(1960, 2, 29, 23, 59, 59));
    assert_false(iso("2006-02-29 00:00:00", &t));
    assert_false(iso("2007-02-29 00:00:00", &t));
    assert_false(iso("1900-02-29 00:00:00", &t));
    assert_false(iso("2100-02-29 00:00:00", &t));
    assert_false(iso("2004-02-30 00:00:00", &t));
    /* The day after Feb 28 in a common year is Mar 1. */
    assert_true(iso("2006-03-01 00:00:00", &t));
    assert_int_equal(t, libc_epoch(2006, 2, 28, 0, 0, 0) + PXS_DAY);
}

static void test_parse_iso_invalid(void **state)
{
    static const char *bad[] = {
        "",
        "2006-10-08",
        "2006-10-08 12:34:5",      /* too short */
        "2006-10-08T12:34:56",     /* ISO 'T' */
        "2006/10/08 12:34:56",
        "2006-10-08 12.34.56",
        "2006-10-08  2:34:56",
        " 2006-10-08 12:34:5",
        "+006-10-08 12:34:56",
        "-006-10-08 12:34:56",
        "2006-1a-08 12:34:56",
        "2006-10-0x 12:34:56",
        "20a6-10-08 12:34:56",
        "2006-10-08 1b:34:56",
        "2006-10-08 12:3c:56",
        "2006-10-08 12:34:5d",
        "2006-00-08 12:34:56",     /* month 0 */
        "2006-13-08 12:34:56",     /* month 13 */
        "2006-10-00 12:34:56",     /* day 0 */
        "2006-10-32 12:34:56",
        "2006-04-31 12:34:56",     /* April has 30 days */
        "2006-06-31 12:34:56",
        "2006-09-31 12:34:56",
        "2006-11-31 12:34:56",
        "2006-10-08 24:00:00",     /* hour 24 */
        "2006-10-08 12:60:00",     /* minute 60 */
        "2006-10-08 12:34:61",
        "2006-10-08 12:34:99",
        "0000-01-01 00:00:00",
    };
    int64_t t = 7;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (iso(bad[i], &t))
            fail_msg("pxs_parse_iso accepted '%s'", bad[i]);
    }
    assert_int_equal(t, 7); /* untouched on failure */
    /* A length shorter than 19 is refused even if the text goes on. */
    assert_false(pxs_parse_iso("2006-10-08 12:34:56", 18, &t));
    assert_false(pxs_parse_iso("2006-10-08 12:34:56", 0, &t));
}

static void test_parse_iso_prefix_of_log_line(void **state)
{
    const char *line = "2006-10-08 12:34:56,616 [INFO] (130 Bytes) Bulletin x delivered";
    int64_t t;

    (void)state;
    /* The time at the start of a log line, and exactly the first 19 bytes. */
    assert_true(pxs_parse_iso(line, strlen(line), &t));
    assert_int_equal(t, T2006);
    assert_true(pxs_parse_iso(line, PXS_ISO_LEN, &t));
    assert_int_equal(t, T2006);
    /* Not NUL-terminated: only len bytes are looked at. */
    {
        char buf[PXS_ISO_LEN];
        memcpy(buf, "2006-10-08 12:34:56", PXS_ISO_LEN);
        assert_true(pxs_parse_iso(buf, sizeof buf, &t));
        assert_int_equal(t, T2006);
    }
}

/* Only len bytes are read: each prefix length in a buffer of exactly that
 * size (the sanitizer build catches a read past it). */
static void test_parse_reads_only_len(void **state)
{
    const char *iso_text = "2006-10-08 12:34:56", *compact = "20061008123456";
    int64_t t;

    (void)state;
    for (size_t n = 0; n <= PXS_ISO_LEN; n++) {
        char *buf = malloc(n ? n : 1);
        assert_non_null(buf);
        memcpy(buf, iso_text, n);
        assert_int_equal(pxs_parse_iso(buf, n, &t), n == PXS_ISO_LEN);
        free(buf);
    }
    for (size_t n = 0; n <= 14; n++) {
        char *buf = malloc(n ? n : 1);
        assert_non_null(buf);
        memcpy(buf, compact, n);
        assert_int_equal(pxs_parse_compact(buf, n, &t), n == 14);
        free(buf);
    }
}

static uint64_t rng(void);

/* Random strings over the format's alphabet: whatever is accepted is a real
 * time written in its one canonical form (second 60, a leap second, is read
 * as the next minute). */
static void test_parse_iso_random(void **state)
{
    static const char alphabet[] = "0123456789-: ";
    static const char tmpl[] = "2006-10-08 12:34:56";
    int accepted = 0;

    (void)state;
    for (int i = 0; i < 300000; i++) {
        char s[PXS_ISO_SIZE], back[PXS_ISO_SIZE];
        int64_t t;
        memcpy(s, tmpl, sizeof s);
        /* Change one to four positions. */
        for (int k = (int)(rng() % 4); k >= 0; k--)
            s[rng() % PXS_ISO_LEN] = alphabet[rng() % (sizeof alphabet - 1)];
        if (!pxs_parse_iso(s, PXS_ISO_LEN, &t))
            continue;
        accepted++;
        pxs_format_iso(t, back);
        if (strcmp(back, s) != 0 && !(strcmp(s + 17, "60") == 0 && t % 60 == 0))
            fail_msg("'%s' parsed as %lld, which is '%s'", s, (long long)t, back);
    }
    /* Sanity of the generator: many variants are valid dates. */
    assert_true(accepted > 1000);
}

static void test_parse_date_arg(void **state)
{
    int64_t t = 3;

    (void)state;
    assert_true(pxs_parse_date_arg("2006-10-08 12:34:56", &t));
    assert_int_equal(t, T2006);
    assert_true(pxs_parse_date_arg("2006-10-08", &t));
    assert_int_equal(t, libc_epoch(2006, 10, 8, 0, 0, 0));
    assert_true(pxs_parse_date_arg("2004-02-29", &t));
    assert_int_equal(t, libc_epoch(2004, 2, 29, 0, 0, 0));
    assert_true(pxs_parse_date_arg("1969-12-31", &t));
    assert_int_equal(t, -PXS_DAY);
    assert_true(pxs_parse_date_arg("2040-01-01", &t));
    assert_int_equal(t, 2208988800LL);

    t = 3;
    assert_false(pxs_parse_date_arg("", &t));
    assert_false(pxs_parse_date_arg("2006-02-29", &t));
    assert_false(pxs_parse_date_arg("2006-10-8", &t));
    assert_false(pxs_parse_date_arg("2006-10-08 ", &t));
    assert_false(pxs_parse_date_arg(" 2006-10-08", &t));
    assert_false(pxs_parse_date_arg("2006-10-08 12", &t));
    assert_false(pxs_parse_date_arg("2006-10-08 12:34", &t));
    assert_false(pxs_parse_date_arg("2006-10-08 12:34:56x", &t));
    assert_false(pxs_parse_date_arg("2006-10-08 12:34:56,616", &t));
    assert_false(pxs_parse_date_arg("2006/10/08", &t));
    assert_false(pxs_parse_date_arg("20061008", &t));
    assert_false(pxs_parse_date_arg("2006-13-01", &t));
    assert_false(pxs_parse_date_arg("2006-10-00", &t));
    assert_false(pxs_parse_date_arg("yesterday", &t));
    assert_false(pxs_parse_date_arg("2006-10-08 25:00:00", &t));
    assert_int_equal(t, 3);
}

static void test_parse_compact(void **state)
{
    int64_t t = 9;

    (void)state;
    assert_true(pxs_parse_compact("20061008123456", 14, &t));
    assert_int_equal(t, T2006);
    assert_true(pxs_parse_compact("19700101000000", 14, &t));
    assert_int_equal(t, 0);
    assert_true(pxs_parse_compact("19691231235959", 14, &t));
    assert_int_equal(t, -1);
    assert_true(pxs_parse_compact("20040229235959", 14, &t));
    assert_int_equal(t, libc_epoch(2004, 2, 29, 23, 59, 59));
    assert_true(pxs_parse_compact("20380119031408", 14, &t));
    assert_int_equal(t, 2147483648LL);
    /* The digits of a longer ingest name: only len bytes count. */
    assert_true(pxs_parse_compact("20061008123456:more", 14, &t));
    assert_int_equal(t, T2006);

    t = 9;
    assert_false(pxs_parse_compact("2006100812345", 13, &t));
    assert_false(pxs_parse_compact("200610081234567", 15, &t));
    assert_false(pxs_parse_compact("20061008123456", 13, &t));
    assert_false(pxs_parse_compact("2006100812345a", 14, &t));
    assert_false(pxs_parse_compact("2006-10-081234", 14, &t));
    assert_false(pxs_parse_compact("20070229000000", 14, &t));
    assert_false(pxs_parse_compact("20061308000000", 14, &t));
    assert_false(pxs_parse_compact("20061000000000", 14, &t));
    assert_false(pxs_parse_compact("20061008240000", 14, &t));
    assert_false(pxs_parse_compact("20061008006000", 14, &t));
    assert_false(pxs_parse_compact("20061008000061", 14, &t));
    assert_false(pxs_parse_compact(" 2006100800000", 14, &t));
    assert_false(pxs_parse_compact("", 0, &t));
    assert_int_equal(t, 9);
}

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(pxs_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(pxs_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(pxs_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(pxs_days_from_civil(1900, 1, 1), -25567);
    /* Every first and last day of month from 1900 to 2100, against timegm. */
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            int64_t want = libc_epoch(y, m, 1, 0, 0, 0) / PXS_DAY;
            if (pxs_days_from_civil(y, (unsigned)m, 1) != want)
                fail_msg("days_from_civil(%d, %d, 1) != %lld", y, m, (long long)want);
        }
        if (pxs_days_from_civil(y, 12, 31) != libc_epoch(y, 12, 31, 0, 0, 0) / PXS_DAY)
            fail_msg("days_from_civil(%d, 12, 31)", y);
    }
}

/* Deterministic 64-bit generator (xorshift64*), so that a failure repeats. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static void check_against_gmtime(int64_t t)
{
    char mine[PXS_ISO_SIZE], want[64];
    time_t tt = (time_t)t;
    struct tm tm;
    int64_t back;

    assert_non_null(gmtime_r(&tt, &tm));
    assert_int_equal(strftime(want, sizeof want, "%Y-%m-%d %H:%M:%S", &tm), PXS_ISO_LEN);
    assert_ptr_equal(pxs_format_iso(t, mine), mine);
    if (strcmp(mine, want) != 0)
        fail_msg("pxs_format_iso(%lld) = '%s', gmtime_r says '%s'", (long long)t, mine, want);
    assert_true(pxs_parse_iso(mine, strlen(mine), &back));
    if (back != t)
        fail_msg("round trip of %lld gave %lld", (long long)t, (long long)back);
}

static void test_format_iso_round_trip(void **state)
{
    /* 1900-01-01 .. 9999-12-31 23:59:59 */
    const int64_t lo = -2208988800LL, hi = 253402300799LL;

    (void)state;
    check_against_gmtime(0);
    check_against_gmtime(-1);
    check_against_gmtime(T2006);
    check_against_gmtime(2147483647LL);
    check_against_gmtime(2147483648LL);
    check_against_gmtime(lo);
    check_against_gmtime(hi);
    for (int i = 0; i < 200000; i++)
        check_against_gmtime(lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)));
    /* Dense around the epoch and around leap days. */
    for (int64_t t = -3 * PXS_DAY; t < 3 * PXS_DAY; t += 599)
        check_against_gmtime(t);
    for (int64_t t = libc_epoch(2000, 2, 28, 0, 0, 0); t < libc_epoch(2000, 3, 2, 0, 0, 0); t += 61)
        check_against_gmtime(t);
}

static void test_format_iso_output(void **state)
{
    char buf[PXS_ISO_SIZE + 4];

    (void)state;
    memset(buf, 'Z', sizeof buf);
    assert_string_equal(pxs_format_iso(T2006, buf), "2006-10-08 12:34:56");
    /* Exactly PXS_ISO_SIZE bytes are written: the NUL, then nothing. */
    assert_int_equal(buf[PXS_ISO_LEN], '\0');
    assert_int_equal(buf[PXS_ISO_SIZE], 'Z');
    assert_string_equal(pxs_format_iso(0, buf), "1970-01-01 00:00:00");
    assert_string_equal(pxs_format_iso(-1, buf), "1969-12-31 23:59:59");
    assert_string_equal(pxs_format_iso(-86400, buf), "1969-12-31 00:00:00");
    assert_string_equal(pxs_format_iso(-86401, buf), "1969-12-30 23:59:59");
}

static void test_strftime(void **state)
{
    char buf[64], tiny[4];

    (void)state;
    assert_string_equal(pxs_strftime(T2006, "%Y%m%d", buf, sizeof buf), "20061008");
    assert_string_equal(pxs_strftime(T2006, "%H", buf, sizeof buf), "12");
    assert_string_equal(pxs_strftime(T2006, "%a %b %W", buf, sizeof buf), "Sun Oct 40");
    assert_string_equal(pxs_strftime(-1, "%Y-%m-%d %H:%M:%S", buf, sizeof buf),
                        "1969-12-31 23:59:59");
    /* A buffer too small gives an empty string, not garbage. */
    memset(tiny, 'Z', sizeof tiny);
    assert_string_equal(pxs_strftime(T2006, "%Y%m%d", tiny, sizeof tiny), "");
}

static void test_floors(void **state)
{
    (void)state;
    assert_int_equal(pxs_hour_floor(0), 0);
    assert_int_equal(pxs_hour_floor(3599), 0);
    assert_int_equal(pxs_hour_floor(3600), 3600);
    assert_int_equal(pxs_hour_floor(T2006), T2006 - 34 * 60 - 56);
    assert_int_equal(pxs_day_floor(T2006), T2006 - 12 * 3600 - 34 * 60 - 56);
    assert_int_equal(pxs_day_floor(86399), 0);
    assert_int_equal(pxs_day_floor(86400), 86400);
    /* Before 1970 the floor goes down, not toward zero. */
    assert_int_equal(pxs_hour_floor(-1), -3600);
    assert_int_equal(pxs_hour_floor(-3599), -3600);
    assert_int_equal(pxs_hour_floor(-3600), -3600);
    assert_int_equal(pxs_hour_floor(-3601), -7200);
    assert_int_equal(pxs_day_floor(-1), -86400);
    assert_int_equal(pxs_day_floor(-86400), -86400);
    assert_int_equal(pxs_day_floor(-86401), -172800);
    assert_int_equal(pxs_day_floor(-2208988800LL + 5), -2208988800LL);
    /* The floor is always <= t, within one unit, and aligned. */
    for (int i = 0; i < 10000; i++) {
        int64_t t = (int64_t)(rng() % 20000000000ULL) - 10000000000LL;
        int64_t h = pxs_hour_floor(t), d = pxs_day_floor(t);
        if (!(h <= t && t - h < PXS_HOUR && ((h % PXS_HOUR) + PXS_HOUR) % PXS_HOUR == 0))
            fail_msg("hour floor of %lld = %lld", (long long)t, (long long)h);
        if (!(d <= t && t - d < PXS_DAY && ((d % PXS_DAY) + PXS_DAY) % PXS_DAY == 0))
            fail_msg("day floor of %lld = %lld", (long long)t, (long long)d);
    }
}

static void test_now(void **state)
{
    int64_t before, got, after;

    (void)state;
    setenv("PXS_NOW", "2006-10-08 12:34:56", 1);
    assert_int_equal(pxs_now(), T2006);
    setenv("PXS_NOW", "2006-10-08", 1);
    assert_int_equal(pxs_now(), T2006 - 12 * 3600 - 34 * 60 - 56);
    setenv("PXS_NOW", "1969-12-31 23:00:00", 1);
    assert_int_equal(pxs_now(), -3600);

    /* Garbage, empty or unset (NULL): the clock. */
    static const char *garbage[] = {"garbage", "", "2006-13-01 00:00:00", "1160310896", NULL};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        if (garbage[i] == NULL)
            unsetenv("PXS_NOW");
        else
            setenv("PXS_NOW", garbage[i], 1);
        before = (int64_t)time(NULL);
        got = pxs_now();
        after = (int64_t)time(NULL);
        if (got < before || got > after)
            fail_msg("PXS_NOW='%s': pxs_now() = %lld, clock %lld..%lld",
                     garbage[i] ? garbage[i] : "(unset)", (long long)got, (long long)before,
                     (long long)after);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_iso_valid),
        cmocka_unit_test(test_parse_iso_leap_days),
        cmocka_unit_test(test_parse_iso_invalid),
        cmocka_unit_test(test_parse_iso_prefix_of_log_line),
        cmocka_unit_test(test_parse_reads_only_len),
        cmocka_unit_test(test_parse_iso_random),
        cmocka_unit_test(test_parse_date_arg),
        cmocka_unit_test(test_parse_compact),
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_format_iso_round_trip),
        cmocka_unit_test(test_format_iso_output),
        cmocka_unit_test(test_strftime),
        cmocka_unit_test(test_floors),
        cmocka_unit_test(test_now),
    };

    unsetenv("PXS_NOW");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
