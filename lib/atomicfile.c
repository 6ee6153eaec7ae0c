/* atomicfile — temp file in the same directory, fsync, rename, fsync dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

/* The process umask (umask(2) can only be read by setting it; pxstats has no
 * threads, so setting it back at once is safe). */
static mode_t process_umask(void)
{
    mode_t mask = umask(022);

    umask(mask);
    return mask;
}

static char *dir_of(const char *path)
{
    char *copy = xstrdup(path);
    char *d = xstrdup(dirname(copy));

    free(copy);
    return d;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    int rc;

    if (fd < 0) {
        pxs_set_error_errno("cannot open directory %s", dir);
        return -1;
    }
    /* Some filesystems refuse fsync on directories (EINVAL): the rename is
     * still as durable as they can make it. */
    rc = fsync(fd);
    if (rc != 0 && errno != EINVAL && errno != EROFS) {
        pxs_set_error_errno("cannot sync directory %s", dir);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The six characters mkstemp and mkdtemp put at the end of a name. */
static bool temp_suffix(const char *s)
{
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    return strlen(s) == 6 && strspn(s, alphabet) == 6;
}

/* "<dir>/.<base>.XXXXXX" for path: the template of its temporaries;
 * "<dir>/.<base>.batch.XXXXXX" for a batch's (see pxs_afile_clean_stale). */
static char *temp_template(const char *path, bool batch)
{
    char *dir = dir_of(path), *copy = xstrdup(path);
    char *t = xasprintf("%s/.%s.%sXXXXXX", dir, basename(copy), batch ? "batch." : "");

    free(dir);
    free(copy);
    return t;
}

/* A writer holds an exclusive flock on its temporary (file or directory)
 * from its creation to its rename; the kernel drops it when the writer dies,
 * even by SIGKILL, and that is how a cleaner tells a dead writer's temporary
 * from a live one's. Takes the lock on fd, a temporary just made. Returns
 * false when a cleaner got there first (it removes the name: make another);
 * true when locked, or when the file system has no locks (the temporary is
 * then used unlocked: cleaners leave what they cannot lock alone). */
static bool claim_temp(int fd)
{
    struct stat st;

    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        return errno != EWOULDBLOCK;
    /* Locked, but a cleaner may have taken and dropped the lock, and removed
     * the name, between the creation and our flock. */
    return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

/* Removes the entry name of the directory dfd (path dir) if it is a temporary
 * nobody holds: a file or directory whose flock can be taken, or anything
 * else that has our temporaries' name (a link, a FIFO: never ours, never
 * followed, only unlinked). */
static void remove_if_stale(int dfd, const char *dir, const char *name)
{
    struct stat st, now;
    int fd;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        unlinkat(dfd, name, 0);
        return;
    }
    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return;
    /* Same entry as the one examined, and nobody writing it. */
    if (fstat(fd, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev &&
        flock(fd, LOCK_EX | LOCK_NB) == 0) {
        if (S_ISDIR(now.st_mode)) {
            char *p = xasprintf("%s/%s", dir, name);
            pxs_remove_tree_at(dfd, name, p);
            free(p);
        } else {
            unlinkat(dfd, name, 0);
        }
    }
    close(fd);
}

/* Whether the entry n of a directory is a temporary that a writer of the
 * file base, there, may remove when nobody holds it: ".<any name>.XXXXXX"
 * (a killed writer's, whatever file it was writing: dated images, pages of
 * another day), or ".<base>.batch.XXXXXX" (a batch's temporaries are not
 * locked between their write and their commit, and only the writer of that
 * very file may judge them). */
static bool cleanable(const char *n, const char *base)
{
    static const char batch[] = ".batch";
    size_t len = strlen(n), mid = len - 8, bl = strlen(batch);

    if (len < 9 || n[0] != '.' || n[len - 7] != '.' || !temp_suffix(n + len - 6))
        return false;
    if (mid > bl && strncmp(n + 1 + mid - bl, batch, bl) == 0)
        return mid - bl == strlen(base) && strncmp(n + 1, base, mid - bl) == 0;
    return true;
}

void pxs_afile_clean_stale(const char *path)
{
    char *dir = dir_of(path), *copy = xstrdup(path);
    const char *base = basename(copy);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (pxs_in_tree(dir) ? O_NOFOLLOW : 0));
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *de;

    if (d == NULL && dfd >= 0)
        close(dfd);
    /* A raw readdir, not pxs_dir_read: this runs before every write, in
     * directories that may hold thousands of images. */
    while (d != NULL && (de = readdir(d)) != NULL)
        if (cleanable(de->d_name, base))
            remove_if_stale(dirfd(d), dir, de->d_name);
    if (d != NULL)
        closedir(d);
    free(dir);
    free(copy);
}

/* pxs_afile_open, for a batch's temporary when batch. */
static int afile_open(pxs_afile *af, const char *path, bool batch)
{
    char *dir = dir_of(path);
    int fd = -1, rc = pxs_mkdirs(dir);

    memset(af, 0, sizeof *af);
    af->lockfd = -1;
    free(dir);
    if (rc != 0)
        return -1;
    /* Temporaries left by killed writers go first: whoever writes in a
     * directory cleans up after its dead predecessors, with no lock of its own. */
    pxs_afile_clean_stale(path);
    for (int attempt = 0; fd < 0; attempt++) {
        af->tmp = temp_template(path, batch);
        fd = mkstemp(af->tmp);
        if (fd < 0) {
            pxs_set_error_errno("cannot create a temporary file for %s", path);
            free(af->tmp);
            af->tmp = NULL;
            return -1;
        }
        if (!claim_temp(fd) && attempt < 10) {
            close(fd);
            free(af->tmp);
            af->tmp = NULL;
            fd = -1;
        }
    }
    /* mkstemp makes 0600; published files follow the umask like fopen's.
     * The lock lives on a second descriptor, so that it outlasts fclose
     * until the rename. */
    if (fchmod(fd, 0666 & ~process_umask()) != 0 || (af->lockfd = dup(fd)) < 0 ||
        fcntl(af->lockfd, F_SETFD, FD_CLOEXEC) != 0 || (af->fp = fdopen(fd, "w")) == NULL) {
        pxs_set_error_errno("cannot prepare %s", af->tmp);
        close(fd);
        if (af->lockfd >= 0)
            close(af->lockfd);
        unlink(af->tmp);
        free(af->tmp);
        af->tmp = NULL;
        af->lockfd = -1;
        return -1;
    }
    af->path = xstrdup(path);
    return 0;
}

int pxs_afile_open(pxs_afile *af, const char *path) { return afile_open(af, path, false); }

static void afile_release(pxs_afile *af)
{
    if (af->lockfd >= 0)
        close(af->lockfd);
    free(af->path);
    free(af->tmp);
    memset(af, 0, sizeof *af);
    af->lockfd = -1;
}

void pxs_afile_abort(pxs_afile *af)
{
    if (af->fp)
        fclose(af->fp);
    if (af->tmp)
        unlink(af->tmp);
    afile_release(af);
}

int pxs_afile_commit(pxs_afile *af)
{
    char *dir;
    int rc;

    if (fflush(af->fp) != 0 || ferror(af->fp)) {
        pxs_set_error_errno("cannot write %s", af->path);
        goto fail;
    }
    if (fsync(fileno(af->fp)) != 0) {
        pxs_set_error_errno("cannot sync %s", af->path);
        goto fail;
    }
    if (fclose(af->fp) != 0) {
        af->fp = NULL;
        pxs_set_error_errno("cannot close %s", af->path);
        goto fail;
    }
    af->fp = NULL;
    if (rename(af->tmp, af->path) != 0) {
        pxs_set_error_errno("cannot rename %s to %s", af->tmp, af->path);
        goto fail;
    }
    dir = dir_of(af->path);
    rc = fsync_dir(dir);
    free(dir);
    afile_release(af);
    return rc;
fail:
    pxs_afile_abort(af);
    return -1;
}

int pxs_astage_open(pxs_astage *st, const char *path)
{
    char *dir = dir_of(path), *copy = xstrdup(path);
    int rc = pxs_mkdirs(dir), fd = -1;

    memset(st, 0, sizeof *st);
    st->lockfd = -1;
    free(dir);
    if (rc != 0) {
        free(copy);
        return -1;
    }
    pxs_afile_clean_stale(path);
    for (int attempt = 0; fd < 0; attempt++) {
        st->dir = temp_template(path, false);
        if (mkdtemp(st->dir) == NULL) {
            pxs_set_error_errno("cannot create a temporary directory for %s", path);
            free(st->dir);
            st->dir = NULL;
            free(copy);
            return -1;
        }
        fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || (!claim_temp(fd) && attempt < 10)) {
            if (fd >= 0)
                close(fd);
            else
                rmdir(st->dir);
            free(st->dir);
            st->dir = NULL;
            fd = -1;
        }
    }
    st->lockfd = fd;
    st->path = xstrdup(path);
    st->file = xasprintf("%s/%s", st->dir, basename(copy));
    free(copy);
    return 0;
}

static void astage_release(pxs_astage *st)
{
    if (st->dir != NULL)
        pxs_remove_tree(st->dir);
    if (st->lockfd >= 0)
        close(st->lockfd);
    free(st->path);
    free(st->dir);
    free(st->file);
    memset(st, 0, sizeof *st);
    st->lockfd = -1;
}

void pxs_astage_abort(pxs_astage *st) { astage_release(st); }

int pxs_astage_commit(pxs_astage *st)
{
    int fd = pxs_file_open(st->file, O_RDONLY, 0), rc = -1;

    if (fd < 0) {
        astage_release(st);
        return -1;
    }
    if (fsync(fd) != 0)
        pxs_set_error_errno("cannot sync %s", st->path);
    else if (rename(st->file, st->path) != 0)
        pxs_set_error_errno("cannot rename %s to %s", st->file, st->path);
    else
        rc = 0;
    close(fd);
    if (rc == 0) {
        char *dir = dir_of(st->path);
        rc = fsync_dir(dir);
        free(dir);
    }
    astage_release(st);
    return rc;
}

int pxs_atomic_write(const char *path, const void *buf, size_t len)
{
    pxs_afile af;

    if (pxs_afile_open(&af, path) != 0)
        return -1;
    if (len > 0 && fwrite(buf, 1, len, af.fp) != len) {
        pxs_set_error_errno("cannot write %s", path);
        pxs_afile_abort(&af);
        return -1;
    }
    return pxs_afile_commit(&af);
}

void pxs_abatch_init(pxs_abatch *b)
{
    pxs_strlist_init(&b->tmp);
    pxs_strlist_init(&b->final);
}

static void abatch_clear(pxs_abatch *b)
{
    pxs_strlist_free(&b->tmp);
    pxs_strlist_free(&b->final);
}

static ssize_t find_final(const pxs_abatch *b, const char *path)
{
    for (size_t i = b->final.n; i > 0; i--)
        if (strcmp(b->final.v[i - 1], path) == 0)
            return (ssize_t)(i - 1);
    return -1;
}

const char *pxs_abatch_pending(const pxs_abatch *b, const char *path)
{
    ssize_t i = find_final(b, path);

    return i < 0 ? NULL : b->tmp.v[i];
}

int pxs_abatch_write_with(pxs_abatch *b, const char *path, pxs_atomic_fill_fn fill, void *arg)
{
    pxs_afile af;

    if (afile_open(&af, path, true) != 0)
        return -1;
    if (fill(af.fp, arg) != 0) {
        pxs_set_error("cannot write %s: %s", path, pxs_error());
        pxs_afile_abort(&af);
        return -1;
    }
    if (fclose(af.fp) != 0) {
        af.fp = NULL;
        pxs_set_error_errno("cannot write %s", path);
        pxs_afile_abort(&af);
        return -1;
    }
    af.fp = NULL;
    pxs_abatch_adopt(b, path, af.tmp);
    afile_release(&af);
    return 0;
}

typedef struct bytes {
    const void *buf;
    size_t len;
} bytes;

static int fill_bytes(FILE *out, void *arg)
{
    const bytes *b = arg;

    if (b->len > 0 && fwrite(b->buf, 1, b->len, out) != b->len) {
        pxs_set_error("%s", strerror(errno));
        return -1;
    }
    return 0;
}

int pxs_abatch_write(pxs_abatch *b, const char *path, const void *buf, size_t len)
{
    return pxs_abatch_write_with(b, path, fill_bytes, &(bytes){buf, len});
}

void pxs_abatch_adopt(pxs_abatch *b, const char *path, const char *tmp)
{
    ssize_t old = find_final(b, path);

    /* Rewritten in the same batch: the newer temporary replaces the older. */
    if (old >= 0) {
        unlink(b->tmp.v[old]);
        free(b->tmp.v[old]);
        b->tmp.v[old] = xstrdup(tmp);
    } else {
        pxs_strlist_add(&b->tmp, tmp);
        pxs_strlist_add(&b->final, path);
    }
}

void pxs_abatch_release(pxs_abatch *b)
{
    abatch_clear(b);
}

/* Makes the temporaries durable: one syncfs for the filesystem, or an fsync
 * per file where syncfs is not available. */
static int abatch_sync(const pxs_abatch *b)
{
    int fd = open(b->tmp.v[0], O_RDONLY | O_CLOEXEC);
    int rc = fd >= 0 ? syncfs(fd) : -1;

    if (fd >= 0)
        close(fd);
    if (rc == 0)
        return 0;
    for (size_t i = 0; i < b->tmp.n; i++) {
        fd = open(b->tmp.v[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) {
            pxs_set_error_errno("cannot sync %s", b->final.v[i]);
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

int pxs_abatch_commit(pxs_abatch *b)
{
    pxs_strlist dirs;
    size_t done = 0;
    int rc = 0;

    if (b->tmp.n == 0)
        return 0;
    pxs_strlist_init(&dirs);
    if (abatch_sync(b) != 0)
        rc = -1;
    while (rc == 0 && done < b->tmp.n) {
        char *dir = dir_of(b->final.v[done]);
        if (rename(b->tmp.v[done], b->final.v[done]) != 0) {
            pxs_set_error_errno("cannot rename %s to %s", b->tmp.v[done], b->final.v[done]);
            rc = -1;
        } else {
            pxs_strlist_add_unique(&dirs, dir);
            done++;
        }
        free(dir);
    }
    for (size_t i = 0; rc == 0 && i < dirs.n; i++)
        rc = fsync_dir(dirs.v[i]);
    for (size_t i = done; i < b->tmp.n; i++)
        unlink(b->tmp.v[i]);
    pxs_strlist_free(&dirs);
    abatch_clear(b);
    return rc;
}

void pxs_abatch_abort(pxs_abatch *b)
{
    for (size_t i = 0; i < b->tmp.n; i++)
        unlink(b->tmp.v[i]);
    abatch_clear(b);
}

int pxs_atomic_copy(const char *src, const char *dst)
{
    size_t len;
    char *buf = pxs_read_file(src, &len);
    int rc;

    if (buf == NULL)
        return -1;
    rc = pxs_atomic_write(dst, buf, len);
    free(buf);
    return rc;
}

size_t pxs_abatch_mark(const pxs_abatch *b)
{
    return b->tmp.n;
}

void pxs_abatch_rollback(pxs_abatch *b, size_t mark)
{
    while (b->tmp.n > mark) {
        b->tmp.n--;
        b->final.n--;
        unlink(b->tmp.v[b->tmp.n]);
        free(b->tmp.v[b->tmp.n]);
        free(b->final.v[b->final.n]);
    }
}

int pxs_abatch_commit_each(pxs_abatch *b, bool *ok)
{
    pxs_strlist dirs;
    char *first_error = NULL;
    int rc = 0;

    if (b->tmp.n == 0)
        return 0;
    pxs_strlist_init(&dirs);
    if (abatch_sync(b) != 0) {
        for (size_t i = 0; i < b->tmp.n; i++) {
            ok[i] = false;
            unlink(b->tmp.v[i]);
        }
        abatch_clear(b);
        return -1;
    }
    for (size_t i = 0; i < b->tmp.n; i++) {
        char *dir = dir_of(b->final.v[i]);
        ok[i] = rename(b->tmp.v[i], b->final.v[i]) == 0;
        if (ok[i]) {
            pxs_strlist_add_unique(&dirs, dir);
        } else {
            pxs_set_error_errno("cannot rename %s to %s", b->tmp.v[i], b->final.v[i]);
            if (first_error == NULL)
                first_error = xstrdup(pxs_error());
            unlink(b->tmp.v[i]);
        }
        free(dir);
    }
    /* A directory that cannot be synced leaves its files in place but not
     * durable: they count as not published. */
    for (size_t d = 0; d < dirs.n; d++) {
        if (fsync_dir(dirs.v[d]) == 0)
            continue;
        if (first_error == NULL)
            first_error = xstrdup(pxs_error());
        for (size_t i = 0; i < b->final.n; i++) {
            char *dir = dir_of(b->final.v[i]);
            if (strcmp(dir, dirs.v[d]) == 0)
                ok[i] = false;
            free(dir);
        }
    }
    if (first_error != NULL) {
        pxs_set_error("%s", first_error);
        free(first_error);
        rc = -1;
    }
    pxs_strlist_free(&dirs);
    abatch_clear(b);
    return rc;
}

char *pxs_fill_text(pxs_atomic_fill_fn fill, void *arg, size_t *len)
{
    char *text = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&text, &size);
    int rc;

    if (m == NULL) {
        pxs_set_error_errno("cannot build a text in memory");
        return NULL;
    }
    rc = fill(m, arg);
    if (ferror(m) && rc == 0) {
        pxs_set_error("cannot build a text in memory: out of memory");
        rc = -1;
    }
    if (fclose(m) != 0 && rc == 0) {
        pxs_set_error_errno("cannot build a text in memory");
        rc = -1;
    }
    if (rc != 0) {
        free(text);
        return NULL;
    }
    *len = size;
    return text;
}

int pxs_atomic_write_text(const char *path, pxs_atomic_fill_fn fill, void *arg)
{
    size_t len;
    char *text = pxs_fill_text(fill, arg, &len);
    int rc;

    if (text == NULL)
        return -1;          /* the fill's message, or out of memory */
    rc = pxs_atomic_write(path, text, len);
    free(text);
    return rc;
}

bool pxs_pread_full(int fd, void *buf, size_t len, off_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, (char *)buf + got, len - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

bool pxs_pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC; /* a write that makes no progress */
            return false;
        }
        done += (size_t)w;
    }
    return true;
}

int pxs_unnamed_temp(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    char *path;

    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    /* No O_TMPFILE here: a name for an instant, in the shape the cleaner of
     * stale temporaries knows (a kill in between leaves it to the next writer). */
    path = xasprintf("%s/.unnamed.XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    free(path);
    return fd;
}
