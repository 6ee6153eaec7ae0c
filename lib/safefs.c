/* safefs — opening, reading and listing the stats tree (see safefs.h). */
#include "pxstats/safefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

/* The stats root, without trailing '/', or NULL. */
static char *tree_root;

void pxs_tree_set_root(const char *statsdir)
{
    size_t n;

    free(tree_root);
    tree_root = NULL;
    if (statsdir == NULL || *statsdir == '\0')
        return;
    n = strlen(statsdir);
    while (n > 1 && statsdir[n - 1] == '/')
        n--;
    tree_root = xstrndup(statsdir, n);
}

/* The index in path of the '/' that follows the root, or 0 when path is not
 * below the root (a path equal to the root is not "below" it: the root may be
 * a link). */
static size_t below_root(const char *path)
{
    size_t n;

    if (tree_root == NULL)
        return 0;
    n = strcmp(tree_root, "/") == 0 ? 0 : strlen(tree_root);
    if (strncmp(path, tree_root, n) != 0 || path[n] != '/' || path[n + 1] == '\0')
        return 0;
    return n == 0 ? 1 : n;
}

bool pxs_in_tree(const char *path) { return below_root(path) > 0; }

const char *pxs_mode_name(mode_t mode)
{
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISREG(mode))
        return "a regular file";
    return "a file of unknown type";
}

/* Sets the refusal message and errno for something that is not what was
 * wanted ("a regular file" or "a directory"). */
static void refuse(const char *path, mode_t mode, const char *wanted)
{
    pxs_set_error("%s: %s, not %s: refused", path, pxs_mode_name(mode), wanted);
    errno = S_ISLNK(mode) ? ELOOP : S_ISDIR(mode) ? EISDIR : S_ISREG(mode) ? ENOTDIR : EINVAL;
}

/* One directory of the tree: a directory or a plain file (0), missing (1,
 * or created when create), or refused (-1). */
static int tree_dir(const char *dir, bool create)
{
    struct stat st;

    if (lstat(dir, &st) != 0) {
        if (errno != ENOENT) {
            pxs_set_error_errno("%s", dir);
            return -1;
        }
        if (!create)
            return 1;
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            pxs_set_error_errno("cannot create directory %s", dir);
            return -1;
        }
        /* Made now, or by a concurrent run: either way it must be a directory. */
        if (lstat(dir, &st) != 0) {
            pxs_set_error_errno("%s", dir);
            return -1;
        }
    }
    /* A link or a special file is refused here; a plain file in the way is
     * left to the operation that follows, whose own error (ENOTDIR) names
     * the file it was after. */
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        refuse(dir, st.st_mode, "a directory");
        return -1;
    }
    return 0;
}

/* Checks the directories of path between the tree's root and its last
 * component (that one too when whole), creating missing ones when create.
 * A path outside the tree passes. Returns 0, 1 when one is missing (not
 * created), -1 when one is refused. */
static int tree_dirs(const char *path, bool whole, bool create)
{
    size_t i = below_root(path), end = strlen(path);
    char *p;
    int rc = 0;

    if (i == 0)
        return 0;
    if (!whole) {
        while (end > i && path[end - 1] == '/')
            end--;
        while (end > i && path[end - 1] != '/')
            end--;
    }
    p = xstrndup(path, end);
    while (rc == 0 && i < end) {
        size_t j;
        while (i < end && p[i] == '/')
            i++;
        for (j = i; j < end && p[j] != '/'; j++)
            ;
        if (j == i)
            break;
        if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
            /* Names are validated and never hold "..": this one would leave the tree. */
            pxs_set_error("%s: '..' leads out of the stats tree: refused", path);
            errno = EINVAL;
            rc = -1;
            break;
        }
        char c = p[j];
        p[j] = '\0';
        rc = tree_dir(p, create);
        p[j] = c;
        i = j;
    }
    free(p);
    return rc;
}

int pxs_path_stat(const char *path, struct stat *st)
{
    bool tree = pxs_in_tree(path);
    int rc = tree_dirs(path, false, false);

    if (rc != 0)
        return rc;
    if ((tree ? lstat(path, st) : stat(path, st)) != 0) {
        if (errno == ENOENT)
            return 1;
        pxs_set_error_errno("%s", path);
        return -1;
    }
    return 0;
}

int pxs_regular_check(const char *path)
{
    struct stat st;
    int rc = pxs_path_stat(path, &st);

    if (rc != 0)
        return rc > 0 ? 0 : -1;
    if (!S_ISREG(st.st_mode)) {
        refuse(path, st.st_mode, "a regular file");
        return -1;
    }
    return 1;
}

/* What may be opened as a file: in the tree a regular file only; outside it
 * what the operator named (a config may be /dev/null or a FIFO of the shell's
 * "<(...)"), a directory aside. */
static bool acceptable(bool tree, mode_t mode)
{
    return S_ISREG(mode) || (!tree && !S_ISDIR(mode));
}

int pxs_file_open(const char *path, int flags, mode_t mode)
{
    bool tree = pxs_in_tree(path);
    struct stat st;
    int rc = pxs_path_stat(path, &st), fd, fl;

    if (rc < 0)
        return -1;
    if (rc > 0 && !(flags & O_CREAT)) {
        errno = ENOENT;
        pxs_set_error_errno("cannot open %s", path);
        return -1;
    }
    /* Refused before the open, so that no device of the tree is ever opened
     * (opening some has side effects); the fstat below closes the race. */
    if (rc == 0 && !acceptable(tree, st.st_mode)) {
        refuse(path, st.st_mode, "a regular file");
        return -1;
    }
    fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (tree ? O_NOFOLLOW : 0), mode);
    if (fd < 0) {
        int e = errno;
        if (lstat(path, &st) == 0 && (e == ELOOP || e == ENXIO) && !acceptable(tree, st.st_mode)) {
            refuse(path, st.st_mode, "a regular file");
        } else {
            errno = e;
            pxs_set_error_errno("cannot open %s", path);
        }
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        pxs_set_error_errno("cannot open %s", path);
        close(fd);
        errno = e;
        return -1;
    }
    if (!acceptable(tree, st.st_mode)) {
        int e;
        refuse(path, st.st_mode, "a regular file");
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = errno;
        pxs_set_error_errno("cannot open %s", path);
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

char *pxs_read_file(const char *path, size_t *len)
{
    int fd = pxs_file_open(path, O_RDONLY, 0);
    size_t cap = 65536, n = 0;
    char *buf;

    if (fd < 0)
        return NULL;
    buf = xmalloc(cap + 1);
    for (;;) {
        ssize_t r;
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            pxs_set_error_errno("cannot read %s", path);
            free(buf);
            close(fd);
            errno = e;
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

/* mkdir -p of a path outside the tree (or of the root itself): links on the
 * way are followed, as the operator laid them out. */
static int mkdirs_plain(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;

    for (char *s = p + 1;; s++) {
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

int pxs_mkdirs(const char *path)
{
    if (path[0] == '\0') {
        errno = ENOENT;
        pxs_set_error_errno("cannot create a directory with an empty name");
        return -1;
    }
    if (!pxs_in_tree(path))
        return mkdirs_plain(path);
    if (mkdirs_plain(tree_root) != 0)
        return -1;
    return tree_dirs(path, true, true) == 0 ? 0 : -1;
}

static int dirent_cmp(const void *a, const void *b)
{
    return strcmp(((const pxs_dirent *)a)->name, ((const pxs_dirent *)b)->name);
}

/* The S_IFMT type of an entry: from readdir when the file system says it,
 * else from fstatat without following a link. */
static mode_t entry_type(int dfd, const struct dirent *e)
{
    struct stat st;

    switch (e->d_type) {
    case DT_REG: return S_IFREG;
    case DT_DIR: return S_IFDIR;
    case DT_LNK: return S_IFLNK;
    case DT_FIFO: return S_IFIFO;
    case DT_SOCK: return S_IFSOCK;
    case DT_CHR: return S_IFCHR;
    case DT_BLK: return S_IFBLK;
    default:
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return st.st_mode & S_IFMT;
        return 0;
    }
}

int pxs_dir_read(const char *dir, pxs_dirlist *out)
{
    int rc = tree_dirs(dir, false, false), fd;
    struct stat st;

    memset(out, 0, sizeof *out);
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (pxs_in_tree(dir) ? O_NOFOLLOW : 0));
    if (fd < 0) {
        int e2 = errno;
        if (e2 == ENOENT)
            return 0;
        if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
            refuse(dir, st.st_mode, "a directory");
        else
            pxs_set_error_errno("cannot read directory %s", dir);
        return -1;
    }
    rc = pxs_dir_read_fd(fd, dir, out);
    close(fd);
    return rc;
}

int pxs_dir_read_fd(int fd, const char *path, pxs_dirlist *out)
{
    DIR *d;
    struct dirent *e;
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);

    memset(out, 0, sizeof *out);
    if (own < 0 || (d = fdopendir(own)) == NULL) {
        pxs_set_error_errno("cannot read directory %s", path);
        if (own >= 0)
            close(own);
        return -1;
    }
    /* The duplicate shares fd's offset: read from the start whatever was
     * read through fd before. */
    rewinddir(d);
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        xgrow((void **)&out->e, &out->cap, out->n + 1, sizeof *out->e);
        out->e[out->n].name = xstrdup(e->d_name);
        out->e[out->n].type = entry_type(dirfd(d), e);
        out->n++;
        errno = 0;
    }
    if (errno != 0) {
        pxs_set_error_errno("cannot read directory %s", path);
        closedir(d);
        pxs_dir_free(out);
        return -1;
    }
    closedir(d);
    if (out->n > 1)
        qsort(out->e, out->n, sizeof *out->e, dirent_cmp);
    return 0;
}

void pxs_dir_free(pxs_dirlist *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->e[i].name);
    free(d->e);
    memset(d, 0, sizeof *d);
}

/* Removes the entry name of the directory parent, whatever it is; an entry
 * already gone is fine. A directory is emptied first, through descriptors
 * opened with O_NOFOLLOW: a link swapped in at any moment is an entry to
 * unlink, never a way out. */
int pxs_remove_tree_at(int parent, const char *name, const char *path)
{
    struct stat st;
    pxs_dirlist l;
    int fd, rc = 0;

    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return 0;
        pxs_set_error_errno("cannot remove %s", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(parent, name, 0) != 0 && errno != ENOENT) {
            pxs_set_error_errno("cannot remove %s", path);
            return -1;
        }
        return 0;
    }
    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP || errno == ENOTDIR)   /* swapped for a link or a file */
            return pxs_remove_tree_at(parent, name, path);
        pxs_set_error_errno("cannot remove %s", path);
        return -1;
    }
    if (pxs_dir_read_fd(fd, path, &l) != 0) {
        close(fd);
        return -1;
    }
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        char *sub = xasprintf("%s/%s", path, l.e[i].name);
        rc = pxs_remove_tree_at(fd, l.e[i].name, sub);
        free(sub);
    }
    pxs_dir_free(&l);
    close(fd);
    if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
        pxs_set_error_errno("cannot remove %s", path);
        rc = -1;
    }
    return rc;
}

int pxs_remove_tree(const char *path)
{
    char *copy = xstrdup(path), *slash;
    const char *dir = ".", *base = copy;
    size_t len = strlen(copy);
    int dfd, rc;

    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    slash = strrchr(copy, '/');
    if (slash != NULL) {
        *slash = '\0';
        dir = slash == copy ? "/" : copy;
        base = slash + 1;
    }
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        pxs_set_error("%s: not a path to remove", path);
        free(copy);
        return -1;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        rc = errno == ENOENT ? 0 : -1;
        if (rc < 0)
            pxs_set_error_errno("cannot remove %s", path);
        free(copy);
        return rc;
    }
    rc = pxs_remove_tree_at(dfd, base, path);
    close(dfd);
    free(copy);
    return rc;
}
