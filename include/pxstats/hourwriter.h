/* hourwriter — where statsUpdater's stream of one client publishes its
 * hours: each hour's snapshot goes into the run's batch (atomicfile.h),
 * under its name in the pickle tree.
 *
 * Pipelined: while an encoder thread encodes and compresses hour N, the
 * reader goes on to hour N + 1. One hour at most is in flight, and it is
 * written into the batch before the next one is handed over and before the
 * client ends: the batch, its order and the publication are those of a run
 * without the thread, and so are the bytes. A big hour is encoded in place
 * (two of them in memory would double the peak); a spilled one (hourspill.h)
 * is written from its temporary files straight into its batch temporary.
 *
 * The caller holds statsUpdater's lock: the temporaries that killed runs left
 * beside a snapshot are removed before it is written. */
#ifndef PXSTATS_HOURWRITER_H
#define PXSTATS_HOURWRITER_H

#include <pthread.h>
#include <stdbool.h>

#include "atomicfile.h"
#include "collector.h"
#include "hourspill.h"
#include "names.h"

typedef struct pxs_hourjob pxs_hourjob;

typedef struct pxs_hourwriter {
    pxs_abatch *batch;
    const char *statsdir, *client, *machine;
    pxs_filetype ft;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pxs_hourjob *queued;    /* handed to the thread; NULL once encoded */
    pxs_hourjob *held;      /* the job in flight or encoded, not yet written */
    bool started, stop;
} pxs_hourwriter;

/* Starts a writer of client's hours into batch (the strings must outlive it). */
void pxs_hourwriter_init(pxs_hourwriter *w, pxs_abatch *batch, const char *statsdir,
                         const char *client, pxs_filetype ft, const char *machine);
/* The stream's sink (logstream.h's pxs_hour_sink), arg a pxs_hourwriter.
 * Returns 0, or -1 with pxs_error set (the hour before this one, or this
 * one, could not be written). */
int pxs_hourwriter_publish(void *arg, pxs_hour *h, pxs_hourspill *spill);
/* Writes the hour in flight (write false: drops it) and stops the thread.
 * Returns 0, or -1 with pxs_error set. */
int pxs_hourwriter_end(pxs_hourwriter *w, bool write);

#endif
