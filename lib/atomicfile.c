/* atomicfile — temp file in the same directory, fsync, rename, fsync dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int pxs_mkdirs(const char *path)
{
    char *p;
    int rc = 0;

    if (path[0] == '\0') {
        errno = ENOENT;
        pxs_set_error_errno("cannot create a directory with an empty name");
        return -1;
    }
    p = xstrdup(path);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                pxs_set_error_errno("cannot create directory %s", p);
                rc = -1;
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return rc;
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

int pxs_afile_open(pxs_afile *af, const char *path)
{
    char *dir = dir_of(path);
    char *copy = xstrdup(path);
    const char *base = basename(copy);
    int fd;

    memset(af, 0, sizeof *af);
    if (pxs_mkdirs(dir) != 0) {
        free(dir);
        free(copy);
        return -1;
    }
    /* mkstemp's template: the hidden name, a dot, six 'X' it replaces. */
    af->tmp = xasprintf("%s/.%s.%6s", dir, base, "");
    memset(af->tmp + strlen(af->tmp) - 6, 'X', 6);
    free(dir);
    free(copy);
    fd = mkstemp(af->tmp);
    if (fd < 0) {
        pxs_set_error_errno("cannot create a temporary file for %s", path);
        free(af->tmp);
        af->tmp = NULL;
        return -1;
    }
    /* mkstemp makes 0600; published files follow the umask like fopen's. */
    if (fchmod(fd, 0666 & ~process_umask()) != 0 || (af->fp = fdopen(fd, "w")) == NULL) {
        pxs_set_error_errno("cannot prepare %s", af->tmp);
        close(fd);
        unlink(af->tmp);
        free(af->tmp);
        af->tmp = NULL;
        return -1;
    }
    af->path = xstrdup(path);
    return 0;
}

static void afile_release(pxs_afile *af)
{
    free(af->path);
    free(af->tmp);
    memset(af, 0, sizeof *af);
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

void pxs_afile_clean_stale(const char *path)
{
    char *dir = dir_of(path), *copy = xstrdup(path);
    const char *base = basename(copy);
    size_t blen = strlen(base);
    DIR *d = opendir(dir);
    struct dirent *de;

    while (d != NULL && (de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        /* Exactly ".<base>." followed by mkstemp's six characters. */
        if (n[0] == '.' && strncmp(n + 1, base, blen) == 0 && n[blen + 1] == '.' &&
            strlen(n + blen + 2) == 6) {
            char *tmp = xasprintf("%s/%s", dir, n);
            unlink(tmp);
            free(tmp);
        }
    }
    if (d != NULL)
        closedir(d);
    free(dir);
    free(copy);
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

int pxs_abatch_write(pxs_abatch *b, const char *path, const void *buf, size_t len)
{
    pxs_afile af;
    ssize_t old;

    if (pxs_afile_open(&af, path) != 0)
        return -1;
    if ((len > 0 && fwrite(buf, 1, len, af.fp) != len) || fclose(af.fp) != 0) {
        af.fp = NULL;
        pxs_set_error_errno("cannot write %s", path);
        pxs_afile_abort(&af);
        return -1;
    }
    af.fp = NULL;
    old = find_final(b, path);
    if (old >= 0) {
        /* Rewritten in the same batch: the newer temporary replaces the older. */
        unlink(b->tmp.v[old]);
        free(b->tmp.v[old]);
        b->tmp.v[old] = xstrdup(af.tmp);
    } else {
        pxs_strlist_add(&b->tmp, af.tmp);
        pxs_strlist_add(&b->final, path);
    }
    afile_release(&af);
    return 0;
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

char *pxs_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    size_t cap = 65536, n = 0;
    char *buf;

    if (fd < 0) {
        pxs_set_error_errno("cannot open %s", path);
        return NULL;
    }
    buf = xmalloc(cap + 1);
    for (;;) {
        ssize_t r;
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            pxs_set_error_errno("cannot read %s", path);
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
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
