/* rrdplot — the long-span graphs drawn from the RRD archive (DESIGN.md §5,
 * original-behaviour.md §4.3).
 *
 * One 800x200 PNG per client (or the totals of all clients) and data type:
 *   graphs/<ft>/<client>/rrdgraphs/<ft>_<client>_<YYYYMMDD>_<HH:MM:SS>_<type>_<n><unit>_on_<machine>.png
 * with end's date and time, unit one of hours, days, months, years. The title
 * is "<Type> for <client> for a span of <n> <unit> ending at <end>." and a
 * comment gives the minimum, maximum and mean over the span, computed from an
 * rrd fetch of the averages with the same resolution as the graph. Count types
 * are scaled from consolidated averages back to per-point totals: value x
 * (step / 60), the number of minutes each point stands for. Unknown points are
 * left out of the minimum, maximum and mean (the original counted them in the
 * mean's divisor, which made gaps look like quiet time).
 *
 * Images are rendered to memory (rrd_graph_v with output "-") and written
 * through atomicfile, so a reader never sees a half-drawn PNG; each carries
 * the span it covers (pngspan.h). Graphs are drawn
 * in UTC. librrd's graph code is not thread-safe: parallel work uses worker
 * processes (pxs_jobs_run). A database locked by a feed is retried, not failed. */
#ifndef PXSTATS_RRDPLOT_H
#define PXSTATS_RRDPLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "rrdstore.h"
#include "strlist.h"

/* The minimum, maximum and mean of a span, already scaled. */
typedef struct pxs_span_stats {
    double min, max, mean;
    size_t known;      /* points with a value (the others are unknown) */
    size_t points;     /* points in (start, end] */
    int64_t step;      /* seconds per point of the fetched archive */
    double factor;     /* scale applied to the averages (1 for latency) */
} pxs_span_stats;

/* Fetches the AVERAGE points of the n databases over (start, end] at the
 * resolution the graph of that span uses, combines them per point (one
 * database: as is; several: the sum of the known values, or for latency their
 * mean; unknown when none is known), scales them and computes the statistics.
 * librrd picks the archive by each database's own last update, so databases
 * fed up to different times may answer at different resolutions: all are
 * brought to the coarsest (the mean of the known finer points in each coarse
 * one, as rrd graph consolidates). A resolution that does not divide it
 * leaves that database out (used[k] false, warned about) when used (n
 * entries) is given, else is an error. Returns 0 or -1 (pxs_error names the
 * database). */
int pxs_rrd_span_stats(const char *const *paths, size_t n, pxs_dbtype t, int64_t start,
                       int64_t end, bool *used, pxs_span_stats *st);

/* One database's AVERAGE points over (start, end] at the resolution librrd
 * picks for want_step (the finest archive that covers the span): v[i] (NaN
 * when unknown) stands for the step ending at first + i * step. *v is
 * malloc'ed. Retried while a feed holds the lock. Returns 0 or -1 (pxs_error
 * names the database). */
int pxs_rrd_fetch_average(const char *path, int64_t start, int64_t end, int64_t want_step,
                          double **v, size_t *n, int64_t *step, int64_t *first);

/* The archive resolution (seconds) the graph of a span asks for: one minute
 * under 5 days, an hour under 14 days, 4 hours under 1460 x 4 h, else a day. */
int64_t pxs_rrdgraph_step(int64_t span_seconds);

/* "Minimum: <min>     Maximum: <max>     Mean: <mean>" with the original's
 * formats (bytecount in Bytes / KiloBytes / MegaBytes / GigaBytes, latency
 * with 2 decimals, other types as whole numbers, the mean with 2 decimals).
 * Fresh string. */
char *pxs_rrdgraph_comment(pxs_dbtype t, const pxs_span_stats *st);

/* "<n> <unit>" for the title (singular when n is 1) or "<n><unit>" (plural)
 * for file names, of a span in hours. Fresh strings. */
char *pxs_rrdgraph_span_text(int hours, bool for_file);

/* Text made safe for an rrd_graph argument: control characters become '?';
 * in a field of a graph element (field: a DEF's file, a COMMENT or a legend,
 * which librrd splits on ':') each ':' becomes "\:", which librrd (1.5 and
 * later) reads back as ':'. A backslash before anything else is itself, and
 * '%' is not a format outside GPRINT: both stay. A legend is passed as
 * "legend=<text>", so that a text holding '=' is not read as another option
 * of the element. Outside a field (--title, --vertical-label) only control
 * characters change. Fresh string. */
char *pxs_rrd_graph_text(const char *s, bool field);

/* The image path of a graph (see the header comment). Fresh string. */
char *pxs_rrdgraph_path(const char *statsdir, pxs_filetype ft, const char *client,
                        int64_t end, pxs_dbtype t, int hours, const char *machine);
/* The web tree copy: webGraphics/<weekly|monthly|yearly>/<ft>/<type>/<client>/<%W|%b|%Y>.png
 * (yearly for spans of a year or more, monthly from 28 days, else weekly),
 * named after the period holding the span's last second (end - 1). */
char *pxs_rrdgraph_web_path(const char *statsdir, pxs_filetype ft, pxs_dbtype t,
                            const char *client, int64_t end, int hours);
/* The calendar period of the web tree that --copy draws for a span of hours
 * (-w, -m, -y) ending at date: the week (Monday 00:00), month or year
 * holding date - 1 s, exactly [start, end) in UTC, even when it is not over
 * yet. Sets *end and returns the period's length in hours. */
int pxs_rrdgraph_calendar(int hours, int64_t date, int64_t *end);

typedef struct pxs_rrdgraph_opts {
    const char *statsdir;
    pxs_filetype ft;
    const pxs_strlist *clients;  /* "All" already expanded */
    const char *machine;         /* the machine group name (databases, file names) */
    unsigned types;              /* mask of 1u << pxs_dbtype */
    int64_t end;                 /* rounded down to the hour by the caller */
    int hours;                   /* span */
    bool totals;                 /* one graph per type summing all clients */
    bool copy;                   /* also copy into the webGraphics tree (the caller
                                    sets end and hours by pxs_rrdgraph_calendar) */
    bool verbose;                /* print "<image>: <comment>" per graph on stdout */
    int jobs;                    /* worker processes */
    bool progress;               /* "\rgraphs done/total" on stderr (a terminal) */
} pxs_rrdgraph_opts;

/* Draws one graph: the databases of clients (n > 1 only for totals, named
 * label in the title and path). Returns 0 or -1 (pxs_error set). */
int pxs_rrdgraph_draw(const pxs_rrdgraph_opts *o, const char *const *clients, size_t n,
                      const char *label, pxs_dbtype t);

/* Every graph of o (clients x types, or the totals per type), in o->jobs
 * worker processes. A failing graph is reported (pxs_warnx) and the others
 * go on. Returns 0 when all were drawn, 1 when some failed, -1 when nothing
 * could be done (pxs_error set). */
int pxs_rrdgraph_run(const pxs_rrdgraph_opts *o);

#endif
