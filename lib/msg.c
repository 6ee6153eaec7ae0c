/* msg — messages in the err(3) style, and the library's last error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/msg.h"
#include "pxstats/report.h"

static const char *progname = "pxstats";
static bool verbose;
static char last_error[2048];

void pxs_set_progname(const char *argv0)
{
    const char *slash;

    if (argv0 == NULL || *argv0 == '\0')
        return;
    slash = strrchr(argv0, '/');
    progname = slash ? slash + 1 : argv0;
}

const char *pxs_progname(void) { return progname; }

void pxs_vmessage(int errnum, const char *suffix, const char *fmt, va_list ap)
{
    char *text = NULL;

    /* A message quotes what it met (a name in a state file, a product in a
     * log): each line made inert on a terminal by the one escaper. */
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    fprintf(stderr, "%s: ", progname);
    for (const char *p = text ? text : fmt; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n), *safe = line ? pxs_term_escape(line) : NULL;
        fputs(safe ? safe : "?", stderr);
        free(safe);
        free(line);
        p += n;
        if (*p == '\n') {
            fputc('\n', stderr);
            p++;
        }
    }
    free(text);
    if (errnum)
        fprintf(stderr, ": %s", strerror(errnum));
    if (suffix)
        fputs(suffix, stderr);
    fputc('\n', stderr);
}

static void vmessage(int errnum, const char *fmt, va_list ap)
{
    pxs_vmessage(errnum, NULL, fmt, ap);
}

void pxs_warn(const char *fmt, ...)
{
    int e = errno;
    va_list ap;

    va_start(ap, fmt);
    vmessage(e, fmt, ap);
    va_end(ap);
}

void pxs_warnx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(0, fmt, ap);
    va_end(ap);
}

void pxs_die(int status, const char *fmt, ...)
{
    int e = errno;
    va_list ap;

    va_start(ap, fmt);
    vmessage(e, fmt, ap);
    va_end(ap);
    exit(status);
}

void pxs_diex(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(0, fmt, ap);
    va_end(ap);
    exit(status);
}

void pxs_set_verbose(bool on) { verbose = on; }
bool pxs_verbose(void) { return verbose; }

void pxs_info(const char *fmt, ...)
{
    va_list ap;

    if (!verbose)
        return;
    va_start(ap, fmt);
    vmessage(0, fmt, ap);
    va_end(ap);
}

void pxs_set_error(const char *fmt, ...)
{
    char tmp[sizeof last_error];
    va_list ap;

    /* Format into a copy first: callers may pass pxs_error() as an argument. */
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(last_error, tmp, sizeof tmp);
}

void pxs_set_error_errno(const char *fmt, ...)
{
    char tmp[sizeof last_error];
    int e = errno;
    size_t n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    n = strlen(tmp);
    snprintf(tmp + n, sizeof tmp - n, ": %s", strerror(e));
    memcpy(last_error, tmp, sizeof tmp);
    errno = e;
}

const char *pxs_error(void) { return last_error[0] ? last_error : "unknown error"; }
