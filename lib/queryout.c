/* queryout — statsQuery's rows as a table, CSV, JSON lines or the
 * OpenMetrics text exposition (contract in query.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/query.h"
#include "pxstats/report.h"
#include "pxstats/xalloc.h"

const char *const pxs_query_format_names[4] = {"table", "csv", "json", "openmetrics"};

void pxs_query_out_init(pxs_query_out *o, FILE *fp, pxs_query_format fmt, bool archive)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->fmt = fmt;
    o->archive = archive;
    if (fmt == PXS_FMT_CSV)
        for (int f = 0; f < PXS_Q_NFIELDS; f++)
            fprintf(fp, "%s%s", pxs_query_fields[f], f + 1 < PXS_Q_NFIELDS ? "," : "\n");
}

/* The text of field f of a row (fresh string), or NULL when unknown. */
static char *field_text(const pxs_query_row *r, int f, bool table)
{
    char buf[PXS_NUM_SIZE];

    switch (f) {
    case PXS_Q_CLIENT:
        return xstrdup(r->client);
    case PXS_Q_MACHINES:
        return xstrdup(r->machines);
    case PXS_Q_FILETYPE:
        return xstrdup(pxs_filetype_name(r->ft));
    case PXS_Q_START:
        return xstrdup(pxs_format_iso(r->start, buf));
    case PXS_Q_END:
        return xstrdup(pxs_format_iso(r->end, buf));
    default:
        if (isnan(PXS_QV(r, f)))
            return NULL;
        /* People read a mean to the hundredth; programs get every digit. */
        if (table && f == PXS_Q_LAT_MEAN)
            return xasprintf("%.2f", PXS_QV(r, f));
        return xstrdup(pxs_format_number(PXS_QV(r, f), buf));
    }
}

/* RFC 4180 quoting (a field holding a comma, a quote or a line break is
 * quoted), lines ending with a line feed as Unix tools expect. */
static void csv_field(FILE *fp, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    putc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', fp);
        putc(*s, fp);
    }
    putc('"', fp);
}

static void write_csv(FILE *fp, const pxs_query_row *r)
{
    for (int f = 0; f < PXS_Q_NFIELDS; f++) {
        char *t = field_text(r, f, false);
        csv_field(fp, t);
        fputs(f + 1 < PXS_Q_NFIELDS ? "," : "\n", fp);
        free(t);
    }
}

static void write_json(FILE *fp, const pxs_query_row *r)
{
    for (int f = 0; f < PXS_Q_NFIELDS; f++) {
        char *t = field_text(r, f, false);
        fprintf(fp, "%s\"%s\":", f ? "," : "{", pxs_query_fields[f]);
        if (f <= PXS_Q_END)
            pxs_json_string(fp, t);
        else
            fputs(t ? t : "null", fp);
        free(t);
    }
    fputs("}\n", fp);
}

void pxs_query_out_row(const pxs_query_row *row, void *out)
{
    pxs_query_out *o = out;

    if (o->fmt == PXS_FMT_CSV) {
        write_csv(o->fp, row);
        return;
    }
    if (o->fmt == PXS_FMT_JSON) {
        write_json(o->fp, row);
        return;
    }
    if (o->n == o->cap)
        xgrow((void **)&o->rows, &o->cap, o->n + 1, sizeof *o->rows);
    o->rows[o->n] = *row;
    o->rows[o->n].client = xstrdup(row->client);
    o->rows[o->n].machines = xstrdup(row->machines);
    o->n++;
}

/* ---- table ---- */

static void write_table(pxs_query_out *o)
{
    size_t width[PXS_Q_NFIELDS];
    char **cells = xcalloc(o->n * PXS_Q_NFIELDS + 1, sizeof *cells);

    for (int f = 0; f < PXS_Q_NFIELDS; f++)
        width[f] = strlen(pxs_query_fields[f]);
    for (size_t i = 0; i < o->n; i++)
        for (int f = 0; f < PXS_Q_NFIELDS; f++) {
            char *t = field_text(&o->rows[i], f, true);
            /* Names are checked where they enter; a terminal still gets
             * nothing it could act on. */
            cells[i * PXS_Q_NFIELDS + f] = t ? pxs_term_escape(t) : xstrdup("-");
            free(t);
            if (strlen(cells[i * PXS_Q_NFIELDS + f]) > width[f])
                width[f] = strlen(cells[i * PXS_Q_NFIELDS + f]);
        }
    /* Names left-aligned, numbers right-aligned, two spaces between. */
    for (int f = 0; f < PXS_Q_NFIELDS; f++)
        fprintf(o->fp, f <= PXS_Q_END ? "%-*s%s" : "%*s%s", (int)width[f], pxs_query_fields[f],
                f + 1 < PXS_Q_NFIELDS ? "  " : "\n");
    for (size_t i = 0; i < o->n; i++)
        for (int f = 0; f < PXS_Q_NFIELDS; f++)
            fprintf(o->fp, f <= PXS_Q_END ? "%-*s%s" : "%*s%s", (int)width[f],
                    cells[i * PXS_Q_NFIELDS + f], f + 1 < PXS_Q_NFIELDS ? "  " : "\n");
    if (o->archive) {
        char *absent = pxs_query_rows_only_names();
        fprintf(o->fp, "(from the RRD archive, which keeps per-minute values only: %s are absent)\n",
                absent);
        free(absent);
    }
    for (size_t i = 0; i < o->n * PXS_Q_NFIELDS; i++)
        free(cells[i]);
    free(cells);
}

/* ---- OpenMetrics ---- */

/* One metric family: a gauge of one field, or a summary of quantile fields
 * with a _sum and a _count. */
typedef struct family {
    const char *name, *type, *help;
    int field;                   /* gauge: its field */
    int nq;                      /* summary: quantiles */
    const char *q[4];
    int qfield[4];
    bool latency_sum;            /* summary _sum: the latencies (else the bytes) */
} family;

static const family families[] = {
    {"pxstats_files", "gauge",
     "Files delivered (tx) or received (rx) in the period; error lines are not files.",
     PXS_Q_FILES, 0, {0}, {0}, false},
    {"pxstats_bytes", "gauge", "Bytes of the files of the period.", PXS_Q_BYTES, 0, {0}, {0}, false},
    {"pxstats_errors", "gauge", "Error lines of the period.", PXS_Q_ERRORS, 0, {0}, {0}, false},
    {"pxstats_files_over_max_latency", "gauge",
     "Files whose latency was over the maximum latency of the config.", PXS_Q_OVER, 0, {0}, {0},
     false},
    {"pxstats_latency_seconds", "summary",
     "Latency of the files (delivery time minus reception time), nearest-rank quantiles.", -1, 4,
     {"0.5", "0.9", "0.95", "0.99"},
     {PXS_Q_LAT_P50, PXS_Q_LAT_P90, PXS_Q_LAT_P95, PXS_Q_LAT_P99}, true},
    {"pxstats_latency_min_seconds", "gauge", "Smallest latency of the period.", PXS_Q_LAT_MIN, 0,
     {0}, {0}, false},
    {"pxstats_latency_max_seconds", "gauge", "Largest latency of the period.", PXS_Q_LAT_MAX, 0,
     {0}, {0}, false},
    {"pxstats_latency_mean_seconds", "gauge", "Mean latency of the files of the period.",
     PXS_Q_LAT_MEAN, 0, {0}, {0}, false},
    {"pxstats_file_size_bytes", "summary", "Size of the files, nearest-rank quantiles.", -1, 2,
     {"0.5", "0.99"}, {PXS_Q_SIZE_P50, PXS_Q_SIZE_P99}, false},
    {"pxstats_file_size_max_bytes", "gauge", "Largest file of the period.", PXS_Q_SIZE_MAX, 0,
     {0}, {0}, false},
};

/* A label value: '\', '"' and line feeds escaped. */
static void label_value(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(fp, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", fp);
        else
            putc(*s, fp);
    }
}

typedef struct om {
    FILE *fp;
    bool periods;                /* start and end labels */
} om;

static void sample(const om *m, const char *name, const char *suffix, const pxs_query_row *r,
                   const char *quantile, double v)
{
    char num[PXS_NUM_SIZE], iso[PXS_ISO_SIZE];

    fprintf(m->fp, "%s%s{client=\"", name, suffix);
    label_value(m->fp, r->client);
    fputs("\",machine=\"", m->fp);
    label_value(m->fp, r->machines);
    fprintf(m->fp, "\",filetype=\"%s\"", pxs_filetype_name(r->ft));
    if (m->periods) {
        fprintf(m->fp, ",start=\"%s\"", pxs_format_iso(r->start, iso));
        fprintf(m->fp, ",end=\"%s\"", pxs_format_iso(r->end, iso));
    }
    if (quantile)
        fprintf(m->fp, ",quantile=\"%s\"", quantile);
    fprintf(m->fp, "} %s\n", pxs_format_number(v, num));
}

/* The samples of one family for one row; returns how many. */
static int family_samples(const om *m, const family *fam, const pxs_query_row *r, bool write)
{
    int n = 0;

    if (fam->nq == 0) {
        if (!isnan(PXS_QV(r, fam->field)) && ++n && write)
            sample(m, fam->name, "", r, NULL, PXS_QV(r, fam->field));
        return n;
    }
    double sum = fam->latency_sum ? r->latency_sum : PXS_QV(r, PXS_Q_BYTES);
    for (int k = 0; k < fam->nq; k++)
        if (!isnan(PXS_QV(r, fam->qfield[k])) && ++n && write)
            sample(m, fam->name, "", r, fam->q[k], PXS_QV(r, fam->qfield[k]));
    if (!isnan(sum) && !isnan(PXS_QV(r, PXS_Q_FILES))) {
        n += 2;
        if (write) {
            sample(m, fam->name, "_sum", r, NULL, sum);
            sample(m, fam->name, "_count", r, NULL, PXS_QV(r, PXS_Q_FILES));
        }
    }
    return n;
}

static void write_openmetrics(pxs_query_out *o)
{
    om m = {o->fp, false};

    /* Several periods of one client would repeat a series: the period's
     * bounds then become labels. */
    for (size_t i = 1; i < o->n && !m.periods; i++)   /* rows come client by client */
        m.periods = strcmp(o->rows[i].client, o->rows[i - 1].client) == 0;
    for (size_t k = 0; k < sizeof families / sizeof families[0]; k++) {
        const family *fam = &families[k];
        int n = 0;
        for (size_t i = 0; i < o->n; i++)
            n += family_samples(&m, fam, &o->rows[i], false);
        if (n == 0)
            continue;   /* a family without samples (rx latency) is left out */
        fprintf(o->fp, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
        for (size_t i = 0; i < o->n; i++)
            family_samples(&m, fam, &o->rows[i], true);
    }
    fputs("# EOF\n", o->fp);
}

void pxs_query_out_finish(pxs_query_out *o)
{
    if (o->fmt == PXS_FMT_TABLE)
        write_table(o);
    else if (o->fmt == PXS_FMT_OPENMETRICS)
        write_openmetrics(o);
    for (size_t i = 0; i < o->n; i++) {
        free((char *)o->rows[i].client);
        free((char *)o->rows[i].machines);
    }
    free(o->rows);
    o->rows = NULL;
    o->n = o->cap = 0;
}
