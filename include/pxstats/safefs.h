/* safefs — the edges of the stats tree (DESIGN.md §8, SECURITY.md).
 *
 * What lies below the stats root comes partly from other machines (pickleSync)
 * and from runs killed at any instant, so the tools take nothing there on
 * trust. Inside the tree:
 *  - no symbolic link is followed: not as the last component of a path
 *    (O_NOFOLLOW), and not as a directory between the root and it (each one is
 *    checked with lstat). The root itself may be a link: that is the
 *    operator's choice, made outside the tree;
 *  - only a regular file is opened as a file: a FIFO, socket or device is
 *    refused before it is opened (lstat), and again after the open (fstat),
 *    which is made with O_NONBLOCK so that a FIFO swapped in between cannot
 *    block; O_NONBLOCK is cleared before the descriptor is returned;
 *  - directories are listed without following links, and a missing
 *    directory is an empty one.
 * A refusal is an error naming the path and what was found there, e.g.
 * "<path>: a FIFO, not a regular file: refused".
 *
 * The tree is the stats root of the config (pxs_config_load registers it with
 * pxs_tree_set_root). A path outside the tree (a config, a log, a file given
 * on the command line) is the operator's: links are followed and any file but
 * a directory is opened (a config may be /dev/null, or the FIFO of a shell's
 * "<(...)"), still without blocking in open(2).
 *
 * The checks are made when a path is used: someone who can write the tree
 * could still swap a directory for a link between a check and the open that
 * follows. That someone is the service account itself, which SECURITY.md
 * leaves out of the threat model; what other machines send cannot do it
 * (pickleSync never creates links or special files). */
#ifndef PXSTATS_SAFEFS_H
#define PXSTATS_SAFEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Registers the stats root of this process (NULL or "" forgets it). */
void pxs_tree_set_root(const char *statsdir);
/* True when path lies below the registered stats root. */
bool pxs_in_tree(const char *path);

/* "a symbolic link", "a FIFO", "a socket", "a character device",
 * "a block device", "a directory", "a regular file" for an st_mode. */
const char *pxs_mode_name(mode_t mode);

/* What is at path, a last link not followed (in the tree; outside it, stat).
 * Returns 0 with *st filled, 1 when nothing is there (a missing directory on
 * the way included), -1 with pxs_error() set (a link or a non-directory
 * between the root and path, or another error). */
int pxs_path_stat(const char *path, struct stat *st);

/* For a library that opens path by name itself (librrd): 1 when path is a
 * regular file, 0 when nothing is there, -1 (pxs_error() set: a link, a
 * special file, a directory...) otherwise. */
int pxs_regular_check(const char *path);

/* open(2) of a file with the rules above (in the tree: a regular file, no
 * link): flags are open's (O_CREAT with mode may create it); O_CLOEXEC and
 * O_NOCTTY are added. Returns the descriptor, or -1 with pxs_error() naming
 * path and errno set (ENOENT when it is missing; ELOOP for a link, EISDIR for
 * a directory, EINVAL for another non-regular file). */
int pxs_file_open(const char *path, int flags, mode_t mode);

/* Reads a whole regular file into a fresh NUL-terminated buffer (*len, when
 * not NULL, excludes the NUL). Returns NULL with pxs_error() set and errno
 * kept, so that ENOENT can be told apart. */
char *pxs_read_file(const char *path, size_t *len);

/* mkdir -p: creates path and its parents (mode 0777 & ~umask). In the tree,
 * a link or a file where a directory should be is refused. Returns 0 or -1
 * (pxs_error set). */
int pxs_mkdirs(const char *path);

/* One entry of a directory: its name and its type (the S_IFMT bits of its
 * lstat: S_ISREG, S_ISDIR, S_ISLNK... apply). */
typedef struct pxs_dirent {
    char *name;
    mode_t type;
} pxs_dirent;

typedef struct pxs_dirlist {
    pxs_dirent *e;    /* sorted by name; "." and ".." left out */
    size_t n, cap;
} pxs_dirlist;

/* Lists dir without following links: the directory itself must not be a
 * link, and an entry that is one is listed as S_IFLNK. A missing directory is
 * empty (returns 0 with n = 0). Returns 0, or -1 with pxs_error() naming dir. */
int pxs_dir_read(const char *dir, pxs_dirlist *out);
/* The same for the directory open at fd (fd is left open and may have been
 * read before; path is for messages). */
int pxs_dir_read_fd(int fd, const char *path, pxs_dirlist *out);
void pxs_dir_free(pxs_dirlist *d);

/* rm -r of the entry name of the directory open at parent (path names it in
 * messages): a directory is emptied through descriptors opened with
 * O_NOFOLLOW, and a link, wherever it is met (even swapped in during the
 * removal), is unlinked, never followed. Something already gone is fine.
 * Returns 0, or -1 with pxs_error() naming the first entry that could not be
 * removed (the removal stops there). */
int pxs_remove_tree_at(int parent, const char *name, const char *path);
/* The same for path (its parent directories are resolved as usual; the last
 * component is not followed). A missing path is fine. */
int pxs_remove_tree(const char *path);

#endif
