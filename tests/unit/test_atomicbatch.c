/* Unit tests of the atomicfile additions of issue 12: pxs_atomic_write_text
 * (a state file built in memory, written whole or not at all), and the batch's
 * rollback and per-file commit (one client's failure does not stop the
 * others). The rest of atomicfile is in test_atomicfile.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

static int fill_lines(FILE *out, void *arg)
{
    int n = *(int *)arg;

    for (int i = 0; i < n; i++)
        fprintf(out, "line %d\n", i);
    return 0;
}

static int fill_fails(FILE *out, void *arg)
{
    (void)arg;
    fputs("half a state file\n", out);
    pxs_set_error("the state is inconsistent");
    return -1;
}

/* The temporaries ".<name>.XXXXXX" of dir. */
static int temporaries(const char *dir)
{
    char *cmd = xasprintf("ls -A %s | grep -c '^\\..*\\.......$'", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;

    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    free(cmd);
    return n;
}

static int setup(void **state)
{
    return testdir_make(state, "abatch");
}

/* dir/sub, in a buffer of its own per call site. */
#define SUB(dir, sub) (snprintf(subbuf, sizeof subbuf, "%s/%s", dir, sub), subbuf)
static char subbuf[4096];

static void write_text(void **state)
{
    const char *dir = *state;
    char *path = xasprintf("%s/STATE", dir), *text;
    int n = 3;
    size_t len;

    assert_int_equal(pxs_atomic_write_text(path, fill_lines, &n), 0);
    text = pxs_read_file(path, &len);
    assert_string_equal(text, "line 0\nline 1\nline 2\n");
    free(text);
    /* A fill that fails writes nothing: the old content stays. */
    assert_int_equal(pxs_atomic_write_text(path, fill_fails, NULL), -1);
    assert_string_equal(pxs_error(), "the state is inconsistent");
    text = pxs_read_file(path, &len);
    assert_string_equal(text, "line 0\nline 1\nline 2\n");
    free(text);
    /* Big content goes through the memory stream whole. */
    n = 100000;
    assert_int_equal(pxs_atomic_write_text(path, fill_lines, &n), 0);
    text = pxs_read_file(path, &len);
    assert_non_null(strstr(text, "line 99999\n"));
    free(text);
    assert_int_equal(temporaries(dir), 0);
    /* The same text in memory, for a write made later. */
    n = 2;
    text = pxs_fill_text(fill_lines, &n, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen("line 0\nline 1\n"));
    assert_string_equal(text, "line 0\nline 1\n");
    free(text);
    len = 77;
    assert_null(pxs_fill_text(fill_fails, NULL, &len));
    assert_string_equal(pxs_error(), "the state is inconsistent");
    assert_int_equal(len, 77);
    free(path);
}

static void rollback_and_commit_each(void **state)
{
    const char *dir = *state;
    char *a = xasprintf("%s/c1/a", dir), *b = xasprintf("%s/c2/b", dir),
         *c = xasprintf("%s/c3/c", dir), *d = xasprintf("%s/c3/d", dir);
    pxs_abatch batch;
    bool ok[4];
    size_t mark;

    pxs_abatch_init(&batch);
    assert_int_equal(pxs_abatch_write(&batch, a, "A", 1), 0);
    mark = pxs_abatch_mark(&batch);
    assert_int_equal(mark, 1);
    assert_int_equal(pxs_abatch_write(&batch, b, "B", 1), 0);
    /* The second job gives up: its file goes, the first's stays pending. */
    pxs_abatch_rollback(&batch, mark);
    assert_int_equal(pxs_abatch_mark(&batch), 1);
    assert_null(pxs_abatch_pending(&batch, b));
    assert_non_null(pxs_abatch_pending(&batch, a));
    assert_int_equal(temporaries(SUB(dir, "c2")), 0);
    /* A directory in the way of one file: the others are published. */
    assert_int_equal(pxs_abatch_write(&batch, c, "C", 1), 0);
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(pxs_abatch_write(&batch, d, "D", 1), 0);
    assert_int_equal(pxs_abatch_commit_each(&batch, ok), -1);
    assert_non_null(strstr(pxs_error(), "c3/d"));
    assert_true(ok[0]);
    assert_true(ok[1]);
    assert_false(ok[2]);
    assert_int_equal(access(a, F_OK), 0);
    assert_int_equal(access(c, F_OK), 0);
    assert_int_equal(access(b, F_OK), -1);
    assert_int_equal(temporaries(SUB(dir, "c3")), 0);
    assert_int_equal(pxs_abatch_mark(&batch), 0);
    /* An empty batch commits nothing. */
    assert_int_equal(pxs_abatch_commit_each(&batch, ok), 0);
    free(a);
    free(b);
    free(c);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_text, setup, testdir_remove),
        cmocka_unit_test_setup_teardown(rollback_and_commit_each, setup,
                                        testdir_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
