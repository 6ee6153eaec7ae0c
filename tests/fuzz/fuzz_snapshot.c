/* fuzz_snapshot — pxs_snapshot_decode on arbitrary bytes.
 *
 * Input: a mode byte, then the data. Mode bit 0 clear: the data is a whole
 * file, decoded as it is (header checks, CRC, zlib). Mode bit 0 set: the data
 * is a payload, wrapped here in a valid header (its length, zlib compression
 * and CRC) so that the fuzzer reaches the payload decoder past the checksum.
 *
 * When a decode succeeds, the hour must be consistent (buckets cover the
 * rows, rows inside the hour) and stable: encode(decode(x)) decodes, and
 * encoding that again gives the same bytes. */
#include <stdbool.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "pxstats/msg.h"
#include "pxstats/snapshot.h"

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A valid version-1 header around the compressed payload. */
static unsigned char *wrap(const uint8_t *payload, size_t plen, size_t *len)
{
    uLongf clen = compressBound(plen);
    unsigned char *out = malloc(PXS_SNAPSHOT_HEADER + clen);

    FZ_CHECK(compress2(out + PXS_SNAPSHOT_HEADER, &clen, plen ? payload : (const Bytef *)"", plen,
                       1) == Z_OK);
    memcpy(out, "PXSNAP\r\n", 8);
    put_le(out + 8, PXS_SNAPSHOT_VERSION, 2);
    put_le(out + 10, 0, 2);
    put_le(out + 12, (uint32_t)plen, 4);
    put_le(out + 16, (uint32_t)clen, 4);
    put_le(out + 20, (uint32_t)crc32(0, out + PXS_SNAPSHOT_HEADER, (uInt)clen), 4);
    *len = PXS_SNAPSHOT_HEADER + clen;
    return out;
}

static void check_hour(const pxs_hour *h)
{
    size_t covered = 0;

    FZ_CHECK(h->client != NULL && h->machine != NULL);
    FZ_CHECK(pxs_name_valid(h->client));
    FZ_CHECK(h->start % 3600 == 0);
    FZ_CHECK(h->interval > 0 && h->nbuckets > 0 && (int64_t)h->interval * h->nbuckets == 3600);
    FZ_CHECK(h->buckets != NULL);
    for (size_t i = 0; i < h->nrows; i++) {
        FZ_CHECK(pxs_hour_contains(h, h->rows[i].time));
        FZ_CHECK(pxs_hour_product(h, &h->rows[i]) != NULL);
        FZ_CHECK(i == 0 || h->rows[i - 1].time <= h->rows[i].time);
    }
    for (int b = 0; b < h->nbuckets; b++) {
        const pxs_bucket *k = &h->buckets[b];
        FZ_CHECK(k->start == h->start + (int64_t)b * h->interval);
        FZ_CHECK(k->first_row + k->nrows <= h->nrows);
        FZ_CHECK(k->nb_files + k->errors == k->nrows);
        FZ_CHECK(k->files_over_max_latency <= k->nb_files);
        covered += k->nrows;
    }
    FZ_CHECK(covered == h->nrows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *buf = NULL, *enc1, *enc2;
    size_t len, len1, len2;
    pxs_hour h, h2;

    if (size < 1)
        return 0;
    if (data[0] & 1)
        buf = wrap(data + 1, size - 1, &len);
    else {
        /* An exact-size copy, so that ASan sees any read past the end. */
        len = size - 1;
        buf = malloc(len ? len : 1);
        memcpy(buf, data + 1, len);
    }
    if (pxs_snapshot_decode(buf, len, "fuzz", &h) != 0) {
        /* A refusal names the file. */
        FZ_CHECK(strncmp(pxs_error(), "fuzz: ", 6) == 0);
        free(buf);
        return 0;
    }
    check_hour(&h);

    pxs_snapshot_encode(&h, &enc1, &len1);
    FZ_CHECK(pxs_snapshot_decode(enc1, len1, "fuzz-1", &h2) == 0);
    check_hour(&h2);
    FZ_CHECK(h2.nrows == h.nrows && h2.start == h.start && h2.ft == h.ft &&
             h2.interval == h.interval && strcmp(h2.client, h.client) == 0 &&
             strcmp(h2.machine, h.machine) == 0 && h2.malformed == h.malformed &&
             h2.partial == h.partial && h2.types == h.types && h2.max_latency == h.max_latency);
    for (size_t i = 0; i < h.nrows; i++) {
        FZ_CHECK(h2.rows[i].time == h.rows[i].time && h2.rows[i].bytes == h.rows[i].bytes &&
                 h2.rows[i].latency == h.rows[i].latency && h2.rows[i].error == h.rows[i].error);
        FZ_CHECK(strcmp(pxs_hour_product(&h2, &h2.rows[i]), pxs_hour_product(&h, &h.rows[i])) == 0);
    }
    pxs_snapshot_encode(&h2, &enc2, &len2);
    FZ_CHECK(len1 == len2 && memcmp(enc1, enc2, len1) == 0);

    free(enc1);
    free(enc2);
    pxs_hour_free(&h2);
    pxs_hour_free(&h);
    free(buf);
    return 0;
}
