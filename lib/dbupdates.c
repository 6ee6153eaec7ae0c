/* dbupdates — the DATABASE-UPDATES feed states (see dbupdates.h). */
#include "pxstats/dbupdates.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

static const char *const status_names[] = {"ok", "incomplete", "stale"};

const char *pxs_fed_status_name(int status)
{
    return status >= 0 && status <= PXS_FED_STALE ? status_names[status] : "?";
}

char *pxs_dbupdates_path(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *machine)
{
    return pxs_dbupdates_file(statsdir, ft, client, machine);
}

void pxs_feedstate_init(pxs_feedstate *s)
{
    memset(s, 0, sizeof *s);
    s->created = -1;
    pxs_strlist_init(&s->machines);
}

void pxs_feedstate_free(pxs_feedstate *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->h[i].src);
    free(s->h);
    pxs_strlist_free(&s->machines);
    pxs_feedstate_init(s);
}

pxs_fed_hour *pxs_feedstate_add(pxs_feedstate *s, int64_t hour, int status,
                                const pxs_src_version *src)
{
    xgrow((void **)&s->h, &s->cap, s->n + 1, sizeof *s->h);
    pxs_fed_hour *h = &s->h[s->n++];
    size_t nm = s->machines.n ? s->machines.n : 1;
    h->hour = hour;
    h->status = status;
    h->src = xcalloc(nm, sizeof *h->src);
    if (src != NULL)
        memcpy(h->src, src, s->machines.n * sizeof *src);
    return h;
}

pxs_fed_hour *pxs_feedstate_find(const pxs_feedstate *s, int64_t hour)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->h[mid].hour < hour)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->h[lo].hour == hour ? &s->h[lo] : NULL;
}

void pxs_feedstate_drop_before(pxs_feedstate *s, int64_t t)
{
    size_t k = 0;
    while (k < s->n && s->h[k].hour < t)
        free(s->h[k++].src);
    memmove(s->h, s->h + k, (s->n - k) * sizeof *s->h);
    s->n -= k;
}

void pxs_feedstate_drop_from(pxs_feedstate *s, int64_t t)
{
    while (s->n > 0 && s->h[s->n - 1].hour >= t)
        free(s->h[--s->n].src);
}

/* ---- text form ---- */

/* An ISO date, or a plain epoch number (the original stored a float). */
static int parse_time(const char *text, int64_t *t)
{
    size_t len = strlen(text);
    if (pxs_parse_iso(text, len, t))
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (len == 0 || errno != 0 || *end != '\0' || v < 0 || v > 1e12)
        return -1;
    *t = (int64_t)v;
    return 0;
}

/* "<date> <time>" from two fields. */
static int parse_iso2(char **f, int64_t *t)
{
    char iso[PXS_ISO_SIZE + 2];
    if (snprintf(iso, sizeof iso, "%s %s", f[0], f[1]) != PXS_ISO_LEN ||
        !pxs_parse_iso(iso, PXS_ISO_LEN, t)) {
        pxs_set_error("expected a YYYY-MM-DD HH:MM:SS time");
        return -1;
    }
    return 0;
}

static int parse_version(const char *f, pxs_src_version *v)
{
    memset(v, 0, sizeof *v);
    if (strcmp(f, "-") == 0)
        return 0;
    bool bad = *f == '!';
    long long sec;
    long nsec;
    unsigned long long size;
    unsigned crc = 0;
    int used = 0, n;
    if (bad)
        n = sscanf(f + 1, "%lld.%9ld,%llu%n", &sec, &nsec, &size, &used);
    else
        n = sscanf(f, "%lld.%9ld,%llu,%8x%n", &sec, &nsec, &size, &crc, &used);
    if (n != (bad ? 3 : 4) || f[used + bad] != '\0' || nsec < 0) {
        pxs_set_error("'%s' is not a snapshot version (-, mtime,size,crc or !mtime,size)", f);
        return -1;
    }
    v->state = bad ? PXS_SRC_UNREADABLE : PXS_SRC_READ;
    v->mtime_sec = sec;
    v->mtime_nsec = nsec;
    v->size = size;
    v->crc = crc;
    return 0;
}

typedef struct load_ctx {
    pxs_feedstate *s;
    bool have_time;
} load_ctx;

static int load_line(char **f, int n, void *arg)
{
    load_ctx *c = arg;
    pxs_feedstate *s = c->s;
    if (!c->have_time) {
        /* The first line: the end of the feed, the only line of older files. */
        char text[64];
        snprintf(text, sizeof text, "%s%s%s", f[0], n > 1 ? " " : "", n > 1 ? f[1] : "");
        if (n > 2 || parse_time(text, &s->fed) != 0) {
            pxs_set_error("not a date (YYYY-MM-DD HH:MM:SS)");
            return -1;
        }
        c->have_time = true;
        return 0;
    }
    if (strcmp(f[0], "created") == 0 && n == 3)
        return parse_iso2(f + 1, &s->created);
    if (strcmp(f[0], "machines") == 0 && n >= 2 && s->machines.n == 0 && s->n == 0) {
        for (int i = 1; i < n; i++) {
            if (pxs_name_check("machine", f[i]) != 0)
                return -1;
            pxs_strlist_add(&s->machines, f[i]);
        }
        return 0;
    }
    if (strcmp(f[0], "hour") == 0 && s->machines.n > 0 && n == 4 + (int)s->machines.n) {
        int64_t t;
        int status = -1;
        if (parse_iso2(f + 1, &t) != 0)
            return -1;
        for (int k = 0; k <= PXS_FED_STALE; k++)
            if (strcmp(f[3], status_names[k]) == 0)
                status = k;
        if (status < 0 || t % PXS_HOUR != 0 || (s->n > 0 && t <= s->h[s->n - 1].hour)) {
            pxs_set_error("bad status or hour out of order");
            return -1;
        }
        pxs_fed_hour *h = pxs_feedstate_add(s, t, status, NULL);
        for (size_t m = 0; m < s->machines.n; m++)
            if (parse_version(f[4 + m], &h->src[m]) != 0)
                return -1;
        return 0;
    }
    pxs_set_error("unexpected line (created, machines or hour with one version per machine)");
    return -1;
}

int pxs_feedstate_load(const char *path, pxs_feedstate *s)
{
    pxs_feedstate_init(s);
    struct stat st;
    int there = pxs_path_stat(path, &st);   /* no link followed (safefs.h) */
    if (there != 0)
        return there == 1 ? 0 : -1;
    if (!S_ISREG(st.st_mode)) {
        pxs_set_error("%s: %s, not a regular file: refused", path, pxs_mode_name(st.st_mode));
        return -1;
    }
    load_ctx c = {s, false};
    int rc = pxs_state_read_lines(path, load_line, &c);
    if (rc == 0 && !c.have_time) {
        pxs_set_error("%s: not a date (YYYY-MM-DD HH:MM:SS)", path);
        rc = -1;
    }
    if (rc != 0) {
        pxs_feedstate_free(s);
        return -1;
    }
    return 1;
}

static void put_version(FILE *fp, const pxs_src_version *v)
{
    if (v->state == PXS_SRC_ABSENT)
        fputs(" -", fp);
    else if (v->state == PXS_SRC_UNREADABLE)
        fprintf(fp, " !%" PRId64 ".%09ld,%" PRIu64, v->mtime_sec, v->mtime_nsec, v->size);
    else
        fprintf(fp, " %" PRId64 ".%09ld,%" PRIu64 ",%08" PRIx32, v->mtime_sec, v->mtime_nsec,
                v->size, v->crc);
}

static int feedstate_fill(FILE *fp, void *arg)
{
    const pxs_feedstate *s = arg;
    char iso[PXS_ISO_SIZE];

    fprintf(fp, "%s\n", pxs_format_iso(s->fed, iso));
    fputs("# the databases hold every minute before the time above; the hours below were\n"
          "# fed from these snapshot versions (machine order; - absent, ! unreadable)\n", fp);
    if (s->created >= 0)
        fprintf(fp, "created %s\n", pxs_format_iso(s->created, iso));
    if (s->machines.n > 0) {
        fputs("machines", fp);
        for (size_t m = 0; m < s->machines.n; m++)
            fprintf(fp, " %s", s->machines.v[m]);
        fputc('\n', fp);
        for (size_t i = 0; i < s->n; i++) {
            fprintf(fp, "hour %s %s", pxs_format_iso(s->h[i].hour, iso),
                    status_names[s->h[i].status]);
            for (size_t m = 0; m < s->machines.n; m++)
                put_version(fp, &s->h[i].src[m]);
            fputc('\n', fp);
        }
    }
    return 0;
}

char *pxs_feedstate_text(const pxs_feedstate *s, size_t *len)
{
    char *text = pxs_fill_text(feedstate_fill, (void *)s, len);
    if (text == NULL)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    return text;
}

int pxs_feedstate_save(const char *path, const pxs_feedstate *s)
{
    return pxs_atomic_write_text(path, feedstate_fill, (void *)s);
}

int pxs_dbupdates_get(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t *t)
{
    char *path = pxs_dbupdates_path(statsdir, ft, client, machine);
    pxs_feedstate s;
    int rc = pxs_feedstate_load(path, &s);
    if (rc == 1)
        *t = s.fed;
    pxs_feedstate_free(&s);
    free(path);
    return rc;
}

int pxs_dbupdates_set(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t t)
{
    char *path = pxs_dbupdates_path(statsdir, ft, client, machine);
    pxs_feedstate s;
    /* A state that does not parse is replaced (this is how it is mended). */
    if (pxs_feedstate_load(path, &s) != 1)
        s.created = t;
    s.fed = t;
    int rc = pxs_feedstate_save(path, &s);
    pxs_feedstate_free(&s);
    free(path);
    return rc;
}

int pxs_dbupdates_list(const char *statsdir, pxs_filetype ft, pxs_strlist *names)
{
    char *dir = pxs_dbupdates_dir(statsdir, ft);
    pxs_dirlist l;
    /* Listed without following links (a missing directory is empty); an entry
     * that is no regular file is listed too, to be refused by name where it
     * is opened (safefs.h). */
    int rc = pxs_dir_read(dir, &l);
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        pxs_strlist_add(names, l.e[i].name);
    pxs_dir_free(&l);
    free(dir);
    pxs_strlist_sort(names);
    return rc;
}

int pxs_dbupdates_clients(const char *statsdir, pxs_filetype ft, const char *machine,
                          pxs_strlist *out)
{
    pxs_strlist names;
    pxs_strlist_init(&names);
    if (pxs_dbupdates_list(statsdir, ft, &names) != 0) {
        pxs_strlist_free(&names);
        return -1;
    }
    size_t mlen = strlen(machine);
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.v[i];
        size_t len = strlen(n);
        /* "<client>_<machine>": the suffix decides, since a client name may
         * itself hold '_'. */
        if (len < mlen + 2 || n[len - mlen - 1] != '_' || strcmp(n + len - mlen, machine) != 0)
            continue;
        char *client = xstrndup(n, len - mlen - 1);
        if (pxs_name_valid(client))
            pxs_strlist_add_unique(out, client);
        free(client);
    }
    pxs_strlist_free(&names);
    pxs_strlist_sort(out);
    return 0;
}

/* ---- the hours to report ---- */

/* The machines of an incomplete hour whose snapshot was not read. */
static char *missing_of(const pxs_feedstate *s, const pxs_fed_hour *h)
{
    pxs_strlist l;
    pxs_strlist_init(&l);
    for (size_t m = 0; m < s->machines.n; m++)
        if (h->src[m].state != PXS_SRC_READ)
            pxs_strlist_add(&l, s->machines.v[m]);
    char *text = pxs_strlist_join(&l, ",");
    pxs_strlist_free(&l);
    return text;
}

static void add_problems(pxs_feed_problems *out, pxs_filetype ft, const char *client,
                         const char *group, const pxs_feedstate *s)
{
    pxs_feed_problem *cur = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const pxs_fed_hour *h = &s->h[i];
        if (h->status == PXS_FED_OK) {
            cur = NULL;
            continue;
        }
        char *missing = h->status == PXS_FED_INCOMPLETE ? missing_of(s, h) : xstrdup("");
        if (cur != NULL && cur->status == h->status && cur->last + PXS_HOUR == h->hour &&
            strcmp(cur->missing, missing) == 0) {
            cur->last = h->hour;
            free(missing);
            continue;
        }
        xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
        cur = &out->v[out->n++];
        *cur = (pxs_feed_problem){ft, xstrdup(client), xstrdup(group), h->status, h->hour,
                                  h->hour, missing};
    }
}

int pxs_feed_problems_list(const char *statsdir, pxs_feed_problems *out)
{
    memset(out, 0, sizeof *out);
    for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
        pxs_strlist names;
        pxs_strlist_init(&names);
        if (pxs_dbupdates_list(statsdir, (pxs_filetype)ft, &names) != 0)
            return -1;
        char *dir = pxs_dbupdates_dir(statsdir, (pxs_filetype)ft);
        for (size_t i = 0; i < names.n; i++) {
            if (names.v[i][0] == '.' || strchr(names.v[i], '_') == NULL)
                continue;   /* journals, temporaries */
            char *path = xasprintf("%s/%s", dir, names.v[i]);
            pxs_feedstate s;
            if (pxs_feedstate_load(path, &s) < 0) {
                pxs_warnx("%s", pxs_error());
            } else if (s.machines.n > 0) {
                /* The file is <client>_<group>, the group its machines. */
                char *group = pxs_group_name(&s.machines);
                size_t gl = strlen(group), nl = strlen(names.v[i]);
                if (nl > gl + 1 && strcmp(names.v[i] + nl - gl, group) == 0 &&
                    names.v[i][nl - gl - 1] == '_') {
                    char *client = xstrndup(names.v[i], nl - gl - 1);
                    add_problems(out, (pxs_filetype)ft, client, group, &s);
                    free(client);
                }
                free(group);
            }
            pxs_feedstate_free(&s);
            free(path);
        }
        pxs_strlist_free(&names);
        free(dir);
    }
    return 0;
}

void pxs_feed_problems_free(pxs_feed_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].client);
        free(p->v[i].group);
        free(p->v[i].missing);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}
