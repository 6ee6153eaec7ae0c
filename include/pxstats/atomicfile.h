/* atomicfile — the one writer of every file pxstats publishes.
 *
 * Snapshots, state files, pages and images are written to a temporary file
 * made by mkstemp in the target's own directory, flushed with fsync, renamed
 * over the target, and the directory is fsynced. A crash at any instant
 * therefore leaves either the old file or the new one under the final name,
 * never a mixture, and at worst a stale ".<name>.<6 random characters>" temporary that the
 * next successful write of the same file does not depend on.
 *
 * Created files get mode 0666 & ~umask, like fopen(3). */
#ifndef PXSTATS_ATOMICFILE_H
#define PXSTATS_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "strlist.h"

typedef struct pxs_afile {
    char *path;   /* final name */
    char *tmp;    /* temporary name in the same directory */
    FILE *fp;     /* write the content here */
} pxs_afile;

/* Opens a temporary file beside path. Missing parent directories are created
 * (mode 0777 & ~umask). Returns 0, or -1 with pxs_error() set. */
int pxs_afile_open(pxs_afile *af, const char *path);
/* Flushes, fsyncs, renames over the final name and fsyncs the directory.
 * On a failure before the rename the temporary is removed, the old file is
 * left untouched, and -1 is returned with pxs_error() naming the file and the
 * cause. When only the directory sync fails, the new content is in place (but
 * may not survive a crash) and -1 is returned as well. */
int pxs_afile_commit(pxs_afile *af);
/* Abandons the write: the temporary is removed, the final file untouched. */
void pxs_afile_abort(pxs_afile *af);

/* Removes the temporaries ".<name>.<6 random characters>" that writers of path killed before
 * their rename left behind. Only for a caller that holds the lock serialising
 * every writer of path (a live writer's temporary would be removed too). */
void pxs_afile_clean_stale(const char *path);

/* A batch of files published together, for a job that writes hundreds of
 * small files: each is written to its temporary at once; commit then makes
 * them all durable with a single syncfs(2) (one journal commit instead of one
 * per file), renames each over its final name and fsyncs each directory once.
 * Until commit, the final names are untouched. */
typedef struct pxs_abatch {
    pxs_strlist tmp, final;
} pxs_abatch;

void pxs_abatch_init(pxs_abatch *b);
/* Writes buf as the next content of path (replacing a pending one). */
int pxs_abatch_write(pxs_abatch *b, const char *path, const void *buf, size_t len);
/* The temporary holding the pending content of path, or NULL. */
const char *pxs_abatch_pending(const pxs_abatch *b, const char *path);
/* Publishes every pending file. On failure (pxs_error set) the files not yet
 * renamed keep their old content and their temporaries are removed. */
int pxs_abatch_commit(pxs_abatch *b);
/* Drops every pending file. */
void pxs_abatch_abort(pxs_abatch *b);

/* Writes len bytes as the whole new content of path, atomically. */
int pxs_atomic_write(const char *path, const void *buf, size_t len);
/* Copies the file src to dst atomically (dst replaced whole or not at all). */
int pxs_atomic_copy(const char *src, const char *dst);

/* mkdir -p: creates path and its parents. Returns 0 or -1 (pxs_error set). */
int pxs_mkdirs(const char *path);
/* Reads a whole file into a fresh NUL-terminated buffer (*len excludes the
 * NUL). Returns NULL with pxs_error() set on failure; errno is kept, so that
 * ENOENT can be told apart. */
char *pxs_read_file(const char *path, size_t *len);
/* Reads exactly len bytes at offset off of fd (pread, EINTR retried).
 * Returns false on an error (errno set) or when the file ends first (errno 0). */
bool pxs_pread_full(int fd, void *buf, size_t len, off_t off);

#endif
