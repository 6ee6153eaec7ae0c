/* monitor_report — the report as text and HTML, and its delivery. */
#include "pxstats/monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/mail.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/runlog.h"
#include "pxstats/web.h"
#include "pxstats/xalloc.h"

typedef struct out {
    char *s;
    size_t len, cap;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = NULL;
    int n = vasprintf(&t, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    xgrow((void **)&o->s, &o->cap, o->len + (size_t)n + 1, 1);
    memcpy(o->s + o->len, t, (size_t)n + 1);
    o->len += (size_t)n;
    free(t);
}

/* HTML-escaped copy of s: the pages' one escaper. */
static char *esc(const char *s) { return pxs_html_escape(s); }

static size_t count_old(const pxs_mon_section *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->f[i].old;
    return n;
}

static size_t total_old(const pxs_monitor *m)
{
    size_t n = 0;
    for (int s = 0; s < PXS_MON_NSECTIONS; s++)
        n += count_old(&m->sec[s]);
    return n;
}

/* The one line that stands for the old problems of a section. */
static char *old_summary(size_t n)
{
    return xasprintf("%zu problem%s already reported by the previous run and unchanged "
                     "(not repeated; --full lists %s).", n, n == 1 ? "" : "s",
                     n == 1 ? "it" : "them");
}

/* The header fields, as (label, value) pairs. */
static void header_fields(const pxs_monitor *m, const char *host, char vals[6][1024])
{
    char a[PXS_ISO_SIZE];
    snprintf(vals[0], 1024, "%s", pxs_format_iso(m->now, a));
    snprintf(vals[1], 1024, "%s", m->have_prev ? pxs_format_iso(m->prev_run, a) : "none (first run)");
    snprintf(vals[2], 1024, "%s", pxs_format_iso(m->since, a));
    snprintf(vals[3], 1024, "%s", host);
    snprintf(vals[4], 1024, "%s", m->cfg->file ? m->cfg->file : "none (defaults)");
    snprintf(vals[5], 1024, "%s", m->cfg->statsdir);
}

static const char *const labels[6] = {
    "Time of test", "Time of previous test", "Window checked from", "Machine name",
    "Config file used", "Stats directory",
};

char *pxs_monitor_subject(const pxs_monitor *m, const char *host)
{
    char a[PXS_ISO_SIZE];
    return xasprintf("[Stats Library Monitoring] %s %s", host, pxs_format_iso(m->now, a));
}

static void text_section(const pxs_monitor *m, const pxs_mon_section *s, out *o)
{
    size_t old = count_old(s);
    put(o, "\n%s\n", s->title);
    for (size_t i = 0; s->title[i]; i++)
        put(o, "-");
    put(o, "\n");
    if (s->n == 0)
        put(o, "%s\n", s->ok_line);
    else
        put(o, "The following %zu warning%s %s found:\n", s->n, s->n == 1 ? "" : "s",
            s->n == 1 ? "was" : "were");
    for (size_t i = 0; i < s->n; i++)
        if (!s->f[i].old || m->full)
            put(o, "  * %s%s\n", s->f[i].text, s->f[i].old ? " (already reported)" : "");
    if (old > 0 && !m->full) {
        char *t = old_summary(old);
        put(o, "  * %s\n", t);
        free(t);
    }
    for (size_t i = 0; i < s->notes.n; i++)
        put(o, "    %s\n", s->notes.v[i]);
}

char *pxs_monitor_text(const pxs_monitor *m, const char *host)
{
    out o = {0};
    char vals[6][1024];
    header_fields(m, host, vals);
    put(&o, "Stats monitor results\n\n");
    for (int i = 0; i < 6; i++)
        put(&o, "%-22s %s\n", labels[i], vals[i]);
    size_t n = pxs_mon_count(m), old = total_old(m);
    if (n == 0)
        put(&o, "\nAll is well: no warnings.\n");
    else
        put(&o, "\n%zu warning%s (%zu new, %zu already reported).\n", n, n == 1 ? "" : "s",
            n - old, old);
    for (int s = 0; s < PXS_MON_NSECTIONS; s++)
        text_section(m, &m->sec[s], &o);
    return o.s;
}

static void html_item(out *o, const char *text, const char *style)
{
    char *e = esc(text);
    put(o, "<li%s>%s</li>\n", style, e);
    free(e);
}

static void html_section(const pxs_monitor *m, const pxs_mon_section *s, out *o)
{
    size_t old = count_old(s);
    char *t = esc(s->title), *okl = esc(s->ok_line);
    put(o, "<h2>%s</h2>\n", t);
    if (s->n == 0)
        put(o, "<p style=\"color:#006600\">%s</p>\n", okl);
    else
        put(o, "<p style=\"color:#990000\">The following %zu warning%s %s found:</p>\n<ul>\n",
            s->n, s->n == 1 ? "" : "s", s->n == 1 ? "was" : "were");
    for (size_t i = 0; i < s->n; i++)
        if (!s->f[i].old || m->full)
            html_item(o, s->f[i].text, s->f[i].old ? " style=\"color:#666666\"" : "");
    if (old > 0 && !m->full) {
        char *sum = old_summary(old);
        html_item(o, sum, " style=\"color:#666666\"");
        free(sum);
    }
    if (s->n > 0)
        put(o, "</ul>\n");
    if (s->notes.n > 0) {
        put(o, "<ul style=\"color:#555555\">\n");
        for (size_t i = 0; i < s->notes.n; i++)
            html_item(o, s->notes.v[i], "");
        put(o, "</ul>\n");
    }
    free(t);
    free(okl);
}

char *pxs_monitor_html(const pxs_monitor *m, const char *host)
{
    out o = {0};
    char vals[6][1024];
    header_fields(m, host, vals);
    char *subject = pxs_monitor_subject(m, host), *es = esc(subject);
    put(&o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n"
            "<body>\n<h1>Stats monitor results</h1>\n<table>\n", es);
    for (int i = 0; i < 6; i++) {
        char *v = esc(vals[i]);
        put(&o, "<tr><th align=\"left\">%s</th><td>%s</td></tr>\n", labels[i], v);
        free(v);
    }
    put(&o, "</table>\n");
    size_t n = pxs_mon_count(m), old = total_old(m);
    if (n == 0)
        put(&o, "<p><b>All is well: no warnings.</b></p>\n");
    else
        put(&o, "<p><b>%zu warning%s (%zu new, %zu already reported).</b></p>\n", n,
            n == 1 ? "" : "s", n - old, old);
    for (int s = 0; s < PXS_MON_NSECTIONS; s++)
        html_section(m, &m->sec[s], &o);
    put(&o, "</body></html>\n");
    free(es);
    free(subject);
    return o.s;
}

/* "sendmail" from PATH when there is one there (cron's PATH lacks /usr/sbin,
 * a test puts its own first), else /usr/sbin/sendmail. */
static char *default_sendmail(void)
{
    const char *path = getenv("PATH");
    pxs_strlist dirs;
    pxs_strlist_init(&dirs);
    pxs_strlist_split(&dirs, path ? path : "", ':');
    char *found = NULL;
    for (size_t i = 0; i < dirs.n && found == NULL; i++) {
        char *p = xasprintf("%s/sendmail", dirs.v[i]);
        if (access(p, X_OK) == 0)
            found = p;
        else
            free(p);
    }
    pxs_strlist_free(&dirs);
    return found ? found : xstrdup("/usr/sbin/sendmail");
}

static char *host_name(void)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    return xstrdup(host);
}

static int send_report(const pxs_monitor *m, const pxs_strlist *to, const char *host)
{
    char *text = pxs_monitor_text(m, host), *html = pxs_monitor_html(m, host);
    char *subject = pxs_monitor_subject(m, host);
    pxs_mail mail = {to, pxs_conf_get(m->cfg, "monitoring", "from", NULL), subject, text, html,
                     m->now};
    char *msg = pxs_mail_build(&mail);
    int rc = -1;
    if (msg != NULL) {
        const char *conf = pxs_conf_get(m->cfg, "monitoring", "sendmail", NULL);
        char *sendmail = conf ? xstrdup(conf) : default_sendmail();
        rc = pxs_mail_send(sendmail, msg);
        free(sendmail);
    }
    free(msg);
    free(subject);
    free(text);
    free(html);
    return rc;
}

/* A report that could not be mailed is not lost: it goes to the run log and
 * to stderr (cron mails stderr to the crontab's owner). pxs_error() is kept. */
static void keep_undelivered(const pxs_monitor *m, const char *host)
{
    char *why = xstrdup(pxs_error());
    char *text = pxs_monitor_text(m, host);
    char *title = xasprintf("the report could not be mailed (%s); here it is:", why);

    pxs_runlog_text(m->cfg->statsdir, title, text);
    fprintf(stderr, "%s: %s\n%s", pxs_progname(), title, text);
    fflush(stderr);
    pxs_set_error("%s", why);
    free(title);
    free(text);
    free(why);
}

int pxs_monitor_deliver(const pxs_monitor *m, bool to_stdout)
{
    pxs_strlist to;
    pxs_strlist_init(&to);
    pxs_strlist_split(&to, pxs_conf_get(m->cfg, "monitoring", "emails", ""), ';');
    char *host = host_name();
    int rc = 0;
    if (to_stdout || to.n == 0) {
        char *text = pxs_monitor_text(m, host);
        if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
            pxs_set_error_errno("cannot write the report on stdout");
            rc = -1;
        }
        free(text);
    } else {
        rc = send_report(m, &to, host);
        if (rc < 0)
            keep_undelivered(m, host);
    }
    free(host);
    pxs_strlist_free(&to);
    return rc;
}
