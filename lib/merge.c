/* merge — the same hour from several machines, and several hours into a span
 * (contract in merge.h). */
#include "pxstats/merge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

/* The hours must describe the same client, fileType, hour and bucket width:
 * anything else would put rows in buckets they do not belong to. */
static int check_same_hour(const pxs_hour *const *src, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const pxs_hour *a = src[0], *b = src[i];
        if (strcmp(a->client, b->client) != 0 || a->ft != b->ft || a->start != b->start ||
            a->interval != b->interval) {
            char ta[PXS_ISO_SIZE], tb[PXS_ISO_SIZE];
            pxs_set_error("cannot merge %s %s %s (%d s buckets) of %s with %s %s %s (%d s buckets) of %s",
                          pxs_filetype_name(a->ft), a->client, pxs_format_iso(a->start, ta),
                          a->interval, a->machine, pxs_filetype_name(b->ft), b->client,
                          pxs_format_iso(b->start, tb), b->interval, b->machine);
            return -1;
        }
    }
    return 0;
}

/* The machines an hour holds: its sources, or its own machine when it was
 * never merged. */
static void add_sources(pxs_strlist *dst, const pxs_hour *h)
{
    if (h->sources.n == 0) {
        pxs_strlist_add_unique(dst, h->machine);
        return;
    }
    for (size_t i = 0; i < h->sources.n; i++)
        pxs_strlist_add_unique(dst, h->sources.v[i]);
}

int pxs_merge_hours(const pxs_hour *const *src, size_t n, const char *machine, pxs_hour *dst)
{
    if (n == 0) {
        pxs_set_error("nothing to merge for %s", machine);
        return -1;
    }
    if (check_same_hour(src, n) < 0)
        return -1;
    unsigned types = 0;
    bool partial = false;
    for (size_t i = 0; i < n; i++) {
        types |= src[i]->types;
        partial = partial || src[i]->partial;
    }
    pxs_hour_init(dst, src[0]->client, machine, src[0]->ft, src[0]->start,
                  src[0]->interval / PXS_MINUTE, src[0]->max_latency, types);
    /* The sources are exactly the machines merged, whatever init put there. */
    pxs_strlist_free(&dst->sources);
    pxs_strlist_init(&dst->sources);
    dst->partial = partial;
    /* Rows are appended machine after machine, each machine's already in time
     * order; the stable sort of pxs_hour_compute then orders them by time and
     * keeps equal times in machine order. */
    for (size_t i = 0; i < n; i++) {
        const pxs_hour *h = src[i];
        for (size_t r = 0; r < h->nrows; r++) {
            const pxs_row *row = &h->rows[r];
            pxs_hour_add_row(dst, row->time, row->bytes, row->latency, pxs_hour_product(h, row),
                             row->error != 0);
        }
        for (size_t f = 0; f < h->files.n; f++)
            pxs_strlist_add_unique(&dst->files, h->files.v[f]);
        add_sources(&dst->sources, h);
        dst->malformed += h->malformed;
    }
    pxs_hour_compute(dst);
    return 0;
}

/* Reads the snapshot of one machine for the hour t into h. Returns 1 when
 * read, 0 when missing, -1 when unreadable (warned about and counted). */
static int read_machine_hour(const char *statsdir, const char *client, pxs_filetype ft,
                             const char *machine, int64_t t, pxs_hour *h, uint64_t *unreadable)
{
    char *path = pxs_pickle_path(statsdir, client, t, ft, machine);
    int rc = pxs_snapshot_read(path, h);
    /* errno is not reliable after a decoding failure: ask the file system
     * whether the snapshot is there at all. */
    bool missing = rc < 0 && access(path, F_OK) < 0 && errno == ENOENT;
    free(path);
    if (rc == 0)
        return 1;
    if (!missing) {
        pxs_warnx("%s", pxs_error());
        (*unreadable)++;
        return -1;
    }
    return 0;
}

pxs_hour *pxs_hour_load(const char *statsdir, const char *client, pxs_filetype ft,
                        const pxs_strlist *machines, const char *group, int64_t t, int *status,
                        uint64_t *unreadable)
{
    pxs_hour *got = xcalloc(machines->n, sizeof *got);
    const pxs_hour **present = xcalloc(machines->n, sizeof *present);
    size_t n = 0;
    for (size_t i = 0; i < machines->n; i++) {
        int r = read_machine_hour(statsdir, client, ft, machines->v[i], t, &got[n], unreadable);
        if (status != NULL)
            status[i] = r;
        if (r == 1) {
            present[n] = &got[n];
            n++;
        }
    }
    pxs_hour *out = NULL;
    if (n > 0 && machines->n == 1) {
        /* A single machine is used as is: move it out. */
        out = xmalloc(sizeof *out);
        *out = got[0];
        n = 0;
    } else if (n > 0) {
        out = xmalloc(sizeof *out);
        if (pxs_merge_hours(present, n, group, out) < 0) {
            /* Hours read from their own paths always agree on client, type
             * and start; only a bucket width differing between machines
             * lands here, and that hour cannot be merged meaningfully. */
            pxs_warnx("%s", pxs_error());
            (*unreadable)++;
            free(out);
            out = NULL;
            for (size_t i = 0; status != NULL && i < machines->n; i++)
                if (status[i] == 1)
                    status[i] = -1;
        }
    }
    for (size_t i = 0; i < n; i++)
        pxs_hour_free(&got[i]);
    free(got);
    free(present);
    return out;
}

int pxs_span_load(const char *statsdir, const char *client, pxs_filetype ft,
                  const pxs_strlist *machines, int64_t start, int64_t end, pxs_span *span)
{
    memset(span, 0, sizeof *span);
    start = pxs_hour_floor(start);
    end = pxs_hour_floor(end);
    if (machines->n == 0) {
        pxs_set_error("no machine given for %s", client);
        return -1;
    }
    if (end < start) {
        char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
        pxs_set_error("span of %s ends (%s) before it starts (%s)", client, pxs_format_iso(end, b),
                      pxs_format_iso(start, a));
        return -1;
    }
    for (size_t i = 0; i < machines->n; i++)
        if (pxs_name_check("machine", machines->v[i]) < 0)
            return -1;
    if (pxs_name_check("client", client) < 0)
        return -1;
    span->client = xstrdup(client);
    span->ft = ft;
    span->machine = pxs_group_name(machines);
    span->start = start;
    span->nhours = (int)((end - start) / PXS_HOUR);
    span->hours = xcalloc(span->nhours > 0 ? (size_t)span->nhours : 1, sizeof *span->hours);
    for (int i = 0; i < span->nhours; i++)
        span->hours[i] = pxs_hour_load(statsdir, client, ft, machines, span->machine,
                                       start + (int64_t)i * PXS_HOUR, NULL, &span->unreadable);
    return 0;
}

void pxs_span_free(pxs_span *span)
{
    for (int i = 0; i < span->nhours; i++)
        if (span->hours[i] != NULL) {
            pxs_hour_free(span->hours[i]);
            free(span->hours[i]);
        }
    free(span->hours);
    free(span->client);
    free(span->machine);
    memset(span, 0, sizeof *span);
}
