/* snapshot — the hourly binary file ("pickle"): a pxs_hour on disk.
 *
 * Format version 1, all integers little-endian:
 *   header (24 bytes): magic "PXSNAP\r\n" (8), version u16, flags u16,
 *                      payload length u32 (uncompressed), compressed length u32,
 *                      CRC-32 of the compressed bytes u32
 *   body: the payload, zlib-compressed.
 * The payload holds the hour's identity and rows column by column (times as
 * deltas, values as varints, products as ids into a front-coded table), which
 * compresses far better than the log text. Statistics are not stored: they
 * are recomputed from the rows on load, so they can never disagree with them.
 *
 * A reader refuses, with a message naming the file: a wrong magic, a newer
 * version, a length or CRC mismatch, a payload that does not decode, and rows
 * outside the hour. A later format bumps the version and keeps this reader. */
#ifndef PXSTATS_SNAPSHOT_H
#define PXSTATS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "collector.h"

#define PXS_SNAPSHOT_VERSION 1
#define PXS_SNAPSHOT_HEADER 24
#define PXS_SNAPSHOT_MAGIC "PXSNAP\r\n" /* the first 8 bytes */

/* Serialises h (its rows and identity) into a fresh buffer. */
void pxs_snapshot_encode(const pxs_hour *h, unsigned char **buf, size_t *len);
/* Decodes buf into h (initialised here) and computes it. name is used in
 * messages. Returns 0, or -1 with pxs_error() = "<name>: <cause>". */
int pxs_snapshot_decode(const unsigned char *buf, size_t len, const char *name, pxs_hour *h);

/* Writes h to path atomically (atomicfile). Returns 0 or -1 (pxs_error set). */
int pxs_snapshot_write(const char *path, const pxs_hour *h);
/* Reads and checks path into h (computed). Returns 0 or -1 (pxs_error set;
 * errno ENOENT when the file does not exist). */
int pxs_snapshot_read(const char *path, pxs_hour *h);
/* Reads only the header's CRC (the snapshot's own checksum, for FILE_VERSIONS).
 * Returns 0 or -1 (pxs_error set). */
int pxs_snapshot_checksum(const char *path, uint32_t *crc);

#endif
