/* feedjournal — the undo journal of a feed (see feedjournal.h). */
#include "pxstats/feedjournal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/atomicfile.h"
#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/rrdstore.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

static const char magic[8] = {'P', 'X', 'S', 'J', 'R', 'N', 'L', '1'};

enum { ENTRY_ABSENT = 0, ENTRY_RANGES = 1, ENTRY_WHOLE = 2 };

uint32_t pxs_journal_crc(const void *buf, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    const unsigned char *p = buf;
    /* zlib takes lengths as uInt: feed big buffers in pieces. */
    while (len > 0) {
        uInt n = len > 1u << 30 ? 1u << 30 : (uInt)len;
        c = crc32(c, p, n);
        p += n;
        len -= n;
    }
    return (uint32_t)c;
}

void pxs_journal_init(pxs_journal *j)
{
    memset(j, 0, sizeof *j);
}

void pxs_journal_free(pxs_journal *j)
{
    free(j->buf);
    pxs_journal_init(j);
}

static void put(pxs_journal *j, const void *p, size_t n)
{
    xgrow((void **)&j->buf, &j->cap, j->len + n, 1);
    memcpy(j->buf + j->len, p, n);
    j->len += n;
}

static void put32(pxs_journal *j, uint32_t v) { put(j, &v, sizeof v); }
static void put64(pxs_journal *j, uint64_t v) { put(j, &v, sizeof v); }

/* One range [off, off + len) of the file into the journal. */
static int put_range(pxs_journal *j, int fd, const char *path, uint64_t off, uint64_t len)
{
    put64(j, off);
    put64(j, len);
    xgrow((void **)&j->buf, &j->cap, j->len + len, 1);
    if (!pxs_pread_full(fd, j->buf + j->len, len, (off_t)off)) {
        if (errno == 0)
            errno = EIO;   /* the file is shorter than librrd said */
        pxs_set_error_errno("%s: cannot read for the journal", path);
        return -1;
    }
    j->len += len;
    return 0;
}

/* What librrd's header says of a database: enough to place its rows. */
typedef struct rrd_shape {
    uint64_t header, step, last, ds;
    size_t nrra;
    uint64_t rows[64], cur[64], pdp[64];
} rrd_shape;

/* "rra[<i>].<field>" -> i and the field; false for other keys. */
static bool rra_key(const char *key, size_t *i, const char **field)
{
    char *end;
    if (strncmp(key, "rra[", 4) != 0)
        return false;
    unsigned long v = strtoul(key + 4, &end, 10);
    if (end == key + 4 || strncmp(end, "].", 2) != 0 || v >= 64)
        return false;
    *i = v;
    *field = end + 2;
    return true;
}

static int shape_of(const char *path, rrd_shape *sh)
{
    memset(sh, 0, sizeof *sh);
    rrd_info_t *info = NULL;
    int attempts = 0;
    for (;;) {
        rrd_clear_error();
        info = rrd_info_r(path);
        if (info != NULL || !pxs_rrd_retry_lock(&attempts))
            break;
    }
    if (info == NULL) {
        pxs_set_error("%s: cannot read its header: %s", path, rrd_get_error());
        return -1;
    }
    for (rrd_info_t *p = info; p != NULL; p = p->next) {
        size_t i;
        const char *f;
        if (p->type != RD_I_CNT)
            continue;
        uint64_t v = p->value.u_cnt;
        if (strcmp(p->key, "header_size") == 0)
            sh->header = v;
        else if (strcmp(p->key, "step") == 0)
            sh->step = v;
        else if (strcmp(p->key, "last_update") == 0)
            sh->last = v;
        else if (strncmp(p->key, "ds[", 3) == 0 && strstr(p->key, "].index") != NULL)
            sh->ds++;
        else if (rra_key(p->key, &i, &f)) {
            if (i + 1 > sh->nrra)
                sh->nrra = i + 1;
            if (strcmp(f, "rows") == 0)
                sh->rows[i] = v;
            else if (strcmp(f, "cur_row") == 0)
                sh->cur[i] = v;
            else if (strcmp(f, "pdp_per_row") == 0)
                sh->pdp[i] = v;
        }
    }
    rrd_info_free(info);
    return 0;
}

/* The ranges an update of values up to `to` can write: the header, and in
 * each RRA the rows after cur_row that the consolidation points completed
 * in (last, to] fill (one more, as a margin: restoring an untouched row is
 * harmless). Returns the number of ranges put, or -1 when the shape does not
 * add up to the file's size (the caller then saves the whole file). */
static long put_update_ranges(pxs_journal *j, int fd, const char *path, const rrd_shape *sh,
                              uint64_t size, int64_t to)
{
    uint64_t total = sh->header, row_bytes = sh->ds * sizeof(rrd_value_t);
    for (size_t i = 0; i < sh->nrra; i++)
        total += sh->rows[i] * row_bytes;
    if (sh->step == 0 || sh->ds == 0 || sh->nrra == 0 || total != size)
        return -1;
    size_t mark = j->len;
    long n = 0;
    put32(j, 0);   /* the count, set below */
    if (put_range(j, fd, path, 0, sh->header) != 0)
        return -2;
    n++;
    uint64_t base = sh->header;
    for (size_t i = 0; i < sh->nrra; i++) {
        uint64_t per = sh->step * (sh->pdp[i] ? sh->pdp[i] : 1);
        uint64_t done = to > (int64_t)sh->last ? (uint64_t)to / per - sh->last / per : 0;
        uint64_t k = done + 1 < sh->rows[i] ? done + 1 : sh->rows[i];
        uint64_t first = (sh->cur[i] + 1) % sh->rows[i];
        /* Rows first .. first+k-1, wrapping at the end of the RRA. */
        uint64_t a = k < sh->rows[i] - first ? k : sh->rows[i] - first;
        if (a > 0 && put_range(j, fd, path, base + first * row_bytes, a * row_bytes) != 0)
            return -2;
        n += a > 0;
        if (k > a) {
            if (put_range(j, fd, path, base, (k - a) * row_bytes) != 0)
                return -2;
            n++;
        }
        base += sh->rows[i] * row_bytes;
    }
    uint32_t n32 = (uint32_t)n;
    memcpy(j->buf + mark, &n32, sizeof n32);
    return n;
}

int pxs_journal_add_db(pxs_journal *j, const char *statsdir, const char *rel, int64_t to,
                       bool whole)
{
    char *path = pxs_stats_file(statsdir, rel);
    size_t start = j->len;
    put32(j, (uint32_t)strlen(rel));
    put(j, rel, strlen(rel));
    /* A link or special file where a database should be is refused by name
     * (safefs.h), never read through. */
    int fd = pxs_file_open(path, O_RDONLY, 0);
    if (fd < 0) {
        int rc = errno == ENOENT ? 0 : -1;
        if (rc == 0) {
            unsigned char kind = ENTRY_ABSENT;
            put(j, &kind, 1);
            put64(j, 0);
            j->n++;
        } else {
            j->len = start;
        }
        free(path);
        return rc;
    }
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? 0 : -1;
    if (rc != 0)
        pxs_set_error_errno("%s", path);
    rrd_shape sh;
    long nr = -1;
    size_t kind_at = j->len;
    if (rc == 0) {
        unsigned char kind = ENTRY_RANGES;
        put(j, &kind, 1);
        put64(j, (uint64_t)st.st_size);
        if (!whole && shape_of(path, &sh) != 0)
            rc = -1;
        else if (!whole)
            nr = put_update_ranges(j, fd, path, &sh, (uint64_t)st.st_size, to);
        if (nr == -2)
            rc = -1;
    }
    if (rc == 0 && nr < 0) {
        /* The whole file: asked for, or a shape that did not add up. */
        j->len = kind_at;
        unsigned char kind = ENTRY_WHOLE;
        put(j, &kind, 1);
        put64(j, (uint64_t)st.st_size);
        put32(j, 1);
        rc = put_range(j, fd, path, 0, (uint64_t)st.st_size);
    }
    close(fd);
    if (rc == 0)
        j->n++;
    else
        j->len = start;
    free(path);
    return rc;
}

int pxs_journal_write(const pxs_journal *j, const char *path, uint32_t commit_crc)
{
    pxs_journal out;
    pxs_journal_init(&out);
    put(&out, magic, sizeof magic);
    put32(&out, commit_crc);
    put32(&out, j->n);
    put(&out, j->buf, j->len);
    put32(&out, pxs_journal_crc(out.buf, out.len));
    /* A plain write: a journal cut short by a kill fails its CRC and is
     * known never to have been acted on (the databases are touched only
     * after this returns). */
    int fd = pxs_file_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 && errno == ENOENT) {
        /* The first feed of a file type: its state directory is made here. */
        char *dir = xstrdup(path), *slash = strrchr(dir, '/');
        if (slash != NULL) {
            *slash = '\0';
            if (pxs_mkdirs(dir) == 0)
                fd = pxs_file_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        }
        free(dir);
    }
    int rc = 0;
    if (fd < 0) {
        rc = -1;   /* pxs_file_open named path and the cause */
    } else {
        size_t done = 0;
        while (done < out.len && rc == 0) {
            ssize_t w = write(fd, out.buf + done, out.len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                pxs_set_error_errno("%s: cannot write the journal", path);
                rc = -1;
            } else {
                done += (size_t)w;
            }
        }
        if (close(fd) != 0 && rc == 0) {
            pxs_set_error_errno("%s", path);
            rc = -1;
        }
        if (rc != 0)
            unlink(path);
    }
    pxs_journal_free(&out);
    return rc;
}

/* ---- undo ---- */

typedef struct reader {
    const unsigned char *p, *end;
} reader;

static bool get(reader *r, void *out, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return false;
    memcpy(out, r->p, n);
    r->p += n;
    return true;
}

/* Writes len bytes at off (the file made when absent). */
static int write_at(int fd, const unsigned char *buf, size_t len, off_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, buf + done, len - done, off + (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

/* Undoes one entry; r is at its start. */
static int undo_entry(reader *r, const char *statsdir)
{
    uint32_t rl, nr;
    unsigned char kind;
    uint64_t size;
    char rel[4096];
    if (!get(r, &rl, 4) || rl == 0 || rl >= sizeof rel || !get(r, rel, rl))
        return 1;
    rel[rl] = '\0';
    if (strstr(rel, "..") != NULL || rel[0] == '/' || !get(r, &kind, 1) || !get(r, &size, 8))
        return 1;
    char *path = pxs_stats_file(statsdir, rel);
    int rc = 0;
    if (kind == ENTRY_ABSENT) {
        if (unlink(path) != 0 && errno != ENOENT) {
            pxs_set_error_errno("cannot remove %s", path);
            rc = -1;
        }
        free(path);
        return rc;
    }
    if (!get(r, &nr, 4)) {
        free(path);
        return 1;
    }
    int fd = pxs_file_open(path, O_WRONLY | (kind == ENTRY_WHOLE ? O_CREAT : 0), 0666);
    if (fd < 0) {
        pxs_set_error("cannot put back a database: %s", pxs_error());
        free(path);
        return -1;
    }
    for (uint32_t i = 0; i < nr && rc == 0; i++) {
        uint64_t off, len;
        if (!get(r, &off, 8) || !get(r, &len, 8) || (uint64_t)(r->end - r->p) < len ||
            off + len > size) {
            rc = 1;
            break;
        }
        if (write_at(fd, r->p, len, (off_t)off) != 0) {
            pxs_set_error_errno("%s: cannot put it back", path);
            rc = -1;
        }
        r->p += len;
    }
    if (rc == 0 && kind == ENTRY_WHOLE && ftruncate(fd, (off_t)size) != 0) {
        pxs_set_error_errno("%s: cannot put it back", path);
        rc = -1;
    }
    close(fd);
    free(path);
    return rc;
}

static int undo_entries(const unsigned char *buf, size_t len, uint32_t n, const char *statsdir)
{
    reader r = {buf, buf + len};
    for (uint32_t i = 0; i < n; i++) {
        int rc = undo_entry(&r, statsdir);
        if (rc > 0) {
            pxs_set_error("a damaged journal entry");
            return -1;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int pxs_journal_undo(const pxs_journal *j, const char *statsdir)
{
    return undo_entries(j->buf, j->len, j->n, statsdir);
}

int pxs_journal_recover(const char *statsdir, const char *jpath, const char *state_path)
{
    size_t len;
    unsigned char *buf = (unsigned char *)pxs_read_file(jpath, &len);
    if (buf == NULL) {
        if (errno == ENOENT)
            return 0;
        pxs_set_error_errno("%s", jpath);
        return -1;
    }
    uint32_t commit, n, crc;
    bool whole = len >= sizeof magic + 12 && memcmp(buf, magic, sizeof magic) == 0;
    if (whole) {
        memcpy(&crc, buf + len - 4, 4);
        whole = crc == pxs_journal_crc(buf, len - 4);
    }
    int rc = 2;
    if (whole) {
        memcpy(&commit, buf + 8, 4);
        memcpy(&n, buf + 12, 4);
        size_t slen = 0;
        char *state = pxs_read_file(state_path, &slen);
        bool committed = state != NULL && pxs_journal_crc(state, slen) == commit;
        free(state);
        if (!committed) {
            rc = undo_entries(buf + 16, len - 20, n, statsdir) == 0 ? 1 : -1;
            if (rc < 0) {
                char *why = xstrdup(pxs_error());
                pxs_set_error("%s: cannot undo an interrupted feed: %s", jpath, why);
                free(why);
            }
        }
    }
    if (rc >= 0 && unlink(jpath) != 0 && errno != ENOENT) {
        pxs_set_error_errno("cannot remove %s", jpath);
        rc = -1;
    }
    free(buf);
    return rc;
}

int pxs_journal_recover_all(const char *statsdir)
{
    static const char suffix[] = ".journal";
    int undone = 0;
    for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
        pxs_strlist all, names;
        pxs_strlist_init(&all);
        pxs_strlist_init(&names);
        if (pxs_dbupdates_list(statsdir, (pxs_filetype)ft, &all) != 0)
            return -1;
        for (size_t i = 0; i < all.n; i++) {
            size_t l = strlen(all.v[i]);
            if (all.v[i][0] == '.' && l > sizeof suffix &&
                strcmp(all.v[i] + l - (sizeof suffix - 1), suffix) == 0)
                pxs_strlist_add(&names, all.v[i]);
        }
        pxs_strlist_free(&all);
        char *dir = pxs_dbupdates_dir(statsdir, (pxs_filetype)ft);
        int rc = 0;
        for (size_t i = 0; i < names.n && rc >= 0; i++) {
            const char *nm = names.v[i];
            char *state_name = xstrndup(nm + 1, strlen(nm) - 1 - (sizeof suffix - 1));
            char *jpath = xasprintf("%s/%s", dir, nm);
            char *spath = xasprintf("%s/%s", dir, state_name);
            rc = pxs_journal_recover(statsdir, jpath, spath);
            undone += rc == 1;
            free(state_name);
            free(jpath);
            free(spath);
        }
        pxs_strlist_free(&names);
        free(dir);
        if (rc < 0)
            return -1;
    }
    return undone;
}
