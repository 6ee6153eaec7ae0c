/* hourwriter — a client's hours into the run's batch, encoded beside the reader. */
#include <stdlib.h>
#include <string.h>

#include "pxstats/hourwriter.h"
#include "pxstats/layout.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

void pxs_hourwriter_init(pxs_hourwriter *w, pxs_abatch *batch, const char *statsdir,
                         const char *client, pxs_filetype ft, const char *machine)
{
    memset(w, 0, sizeof *w);
    w->batch = batch;
    w->statsdir = statsdir;
    w->client = client;
    w->ft = ft;
    w->machine = machine;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
}

/* We hold the statsUpdater lock: leftovers of a killed run can go. */
static void clean_before_write(const pxs_hourwriter *w, const char *path)
{
    if (pxs_abatch_pending(w->batch, path) == NULL)
        pxs_afile_clean_stale(path);
}

/* A snapshot into the batch (in the order the stream publishes its hours). */
static int put_snapshot(const pxs_hourwriter *w, const char *path, const unsigned char *buf,
                        size_t len)
{
    clean_before_write(w, path);
    return pxs_abatch_write(w->batch, path, buf, len);
}

typedef struct spilled {
    pxs_hourspill *sp;
    const pxs_hour *h;
} spilled;

static int fill_spilled(FILE *out, void *arg)
{
    spilled *s = arg;

    return pxs_hourspill_write(s->sp, s->h, out);
}

/* A big hour's snapshot, written into the batch from its temporary files. */
static int put_spilled(const pxs_hourwriter *w, const char *path, pxs_hourspill *sp,
                       const pxs_hour *h)
{
    clean_before_write(w, path);
    return pxs_abatch_write_with(w->batch, path, fill_spilled, &(spilled){sp, h});
}

/* Hours up to this many rows go to the encoder thread; bigger ones are
 * encoded in place. */
#define PIPELINE_ROWS 50000

struct pxs_hourjob {
    pxs_hour h;             /* taken from the stream */
    char *path;
    unsigned char *buf;     /* the encoded snapshot, once done */
    size_t len;
};

static void *encoder_thread(void *arg)
{
    pxs_hourwriter *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        pxs_hourjob *j;
        while (w->queued == NULL && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->queued == NULL)
            break;
        j = w->queued;
        pthread_mutex_unlock(&w->mu);
        pxs_snapshot_encode(&j->h, &j->buf, &j->len);
        pxs_hour_free(&j->h);
        pthread_mutex_lock(&w->mu);
        w->queued = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits for the hour in flight and writes it (write false: drops it). */
static int finish_held(pxs_hourwriter *w, bool write)
{
    pxs_hourjob *j = w->held;
    int rc = 0;

    if (j == NULL)
        return 0;
    pthread_mutex_lock(&w->mu);
    while (w->queued != NULL)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    if (write)
        rc = put_snapshot(w, j->path, j->buf, j->len);
    free(j->buf);
    free(j->path);
    free(j);
    w->held = NULL;
    return rc;
}

int pxs_hourwriter_publish(void *arg, pxs_hour *h, pxs_hourspill *spill)
{
    pxs_hourwriter *w = arg;
    char *path;
    unsigned char *buf;
    size_t len;
    int rc;

    if (finish_held(w, true) != 0)
        return -1;
    path = pxs_pickle_path(w->statsdir, w->client, h->start, w->ft, w->machine);
    if (spill != NULL) {
        rc = put_spilled(w, path, spill, h);
        free(path);
        return rc;
    }
    if (h->nrows <= PIPELINE_ROWS) {
        if (!w->started) {
            if (pthread_create(&w->thread, NULL, encoder_thread, w) != 0)
                goto in_place; /* no thread: the same work, in this one */
            w->started = true;
        }
        w->held = xcalloc(1, sizeof *w->held);
        w->held->h = *h; /* the stream frees what it publishes: it gets an empty hour */
        memset(h, 0, sizeof *h);
        w->held->path = path;
        pthread_mutex_lock(&w->mu);
        w->queued = w->held;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        return 0;
    }
in_place:
    pxs_snapshot_encode(h, &buf, &len);
    rc = put_snapshot(w, path, buf, len);
    free(buf);
    free(path);
    return rc;
}

int pxs_hourwriter_end(pxs_hourwriter *w, bool write)
{
    int rc = finish_held(w, write);

    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    return rc;
}

