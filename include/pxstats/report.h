/* report — a computed hour (and the last-update table) as text for people and
 * as JSON for programs: pickleView's and timesView's output, kept in the
 * library so that any other tool can print an hour the same way.
 *
 * The functions only write to fp; the caller checks ferror(fp) / fflush(fp)
 * once at the end (a full disk or a closed pipe is the tool's to report). */
#ifndef PXSTATS_REPORT_H
#define PXSTATS_REPORT_H

#include <stdio.h>

#include "collector.h"
#include "state.h"

/* Size of a buffer that holds any number formatted by pxs_format_number. */
#define PXS_NUM_SIZE 40

/* Formats v so that strtod() gives back exactly v, as short as that allows:
 * an integral value below 2^53 as an integer ("1234", never "1234.0"), else
 * the shortest of %.15g / %.17g that round-trips. NaN and infinities (which no
 * statistic should hold) become "null", so the JSON stays valid. Returns buf. */
char *pxs_format_number(double v, char *buf);

/* Writes s as a JSON string literal, quotes included. Control characters and
 * '"' / '\' are escaped; valid UTF-8 is copied as is, except the characters
 * a terminal acts on (C1 controls, bidirectional overrides: see
 * pxs_term_escape), written \uXXXX; a byte that is not part of valid UTF-8
 * (a Latin-1 product name in a log) is written as the code point of the same
 * value (\u00XX), so the output is always valid JSON. */
void pxs_json_string(FILE *fp, const char *s);

/* Text from outside (products, names, paths read from logs and snapshots)
 * made inert on a terminal: the one escaper of the text and table outputs
 * (pickleView, timesView, statsQuery). A backslash becomes "\\", tab, line
 * feed and carriage return "\t", "\n", "\r", every other C0 control, DEL
 * and each byte that is not part of valid UTF-8 "\xHH"; the characters a
 * terminal acts on instead of showing (C1 controls U+0080-U+009F, the
 * bidirectional overrides U+202A-U+202E and isolates U+2066-U+2069)
 * "\uXXXX"; the rest of valid UTF-8 is copied. So no ESC sequence, bell or
 * carriage return reaches the terminal, one output line stays one line, and
 * the original can be read back. Returns a fresh string. */
char *pxs_term_escape(const char *s);
/* fputs of pxs_term_escape(s). */
void pxs_term_put(FILE *fp, const char *s);

/* pickleView's default report (after the original pickleViewer): the
 * snapshot's identity, files used, start, interval, end, number of entries,
 * then for each bucket its interval, products, values (one line per row),
 * means, medians, minimums, maximums (with the product and time where each
 * occurred) and totals. name is the file shown in the heading. h must be
 * computed (pxs_hour_compute, or as read by pxs_snapshot_read). */
void pxs_report_text(FILE *fp, const pxs_hour *h, const char *name);

/* pickleView --json: one JSON object, ending with a newline:
 *   {"client", "machine", "fileType", "start", "interval" (minutes), "end",
 *    "maxLatency", "partial", "types": [...], "machines": [...],
 *    "files": [...], "malformed", "nbBuckets",
 *    "percentiles": {"latency": {"p50","p90","p95","p99"}, "bytecount": {same}},
 *    "buckets": [ {"start", "nbFiles", "filesOverMaxLatency",
 *                  "latency": {"min","max","mean","median","total",
 *                              "minFile","maxFile","minTime","maxTime"},
 *                  "bytecount": {same}, "errors": {"total"}} ... ]}
 * Times are "YYYY-MM-DD HH:MM:SS" UTC strings; numbers by pxs_format_number;
 * a type without values in a bucket has zeros and null files/times. The
 * percentiles are those of the hour's files (nearest rank, percentile.h); a
 * type not collected or without any file is null. One bucket per line, so
 * that the output also greps well. */
void pxs_report_json(FILE *fp, const pxs_hour *h);

/* timesView: the PICKLED-TIMES table, one row per entry sorted by machine,
 * then fileType_client, in a '#'-boxed table as pickledTimesViewer printed. An
 * empty table prints a line saying so. */
void pxs_report_times(FILE *fp, const pxs_times *t);

#endif
