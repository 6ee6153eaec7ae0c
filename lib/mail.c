/* mail — multipart/alternative messages handed to sendmail -t. */
#include "pxstats/mail.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    xgrow((void **)&b->s, &b->cap, b->len + n + 1, 1);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* Appends an encoded token; *col is the length of the current line, which a
 * soft line break keeps within 76 characters. */
static void qp_put(buf *b, size_t *col, const char *tok, size_t n)
{
    if (*col + n > 75) {       /* 75 + the "=" of the soft break = 76 */
        buf_str(b, "=\r\n");
        *col = 0;
    }
    buf_add(b, tok, n);
    *col += n;
}

char *pxs_qp_encode(const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    buf b = {0};
    size_t col = 0;
    buf_str(&b, "");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            buf_str(&b, "\r\n");
            col = 0;
            continue;
        }
        /* Spaces and tabs at the end of a line would be stripped in transit:
         * they are encoded there, as '=' and everything not printable. */
        bool at_eol = i + 1 == len || s[i + 1] == '\n' || s[i + 1] == '\r';
        bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol);
        if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
            continue;          /* CRLF in the input is one line break */
        if (literal) {
            char t = (char)c;
            qp_put(&b, &col, &t, 1);
        } else {
            char t[3] = {'=', hex[c >> 4], hex[c & 15]};
            qp_put(&b, &col, t, 3);
        }
    }
    return b.s;
}

int pxs_mail_header_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 32 || *p > 126)
            return 0;
    return 1;
}

/* The bytes of the character that starts at s (a UTF-8 lead byte and its
 * continuation bytes; 1 for anything else), so that an encoded word never
 * splits a character. */
static size_t char_len(const unsigned char *s)
{
    size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

/* Encoded words of at most this many characters (RFC 2047 allows 75). */
#define WORD_MAX 60

char *pxs_mail_header_text(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;
    buf b = {0};
    size_t word = 0;

    if (pxs_mail_header_safe(s) && strstr(s, "=?") == NULL)
        return xstrdup(s);
    buf_str(&b, "");
    while (*u) {
        size_t n = char_len(u);
        char tok[4 * 3 + 1];
        size_t t = 0;
        for (size_t i = 0; i < n; i++, u++) {
            unsigned char c = *u;
            if (c < 0x20 || c == 0x7f)
                c = '?';   /* a control character has no place in a header */
            if (c == ' ') {
                tok[t++] = '_';
            } else if (c > 0x20 && c < 0x7f && !strchr("=?_\"()<>@,;:.[]\\", c)) {
                tok[t++] = (char)c;
            } else {
                tok[t++] = '=';
                tok[t++] = hex[c >> 4];
                tok[t++] = hex[c & 15];
            }
        }
        /* "=?UTF-8?Q?" + text + "?=" within WORD_MAX; folded between words. */
        if (word > 0 && word + t + 2 > WORD_MAX) {
            buf_str(&b, "?=\r\n ");
            word = 0;
        }
        if (word == 0) {
            buf_str(&b, "=?UTF-8?Q?");
            word = 10;
        }
        buf_add(&b, tok, t);
        word += t;
    }
    if (word > 0)
        buf_str(&b, "?=");
    return b.s;
}

/* A body's text without the control characters that would act on a reader's
 * terminal (an escape sequence in a name): tab and line ends are kept. */
static char *body_text(const char *s)
{
    char *out = xstrdup(s);
    for (unsigned char *p = (unsigned char *)out; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            *p = '?';
    return out;
}

static void add_part(buf *b, const char *boundary, const char *type, const char *text)
{
    char *body = body_text(text);
    char *qp = pxs_qp_encode(body, strlen(body));
    buf_str(b, "--");
    buf_str(b, boundary);
    buf_str(b, "\r\nContent-Type: ");
    buf_str(b, type);
    buf_str(b, "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    buf_str(b, qp);
    buf_str(b, "\r\n");
    free(qp);
    free(body);
}

static int check_headers(const pxs_mail *mail)
{
    if (mail->to == NULL || mail->to->n == 0) {
        pxs_set_error("mail: no recipient");
        return -1;
    }
    for (size_t i = 0; i < mail->to->n; i++)
        if (!pxs_mail_header_safe(mail->to->v[i]) || strchr(mail->to->v[i], ',') != NULL) {
            pxs_set_error("mail: unusable recipient address '%s'", mail->to->v[i]);
            return -1;
        }
    if (mail->from != NULL && !pxs_mail_header_safe(mail->from)) {
        pxs_set_error("mail: unusable sender address '%s'", mail->from);
        return -1;
    }
    return 0;
}

char *pxs_mail_build(const pxs_mail *mail)
{
    if (check_headers(mail) < 0)
        return NULL;
    char date[64];
    pxs_strftime(mail->date, "%a, %d %b %Y %H:%M:%S +0000", date, sizeof date);
    char *to = pxs_strlist_join(mail->to, ", ");
    char *boundary = xasprintf("=_pxstats_%lld_%ld", (long long)mail->date, (long)getpid());
    char *subject = pxs_mail_header_text(mail->subject);
    buf b = {0};
    buf_str(&b, "");
    if (mail->from != NULL) {
        buf_str(&b, "From: ");
        buf_str(&b, mail->from);
        buf_str(&b, "\r\n");
    }
    char *head = xasprintf("To: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"
                           "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
                           "This is a multi-part message in MIME format.\r\n\r\n",
                           to, subject, date, boundary);
    buf_str(&b, head);
    add_part(&b, boundary, "text/plain", mail->text);
    add_part(&b, boundary, "text/html", mail->html);
    buf_str(&b, "--");
    buf_str(&b, boundary);
    buf_str(&b, "--\r\n");
    free(head);
    free(boundary);
    free(subject);
    free(to);
    return b.s;
}

int pxs_mail_send(const char *sendmail, const char *msg)
{
    char *argv[] = {(char *)sendmail, "-t", "-oi", NULL};
    char *err = NULL;
    size_t errlen = 0;
    pxs_spawn_opts o = {.stdin_data = msg, .stdin_len = strlen(msg),
                        .stderr_buf = &err, .stderr_len = &errlen, .timeout = 300};
    int st = pxs_spawn(argv, &o);
    if (st == 0) {
        free(err);
        return 0;
    }
    if (st > 0) {
        /* Keep the first line of sendmail's complaint: the operator needs it. */
        size_t n = err != NULL ? strcspn(err, "\n") : 0;
        pxs_set_error("%s exited with status %d%s%.*s", sendmail, st, n > 0 ? ": " : "",
                      (int)n, err != NULL ? err : "");
    }
    free(err);
    return -1;
}
