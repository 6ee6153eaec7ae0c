/* pngspan — a span stamp in a PNG tEXt chunk (see pngspan.h). */
#include "pxstats/pngspan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
/* Chunk data longer than this is not ours to parse (a span text is 39 bytes). */
#define MAX_TEXT 256

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* "<key>\0<start>/<end>" -> the span; false for another chunk. */
static bool parse_text(const unsigned char *data, size_t len, int64_t *start, int64_t *end)
{
    size_t klen = sizeof PXS_PNG_SPAN_KEY;   /* with its NUL */
    if (len != klen + 2 * PXS_ISO_LEN + 1 || memcmp(data, PXS_PNG_SPAN_KEY, klen) != 0)
        return false;
    const char *text = (const char *)data + klen;
    return text[PXS_ISO_LEN] == '/' && pxs_parse_iso(text, PXS_ISO_LEN, start) &&
           pxs_parse_iso(text + PXS_ISO_LEN + 1, PXS_ISO_LEN, end);
}

static bool is_span_chunk(const unsigned char *chunk, size_t datalen)
{
    int64_t s, e;
    return memcmp(chunk + 4, "tEXt", 4) == 0 && parse_text(chunk + 8, datalen, &s, &e);
}

int pxs_png_set_span(const unsigned char *png, size_t len, int64_t start, int64_t end,
                     unsigned char **out, size_t *outlen)
{
    if (len < 8 + 25 || memcmp(png, signature, 8) != 0 || get32(png + 8) != 13 ||
        memcmp(png + 12, "IHDR", 4) != 0) {
        pxs_set_error("not a PNG image");
        return -1;
    }
    char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
    size_t klen = sizeof PXS_PNG_SPAN_KEY, dlen = klen + 2 * PXS_ISO_LEN + 1;
    unsigned char *o = xmalloc(len + 12 + dlen), *w = o;
    memcpy(w, png, 33);   /* signature and IHDR */
    w += 33;
    put32(w, (uint32_t)dlen);
    memcpy(w + 4, "tEXt", 4);
    memcpy(w + 8, PXS_PNG_SPAN_KEY, klen);
    memcpy(w + 8 + klen, pxs_format_iso(start, a), PXS_ISO_LEN);
    w[8 + klen + PXS_ISO_LEN] = '/';
    memcpy(w + 8 + klen + PXS_ISO_LEN + 1, pxs_format_iso(end, b), PXS_ISO_LEN);
    put32(w + 8 + dlen, (uint32_t)crc32(0L, w + 4, (uInt)(dlen + 4)));
    w += 12 + dlen;
    /* The other chunks as they are, an older span dropped. */
    size_t p = 33;
    while (p + 12 <= len) {
        size_t clen = get32(png + p);
        if (clen > len - p - 12)
            break;
        if (!is_span_chunk(png + p, clen)) {
            memcpy(w, png + p, clen + 12);
            w += clen + 12;
        }
        p += clen + 12;
    }
    /* Whatever follows a damaged chunk is kept as it was. */
    if (p < len) {
        memcpy(w, png + p, len - p);
        w += len - p;
    }
    *out = o;
    *outlen = (size_t)(w - o);
    return 0;
}

int pxs_png_get_span(const unsigned char *png, size_t len, int64_t *start, int64_t *end)
{
    if (len < 8 || memcmp(png, signature, 8) != 0)
        return 0;
    for (size_t p = 8; p + 12 <= len;) {
        size_t clen = get32(png + p);
        if (clen > len - p - 12 || memcmp(png + p + 4, "IDAT", 4) == 0)
            return 0;
        if (memcmp(png + p + 4, "tEXt", 4) == 0 && parse_text(png + p + 8, clen, start, end))
            return 1;
        p += clen + 12;
    }
    return 0;
}

int pxs_png_file_span(const char *path, int64_t *start, int64_t *end)
{
    /* Only a regular file is an image: a link, FIFO, device or directory
     * planted under an image's name is refused by name (safefs.h), never
     * opened or followed. */
    int fd = pxs_file_open(path, O_RDONLY, 0);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    unsigned char head[8], data[MAX_TEXT];
    int rc = 0;
    off_t off = 8;
    errno = 0;
    if (pxs_pread_full(fd, head, 8, 0) && memcmp(head, signature, 8) == 0) {
        /* Chunk headers only: the span is right after IHDR, IDAT ends the search. */
        while (pxs_pread_full(fd, head, 8, off)) {
            size_t clen = get32(head);
            if (memcmp(head + 4, "IDAT", 4) == 0 || clen > 0x7fffffff)
                break;
            if (memcmp(head + 4, "tEXt", 4) == 0 && clen <= sizeof data &&
                pxs_pread_full(fd, data, clen, off + 8) && parse_text(data, clen, start, end)) {
                rc = 1;
                break;
            }
            off += (off_t)clen + 12;
        }
    }
    /* pxs_pread_full leaves errno 0 at the end of the file: only a real error counts. */
    if (rc == 0 && errno != 0) {
        pxs_set_error_errno("%s", path);
        rc = -1;
    }
    close(fd);
    return rc;
}

int pxs_png_write_span(const char *path, const unsigned char *png, size_t len, int64_t start,
                       int64_t end)
{
    unsigned char *o;
    size_t olen;
    if (pxs_png_set_span(png, len, start, end, &o, &olen) != 0) {
        char *why = xstrdup(pxs_error());
        pxs_set_error("%s: %s", path, why);
        free(why);
        return -1;
    }
    int rc = pxs_atomic_write(path, o, olen);
    free(o);
    return rc;
}
