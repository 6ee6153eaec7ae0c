/* pickleView — print hourly snapshots: the original's report, or JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/report.h"
#include "pxstats/snapshot.h"

static const char usage[] =
    "usage: pickleView [--json] [--root DIR] [--config FILE] FILE...\n"
    "Prints each hourly snapshot FILE: the report of the original pickleViewer\n"
    "(files used, start, interval, end, then every entry's products, values,\n"
    "means, medians, minimums, maximums and totals), or with --json one JSON\n"
    "object per file.\n"
    "  -j, --json        JSON output (one object per file)\n"
    "      --root DIR    pxstats root (accepted for uniformity; FILE is a path)\n"
    "      --config FILE configuration file (idem)\n"
    "  -h, --help        this text\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    bool json = false;
    int opt, status = PXS_EXIT_OK;

    pxs_cli_init(&cli, argv[0], usage);
    while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
        if (opt == 'j')
            json = true;
        else if (!pxs_cli_common(&cli, opt, optarg))
            pxs_cli_usage_error(&cli, "unexpected option");
    }
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
