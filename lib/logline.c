/* logline — classify and parse one PX log line (rules in logline.h). */
#include <string.h>

#include "pxstats/logline.h"
#include "pxstats/pxtime.h"


/* Offset of the level tag in "YYYY-MM-DD HH:MM:SS,mmm [INFO] ...": checking
 * it first spares a search through the line in the common case. */
#define LEVEL_AT 24

static int has_tag(const char *line, size_t len, const char *tag, size_t taglen)
{
    if (len >= LEVEL_AT + taglen && memcmp(line + LEVEL_AT, tag, taglen) == 0)
        return 1;
    return memmem(line, len, tag, taglen) != NULL;
}

/* The time before the first ','. */
static int parse_time(const char *line, size_t len, int64_t *t)
{
    /* The comma is normally at offset 19; anything else is malformed anyway. */
    if (len <= PXS_ISO_LEN || line[PXS_ISO_LEN] != ',')
        return 0;
    return pxs_parse_iso(line, PXS_ISO_LEN, t);
}

/* True when the line holds "/sec", " Segment " or "SEND TIMEOUT": speed lines,
 * bulletin segments and send timeouts are not deliveries. One memchr per
 * leading character finds the few candidates faster than three searches. */
static int excluded(const char *line, size_t len)
{
    const char *p = line, *end = line + len;

    while ((p = memchr(p, '/', (size_t)(end - p))) != NULL) {
        if (end - p >= 4 && memcmp(p, "/sec", 4) == 0)
            return 1;
        p++;
    }
    for (p = line; (p = memchr(p, 'S', (size_t)(end - p))) != NULL; p++) {
        if (end - p >= 12 && memcmp(p, "SEND TIMEOUT", 12) == 0)
            return 1;
        if (p > line && p[-1] == ' ' && end - p >= 8 && memcmp(p, "Segment ", 8) == 0)
            return 1;
    }
    return 0;
}

/* The integer between the first '(' and the first " Bytes"; word is the
 * first "Bytes" of the line. */
static int parse_bytes(const char *line, size_t len, const char *word, int64_t *bytes)
{
    const char *open = memchr(line, '(', len);
    const char *p;
    int64_t v = 0;

    /* The first " Bytes" is the first "Bytes" when a space precedes it. */
    word = word > line && word[-1] == ' ' ? word - 1 : memmem(line, len, " Bytes", 6);
    if (open == NULL || word == NULL || word <= open + 1)
        return 0;
    p = open + 1;
    while (p < word && *p == ' ')
        p++;
    if (p == word)
        return 0;
    for (; p < word; p++) {
        unsigned d = (unsigned char)*p - '0';
        if (d > 9 || v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + d;
    }
    *bytes = v;
    return 1;
}

/* tx: the 7th single-space-separated token (empty tokens count, as in
 * Python's split(" ")), then its last '/' component. */
static int tx_ingest(const char *line, size_t len, const char **name, size_t *nlen)
{
    const char *p = line, *end = line + len, *tok_end, *slash;

    for (int i = 0; i < 6; i++) {
        p = memchr(p, ' ', (size_t)(end - p));
        if (p == NULL)
            return 0;
        p++;
    }
    tok_end = memchr(p, ' ', (size_t)(end - p));
    if (tok_end == NULL)
        tok_end = end;
    slash = memrchr(p, '/', (size_t)(tok_end - p));
    if (slash)
        p = slash + 1;
    *name = p;
    *nlen = (size_t)(tok_end - p);
    return 1;
}

/* The 7th ':' field of an ingest name, parsed as YYYYMMDDhhmmss. */
static int reception_time(const char *name, size_t nlen, int64_t *t)
{
    const char *p = name, *end = name + nlen, *f;

    for (int i = 0; i < 6; i++) {
        p = memchr(p, ':', (size_t)(end - p));
        if (p == NULL)
            return 0;
        p++;
    }
    f = memchr(p, ':', (size_t)(end - p));
    return pxs_parse_compact(p, (size_t)((f ? f : end) - p), t);
}

static pxs_line_kind parse_data(const char *line, size_t len, pxs_filetype ft, const char *word,
                                pxs_record *r)
{
    if (!parse_time(line, len, &r->time)) {
        r->time = -1;
        return PXS_LINE_MALFORMED;
    }
    if (!parse_bytes(line, len, word, &r->bytes))
        return PXS_LINE_MALFORMED;
    if (ft == PXS_TX) {
        int64_t received;
        if (!tx_ingest(line, len, &r->product, &r->product_len) ||
            !reception_time(r->product, r->product_len, &received))
            return PXS_LINE_MALFORMED;
        /* Whole seconds, no wrap at a day (the 2006 original's bug); a
         * reception time in the future (clock skew) is clamped to 0. */
        r->latency = r->time > received ? r->time - received : 0;
    } else {
        const char *slash = memrchr(line, '/', len), *colon;
        if (slash == NULL)
            return PXS_LINE_MALFORMED;
        r->product = slash + 1;
        colon = memchr(r->product, ':', (size_t)(line + len - r->product));
        r->product_len = (size_t)((colon ? colon : line + len) - r->product);
        r->latency = 0;
    }
    return PXS_LINE_DATA;
}

pxs_line_kind pxs_logline_parse(const char *line, size_t len, pxs_filetype ft, int want_errors,
                                pxs_record *r)
{
    r->time = -1;
    r->bytes = 0;
    r->latency = 0;
    r->product = line;
    r->product_len = 0;
    if (has_tag(line, len, "[INFO]", 6)) {
        const char *word = memmem(line, len, "Bytes", 5);
        if (word != NULL && !excluded(line, len))
            return parse_data(line, len, ft, word, r);
    }
    if (has_tag(line, len, "[ERROR]", 7)) {
        if (!want_errors)
            return PXS_LINE_SKIP;
        if (!parse_time(line, len, &r->time)) {
            r->time = -1;
            return PXS_LINE_MALFORMED;
        }
        return PXS_LINE_ERROR;
    }
    return PXS_LINE_SKIP;
}
