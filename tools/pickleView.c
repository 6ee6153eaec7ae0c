/* pickleView — print hourly snapshots: the original's report, or JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/report.h"
#include "pxstats/snapshot.h"

static const char usage[] =
    "usage: pickleView [--json] FILE...\n"
    "Prints each hourly snapshot FILE: the report of the original pickleViewer\n"
    "(files used, start, interval, end, then every entry's products, values,\n"
    "means, medians, minimums, maximums and totals), or with --json one JSON\n"
    "object per file, with the hour's latency and bytecount percentiles.\n"
    "  -j, --json        JSON output (one object per file)\n"
    "      --version     print the version\n"
    "  -h, --help        this text\n";

int main(int argc, char **argv)
{
    /* No --root or --config: a snapshot is named by its path, and pickleView
     * reads nothing else. */
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"version", no_argument, NULL, PXS_OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    bool json = false;
    int opt, status = PXS_EXIT_OK;

    pxs_cli_init(&cli, argv[0], usage);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "jh", opts)) != -1)
        if (opt == 'j')
            json = true;
    if (optind >= argc)
        pxs_cli_usage_error(&cli, "no snapshot file given");

    for (int i = optind; i < argc; i++) {
        pxs_hour h;

        memset(&h, 0, sizeof h);
        if (pxs_snapshot_read(argv[i], &h) != 0) {
            /* The message already names the file: "<file>: <cause>". */
            pxs_warnx("%s", pxs_error());
            status = PXS_EXIT_FAIL;
            continue;
        }
        if (json) {
            pxs_report_json(stdout, &h);
        } else {
            if (i > optind)
                putchar('\n');
            pxs_report_text(stdout, &h, argv[i]);
        }
        pxs_hour_free(&h);
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        pxs_die(PXS_EXIT_FAIL, "standard output");
    return status;
}
