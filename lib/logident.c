/* logident — saved positions matched to the log files that hold their content. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/logident.h"

void pxs_ident_fingerprint(const pxs_logfile *f, uint32_t *len, uint32_t *crc)
{
    *len = f->head_len;
    *crc = (uint32_t)crc32(0, f->head, (uInt)f->head_len);
}

/* Does f begin with the bytes p was saved with? */
static bool same_start(const pxs_logfile *f, const pxs_position *p)
{
    return f->head_len >= p->fp_len && (uint32_t)crc32(0, f->head, p->fp_len) == p->fp_crc;
}

uint64_t pxs_ident_end(const pxs_logfile *f)
{
    unsigned char b[4];
    uint64_t v = 0;
    int fd;

    if (!f->gz)
        return f->size;
    fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0 && f->size >= 4 && pread(fd, b, 4, (off_t)f->size - 4) == 4)
        v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
    if (fd >= 0)
        close(fd);
    return v;
}

/* Same content: identical first bytes, enough of them to tell. */
static bool same_content(const pxs_logfile *a, const pxs_logfile *b)
{
    uint32_t n = a->head_len < b->head_len ? a->head_len : b->head_len;

    return n >= PXS_FP_MIN && memcmp(a->head, b->head, n) == 0;
}

/* Of two files with the same content, the one read: the one with a
 * position, else a plain file (a .gz may still be being written), else the
 * first in reading order. */
static bool keeps_over(const pxs_logfile *a, const pxs_ident *ia, const pxs_logfile *b,
                       const pxs_ident *ib)
{
    if ((ia->pos != NULL) != (ib->pos != NULL))
        return ia->pos != NULL;
    if (a->gz != b->gz)
        return !a->gz;
    return a < b;
}

void pxs_ident_match(const pxs_logfiles *files, pxs_position **pos, size_t n, pxs_ident *id,
                     bool *used)
{
    memset(id, 0, files->n * sizeof *id);
    memset(used, 0, n * sizeof *used);
    /* Same inode and same first bytes: the same file, maybe renamed. A plain
     * file shorter than where it was read was truncated: not the same. */
    for (size_t i = 0; i < files->n; i++) {
        const pxs_logfile *f = &files->f[i];
        for (size_t j = 0; j < n && id[i].pos == NULL; j++)
            if (!used[j] && pos[j]->dev == f->dev && pos[j]->ino == f->ino && same_start(f, pos[j]) &&
                (f->gz || f->size >= pos[j]->scanned)) {
                id[i].pos = pos[j];
                used[j] = true;
            }
    }
    /* The content of a position found under another inode. */
    for (size_t i = 0; i < files->n; i++) {
        const pxs_logfile *f = &files->f[i];
        for (size_t j = 0; j < n && id[i].pos == NULL; j++)
            if (!used[j] && pos[j]->fp_len >= PXS_FP_MIN && same_start(f, pos[j]) &&
                (f->gz || f->size >= pos[j]->scanned)) {
                id[i].pos = pos[j];
                id[i].moved = true;
                used[j] = true;
            }
    }
    for (size_t i = 0; i < files->n; i++)
        for (size_t k = i + 1; k < files->n; k++) {
            const pxs_logfile *a = &files->f[i], *b = &files->f[k];
            if (id[i].duplicate || id[k].duplicate || !same_content(a, b))
                continue;
            if (keeps_over(a, &id[i], b, &id[k]))
                id[k].duplicate = true;
            else
                id[i].duplicate = true;
        }
}
