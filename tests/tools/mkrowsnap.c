/* mkrowsnap — test helper: writes one snapshot from a text description of its
 * rows, through the library, and can damage it on purpose (corrupt,
 * truncated, newer version) so that readers can be tested on real files.
 *
 * Rows on stdin, one per line ('#' comments and blank lines skipped):
 *     TIME BYTES LATENCY PRODUCT ERROR
 * TIME is epoch seconds or "YYYY-MM-DD HH:MM:SS"; PRODUCT "-" is the empty
 * product (error rows), and "%XX" in it is the byte of hex XX (a space, a
 * newline, any byte a hostile machine might put in a product); ERROR is 0
 * (data row) or 1 (error row). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/atomicfile.h"
#include "pxstats/collector.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

static const char usage[] =
    "usage: mkrowsnap OUT --client C --machine M --ft tx|rx --start \"DATE\" [--interval SECONDS]\n"
    "                 [--max-latency S] [--types LIST] [--malformed N] [--partial]\n"
    "                 [--file NAME]... [--source MACHINE]...\n"
    "                 [--future-version] [--flip-byte OFFSET] [--truncate LENGTH] < rows\n"
    "rows: TIME BYTES LATENCY PRODUCT ERROR   (TIME: epoch or \"YYYY-MM-DD HH:MM:SS\";\n"
    "      PRODUCT '-' = empty, %XX = the byte of hex XX; ERROR 0 or 1)\n"
    "--interval is the bucket width in seconds (default 60; a multiple of 60 dividing 3600).\n"
    "--future-version writes the next format version into the header; --flip-byte\n"
    "inverts the byte at OFFSET; --truncate keeps the first LENGTH bytes.\n";

enum {
    O_CLIENT = 1000, O_MACHINE, O_FT, O_START, O_INTERVAL, O_MAXLAT, O_TYPES, O_MALFORMED,
    O_PARTIAL, O_FILE, O_SOURCE, O_FUTURE, O_FLIP, O_TRUNCATE
};

typedef struct opts {
    const char *out, *client, *machine, *types;
    pxs_filetype ft;
    int64_t start;
    bool have_start, partial, future;
    long interval, max_latency, flip, truncate;
    uint64_t malformed;
    pxs_strlist files, sources;
} opts;

static _Noreturn void bad_usage(const char *what)
{
    pxs_warnx("%s", what);
    fputs(usage, stderr);
    exit(2);
}

static long number(const char *arg)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 0)
        bad_usage("bad number");
    return v;
}

static void parse_args(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {
        {"client", required_argument, NULL, O_CLIENT},
        {"machine", required_argument, NULL, O_MACHINE},
        {"ft", required_argument, NULL, O_FT}, {"start", required_argument, NULL, O_START},
        {"interval", required_argument, NULL, O_INTERVAL},
        {"max-latency", required_argument, NULL, O_MAXLAT},
        {"types", required_argument, NULL, O_TYPES},
        {"malformed", required_argument, NULL, O_MALFORMED},
        {"partial", no_argument, NULL, O_PARTIAL}, {"file", required_argument, NULL, O_FILE},
        {"source", required_argument, NULL, O_SOURCE},
        {"future-version", no_argument, NULL, O_FUTURE},
        {"flip-byte", required_argument, NULL, O_FLIP},
        {"truncate", required_argument, NULL, O_TRUNCATE},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case O_CLIENT: o->client = optarg; break;
        case O_MACHINE: o->machine = optarg; break;
        case O_FT:
            if (pxs_filetype_parse(optarg, &o->ft) != 0)
                bad_usage("--ft: tx or rx");
            break;
        case O_START:
            if (!pxs_parse_date_arg(optarg, &o->start))
                bad_usage("--start: bad date");
            o->have_start = true;
            break;
        case O_INTERVAL: o->interval = number(optarg); break;
        case O_MAXLAT: o->max_latency = number(optarg); break;
        case O_TYPES: o->types = optarg; break;
        case O_MALFORMED: o->malformed = (uint64_t)number(optarg); break;
        case O_PARTIAL: o->partial = true; break;
        case O_FILE: pxs_strlist_add(&o->files, optarg); break;
        case O_SOURCE: pxs_strlist_add(&o->sources, optarg); break;
        case O_FUTURE: o->future = true; break;
        case O_FLIP: o->flip = number(optarg); break;
        case O_TRUNCATE: o->truncate = number(optarg); break;
        case 'h': fputs(usage, stdout); exit(0);
        default: fputs(usage, stderr); exit(2);
        }
    }
    if (argc - optind != 1 || !o->client || !o->machine || !o->have_start)
        bad_usage("OUT, --client, --machine and --start are required");
    if (o->interval < 60 || o->interval % 60 || 3600 % o->interval)
        bad_usage("--interval: a multiple of 60 that divides 3600");
    o->out = argv[optind];
}

/* Replaces each "%XX" of s by the byte it names, in place. */
static void unpercent(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        unsigned v;
        if (r[0] == '%' && r[1] && r[2] && sscanf(r + 1, "%2x", &v) == 1 && v != 0) {
            *w++ = (char)v;
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* Parses one row into h; returns false on a line that is not one. */
static bool parse_row(char *line, pxs_hour *h)
{
    char *tok[7], *save = NULL;
    int n = 0, k;
    int64_t t;
    long long bytes, latency, error;

    for (char *p = strtok_r(line, " \t", &save); p && n < 7; p = strtok_r(NULL, " \t", &save))
        tok[n++] = p;
    if (n == 5) {
        char *end;
        t = strtoll(tok[0], &end, 10);
        if (end == tok[0] || *end)
            return false;
        k = 1;
    } else if (n == 6) {
        char iso[PXS_ISO_SIZE + 1];
        snprintf(iso, sizeof iso, "%s %s", tok[0], tok[1]);
        if (!pxs_parse_iso(iso, strlen(iso), &t))
            return false;
        k = 2;
    } else {
        return false;
    }
    if (sscanf(tok[k], "%lld", &bytes) != 1 || sscanf(tok[k + 1], "%lld", &latency) != 1 ||
        sscanf(tok[k + 3], "%lld", &error) != 1 || (error != 0 && error != 1))
        return false;
    if (!pxs_hour_contains(h, t)) {
        pxs_warnx("row time %" PRId64 " is outside the hour", t);
        return false;
    }
    if (strcmp(tok[k + 2], "-") == 0)
        tok[k + 2][0] = '\0';
    unpercent(tok[k + 2]);
    pxs_hour_add_row(h, t, bytes, latency, tok[k + 2], error == 1);
    return true;
}

static void read_rows(pxs_hour *h)
{
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;

    while (getline(&line, &cap, stdin) != -1) {
        size_t skip;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        skip = strspn(line, " \t");
        if (line[skip] == '\0' || line[skip] == '#')
            continue;
        if (!parse_row(line, h))
            pxs_diex(2, "stdin:%d: not a row (TIME BYTES LATENCY PRODUCT ERROR)", lineno);
    }
    free(line);
}

int main(int argc, char **argv)
{
    opts o = {.interval = 60, .max_latency = 15, .flip = -1, .truncate = -1};
    unsigned types = PXS_T_ALL;
    unsigned char *buf;
    size_t len;
    pxs_hour h;

    pxs_set_progname(argv[0]);
    pxs_strlist_init(&o.files);
    pxs_strlist_init(&o.sources);
    parse_args(argc, argv, &o);
    if (o.types && pxs_types_parse(o.types, o.ft, &types) != 0)
        bad_usage(pxs_error());
    pxs_hour_init(&h, o.client, o.machine, o.ft, o.start, (int)(o.interval / 60),
                  (int)o.max_latency, types);
    h.malformed = o.malformed;
    h.partial = o.partial;
    for (size_t i = 0; i < o.files.n; i++)
        pxs_hour_note_file(&h, o.files.v[i]);
    for (size_t i = 0; i < o.sources.n; i++)
        pxs_strlist_add_unique(&h.sources, o.sources.v[i]);
    read_rows(&h);
    pxs_hour_compute(&h);
    pxs_snapshot_encode(&h, &buf, &len);

    /* The damage is done to the encoded bytes, as a disk or a newer release
     * would: the reader must notice it from the file alone. Offsets follow
     * the header layout of snapshot.h (version: u16 LE at byte 8). */
    if (o.future) {
        buf[8] = (unsigned char)((PXS_SNAPSHOT_VERSION + 1) & 0xff);
        buf[9] = (unsigned char)((PXS_SNAPSHOT_VERSION + 1) >> 8);
    }
    if (o.flip >= 0 && (size_t)o.flip < len)
        buf[o.flip] ^= 0xff;
    if (o.truncate >= 0 && (size_t)o.truncate < len)
        len = (size_t)o.truncate;
    if (pxs_atomic_write(o.out, buf, len) != 0)
        pxs_diex(1, "%s", pxs_error());
    free(buf);
    pxs_hour_free(&h);
    pxs_strlist_free(&o.files);
    pxs_strlist_free(&o.sources);
    return 0;
}
