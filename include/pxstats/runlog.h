/* runlog — the tools' own logs: <stats>/log/<program>.log.
 *
 * One line per event, "YYYY-MM-DD HH:MM:SS <program>: <text>", appended with a
 * single write(2) so that concurrent runs never interleave inside a line.
 * statsMonitor reads these logs to tell whether a job ran every hour. */
#ifndef PXSTATS_RUNLOG_H
#define PXSTATS_RUNLOG_H

/* Appends a line to <statsdir>/log/<pxs_progname()>.log. Failures to log are
 * warned about once and never fail the run. */
void pxs_runlog(const char *statsdir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends title, then every line of text, each as a line of its own with the
 * same time and program prefix, in one write (a report kept in the log when
 * it could not be delivered). */
void pxs_runlog_text(const char *statsdir, const char *title, const char *text);

#endif
