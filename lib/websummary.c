/* websummary — the last 24 hours on the daily page (contract in websummary.h). */
#include "pxstats/websummary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/pxtime.h"
#include "pxstats/query.h"
#include "pxstats/xalloc.h"

/* The row of one (name, group) query: a copy of its values. */
typedef struct got {
    bool any;
    double v[PXS_Q_NVALUES];
} got;

static void keep_row(const pxs_query_row *row, void *arg)
{
    got *g = arg;

    g->any = !isnan(PXS_QV(row, PXS_Q_FILES));
    memcpy(g->v, row->v, sizeof g->v);
}

/* A count with its thousands apart (a narrow no-break space), "-" unknown. */
static void num_cell(FILE *fp, double v)
{
    char digits[64];
    int n;

    if (isnan(v)) {
        fputs("<td class=\"num\">-</td>", fp);
        return;
    }
    n = snprintf(digits, sizeof digits, "%.0f", v);
    fputs("<td class=\"num\">", fp);
    for (int i = 0; i < n; i++) {
        if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0)
            fputs("&#8239;", fp);
        putc(digits[i], fp);
    }
    fputs("</td>", fp);
}

static void put_row(FILE *fp, int tx, const char *name, const char *group, const got *g)
{
    char *esc = pxs_html_escape(name), *id = pxs_web_row_id(tx, name);
    char *gesc = pxs_html_escape(group);

    fprintf(fp, "<tr><td class=\"name\"><a href=\"#%s\">%s</a></td><td>%s</td>", id, esc, gesc);
    if (!g->any) {
        fprintf(fp, "<td colspan=\"%d\">no data in the last 24 hours</td></tr>\n", tx ? 5 : 3);
    } else {
        double files = g->v[PXS_Q_FILES - PXS_Q_FILES];
        num_cell(fp, files);
        num_cell(fp, g->v[PXS_Q_BYTES - PXS_Q_FILES]);
        num_cell(fp, g->v[PXS_Q_ERRORS - PXS_Q_FILES]);
        if (tx) {
            if (files > 0)
                fprintf(fp, "<td class=\"num\">%.1f %%</td>",
                        100.0 * g->v[PXS_Q_OVER - PXS_Q_FILES] / files);
            else
                fputs("<td class=\"num\">-</td>", fp);
            num_cell(fp, g->v[PXS_Q_LAT_P95 - PXS_Q_FILES]);
        }
        fputs("</tr>\n", fp);
    }
    free(esc);
    free(id);
    free(gesc);
}

static void put_table(FILE *fp, const char *statsdir, int tx, int64_t start, int64_t end,
                      const pxs_strlist *names, const pxs_strlist *groups)
{
    fprintf(fp, "<h3>%s</h3>\n", tx ? "TX clients" : "RX sources");
    if (names->n == 0) {
        fprintf(fp, "<p>No %s.</p>\n", tx ? "TX client" : "RX source");
        return;
    }
    fprintf(fp, "<table class=\"summary\">\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">Machines</th><th scope=\"col\">Files</th>"
                "<th scope=\"col\">Bytes</th><th scope=\"col\">Errors</th>%s</tr></thead>\n<tbody>\n",
            tx ? "Client" : "Source",
            tx ? "<th scope=\"col\">% over max latency</th><th scope=\"col\">p95 latency (s)</th>"
               : "");
    for (size_t i = 0; i < names->n; i++) {
        pxs_strlist one;
        bool shown = false;
        pxs_strlist_init(&one);
        pxs_strlist_add(&one, names->v[i]);
        for (size_t k = 0; k < groups->n; k++) {
            pxs_strlist machines;
            got g = {0};
            pxs_strlist_init(&machines);
            pxs_strlist_split(&machines, groups->v[k], ',');
            pxs_query q = {.statsdir = statsdir, .ft = tx ? PXS_TX : PXS_RX, .clients = &one,
                           .machines = &machines, .start = start, .end = end,
                           .by = PXS_BY_TOTAL, .archive = false};
            /* a snapshot that cannot be read is warned about by the query */
            if (pxs_query_run(&q, keep_row, &g) >= 0 && g.any) {
                put_row(fp, tx, names->v[i], groups->v[k], &g);
                shown = true;
            }
            pxs_strlist_free(&machines);
        }
        if (!shown) {
            got none = {0};
            put_row(fp, tx, names->v[i], "", &none);
        }
        pxs_strlist_free(&one);
    }
    fputs("</tbody>\n</table>\n", fp);
}

void pxs_web_summary(FILE *fp, const char *statsdir, int64_t now, const pxs_web_names *names)
{
    int64_t end = pxs_hour_floor(now), start = end - PXS_DAY;
    char s[PXS_ISO_SIZE], e[PXS_ISO_SIZE];

    if (names->groups.n == 0)
        return;
    fprintf(fp, "<h2>The last 24 hours</h2>\n<p>From %s to %s UTC, from the snapshots (as "
                "statsQuery --by total gives them); percentiles are nearest rank.</p>\n",
            pxs_format_iso(start, s), pxs_format_iso(end, e));
    put_table(fp, statsdir, 0, start, end, &names->rx, &names->groups);
    put_table(fp, statsdir, 1, start, end, &names->tx, &names->groups);
}
