/* atomicfile — the one writer of every file pxstats publishes.
 *
 * Snapshots, state files, pages and images are written to a temporary file
 * made by mkstemp in the target's own directory, flushed with fsync, renamed
 * over the target, and the directory is fsynced. A crash at any instant
 * therefore leaves either the old file or the new one under the final name,
 * never a mixture, and at worst a stale ".<name>.<6 random characters>" temporary.
 *
 * Stale temporaries are removed by the next writer in the same directory,
 * whatever the program: a writer holds an exclusive flock(2) on its temporary
 * from its creation to its rename, which the kernel drops when the writer
 * dies (even by kill -9), so a temporary nobody holds is a dead writer's and
 * goes, while a live writer's is left alone. No tool lock is needed for that.
 * In the stats tree a name ".<name>.<6 letters or digits>" is pxstats'.
 *
 * Directories are created through pxs_mkdirs (safefs.h): in the stats tree a
 * link where a directory should be is refused, so no write leaves the tree;
 * the rename replaces a link or special file found under the final name, it
 * never writes through it.
 *
 * Created files get mode 0666 & ~umask, like fopen(3). */
#ifndef PXSTATS_ATOMICFILE_H
#define PXSTATS_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "safefs.h"
#include "strlist.h"

typedef struct pxs_afile {
    char *path;   /* final name */
    char *tmp;    /* temporary name in the same directory */
    FILE *fp;     /* write the content here */
    int lockfd;   /* holds the temporary's flock until the rename */
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

/* Removes the temporaries ".<name>.<6 random characters>" (files, or
 * directories of pxs_astage) that writers killed before their rename left in
 * the directory of path, whatever file they were writing (its name may
 * change from run to run: dated images); a live writer's (locked) temporary
 * is kept. A batch's temporaries (".<name>.batch.XXXXXX", unlocked from
 * pxs_abatch_write to the commit) are removed only for path itself: its
 * batch must belong to the one run allowed to write path (as statsUpdater's,
 * under its lock). pxs_afile_open and pxs_astage_open call it: a caller needs
 * it only to clean without writing. */
void pxs_afile_clean_stale(const char *path);

/* For a library that writes a file by name itself, and leaves its own
 * temporary behind when killed (librrd's create writes "<name>XXXXXX" and
 * renames it): a private directory ".<name>.XXXXXX" beside path, locked as a
 * temporary file is; the library writes st->file ("<that dir>/<name>"),
 * pxs_astage_commit fsyncs it, renames it over path, fsyncs the directory and
 * removes the private one. A killed run leaves only the private directory,
 * which the next writer of path removes. Returns 0 or -1 (pxs_error set). */
typedef struct pxs_astage {
    char *path;   /* final name */
    char *dir;    /* the private directory */
    char *file;   /* where the library writes */
    int lockfd;
} pxs_astage;

int pxs_astage_open(pxs_astage *st, const char *path);
int pxs_astage_commit(pxs_astage *st);
void pxs_astage_abort(pxs_astage *st);

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
/* As pxs_abatch_write, for a content too big to be built in memory first:
 * fill writes it to the temporary's stream (and may seek in it); when fill
 * returns -1 (pxs_error set) nothing is pending for path and -1 is
 * returned, the error naming path. */
typedef int (*pxs_atomic_fill_fn)(FILE *out, void *arg);
int pxs_abatch_write_with(pxs_abatch *b, const char *path, pxs_atomic_fill_fn fill, void *arg);
/* The temporary holding the pending content of path, or NULL. */
const char *pxs_abatch_pending(const pxs_abatch *b, const char *path);
/* Publishes every pending file. On failure (pxs_error set) the files not yet
 * renamed keep their old content and their temporaries are removed. */
int pxs_abatch_commit(pxs_abatch *b);
/* Drops every pending file. */
void pxs_abatch_abort(pxs_abatch *b);
/* Takes tmp, a temporary written for path by another process of the same
 * run (a worker, whose batch released it), as the pending content of path. */
void pxs_abatch_adopt(pxs_abatch *b, const char *path, const char *tmp);
/* Forgets every pending file, leaving its temporary in place for the
 * process that adopts it. */
void pxs_abatch_release(pxs_abatch *b);
/* The number of files pending: a mark to roll back to. */
size_t pxs_abatch_mark(const pxs_abatch *b);
/* Drops the files written since mark (their temporaries are removed); those
 * pending before it stay. A job that gives up one part of a batch (one client
 * of many) keeps the others. */
void pxs_abatch_rollback(pxs_abatch *b, size_t mark);
/* As pxs_abatch_commit, but a file that cannot be renamed does not stop the
 * others: ok[i] (an array of pxs_abatch_mark() entries, filled here) tells
 * whether the i-th pending file, in the order first written, was published.
 * Returns 0 when every file was, else -1 with pxs_error() naming the first
 * that was not. When the sync itself fails, nothing is published. */
int pxs_abatch_commit_each(pxs_abatch *b, bool *ok);

/* Writes len bytes as the whole new content of path, atomically. */
int pxs_atomic_write(const char *path, const void *buf, size_t len);
/* The shape of every small state file: the content is printed by fill into a
 * memory stream, then written as path with pxs_atomic_write, so that a fill
 * that fails (returns -1 with pxs_error set) writes nothing. Returns 0 or -1
 * (pxs_error set). */
int pxs_atomic_write_text(const char *path, pxs_atomic_fill_fn fill, void *arg);
/* The memory stream of pxs_atomic_write_text, for a text written later (in a
 * transaction): what fill prints, as a malloc'ed NUL-terminated text (*len
 * bytes), or NULL with pxs_error() set when fill failed or memory ran out. */
char *pxs_fill_text(pxs_atomic_fill_fn fill, void *arg, size_t *len);
/* Copies the file src to dst atomically (dst replaced whole or not at all). */
int pxs_atomic_copy(const char *src, const char *dst);

/* A temporary file in dir that has no name (O_TMPFILE; where the filesystem
 * lacks it, made by mkstemp and unlinked at once): nothing is left of it
 * whatever stops the process. Returns a read-write descriptor, or -1 with
 * errno set. */
int pxs_unnamed_temp(const char *dir);

/* Reads exactly len bytes at offset off of fd (pread, EINTR retried).
 * Returns false on an error (errno set) or when the file ends first (errno 0). */
bool pxs_pread_full(int fd, void *buf, size_t len, off_t off);
/* Writes len bytes at offset off of fd (pwrite, EINTR retried). Returns false
 * on an error (errno set). */
bool pxs_pwrite_full(int fd, const void *buf, size_t len, off_t off);

#endif
