/* graphjobs — graphGen --all: which graphs, and drawing them in parallel.
 *
 * Each graph is drawn by a forked child that calls the library directly (no
 * exec of graphGen): a crash or a leak in one graph cannot stop the others,
 * and the parent only counts exit statuses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pxstats/clients.h"
#include "pxstats/graphjobs.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

static void show_progress(const char *what, size_t done, size_t total)
{
    fprintf(stderr, "\r%s %zu/%zu", what, done, total);
    fflush(stderr);
}

/* Waits for one child; returns 1 when it failed, 0 when it succeeded, -1 when
 * there is no child left. */
static int reap_one(void)
{
    int st;

    while (waitpid(-1, &st, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int pxs_jobs_run(size_t ntasks, int njobs, int (*task)(size_t i, void *arg), void *arg,
                 const char *what, bool progress)
{
    size_t next = 0, done = 0, started = 0;
    int running = 0, failed = 0;

    if (njobs < 1)
        njobs = 1;
    /* Buffered output would otherwise be written once by every child. */
    fflush(stdout);
    fflush(stderr);
    while (done < ntasks) {
        while (running < njobs && next < ntasks) {
            pid_t pid = fork();
            if (pid < 0) {
                if (running > 0)
                    break;          /* retry once a child has ended */
                pxs_set_error_errno("cannot start a process for %s", what);
                if (progress && done > 0)
                    fputc('\n', stderr);
                return started == 0 ? -1 : failed + (int)(ntasks - done);
            }
            if (pid == 0) {
                int rc = task(next, arg);
                fflush(stdout);
                fflush(stderr);
                _exit(rc == 0 ? 0 : 1);
            }
            running++;
            started++;
            next++;
        }
        int r = reap_one();
        if (r < 0)
            break;
        running--;
        done++;
        failed += r;
        if (progress)
            show_progress(what, done, ntasks);
    }
    if (progress && ntasks > 0)
        fputc('\n', stderr);
    return failed;
}

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
    bool link;
} run_ctx;

/* Runs in a child: draws graph i. */
static int draw_one(size_t i, void *arg)
{
    const run_ctx *c = arg;
    const pxs_graph_job *j = &c->jobs->v[i];
    pxs_graph_opts o = *c->base;
    pxs_strlist clients;
    int rc;

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
    return rc;
}

int pxs_graph_jobs_run(const pxs_graph_jobs *jobs, const pxs_graph_opts *base, bool link,
                       int njobs, bool progress, size_t *failed)
{
    run_ctx c = {jobs, base, link};
    int r = pxs_jobs_run(jobs->n, njobs, draw_one, &c, "graphs", progress);

    if (r < 0) {
        *failed = jobs->n;
        return -1;
    }
    *failed = (size_t)r;
    return r == 0 ? 0 : 1;
}
