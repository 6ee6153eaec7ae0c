/* Unit tests of spawn: exit statuses, output capture, stdin feeding of large
 * buffers without deadlock, timeouts, programs that cannot run, signals, the
 * working directory, arguments passed verbatim (no shell).
 *
 * Cases that could hang run in a forked child under a time limit, so that a
 * deadlock fails one test instead of stalling the suite; such children
 * report with their exit status and never use cmocka's assertions. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/msg.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs fn() in a child; returns its exit status, or -1 when it had to be
 * killed after limit seconds (or died of a signal). */
static int run_guarded(int (*fn)(void), double limit)
{
    pid_t pid = fork();
    double t0 = now_s();
    int st;

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn());
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (now_s() - t0 > limit) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        usleep(20000);
    }
}

/* Runs argv capturing both outputs. */
static int run(char *const argv[], char **out, char **err)
{
    size_t ol = 0, el = 0;
    pxs_spawn_opts o = {0};

    o.stdout_buf = out;
    o.stdout_len = &ol;
    o.stderr_buf = err;
    o.stderr_len = &el;
    return pxs_spawn(argv, &o);
}

static void test_exit_status(void **state)
{
    char *t[] = {"true", NULL}, *f[] = {"false", NULL};
    char *e42[] = {"sh", "-c", "exit 42", NULL}, *e255[] = {"sh", "-c", "exit 255", NULL};
    pxs_spawn_opts none = {0};

    (void)state;
    assert_int_equal(pxs_spawn(t, NULL), 0);
    assert_int_equal(pxs_spawn(f, NULL), 1);
    assert_int_equal(pxs_spawn(e42, NULL), 42);
    assert_int_equal(pxs_spawn(e255, &none), 255);
}

static void test_capture(void **state)
{
    char *both[] = {"sh", "-c", "printf 'to out\\n'; printf 'to err' >&2; exit 3", NULL};
    char *quiet[] = {"true", NULL};
    char *bin[] = {"printf", "a\\000b", NULL};
    char *out = NULL, *err = NULL;
    size_t ol = 99, el = 99;
    pxs_spawn_opts o = {0};

    (void)state;
    o.stdout_buf = &out;
    o.stdout_len = &ol;
    o.stderr_buf = &err;
    o.stderr_len = &el;
    assert_int_equal(pxs_spawn(both, &o), 3);
    assert_string_equal(out, "to out\n");
    assert_int_equal(ol, 7);
    assert_string_equal(err, "to err");
    assert_int_equal(el, 6);
    free(out);
    free(err);

    /* No output: fresh empty strings, not NULL. */
    out = err = NULL;
    assert_int_equal(pxs_spawn(quiet, &o), 0);
    assert_non_null(out);
    assert_non_null(err);
    assert_string_equal(out, "");
    assert_int_equal(ol, 0);
    assert_int_equal(el, 0);
    free(out);
    free(err);

    /* Binary output: the length counts past a NUL. */
    out = err = NULL;
    assert_int_equal(pxs_spawn(bin, &o), 0);
    assert_int_equal(ol, 3);
    assert_memory_equal(out, "a\0b", 3);
    free(out);
    free(err);

    /* Only stderr captured; the length pointers may be NULL. */
    {
        char *e2[] = {"sh", "-c", "echo oops >&2", NULL};
        pxs_spawn_opts oe = {0};
        err = NULL;
        oe.stderr_buf = &err;
        assert_int_equal(pxs_spawn(e2, &oe), 0);
        assert_string_equal(err, "oops\n");
        free(err);
    }
}

static void test_large_output(void **state)
{
    /* 3 MB on stdout and 1 MB on stderr, interleaved: both drained. */
    char *argv[] = {"sh", "-c",
                    "head -c 3000000 /dev/zero | tr '\\0' o & head -c 1000000 /dev/zero | "
                    "tr '\\0' e >&2; wait",
                    NULL};
    char *out = NULL, *err = NULL;

    (void)state;
    assert_int_equal(run(argv, &out, &err), 0);
    assert_int_equal(strlen(out), 3000000);
    assert_int_equal(strlen(err), 1000000);
    assert_true(out[0] == 'o' && out[2999999] == 'o');
    assert_true(err[0] == 'e' && err[999999] == 'e');
    free(out);
    free(err);
}

static void test_stdin_small(void **state)
{
    char *cat[] = {"cat", NULL};
    char *out = NULL;
    size_t ol = 0;
    pxs_spawn_opts o = {0};

    (void)state;
    o.stdin_data = "line one\nline two\n";
    o.stdin_len = strlen(o.stdin_data);
    o.stdout_buf = &out;
    o.stdout_len = &ol;
    assert_int_equal(pxs_spawn(cat, &o), 0);
    assert_string_equal(out, "line one\nline two\n");
    free(out);

    /* Zero bytes of stdin: EOF at once. */
    out = NULL;
    o.stdin_data = "";
    o.stdin_len = 0;
    assert_int_equal(pxs_spawn(cat, &o), 0);
    assert_string_equal(out, "");
    free(out);

    /* No stdin_data: the child reads /dev/null, not our stdin. */
    out = NULL;
    o.stdin_data = NULL;
    assert_int_equal(pxs_spawn(cat, &o), 0);
    assert_string_equal(out, "");
    free(out);
}

#define BIG (8u << 20)

static char *big_buffer(void)
{
    char *data = xmalloc(BIG);

    for (size_t i = 0; i < BIG; i++)
        data[i] = (char)('A' + i % 61);
    return data;
}

/* 8 MB through cat, capturing its output: cat writes while we still write. */
static int child_big_cat(void)
{
    char *cat[] = {"cat", NULL};
    char *data = big_buffer(), *out = NULL;
    size_t ol = 0;
    pxs_spawn_opts o = {0};
    int rc, ok;

    o.stdin_data = data;
    o.stdin_len = BIG;
    o.stdout_buf = &out;
    o.stdout_len = &ol;
    rc = pxs_spawn(cat, &o);
    ok = rc == 0 && ol == BIG && memcmp(out, data, BIG) == 0;
    if (!ok)
        fprintf(stderr, "cat: rc %d, %zu bytes back of %u\n", rc, ol, BIG);
    free(out);
    free(data);
    return ok ? 0 : 1;
}

static void test_stdin_large_no_deadlock(void **state)
{
    (void)state;
    if (run_guarded(child_big_cat, 20) != 0)
        fail_msg("8 MB through cat deadlocked or came back wrong");
}

/* 8 MB into wc -c: all of it arrives. */
static int child_big_wc(void)
{
    char *wc[] = {"wc", "-c", NULL};
    char *data = big_buffer(), *out = NULL;
    pxs_spawn_opts o = {0};
    int rc, ok;

    o.stdin_data = data;
    o.stdin_len = BIG;
    o.stdout_buf = &out;
    rc = pxs_spawn(wc, &o);
    ok = rc == 0 && out != NULL && strtoul(out, NULL, 10) == BIG;
    free(out);
    free(data);
    return ok ? 0 : 1;
}

/* A child that exits without reading its stdin: no SIGPIPE death, no hang. */
static int child_ignores_stdin(void)
{
    char *argv[] = {"sh", "-c", "exit 5", NULL};
    char *data = big_buffer();
    pxs_spawn_opts o = {0};
    int rc;

    o.stdin_data = data;
    o.stdin_len = BIG;
    rc = pxs_spawn(argv, &o);
    free(data);
    return rc == 5 ? 0 : 1;
}

static void test_stdin_large_other(void **state)
{
    (void)state;
    assert_int_equal(run_guarded(child_big_wc, 20), 0);
    assert_int_equal(run_guarded(child_ignores_stdin, 20), 0);
}

static void test_timeout_captured(void **state)
{
    char *argv[] = {"sleep", "10", NULL};
    char *out = NULL;
    pxs_spawn_opts o = {0};
    double t0, took;
    int rc;

    (void)state;
    o.stdout_buf = &out;
    o.timeout = 1;
    t0 = now_s();
    rc = pxs_spawn(argv, &o);
    took = now_s() - t0;
    free(out);
    assert_int_equal(rc, -1);
    assert_string_equal(pxs_error(), "sleep timed out after 1 s");
    if (took < 0.9 || took > 3.0)
        fail_msg("timeout of 1 s took %.2f s", took);
}

/* The timeout with no pipe at all (nothing captured, no stdin). */
static int child_timeout_no_capture(void)
{
    char *argv[] = {"sleep", "6", NULL};
    pxs_spawn_opts o = {0};
    double t0 = now_s(), took;
    int rc;

    o.timeout = 1;
    rc = pxs_spawn(argv, &o);
    took = now_s() - t0;
    if (rc != -1 || strstr(pxs_error(), "timed out") == NULL || took > 3.0) {
        fprintf(stderr, "timeout 1 s without capture: rc %d after %.2f s (%s)\n", rc, took,
                pxs_error());
        return 1;
    }
    return 0;
}

static void test_timeout_no_capture(void **state)
{
    (void)state;
    if (run_guarded(child_timeout_no_capture, 10) != 0)
        fail_msg("pxs_spawn ignored its timeout when no output was captured");
}

static void test_cannot_run(void **state)
{
    char *missing[] = {"pxs-no-such-program", "arg", NULL};
    char *abs[] = {"/nonexistent/dir/prog", NULL};
    char *notexec[] = {"/etc/hostname", NULL};
    char *out = NULL, *err = NULL;

    (void)state;
    assert_int_equal(pxs_spawn(missing, NULL), -1);
    assert_int_equal(strncmp(pxs_error(), "cannot run pxs-no-such-program", 30), 0);
    assert_int_equal(pxs_spawn(abs, NULL), -1);
    assert_int_equal(strncmp(pxs_error(), "cannot run /nonexistent/dir/prog", 32), 0);
    /* Captured outputs are still fresh strings. */
    assert_int_equal(run(missing, &out, &err), -1);
    assert_non_null(out);
    assert_non_null(err);
    free(out);
    free(err);
    if (access("/etc/hostname", X_OK) != 0) {
        assert_int_equal(pxs_spawn(notexec, NULL), -1);
        assert_int_equal(strncmp(pxs_error(), "cannot run /etc/hostname", 24), 0);
    }
}

static void test_killed_by_signal(void **state)
{
    char *term[] = {"sh", "-c", "kill -TERM $$", NULL};
    char *kill9[] = {"sh", "-c", "kill -KILL $$", NULL};
    char *segv[] = {"sh", "-c", "kill -SEGV $$", NULL};

    (void)state;
    assert_int_equal(pxs_spawn(term, NULL), 128 + SIGTERM);
    assert_int_equal(pxs_spawn(kill9, NULL), 128 + SIGKILL);
    assert_int_equal(pxs_spawn(segv, NULL), 128 + SIGSEGV);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void test_cwd(void **state)
{
    char dir[] = "/tmp/pxs-test-spawn.XXXXXX";
    char *pwd[] = {"pwd", "-P", NULL};
    char *ls[] = {"ls", NULL};
    char *out = NULL, *want, real[PATH_MAX];
    char here_before[PATH_MAX], here_after[PATH_MAX];
    pxs_spawn_opts o = {0};
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(realpath(dir, real));
    {
        char *m = xasprintf("%s/marker-file", dir);
        f = fopen(m, "w");
        free(m);
        assert_non_null(f);
        fclose(f);
    }
    assert_non_null(getcwd(here_before, sizeof here_before));
    o.cwd = dir;
    o.stdout_buf = &out;
    assert_int_equal(pxs_spawn(pwd, &o), 0);
    want = xasprintf("%s\n", real);
    assert_string_equal(out, want);
    free(want);
    free(out);
    out = NULL;
    assert_int_equal(pxs_spawn(ls, &o), 0);
    assert_string_equal(out, "marker-file\n");
    free(out);
    /* Our own directory did not change. */
    assert_non_null(getcwd(here_after, sizeof here_after));
    assert_string_equal(here_before, here_after);
    /* A missing directory: the program cannot run. */
    out = NULL;
    o.cwd = "/nonexistent/pxs-dir";
    assert_int_equal(pxs_spawn(pwd, &o), -1);
    assert_non_null(strstr(pxs_error(), "cannot run pwd"));
    free(out);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_arguments_verbatim(void **state)
{
    char *argv[] = {"printf", "%s|", "a b", "$HOME", "*", "`id`", "'q'", ";", "", NULL};
    char *out = NULL;
    pxs_spawn_opts o = {0};

    (void)state;
    o.stdout_buf = &out;
    assert_int_equal(pxs_spawn(argv, &o), 0);
    assert_string_equal(out, "a b|$HOME|*|`id`|'q'|;||");
    free(out);
}

static void test_sigpipe_restored(void **state)
{
    char *t[] = {"true", NULL};
    struct sigaction before, after;

    (void)state;
    assert_int_equal(sigaction(SIGPIPE, NULL, &before), 0);
    assert_int_equal(pxs_spawn(t, NULL), 0);
    assert_int_equal(sigaction(SIGPIPE, NULL, &after), 0);
    assert_true(before.sa_handler == after.sa_handler);
}

static void test_background(void **state)
{
    char *e3[] = {"sh", "-c", "exit 3", NULL};
    char *k[] = {"sh", "-c", "kill -TERM $$", NULL};
    char *missing[] = {"pxs-no-such-program", NULL};
    pid_t a, b, c;

    (void)state;
    a = pxs_spawn_bg(e3);
    b = pxs_spawn_bg(k);
    c = pxs_spawn_bg(missing);
    assert_true(a > 0 && b > 0 && c > 0);
    assert_int_equal(pxs_spawn_wait(b), 128 + SIGTERM);
    assert_int_equal(pxs_spawn_wait(a), 3);
    assert_int_equal(pxs_spawn_wait(c), -1);
    assert_non_null(strstr(pxs_error(), "cannot run"));
    /* Waiting for something that is not our child. */
    assert_int_equal(pxs_spawn_wait(a), -1);
    assert_non_null(strstr(pxs_error(), "cannot wait"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_capture),
        cmocka_unit_test(test_large_output),
        cmocka_unit_test(test_stdin_small),
        cmocka_unit_test(test_stdin_large_no_deadlock),
        cmocka_unit_test(test_stdin_large_other),
        cmocka_unit_test(test_timeout_captured),
        cmocka_unit_test(test_timeout_no_capture),
        cmocka_unit_test(test_cannot_run),
        cmocka_unit_test(test_killed_by_signal),
        cmocka_unit_test(test_cwd),
        cmocka_unit_test(test_arguments_verbatim),
        cmocka_unit_test(test_sigpipe_restored),
        cmocka_unit_test(test_background),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
