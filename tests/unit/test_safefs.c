/* Unit tests of safefs: regular files only, no link followed inside the
 * stats tree (last component or a directory on the way), links followed
 * outside it, FIFOs refused without blocking, listings that do not follow
 * links, "a missing directory is empty", mkdir -p that refuses a link. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"
#include "testdir.h"

/* Each test: a fresh directory holding the tree "<dir>/stats" (registered
 * as the root) and an "outside" directory beside it. */
static int setup(void **state)
{
    if (testdir_make(state, "safefs") != 0)
        return -1;
    char *stats = xasprintf("%s/stats", (char *)*state);
    char *out = xasprintf("%s/outside", (char *)*state);
    int rc = mkdir(stats, 0777) | mkdir(out, 0777);
    pxs_tree_set_root(stats);
    free(stats);
    free(out);
    /* A test that fails inside an alarm must not leave it armed. */
    alarm(0);
    return rc;
}

static int teardown(void **state)
{
    alarm(0);
    pxs_tree_set_root(NULL);
    return testdir_remove(state);
}

static char *at(void **state, const char *rel) { return xasprintf("%s/%s", (char *)*state, rel); }

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void on_alarm(int sig)
{
    (void)sig;
    fail_msg("blocked: a special file was opened and waited on");
}

/* Opens with a watchdog: a FIFO must be refused at once, never waited on. */
static int open_watched(const char *path, int flags)
{
    signal(SIGALRM, on_alarm);
    alarm(10);
    int fd = pxs_file_open(path, flags, 0666);
    alarm(0);
    return fd;
}

static void test_tree_membership(void **state)
{
    char *stats = at(state, "stats"), *in = at(state, "stats/x"), *out = at(state, "outside/x");
    char *slash = xasprintf("%s/", stats), *twin = at(state, "statsx/y");

    assert_true(pxs_in_tree(in));
    assert_false(pxs_in_tree(out));
    assert_false(pxs_in_tree(stats));   /* the root itself may be a link */
    assert_false(pxs_in_tree(slash));
    assert_false(pxs_in_tree(twin));    /* a prefix of a name is not the tree */
    pxs_tree_set_root(slash);           /* a trailing '/' changes nothing */
    assert_true(pxs_in_tree(in));
    pxs_tree_set_root(NULL);
    assert_false(pxs_in_tree(in));
    free(stats);
    free(in);
    free(out);
    free(slash);
    free(twin);
}

static void test_regular_file(void **state)
{
    char *p = at(state, "stats/a");
    size_t len;
    char *text;

    put(p, "hello\n");
    int fd = open_watched(p, O_RDONLY);
    assert_true(fd >= 0);
    /* O_NONBLOCK was only for the open. */
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    text = pxs_read_file(p, &len);
    assert_non_null(text);
    assert_int_equal(len, 6);
    assert_string_equal(text, "hello\n");
    free(text);
    assert_int_equal(pxs_regular_check(p), 1);
    free(p);
}

static void test_missing(void **state)
{
    char *p = at(state, "stats/none"), *deep = at(state, "stats/no/such/file");
    struct stat st;

    errno = 0;
    assert_int_equal(pxs_file_open(p, O_RDONLY, 0), -1);
    assert_int_equal(errno, ENOENT);
    assert_null(pxs_read_file(deep, NULL));
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(pxs_error(), deep));
    assert_int_equal(pxs_regular_check(deep), 0);
    assert_int_equal(pxs_path_stat(deep, &st), 1);
    free(p);
    free(deep);
}

/* A link as the last component: refused in the tree, followed outside. */
static void test_link_last_component(void **state)
{
    char *target = at(state, "outside/secret"), *in = at(state, "stats/snap");
    char *out = at(state, "outside/link");

    put(target, "secret");
    assert_int_equal(symlink(target, in), 0);
    assert_int_equal(symlink(target, out), 0);
    errno = 0;
    assert_int_equal(open_watched(in, O_RDONLY), -1);
    assert_int_equal(errno, ELOOP);
    assert_non_null(strstr(pxs_error(), in));
    assert_non_null(strstr(pxs_error(), "a symbolic link, not a regular file: refused"));
    assert_null(pxs_read_file(in, NULL));
    assert_int_equal(pxs_regular_check(in), -1);
    char *text = pxs_read_file(out, NULL);
    assert_non_null(text);
    assert_string_equal(text, "secret");
    free(text);
    /* O_CREAT does not create the target of a dangling link. */
    char *dangling = at(state, "stats/dangling"), *created = at(state, "outside/created");
    assert_int_equal(symlink(created, dangling), 0);
    assert_int_equal(pxs_file_open(dangling, O_WRONLY | O_CREAT, 0666), -1);
    assert_int_equal(access(created, F_OK), -1);
    free(target);
    free(in);
    free(out);
    free(dangling);
    free(created);
}

/* A link as a directory between the root and the file. */
static void test_link_on_the_way(void **state)
{
    char *real = at(state, "outside/c1"), *file = at(state, "outside/c1/20260110");
    char *pickles = at(state, "stats/pickles"), *link = at(state, "stats/pickles/c1");
    char *through = at(state, "stats/pickles/c1/20260110");
    struct stat st;
    pxs_dirlist l;

    assert_int_equal(mkdir(real, 0777), 0);
    put(file, "x");
    assert_int_equal(mkdir(pickles, 0777), 0);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(pxs_file_open(through, O_RDONLY, 0), -1);
    assert_int_equal(errno, ELOOP);
    assert_non_null(strstr(pxs_error(), link));
    assert_int_equal(pxs_path_stat(through, &st), -1);
    assert_int_equal(pxs_dir_read(link, &l), -1);
    assert_non_null(strstr(pxs_error(), "a symbolic link, not a directory: refused"));
    assert_int_equal(pxs_mkdirs(through), -1);
    char *sub = at(state, "outside/c1/20260110x");
    char *subin = at(state, "stats/pickles/c1/20260110x");
    assert_int_equal(pxs_mkdirs(subin), -1);
    assert_int_equal(access(sub, F_OK), -1);
    /* Outside the tree the same link is followed. */
    pxs_tree_set_root(NULL);
    char *text = pxs_read_file(through, NULL);
    assert_non_null(text);
    free(text);
    free(real);
    free(file);
    free(pickles);
    free(link);
    free(through);
    free(sub);
    free(subin);
}

/* The root itself may be a link: the operator's choice. */
static void test_root_may_be_a_link(void **state)
{
    char *stats = at(state, "stats"), *alias = at(state, "alias");
    char *file = at(state, "alias/f"), *dir = at(state, "alias/d/e");

    assert_int_equal(symlink(stats, alias), 0);
    pxs_tree_set_root(alias);
    put(file, "ok");
    char *text = pxs_read_file(file, NULL);
    assert_non_null(text);
    free(text);
    assert_int_equal(pxs_mkdirs(dir), 0);
    free(stats);
    free(alias);
    free(file);
    free(dir);
}

/* FIFOs, sockets, devices, directories: refused at once in the tree. */
static void test_special_files(void **state)
{
    char *p = at(state, "stats/fifo");
    assert_int_equal(mkfifo(p, 0666), 0);
    errno = 0;
    assert_int_equal(open_watched(p, O_RDONLY), -1);
    assert_int_equal(errno, EINVAL);
    assert_non_null(strstr(pxs_error(), "a FIFO, not a regular file: refused"));
    assert_int_equal(open_watched(p, O_WRONLY), -1);
    assert_int_equal(open_watched(p, O_RDWR | O_CREAT), -1);
    assert_null(pxs_read_file(p, NULL));
    free(p);
    /* In the tree, a link to a device is refused as a link. */
    char *zero = at(state, "stats/zero");
    assert_int_equal(symlink("/dev/zero", zero), 0);
    assert_null(pxs_read_file(zero, NULL));
    assert_non_null(strstr(pxs_error(), "a symbolic link"));
    free(zero);
    char *sock = at(state, "stats/sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(sock) < sizeof sa.sun_path);
    strcpy(sa.sun_path, sock);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(open_watched(sock, O_RDONLY), -1);
    assert_non_null(strstr(pxs_error(), "a socket"));
    close(s);
    char *dir = at(state, "stats");
    assert_int_equal(pxs_file_open(dir, O_RDONLY, 0), -1);
    /* The root itself is not below the root: plain rules, still refused. */
    assert_int_equal(errno, EISDIR);
    char *sub = at(state, "stats/sub");
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_int_equal(pxs_regular_check(sub), -1);
    assert_non_null(strstr(pxs_error(), "a directory, not a regular file"));
    free(sock);
    free(dir);
    free(sub);
}

/* Outside the tree the operator's files are opened as named: /dev/null as
 * an empty config, a FIFO without a writer as an empty one (never waited on
 * in open), a link followed; a directory is still refused. */
static void test_outside_the_tree(void **state)
{
    char *fifo = at(state, "outside/fifo"), *dir = at(state, "outside");
    size_t len = 1;
    char *text = pxs_read_file("/dev/null", &len);

    assert_non_null(text);
    assert_int_equal(len, 0);
    free(text);
    assert_int_equal(mkfifo(fifo, 0666), 0);
    signal(SIGALRM, on_alarm);
    alarm(10);
    text = pxs_read_file(fifo, &len);
    alarm(0);
    assert_non_null(text);
    assert_int_equal(len, 0);
    free(text);
    assert_null(pxs_read_file(dir, NULL));
    assert_int_equal(errno, EISDIR);
    free(fifo);
    free(dir);
}

static void test_dir_read(void **state)
{
    char *d = at(state, "stats/d"), *missing = at(state, "stats/missing/deeper");
    pxs_dirlist l;
    const char *names[] = {"b", "a", "c", ".hidden"};

    assert_int_equal(pxs_dir_read(missing, &l), 0);
    assert_int_equal(l.n, 0);
    pxs_dir_free(&l);
    assert_int_equal(mkdir(d, 0777), 0);
    for (size_t i = 0; i < 4; i++) {
        char *p = xasprintf("%s/%s", d, names[i]);
        if (i == 1)
            assert_int_equal(mkdir(p, 0777), 0);
        else if (i == 2)
            assert_int_equal(symlink("/etc", p), 0);
        else
            put(p, "");
        free(p);
    }
    char *fifo = xasprintf("%s/f", d);
    assert_int_equal(mkfifo(fifo, 0666), 0);
    assert_int_equal(pxs_dir_read(d, &l), 0);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.e[0].name, ".hidden");
    assert_true(S_ISREG(l.e[0].type));
    assert_string_equal(l.e[1].name, "a");
    assert_true(S_ISDIR(l.e[1].type));
    assert_string_equal(l.e[2].name, "b");
    assert_string_equal(l.e[3].name, "c");
    assert_true(S_ISLNK(l.e[3].type));
    assert_string_equal(l.e[4].name, "f");
    assert_true(S_ISFIFO(l.e[4].type));
    pxs_dir_free(&l);
    /* A file where a directory is listed: an error naming it. */
    char *file = xasprintf("%s/b", d);
    assert_int_equal(pxs_dir_read(file, &l), -1);
    assert_non_null(strstr(pxs_error(), file));
    free(d);
    free(missing);
    free(fifo);
    free(file);
}

static void test_mkdirs(void **state)
{
    char *deep = at(state, "stats/a/b/c"), *file = at(state, "stats/f");
    char *under = at(state, "stats/f/x"), *dots = at(state, "stats/a/../../outside/x");
    struct stat st;

    assert_int_equal(pxs_mkdirs(deep), 0);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(pxs_mkdirs(deep), 0);   /* already there */
    put(file, "");
    assert_int_equal(pxs_mkdirs(under), -1);
    assert_non_null(strstr(pxs_error(), "Not a directory"));
    assert_int_equal(pxs_mkdirs(dots), -1);
    assert_non_null(strstr(pxs_error(), "'..'"));
    /* The root is made when missing (links above it followed). */
    char *root = at(state, "newroot"), *in = at(state, "newroot/x/y");
    pxs_tree_set_root(root);
    assert_int_equal(pxs_mkdirs(in), 0);
    assert_int_equal(stat(in, &st), 0);
    free(deep);
    free(file);
    free(under);
    free(dots);
    free(root);
    free(in);
}

/* rm -r: a whole tree (files, nested directories, a FIFO, links) goes; a
 * link to a directory outside is unlinked, never followed, at the top or
 * inside; a missing path is fine; a read-only directory stops it with its
 * name; pxs_remove_tree_at works from a descriptor; the listing of an open
 * descriptor reads from the start. */
static void test_remove_tree(void **state)
{
    char *top = at(state, "stats/t"), *outside = at(state, "outside");
    char *keep = at(state, "outside/keep"), *p;
    struct stat st;

    put(keep, "x");
    const char *dirs[] = {"", "/a", "/a/b", "/a/b/c", "/.h"};
    for (size_t i = 0; i < 5; i++) {
        p = xasprintf("%s%s", top, dirs[i]);
        assert_int_equal(mkdir(p, 0777), 0);
        free(p);
    }
    const char *files[] = {"/f", "/a/g", "/a/b/c/deep", "/.h/.x"};
    for (size_t i = 0; i < 4; i++) {
        p = xasprintf("%s%s", top, files[i]);
        put(p, "data");
        free(p);
    }
    p = xasprintf("%s/a/fifo", top);
    assert_int_equal(mkfifo(p, 0666), 0);
    free(p);
    p = xasprintf("%s/a/b/out", top);
    assert_int_equal(symlink(outside, p), 0);   /* a link to a directory outside */
    free(p);
    p = xasprintf("%s/dangling", top);
    assert_int_equal(symlink("/nonexistent", p), 0);
    free(p);

    assert_int_equal(pxs_remove_tree(top), 0);
    assert_int_equal(lstat(top, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat(keep, &st), 0);       /* what the link pointed to is kept */
    assert_int_equal(pxs_remove_tree(top), 0);  /* missing: fine */
    char *gone = at(state, "stats/missing/deeper");
    assert_int_equal(pxs_remove_tree(gone), 0);
    free(gone);

    /* The path itself a link to a directory: the link goes, not the target. */
    char *ln = at(state, "stats/ln");
    assert_int_equal(symlink(outside, ln), 0);
    assert_int_equal(pxs_remove_tree(ln), 0);
    assert_int_equal(lstat(ln, &st), -1);
    assert_int_equal(stat(keep, &st), 0);
    /* A trailing slash names the same entry. */
    p = xasprintf("%s/", top);
    assert_int_equal(mkdir(top, 0777), 0);
    assert_int_equal(pxs_remove_tree(p), 0);
    assert_int_equal(lstat(top, &st), -1);
    free(p);
    /* A plain file. */
    put(ln, "x");
    assert_int_equal(pxs_remove_tree(ln), 0);
    assert_int_equal(lstat(ln, &st), -1);
    /* "." and ".." are refused. */
    p = xasprintf("%s/..", top);
    assert_int_equal(pxs_remove_tree(p), -1);
    free(p);

    /* From a descriptor, and a directory that cannot be emptied (not for
     * root, which may write anywhere). */
    char *stats = at(state, "stats");
    int dfd = open(stats, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    assert_int_equal(mkdir(top, 0777), 0);
    p = xasprintf("%s/ro", top);
    assert_int_equal(mkdir(p, 0777), 0);
    char *f = xasprintf("%s/ro/file", top);
    put(f, "x");
    if (geteuid() != 0) {
        assert_int_equal(chmod(p, 0555), 0);
        assert_int_equal(pxs_remove_tree_at(dfd, "t", top), -1);
        assert_non_null(strstr(pxs_error(), f));
        assert_int_equal(chmod(p, 0777), 0);
    }
    /* The listing of a descriptor already read starts from the beginning. */
    pxs_dirlist l;
    assert_int_equal(pxs_dir_read_fd(dfd, stats, &l), 0);
    size_t n = l.n;
    pxs_dir_free(&l);
    assert_int_equal(pxs_dir_read_fd(dfd, stats, &l), 0);
    assert_int_equal(l.n, n);
    assert_true(n >= 1);
    pxs_dir_free(&l);
    assert_int_equal(pxs_remove_tree_at(dfd, "t", top), 0);
    assert_int_equal(lstat(top, &st), -1);
    close(dfd);
    free(f);
    free(p);
    free(stats);
    free(ln);
    free(top);
    free(outside);
    free(keep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tree_membership, setup, teardown),
        cmocka_unit_test_setup_teardown(test_regular_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_last_component, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_on_the_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_may_be_a_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outside_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
