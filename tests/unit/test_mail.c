/* Unit tests of mail: quoted-printable (checked by decoding it back with a
 * decoder written here from RFC 2045), header-injection refusal, the message
 * layout, and sendmail runs through real scripts (success, failure, absence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/mail.h"
#include "pxstats/msg.h"
#include "pxstats/strlist.h"
#include "pxstats/xalloc.h"

/* RFC 2045 decoding: "=XX" is a byte, "=" CRLF a soft break, CRLF a newline. */
static char *qp_decode(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=') {
            unsigned v;
            assert_int_equal(sscanf(s + 1, "%2X", &v), 1);
            *o++ = (char)v;
            s += 3;
        } else if (s[0] == '\r' && s[1] == '\n') {
            *o++ = '\n';
            s += 2;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* Every encoded line is at most 76 characters and printable ASCII. */
static void assert_qp_shape(const char *qp)
{
    size_t col = 0;
    for (const char *p = qp; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n') {
            col = 0;
            p++;
            continue;
        }
        assert_true(*p >= 32 && *p <= 126);
        col++;
        assert_true(col <= 76);
    }
}

static void roundtrip(const char *text)
{
    char *qp = pxs_qp_encode(text, strlen(text));
    char *back = qp_decode(qp);
    assert_qp_shape(qp);
    assert_string_equal(back, text);
    free(back);
    free(qp);
}

static void test_qp_simple(void **state)
{
    (void)state;
    char *qp = pxs_qp_encode("abc", 3);
    assert_string_equal(qp, "abc");
    free(qp);
    qp = pxs_qp_encode("a=b", 3);
    assert_string_equal(qp, "a=3Db");
    free(qp);
    qp = pxs_qp_encode("caf\xc3\xa9", 5);
    assert_string_equal(qp, "caf=C3=A9");
    free(qp);
    /* A space before a line end would be lost in transit: encoded. */
    qp = pxs_qp_encode("a \nb\t", 5);
    assert_string_equal(qp, "a=20\r\nb=09");
    free(qp);
    /* CRLF in the input is one line break, not two. */
    qp = pxs_qp_encode("x\r\ny", 4);
    assert_string_equal(qp, "x\r\ny");
    free(qp);
}

static void test_qp_long_lines(void **state)
{
    (void)state;
    char line[1000];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    roundtrip(line);
    /* Escapes are never split by a soft break. */
    for (size_t i = 0; i < sizeof line - 1; i++)
        line[i] = i % 3 == 0 ? '=' : 'y';
    roundtrip(line);
    roundtrip("first line\n\nthird line with trailing spaces   \n  * item <b>&amp;</b>\n");
    roundtrip("");
}

static void test_header_safe(void **state)
{
    (void)state;
    assert_true(pxs_mail_header_safe("ops@example.org"));
    assert_false(pxs_mail_header_safe("ops@example.org\nBcc: x@y"));
    assert_false(pxs_mail_header_safe("a\rb"));
    assert_false(pxs_mail_header_safe("caf\xc3\xa9"));
}

static void test_build(void **state)
{
    (void)state;
    pxs_strlist to;
    pxs_strlist_init(&to);
    pxs_strlist_add(&to, "ops@example.org");
    pxs_strlist_add(&to, "dev@example.org");
    pxs_mail mail = {&to, "stats@example.org", "[Stats Library Monitoring] h 2026-11-29 12:00:00",
                     "plain = text\n", "<p>html</p>\n", 1795953600};
    char *msg = pxs_mail_build(&mail);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "From: stats@example.org\r\n"));
    assert_non_null(strstr(msg, "To: ops@example.org, dev@example.org\r\n"));
    assert_non_null(strstr(msg, "Subject: [Stats Library Monitoring] h 2026-11-29 12:00:00\r\n"));
    assert_non_null(strstr(msg, "MIME-Version: 1.0\r\n"));
    /* 1795953600 = 2026-11-29 12:00:00 UTC, a Sunday. */
    assert_non_null(strstr(msg, "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n"));
    const char *ct = strstr(msg, "Content-Type: multipart/alternative; boundary=\"");
    assert_non_null(ct);
    char boundary[128];
    assert_int_equal(sscanf(ct, "Content-Type: multipart/alternative; boundary=\"%127[^\"]\"", boundary), 1);
    char *open = xasprintf("--%s\r\n", boundary), *close = xasprintf("--%s--\r\n", boundary);
    const char *p1 = strstr(msg, open);
    assert_non_null(p1);
    const char *p2 = strstr(p1 + 1, open);
    assert_non_null(p2);
    assert_null(strstr(p2 + 1, open));
    assert_non_null(strstr(p1, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(p2, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_true(strstr(p1, "text/plain") < p2);
    assert_non_null(strstr(p1, "plain =3D text"));
    assert_non_null(strstr(p2, "<p>html</p>"));
    const char *end = strstr(msg, close);
    assert_non_null(end);
    assert_string_equal(end + strlen(close), "");
    free(open);
    free(close);
    free(msg);
    pxs_strlist_free(&to);
}

static void test_header_text(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"[Stats] host 2026-11-29 12:00:00", "[Stats] host 2026-11-29 12:00:00"},
        {"", ""},
        {"caf\xc3\xa9", "=?UTF-8?Q?caf=C3=A9?="},
        {"=?x?", "=?UTF-8?Q?=3D=3Fx=3F?="},
        {"a\tb_c", "=?UTF-8?Q?a=3Fb=5Fc?="},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e = pxs_mail_header_text(cases[i].in);
        assert_string_equal(e, cases[i].out);
        free(e);
    }
    /* Long text: words of at most 60 characters, folded, characters whole. */
    char in[400];
    for (size_t i = 0; i + 2 < sizeof in; i += 2)
        memcpy(in + i, "\xc3\xa9", 2);
    in[sizeof in - 2] = '\n';
    in[sizeof in - 1] = '\0';
    char *e = pxs_mail_header_text(in);
    for (char *w = e, *next; w != NULL; w = next) {
        next = strstr(w, "\r\n ");
        size_t len = next ? (size_t)(next - w) : strlen(w);
        assert_true(len <= 60);
        assert_int_equal(strncmp(w, "=?UTF-8?Q?", 10), 0);
        assert_int_equal(strncmp(w + len - 2, "?=", 2), 0);
        if (next)   /* whole "=C3=A9" pairs; the last word ends with "=3F" */
            assert_int_equal((len - 12) % 6, 0);
        else
            assert_int_equal(strncmp(w + len - 5, "=3F", 3), 0);
        if (next)
            next += 3;
    }
    assert_null(strchr(e + strlen(e) - 3, '\n'));
    free(e);
}

/* Control characters leave the parts: no escape sequence reaches a reader's
 * terminal; tab and line ends stay. */
static void test_build_cleans_bodies(void **state)
{
    (void)state;
    pxs_strlist to;
    pxs_strlist_init(&to);
    pxs_strlist_add(&to, "ops@example.org");
    pxs_mail mail = {&to, NULL, "s", "name \x1b[2J\x07" "end\tx\n", "<b>\x1b</b>\n", 0};
    char *msg = pxs_mail_build(&mail);
    assert_non_null(msg);
    assert_null(strstr(msg, "=1B"));
    assert_null(strstr(msg, "=07"));
    assert_non_null(strstr(msg, "name ?[2J?end\tx\r\n"));
    assert_non_null(strstr(msg, "<b>?</b>"));
    free(msg);
    pxs_strlist_free(&to);
}

static void test_build_refuses(void **state)
{
    (void)state;
    pxs_strlist to;
    pxs_strlist_init(&to);
    pxs_mail mail = {&to, NULL, "subject", "t", "h", 0};
    assert_null(pxs_mail_build(&mail));
    assert_non_null(strstr(pxs_error(), "no recipient"));
    pxs_strlist_add(&to, "ops@example.org\r\nBcc: spy@example.org");
    assert_null(pxs_mail_build(&mail));
    assert_non_null(strstr(pxs_error(), "unusable recipient"));
    pxs_strlist_free(&to);
    pxs_strlist_add(&to, "ops@example.org");
    /* A subject is text: encoded, never refused, never a second header. */
    mail.subject = "two\nlines\r\nBcc: spy@example.org";
    char *enc = pxs_mail_build(&mail);
    assert_non_null(enc);
    assert_null(strstr(enc, "\nBcc:"));
    assert_non_null(strstr(enc, "Subject: =?UTF-8?Q?two=3Flines=3F=3FBcc=3A_spy=40example=2Eorg?=\r\n"));
    free(enc);
    mail.subject = "ok";
    mail.from = "a\nb";
    assert_null(pxs_mail_build(&mail));
    assert_non_null(strstr(pxs_error(), "sender"));
    mail.from = NULL;
    char *msg = pxs_mail_build(&mail);
    assert_non_null(msg);
    assert_null(strstr(msg, "From:"));
    free(msg);
    pxs_strlist_free(&to);
}

static char dir[] = "/tmp/pxs-test-mail.XXXXXX";

static char *script(const char *name, const char *body)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *text = xasprintf("#!/bin/sh\n%s\n", body);
    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
    assert_int_equal(chmod(path, 0755), 0);
    free(text);
    return path;
}

static void test_send(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    char *saved = xasprintf("%s/saved", dir);
    char *body = xasprintf("echo \"$@\" > '%s.args'; cat > '%s'", saved, saved);
    char *ok = script("sendmail", body);
    const char *msg = "To: a@b\r\nSubject: s\r\n\r\n.\r\nbody\r\n";
    assert_int_equal(pxs_mail_send(ok, msg), 0);
    size_t len;
    char *got = pxs_read_file(saved, &len);
    assert_non_null(got);
    assert_string_equal(got, msg);
    free(got);
    char *argsf = xasprintf("%s.args", saved);
    got = pxs_read_file(argsf, &len);
    assert_string_equal(got, "-t -oi\n");
    free(got);

    char *bad = script("badmail", "cat >/dev/null; echo 'no relay' >&2; exit 3");
    assert_int_equal(pxs_mail_send(bad, msg), -1);
    assert_non_null(strstr(pxs_error(), "exited with status 3: no relay"));

    char *none = xasprintf("%s/does-not-exist", dir);
    assert_int_equal(pxs_mail_send(none, msg), -1);
    assert_non_null(strstr(pxs_error(), "does-not-exist"));

    unlink(ok);
    unlink(bad);
    unlink(saved);
    unlink(argsf);
    rmdir(dir);
    free(none);
    free(bad);
    free(argsf);
    free(ok);
    free(body);
    free(saved);
}

int main(void)
{
    pxs_set_progname("test_mail");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qp_simple),
        cmocka_unit_test(test_qp_long_lines),
        cmocka_unit_test(test_header_safe),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_header_text),
        cmocka_unit_test(test_build_cleans_bodies),
        cmocka_unit_test(test_build_refuses),
        cmocka_unit_test(test_send),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
