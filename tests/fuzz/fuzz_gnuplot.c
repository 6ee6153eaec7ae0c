/* fuzz_gnuplot — arbitrary bytes as product names through the real gnuplot
 * script builder (pxs_graph_script).
 *
 * Input: the product of a delivered file (the bytes before the first NUL,
 * the one byte no C string holds), then the product filter of -p (the bytes
 * after it, at most 150). One hour of one client is built with a row of that
 * product as the largest file and the largest latency, so that it appears in
 * the labels, and the filter appears in the "Product Type" labels and the
 * header comment.
 *
 * The script must parse as intended, whatever the bytes:
 *  - no backquote and no '@' outside a single-quoted string (gnuplot
 *    substitutes `command` and @macro everywhere else, double quotes
 *    included), no control character in a string;
 *  - every quote closed on its line, no line continued by a final '\';
 *  - inside a datablock ($pN << EOD ... EOD) numbers only;
 *  - the "Product Type" label, decoded as gnuplot reads a single-quoted
 *    string, is the filter byte for byte, except that control characters and
 *    bytes of broken UTF-8 became '?' (checked against rules told here
 *    independently: printable ASCII is kept as is, a control character is
 *    never kept). */
#include <stdbool.h>
#include <strings.h>

#include "fuzz_common.h"
#include "pxstats/collector.h"
#include "pxstats/gnuplot.h"

#define T0 1768003200 /* 2026-01-10 00:00:00 UTC */
#define FILTER_MAX 150

/* Decodes the single-quoted string at s (s[0] == '\''); returns its text
 * (fresh) and sets *end after the closing quote, or NULL when unclosed. */
static char *single_quoted(const char *s, const char **end)
{
    char *out = malloc(strlen(s) + 1), *o = out;

    FZ_CHECK(out != NULL && s[0] == '\'');
    for (s++; *s && *s != '\n'; s++) {
        if (*s == '\'') {
            if (s[1] != '\'') {
                *o = '\0';
                *end = s + 1;
                return out;
            }
            s++;
        }
        *o++ = *s;
    }
    free(out);
    return NULL;
}

static bool number_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789.-+e ", s[i]))
            return false;
    return n > 0;
}

/* The structure of every line (see the header). */
static void check_structure(const char *script, size_t len)
{
    bool block = false;

    FZ_CHECK(strlen(script) == len);
    for (const char *line = script; *line;) {
        const char *nl = strchr(line, '\n');
        FZ_CHECK(nl != NULL);   /* every line ends */
        size_t n = (size_t)(nl - line);
        if (block) {
            if (n == 3 && memcmp(line, "EOD", 3) == 0)
                block = false;
            else
                FZ_CHECK(number_line(line, n));
            line = nl + 1;
            continue;
        }
        if (n > 9 && line[0] == '$' && memcmp(nl - 7, " << EOD", 7) == 0)
            block = true;
        char last = '\0';
        for (const char *p = line; p < nl; p++) {
            if (*p == '\'') {
                const char *end;
                char *text = single_quoted(p, &end);
                FZ_CHECK(text != NULL);   /* closed on its line */
                for (const unsigned char *u = (const unsigned char *)text; *u; u++)
                    FZ_CHECK(*u >= 0x20 && *u != 0x7f);
                free(text);
                p = end - 1;
                last = '\'';
                continue;
            }
            if (*p == '"') {
                /* Ours only: constants such as "#e00000" and "\n\n". */
                const char *q = p + 1;
                while (q < nl && *q != '"') {
                    FZ_CHECK(*q != '`' && *q != '@');
                    q += *q == '\\' ? 2 : 1;
                }
                FZ_CHECK(q < nl);
                p = q;
                last = '"';
                continue;
            }
            FZ_CHECK(*p != '`' && *p != '@');
            FZ_CHECK((unsigned char)*p >= 0x20 || *p == '\t');
            last = *p;
        }
        FZ_CHECK(last != '\\');   /* no continuation onto the next line */
        line = nl + 1;
    }
    FZ_CHECK(!block);
}

/* The "Product Type" labels hold the filter as given, made printable. */
static void check_product_label(const char *script, const char *filter)
{
    static const char label[] = "set label ", what[] = "Product Type : ";
    const char *at = strstr(script, "set label 'Product Type : ");
    size_t flen = strlen(filter), wlen = strlen(what);

    FZ_CHECK(at != NULL);
    const char *end;
    char *text = single_quoted(at + strlen(label), &end);
    FZ_CHECK(text != NULL && strncmp(text, what, wlen) == 0);
    FZ_CHECK(strlen(text) == wlen + flen);   /* one byte for one byte */
    FZ_CHECK(strncmp(end, " at screen ", 11) == 0);
    for (size_t i = 0; i < flen; i++) {
        unsigned char in = (unsigned char)filter[i], out = (unsigned char)text[wlen + i];
        if (in >= 0x20 && in < 0x7f)
            FZ_CHECK(out == in);
        else if (in < 0x20 || in == 0x7f)
            FZ_CHECK(out == '?');
        else
            FZ_CHECK(out == in || out == '?');
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nul = memchr(data, '\0', size);
    size_t plen = nul ? (size_t)(nul - (const char *)data) : size;
    size_t rest = nul ? size - plen - 1 : 0;
    char *product = strndup((const char *)data, plen);
    char *filter = strndup(nul ? nul + 1 : "", rest < FILTER_MAX ? rest : FILTER_MAX);
    FZ_CHECK(product != NULL && filter != NULL);
    /* The filter as -p gives it: "All" (any case) and "" mean no filter. */
    bool all = filter[0] == '\0' || strcasecmp(filter, "All") == 0;

    pxs_hour h;
    const pxs_hour *hours[1] = {&h};
    pxs_hour_init(&h, "c1", "m1", PXS_TX, T0, 1, 15, PXS_T_ALL);
    pxs_hour_add_row(&h, T0 + 30, 100, 2, "SACN31_CWAO:n:C:SA:3:D:20260110000000", false);
    pxs_hour_add_row(&h, T0 + 90, 9999, 500, product, false);
    pxs_hour_add_row(&h, T0 + 150, 0, 0, product, true);
    pxs_hour_compute(&h);

    pxs_strlist clients, machines;
    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    pxs_strlist_add(&clients, "c1");
    pxs_strlist_add(&machines, "m1");
    pxs_config cfg = {0};
    cfg.statsdir = "/nonexistent";
    cfg.max_latency = 15;
    pxs_graph_opts o = {
        .cfg = &cfg, .clients = &clients, .ft = PXS_TX, .machines = &machines,
        .date = T0 + 3600, .span = 1, .ntypes = 3,
        .types = {PXS_T_ERRORS, PXS_T_BYTECOUNT, PXS_T_LATENCY}, .product = filter,
    };
    pxs_graph_series s = {.client = "c1", .nhours = 1, .hours = hours};
    pxs_panel panels[3];
    pxs_graph g = {.o = &o, .start = T0, .end = T0 + 3600, .nseries = 1, .series = &s,
                   .npanels = 3, .panels = panels};
    for (int k = 0; k < 3; k++)
        pxs_panel_compute(&s, o.types[k], g.start, g.end, 15, &panels[k]);
    /* The row of the product holds the largest file and latency. */
    FZ_CHECK(panels[2].has_extreme && strcmp(panels[2].extreme_file, product) == 0);

    size_t len;
    char *script = pxs_graph_script(&g, &len);
    check_structure(script, len);
    if (!all)
        check_product_label(script, filter);

    free(script);
    for (int k = 0; k < 3; k++)
        pxs_panel_free(&panels[k]);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    pxs_hour_free(&h);
    free(product);
    free(filter);
    return 0;
}
