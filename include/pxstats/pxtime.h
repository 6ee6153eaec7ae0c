/* pxtime — the one time library of pxstats. Everything is UTC; epoch seconds
 * (int64_t) are the only time representation passed between modules. */
#ifndef PXSTATS_PXTIME_H
#define PXSTATS_PXTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PXS_MINUTE 60
#define PXS_HOUR   3600
#define PXS_DAY    86400

/* Length of "YYYY-MM-DD HH:MM:SS" and the buffer size that holds it. */
#define PXS_ISO_LEN 19
#define PXS_ISO_SIZE 20

/* Days since 1970-01-01 of a proleptic Gregorian date (no table, no locale). */
int64_t pxs_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Parses exactly "YYYY-MM-DD HH:MM:SS" (19 characters, fields range-checked)
 * at s. Returns true and sets *t; false on anything else. */
bool pxs_parse_iso(const char *s, size_t len, int64_t *t);
/* As pxs_parse_iso, for a NUL-terminated argument (a -d option, a state file);
 * also accepts "YYYY-MM-DD" (midnight). */
bool pxs_parse_date_arg(const char *s, int64_t *t);
/* Parses the 14 digits "YYYYMMDDhhmmss" of an ingest name. */
bool pxs_parse_compact(const char *s, size_t len, int64_t *t);

/* Formats t as "YYYY-MM-DD HH:MM:SS" into buf (PXS_ISO_SIZE bytes); returns buf. */
char *pxs_format_iso(int64_t t, char *buf);
/* Formats t as "YYYYMMDDhhmmss" (the ingest name's form) into buf (15 bytes). */
char *pxs_format_compact(int64_t t, char *buf);
/* strftime in UTC into buf; returns buf. */
char *pxs_strftime(int64_t t, const char *fmt, char *buf, size_t size);

/* Rounds down to the hour / the day (floor, also for times before 1970). */
int64_t pxs_hour_floor(int64_t t);
int64_t pxs_day_floor(int64_t t);

/* The current time: PXS_NOW (an ISO date, for tests and replays) when set,
 * else time(2). */
int64_t pxs_now(void);

#endif
