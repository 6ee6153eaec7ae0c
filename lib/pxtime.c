/* pxtime — UTC calendar arithmetic without the C library's time zone state.
 *
 * timegm(3) per log line would cost more than the rest of the parsing; the
 * civil-date formula below is a handful of integer operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pxstats/pxtime.h"

int64_t pxs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil: March-based years make the leap day
     * the last day of the year. */
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;

    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i] - '0';
        if (c > 9)
            return false;
        v = v * 10 + c;
    }
    *out = v;
    return true;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

static bool make_time(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
                      int64_t *t)
{
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 60)
        return false;
    *t = pxs_days_from_civil(y, mo, d) * PXS_DAY + h * 3600 + mi * 60 + s;
    return true;
}

bool pxs_parse_iso(const char *s, size_t len, int64_t *t)
{
    unsigned y, mo, d, h, mi, se;

    if (len < PXS_ISO_LEN || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return false;
    return make_time(y, mo, d, h, mi, se, t);
}

bool pxs_parse_date_arg(const char *s, int64_t *t)
{
    size_t len = strlen(s);
    unsigned y, mo, d;

    if (len == PXS_ISO_LEN)
        return pxs_parse_iso(s, len, t);
    if (len == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &mo) &&
        digits(s + 8, 2, &d))
        return make_time(y, mo, d, 0, 0, 0, t);
    return false;
}

bool pxs_parse_compact(const char *s, size_t len, int64_t *t)
{
    unsigned y, mo, d, h, mi, se;

    if (len != 14 || !digits(s, 4, &y) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) ||
        !digits(s + 8, 2, &h) || !digits(s + 10, 2, &mi) || !digits(s + 12, 2, &se))
        return false;
    return make_time(y, mo, d, h, mi, se, t);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

char *pxs_format_iso(int64_t t, char *buf)
{
    int64_t days = floor_div(t, PXS_DAY), y;
    unsigned secs = (unsigned)(t - days * PXS_DAY), m, d;

    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0; /* outside what the format can say; never from a parsed date */
    put2(buf, (unsigned)(y / 100));
    put2(buf + 2, (unsigned)(y % 100));
    buf[4] = '-';
    put2(buf + 5, m);
    buf[7] = '-';
    put2(buf + 8, d);
    buf[10] = ' ';
    put2(buf + 11, secs / 3600);
    buf[13] = ':';
    put2(buf + 14, secs / 60 % 60);
    buf[16] = ':';
    put2(buf + 17, secs % 60);
    buf[19] = '\0';
    return buf;
}

char *pxs_format_compact(int64_t t, char *buf)
{
    char iso[PXS_ISO_SIZE];

    pxs_format_iso(t, iso);
    memcpy(buf, iso, 4);
    memcpy(buf + 4, iso + 5, 2);
    memcpy(buf + 6, iso + 8, 2);
    memcpy(buf + 8, iso + 11, 2);
    memcpy(buf + 10, iso + 14, 2);
    memcpy(buf + 12, iso + 17, 2);
    buf[14] = '\0';
    return buf;
}

char *pxs_strftime(int64_t t, const char *fmt, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    if (strftime(buf, size, fmt, &tm) == 0 && size > 0)
        buf[0] = '\0';
    return buf;
}

int64_t pxs_hour_floor(int64_t t) { return floor_div(t, PXS_HOUR) * PXS_HOUR; }
int64_t pxs_day_floor(int64_t t) { return floor_div(t, PXS_DAY) * PXS_DAY; }

int64_t pxs_now(void)
{
    const char *e = getenv("PXS_NOW");
    int64_t t;

    if (e != NULL && *e != '\0' && pxs_parse_date_arg(e, &t))
        return t;
    return (int64_t)time(NULL);
}
