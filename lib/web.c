/* web — the static pages of the stats tree. See web.h. */
#include "pxstats/web.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pxstats/atomicfile.h"
#include "pxstats/clients.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pngspan.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/websummary.h"
#include "pxstats/xalloc.h"

static const char *const period_names[] = {"daily", "weekly", "monthly", "yearly", "index"};
static const char *const period_pages[] = {"dailyGraphs.html", "weeklyGraphs.html",
                                           "monthlyGraphs.html", "yearlyGraphs.html",
                                           "index.html"};
static const char *const period_titles[] = {"Daily", "Weekly", "Monthly", "Yearly", "Index"};
static const int period_counts[] = {7, 5, 3, 3, 0};

static const char *const tx_types[] = {"latency", "filesOverMaxLatency", "bytecount", "filecount",
                                       "errors"};
static const char *const tx_titles[] = {"Latency", "Files Over Maximum Latency", "Bytecount",
                                        "Filecount", "Errors"};

const char *pxs_period_name(pxs_period p) { return period_names[p]; }
const char *pxs_period_page(pxs_period p) { return period_pages[p]; }
int pxs_period_count(pxs_period p) { return period_counts[p]; }

int64_t pxs_web_ref_time(int64_t now) { return pxs_hour_floor(now) - 1; }

int pxs_web_types(int tx, const char *const **types, const char *const **titles)
{
    /* rx columns are the tx ones without the two latency types. */
    *types = tx ? tx_types : tx_types + 2;
    *titles = tx ? tx_titles : tx_titles + 2;
    return tx ? 5 : 3;
}

static void civil(int64_t t, int *y, int *m)
{
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
}

int64_t pxs_period_back(pxs_period p, int64_t ref, int k)
{
    int y, m;
    switch (p) {
    case PXS_DAILY:
        return ref - (int64_t)k * PXS_DAY;
    case PXS_WEEKLY:
        return ref - (int64_t)k * 7 * PXS_DAY;
    case PXS_MONTHLY:
        civil(ref, &y, &m);
        m -= k;
        while (m < 1) {
            m += 12;
            y--;
        }
        /* Noon of the 1st: inside the month whatever the rounding. */
        return pxs_days_from_civil(y, (unsigned)m, 1) * PXS_DAY + PXS_DAY / 2;
    default:
        civil(ref, &y, &m);
        return pxs_days_from_civil(y - k, 1, 1) * PXS_DAY + PXS_DAY / 2;
    }
}

void pxs_period_bounds(pxs_period p, int64_t t, int64_t *start, int64_t *end)
{
    int64_t day = pxs_day_floor(t);
    int y, m;
    switch (p) {
    case PXS_DAILY:
        *start = day;
        *end = day + PXS_DAY;
        return;
    case PXS_WEEKLY: {
        /* 1970-01-01 was a Thursday: day number d is weekday (d + 3) mod 7
         * counted from Monday. */
        int64_t d = day / PXS_DAY, from_monday = ((d + 3) % 7 + 7) % 7;
        *start = day - from_monday * PXS_DAY;
        *end = *start + 7 * PXS_DAY;
        return;
    }
    case PXS_MONTHLY:
        civil(t, &y, &m);
        *start = pxs_days_from_civil(y, (unsigned)m, 1) * PXS_DAY;
        *end = pxs_days_from_civil(m == 12 ? y + 1 : y, (unsigned)(m == 12 ? 1 : m + 1), 1) * PXS_DAY;
        return;
    default:
        civil(t, &y, &m);
        *start = pxs_days_from_civil(y, 1, 1) * PXS_DAY;
        *end = pxs_days_from_civil(y + 1, 1, 1) * PXS_DAY;
        return;
    }
}

/* Formats the start of the period holding t: a week is named by its Monday
 * (%W of the Monday), so that a week across New Year has one name. */
static char *period_format(pxs_period p, int64_t t, const char *fmt, char *buf, size_t size)
{
    int64_t start, end;
    pxs_period_bounds(p, t, &start, &end);
    return pxs_strftime(start, fmt, buf, size);
}

char *pxs_period_label(pxs_period p, int64_t t, char *buf, size_t size)
{
    static const char *const fmts[] = {"%a", "%W", "%b", "%Y"};
    return period_format(p, t, fmts[p], buf, size);
}

/* What a reader sees for a period: the label plus enough context to tell
 * this week 47 or this Monday from another one. */
static char *period_display(pxs_period p, int64_t t, char *buf, size_t size)
{
    static const char *const fmts[] = {"%a %d %b", "week %W", "%b %Y", "%Y"};
    return period_format(p, t, fmts[p], buf, size);
}

char *pxs_html_escape(const char *s)
{
    size_t n = 1;
    for (const char *c = s; *c; c++)
        n += strchr("&<>\"'", *c) ? 6 : 1;
    char *out = xmalloc(n), *o = out;
    for (; *s; s++) {
        const char *rep = NULL;
        unsigned char u = (unsigned char)*s;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            /* Control characters are not text (HTML forbids most of them):
             * only tab, newline and carriage return pass. */
            *o++ = (u < 0x20 && u != '\t' && u != '\n' && u != '\r') || u == 0x7f ? '?' : *s;
            continue;
        }
        size_t l = strlen(rep);
        memcpy(o, rep, l);
        o += l;
    }
    *o = '\0';
    return out;
}

char *pxs_url_segment(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c)) {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    return out;
}

void pxs_web_names_init(pxs_web_names *n)
{
    pxs_strlist_init(&n->rx);
    pxs_strlist_init(&n->tx);
    pxs_strlist_init(&n->groups);
}

void pxs_web_names_free(pxs_web_names *n)
{
    pxs_strlist_free(&n->rx);
    pxs_strlist_free(&n->tx);
    pxs_strlist_free(&n->groups);
}

char *pxs_web_row_id(int tx, const char *name)
{
    char *seg = pxs_url_segment(name);
    char *id = xasprintf("%s-%s", tx ? "tx" : "rx", seg);
    free(seg);
    return id;
}

/* A directory, not a link to one (safefs.h). */
static int is_dir(const char *path)
{
    struct stat st;
    return pxs_path_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Sets *tx / *rx when some snapshot day of the client has that folder. */
static void pickle_filetypes(const char *statsdir, const char *client, int *tx, int *rx)
{
    char *dir = xasprintf("%s/pickles/%s", statsdir, client);
    pxs_dirlist l;
    pxs_dir_read(dir, &l);
    for (size_t i = 0; i < l.n && !(*tx && *rx); i++) {
        if (l.e[i].name[0] == '.' || !S_ISDIR(l.e[i].type))
            continue;
        char *p = xasprintf("%s/%s/tx", dir, l.e[i].name);
        *tx |= is_dir(p);
        free(p);
        p = xasprintf("%s/%s/rx", dir, l.e[i].name);
        *rx |= is_dir(p);
        free(p);
    }
    pxs_dir_free(&l);
    free(dir);
}

/* Adds the valid entry names of dir (".png" stripped when strip_png) to out:
 * the directories of a name, or its images when strip_png. */
static void list_names(const char *dir, int strip_png, pxs_strlist *out)
{
    pxs_dirlist dl;
    if (pxs_dir_read(dir, &dl) != 0)
        pxs_warnx("%s", pxs_error());
    for (size_t i = 0; i < dl.n; i++) {
        const pxs_dirent *e = &dl.e[i];
        if (e->name[0] == '.')
            continue;
        char *name = xstrdup(e->name);
        size_t l = strlen(name);
        if (strip_png) {
            if (l <= 4 || strcmp(name + l - 4, ".png") != 0) {
                free(name);
                continue;
            }
            name[l - 4] = '\0';
        }
        if (strip_png ? !S_ISREG(e->type) : !S_ISDIR(e->type)) {
            pxs_warnx("%s/%s: skipped: %s", dir, e->name, pxs_mode_name(e->type));
            free(name);
            continue;
        }
        if (pxs_name_valid(name))
            pxs_strlist_add_unique(out, name);
        else
            pxs_warnx("%s/%s: skipped: not a valid client name", dir, e->name);
        free(name);
    }
    pxs_dir_free(&dl);
}

/* The names of the webGraphics tree of one file type (its own directory
 * level: a tx client and an rx source of one name are told apart). */
static void webgraphics_names(const char *statsdir, pxs_filetype ft, pxs_strlist *out)
{
    const char *const *types, *const *titles;
    int nt = pxs_web_types(ft == PXS_TX, &types, &titles);
    char *sub = xasprintf("daily/%s", pxs_filetype_name(ft));
    char *dir = pxs_webgraphics_dir(statsdir, sub);
    list_names(dir, 0, out);
    free(dir);
    free(sub);
    dir = pxs_columbo_dir(statsdir, ft);
    list_names(dir, 1, out);
    free(dir);
    for (int p = PXS_WEEKLY; p <= PXS_YEARLY; p++) {
        for (int t = 0; t < nt; t++) {
            sub = xasprintf("%s/%s/%s", period_names[p], pxs_filetype_name(ft), types[t]);
            dir = pxs_webgraphics_dir(statsdir, sub);
            list_names(dir, 0, out);
            free(dir);
            free(sub);
        }
    }
}

int pxs_web_names_load(const char *statsdir, pxs_web_names *n)
{
    pxs_strlist pick;
    pxs_strlist_init(&pick);
    char *dir = xasprintf("%s/pickles", statsdir);
    int rc = 0;
    if (is_dir(dir) && pxs_clients_from_pickles(statsdir, &pick) < 0)
        rc = -1;
    free(dir);
    webgraphics_names(statsdir, PXS_TX, &n->tx);
    webgraphics_names(statsdir, PXS_RX, &n->rx);
    for (size_t i = 0; i < pick.n; i++) {
        int tx = 0, rx = 0;
        pickle_filetypes(statsdir, pick.v[i], &tx, &rx);
        if (tx)
            pxs_strlist_add_unique(&n->tx, pick.v[i]);
        if (rx)
            pxs_strlist_add_unique(&n->rx, pick.v[i]);
    }
    pxs_strlist_sort(&n->tx);
    pxs_strlist_sort(&n->rx);
    pxs_strlist_free(&pick);
    return rc;
}

/* True when the image file rel (under statsdir) was drawn for the period
 * of p holding t: a day's image is a graph ending within that day; a week's,
 * month's or year's covers exactly that period (pngspan.h). Any other image
 * under that name (last week's Saturday, last year's week 48, an image
 * without a span) is not shown. */
static int image_drawn_for(const char *statsdir, const char *rel, pxs_period p, int64_t t)
{
    int64_t ps, pe, s, e;
    char *path = pxs_stats_file(statsdir, rel);
    int rc = pxs_png_file_span(path, &s, &e);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    free(path);
    if (rc != 1)
        return 0;
    pxs_period_bounds(p, t, &ps, &pe);
    if (p == PXS_DAILY)
        return e - 1 >= ps && e - 1 < pe;
    return s == ps && e == pe;
}

/* webGraphics/<period>/<ft>[/<type>]/<name>/<label>.png of the period
 * holding t: the file (raw name) and, when url is set, the link (name
 * percent-encoded). */
static char *image_rel(pxs_period p, pxs_filetype ft, const char *type, const char *name,
                       int64_t t, int url)
{
    char label[32];
    pxs_period_label(p, t, label, sizeof label);
    char *seg = url ? pxs_url_segment(name) : xstrdup(name);
    char *rel = pxs_webimage_rel(period_names[p], ft, type, seg, label);
    free(seg);
    return rel;
}

/* The link of the image of the period holding t when it was drawn for that
 * period, else NULL. */
static char *image_link(const char *statsdir, pxs_period p, pxs_filetype ft, const char *type,
                        const char *name, int64_t t)
{
    char *file = image_rel(p, ft, type, name, t, 0);
    int ok = image_drawn_for(statsdir, file, p, t);
    free(file);
    return ok ? image_rel(p, ft, type, name, t, 1) : NULL;
}

/* One period of one name: a link when its image was drawn for it, else a
 * grey label saying the image is missing. Returns 1 when linked. */
static int put_period(FILE *fp, const char *statsdir, pxs_period p, pxs_filetype ft,
                      const char *type, const char *name, int64_t t)
{
    char shown[64];
    period_display(p, t, shown, sizeof shown);
    char *rel = image_link(statsdir, p, ft, type, name, t);
    int ok = rel != NULL;
    if (ok)
        fprintf(fp, "<a href=\"../%s\">%s</a>", rel, shown);
    else
        fprintf(fp, "<span class=\"missing\" title=\"no image drawn for this date\">%s</span>",
                shown);
    free(rel);
    return ok;
}

void pxs_web_head(FILE *fp, const char *title, int64_t now)
{
    char iso[PXS_ISO_SIZE];
    fprintf(fp,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>PX Graphics: %s</title>\n<style>\n"
            "body { background: #CCCCCC; font-family: sans-serif; }\n"
            "table { width: 100%%; border-collapse: separate; border-spacing: 5px; }\n"
            "th { background: #006699; color: white; padding: 5px; }\n"
            "td { padding: 5px; border: 1px solid #888; }\n"
            "td.name { background: #99FF99; font-weight: bold; white-space: nowrap; }\n"
            "td.links { background: #66CCFF; }\n"
            /* each label whole, the cell wrapping between them: five columns
             * of five weeks must fit a laptop's width */
            "td.links a, td.links span { margin-right: 0.8em; white-space: nowrap;"
            " display: inline-block; }\n"
            ".missing { color: #555; text-decoration: line-through; }\n"
            "img.latest { width: 320px; height: auto; display: block; }\n"
            "nav a { margin-right: 1em; }\n"
            /* the summary and status tables: numbers to the right, a row
             * green when all is well, red when not */
            "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
            "tr.ok td { background: #99FF99; }\n"
            "tr.bad td { background: #FF9999; }\n"
            "</style>\n</head>\n<body>\n<nav>",
            title ? title : "Index");
    for (int k = 0; k <= PXS_NPERIODS; k++) {
        int i = (k + PXS_NPERIODS) % (PXS_NPERIODS + 1);  /* the index first */
        fprintf(fp, "<a href=\"%s\">%s</a>", period_pages[i], period_titles[i]);
    }
    fprintf(fp, "<a href=\"status.html\">Status</a>");
    fprintf(fp, "</nav>\n<h1>PX graphics%s%s</h1>\n<p>Generated for %s UTC.</p>\n",
            title ? ": " : "", title ? title : "", pxs_format_iso(now, iso));
}

static void put_head(FILE *fp, pxs_period p, int64_t now)
{
    pxs_web_head(fp, p == PXS_NPERIODS ? NULL : period_titles[p], now);
}

static void put_daily_row(FILE *fp, const char *statsdir, pxs_filetype ft, const char *name,
                          int64_t ref)
{
    fputs("<td class=\"links\">Days : ", fp);
    for (int k = period_counts[PXS_DAILY] - 1; k >= 0; k--)
        put_period(fp, statsdir, PXS_DAILY, ft, NULL, name, pxs_period_back(PXS_DAILY, ref, k));
    fputs("</td>\n<td class=\"links\">", fp);
    char *rel = image_link(statsdir, PXS_DAILY, ft, NULL, name, ref);
    if (rel) {
        char *alt = pxs_html_escape(name);
        fprintf(fp, "<a href=\"../%s\"><img class=\"latest\" src=\"../%s\" alt=\"24 hours of %s\"></a>",
                rel, rel, alt);
        free(alt);
    } else {
        fputs("<span class=\"missing\">no graph drawn for this day</span>", fp);
    }
    free(rel);
    fputs("</td>", fp);
}

static void put_section(FILE *fp, const char *statsdir, pxs_period p, int tx, int64_t ref,
                        const pxs_strlist *names)
{
    pxs_filetype ft = tx ? PXS_TX : PXS_RX;
    const char *const *types, *const *titles;
    int nt = pxs_web_types(tx, &types, &titles);
    fprintf(fp, "<h2>%s graphics for %s from MetPX</h2>\n", period_titles[p],
            tx ? "TX clients" : "RX sources");
    if (names->n == 0) {
        fprintf(fp, "<p>No %s.</p>\n", tx ? "TX client" : "RX source");
        return;
    }
    fprintf(fp, "<table>\n<thead><tr><th scope=\"col\">%s</th>", tx ? "Client" : "Source");
    if (p == PXS_DAILY) {
        fputs("<th scope=\"col\">Days (24 h graphs)</th><th scope=\"col\">Latest</th>", fp);
    } else {
        for (int t = 0; t < nt; t++)
            fprintf(fp, "<th scope=\"col\">%s</th>", titles[t]);
    }
    fputs("</tr></thead>\n<tbody>\n", fp);
    for (size_t i = 0; i < names->n; i++) {
        char *esc = pxs_html_escape(names->v[i]);
        char *id = pxs_web_row_id(tx, names->v[i]);
        /* the daily summary links each name to its row */
        if (p == PXS_DAILY)
            fprintf(fp, "<tr id=\"%s\"><td class=\"name\">%s</td>\n", id, esc);
        else
            fprintf(fp, "<tr><td class=\"name\">%s</td>\n", esc);
        free(id);
        free(esc);
        if (p == PXS_DAILY) {
            put_daily_row(fp, statsdir, ft, names->v[i], ref);
        } else {
            for (int t = 0; t < nt; t++) {
                fputs("<td class=\"links\">", fp);
                for (int k = period_counts[p] - 1; k >= 0; k--)
                    put_period(fp, statsdir, p, ft, types[t], names->v[i],
                               pxs_period_back(p, ref, k));
                fputs("</td>\n", fp);
            }
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n", fp);
}

int pxs_web_render(FILE *fp, const char *statsdir, pxs_period p, int64_t now,
                   const pxs_web_names *names)
{
    int64_t ref = pxs_web_ref_time(now);
    put_head(fp, p, now);
    if (p == PXS_DAILY)
        pxs_web_summary(fp, statsdir, now, names);
    put_section(fp, statsdir, p, 0, ref, &names->rx);
    put_section(fp, statsdir, p, 1, ref, &names->tx);
    fputs("</body>\n</html>\n", fp);
    return ferror(fp) ? -1 : 0;
}

int pxs_web_render_index(FILE *fp, int64_t now, const pxs_web_names *names)
{
    static const char *const what[] = {"the last 7 days", "the last 5 weeks",
                                       "the last 3 months", "the last 3 years"};
    put_head(fp, PXS_NPERIODS, now);
    fprintf(fp, "<p>%zu RX sources, %zu TX clients.</p>\n<ul>\n", names->rx.n, names->tx.n);
    for (int p = 0; p < PXS_NPERIODS; p++)
        fprintf(fp, "<li><a href=\"%s\">%s graphics</a>: %s of every source and client.</li>\n",
                period_pages[p], period_titles[p], what[p]);
    fputs("<li><a href=\"status.html\">Status</a>: is every machine collected, synchronised "
          "and archived; which clients had errors or were late in the last hour.</li>\n", fp);
    fputs("</ul>\n</body>\n</html>\n", fp);
    return ferror(fp) ? -1 : 0;
}

typedef struct page_args {
    const char *statsdir;
    pxs_period p;
    int64_t now;
    const pxs_web_names *names;
} page_args;

static int render_page(FILE *fp, void *arg)
{
    const page_args *a = arg;
    return a->p == PXS_NPERIODS ? pxs_web_render_index(fp, a->now, a->names)
                                : pxs_web_render(fp, a->statsdir, a->p, a->now, a->names);
}

int pxs_web_write(const char *statsdir, pxs_period p, int64_t now, const pxs_web_names *names)
{
    page_args a = {statsdir, p, now, names};
    return pxs_web_write_page(statsdir, period_pages[p], render_page, &a);
}

int pxs_web_write_page(const char *statsdir, const char *page, int (*render)(FILE *, void *),
                       void *arg)
{
    pxs_afile af;
    char *path = xasprintf("%s/webPages/%s", statsdir, page);
    int rc = pxs_afile_open(&af, path);
    if (rc == 0) {
        errno = 0;
        rc = render(af.fp, arg);
        if (rc < 0) {
            /* stdio keeps the cause of a failed write in errno: say it. */
            if (errno == 0)
                errno = EIO;
            pxs_set_error_errno("%s: cannot write", path);
            pxs_afile_abort(&af);
        } else {
            rc = pxs_afile_commit(&af);
        }
    }
    free(path);
    return rc;
}
