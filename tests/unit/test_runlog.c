/* Unit tests of runlog: the line format, appending, the directory created,
 * long messages kept on one line, concurrent writers never interleaving, a
 * log that cannot be written warned about once without failing the run, a
 * text kept line by line, and reading a log back. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/runlog.h"
#include "pxstats/xalloc.h"

#define PATH_SIZE 4096

static int setup_dir(void **state)
{
    if (testdir_make(state, "runlog") != 0)
        return -1;
    setenv("PXS_NOW", "2006-10-08 12:34:56", 1);
    pxs_set_progname("/usr/bin/statsUpdater");
    return 0;
}

static int teardown_dir(void **state)
{
    unsetenv("PXS_NOW");
    return testdir_remove(state);
}

static char *log_text(const char *dir, const char *prog)
{
    char path[PATH_SIZE];
    char *s;

    snprintf(path, sizeof path, "%s/log/%s.log", dir, prog);
    s = pxs_read_file(path, NULL);
    if (s == NULL)
        fail_msg("%s", pxs_error());
    return s;
}

static void test_format_and_append(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    struct stat st;
    char *s;

    pxs_runlog(dir, "collected %d hours for %s", 3, "amis");
    s = log_text(dir, "statsUpdater");
    assert_string_equal(s, "2006-10-08 12:34:56 statsUpdater: collected 3 hours for amis\n");
    free(s);
    setenv("PXS_NOW", "2006-10-08 13:00:00", 1);
    pxs_runlog(dir, "done");
    s = log_text(dir, "statsUpdater");
    assert_string_equal(s, "2006-10-08 12:34:56 statsUpdater: collected 3 hours for amis\n"
                           "2006-10-08 13:00:00 statsUpdater: done\n");
    free(s);
    /* A log per program. */
    pxs_set_progname("rrdTransfer");
    pxs_runlog(dir, "%s", "fed 10 databases");
    s = log_text(dir, "rrdTransfer");
    assert_string_equal(s, "2006-10-08 13:00:00 rrdTransfer: fed 10 databases\n");
    free(s);
    /* The file follows the umask (027 from main). */
    snprintf(path, sizeof path, "%s/log/rrdTransfer.log", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
}

static void test_missing_directories_created(void **state)
{
    const char *dir = *state;
    char stats[PATH_SIZE];
    char *s;

    snprintf(stats, sizeof stats, "%s/deep/stats", dir);
    pxs_runlog(stats, "first");
    s = log_text(stats, "statsUpdater");
    assert_string_equal(s, "2006-10-08 12:34:56 statsUpdater: first\n");
    free(s);
}

static void test_long_message_one_line(void **state)
{
    const char *dir = *state;
    char *big = xmalloc(10001), *s;
    size_t len;

    memset(big, 'x', 10000);
    big[10000] = '\0';
    pxs_runlog(dir, "big %s", big);
    pxs_runlog(dir, "after");
    s = log_text(dir, "statsUpdater");
    len = strcspn(s, "\n");
    /* Cut, but still one whole line, and the next line is intact. */
    assert_true(len > 100 && len < 10000);
    assert_int_equal(strncmp(s, "2006-10-08 12:34:56 statsUpdater: big xxx", 41), 0);
    assert_string_equal(s + len + 1, "2006-10-08 12:34:56 statsUpdater: after\n");
    free(s);
    free(big);
}

static void test_concurrent_writers(void **state)
{
    enum { KIDS = 8, LINES = 200 };
    const char *dir = *state;
    pid_t pids[KIDS];
    int st, count[KIDS] = {0}, total = 0;
    char *s, *line, *save = NULL;

    fflush(stdout);
    fflush(stderr);
    for (int k = 0; k < KIDS; k++) {
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0) {
            for (int i = 0; i < LINES; i++)
                pxs_runlog(dir, "writer %d line %d %s", k, i,
                           "padding-padding-padding-padding-padding-padding-padding-padding");
            _exit(0);
        }
    }
    for (int k = 0; k < KIDS; k++) {
        assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    s = log_text(dir, "statsUpdater");
    for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int k, i;
        char tail[128];
        if (sscanf(line, "2006-10-08 12:34:56 statsUpdater: writer %d line %d %127s", &k, &i,
                   tail) != 3 ||
            k < 0 || k >= KIDS || strcmp(tail, "padding-padding-padding-padding-padding-padding-"
                                               "padding-padding") != 0)
            fail_msg("mixed line: '%s'", line);
        count[k]++;
        total++;
    }
    assert_int_equal(total, KIDS * LINES);
    for (int k = 0; k < KIDS; k++)
        assert_int_equal(count[k], LINES);
    free(s);
}

/* In a child (the "warned once" state is per process): stderr captured. */
static void test_unwritable_warns_once(void **state)
{
    const char *dir = *state;
    char file[PATH_SIZE], err[4096], want[PATH_SIZE + 128];
    int pe[2], st;
    ssize_t n;
    pid_t pid;

    snprintf(file, sizeof file, "%s/plainfile", dir);
    assert_int_equal(pxs_atomic_write(file, "x", 1), 0);
    assert_int_equal(pipe(pe), 0);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pe[1], 2);
        close(pe[0]);
        close(pe[1]);
        /* The stats dir is a regular file: log/ cannot be made. */
        pxs_runlog(file, "one");
        pxs_runlog(file, "two");
        pxs_runlog(file, "three");
        _exit(7); /* still running: logging never ends the run */
    }
    close(pe[1]);
    /* Read to EOF: stderr is unbuffered, a message comes in several writes. */
    n = 0;
    for (;;) {
        ssize_t r = read(pe[0], err + n, sizeof err - 1 - (size_t)n);
        if (r <= 0 || (size_t)(n += r) == sizeof err - 1)
            break;
    }
    close(pe[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(n > 0);
    err[n] = '\0';
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 7)
        fail_msg("the run did not go on (wait status 0x%x): %s", (unsigned)st, err);
    snprintf(want, sizeof want, "statsUpdater: cannot write the run log %s/log/statsUpdater.log: ",
             file);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    /* Exactly one line. */
    assert_non_null(strchr(err, '\n'));
    assert_string_equal(strchr(err, '\n'), "\n");
}

/* A report kept in the log: a title line, then every line of the text with
 * the same prefix and "| ", an empty line included, no line lost. */
static void test_text(void **state)
{
    const char *dir = *state;
    char *s;

    pxs_runlog_text(dir, "the report could not be mailed (sendmail failed)",
                    "Stats monitor results\n\nNo warnings.\nlast line without newline");
    s = log_text(dir, "statsUpdater");
    assert_string_equal(s, "2006-10-08 12:34:56 statsUpdater: the report could not be mailed "
                           "(sendmail failed)\n"
                           "2006-10-08 12:34:56 statsUpdater: | Stats monitor results\n"
                           "2006-10-08 12:34:56 statsUpdater: | \n"
                           "2006-10-08 12:34:56 statsUpdater: | No warnings.\n"
                           "2006-10-08 12:34:56 statsUpdater: | last line without newline\n");
    free(s);
}

typedef struct seen {
    int n;
    int64_t t[8];
    char text[8][64];
} seen;

static void collect(int64_t t, const char *text, void *arg)
{
    seen *s = arg;
    if (s->n < 8) {
        s->t[s->n] = t;
        snprintf(s->text[s->n], sizeof s->text[0], "%s", text);
    }
    s->n++;
}

/* Reading back: the lines of the program, their time and text; another
 * program's lines, damaged lines and a missing log give nothing. */
static void test_read(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    seen s = {0};

    assert_int_equal(pxs_runlog_read(dir, "pickleSync", collect, &s), 0);
    assert_int_equal(s.n, 0);
    snprintf(path, sizeof path, "%s/log/pickleSync.log", dir);
    const char *text = "2026-11-23 05:05:00 pickleSync: px@pds5:22: synchronised\n"
                       "garbage line\n"
                       "2026-11-23 05:06:00 rrdTransfer: not this one\n"
                       "2026-13-23 05:06:00 pickleSync: a bad date\n"
                       "2026-11-23 06:05:09 pickleSync: px@pds6:22: failed";   /* no newline */
    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
    assert_int_equal(pxs_runlog_read(dir, "pickleSync", collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.t[0], 1795410300);
    assert_string_equal(s.text[0], "px@pds5:22: synchronised");
    assert_string_equal(s.text[1], "px@pds6:22: failed");
    /* What pxs_runlog writes, pxs_runlog_read reads. */
    pxs_runlog(dir, "hello %d", 42);
    memset(&s, 0, sizeof s);
    assert_int_equal(pxs_runlog_read(dir, "statsUpdater", collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.text[0], "hello 42");
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/log/statsUpdater.log", dir);
        chmod(path, 0);
        assert_int_equal(pxs_runlog_read(dir, "statsUpdater", collect, &s), -1);
        assert_non_null(strstr(pxs_error(), "statsUpdater.log"));
        chmod(path, 0644);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_format_and_append),
        T(test_missing_directories_created),
        T(test_long_message_one_line),
        T(test_concurrent_writers),
        T(test_unwritable_warns_once),
        T(test_text),
        T(test_read),
    };

    umask(027);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
