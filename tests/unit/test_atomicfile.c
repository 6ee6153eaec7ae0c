/* Unit tests of atomicfile: whole-file writes, replacement and copies; parent
 * directories; modes from the umask; failures that must leave the old file
 * and no temporary behind; abort; pxs_read_file and pxs_mkdirs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* Each test gets a fresh directory as its state; teardown removes it even
 * when the test failed. */
static int setup_dir(void **state)
{
    char *dir = xstrdup("/tmp/pxs-test-afile.XXXXXX");

    if (mkdtemp(dir) == NULL) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown_dir(void **state)
{
    char *dir = *state;
    char *ro = xasprintf("%s/ro", dir);

    chmod(ro, 0755); /* a failed permission test may leave it read-only */
    free(ro);
    rm_tree(dir);
    free(dir);
    return 0;
}

/* dir/rel into a caller's buffer of PATH_SIZE bytes (no allocation, so that a
 * failed assertion leaks nothing). */
#define PATH_SIZE 4096
static char *in(char *buf, const char *dir, const char *rel)
{
    snprintf(buf, PATH_SIZE, "%s/%s", dir, rel);
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    char *s = pxs_read_file(path, len);

    if (s == NULL)
        fail_msg("cannot read %s: %s", path, pxs_error());
    return s;
}

static void expect_content(const char *path, const char *want)
{
    size_t len;
    char *s = slurp(path, &len);

    assert_int_equal(len, strlen(want));
    assert_string_equal(s, want);
    free(s);
}

/* Number of entries of dir whose name starts with prefix. */
static int count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static mode_t mode_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* ---- tests --------------------------------------------------------------- */

static void test_write_new_and_mode(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];

    /* main() set umask 027: files 0640, like fopen. */
    assert_int_equal(pxs_atomic_write(in(path, dir, "state.txt"), "hello\n", 6), 0);
    expect_content(path, "hello\n");
    assert_int_equal(mode_of(path), 0640);
    assert_int_equal(count_prefix(dir, ".state.txt."), 0);
}

static void test_replace(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    struct stat before, after;
    size_t len;
    char *s;

    assert_int_equal(pxs_atomic_write(in(path, dir, "f"), "old content, longer", 19), 0);
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(pxs_atomic_write(path, "new", 3), 0);
    expect_content(path, "new");
    assert_int_equal(stat(path, &after), 0);
    /* Replaced by rename (a new inode), not rewritten in place. */
    assert_int_not_equal(before.st_ino, after.st_ino);
    /* Empty content. */
    assert_int_equal(pxs_atomic_write(path, NULL, 0), 0);
    expect_content(path, "");
    /* Binary content with NULs. */
    assert_int_equal(pxs_atomic_write(path, "a\0b\0", 4), 0);
    s = slurp(path, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(s, "a\0b\0", 5); /* plus the added NUL */
    free(s);
    assert_int_equal(count_prefix(dir, ".f."), 0);
}

static void test_parent_dirs_created(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE], p2[PATH_SIZE], d[PATH_SIZE];

    assert_int_equal(pxs_atomic_write(in(path, dir, "a/b/c/d.png"), "png", 3), 0);
    expect_content(path, "png");
    /* Directories get 0777 & ~umask. */
    assert_int_equal(mode_of(in(d, dir, "a")), 0750);
    assert_int_equal(mode_of(in(d, dir, "a/b/c")), 0750);
    /* A second file in the same, now existing, directory. */
    assert_int_equal(pxs_atomic_write(in(p2, dir, "a/b/c/e.png"), "e", 1), 0);
    expect_content(p2, "e");
    expect_content(path, "png");
}

static void test_relative_path(void **state)
{
    const char *dir = *state;
    char cwd[PATH_SIZE], path[PATH_SIZE];
    int a, b;

    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    /* No directory part: the temporary goes in ".". */
    a = pxs_atomic_write("plain", "x", 1);
    b = pxs_atomic_write("sub/inner", "y", 1);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);
    expect_content(in(path, dir, "plain"), "x");
    expect_content(in(path, dir, "sub/inner"), "y");
    assert_int_equal(count_prefix(dir, ".plain."), 0);
}

static void test_copy(void **state)
{
    const char *dir = *state;
    char src[PATH_SIZE], dst[PATH_SIZE], missing[PATH_SIZE], out[PATH_SIZE];
    static char big[300000];
    size_t len;
    char *back;

    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + i / 251);
    in(src, dir, "src.bin");
    in(dst, dir, "out/dst.bin");
    in(missing, dir, "missing");
    assert_int_equal(pxs_atomic_write(src, big, sizeof big), 0);
    assert_int_equal(pxs_atomic_copy(src, dst), 0);
    back = slurp(dst, &len);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(back, big, sizeof big);
    free(back);
    assert_int_equal(mode_of(dst), 0640);
    /* The source is left alone. */
    back = slurp(src, &len);
    assert_int_equal(len, sizeof big);
    free(back);

    /* A missing source: -1, ENOENT named, the destination untouched. */
    errno = 0;
    assert_int_equal(pxs_atomic_copy(missing, dst), -1);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(pxs_error(), missing));
    assert_non_null(strstr(pxs_error(), "No such file or directory"));
    back = slurp(dst, &len);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(back, big, sizeof big);
    free(back);
    assert_int_equal(count_prefix(in(out, dir, "out"), ".dst.bin."), 0);

    /* Copy of an empty file over a full one. */
    assert_int_equal(pxs_atomic_write(src, "", 0), 0);
    assert_int_equal(pxs_atomic_copy(src, dst), 0);
    expect_content(dst, "");
}

static void test_afile_commit_and_abort(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE], prefix[PATH_SIZE], fresh[PATH_SIZE];
    pxs_afile af;

    assert_int_equal(pxs_atomic_write(in(path, dir, "page.html"), "old", 3), 0);

    /* The temporary is ".<name>.XXXXXX" in the target's directory. */
    assert_int_equal(pxs_afile_open(&af, path), 0);
    assert_non_null(af.fp);
    assert_string_equal(af.path, path);
    in(prefix, dir, ".page.html.");
    assert_int_equal(strncmp(af.tmp, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(af.tmp), strlen(prefix) + 6);
    assert_int_equal(access(af.tmp, F_OK), 0);
    fputs("<html>new</html>", af.fp);
    /* Until the commit, the old content stays under the final name. */
    expect_content(path, "old");
    assert_int_equal(count_prefix(dir, ".page.html."), 1);
    assert_int_equal(pxs_afile_commit(&af), 0);
    expect_content(path, "<html>new</html>");
    assert_int_equal(count_prefix(dir, ".page.html."), 0);
    assert_int_equal(mode_of(path), 0640);

    /* Abort: temporary gone, final file untouched, af cleared. */
    assert_int_equal(pxs_afile_open(&af, path), 0);
    fputs("never seen", af.fp);
    fflush(af.fp);
    pxs_afile_abort(&af);
    expect_content(path, "<html>new</html>");
    assert_int_equal(count_prefix(dir, ".page.html."), 0);
    assert_null(af.fp);
    assert_null(af.tmp);
    assert_null(af.path);

    /* Abort of a file that never existed leaves nothing at all. */
    assert_int_equal(pxs_afile_open(&af, in(fresh, dir, "fresh")), 0);
    pxs_afile_abort(&af);
    assert_int_equal(access(fresh, F_OK), -1);
    assert_int_equal(count_prefix(dir, ".fresh."), 0);
    /* A commit with nothing written makes an empty file. */
    assert_int_equal(pxs_afile_open(&af, fresh), 0);
    assert_int_equal(pxs_afile_commit(&af), 0);
    expect_content(fresh, "");
}

static void test_fail_parent_is_file(void **state)
{
    const char *dir = *state;
    char file[PATH_SIZE], path[PATH_SIZE], path2[PATH_SIZE];
    pxs_afile af;

    assert_int_equal(pxs_atomic_write(in(file, dir, "regular"), "keep", 4), 0);
    errno = 0;
    assert_int_equal(pxs_atomic_write(in(path, dir, "regular/sub/x"), "data", 4), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_non_null(strstr(pxs_error(), file));
    assert_non_null(strstr(pxs_error(), "Not a directory"));
    errno = 0;
    assert_int_equal(pxs_atomic_write(in(path2, dir, "regular/x"), "data", 4), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_non_null(strstr(pxs_error(), "regular/x"));
    assert_int_equal(pxs_afile_open(&af, path2), -1);
    assert_null(af.tmp);
    assert_null(af.fp);
    /* The regular file is untouched and nothing was left beside it. */
    expect_content(file, "keep");
    assert_int_equal(count_prefix(dir, "."), 2); /* "." and ".." only */
}

static void test_fail_commit_target_is_directory(void **state)
{
    const char *dir = *state;
    char target[PATH_SIZE], inside[PATH_SIZE];

    /* The rename over a non-empty directory fails at commit time: the
     * temporary must be removed and the old entry left as it was. */
    assert_int_equal(pxs_atomic_write(in(inside, dir, "target/keep"), "keep", 4), 0);
    assert_int_equal(pxs_atomic_write(in(target, dir, "target"), "data", 4), -1);
    assert_non_null(strstr(pxs_error(), "cannot rename"));
    assert_non_null(strstr(pxs_error(), target));
    expect_content(inside, "keep");
    assert_int_equal(count_prefix(dir, ".target."), 0);
}

/* A write that fails half way (the file size limit stands in for a full
 * disk, and works as root): the old content stays, no temporary is left. */
static void test_fail_write_keeps_old(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    static char big[20000];
    struct rlimit old, lim;
    void (*old_sig)(int);
    pxs_afile af;
    int rc1, rc2;

    memset(big, 'n', sizeof big);
    assert_int_equal(pxs_atomic_write(in(path, dir, "full"), "old content", 11), 0);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1000;
    old_sig = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rc1 = pxs_atomic_write(path, big, sizeof big);
    /* Through pxs_afile, the error shows at commit. */
    rc2 = pxs_afile_open(&af, path);
    if (rc2 == 0) {
        fwrite(big, 1, 900, af.fp);
        fwrite(big, 1, 900, af.fp); /* buffered: fails on the flush */
        rc2 = pxs_afile_commit(&af);
    }
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_sig);
    assert_int_equal(rc1, -1);
    assert_int_equal(rc2, -1);
    assert_non_null(strstr(pxs_error(), path));
    assert_non_null(strstr(pxs_error(), "File too large"));
    expect_content(path, "old content");
    assert_int_equal(count_prefix(dir, ".full."), 0);
}

static void test_fail_unwritable_directory(void **state)
{
    const char *dir = *state;
    char ro[PATH_SIZE], path[PATH_SIZE];

    /* root ignores directory permissions (CI runs as root): there the
     * ENOTDIR and rename cases above cover the failure paths. */
    if (geteuid() == 0)
        skip();
    assert_int_equal(pxs_atomic_write(in(path, dir, "ro/file"), "old", 3), 0);
    assert_int_equal(chmod(in(ro, dir, "ro"), 0555), 0);
    errno = 0;
    assert_int_equal(pxs_atomic_write(path, "new", 3), -1);
    assert_int_equal(errno, EACCES);
    assert_non_null(strstr(pxs_error(), path));
    assert_non_null(strstr(pxs_error(), "Permission denied"));
    expect_content(path, "old");
    assert_int_equal(count_prefix(ro, ".file."), 0);
}

static void test_read_file(void **state)
{
    const char *dir = *state;
    char missing[PATH_SIZE], empty[PATH_SIZE], big[PATH_SIZE];
    static char data[200003]; /* more than the first 64 KiB buffer, odd size */
    size_t len = 99;
    char *s;

    errno = 0;
    assert_null(pxs_read_file(in(missing, dir, "none"), &len));
    assert_int_equal(errno, ENOENT);
    assert_int_equal(len, 99);
    assert_non_null(strstr(pxs_error(), "cannot open"));
    assert_non_null(strstr(pxs_error(), missing));
    assert_non_null(strstr(pxs_error(), "No such file or directory"));

    assert_int_equal(pxs_atomic_write(in(empty, dir, "empty"), "", 0), 0);
    s = pxs_read_file(empty, &len);
    assert_non_null(s);
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    assert_int_equal(pxs_atomic_write(in(big, dir, "big"), data, sizeof data), 0);
    s = pxs_read_file(big, &len);
    assert_non_null(s);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(s, data, sizeof data);
    assert_int_equal(s[sizeof data], '\0');
    free(s);
    /* len may be NULL. */
    s = pxs_read_file(big, NULL);
    assert_non_null(s);
    assert_int_equal(strlen(s), sizeof data);
    free(s);
    /* A directory: an error naming it. */
    assert_null(pxs_read_file(dir, &len));
    assert_non_null(strstr(pxs_error(), dir));
}

static void test_mkdirs(void **state)
{
    const char *dir = *state;
    char deep[PATH_SIZE], slash[PATH_SIZE], file[PATH_SIZE], under[PATH_SIZE], want[PATH_SIZE];
    struct stat st;

    assert_int_equal(pxs_mkdirs(in(deep, dir, "x/y/z")), 0);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(pxs_mkdirs(deep), 0); /* existing: fine */
    assert_int_equal(pxs_mkdirs(dir), 0);
    assert_int_equal(pxs_mkdirs("/"), 0);
    assert_int_equal(pxs_mkdirs(in(slash, dir, "t/u/")), 0);
    assert_int_equal(stat(slash, &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    assert_int_equal(pxs_atomic_write(in(file, dir, "file"), "f", 1), 0);
    errno = 0;
    assert_int_equal(pxs_mkdirs(in(under, dir, "file/sub/deeper")), -1);
    assert_int_equal(errno, ENOTDIR);
    snprintf(want, sizeof want, "cannot create directory %s/file/sub: Not a directory", dir);
    assert_string_equal(pxs_error(), want);
}

static void test_mkdirs_empty(void **state)
{
    const char *dir = *state;
    pid_t pid;
    int st;

    /* In a child whose cwd is the scratch directory: an out-of-bounds scan
     * could otherwise create junk directories, and a sanitizer abort must
     * not end the whole suite. "" names no directory: -1 or 0 are both
     * acceptable answers, a crash is not. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc;
        if (chdir(dir) != 0)
            _exit(3);
        rc = pxs_mkdirs("");
        _exit(rc == 0 || rc == -1 ? 0 : 4);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("pxs_mkdirs(\"\") crashed or misbehaved (wait status 0x%x)", (unsigned)st);
    assert_int_equal(count_prefix(dir, ""), 2); /* nothing created */
}

static void test_mode_follows_umask_change(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    mode_t old;
    int rc;

    /* Earlier tests wrote with umask 027; the contract is "0666 & ~umask,
     * like fopen(3)", so the umask at the time of the write decides. */
    old = umask(077);
    rc = pxs_atomic_write(in(path, dir, "later"), "x", 1);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(mode_of(path), 0600);
}

/* Temporaries of killed writers go with the next write in the directory,
 * whatever file they were for (dated images change names); a live writer's
 * (locked) temporary stays, and so does a pending batch temporary of another
 * file (unlocked by design), and anything not named like a temporary. */
static void test_stale_temporaries_cleaned(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE], dead[PATH_SIZE], live[PATH_SIZE], other[PATH_SIZE], odd[PATH_SIZE];
    char deaddir[PATH_SIZE], inner[PATH_SIZE], link[PATH_SIZE], target[PATH_SIZE];
    char mybatch[PATH_SIZE], theirbatch[PATH_SIZE], lock[PATH_SIZE], partial[PATH_SIZE];
    const char *plain[] = {dead, other, odd, inner, mybatch, theirbatch, lock, partial, target};
    FILE *f;
    int fd;

    in(path, dir, "page.html");
    in(dead, dir, ".page.html.Ab3dE9");
    in(live, dir, ".page.html.LiVe01");
    in(other, dir, ".tx_c1_20260110_12:00:00.png.Ab3dE9");
    in(odd, dir, ".page.html.toolong7");
    in(deaddir, dir, ".page.html.DiRr42");
    in(inner, dir, ".page.html.DiRr42/page.html");
    in(link, dir, ".page.html.LiNk42");
    in(target, dir, "target");
    in(mybatch, dir, ".page.html.batch.Q1w2E3");
    in(theirbatch, dir, ".m1_11.batch.Q1w2E3");
    in(lock, dir, ".statsUpdater.lock");
    in(partial, dir, ".2026-01-10_12:00:00.partial");
    assert_int_equal(mkdir(deaddir, 0700), 0);
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        f = fopen(plain[i], "w");
        assert_non_null(f);
        fclose(f);
    }
    /* A link named like a temporary is removed, its target untouched. */
    assert_int_equal(symlink(target, link), 0);
    /* A live writer: another open file description holding the flock. */
    fd = open(live, O_RDWR | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    assert_int_equal(pxs_atomic_write(path, "new", 3), 0);
    expect_content(path, "new");
    assert_int_equal(access(dead, F_OK), -1);
    assert_int_equal(access(other, F_OK), -1);
    assert_int_equal(access(deaddir, F_OK), -1);
    assert_int_equal(access(mybatch, F_OK), -1);
    assert_int_equal(faccessat(AT_FDCWD, link, F_OK, AT_SYMLINK_NOFOLLOW), -1);
    assert_int_equal(access(target, F_OK), 0);
    assert_int_equal(access(live, F_OK), 0);
    assert_int_equal(access(theirbatch, F_OK), 0);
    assert_int_equal(access(odd, F_OK), 0);
    assert_int_equal(access(lock, F_OK), 0);
    assert_int_equal(access(partial, F_OK), 0);
    /* Once the writer is gone, its temporary is stale too. */
    close(fd);
    pxs_afile_clean_stale(path);
    assert_int_equal(access(live, F_OK), -1);
    assert_int_equal(count_prefix(dir, ".page.html."), 1);   /* the odd one */
}

/* A batch's temporaries are named apart and published by the commit. */
static void test_batch_temporaries(void **state)
{
    const char *dir = *state;
    char a[PATH_SIZE], b[PATH_SIZE];
    pxs_abatch batch;

    in(a, dir, "m1_10");
    in(b, dir, "m1_11");
    pxs_abatch_init(&batch);
    assert_int_equal(pxs_abatch_write(&batch, a, "a", 1), 0);
    assert_int_equal(pxs_abatch_write(&batch, b, "b", 1), 0);
    assert_non_null(strstr(pxs_abatch_pending(&batch, a), "/.m1_10.batch."));
    /* Another writer in the directory leaves the pending ones alone. */
    char other[PATH_SIZE];
    assert_int_equal(pxs_atomic_write(in(other, dir, "m1m2_10"), "m", 1), 0);
    assert_int_equal(access(pxs_abatch_pending(&batch, a), F_OK), 0);
    assert_int_equal(access(pxs_abatch_pending(&batch, b), F_OK), 0);
    /* Rewritten in the batch: one temporary for the file, the newer. */
    assert_int_equal(pxs_abatch_write(&batch, a, "A", 1), 0);
    assert_int_equal(count_prefix(dir, ".m1_10."), 1);
    assert_int_equal(pxs_abatch_commit(&batch), 0);
    expect_content(a, "A");
    expect_content(b, "b");
    assert_int_equal(count_prefix(dir, ".m1_1"), 0);
}

/* While a writer holds its temporary, a cleaner leaves it alone, so that two
 * writers of one file need no lock between them. */
static void test_open_temporary_survives_cleaning(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    pxs_afile a, b;

    in(path, dir, "img.png");
    assert_int_equal(pxs_afile_open(&a, path), 0);
    assert_int_equal(pxs_afile_open(&b, path), 0);   /* cleans, but not a's */
    assert_int_equal(access(a.tmp, F_OK), 0);
    fputs("a", a.fp);
    fputs("b", b.fp);
    assert_int_equal(pxs_afile_commit(&b), 0);
    pxs_afile_clean_stale(path);
    assert_int_equal(access(a.tmp, F_OK), 0);
    assert_int_equal(pxs_afile_commit(&a), 0);
    expect_content(path, "a");
    assert_int_equal(count_prefix(dir, ".img.png."), 0);
}

/* A link or a FIFO under the final name is replaced, never written through. */
static void test_final_name_is_a_link(void **state)
{
    const char *dir = *state;
    char target[PATH_SIZE], path[PATH_SIZE], fifo[PATH_SIZE];

    in(target, dir, "target");
    in(path, dir, "snap");
    in(fifo, dir, "fifo");
    assert_int_equal(pxs_atomic_write(target, "keep", 4), 0);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(pxs_atomic_write(path, "new", 3), 0);
    expect_content(target, "keep");
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(pxs_atomic_write(fifo, "x", 1), 0);
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISREG(st.st_mode));
}

/* In the stats tree, no write goes through a linked directory. */
static void test_no_write_through_linked_directory(void **state)
{
    const char *dir = *state;
    char stats[PATH_SIZE], outside[PATH_SIZE], link[PATH_SIZE], path[PATH_SIZE], leak[PATH_SIZE];

    in(stats, dir, "stats");
    in(outside, dir, "outside");
    in(link, dir, "stats/graphs");
    in(path, dir, "stats/graphs/c1/x.png");
    in(leak, dir, "outside/c1/x.png");
    assert_int_equal(mkdir(stats, 0777), 0);
    assert_int_equal(mkdir(outside, 0777), 0);
    assert_int_equal(symlink(outside, link), 0);
    pxs_tree_set_root(stats);
    assert_int_equal(pxs_atomic_write(path, "png", 3), -1);
    pxs_tree_set_root(NULL);
    assert_non_null(strstr(pxs_error(), "a symbolic link, not a directory: refused"));
    assert_int_equal(access(leak, F_OK), -1);
}

/* The private directory of a library that writes by name (librrd). */
static void test_astage(void **state)
{
    const char *dir = *state;
    char path[PATH_SIZE];
    pxs_astage st;
    FILE *f;

    in(path, dir, "db/c1_m1");
    assert_int_equal(pxs_astage_open(&st, path), 0);
    assert_int_equal(strncmp(st.file, st.dir, strlen(st.dir)), 0);
    f = fopen(st.file, "w");
    assert_non_null(f);
    fputs("rrd", f);
    fclose(f);
    /* What the library leaves beside its file goes with the directory. */
    char *junk = xasprintf("%sXXXXXX", st.file);
    f = fopen(junk, "w");
    assert_non_null(f);
    fclose(f);
    free(junk);
    assert_int_equal(pxs_astage_commit(&st), 0);
    expect_content(path, "rrd");
    in(path, dir, "db");
    assert_int_equal(count_prefix(path, ".c"), 0);
    /* Aborted: nothing published, nothing left. */
    in(path, dir, "db/c2_m1");
    assert_int_equal(pxs_astage_open(&st, path), 0);
    pxs_astage_abort(&st);
    assert_int_equal(access(path, F_OK), -1);
    in(path, dir, "db");
    assert_int_equal(count_prefix(path, ".c"), 0);
    /* A killed run's directory goes with the next stage of the same file. */
    char stale[PATH_SIZE], path2[PATH_SIZE];
    in(stale, dir, "db/.c1_m1.KiLLed");
    assert_int_equal(mkdir(stale, 0700), 0);
    in(path2, dir, "db/c1_m1");
    assert_int_equal(pxs_astage_open(&st, path2), 0);
    assert_int_equal(access(stale, F_OK), -1);
    pxs_astage_abort(&st);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_write_new_and_mode),
        T(test_replace),
        T(test_parent_dirs_created),
        T(test_relative_path),
        T(test_copy),
        T(test_afile_commit_and_abort),
        T(test_fail_parent_is_file),
        T(test_fail_commit_target_is_directory),
        T(test_fail_write_keeps_old),
        T(test_fail_unwritable_directory),
        T(test_read_file),
        T(test_mkdirs),
        T(test_mkdirs_empty),
        T(test_mode_follows_umask_change),
        T(test_stale_temporaries_cleaned),
        T(test_batch_temporaries),
        T(test_open_temporary_survives_cleaning),
        T(test_final_name_is_a_link),
        T(test_no_write_through_linked_directory),
        T(test_astage),
    };

    /* Before the first write: the library may read the umask only once. */
    umask(027);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
