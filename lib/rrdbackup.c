/* rrdbackup — backups of the RRD archive (see rrdbackup.h). */
#include "pxstats/rrdbackup.h"

#include <errno.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/feedjournal.h"
#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdstore.h"
#include "pxstats/xalloc.h"

/* The trees a backup holds, relative to the stats root. */
static const char *const trees[] = {"databases", "DATABASE-UPDATES"};
#define NTREES (sizeof trees / sizeof trees[0])

/* "YYYY-MM-DD HH:MM:SS" <-> "YYYY-MM-DD_HH:MM:SS" (the space would be awkward in
 * a path). Returns false when s is neither. */
static bool dir_name(const char *s, char out[PXS_ISO_SIZE])
{
    int64_t t;
    if (strlen(s) != PXS_ISO_LEN)
        return false;
    char tmp[PXS_ISO_SIZE];
    memcpy(tmp, s, PXS_ISO_SIZE);
    if (tmp[10] == '_')
        tmp[10] = ' ';
    if (!pxs_parse_iso(tmp, PXS_ISO_LEN, &t))
        return false;
    memcpy(out, tmp, PXS_ISO_SIZE);
    out[10] = '_';
    return true;
}

/* With rrdcached, updates of a database may still sit in its queue: they are
 * written to the file before it is copied. A file the daemon does not hold
 * (a state file, a database it never saw) has nothing to flush: the answer is
 * ignored. */
static void flush_daemon(const char *path)
{
    const char *addr = pxs_rrd_daemon();
    if (addr == NULL || rrdc_connect(addr) != 0)
        return;
    char *abs = pxs_rrd_abs_path(path);
    rrdc_flush(abs);
    rrd_clear_error();
    free(abs);
}

/* Copies the regular files of src into dst, recursively (atomic per file).
 * Links and special files are not data of the archive: left out. */
static int copy_tree(const char *src, const char *dst)
{
    pxs_dirlist l;
    if (pxs_dir_read(src, &l) != 0)
        return -1;
    int rc = l.n > 0 ? pxs_mkdirs(dst) : 0;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        /* Dot files are temporaries of atomic writes in progress. */
        if (l.e[i].name[0] == '.')
            continue;
        char *s = xasprintf("%s/%s", src, l.e[i].name);
        char *t = xasprintf("%s/%s", dst, l.e[i].name);
        if (S_ISDIR(l.e[i].type)) {
            rc = copy_tree(s, t);
        } else if (S_ISREG(l.e[i].type)) {
            flush_daemon(s);
            /* A copy killed earlier left its temporary beside t (the lock
             * is held: no other writer of t is at work). */
            pxs_rrd_clean_temporaries(t);
            rc = pxs_atomic_copy(s, t);
        } else {
            pxs_warnx("%s: %s: left out of the backup", s, pxs_mode_name(l.e[i].type));
        }
        free(s);
        free(t);
    }
    pxs_dir_free(&l);
    return rc;
}

/* Removes the files under cur (recursively) that ref does not have. */
static int remove_extra(const char *cur, const char *ref)
{
    pxs_dirlist l;
    if (pxs_dir_read(cur, &l) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        char *c = xasprintf("%s/%s", cur, l.e[i].name);
        char *r = xasprintf("%s/%s", ref, l.e[i].name);
        struct stat sr;
        if (S_ISDIR(l.e[i].type) && lstat(r, &sr) == 0 && S_ISDIR(sr.st_mode))
            rc = remove_extra(c, r);
        else if (lstat(r, &sr) != 0 && l.e[i].name[0] != '.')
            rc = pxs_remove_tree(c);
        free(c);
        free(r);
    }
    pxs_dir_free(&l);
    return rc;
}

int pxs_rrd_backups_list(const char *statsdir, pxs_strlist *out)
{
    char *dir = pxs_backups_dir(statsdir);
    pxs_dirlist l;
    if (pxs_dir_read(dir, &l) != 0) {
        free(dir);
        return -1;
    }
    for (size_t i = 0; i < l.n; i++) {
        char name[PXS_ISO_SIZE];
        const char *e = l.e[i].name;
        if (S_ISDIR(l.e[i].type) && strlen(e) == PXS_ISO_LEN && e[10] == '_' &&
            dir_name(e, name)) {
            name[10] = ' ';
            pxs_strlist_add(out, name);
        }
    }
    pxs_dir_free(&l);
    free(dir);
    pxs_strlist_sort(out);
    return 0;
}

char *pxs_rrd_backup_path(const char *statsdir, const char *name)
{
    char dname[PXS_ISO_SIZE];
    if (!dir_name(name, dname))
        return NULL;
    return pxs_backup_dir(statsdir, dname);
}

static int prune(const char *statsdir)
{
    pxs_strlist l;
    pxs_strlist_init(&l);
    int rc = pxs_rrd_backups_list(statsdir, &l);
    for (size_t i = 0; rc == 0 && i + PXS_BACKUPS_KEPT < l.n; i++) {
        char name[PXS_ISO_SIZE];
        dir_name(l.v[i], name);
        char *p = pxs_backup_dir(statsdir, name);
        rc = pxs_remove_tree(p);
        free(p);
    }
    pxs_strlist_free(&l);
    return rc;
}

/* Removes the ".<name>.partial" directories of backups killed while being
 * made (the lock is held: none is being made now). */
static void remove_partials(const char *statsdir)
{
    char *dir = pxs_backups_dir(statsdir);
    pxs_dirlist l;
    if (pxs_dir_read(dir, &l) != 0)
        pxs_warnx("%s", pxs_error());
    for (size_t i = 0; i < l.n; i++) {
        const char *e = l.e[i].name;
        size_t n = strlen(e);
        if (e[0] != '.' || n < 9 || strcmp(e + n - 8, ".partial") != 0)
            continue;
        char *p = pxs_backup_dir(statsdir, e);
        if (pxs_remove_tree(p) != 0)
            pxs_warnx("%s", pxs_error());
        free(p);
    }
    pxs_dir_free(&l);
    free(dir);
}

/* The backup itself, the lock being held. */
static int backup_locked(const char *statsdir, int64_t t, bool do_prune, char **name)
{
    remove_partials(statsdir);
    char iso[PXS_ISO_SIZE], dname[PXS_ISO_SIZE];
    char *final = NULL;
    for (;; t++) {
        pxs_format_iso(t, iso);
        dir_name(iso, dname);
        final = pxs_backup_dir(statsdir, dname);
        if (access(final, F_OK) != 0)
            break;
        free(final);
    }
    /* Built under a dot name and renamed: a crash never leaves a partial
     * backup that looks complete. */
    char *partial = xasprintf(".%s.partial", dname);
    char *tmp = pxs_backup_dir(statsdir, partial);
    free(partial);
    int rc = pxs_remove_tree(tmp);
    for (size_t i = 0; i < NTREES && rc == 0; i++) {
        char *s = pxs_stats_file(statsdir, trees[i]);
        char *d = pxs_stats_file(tmp, trees[i]);
        rc = pxs_mkdirs(d);
        if (rc == 0)
            rc = copy_tree(s, d);
        free(s);
        free(d);
    }
    if (rc == 0 && rename(tmp, final) != 0) {
        pxs_set_error_errno("cannot rename %s to %s", tmp, final);
        rc = -1;
    }
    if (rc != 0)
        pxs_remove_tree(tmp);
    if (rc == 0 && do_prune)
        rc = prune(statsdir);
    if (rc == 0 && name != NULL)
        *name = xstrdup(iso);
    free(tmp);
    free(final);
    return rc;
}

int pxs_rrd_backup(const char *statsdir, int64_t t, bool wait, char **name)
{
    pxs_lock lk;
    if (pxs_lock_take(&lk, statsdir, "rrdTransfer", wait) != 0)
        return -1;
    /* A feed killed in the middle left a journal: put its databases back
     * first, or the backup would copy half-written ones. */
    int rc = pxs_journal_recover_all(statsdir) < 0 ? -1 : 0;
    if (rc == 0)
        rc = backup_locked(statsdir, t, true, name);
    pxs_lock_release(&lk);
    return rc;
}

int pxs_rrd_restore(const char *statsdir, const char *date, int64_t now, bool wait,
                    char **saved)
{
    char dname[PXS_ISO_SIZE];
    if (!dir_name(date, dname)) {
        pxs_set_error("'%s': not a backup date (YYYY-MM-DD HH:MM:SS)", date);
        return -1;
    }
    char *src = pxs_backup_dir(statsdir, dname);
    struct stat sb;
    if (pxs_path_stat(src, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        pxs_set_error("no backup %s (see restoreRRD --list)", src);
        free(src);
        return -1;
    }
    pxs_lock lk;
    if (pxs_lock_take(&lk, statsdir, "rrdTransfer", wait) != 0) {
        free(src);
        return -1;
    }
    /* Pruned only after the restore: the backup being restored may be the
     * oldest one. A journal left by a killed feed is resolved first: once the
     * restored files are in place it would put back bytes of the old ones. */
    int rc = pxs_journal_recover_all(statsdir) < 0 ? -1 : 0;
    if (rc == 0)
        rc = backup_locked(statsdir, now, false, saved);
    for (size_t i = 0; i < NTREES && rc == 0; i++) {
        char *s = pxs_stats_file(src, trees[i]);
        char *d = pxs_stats_file(statsdir, trees[i]);
        /* Replace first, then remove what the backup did not have: at every
         * instant each database is a whole file, old or restored. */
        rc = copy_tree(s, d);
        if (rc == 0)
            rc = remove_extra(d, s);
        free(s);
        free(d);
    }
    if (rc == 0)
        rc = prune(statsdir);
    pxs_lock_release(&lk);
    free(src);
    return rc;
}
