/* fileversions — FILE_VERSIONS and the rebuild of merged snapshots (contract
 * in fileversions.h). */
#include "pxstats/fileversions.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/merge.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

#define FV_NAME "FILE_VERSIONS"

void pxs_fv_source_free(pxs_fv_source *s)
{
    free(s->path);
    s->path = NULL;
}

void pxs_fv_free(pxs_fileversions *fv)
{
    for (size_t i = 0; i < fv->n; i++) {
        free(fv->e[i].merged);
        pxs_fv_source_free(&fv->e[i].src);
    }
    free(fv->e);
    memset(fv, 0, sizeof *fv);
}

static void fv_append(pxs_fileversions *fv, const char *merged, const pxs_fv_source *s)
{
    xgrow((void **)&fv->e, &fv->cap, fv->n + 1, sizeof *fv->e);
    pxs_fv_line *l = &fv->e[fv->n++];
    l->merged = xstrdup(merged);
    l->src = *s;
    l->src.path = xstrdup(s->path);
}

static int line_cmp(const void *a, const void *b)
{
    const pxs_fv_line *x = a, *y = b;
    int c = strcmp(x->merged, y->merged);
    return c != 0 ? c : strcmp(x->src.path, y->src.path);
}

/* The lines of merged: [*first, *last). */
static void find_range(const pxs_fileversions *fv, const char *merged, size_t *first,
                       size_t *last)
{
    if (!fv->sorted) {
        *first = 0;
        *last = fv->n;
        return;
    }
    size_t lo = 0, hi = fv->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(fv->e[mid].merged, merged) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (hi < fv->n && strcmp(fv->e[hi].merged, merged) == 0)
        hi++;
    *last = hi;
}

/* Parses an unsigned decimal field wholly; false on anything else. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* "<seconds>.<9 digits>" */
static bool parse_mtime(const char *s, pxs_fv_source *src)
{
    const char *dot = strchr(s, '.');
    if (dot == NULL || strlen(dot + 1) != 9)
        return false;
    char *sec = xstrndup(s, (size_t)(dot - s));
    uint64_t a, b;
    bool ok = parse_u64(sec, &a) && parse_u64(dot + 1, &b) && a <= INT64_MAX;
    free(sec);
    if (ok) {
        src->mtime_sec = (int64_t)a;
        src->mtime_nsec = (long)b;
    }
    return ok;
}

static bool parse_crc(const char *s, uint32_t *crc)
{
    if (strlen(s) != 8)
        return false;
    char *end;
    unsigned long v = strtoul(s, &end, 16);
    if (*end != '\0')
        return false;
    *crc = (uint32_t)v;
    return true;
}

static int load_line(char **f, int nf, void *arg)
{
    pxs_fileversions *fv = arg;
    pxs_fv_source s = {0};
    if (nf != 5) {
        pxs_set_error("expected 5 fields (merged source mtime size crc), found %d", nf);
        return -1;
    }
    if (!parse_mtime(f[2], &s)) {
        pxs_set_error("bad mtime '%s' (want seconds.nanoseconds)", f[2]);
        return -1;
    }
    if (!parse_u64(f[3], &s.size)) {
        pxs_set_error("bad size '%s'", f[3]);
        return -1;
    }
    if (!parse_crc(f[4], &s.crc)) {
        pxs_set_error("bad checksum '%s' (want 8 hex digits)", f[4]);
        return -1;
    }
    pxs_state_unescape(f[0]);
    pxs_state_unescape(f[1]);
    s.path = f[1];
    fv_append(fv, f[0], &s);
    return 0;
}

int pxs_fv_load(const char *statsdir, pxs_fileversions *fv)
{
    memset(fv, 0, sizeof *fv);
    char *path = pxs_stats_file(statsdir, FV_NAME);
    int rc = pxs_state_read_lines(path, load_line, fv);
    free(path);
    if (rc < 0) {
        pxs_fv_free(fv);
        return rc;
    }
    if (fv->n > 1)
        qsort(fv->e, fv->n, sizeof *fv->e, line_cmp);
    fv->sorted = true;
    return 0;
}

int pxs_fv_save(const char *statsdir, const pxs_fileversions *fv)
{
    pxs_fv_line *sorted = xcalloc(fv->n ? fv->n : 1, sizeof *sorted);
    if (fv->n > 0)
        memcpy(sorted, fv->e, fv->n * sizeof *sorted);
    if (fv->n > 1)
        qsort(sorted, fv->n, sizeof *sorted, line_cmp);
    char *path = pxs_stats_file(statsdir, FV_NAME);
    pxs_afile af;
    int rc = pxs_afile_open(&af, path);
    if (rc == 0) {
        fprintf(af.fp, "# FILE_VERSIONS: the sources of each merged snapshot when it was built.\n"
                       "# A merged snapshot is rebuilt only when one of its sources differs.\n"
                       "# <merged> <source> <mtime> <size> <crc>\n");
        for (size_t i = 0; i < fv->n; i++) {
            const pxs_fv_line *l = &sorted[i];
            char *m = pxs_state_escape(l->merged), *s = pxs_state_escape(l->src.path);
            fprintf(af.fp, "%s %s %" PRId64 ".%09ld %" PRIu64 " %08" PRIx32 "\n", m, s,
                    l->src.mtime_sec, l->src.mtime_nsec, l->src.size, l->src.crc);
            free(m);
            free(s);
        }
        rc = pxs_afile_commit(&af);
    }
    free(path);
    free(sorted);
    return rc;
}

int pxs_fv_describe(const char *statsdir, const char *relpath, pxs_fv_source *out)
{
    char *path = xasprintf("%s/%s", statsdir, relpath);
    struct stat st;
    /* No link followed: a snapshot is a regular file of the tree (safefs.h). */
    int rc = pxs_path_stat(path, &st);
    if (rc == 0) {
        uint32_t crc;
        rc = pxs_snapshot_checksum(path, &crc);
        if (rc == 0) {
            out->path = xstrdup(relpath);
            out->mtime_sec = (int64_t)st.st_mtim.tv_sec;
            out->mtime_nsec = st.st_mtim.tv_nsec;
            out->size = (uint64_t)st.st_size;
            out->crc = crc;
        }
    }
    free(path);
    return rc;
}

static bool same_version(const pxs_fv_source *a, const pxs_fv_source *b)
{
    return a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
           a->size == b->size && a->crc == b->crc;
}

bool pxs_fv_needs_rebuild(const pxs_fileversions *fv, const char *merged, bool merged_exists,
                          const pxs_fv_source *cur, size_t n)
{
    if (!merged_exists)
        return true;
    size_t recorded = 0, first, last;
    find_range(fv, merged, &first, &last);
    for (size_t i = first; i < last; i++) {
        const pxs_fv_line *l = &fv->e[i];
        if (strcmp(l->merged, merged) != 0)
            continue;
        recorded++;
        size_t j = 0;
        while (j < n && strcmp(cur[j].path, l->src.path) != 0)
            j++;
        if (j == n || !same_version(&cur[j], &l->src))
            return true; /* a source disappeared or changed */
    }
    /* Every recorded source is present and unchanged; a source that appeared
     * since makes the counts differ (paths within cur are distinct). */
    return recorded != n || recorded == 0;
}

void pxs_fv_record(pxs_fileversions *fv, const char *merged, const pxs_fv_source *cur, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < fv->n; i++) {
        if (strcmp(fv->e[i].merged, merged) == 0) {
            free(fv->e[i].merged);
            pxs_fv_source_free(&fv->e[i].src);
        } else {
            fv->e[w++] = fv->e[i];
        }
    }
    fv->n = w;
    for (size_t i = 0; i < n; i++)
        fv_append(fv, merged, &cur[i]);
    fv->sorted = fv->n <= 1;
}

static int merged_cmp(const void *key, const void *line)
{
    return strcmp(key, ((const pxs_fv_line *)line)->merged);
}

void pxs_fv_merge(pxs_fileversions *fv, pxs_fileversions *upd)
{
    if (upd->n > 1)
        qsort(upd->e, upd->n, sizeof *upd->e, line_cmp);
    size_t w = 0;
    for (size_t i = 0; i < fv->n; i++) {
        if (upd->n > 0 &&
            bsearch(fv->e[i].merged, upd->e, upd->n, sizeof *upd->e, merged_cmp) != NULL) {
            free(fv->e[i].merged);
            pxs_fv_source_free(&fv->e[i].src);
        } else {
            fv->e[w++] = fv->e[i];
        }
    }
    fv->n = w;
    xgrow((void **)&fv->e, &fv->cap, fv->n + upd->n + 1, sizeof *fv->e);
    if (upd->n > 0)
        memcpy(fv->e + fv->n, upd->e, upd->n * sizeof *upd->e);
    fv->n += upd->n;
    upd->n = 0;
    pxs_fv_free(upd);
    if (fv->n > 1)
        qsort(fv->e, fv->n, sizeof *fv->e, line_cmp);
    fv->sorted = true;
}

void pxs_fv_prune(pxs_fileversions *fv, const char *statsdir)
{
    size_t w = 0;
    for (size_t i = 0; i < fv->n; i++) {
        char *path = xasprintf("%s/%s", statsdir, fv->e[i].merged);
        struct stat st;
        bool gone = stat(path, &st) < 0 && errno == ENOENT;
        free(path);
        if (gone) {
            free(fv->e[i].merged);
            pxs_fv_source_free(&fv->e[i].src);
        } else {
            fv->e[w++] = fv->e[i];
        }
    }
    fv->n = w;
}

/* The path of a snapshot relative to the stats root. */
static char *rel_pickle_path(const char *statsdir, const char *client, int64_t t, pxs_filetype ft,
                             const char *machine)
{
    char *abs = pxs_pickle_path(statsdir, client, t, ft, machine);
    size_t len = strlen(statsdir);
    const char *rel = abs;
    if (strncmp(abs, statsdir, len) == 0)
        rel = abs + len;
    while (*rel == '/')
        rel++;
    char *out = xstrdup(rel);
    free(abs);
    return out;
}

/* Reads the sources present and merges them into the merged snapshot. */
static int build_one(const char *statsdir, const char *group, const char *merged,
                     const pxs_fv_source *cur, size_t n)
{
    pxs_hour *hours = xcalloc(n, sizeof *hours);
    const pxs_hour **ptrs = xcalloc(n, sizeof *ptrs);
    size_t nread = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = xasprintf("%s/%s", statsdir, cur[i].path);
        rc = pxs_snapshot_read(path, &hours[i]);
        free(path);
        if (rc == 0)
            ptrs[nread++] = &hours[i];
    }
    if (rc == 0) {
        pxs_hour out;
        rc = pxs_merge_hours(ptrs, nread, group, &out);
        if (rc == 0) {
            char *path = xasprintf("%s/%s", statsdir, merged);
            rc = pxs_snapshot_write(path, &out);
            free(path);
            pxs_hour_free(&out);
        }
    }
    for (size_t i = 0; i < nread; i++)
        pxs_hour_free(&hours[i]);
    free(hours);
    free(ptrs);
    return rc;
}

/* One client, one hour. The sources are described before they are read: a
 * source replaced in between (a pickleSync running meanwhile) is recorded
 * with its older version, so the next run rebuilds once more; the reverse,
 * a new version recorded for an old merge, cannot happen. */
static void merge_hour(const char *statsdir, const pxs_fileversions *fv, pxs_fileversions *upd,
                       const char *client, pxs_filetype ft, const pxs_strlist *machines,
                       const char *group, int64_t t, pxs_merge_report *rep)
{
    pxs_fv_source *cur = xcalloc(machines->n, sizeof *cur);
    size_t n = 0;
    bool bad = false;
    for (size_t i = 0; i < machines->n; i++) {
        char *rel = rel_pickle_path(statsdir, client, t, ft, machines->v[i]);
        int rc = pxs_fv_describe(statsdir, rel, &cur[n]);
        free(rel);
        if (rc == 0)
            n++;
        else if (rc < 0) {
            pxs_warnx("%s", pxs_error());
            bad = true;
        }
    }
    char *merged = rel_pickle_path(statsdir, client, t, ft, group);
    pxs_fv_source mine;
    int mrc = pxs_fv_describe(statsdir, merged, &mine);
    if (mrc == 0)
        pxs_fv_source_free(&mine);
    if (bad) {
        rep->failed++;
    } else if (n == 0) {
        rep->empty++;
    } else if (!pxs_fv_needs_rebuild(fv, merged, mrc == 0, cur, n)) {
        rep->unchanged++;
    } else if (build_one(statsdir, group, merged, cur, n) < 0) {
        pxs_warnx("%s", pxs_error());
        rep->failed++;
    } else {
        pxs_info("built %s from %zu machine(s)", merged, n);
        pxs_fv_record(upd, merged, cur, n);
        rep->built++;
    }
    for (size_t i = 0; i < n; i++)
        pxs_fv_source_free(&cur[i]);
    free(cur);
    free(merged);
}

static int check_machines(const pxs_strlist *machines)
{
    if (machines->n < 2) {
        pxs_set_error("merging needs at least two machines");
        return -1;
    }
    for (size_t i = 0; i < machines->n; i++) {
        if (pxs_name_check("machine", machines->v[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(machines->v[i], machines->v[j]) == 0) {
                pxs_set_error("machine '%s' named twice", machines->v[i]);
                return -1;
            }
    }
    return 0;
}

int pxs_merge_build(const char *statsdir, const pxs_strlist *clients, pxs_filetype ft,
                    const pxs_strlist *machines, int64_t start, int64_t end,
                    pxs_merge_report *rep)
{
    memset(rep, 0, sizeof *rep);
    if (check_machines(machines) < 0)
        return -1;
    for (size_t c = 0; c < clients->n; c++)
        if (pxs_name_check("client", clients->v[c]) < 0)
            return -1;
    /* Two runs must not both read FILE_VERSIONS and the last writer win. */
    pxs_lock lock;
    if (pxs_lock_take(&lock, statsdir, "pickleMerge", true) != 0)
        return -1;
    pxs_fileversions fv;
    if (pxs_fv_load(statsdir, &fv) < 0) {
        pxs_lock_release(&lock);
        return -1;
    }
    char *group = pxs_group_name(machines);
    start = pxs_hour_floor(start);
    end = pxs_hour_floor(end);
    /* Records go to a table of their own, merged in once at the end: the
     * look-ups bisect the loaded table, and nothing is linear per hour. */
    pxs_fileversions upd = {0};
    for (size_t c = 0; c < clients->n; c++)
        for (int64_t t = start; t < end; t += PXS_HOUR)
            merge_hour(statsdir, &fv, &upd, clients->v[c], ft, machines, group, t, rep);
    pxs_fv_merge(&fv, &upd);
    pxs_fv_prune(&fv, statsdir);
    /* Saved after the merged snapshots are durable: a crash in between only
     * makes the next run rebuild them once more. */
    int rc = 0;
    if (rep->built > 0 && pxs_fv_save(statsdir, &fv) < 0) {
        pxs_warnx("%s", pxs_error());
        rc = 1;
    }
    pxs_fv_free(&fv);
    free(group);
    pxs_lock_release(&lock);
    return rc != 0 || rep->failed > 0 ? 1 : 0;
}
