/* mksnap — writes hourly snapshots for tests, through the library.
 *
 * usage: mksnap [-s FROM/TO]... STATSDIR CLIENT tx|rx MACHINE FIRST-HOUR NHOURS
 * Writes NHOURS snapshots pickles/CLIENT/<day>/<ft>/MACHINE_<HH> from the
 * hour of FIRST-HOUR ("YYYY-MM-DD HH:MM:SS"), with one 1000-byte data row at
 * second 30 of every minute, except the minutes in a silence -s FROM/TO
 * (two ISO times; [FROM, TO)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/collector.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"

#define MAX_SILENCES 16

static int64_t sil_from[MAX_SILENCES], sil_to[MAX_SILENCES];
static int nsil;

static int silent(int64_t t)
{
    for (int i = 0; i < nsil; i++)
        if (t >= sil_from[i] && t < sil_to[i])
            return 1;
    return 0;
}

static _Noreturn void usage(void)
{
    fprintf(stderr, "usage: mksnap [-s FROM/TO]... STATSDIR CLIENT tx|rx MACHINE FIRST-HOUR NHOURS\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int opt;
    pxs_set_progname(argv[0]);
    while ((opt = getopt(argc, argv, "s:")) != -1) {
        char *slash = optarg ? strchr(optarg, '/') : NULL;
        if (opt != 's' || nsil == MAX_SILENCES || slash == NULL ||
            !pxs_parse_iso(optarg, (size_t)(slash - optarg), &sil_from[nsil]) ||
            !pxs_parse_date_arg(slash + 1, &sil_to[nsil]))
            usage();
        nsil++;
    }
    if (argc - optind != 6)
        usage();
    const char *stats = argv[optind], *client = argv[optind + 1], *machine = argv[optind + 3];
    pxs_filetype ft;
    int64_t first;
    long n = atol(argv[optind + 5]);
    if (pxs_filetype_parse(argv[optind + 2], &ft) < 0 || !pxs_parse_date_arg(argv[optind + 4], &first) ||
        n < 1 || !pxs_name_valid(client) || !pxs_name_valid(machine))
        usage();
    first = pxs_hour_floor(first);
    for (long i = 0; i < n; i++) {
        pxs_hour h;
        int64_t start = first + i * PXS_HOUR;
        pxs_hour_init(&h, client, machine, ft, start, 1, 15, PXS_T_ALL);
        for (int64_t t = start; t < start + PXS_HOUR; t += 60)
            if (!silent(t))
                pxs_hour_add_row(&h, t + 30, 1000, ft == PXS_TX ? 2 : 0, "SACN31_CWAO", false);
        pxs_hour_compute(&h);
        char *path = pxs_pickle_path(stats, client, start, ft, machine);
        if (pxs_snapshot_write(path, &h) < 0)
            pxs_diex(1, "%s", pxs_error());
        free(path);
        pxs_hour_free(&h);
    }
    return 0;
}
