/* Unit tests of lock: take and release, a second run refused with the name of
 * the lock and the holder's pid, waiting, and the kernel releasing the lock of
 * a holder killed with SIGKILL. Children are forked; they report through
 * their exit status and a pipe, and leave with _exit. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

#define PATH_SIZE 4096

static int setup_dir(void **state)
{
    if (testdir_make(state, "lock") != 0)
        return -1;
    return 0;
}

static int teardown_dir(void **state)
{
    return testdir_remove(state);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Forks a child that tries the lock without waiting and writes the result
 * code and pxs_error() into a pipe; returns the code, the message in msg. */
static int try_in_child(const char *dir, const char *name, char *msg, size_t size)
{
    int p[2], st, rc = -99;
    pid_t pid;
    ssize_t n;

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pxs_lock l;
        char out[2048];
        int r = pxs_lock_take(&l, dir, name, false);
        int len = snprintf(out, sizeof out, "%d %s", r, r == 0 ? "" : pxs_error());
        close(p[0]);
        if (write(p[1], out, (size_t)len) != len)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    n = read(p[0], msg, size - 1);
    close(p[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(n > 0);
    msg[n] = '\0';
    assert_int_equal(sscanf(msg, "%d", &rc), 1);
    memmove(msg, strchr(msg, ' ') + 1, strlen(strchr(msg, ' ') + 1) + 1);
    return rc;
}

static void test_take_release(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE], want[64];
    pxs_lock l;
    size_t len;
    char *pid;

    assert_int_equal(pxs_lock_take(&l, dir, "statsUpdater", false), 0);
    snprintf(path, sizeof path, "%s/.statsUpdater.lock", dir);
    assert_non_null(l.path);
    assert_string_equal(l.path, path);
    assert_true(l.fd >= 0);
    /* The holder's pid is in the file, for the operator. */
    pid = pxs_read_file(path, &len);
    assert_non_null(pid);
    snprintf(want, sizeof want, "%ld\n", (long)getpid());
    assert_string_equal(pid, want);
    free(pid);
    pxs_lock_release(&l);
    assert_int_equal(l.fd, -1);
    assert_null(l.path);
    /* Release twice is harmless. */
    pxs_lock_release(&l);

    /* Taken again, waiting or not, once released. */
    assert_int_equal(pxs_lock_take(&l, dir, "statsUpdater", false), 0);
    pxs_lock_release(&l);
    assert_int_equal(pxs_lock_take(&l, dir, "statsUpdater", true), 0);
    pxs_lock_release(&l);
}

static void test_missing_directory_created(void **state)
{
    const char *dir = *state;
    char sub[PATH_SIZE], path[PATH_SIZE];
    pxs_lock l;

    snprintf(sub, sizeof sub, "%s/a/b", dir);
    assert_int_equal(pxs_lock_take(&l, sub, "x", false), 0);
    snprintf(path, sizeof path, "%s/a/b/.x.lock", dir);
    assert_int_equal(access(path, F_OK), 0);
    pxs_lock_release(&l);
}

static void test_failure(void **state)
{
    const char *dir = *state;
    char file[PATH_SIZE], sub[PATH_SIZE];
    pxs_lock l;

    snprintf(file, sizeof file, "%s/file", dir);
    assert_int_equal(pxs_atomic_write(file, "x", 1), 0);
    snprintf(sub, sizeof sub, "%s/file/sub", dir);
    assert_int_equal(pxs_lock_take(&l, sub, "x", false), -1);
    assert_int_equal(l.fd, -1);
    assert_null(l.path);
    assert_non_null(strstr(pxs_error(), sub));
    assert_non_null(strstr(pxs_error(), "Not a directory"));
    /* The directory itself being a file. */
    assert_int_equal(pxs_lock_take(&l, file, "x", false), -1);
    assert_non_null(strstr(pxs_error(), file));
    assert_int_equal(l.fd, -1);
    pxs_lock_release(&l); /* safe after a failed take */
}

static void test_second_run_refused(void **state)
{
    const char *dir = *state;
    char msg[2048], want[2048];
    pxs_lock l, again;

    assert_int_equal(pxs_lock_take(&l, dir, "rrdTransfer", false), 0);
    /* Another process: refused with the lock's path and our pid. */
    assert_int_equal(try_in_child(dir, "rrdTransfer", msg, sizeof msg), 1);
    snprintf(want, sizeof want, "another rrdTransfer run holds %s/.rrdTransfer.lock (pid %ld)", dir,
             (long)getpid());
    assert_string_equal(msg, want);
    /* Another lock name is independent. */
    assert_int_equal(try_in_child(dir, "pickleSync", msg, sizeof msg), 0);
    /* A second take in this same process (another open file) is refused
     * too, and leaves the struct empty. */
    assert_int_equal(pxs_lock_take(&again, dir, "rrdTransfer", false), 1);
    assert_int_equal(again.fd, -1);
    assert_null(again.path);
    assert_non_null(strstr(pxs_error(), "another rrdTransfer run holds"));
    pxs_lock_release(&l);
    /* Free again: the child gets it. */
    assert_int_equal(try_in_child(dir, "rrdTransfer", msg, sizeof msg), 0);
}

static void test_released_when_holder_killed(void **state)
{
    const char *dir = *state;
    char want[64], c;
    int p[2], st;
    pid_t pid;
    pxs_lock l;

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pxs_lock hold;
        close(p[0]);
        if (pxs_lock_take(&hold, dir, "launchGraphs", false) != 0)
            _exit(3);
        if (write(p[1], "k", 1) != 1)
            _exit(4);
        for (;;)
            pause();
    }
    close(p[1]);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    /* Held by the child: refused, naming the child's pid. */
    assert_int_equal(pxs_lock_take(&l, dir, "launchGraphs", false), 1);
    snprintf(want, sizeof want, "(pid %ld)", (long)pid);
    assert_non_null(strstr(pxs_error(), want));
    /* SIGKILL: no cleanup code runs, yet the kernel drops the flock. */
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    assert_int_equal(pxs_lock_take(&l, dir, "launchGraphs", false), 0);
    pxs_lock_release(&l);
}

static void test_wait_for_holder(void **state)
{
    const char *dir = *state;
    int p[2], st;
    pid_t pid;
    pxs_lock l;
    double t0, waited;
    char c;

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pxs_lock hold;
        close(p[0]);
        if (pxs_lock_take(&hold, dir, "graphGen", false) != 0)
            _exit(3);
        if (write(p[1], "k", 1) != 1)
            _exit(4);
        usleep(600000);
        pxs_lock_release(&hold);
        _exit(0);
    }
    close(p[1]);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    t0 = now_s();
    assert_int_equal(pxs_lock_take(&l, dir, "graphGen", true), 0);
    waited = now_s() - t0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (waited < 0.3 || waited > 5.0)
        fail_msg("waited %.2f s for a lock held 0.6 s", waited);
    pxs_lock_release(&l);
}

static void test_stale_file_and_unknown_pid(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE], want[PATH_SIZE + 64], c;
    int p[2], st;
    pid_t pid;
    pxs_lock l;
    char *text;

    /* A lock file left by a dead run (a longer pid than ours) is no lock:
     * taken, and its content replaced by our pid alone. */
    snprintf(path, sizeof path, "%s/.pickleMerge.lock", dir);
    assert_int_equal(pxs_atomic_write(path, "1234567890123\n", 14), 0);
    assert_int_equal(pxs_lock_take(&l, dir, "pickleMerge", false), 0);
    text = pxs_read_file(path, NULL);
    snprintf(want, sizeof want, "%ld\n", (long)getpid());
    assert_string_equal(text, want);
    free(text);
    pxs_lock_release(&l);

    /* A holder that has not written its pid (yet): "pid unknown". */
    assert_int_equal(truncate(path, 0), 0);
    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        close(p[0]);
        if (fd < 0 || flock(fd, LOCK_EX) != 0 || write(p[1], "k", 1) != 1)
            _exit(3);
        for (;;)
            pause();
    }
    close(p[1]);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    assert_int_equal(pxs_lock_take(&l, dir, "pickleMerge", false), 1);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    snprintf(want, sizeof want, "another pickleMerge run holds %s (pid unknown)", path);
    assert_string_equal(pxs_error(), want);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_take_release),
        T(test_missing_directory_created),
        T(test_failure),
        T(test_second_run_refused),
        T(test_released_when_holder_killed),
        T(test_wait_for_holder),
        T(test_stale_file_and_unknown_pid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
