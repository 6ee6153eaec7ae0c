/* gnuplot — short-span graphs through the external gnuplot (StatsPlotter).
 *
 * The layout follows the seed: panels stacked from the bottom up, each
 * .545 of the width with its side labels at x = .545, one label line every
 * .02 of a .40-high slot. Where the seed sized the canvas with "set size" on
 * an old libgd terminal, the image is here simply PXS_GRAPH_PANEL_HEIGHT
 * pixels per panel, and every slot coordinate is scaled by 1/npanels. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pxstats/atomicfile.h"
#include "pxstats/clients.h"
#include "pxstats/gnuplot.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/percentile.h"
#include "pxstats/pngspan.h"
#include "pxstats/pxtime.h"
#include "pxstats/spawn.h"
#include "pxstats/updater.h"
#include "pxstats/xalloc.h"

/* gnuplot gets this long to draw one PNG before it is killed. */
#define GNUPLOT_TIMEOUT 300

static const struct {
    unsigned type;
    const char *name, *title, *ylabel, *colour;
} type_info[] = {
    {PXS_T_LATENCY, "latency", "Latency", "latency (seconds)", "#e00000"},
    {PXS_T_BYTECOUNT, "bytecount", "Bytecount", "# of bytes", "#0000e0"},
    {PXS_T_ERRORS, "errors", "Errors", "# of errors", "#00a000"},
};

static int type_index(unsigned type)
{
    for (int i = 0; i < 3; i++)
        if (type_info[i].type == type)
            return i;
    return 0;
}

const char *pxs_graph_type_name(unsigned type)
{
    return type_info[type_index(type)].name;
}

static bool is_all(const char *s)
{
    return s == NULL || *s == '\0' || strcasecmp(s, "All") == 0;
}

int pxs_graph_types_parse(const char *text, pxs_filetype ft, unsigned types[PXS_GRAPH_MAX_TYPES],
                          int *ntypes)
{
    pxs_strlist items;
    int n = 0, rc = 0;

    if (is_all(text)) {
        /* The seed's order: errors at the bottom, latency on top. */
        types[n++] = PXS_T_ERRORS;
        types[n++] = PXS_T_BYTECOUNT;
        if (ft == PXS_TX)
            types[n++] = PXS_T_LATENCY;
        *ntypes = n;
        return 0;
    }
    pxs_strlist_init(&items);
    pxs_strlist_split(&items, text, ',');
    if (items.n == 0) {
        pxs_set_error("no data type in '%s'", text);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < items.n; i++) {
        unsigned m;
        if (is_all(items.v[i])) {
            pxs_set_error("'All' cannot be combined with other types in '%s'", text);
            rc = -1;
        } else if (pxs_types_parse(items.v[i], ft, &m) != 0) {
            rc = -1;
        } else {
            for (int j = 0; j < n; j++)
                if (types[j] == m) {
                    pxs_set_error("data type '%s' given twice", items.v[i]);
                    rc = -1;
                }
            if (rc == 0)
                types[n++] = m;
        }
    }
    pxs_strlist_free(&items);
    if (rc == 0)
        *ntypes = n;
    return rc;
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned min;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

char *pxs_gnuplot_quote(const char *s)
{
    char *out = xmalloc(2 * strlen(s) + 3), *p = out;
    const unsigned char *u = (const unsigned char *)s;

    /* Single quotes: gnuplot substitutes neither `command` nor @macro inside
     * them and reads a backslash as itself; the quote is the one character
     * to escape, by doubling it. */
    *p++ = '\'';
    while (*u) {
        size_t n = utf8_len(u);
        if (n == 0 || *u < 0x20 || *u == 0x7f) {
            /* A newline would end the command; other control characters and
             * broken UTF-8 have nothing to show. */
            *p++ = '?';
            u++;
            continue;
        }
        if (*u == '\'')
            *p++ = '\'';
        memcpy(p, u, n);
        p += n;
        u += n;
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

const char *pxs_gnuplot_program(const pxs_config *cfg)
{
    return pxs_conf_get(cfg, "graphics", "gnuplot", "gnuplot");
}

/* --- file name ---------------------------------------------------------- */

static char *types_joined(const pxs_graph_opts *o)
{
    pxs_strlist l;
    char *s;

    pxs_strlist_init(&l);
    for (int i = 0; i < o->ntypes; i++)
        pxs_strlist_add(&l, pxs_graph_type_name(o->types[i]));
    s = pxs_strlist_join(&l, ",");
    pxs_strlist_free(&l);
    return s;
}

/* The product as the seed put it in file names: without spaces, brackets
 * and quotes; '/' and control characters would change the path, so they go
 * too. */
static char *product_for_name(const char *product)
{
    char *out, *p;

    if (is_all(product))
        return xstrdup("All");
    out = p = xmalloc(strlen(product) + 1);
    for (const char *s = product; *s && p - out < 50; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || strchr(" []'\"/", c))
            continue;
        *p++ = (char)c;
    }
    *p = '\0';
    if (*out == '\0' || *out == '.') {
        free(out);
        return xstrdup("All");
    }
    return out;
}

char *pxs_graph_path(const pxs_graph_opts *o, int64_t end)
{
    char date[32];
    char *clients = pxs_strlist_join(o->clients, "-");
    char *types = types_joined(o);
    char *machines = pxs_strlist_join(o->machines, ",");
    char *product = product_for_name(o->product);
    char *file = xasprintf("%s_%.50s_%s_%s_%dhours_on_%s_for%sproducts.png",
                           pxs_filetype_name(o->ft), clients,
                           pxs_strftime(end, "%Y%m%d_%H:%M:%S", date, sizeof date), types,
                           o->span, machines, product);
    clients[strnlen(clients, 50)] = '\0';
    char *path = pxs_graph_file(o->cfg->statsdir, o->ft, clients, file);
    free(file);

    free(clients);
    free(types);
    free(machines);
    free(product);
    return path;
}

/* --- loading ------------------------------------------------------------ */

static void series_own(pxs_graph_series *s, pxs_hour *h)
{
    s->owned = xrealloc(s->owned, (s->nowned + 1) * sizeof *s->owned);
    s->owned[s->nowned++] = h;
}

static void series_free(pxs_graph_series *s)
{
    free(s->client);
    pxs_span_free(&s->span);
    for (size_t i = 0; i < s->nowned; i++) {
        pxs_hour_free(s->owned[i]);
        free(s->owned[i]);
    }
    free(s->owned);
    free(s->hours);
}

/* Frees the n hours at hours, then the array they came in. */
static void free_window(pxs_hour *hours, int n, pxs_hour *array)
{
    for (int i = 0; i < n; i++)
        pxs_hour_free(&hours[i]);
    free(array);
}

/* -n: the hour [hstart, end) of client read from each machine's logs and
 * merged. A machine whose logs cannot be read is warned about and left out:
 * the graph of the complete hours is still worth drawing. Returns the hour
 * (heap, computed) or NULL when no machine gave one. */
static pxs_hour *current_hour(const pxs_graph_opts *o, const char *client, int64_t hstart,
                              int64_t end)
{
    size_t nm = o->machines->n, got = 0, moved = (size_t)-1;
    pxs_hour **win = xcalloc(nm, sizeof *win);
    int *nwin = xcalloc(nm, sizeof *nwin);
    const pxs_hour **src = xcalloc(nm, sizeof *src);
    pxs_hour *h = NULL;
    unsigned all = PXS_T_ALL;

    pxs_types_parse("All", o->ft, &all);
    for (size_t i = 0; i < nm; i++) {
        char *logdir = pxs_machine_logdir(o->cfg->logdir, o->machines->v[i]);
        pxs_update_opts u = {
            .cfg = o->cfg, .machine = o->machines->v[i], .logdir = logdir, .ft = o->ft,
            .types = all, .interval_min = 1, .date = end, .now = true,
        };
        if (pxs_collect_window(&u, client, hstart, end, &win[i], &nwin[i]) != 0) {
            pxs_warnx("current hour of %s on %s left out: %s", client, o->machines->v[i],
                      pxs_error());
            win[i] = NULL;
            nwin[i] = 0;
        } else if (nwin[i] > 0) {
            src[got++] = &win[i][0];
        }
        free(logdir);
    }
    if (got > 0) {
        char *group = pxs_group_name(o->machines);
        h = xcalloc(1, sizeof *h);
        if (got == 1) {
            /* The one hour is moved out of its array (struct copy): the
             * array no longer owns it. */
            for (size_t i = 0; i < nm; i++)
                if (nwin[i] > 0) {
                    *h = win[i][0];
                    moved = i;
                }
        } else if (pxs_merge_hours(src, got, group, h) != 0) {
            pxs_warnx("current hour of %s left out: %s", client, pxs_error());
            free(h);
            h = NULL;
        }
        free(group);
    }
    for (size_t i = 0; i < nm; i++) {
        if (i == moved)
            free_window(win[i] + 1, nwin[i] - 1, win[i]);
        else
            free_window(win[i], nwin[i], win[i]);
    }
    free(win);
    free(nwin);
    free(src);
    return h;
}

static int series_load(const pxs_graph_opts *o, const char *client, int64_t start, int64_t end,
                       pxs_graph_series *s)
{
    int64_t h0 = pxs_hour_floor(start), hend = pxs_hour_floor(end);
    bool filter = !is_all(o->product), partial = end > hend;
    pxs_hour *cur = NULL;

    memset(s, 0, sizeof *s);
    s->client = xstrdup(client);
    if (pxs_span_load(o->cfg->statsdir, client, o->ft, o->machines, h0, hend, &s->span) != 0)
        return -1;
    if (partial && o->now)
        cur = current_hour(o, client, hend, end);
    s->nhours = s->span.nhours + (partial ? 1 : 0);
    s->hours = xcalloc((size_t)s->nhours + 1, sizeof *s->hours);
    for (int i = 0; i < s->span.nhours; i++)
        s->hours[i] = s->span.hours[i];
    if (cur) {
        series_own(s, cur);
        s->hours[s->span.nhours] = cur;
    }
    for (int i = 0; i < s->nhours; i++) {
        if (s->hours[i] == NULL) {
            s->missing++;
        } else if (filter) {
            pxs_hour *f = xcalloc(1, sizeof *f);
            pxs_hour_filter(s->hours[i], o->product, f);
            series_own(s, f);
            s->hours[i] = f;
        }
    }
    return 0;
}

static double bucket_value(const pxs_bucket *b, unsigned type)
{
    switch (type) {
    case PXS_T_LATENCY:
        return b->nb_files ? b->latency.mean : 0.0;
    case PXS_T_BYTECOUNT:
        return b->bytecount.total;
    default:
        return (double)b->errors;
    }
}

/* Keeps the row of the largest value; the first one wins a tie, as the seed. */
static void note_extreme(pxs_panel *p, const pxs_hour *h, const pxs_bucket *b)
{
    const pxs_valstats *v = p->type == PXS_T_LATENCY ? &b->latency : &b->bytecount;

    if (p->type == PXS_T_ERRORS) {
        if (b->errors > 0 && (!p->has_extreme || (double)b->errors > p->extreme)) {
            p->has_extreme = true;
            p->extreme = (double)b->errors;
            p->extreme_time = b->start;
            p->extreme_file = NULL;
        }
        return;
    }
    if (b->nb_files == 0 || v->max_row < 0 || (size_t)v->max_row >= h->nrows)
        return;
    if (!p->has_extreme || v->max > p->extreme) {
        const pxs_row *r = &h->rows[v->max_row];
        p->has_extreme = true;
        p->extreme = v->max;
        p->extreme_time = r->time;
        p->extreme_file = pxs_hour_product(h, r);
    }
}

static bool in_window(const pxs_hour *h, const pxs_bucket *b, int64_t start, int64_t end)
{
    return b->start + h->interval > start && b->start < end;
}

/* The latencies of the files of a bucket, for the panel's percentile. */
static void add_latencies(pxs_values *vals, const pxs_hour *h, const pxs_bucket *b)
{
    for (size_t i = b->first_row; i < b->first_row + b->nrows; i++)
        if (!h->rows[i].error)
            pxs_values_add(vals, h->rows[i].latency);
}

void pxs_panel_compute(const pxs_graph_series *s, unsigned type, int64_t start, int64_t end,
                       int max_latency, pxs_panel *p)
{
    size_t n = 0;
    double sum = 0;
    bool first = true;
    pxs_values lat = {0};
    static const unsigned p95[] = {95};

    memset(p, 0, sizeof *p);
    p->type = type;
    p->max_latency = max_latency;
    p->interval = PXS_MINUTE;
    for (int i = 0; i < s->nhours; i++)
        for (int j = 0; s->hours[i] && j < s->hours[i]->nbuckets; j++)
            n += in_window(s->hours[i], &s->hours[i]->buckets[j], start, end);
    p->x = xcalloc(n + 1, sizeof *p->x);
    p->y = xcalloc(n + 1, sizeof *p->y);
    for (int i = 0; i < s->nhours; i++) {
        const pxs_hour *h = s->hours[i];
        if (h == NULL)
            continue;
        if (first) {
            /* The threshold and width the hours were collected with. */
            p->max_latency = h->max_latency;
            p->interval = h->interval;
            first = false;
        }
        for (int j = 0; j < h->nbuckets; j++) {
            const pxs_bucket *b = &h->buckets[j];
            double v;
            if (!in_window(h, b, start, end))
                continue;
            v = bucket_value(b, type);
            p->x[p->npoints] = b->start;
            p->y[p->npoints] = v;
            if (p->npoints == 0 || v > p->max)
                p->max = v;
            if (p->npoints == 0 || v < p->min)
                p->min = v;
            p->npoints++;
            sum += v;
            p->nb_files += b->nb_files;
            p->files_over += b->files_over_max_latency;
            p->nb_errors += b->errors;
            p->total_bytes += b->bytecount.total;
            note_extreme(p, h, b);
            if (type == PXS_T_LATENCY && (h->types & PXS_T_LATENCY))
                add_latencies(&lat, h, b);
        }
    }
    p->mean = p->npoints ? sum / (double)p->npoints : 0.0;
    p->has_p95 = pxs_values_percentiles(&lat, p95, 1, &p->p95) == 0;
    pxs_values_free(&lat);
}

void pxs_panel_free(pxs_panel *p)
{
    free(p->x);
    free(p->y);
    p->x = NULL;
    p->y = NULL;
}

void pxs_graph_free(pxs_graph *g)
{
    for (size_t i = 0; i < g->npanels; i++)
        pxs_panel_free(&g->panels[i]);
    free(g->panels);
    for (size_t i = 0; i < g->nseries; i++)
        series_free(&g->series[i]);
    free(g->series);
    memset(g, 0, sizeof *g);
}

int pxs_graph_load(const pxs_graph_opts *o, pxs_graph *g)
{
    bool any = false;

    memset(g, 0, sizeof *g);
    g->o = o;
    if (o->span < 1 || o->ntypes < 1 || o->clients->n == 0 || o->machines->n == 0) {
        pxs_set_error("a graph needs a span of at least one hour, a type, a client and a machine");
        return -1;
    }
    g->end = o->now ? o->date : pxs_hour_floor(o->date);
    g->start = g->end - (int64_t)o->span * PXS_HOUR;
    g->series = xcalloc(o->clients->n, sizeof *g->series);
    for (size_t i = 0; i < o->clients->n; i++) {
        pxs_graph_series *s = &g->series[i];
        if (series_load(o, o->clients->v[i], g->start, g->end, s) != 0) {
            g->nseries = i + 1;
            pxs_graph_free(g);
            return -1;
        }
        g->nseries = i + 1;
        any = any || s->missing < s->nhours;
    }
    g->no_data = !any;
    if (g->no_data)
        return 0;
    g->npanels = g->nseries * (size_t)o->ntypes;
    g->panels = xcalloc(g->npanels, sizeof *g->panels);
    for (size_t i = 0; i < g->nseries; i++)
        for (int t = 0; t < o->ntypes; t++) {
            pxs_panel *p = &g->panels[i * (size_t)o->ntypes + (size_t)t];
            pxs_panel_compute(&g->series[i], o->types[t], g->start, g->end, o->cfg->max_latency, p);
            p->series = i;
        }
    return 0;
}

/* --- the script --------------------------------------------------------- */

/* Integral values print without a fraction, so that totals read as counts. */
static void put_number(FILE *f, double v)
{
    if (v == (double)(int64_t)v && v > -1e15 && v < 1e15)
        fprintf(f, "%lld", (long long)v);
    else
        fprintf(f, "%.17g", v);
}

/* s as a gnuplot string constant: the only way text from outside enters the
 * script. */
static void put_string(FILE *f, const char *s)
{
    char *q = pxs_gnuplot_quote(s);
    fputs(q, f);
    free(q);
}

/* Total bytes with the seed's scale (powers of 1000). */
static char *bytes_text(double b)
{
    if (b < 1000)
        return xasprintf("%lld Bytes", (long long)b);
    if (b < 1000000)
        return xasprintf("%.2f KiloBytes", b / 1000.0);
    if (b < 1000000000)
        return xasprintf("%.2f MegaBytes", b / 1000000.0);
    return xasprintf("%.2f GigaBytes", b / 1000000000.0);
}

static char *value_text(double v, unsigned type)
{
    return type == PXS_T_LATENCY ? xasprintf("%.2f", v) : xasprintf("%lld", (long long)v);
}

typedef struct labels {
    FILE *f;
    size_t slot, nslots;   /* panel position from the bottom, and the panel count */
    int line;
} labels;

/* A label longer than this many bytes runs far past the image: it is cut
 * (at a character boundary) and ends with "...". */
#define LABEL_MAX 200
static void cut_label(char *text)
{
    size_t n = strlen(text);

    if (n <= LABEL_MAX)
        return;
    n = LABEL_MAX - 3;
    while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
        n--;
    memcpy(text + n, "...", 4);
}

/* One side label: the next line down the panel's label column. */
static void label(labels *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void label(labels *l, const char *fmt, ...)
{
    va_list ap;
    char *text;
    double y = (.28 - .02 * l->line + .40 * (double)l->slot) / (.40 * (double)l->nslots);

    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        pxs_diex(PXS_EXIT_FAIL, "out of memory");
    va_end(ap);
    cut_label(text);
    fputs("set label ", l->f);
    put_string(l->f, text);
    fprintf(l->f, " at screen .545, screen %.4f\n", y);
    free(text);
    l->line++;
}

/* A long file name goes on a line of its own, as the seed did; the seed's
 * limits (50 and 65 characters of name) suited its font, here a line of
 * the label column holds about LABEL_WIDTH characters. */
#define LABEL_WIDTH 64
static void label_file(labels *l, const char *what, const char *file)
{
    if (strlen(what) + strlen(file) <= LABEL_WIDTH) {
        label(l, "%s%s", what, file);
    } else {
        label(l, "%s", what);
        label(l, "%s", file);
    }
}

static void panel_labels(labels *l, const pxs_graph *g, const pxs_panel *p, const char *machines)
{
    char t[PXS_ISO_SIZE];
    const char *when = p->has_extreme ? pxs_format_iso(p->extreme_time, t) : "none";
    const pxs_graph_series *s = &g->series[p->series];
    char *ext = p->has_extreme ? value_text(p->extreme, PXS_T_BYTECOUNT) : xstrdup("none");

    label(l, "%s : %s", g->o->ft == PXS_TX ? "Client" : "Source", s->client);
    label(l, "Machines : %s", machines);
    label(l, "Product Type : %s", is_all(g->o->product) ? "All" : g->o->product);
    if (p->type == PXS_T_LATENCY) {
        label(l, "Max. lat. : %s (Seconds)", ext);
        if (p->has_p95)
            label(l, "95th percentile lat. : %lld (Seconds)", (long long)p->p95);
        else
            label(l, "95th percentile lat. : none");
        label(l, "Time of max. lat. : %s", when);
        label_file(l, "File with max. lat. :", p->has_extreme ? p->extreme_file : "none");
        label(l, "# of files(total) : %llu", (unsigned long long)p->nb_files);
        label(l, "# of files over %d seconds: %llu", p->max_latency,
              (unsigned long long)p->files_over);
        label(l, "%% of files over %d seconds: %.2f %%", p->max_latency,
              p->nb_files ? 100.0 * (double)p->files_over / (double)p->nb_files : 0.0);
    } else if (p->type == PXS_T_BYTECOUNT) {
        char *total = bytes_text(p->total_bytes);
        label_file(l, "Largest file : ", p->has_extreme ? p->extreme_file : "none");
        label(l, "Size of largest file : %s (Bytes)", ext);
        label(l, "Time of largest file : %s", when);
        label(l, "# of files : %llu", (unsigned long long)p->nb_files);
        label(l, "Total # of bytes: %s", total);
        free(total);
    } else {
        if (p->interval == PXS_MINUTE)
            label(l, "Max error/minute : %s", ext);
        else
            label(l, "Max error/%d minutes : %s", p->interval / PXS_MINUTE, ext);
        label(l, "Time of max. : %s", when);
        label(l, "# of errors : %llu", (unsigned long long)p->nb_errors);
    }
    if (s->missing > 0)
        label(l, "Hours without data : %d of %d", s->missing, s->nhours);
    free(ext);
}

/* The title: two lines of text joined by gnuplot's "\n\n" (a constant of
 * ours, in double quotes); the text itself goes in single quotes. */
static void panel_title(FILE *f, const pxs_graph *g, const pxs_panel *p, const char *end)
{
    const pxs_graph_series *s = &g->series[p->series];
    char *max = value_text(p->max, p->type), *min = value_text(p->min, p->type);
    char *head = xasprintf("%s for %s for a span of %d hours ending at %s",
                           type_info[type_index(p->type)].title, s->client, g->o->span, end);
    char *foot = s->missing == s->nhours
                     ? xstrdup("NO DATA")
                     : xasprintf("MAX: %s  MEAN: %3.2f MIN: %s", max, p->mean, min);

    fputs("set title ", f);
    put_string(f, head);
    fputs(" . \"\\n\\n\" . ", f);
    put_string(f, foot);
    fputc('\n', f);
    free(head);
    free(foot);
    free(max);
    free(min);
}

static void put_panel_data(FILE *f, const pxs_graph *g, size_t k)
{
    const pxs_panel *p = &g->panels[k];

    fprintf(f, "# panel %zu: client=%s type=%s points=%zu max=", k, g->series[p->series].client,
            pxs_graph_type_name(p->type), p->npoints);
    put_number(f, p->max);
    fputs(" mean=", f);
    put_number(f, p->mean);
    fputs(" min=", f);
    put_number(f, p->min);
    if (p->type == PXS_T_LATENCY && p->has_p95)
        fprintf(f, " p95=%lld", (long long)p->p95);
    fprintf(f, " files=%llu over=%llu errors=%llu bytes=", (unsigned long long)p->nb_files,
            (unsigned long long)p->files_over, (unsigned long long)p->nb_errors);
    put_number(f, p->total_bytes);
    fprintf(f, "\n$p%zu << EOD\n", k);
    for (size_t i = 0; i < p->npoints; i++) {
        fprintf(f, "%lld ", (long long)p->x[i]);
        put_number(f, p->y[i]);
        fputc('\n', f);
    }
    fputs("EOD\n", f);
}

/* A tick at every hour; past two days only every step-th is labelled, so
 * that the labels stay readable. */
static void put_xtics(FILE *f, const pxs_graph *g)
{
    const char *sep = "";
    int step = 1 + (g->o->span - 1) / 48;
    int64_t n = 0;

    fputs("set xtics (", f);
    for (int64_t t = pxs_hour_floor(g->start); t <= g->end; t += PXS_HOUR) {
        char hh[8] = "";
        if (t < g->start)
            continue;
        if (n++ % step == 0)
            pxs_strftime(t, "%H", hh, sizeof hh);
        fprintf(f, "%s\"%s\" %lld", sep, hh, (long long)t);
        sep = ", ";
    }
    fputs(")\n", f);
}

static void put_no_data(FILE *f, const pxs_graph *g, const char *clients, const char *machines,
                        const char *end)
{
    fprintf(f, "set terminal png noenhanced size %d,%d\n", PXS_GRAPH_WIDTH,
            PXS_GRAPH_PANEL_HEIGHT);
    char *title = xasprintf("No data for %s (%s) on %s for a span of %d hours ending at %s",
                            clients, pxs_filetype_name(g->o->ft), machines, g->o->span, end);

    fputs("set title ", f);
    put_string(f, title);
    fputc('\n', f);
    free(title);
    fputs("unset border\nunset xtics\nunset ytics\nset xrange [0:1]\nset yrange [0:1]\n"
          "plot NaN notitle\n", f);
}

static void put_panel(FILE *f, const pxs_graph *g, size_t k, const char *machines,
                      const char *end)
{
    const pxs_panel *p = &g->panels[k];
    labels l = {f, k, g->npanels, 0};

    fprintf(f, "# draw panel %zu\n", k);
    /* The seed's slot is .40 high with a .37 plot: scaled to 1/npanels. */
    fprintf(f, "set size .545, %.4f\n", .37 / .40 / (double)g->npanels);
    fprintf(f, "set origin 0, %.4f\n", (double)k / (double)g->npanels);
    panel_title(f, g, p, end);
    fprintf(f, "set ylabel \"%s\"\n", type_info[type_index(p->type)].ylabel);
    fprintf(f, "set format y \"%s\"\n", p->max < 5 ? "%7.2f" : "%7.0f");
    if (p->max > 0)
        fputs("set yrange [0:*]\n", f);
    else
        fputs("set yrange [0:1]\n", f);
    panel_labels(&l, g, p, machines);
    if (p->npoints > 0)
        fprintf(f, "plot $p%zu using 1:2 with impulses lc rgb \"%s\" notitle\n", k,
                type_info[type_index(p->type)].colour);
    else
        fputs("plot NaN notitle\n", f);
    fputs("unset label\n", f);
}

char *pxs_graph_script(const pxs_graph *g, size_t *len)
{
    char *buf = NULL, endbuf[PXS_ISO_SIZE];
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    /* Client and machine names are validated (names.h): letters, digits,
     * '.', '_' and '-' may stand bare in the comments. Everything else from
     * outside (the product, and these names in labels) is quoted. */
    char *clients = pxs_strlist_join(g->o->clients, "-");
    char *machines = pxs_strlist_join(g->o->machines, ", ");
    const char *end = pxs_format_iso(g->end, endbuf);

    if (f == NULL)
        pxs_diex(PXS_EXIT_FAIL, "out of memory");
    fprintf(f, "# pxstats graphGen: %s %s on %s, window %lld..%lld (%s), product ", clients,
            pxs_filetype_name(g->o->ft), machines, (long long)g->start, (long long)g->end, end);
    put_string(f, is_all(g->o->product) ? "All" : g->o->product);
    fprintf(f, ", %zu panels\n", g->npanels);
    if (g->no_data) {
        put_no_data(f, g, clients, machines, end);
    } else {
        for (size_t k = 0; k < g->npanels; k++)
            put_panel_data(f, g, k);
        fprintf(f, "set terminal png noenhanced size %d,%zu\n", PXS_GRAPH_WIDTH,
                (size_t)PXS_GRAPH_PANEL_HEIGHT * g->npanels);
        fputs("set multiplot\nset grid\nset style data impulses\nset xlabel \"time (hours)\"\n",
              f);
        fprintf(f, "set xrange [%lld:%lld]\n", (long long)g->start, (long long)g->end);
        put_xtics(f, g);
        fputs("set format y \"%10.0f\"\n", f);
        for (size_t k = 0; k < g->npanels; k++)
            put_panel(f, g, k, machines, end);
        fputs("unset multiplot\n", f);
    }
    free(clients);
    free(machines);
    if (fclose(f) != 0)
        pxs_diex(PXS_EXIT_FAIL, "out of memory");
    *len = size;
    return buf;
}

/* --- running gnuplot ---------------------------------------------------- */

/* The last non-blank line of gnuplot's messages: its error; the lines
 * before it repeat the failing command. Fresh string. */
static char *last_line(const char *text)
{
    const char *end, *start;

    if (text == NULL)
        return xstrdup("");
    end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    start = end;
    while (start > text && start[-1] != '\n')
        start--;
    return xstrndup(start, (size_t)(end - start));
}

int pxs_gnuplot_run(const char *gnuplot, const char *script, size_t len, const char *png)
{
    char *argv[] = {(char *)gnuplot, NULL};
    char *out = NULL, *err = NULL;
    size_t olen = 0, elen = 0;
    pxs_spawn_opts so = {
        .stdin_data = script, .stdin_len = len, .stdout_buf = &out, .stdout_len = &olen,
        .stderr_buf = &err, .stderr_len = &elen, .timeout = GNUPLOT_TIMEOUT,
    };
    int st = pxs_spawn(argv, &so), rc = -1;

    if (st < 0) {
        char *why = xstrdup(pxs_error());
        if (strstr(why, "cannot run"))
            pxs_set_error("%s (gnuplot is set by [graphics] gnuplot in the config)", why);
        else
            pxs_set_error("%s", why);
        free(why);
    } else if (st != 0) {
        char *why = last_line(err);
        pxs_set_error("%s failed (exit status %d)%s%s", gnuplot, st, *why ? ": " : "", why);
        free(why);
    } else if (olen < 8 || memcmp(out, "\x89PNG", 4) != 0) {
        char *why = last_line(err);
        pxs_set_error("%s wrote no PNG for %s%s%s", gnuplot, png, *why ? ": " : "", why);
        free(why);
    } else {
        rc = pxs_atomic_write(png, out, olen);
    }
    free(out);
    free(err);
    return rc;
}

/* The -l copy: webGraphics/columbo/<ft>/<clients>.png, stamped with the
 * span it covers (pngspan.h), so that the pages and the uploads can tell an
 * image drawn this hour from one left by an earlier hour. */
static int columbo_copy(const pxs_graph_opts *o, const pxs_graph *g, const char *png)
{
    size_t len;
    unsigned char *img = (unsigned char *)pxs_read_file(png, &len);
    if (img == NULL) {
        pxs_set_error_errno("%s", png);
        return -1;
    }
    char *clients = pxs_strlist_join(o->clients, "-");
    char *rel = pxs_columbo_rel(o->ft, clients);
    char *dst = pxs_stats_file(o->cfg->statsdir, rel);
    int rc = pxs_png_write_span(dst, img, len, g->start, g->end);
    free(dst);
    free(rel);
    free(clients);
    free(img);
    return rc;
}

int pxs_graph_make(const pxs_graph_opts *o, FILE *script_out, bool link, char **png_out)
{
    pxs_graph g;
    size_t len;
    char *script, *path = NULL;
    int rc = 0;

    if (png_out)
        *png_out = NULL;
    if (pxs_graph_load(o, &g) != 0)
        return -1;
    script = pxs_graph_script(&g, &len);
    if (script_out) {
        if (fwrite(script, 1, len, script_out) != len || fflush(script_out) != 0) {
            pxs_set_error_errno("cannot write the gnuplot script");
            rc = -1;
        }
    } else {
        path = pxs_graph_path(o, g.end);
        rc = pxs_gnuplot_run(pxs_gnuplot_program(o->cfg), script, len, path);
        if (rc == 0 && link)
            rc = columbo_copy(o, &g, path);
    }
    /* A snapshot refused (damaged, a link, a FIFO: each named as it was met)
     * leaves its hour out of the graph, which is still drawn; the run fails. */
    uint64_t refused = 0;
    for (size_t i = 0; i < g.nseries; i++)
        refused += g.series[i].span.unreadable;
    if (rc == 0 && refused > 0) {
        pxs_set_error("%llu snapshot%s refused (named above): drawn without %s",
                      (unsigned long long)refused, refused == 1 ? "" : "s",
                      refused == 1 ? "it" : "them");
        rc = -1;
    }
    if (rc == 0 && png_out)
        *png_out = path;
    else
        free(path);
    free(script);
    pxs_graph_free(&g);
    return rc;
}
