/* graphjobs — graphGen --all: which graphs, and drawing them in parallel.
 *
 * The graphs are drawn by worker processes of the job runner (jobs.h) that
 * call the library directly (no exec of graphGen): a crash in one graph
 * cannot stop the others, and the parent counts the statuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/clients.h"
#include "pxstats/graphjobs.h"
#include "pxstats/jobs.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* True when client has a snapshot of ft on one of machines for an hour of
 * [start, end]. */
static bool has_snapshot(const char *statsdir, const char *client, pxs_filetype ft,
                         const pxs_strlist *machines, int64_t start, int64_t end)
{
    for (int64_t t = pxs_hour_floor(start); t <= end; t += PXS_HOUR)
        for (size_t i = 0; i < machines->n; i++) {
            char *p = pxs_pickle_path(statsdir, client, t, ft, machines->v[i]);
            int there = access(p, F_OK) == 0;
            free(p);
            if (there)
                return true;
        }
    return false;
}

static void add_job(pxs_graph_jobs *jobs, pxs_filetype ft, const char *client,
                    const pxs_strlist *machines, size_t first, size_t n)
{
    pxs_graph_job *j;

    jobs->v = xrealloc(jobs->v, (jobs->n + 1) * sizeof *jobs->v);
    j = &jobs->v[jobs->n++];
    j->ft = ft;
    j->client = xstrdup(client);
    pxs_strlist_init(&j->machines);
    for (size_t i = first; i < first + n; i++)
        pxs_strlist_add(&j->machines, machines->v[i]);
}

void pxs_graph_jobs_list(const char *statsdir, const pxs_strlist *machines, const pxs_filetype *fts,
                         size_t nfts, bool individual, int64_t start, int64_t end,
                         pxs_graph_jobs *jobs)
{
    pxs_strlist clients;

    memset(jobs, 0, sizeof *jobs);
    pxs_strlist_init(&clients);
    if (pxs_clients_from_pickles(statsdir, &clients) != 0)
        pxs_warnx("%s", pxs_error());
    /* A single machine has nothing to combine. */
    individual = individual || machines->n == 1;
    for (size_t f = 0; f < nfts; f++)
        for (size_t c = 0; c < clients.n; c++) {
            if (!individual) {
                if (has_snapshot(statsdir, clients.v[c], fts[f], machines, start, end))
                    add_job(jobs, fts[f], clients.v[c], machines, 0, machines->n);
                continue;
            }
            for (size_t m = 0; m < machines->n; m++) {
                pxs_strlist one = {&machines->v[m], 1, 1};
                if (has_snapshot(statsdir, clients.v[c], fts[f], &one, start, end))
                    add_job(jobs, fts[f], clients.v[c], machines, m, 1);
            }
        }
    pxs_strlist_free(&clients);
}

void pxs_graph_jobs_free(pxs_graph_jobs *jobs)
{
    for (size_t i = 0; i < jobs->n; i++) {
        free(jobs->v[i].client);
        pxs_strlist_free(&jobs->v[i].machines);
    }
    free(jobs->v);
    memset(jobs, 0, sizeof *jobs);
}

typedef struct run_ctx {
    const pxs_graph_jobs *jobs;
    const pxs_graph_opts *base;
    bool link, progress;
    size_t done, failed;
} run_ctx;

/* Runs in a worker: draws graph i. */
static int draw_one(size_t i, void *arg, char *msg, size_t msgsize)
{
    const run_ctx *c = arg;
    const pxs_graph_job *j = &c->jobs->v[i];
    pxs_graph_opts o = *c->base;
    pxs_strlist clients;
    int rc;

    (void)msg;
    (void)msgsize;
    pxs_strlist_init(&clients);
    pxs_strlist_add(&clients, j->client);
    o.clients = &clients;
    o.ft = j->ft;
    o.machines = &j->machines;
    pxs_graph_types_parse("All", j->ft, o.types, &o.ntypes);
    rc = pxs_graph_make(&o, NULL, c->link, NULL);
    if (rc != 0)
        pxs_warnx("%s %s: %s", pxs_filetype_name(j->ft), j->client, pxs_error());
    pxs_strlist_free(&clients);
    return rc == 0 ? 0 : 1;
}

static void draw_done(size_t i, int status, const char *msg, void *arg)
{
    run_ctx *c = arg;
    const pxs_graph_job *j = &c->jobs->v[i];

    (void)msg;
    if (status != 0)
        c->failed++;
    /* A graph that failed by itself has said why; a killed worker could not. */
    if (status > 128)
        pxs_warnx("%s %s: worker killed by signal %d", pxs_filetype_name(j->ft), j->client,
                  status - 128);
    pxs_jobs_progress("graphs", ++c->done, c->jobs->n, c->progress);
}

int pxs_graph_jobs_run(const pxs_graph_jobs *jobs, const pxs_graph_opts *base, bool link,
                       int njobs, bool progress, size_t *failed)
{
    run_ctx c = {jobs, base, link, progress, 0, 0};

    if (pxs_jobs_run(jobs->n, njobs < 1 ? 1 : njobs, draw_one, draw_done, &c) != 0) {
        if (progress && c.done > 0 && c.done < jobs->n)
            fputc('\n', stderr);
        *failed = c.failed + (jobs->n - c.done);
        return -1;
    }
    *failed = c.failed;
    return c.failed == 0 ? 0 : 1;
}
