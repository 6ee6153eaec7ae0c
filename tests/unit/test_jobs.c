/* Unit tests of jobs, the one job runner: every job runs exactly once and is
 * reported once, in worker processes (at most `workers` of them alive at a
 * time), a job that crashes its worker is reported as failed with 128+signal
 * while the others go on, workers = 1 and workers > n, and workers = 0 runs
 * in this process. Each job proves it ran by creating a file with O_EXCL
 * (a second run of it would fail). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/jobs.h"

#define NMAX 64

typedef struct ctx {
    const char *dir;
    size_t crash_at[4];     /* jobs that kill their worker (index + 1; 0 = none) */
    int crash_sig;
    int reported[NMAX];     /* done calls per job */
    int status[NMAX];
    long pid[NMAX];         /* the process that ran the job (from msg) */
    size_t calls;
} ctx;

static int setup(void **state)
{
    return testdir_make(state, "jobs");
}

static int teardown(void **state)
{
    return testdir_remove(state);
}

static int job(size_t i, void *arg, char *msg, size_t size)
{
    ctx *c = arg;
    char path[256];

    snprintf(path, sizeof path, "%s/job%zu", c->dir, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return 99;          /* ran twice */
    close(fd);
    for (size_t k = 0; k < 4; k++)
        if (c->crash_at[k] == i + 1) {
            /* cmocka catches SIGSEGV and SIGABRT in the test process, and a
             * worker inherits its handlers: crash as a program without. */
            signal(c->crash_sig, SIG_DFL);
            raise(c->crash_sig);
        }
    snprintf(msg, size, "%ld", (long)getpid());
    return (int)(i % 3 == 1);
}

static void job_done(size_t i, int status, const char *msg, void *arg)
{
    ctx *c = arg;

    assert_true(i < NMAX);
    c->reported[i]++;
    c->status[i] = status;
    c->pid[i] = *msg ? atol(msg) : -1;
    c->calls++;
}

static bool ran(const ctx *c, size_t i)
{
    char path[256];
    snprintf(path, sizeof path, "%s/job%zu", c->dir, i);
    return access(path, F_OK) == 0;
}

static void clear_dir(const char *dir, size_t n)
{
    char path[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/job%zu", dir, i);
        unlink(path);
    }
}

/* Runs n jobs with workers; checks each ran and was reported exactly once
 * with its own status, and returns how many distinct worker pids ran them. */
static size_t run_and_check(ctx *c, size_t n, int workers)
{
    clear_dir(c->dir, NMAX);
    memset(c->reported, 0, sizeof c->reported);
    c->calls = 0;
    assert_int_equal(pxs_jobs_run(n, workers, job, job_done, c), 0);
    assert_int_equal(c->calls, n);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(ran(c, i));
        assert_int_equal(c->reported[i], 1);
        bool crashed = false;
        for (size_t k = 0; k < 4; k++)
            crashed = crashed || c->crash_at[k] == i + 1;
        if (crashed) {
            assert_int_equal(c->status[i], 128 + c->crash_sig);
            assert_int_equal(c->pid[i], -1);
            continue;
        }
        assert_int_equal(c->status[i], (int)(i % 3 == 1));
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || c->pid[j] == c->pid[i];
        distinct += !seen;
    }
    assert_false(ran(c, n));   /* nothing beyond n */
    return distinct;
}

static void test_all_jobs_once(void **state)
{
    ctx c = {.dir = *state, .crash_sig = SIGKILL};

    /* 40 jobs, 3 workers: every job once, only in the 3 workers. */
    size_t d = run_and_check(&c, 40, 3);
    assert_true(d >= 1 && d <= 3);
    for (size_t i = 0; i < 40; i++)
        assert_int_not_equal(c.pid[i], (long)getpid());
    /* No job at all. */
    assert_int_equal(pxs_jobs_run(0, 3, job, job_done, &c), 0);
    assert_int_equal(pxs_jobs_run(0, 0, job, job_done, &c), 0);
}

static void test_one_worker_and_more_than_jobs(void **state)
{
    ctx c = {.dir = *state, .crash_sig = SIGKILL};

    /* workers = 1: one worker process, not this one. */
    assert_int_equal(run_and_check(&c, 9, 1), 1);
    assert_int_not_equal(c.pid[0], (long)getpid());
    /* workers > n: no more workers than jobs, each job once. */
    size_t d = run_and_check(&c, 3, 50);
    assert_true(d >= 1 && d <= 3);
    /* workers = 0: in this process. */
    assert_int_equal(run_and_check(&c, 5, 0), 1);
    assert_int_equal(c.pid[0], (long)getpid());
}

static void test_crash_counted_others_go_on(void **state)
{
    ctx c = {.dir = *state, .crash_sig = SIGKILL};

    /* The first, a middle and the last job kill their worker. */
    c.crash_at[0] = 1;
    c.crash_at[1] = 6;
    c.crash_at[2] = 12;
    run_and_check(&c, 12, 2);
    /* One worker, crashing twice in a row: replaced each time. */
    c.crash_sig = SIGSEGV;
    c.crash_at[0] = 3;
    c.crash_at[1] = 4;
    c.crash_at[2] = 0;
    run_and_check(&c, 8, 1);
    /* Every job crashes: each is still reported, the run completes. */
    c.crash_sig = SIGABRT;
    c.crash_at[0] = 1;
    c.crash_at[1] = 2;
    c.crash_at[2] = 3;
    c.crash_at[3] = 4;
    run_and_check(&c, 4, 3);
}

/* A job that exits (as a library calling exit would) fails with that status. */
static int exits(size_t i, void *arg, char *msg, size_t size)
{
    (void)arg;
    (void)msg;
    (void)size;
    if (i == 1)
        _exit(7);
    return 0;
}

static void test_exit_in_job(void **state)
{
    ctx c = {.dir = *state};

    memset(c.status, -1, sizeof c.status);
    assert_int_equal(pxs_jobs_run(3, 2, exits, job_done, &c), 0);
    assert_int_equal(c.calls, 3);
    assert_int_equal(c.status[0], 0);
    assert_int_equal(c.status[1], 7);
    assert_int_equal(c.status[2], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_jobs_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_worker_and_more_than_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_counted_others_go_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_in_job, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
