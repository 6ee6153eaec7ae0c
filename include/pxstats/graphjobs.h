/* graphjobs — graphGen --all: a graph for every client and source of a set
 * of machines (the seed's generateAllGraphsForServer), drawn by parallel
 * processes. */
#ifndef PXSTATS_GRAPHJOBS_H
#define PXSTATS_GRAPHJOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "gnuplot.h"
#include "strlist.h"

/* Runs task(i, arg) for i in [0, ntasks), each in a forked child process,
 * at most njobs at a time; a child's exit status is task's return value
 * (0 = success). With progress, "\r<what> done/total" is kept up to date on
 * stderr. Returns the number of tasks that failed (a child killed by a
 * signal counts as failed), or -1 with pxs_error() when no process could be
 * started at all. */
int pxs_jobs_run(size_t ntasks, int njobs, int (*task)(size_t i, void *arg), void *arg,
                 const char *what, bool progress);

/* One graph of an --all run. */
typedef struct pxs_graph_job {
    pxs_filetype ft;
    char *client;
    pxs_strlist machines;     /* the machines merged in this graph */
} pxs_graph_job;

typedef struct pxs_graph_jobs {
    pxs_graph_job *v;
    size_t n;
} pxs_graph_jobs;

/* The graphs of --all for the machines: for each fileType of fts (tx then
 * rx), every client of <statsdir>/pickles that has at least one snapshot of
 * that fileType on one of the machines within [start, end]; one graph per
 * client with the machines merged, or one per client and machine when
 * individual (always so with a single machine). */
void pxs_graph_jobs_list(const char *statsdir, const pxs_strlist *machines, const pxs_filetype *fts,
                         size_t nfts, bool individual, int64_t start, int64_t end,
                         pxs_graph_jobs *jobs);
void pxs_graph_jobs_free(pxs_graph_jobs *jobs);

/* Draws every graph of jobs with the settings of base (its clients, ft,
 * machines and types are set per job: all the types of the job's fileType),
 * njobs at a time. Failures are reported (pxs_warnx) by the child that met
 * them. *failed gets the number of graphs not drawn. Returns 0 when all were
 * drawn, 1 when some failed, -1 (pxs_error set) when none could be tried. */
int pxs_graph_jobs_run(const pxs_graph_jobs *jobs, const pxs_graph_opts *base, bool link,
                       int njobs, bool progress, size_t *failed);

#endif
