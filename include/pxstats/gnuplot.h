/* gnuplot — short-span graphs of clients and sources, drawn by gnuplot
 * (the seed's StatsPlotter; DESIGN.md §6).
 *
 * One graph = one PNG holding one panel per (client x data type), stacked
 * from the bottom up in client-major order, 1280 pixels wide and
 * PXS_GRAPH_PANEL_HEIGHT pixels per panel. Each panel draws one impulse per
 * bucket of the window: the total for bytecount and errors, the mean for
 * latency, 0 for a bucket without data; an hour without any snapshot draws
 * nothing. The x axis is in hours with a tick per hour labelled "HH". A
 * latency panel's side labels include the 95th percentile (nearest rank,
 * percentile.h) of the latencies of the window's files.
 *
 * The work is split so that each part can be checked on its own:
 * pxs_graph_load reads and merges the snapshots (and with -n the current
 * hour from the logs) and computes every panel; pxs_graph_script writes the
 * gnuplot program with the data inline; pxs_gnuplot_run runs gnuplot on it
 * and publishes the PNG atomically (nothing is left behind on failure). */
#ifndef PXSTATS_GNUPLOT_H
#define PXSTATS_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collector.h"
#include "config.h"
#include "merge.h"
#include "names.h"
#include "strlist.h"

#define PXS_GRAPH_WIDTH 1280
#define PXS_GRAPH_PANEL_HEIGHT 342
#define PXS_GRAPH_MAX_TYPES 3

/* What one graph shows. */
typedef struct pxs_graph_opts {
    const pxs_config *cfg;       /* statsdir, logdir, maxLatency, [graphics] gnuplot */
    const pxs_strlist *clients;  /* clients or sources, validated, "All" expanded */
    pxs_filetype ft;
    const pxs_strlist *machines; /* merged together when several */
    int64_t date;                /* end of the window (rounded down to the hour unless now) */
    int span;                    /* hours, >= 1 */
    unsigned types[PXS_GRAPH_MAX_TYPES]; /* PXS_T_* of each panel of a client, in order */
    int ntypes;
    const char *product;         /* "All" (or NULL) or a product pattern */
    bool now;                    /* -n: end at date itself, the current hour read from the logs */
} pxs_graph_opts;

/* Parses "errors,bytecount,latency" (any order, no repeats) or "All" for ft
 * into panel types; "All" is errors,bytecount,latency for tx and
 * errors,bytecount for rx, as the seed. Returns 0, or -1 with pxs_error(). */
int pxs_graph_types_parse(const char *text, pxs_filetype ft, unsigned types[PXS_GRAPH_MAX_TYPES],
                          int *ntypes);
/* "latency", "bytecount" or "errors". */
const char *pxs_graph_type_name(unsigned type);

/* The hours of one client in the window. */
typedef struct pxs_graph_series {
    char *client;
    pxs_span span;               /* the snapshots of the whole hours */
    int nhours;                  /* span.nhours, +1 when a current hour was read (-n) */
    const pxs_hour **hours;      /* nhours: what is drawn (filtered by -p); NULL = no data */
    pxs_hour **owned;            /* filtered copies and the current hour, freed with the series */
    size_t nowned;
    int missing;                 /* hours of the window without data */
} pxs_graph_series;

/* One panel: its points and the figures of its title and side labels, all
 * over the buckets of the window. Strings point into the series' hours. */
typedef struct pxs_panel {
    size_t series;               /* index of the client in pxs_graph.series */
    unsigned type;
    size_t npoints;
    int64_t *x;                  /* bucket starts (epoch) */
    double *y;
    double max, mean, min;       /* over the points (0 when there is none) */
    bool has_extreme;            /* a largest value exists (files for latency and bytecount, errors) */
    double extreme;              /* largest latency, largest file, most errors in a bucket */
    int64_t extreme_time;        /* its row's time (errors: the bucket's start) */
    const char *extreme_file;    /* its row's product (NULL for errors) */
    uint64_t nb_files, files_over, nb_errors;
    double total_bytes;
    bool has_p95;                /* latency: the files have a 95th percentile */
    int64_t p95;                 /* nearest rank over the files of the window */
    int max_latency;             /* the threshold of files_over */
    int interval;                /* bucket width in seconds */
} pxs_panel;

typedef struct pxs_graph {
    const pxs_graph_opts *o;
    int64_t start, end;          /* the window [start, end) */
    size_t nseries;
    pxs_graph_series *series;
    size_t npanels;              /* nseries * o->ntypes, or 0 when no_data */
    pxs_panel *panels;           /* client-major, types in the order of o->types */
    bool no_data;                /* no client had any data in the window */
} pxs_graph;

/* Loads the window of every client and computes the panels. The window ends
 * at o->date rounded down to the hour, or at o->date itself with o->now (the
 * current hour is then collected from each machine's logs, merged, and a
 * machine without logs is warned about and left out); it starts o->span
 * hours before. Returns 0, or -1 with pxs_error() set. */
int pxs_graph_load(const pxs_graph_opts *o, pxs_graph *g);
void pxs_graph_free(pxs_graph *g);

/* Computes one panel of series s for type over [start, end): a bucket counts
 * when it overlaps the window. Used by pxs_graph_load; p is initialised here. */
void pxs_panel_compute(const pxs_graph_series *s, unsigned type, int64_t start, int64_t end,
                       int max_latency, pxs_panel *p);
void pxs_panel_free(pxs_panel *p);

/* The gnuplot program drawing g as a PNG on standard output, with each
 * panel's points inline as a datablock "$pN" of "x y" lines preceded by a
 * "# panel N: ..." comment. Fresh NUL-terminated string; *len its length. */
char *pxs_graph_script(const pxs_graph *g, size_t *len);

/* The seed's file name: <statsdir>/graphs/<clients>/<ft>_<clients>_
 * <YYYYMMDD_HH:MM:SS>_<types>_<span>hours_on_<machines>_for<product>products.png
 * (clients joined by '-' and cut at 50 characters, types and machines by ',';
 * spaces, brackets, quotes, '/' and control characters of the product are
 * dropped). end is the window's end. Fresh string. */
char *pxs_graph_path(const pxs_graph_opts *o, int64_t end);

/* s as a gnuplot string constant, quotes included: the one way text from
 * outside (products, names) enters a script. Single quotes, in which gnuplot
 * performs no `command` or @macro substitution and no backslash processing;
 * a quote is doubled; control characters (newline included) and bytes that
 * are not valid UTF-8 become '?'. Fresh string. */
char *pxs_gnuplot_quote(const char *s);

/* The gnuplot program of the config ([graphics] gnuplot, default "gnuplot"). */
const char *pxs_gnuplot_program(const pxs_config *cfg);

/* Runs gnuplot on script (fed on its standard input), captures the PNG it
 * writes on its standard output and writes it to png atomically. Returns 0,
 * or -1 with pxs_error() naming gnuplot and the cause (missing program, exit
 * status and its first message line, empty output, write failure). */
int pxs_gnuplot_run(const char *gnuplot, const char *script, size_t len, const char *png);

/* The whole of graphGen for one graph: load, then either print the script
 * on script_out (when not NULL) or draw the PNG; with link, the PNG is also
 * copied to <statsdir>/webGraphics/columbo/<clients>.png. *png_out (when not
 * NULL) gets the PNG's path (fresh string, NULL with script_out).
 * Returns 0, or -1 with pxs_error() set: also when a snapshot of the window
 * was refused (damaged, a link, a special file), after the graph was drawn
 * without it. */
int pxs_graph_make(const pxs_graph_opts *o, FILE *script_out, bool link, char **png_out);

#endif
