/* report — computed hours and last-update times as text and JSON. */
#include "pxstats/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/percentile.h"
#include "pxstats/pxtime.h"
#include "pxstats/strlist.h"
#include "pxstats/xalloc.h"

/* 2^53: below it every integer is exactly a double, so printing it as an
 * integer loses nothing. */
#define EXACT_INT_LIMIT 9007199254740992.0

char *pxs_format_number(double v, char *buf)
{
    if (isnan(v) || isinf(v)) {
        strcpy(buf, "null");
        return buf;
    }
    if (v == trunc(v) && fabs(v) < EXACT_INT_LIMIT) {
        /* (int64_t) also turns -0.0 into "0". */
        snprintf(buf, PXS_NUM_SIZE, "%" PRId64, (int64_t)v);
        return buf;
    }
    snprintf(buf, PXS_NUM_SIZE, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, PXS_NUM_SIZE, "%.17g", v);
    return buf;
}

/* Length of the valid UTF-8 sequence at s (1-4) with its code point in *cpp,
 * or 0 when s does not start one (overlong forms, surrogates and code points
 * above U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, unsigned *cpp)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp, min;

    *cpp = c;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *cpp = cp;
    return n;
}

/* A code point a terminal may act on instead of showing: C0 controls, DEL,
 * C1 controls (U+0080-U+009F: CSI, OSC... in UTF-8 too), and the
 * bidirectional overrides and isolates that reorder what follows them. */
static bool terminal_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

void pxs_json_string(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    putc('"', fp);
    while (*p) {
        unsigned cp;
        size_t n = utf8_decode(p, &cp);
        if (*p == '"' || *p == '\\') {
            fprintf(fp, "\\%c", *p);
        } else if (*p == '\n') {
            fputs("\\n", fp);
        } else if (*p == '\t') {
            fputs("\\t", fp);
        } else if (n == 0) {
            fprintf(fp, "\\u%04x", *p);   /* a Latin-1 byte: its code point */
            n = 1;
        } else if (terminal_control(cp)) {
            /* The same character, escaped: JSON printed on a terminal stays
             * inert (only U+0000-U+001F must be, the rest may be). */
            fprintf(fp, "\\u%04x", cp);
        } else {
            fwrite(p, 1, n, fp);
        }
        p += n;
    }
    putc('"', fp);
}

char *pxs_term_escape(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    /* At most 6 bytes out per byte in ("\u202e" stands for 3). */
    char *out = xmalloc(strlen((const char *)p) * 6 + 1), *o = out;

    while (*p) {
        unsigned cp;
        size_t n = utf8_decode(p, &cp);
        if (*p == '\\') {
            o += sprintf(o, "\\\\");
        } else if (*p == '\t' || *p == '\n' || *p == '\r') {
            o += sprintf(o, "\\%c", *p == '\t' ? 't' : *p == '\n' ? 'n' : 'r');
        } else if (n == 0 || cp < 0x80) {
            if (n == 0 || terminal_control(cp))
                o += sprintf(o, "\\x%02x", *p);
            else
                *o++ = (char)*p;
            n = 1;
        } else if (terminal_control(cp)) {
            o += sprintf(o, "\\u%04x", cp);
        } else {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
    }
    *o = '\0';
    return out;
}

void pxs_term_put(FILE *fp, const char *s)
{
    char *t = pxs_term_escape(s);
    fputs(t, fp);
    free(t);
}

/* Writes "key":number. */
static void json_num(FILE *fp, const char *key, double v)
{
    char num[PXS_NUM_SIZE];
    fprintf(fp, "\"%s\":%s", key, pxs_format_number(v, num));
}

static void json_strlist(FILE *fp, const pxs_strlist *l)
{
    putc('[', fp);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            putc(',', fp);
        pxs_json_string(fp, l->v[i]);
    }
    putc(']', fp);
}

/* The product and time of the row where a min or max occurred, or nulls. */
static void json_where(FILE *fp, const pxs_hour *h, const char *fkey, const char *tkey, int64_t row)
{
    char t[PXS_ISO_SIZE];

    if (row < 0 || (size_t)row >= h->nrows) {
        fprintf(fp, ",\"%s\":null,\"%s\":null", fkey, tkey);
        return;
    }
    fprintf(fp, ",\"%s\":", fkey);
    pxs_json_string(fp, pxs_hour_product(h, &h->rows[row]));
    fprintf(fp, ",\"%s\":\"%s\"", tkey, pxs_format_iso(h->rows[row].time, t));
}

/* Statistics of one type; a bucket without values reports zeros (the
 * contract of the JSON output), whatever the collector left there. */
static void json_valstats(FILE *fp, const pxs_hour *h, const char *key, const pxs_valstats *v,
                          bool has_values)
{
    pxs_valstats zero = {0, 0, 0, 0, 0, -1, -1};
    const pxs_valstats *s = has_values ? v : &zero;

    fprintf(fp, ",\"%s\":{", key);
    json_num(fp, "min", s->min);
    putc(',', fp);
    json_num(fp, "max", s->max);
    putc(',', fp);
    json_num(fp, "mean", s->mean);
    putc(',', fp);
    json_num(fp, "median", s->median);
    putc(',', fp);
    json_num(fp, "total", s->total);
    json_where(fp, h, "minFile", "minTime", s->min_row);
    json_where(fp, h, "maxFile", "maxTime", s->max_row);
    putc('}', fp);
}

static void json_bucket(FILE *fp, const pxs_hour *h, const pxs_bucket *b)
{
    char t[PXS_ISO_SIZE];
    bool lat = (h->types & PXS_T_LATENCY) && b->nb_files > 0;
    bool bytes = (h->types & PXS_T_BYTECOUNT) && b->nb_files > 0;

    fprintf(fp, "{\"start\":\"%s\",\"nbFiles\":%" PRIu64 ",\"filesOverMaxLatency\":%" PRIu64,
            pxs_format_iso(b->start, t), b->nb_files, b->files_over_max_latency);
    json_valstats(fp, h, "latency", &b->latency, lat);
    json_valstats(fp, h, "bytecount", &b->bytecount, bytes);
    fprintf(fp, ",\"errors\":{\"total\":%" PRIu64 "}}", b->errors);
}

static void json_types(FILE *fp, unsigned types)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {PXS_T_LATENCY, "latency"}, {PXS_T_BYTECOUNT, "bytecount"}, {PXS_T_ERRORS, "errors"}};
    bool first = true;

    putc('[', fp);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(types & names[i].bit))
            continue;
        fprintf(fp, "%s\"%s\"", first ? "" : ",", names[i].name);
        first = false;
    }
    putc(']', fp);
}

/* "latency":{"p50":..,"p90":..,"p95":..,"p99":..} over the hour's files, or
 * "latency":null when the type was not collected or there is no file. */
static void json_percentiles(FILE *fp, const pxs_hour *h, const char *key, bool latency)
{
    unsigned bit = latency ? PXS_T_LATENCY : PXS_T_BYTECOUNT;
    pxs_values vals = {0};
    int64_t p[PXS_NPCT];

    fprintf(fp, "\"%s\":", key);
    if (h->types & bit)
        for (size_t i = 0; i < h->nrows; i++)
            if (!h->rows[i].error)
                pxs_values_add(&vals, latency ? h->rows[i].latency : h->rows[i].bytes);
    if (pxs_values_percentiles(&vals, pxs_pcts, PXS_NPCT, p) != 0) {
        fputs("null", fp);
    } else {
        for (int i = 0; i < PXS_NPCT; i++)
            fprintf(fp, "%s\"p%u\":%" PRId64, i ? "," : "{", pxs_pcts[i], p[i]);
        putc('}', fp);
    }
    pxs_values_free(&vals);
}

void pxs_report_json(FILE *fp, const pxs_hour *h)
{
    char t[PXS_ISO_SIZE];

    fputs("{\"client\":", fp);
    pxs_json_string(fp, h->client);
    fputs(",\"machine\":", fp);
    pxs_json_string(fp, h->machine);
    fprintf(fp, ",\"fileType\":\"%s\"", pxs_filetype_name(h->ft));
    fprintf(fp, ",\"start\":\"%s\"", pxs_format_iso(h->start, t));
    fprintf(fp, ",\"interval\":%d", h->interval / 60);
    fprintf(fp, ",\"end\":\"%s\"", pxs_format_iso(h->start + PXS_HOUR, t));
    fprintf(fp, ",\"maxLatency\":%d,\"partial\":%s", h->max_latency, h->partial ? "true" : "false");
    fputs(",\"types\":", fp);
    json_types(fp, h->types);
    fputs(",\n\"machines\":", fp);
    json_strlist(fp, &h->sources);
    fputs(",\n\"files\":", fp);
    json_strlist(fp, &h->files);
    fprintf(fp, ",\n\"malformed\":%" PRIu64 ",\"nbBuckets\":%d,", h->malformed, h->nbuckets);
    fputs("\"percentiles\":{", fp);
    json_percentiles(fp, h, "latency", true);
    putc(',', fp);
    json_percentiles(fp, h, "bytecount", false);
    fputs("},\n\"buckets\":[\n", fp);
    for (int i = 0; i < h->nbuckets; i++) {
        json_bucket(fp, h, &h->buckets[i]);
        fputs(i + 1 < h->nbuckets ? ",\n" : "\n", fp);
    }
    fputs("]}\n", fp);
}

/* ---- the human report ---- */

static void text_strlist(FILE *fp, const pxs_strlist *l)
{
    if (l->n == 0) {
        fputs("(none)", fp);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        fputs(i ? ", " : "", fp);
        pxs_term_put(fp, l->v[i]);
    }
}

/* One line of a statistic for every collected value type, e.g.
 * "  Means    : latency 5.5  bytecount 1200". which: 0 min, 1 max, 2 mean,
 * 3 median, 4 total; min and max also say where they occurred. */
static void text_stat(FILE *fp, const pxs_hour *h, const pxs_bucket *b, const char *label,
                      int which)
{
    const struct { unsigned bit; const char *name; const pxs_valstats *v; } types[] = {
        {PXS_T_LATENCY, "latency", &b->latency}, {PXS_T_BYTECOUNT, "bytecount", &b->bytecount}};
    char num[PXS_NUM_SIZE], t[PXS_ISO_SIZE];

    const char *sep = " ";

    fprintf(fp, "  %-9s:", label);
    for (size_t i = 0; i < 2; i++) {
        const pxs_valstats *v = types[i].v;
        double x[] = {v->min, v->max, v->mean, v->median, v->total};
        int64_t row = which == 0 ? v->min_row : which == 1 ? v->max_row : -1;

        if (!(h->types & types[i].bit))
            continue;
        fprintf(fp, "%s%s %s", sep, types[i].name, pxs_format_number(x[which], num));
        sep = "  ";
        if (row >= 0 && (size_t)row < h->nrows) {
            fputs(" (", fp);
            pxs_term_put(fp, pxs_hour_product(h, &h->rows[row]));
            fprintf(fp, " at %s)", pxs_format_iso(h->rows[row].time, t));
        }
    }
    if (which == 4 && (h->types & PXS_T_ERRORS))
        fprintf(fp, "%serrors %" PRIu64, sep, b->errors);
    putc('\n', fp);
}

/* The distinct products of a bucket, in order of first appearance. */
static void text_products(FILE *fp, const pxs_hour *h, const pxs_bucket *b)
{
    pxs_strlist seen;

    pxs_strlist_init(&seen);
    for (size_t i = b->first_row; i < b->first_row + b->nrows; i++)
        if (!h->rows[i].error)
            pxs_strlist_add_unique(&seen, pxs_hour_product(h, &h->rows[i]));
    fputs("  Products :", fp);
    for (size_t i = 0; i < seen.n; i++) {
        fputs(i ? ", " : " ", fp);
        pxs_term_put(fp, seen.v[i]);
    }
    putc('\n', fp);
    pxs_strlist_free(&seen);
}

static void text_values(FILE *fp, const pxs_hour *h, const pxs_bucket *b)
{
    char t[PXS_ISO_SIZE];

    fputs("  Values   :\n", fp);
    for (size_t i = b->first_row; i < b->first_row + b->nrows; i++) {
        const pxs_row *r = &h->rows[i];
        fprintf(fp, "    %s", pxs_format_iso(r->time, t));
        if (r->error) {
            fputs("  error\n", fp);
            continue;
        }
        if (h->types & PXS_T_LATENCY)
            fprintf(fp, "  latency %" PRId64, r->latency);
        if (h->types & PXS_T_BYTECOUNT)
            fprintf(fp, "  bytecount %" PRId64, r->bytes);
        fputs("  ", fp);
        pxs_term_put(fp, pxs_hour_product(h, r));
        putc('\n', fp);
    }
}

static void text_bucket(FILE *fp, const pxs_hour *h, int i)
{
    const pxs_bucket *b = &h->buckets[i];
    char t0[PXS_ISO_SIZE], t1[PXS_ISO_SIZE];

    fprintf(fp, "\nEntry %d : %s -> %s\n", i, pxs_format_iso(b->start, t0),
            pxs_format_iso(b->start + h->interval, t1));
    if (b->nrows == 0) {
        fputs("  (no data)\n", fp);
        return;
    }
    fprintf(fp, "  Files : %" PRIu64, b->nb_files);
    if (h->ft == PXS_TX && (h->types & PXS_T_LATENCY))
        fprintf(fp, "   Over max latency : %" PRIu64, b->files_over_max_latency);
    if (h->types & PXS_T_ERRORS)
        fprintf(fp, "   Errors : %" PRIu64, b->errors);
    putc('\n', fp);
    text_products(fp, h, b);
    text_values(fp, h, b);
    if (b->nb_files > 0) {
        text_stat(fp, h, b, "Means", 2);
        text_stat(fp, h, b, "Medians", 3);
        text_stat(fp, h, b, "Minimums", 0);
        text_stat(fp, h, b, "Maximums", 1);
    }
    text_stat(fp, h, b, "Total", 4);
}

void pxs_report_text(FILE *fp, const pxs_hour *h, const char *name)
{
    static const char *const type_names[] = {"latency", "bytecount", "errors"};
    char t[PXS_ISO_SIZE];
    bool first = true;

    fputs("Snapshot        : ", fp);
    pxs_term_put(fp, name);
    fputs("\nClient          : ", fp);
    pxs_term_put(fp, h->client);
    fputs("\nMachine         : ", fp);
    pxs_term_put(fp, h->machine);
    if (h->sources.n > 1 || (h->sources.n == 1 && strcmp(h->sources.v[0], h->machine) != 0)) {
        fputs(" (merged: ", fp);
        text_strlist(fp, &h->sources);
        putc(')', fp);
    }
    fprintf(fp, "\nFile type       : %s\n", pxs_filetype_name(h->ft));
    fputs("Files used      : ", fp);
    text_strlist(fp, &h->files);
    fprintf(fp, "\nStart           : %s\n", pxs_format_iso(h->start, t));
    fprintf(fp, "Interval        : %d minute(s)\n", h->interval / 60);
    fprintf(fp, "End             : %s\n", pxs_format_iso(h->start + PXS_HOUR, t));
    fprintf(fp, "nbEntries       : %d\n", h->nbuckets);
    fputs("Types           :", fp);
    for (unsigned i = 0; i < 3; i++)
        if (h->types & (1u << i)) {
            fprintf(fp, "%s %s", first ? "" : ",", type_names[i]);
            first = false;
        }
    fprintf(fp, "\nMax latency     : %d s\n", h->max_latency);
    fprintf(fp, "Malformed lines : %" PRIu64 "\n", h->malformed);
    fprintf(fp, "Rows            : %zu\n", h->nrows);
    if (h->partial)
        fputs("Partial hour    : yes (written with -n; a later run rewrites it)\n", fp);
    for (int i = 0; i < h->nbuckets; i++)
        text_bucket(fp, h, i);
}

/* ---- timesView ---- */

static int times_cmp(const void *a, const void *b)
{
    const pxs_time_entry *x = *(const pxs_time_entry *const *)a;
    const pxs_time_entry *y = *(const pxs_time_entry *const *)b;
    int c = strcmp(x->machine, y->machine);

    if (c == 0)
        c = strcmp(pxs_filetype_name(x->ft), pxs_filetype_name(y->ft));
    if (c == 0)
        c = strcmp(x->client, y->client);
    return c;
}

static void times_rule(FILE *fp, size_t width)
{
    for (size_t i = 0; i < width; i++)
        putc('#', fp);
    putc('\n', fp);
}

void pxs_report_times(FILE *fp, const pxs_times *t)
{
    const char *h1 = "Machine", *h2 = "FileType_client", *h3 = "Last update";
    size_t w1 = strlen(h1), w2 = strlen(h2), w3 = PXS_ISO_LEN, width;
    const pxs_time_entry **v;
    char when[PXS_ISO_SIZE];

    if (t->n == 0) {
        fputs("No last-update time recorded (PICKLED-TIMES is empty or absent).\n", fp);
        return;
    }
    v = xcalloc(t->n, sizeof *v);
    for (size_t i = 0; i < t->n; i++)
        v[i] = &t->e[i];
    qsort(v, t->n, sizeof *v, times_cmp);
    /* The cells as printed (escaped), to measure the columns. */
    char **cells = xcalloc(2 * t->n, sizeof *cells);
    for (size_t i = 0; i < t->n; i++) {
        char *key = xasprintf("%s_%s", pxs_filetype_name(v[i]->ft), v[i]->client);
        cells[2 * i] = pxs_term_escape(v[i]->machine);
        cells[2 * i + 1] = pxs_term_escape(key);
        free(key);
        if (strlen(cells[2 * i]) > w1)
            w1 = strlen(cells[2 * i]);
        if (strlen(cells[2 * i + 1]) > w2)
            w2 = strlen(cells[2 * i + 1]);
    }
    width = w1 + w2 + w3 + 10;
    times_rule(fp, width);
    fprintf(fp, "# %-*s | %-*s | %-*s #\n", (int)w1, h1, (int)w2, h2, (int)w3, h3);
    times_rule(fp, width);
    for (size_t i = 0; i < t->n; i++) {
        fprintf(fp, "# %-*s | %-*s | %-*s #\n", (int)w1, cells[2 * i], (int)w2, cells[2 * i + 1],
                (int)w3, pxs_format_iso(v[i]->time, when));
        free(cells[2 * i]);
        free(cells[2 * i + 1]);
    }
    times_rule(fp, width);
    free(cells);
    free(v);
}
