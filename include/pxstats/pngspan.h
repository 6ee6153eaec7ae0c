/* pngspan — the span of time an image was drawn for, carried in the image.
 *
 * The pages must never show an image under a date it was not drawn for
 * (issue 13, rule 5): a daily image left from last week, or last year's
 * week 48, has the same file name as this week's. So every image of the
 * pages' tree carries the span [start, end) (UTC) its graph covers, in a PNG
 * tEXt chunk placed right after IHDR:
 *
 *     keyword "pxstats-span", text "YYYY-MM-DD HH:MM:SS/YYYY-MM-DD HH:MM:SS"
 *
 * The stamp travels with the bytes: a copy keeps it, a reader of the page
 * checks it, an image viewer ignores it. A PNG without the stamp was drawn
 * for no known span and is never shown under a date. */
#ifndef PXSTATS_PNGSPAN_H
#define PXSTATS_PNGSPAN_H

#include <stddef.h>
#include <stdint.h>

#define PXS_PNG_SPAN_KEY "pxstats-span"

/* A copy of png (*out, *outlen; fresh) carrying the span [start, end),
 * replacing a span chunk it had. Returns 0, or -1 (pxs_error set) when png is
 * not a PNG whose first chunk is IHDR. */
int pxs_png_set_span(const unsigned char *png, size_t len, int64_t start, int64_t end,
                     unsigned char **out, size_t *outlen);

/* The span of an image in memory. Returns 1 and sets *start, *end; 0 when
 * it carries none (or is no PNG). */
int pxs_png_get_span(const unsigned char *png, size_t len, int64_t *start, int64_t *end);

/* The span of the image file path, reading only the chunk headers up to the
 * first IDAT (a few hundred bytes, not the image). Returns 1 (set), 0 when
 * the file does not exist, is not a PNG or carries no span, -1 when it cannot
 * be read or is no regular file (a link, FIFO or directory in the stats tree:
 * refused, pxs_error names it). */
int pxs_png_file_span(const char *path, int64_t *start, int64_t *end);

/* Writes png to path through atomicfile, stamped with [start, end). Returns
 * 0 or -1 (pxs_error set). */
int pxs_png_write_span(const char *path, const unsigned char *png, size_t len, int64_t start,
                       int64_t end);

#endif
