/* pxssh — test helper: drives remote.h from the end-to-end suites.
 *
 *   pxssh [--root DIR] [--config FILE] TARGET ARG...      run ARG... quoted (pxs_sh_command)
 *   pxssh ... --raw TARGET 'shell command line'           run the line as is
 *   pxssh ... --upload LOCAL REMOTE TARGET                upload a file (mode 0644)
 *   pxssh --quote ARG...                                  print the quoted command line
 *
 * The remote stdout and stderr are copied to ours; the exit status is the
 * remote one; 255 with a message when the connection or the run failed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/cli.h"
#include "pxstats/config.h"
#include "pxstats/msg.h"
#include "pxstats/remote.h"

static const char usage[] =
    "usage: pxssh [--root DIR] [--config FILE] [--raw] TARGET ARG...\n"
    "       pxssh [--root DIR] [--config FILE] --upload LOCAL REMOTE TARGET\n"
    "       pxssh --quote ARG...\n";

enum { OPT_RAW = PXS_OPT_FIRST_FREE, OPT_UPLOAD, OPT_QUOTE };

static int run(const pxs_ssh_target *t, const pxs_ssh_opts *o, bool raw, char **argv)
{
    pxs_ssh_result r = {0};
    int st;
    if (raw) {
        pxs_ssh *s = pxs_ssh_connect(t, o);
        st = s != NULL ? pxs_ssh_run(s, argv[0], &r) : -1;
        pxs_ssh_close(s);
    } else {
        st = pxs_ssh_exec(t, o, argv, &r);
    }
    if (r.out != NULL)
        fwrite(r.out, 1, r.out_len, stdout);
    if (r.err != NULL)
        fwrite(r.err, 1, r.err_len, stderr);
    pxs_ssh_result_free(&r);
    if (st < 0) {
        pxs_warnx("%s", pxs_error());
        return 255;
    }
    return st;
}

static int upload(const pxs_ssh_target *t, const pxs_ssh_opts *o, const char *local,
                  const char *remote)
{
    pxs_ssh *s = pxs_ssh_connect(t, o);
    int rc = s != NULL ? pxs_ssh_upload(s, local, remote, 0644) : -1;
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    pxs_ssh_close(s);
    return rc < 0 ? 255 : 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        PXS_COMMON_LONG_OPTS,
        {"raw", no_argument, NULL, OPT_RAW},
        {"upload", no_argument, NULL, OPT_UPLOAD},
        {"quote", no_argument, NULL, OPT_QUOTE},
        {NULL, 0, NULL, 0},
    };
    pxs_cli cli;
    pxs_cli_init(&cli, argv[0], usage);
    bool raw = false, up = false, quote = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (opt == OPT_RAW)
            raw = true;
        else if (opt == OPT_UPLOAD)
            up = true;
        else if (opt == OPT_QUOTE)
            quote = true;
        else
            pxs_cli_common(&cli, opt, optarg);
    }
    argv += optind;
    argc -= optind;
    if (quote) {
        char *cmd = pxs_sh_command(argv);
        puts(cmd);
        free(cmd);
        return 0;
    }
    if (argc < (up ? 3 : 2) || (raw && argc != 2))
        pxs_cli_usage_error(&cli, "missing arguments");
    /* Only the [ssh] settings are read: no stats tree is needed. */
    pxs_config cfg;
    if (pxs_config_load(&cfg, cli.root, cli.config) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_ssh_opts o;
    pxs_ssh_target t;
    if (pxs_ssh_opts_from_config(&cfg, &o) < 0 ||
        pxs_ssh_target_parse(argv[up ? 2 : 0], NULL, o.port, &t) < 0)
        pxs_diex(2, "%s", pxs_error());
    int st = up ? upload(&t, &o, argv[0], argv[1]) : run(&t, &o, raw, argv + 1);
    pxs_ssh_target_free(&t);
    pxs_ssh_opts_free(&o);
    pxs_config_free(&cfg);
    return st;
}
