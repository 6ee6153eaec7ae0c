/* jobs — the one job runner (see jobs.h).
 *
 * Each worker is a forked process holding one end of a socketpair: it reads a
 * job index, runs the job, writes back a result record, and waits for the
 * next. Workers live for the whole run. A worker that dies (a crash, a
 * signal) is reported as its job's failure and replaced. A socketpair rather
 * than pipes: send() with MSG_NOSIGNAL to a dead worker fails instead of
 * killing the parent. */
#include "pxstats/jobs.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

typedef struct job_result {
    int status;
    char msg[PXS_JOB_MSG];
} job_result;

typedef struct worker {
    pid_t pid;
    int fd;        /* the parent's end of the socketpair, -1 when no worker */
    long job;      /* the job running, -1 when idle */
} worker;

void pxs_jobs_progress(const char *what, size_t done, size_t total, bool on)
{
    if (!on)
        return;
    fprintf(stderr, "\r%s: %s %zu/%zu%s", pxs_progname(), what, done, total,
            done == total ? "\n" : "");
    fflush(stderr);
}

/* Reads exactly len bytes; false on EOF or error. */
static bool read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, (char *)buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static int run_job(pxs_job_fn fn, size_t i, void *arg, char *msg)
{
    msg[0] = '\0';
    int status = fn(i, arg, msg, PXS_JOB_MSG) & 0xff;
    msg[PXS_JOB_MSG - 1] = '\0';
    return status;
}

static _Noreturn void worker_loop(int fd, pxs_job_fn fn, void *arg)
{
    size_t i;
    while (read_full(fd, &i, sizeof i)) {
        job_result r;
        r.status = run_job(fn, i, arg, r.msg);
        fflush(stdout);
        fflush(stderr);
        if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
            break;
    }
    _exit(0);
}

/* Starts worker slot k; the others' sockets are closed in the child, so that
 * each worker sees the end of its own socket only. */
static int start_worker(worker *w, size_t nw, size_t k, pxs_job_fn fn, void *arg)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        pxs_set_error_errno("cannot start a worker process: socketpair");
        return -1;
    }
    /* Buffered output would otherwise be written by both processes. */
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        pxs_set_error_errno("cannot start a worker process");
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        for (size_t j = 0; j < nw; j++)
            if (j != k && w[j].fd >= 0)
                close(w[j].fd);
        worker_loop(sv[1], fn, arg);
    }
    close(sv[1]);
    w[k] = (worker){pid, sv[0], -1};
    return 0;
}

/* Gives job i to worker k; false when the worker is gone. */
static bool assign(worker *wk, size_t i)
{
    if (send(wk->fd, &i, sizeof i, MSG_NOSIGNAL) != (ssize_t)sizeof i)
        return false;
    wk->job = (long)i;
    return true;
}

/* The worker ended (its socket closed): reaps it, reports the job it had in
 * hand, if any, and frees the slot. */
static void worker_died(worker *wk, pxs_job_done_fn done, void *arg)
{
    int ws = 0;
    close(wk->fd);
    wk->fd = -1;
    while (waitpid(wk->pid, &ws, 0) < 0 && errno == EINTR)
        ;
    /* A worker never exits by itself with a job in hand: any end is a failure. */
    int status = 1;
    if (WIFSIGNALED(ws))
        status = 128 + WTERMSIG(ws);
    else if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0)
        status = WEXITSTATUS(ws);
    if (wk->job >= 0)
        done((size_t)wk->job, status, "", arg);
    wk->job = -1;
}

static size_t alive(const worker *w, size_t nw)
{
    size_t a = 0;
    for (size_t k = 0; k < nw; k++)
        a += w[k].fd >= 0;
    return a;
}

int pxs_jobs_run(size_t n, int workers, pxs_job_fn fn, pxs_job_done_fn done, void *arg)
{
    if (workers <= 0) {
        for (size_t i = 0; i < n; i++) {
            char msg[PXS_JOB_MSG];
            int status = run_job(fn, i, arg, msg);
            done(i, status, msg, arg);
        }
        return 0;
    }
    if (n == 0)
        return 0;
    size_t nw = (size_t)workers < n ? (size_t)workers : n, next = 0, finished = 0, lost = 0;
    worker *w = xcalloc(nw, sizeof *w);
    struct pollfd *pf = xcalloc(nw, sizeof *pf);
    int rc = 0;
    for (size_t k = 0; k < nw; k++)
        w[k] = (worker){-1, -1, -1};
    while (finished < n && rc == 0) {
        /* Keep every slot busy while jobs remain; a lost worker is replaced.
         * A worker that cannot be started is tried again next round while
         * others run; with none left the run stops. */
        for (size_t k = 0; k < nw && next < n; k++) {
            if (w[k].fd < 0 && start_worker(w, nw, k, fn, arg) != 0)
                continue;
            if (w[k].job >= 0)
                continue;
            if (assign(&w[k], next)) {
                next++;
            } else if (++lost > 16 * nw) {
                pxs_set_error("worker processes die before taking a job");
                rc = -1;
                break;
            } else {
                worker_died(&w[k], done, arg);   /* idle: restarted next round */
            }
        }
        if (rc == 0 && next < n && alive(w, nw) == 0)
            rc = -1;                             /* pxs_error set by start_worker */
        size_t np = 0;
        for (size_t k = 0; k < nw; k++)
            if (w[k].job >= 0)
                pf[np++] = (struct pollfd){.fd = w[k].fd, .events = POLLIN};
        if (rc != 0 || np == 0)
            continue;
        if (poll(pf, np, -1) < 0) {
            if (errno == EINTR)
                continue;
            pxs_set_error_errno("poll");
            rc = -1;
            break;
        }
        for (size_t k = 0, p = 0; k < nw; k++) {
            if (w[k].job < 0)
                continue;
            /* pf lists the busy workers in slot order. */
            short rev = pf[p++].revents;
            if (rev == 0)
                continue;
            job_result r;
            if (read_full(w[k].fd, &r, sizeof r)) {
                r.msg[PXS_JOB_MSG - 1] = '\0';
                done((size_t)w[k].job, r.status, r.msg, arg);
                w[k].job = -1;
            } else {
                worker_died(&w[k], done, arg);
            }
            finished++;
        }
    }
    /* Closing a worker's socket is its signal to exit. */
    for (size_t k = 0; k < nw; k++) {
        if (w[k].fd < 0)
            continue;
        close(w[k].fd);
        while (waitpid(w[k].pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    free(pf);
    free(w);
    return rc;
}
