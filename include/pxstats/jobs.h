/* jobs — the one job runner: n independent jobs spread over worker processes
 * (graphGen --all, rrdGraph, rrdTransfer).
 *
 * Each worker is a forked process that takes the next job when done with
 * one, so that a crash or a leak in one job cannot stop the others, and what
 * a job sets up once per process (librrd's fonts) is paid once per worker.
 * librrd's graph code is not thread-safe: processes, not threads. */
#ifndef PXSTATS_JOBS_H
#define PXSTATS_JOBS_H

#include <stdbool.h>
#include <stddef.h>

/* Job i: returns an exit status (0 = success, 1-127 = failure) and may leave
 * a short text (at most PXS_JOB_MSG - 1 bytes) in msg for the parent. Runs in
 * a worker process: what it changes in memory stays there. */
#define PXS_JOB_MSG 256
typedef int (*pxs_job_fn)(size_t i, void *arg, char *msg, size_t msgsize);
/* Called in the parent once for every job started, in the order they end:
 * status is fn's, or 128 + signal when the worker died with job i in hand
 * (then msg is ""). The dead worker is replaced and the other jobs go on. */
typedef void (*pxs_job_done_fn)(size_t i, int status, const char *msg, void *arg);

/* Runs fn(i) for every i in [0, n), each exactly once, in min(workers, n)
 * worker processes; with workers == 0, in this process, one after the other
 * (no crash isolation). Returns 0 when every job was run (whatever their
 * statuses), or -1 with pxs_error() set when no worker process could be
 * started or kept alive: the jobs not yet reported to done were not run. */
int pxs_jobs_run(size_t n, int workers, pxs_job_fn fn, pxs_job_done_fn done, void *arg);

/* When on, shows "\r<prog>: <what> done/total" on stderr, ending the line
 * when done reaches total (the progress of a long run on a terminal). */
void pxs_jobs_progress(const char *what, size_t done, size_t total, bool on);

#endif
