/* mail — a multipart/alternative message (plain text + HTML) handed to
 * sendmail -t.
 *
 * Both parts are UTF-8 in quoted-printable, so that no line of the message
 * exceeds the 76 characters SMTP servers accept, whatever the report holds.
 * The boundary begins with "=_", which quoted-printable text can never
 * contain, so it cannot collide with the content. */
#ifndef PXSTATS_MAIL_H
#define PXSTATS_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "strlist.h"

typedef struct pxs_mail {
    const pxs_strlist *to;   /* recipients */
    const char *from;        /* may be NULL: sendmail then uses the running user */
    const char *subject;
    const char *text;        /* the plain-text part */
    const char *html;        /* the HTML part */
    int64_t date;            /* the Date: header */
} pxs_mail;

/* Quoted-printable encoding of len bytes (RFC 2045: soft line breaks at 76
 * characters, CRLF-free input lines kept as lines). Fresh string. */
char *pxs_qp_encode(const char *s, size_t len);

/* True when s may go into a header: printable ASCII, no CR or LF. */
int pxs_mail_header_safe(const char *s);

/* Text made safe as the value of an unstructured header (Subject): as it is
 * when printable ASCII without "=?"; else RFC 2047 encoded words
 * ("=?UTF-8?Q?...?=", folded between words), control characters replaced by
 * '?'. No byte of the result is a line break but the folding's CRLF + space.
 * Fresh string. */
char *pxs_mail_header_text(const char *s);

/* The whole message, headers and both parts (fresh string): the subject
 * through pxs_mail_header_text, each part without control characters other
 * than tab and line ends, in quoted-printable. Returns NULL with pxs_error()
 * set when a recipient or the sender holds a line break or non-ASCII text
 * (an address cannot be encoded: header injection), or there is no
 * recipient. */
char *pxs_mail_build(const pxs_mail *mail);

/* Runs "<sendmail> -t -oi" with msg on its stdin (-oi: a lone "." line does
 * not end the message). Returns 0, or -1 with pxs_error() set when sendmail
 * cannot run or exits non-zero (its stderr quoted). */
int pxs_mail_send(const char *sendmail, const char *msg);

#endif
