/* fuzz_state — the PICKLED-TIMES and PICKLED_FILE_POSITIONS parsers.
 *
 * Input: a selector byte (bit 0: positions instead of times), then the file's
 * content, written into a private stats directory and loaded with
 * pxs_times_load / pxs_positions_load. A refusal must name the file and the
 * line. A load that succeeds is saved and loaded again: the second load must
 * succeed and give the same table (a file pxstats writes, pxstats reads). */
#include <inttypes.h>

#include "fuzz_common.h"
#include "pxstats/msg.h"
#include "pxstats/state.h"

static void refused(const char *file)
{
    char prefix[4200];

    snprintf(prefix, sizeof prefix, "%s/%s:", fz_dir(), file);
    FZ_CHECK(strncmp(pxs_error(), prefix, strlen(prefix)) == 0);
}

static void fuzz_times(void)
{
    pxs_times a, b;

    if (pxs_times_load(fz_dir(), &a) != 0) {
        refused("PICKLED-TIMES");
        return;
    }
    for (size_t i = 0; i < a.n; i++) {
        int64_t t;
        FZ_CHECK(pxs_name_valid(a.e[i].machine) && pxs_name_valid(a.e[i].client));
        FZ_CHECK(pxs_times_get(&a, a.e[i].machine, a.e[i].ft, a.e[i].client, &t));
    }
    FZ_CHECK(pxs_times_save(fz_dir(), &a) == 0);
    FZ_CHECK(pxs_times_load(fz_dir(), &b) == 0);
    FZ_CHECK(a.n == b.n);
    for (size_t i = 0; i < a.n; i++) {
        int64_t t;
        FZ_CHECK(pxs_times_get(&b, a.e[i].machine, a.e[i].ft, a.e[i].client, &t));
        FZ_CHECK(t == a.e[i].time);
    }
    pxs_times_free(&a);
    pxs_times_free(&b);
}

static void fuzz_positions(void)
{
    pxs_positions a, b;

    if (pxs_positions_load(fz_dir(), &a) != 0) {
        refused("PICKLED_FILE_POSITIONS");
        return;
    }
    for (size_t i = 0; i < a.n; i++) {
        FZ_CHECK(a.e[i].path != NULL && a.e[i].fp_len <= PXS_FP_MAX);
        FZ_CHECK(pxs_name_valid(a.e[i].machine) && pxs_name_valid(a.e[i].client));
    }
    FZ_CHECK(pxs_positions_save(fz_dir(), &a) == 0);
    FZ_CHECK(pxs_positions_load(fz_dir(), &b) == 0);
    FZ_CHECK(a.n == b.n);
    for (size_t i = 0; i < a.n; i++) {
        const pxs_position *x = &a.e[i];
        pxs_position *y = pxs_positions_find(&b, x->dev, x->ino);
        FZ_CHECK(y != NULL);
        FZ_CHECK(strcmp(x->path, y->path) == 0 && x->fp_len == y->fp_len &&
                 x->fp_crc == y->fp_crc && x->offset == y->offset && x->ft == y->ft &&
                 strcmp(x->machine, y->machine) == 0 && strcmp(x->client, y->client) == 0);
    }
    pxs_positions_free(&a);
    pxs_positions_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4200];
    int positions;

    if (size < 1)
        return 0;
    positions = data[0] & 1;
    snprintf(path, sizeof path, "%s/%s", fz_dir(),
             positions ? "PICKLED_FILE_POSITIONS" : "PICKLED-TIMES");
    fz_write(path, data + 1, size - 1);
    if (positions)
        fuzz_positions();
    else
        fuzz_times();
    unlink(path);
    return 0;
}
