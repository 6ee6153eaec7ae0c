/* msg — the program's voice: errors and warnings in the err(3) style.
 *
 * Every message is "<program>: <text>" on stderr, so that a line in a cron
 * mail says who spoke. The *_errno variants append ": strerror(errno)". */
#ifndef PXSTATS_MSG_H
#define PXSTATS_MSG_H

#include <stdarg.h>
#include <stdbool.h>

/* Exit codes of every pxstats program. */
enum { PXS_EXIT_OK = 0, PXS_EXIT_FAIL = 1, PXS_EXIT_USAGE = 2 };

/* Records the program name (basename of argv0) used as every message's prefix. */
void pxs_set_progname(const char *argv0);
const char *pxs_progname(void);

/* "prog: text: strerror(errno)" on stderr. */
void pxs_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: text" on stderr. */
void pxs_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As pxs_warn / pxs_warnx, then exit(status). */
_Noreturn void pxs_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void pxs_diex(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Informational text, printed only when verbose is on (pxs_set_verbose). */
void pxs_set_verbose(bool on);
bool pxs_verbose(void);
void pxs_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The printer of all of them: "prog: <text>[: strerror(errnum)][suffix]" and
 * a line feed on stderr, each line of the text made inert on a terminal
 * (pxs_term_escape, report.h): a message quoting a name or a product it met
 * carries no control character to the terminal. */
void pxs_vmessage(int errnum, const char *suffix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* The library reports recoverable errors by returning -1 and leaving a message
 * here (as librrd's rrd_get_error), so that the tool decides how to say it.
 * pxs_set_error formats the message; pxs_set_error_errno appends strerror(errno). */
void pxs_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pxs_set_error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *pxs_error(void);

#endif
