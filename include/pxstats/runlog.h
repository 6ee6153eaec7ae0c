/* runlog — the tools' own logs: <stats>/log/<program>.log.
 *
 * One line per event, "YYYY-MM-DD HH:MM:SS <program>: <text>", appended with a
 * single write(2) so that concurrent runs never interleave inside a line.
 * statsMonitor reads these logs to tell whether a job ran every hour. */
#ifndef PXSTATS_RUNLOG_H
#define PXSTATS_RUNLOG_H

#include <stdint.h>

/* Appends a line to <statsdir>/log/<pxs_progname()>.log. Failures to log are
 * warned about once and never fail the run. */
void pxs_runlog(const char *statsdir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends title, then every line of text, each as a line of its own with the
 * same time and program prefix, in one write (a report kept in the log when
 * it could not be delivered). */
void pxs_runlog_text(const char *statsdir, const char *title, const char *text);
/* Calls fn(time, text, arg) for every line "YYYY-MM-DD HH:MM:SS <program>:
 * <text>" of <statsdir>/log/<program>.log, oldest first (other lines are
 * skipped). A log that does not exist has no line. Returns 0, or -1 when it
 * cannot be read (pxs_error set). */
int pxs_runlog_read(const char *statsdir, const char *program,
                    void (*fn)(int64_t t, const char *text, void *arg), void *arg);

#endif
