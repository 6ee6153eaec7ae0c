/* graphjobs — graphGen --all: a graph for every client and source of a set
 * of machines (the seed's generateAllGraphsForServer), drawn by parallel
 * processes. */
#ifndef PXSTATS_GRAPHJOBS_H
#define PXSTATS_GRAPHJOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "gnuplot.h"
#include "strlist.h"

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
 * in njobs worker processes (jobs.h). Failures are reported (pxs_warnx) by
 * the worker that met them, a worker killed by a signal by the parent.
 * *failed gets the number of graphs not drawn. Returns 0 when all were
 * drawn, 1 when some failed, -1 (pxs_error set) when the workers could not be
 * started or kept alive (the graphs not tried count as failed). */
int pxs_graph_jobs_run(const pxs_graph_jobs *jobs, const pxs_graph_opts *base, bool link,
                       int njobs, bool progress, size_t *failed);

#endif
