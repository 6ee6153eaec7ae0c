/* fuzz_config — pxs_config_parse, pxs_config_check and pxs_conf_get_int on
 * arbitrary text.
 *
 * A parse either succeeds, or fails with "<name>:<line>: ..." where the line
 * exists in the text. After a success every entry is reachable by its section
 * and key, with its line; the check of the known keys either accepts the file
 * or names a line of it; integer look-ups either give a value inside the
 * asked range or an error naming the file and the key's line. */
#include <errno.h>
#include <limits.h>

#include "fuzz_common.h"
#include "pxstats/config.h"
#include "pxstats/msg.h"

static int count_lines(const char *text)
{
    int n = 1;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void check_int(const pxs_config *c, const char *section, const char *key, long min,
                      long max)
{
    long v = LONG_MIN;

    if (pxs_conf_get_int(c, section, key, min, min, max, &v) == 0)
        FZ_CHECK(v >= min && v <= max);
    else
        FZ_CHECK(strncmp(pxs_error(), "fuzz.conf:", 10) == 0 &&
                 pxs_conf_get(c, section, key, NULL) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    pxs_config c;
    int line;

    memcpy(text, data, size);
    text[size] = '\0';
    memset(&c, 0, sizeof c);
    c.file = strdup("fuzz.conf");
    if (pxs_config_parse(&c, text, "fuzz.conf") != 0) {
        /* "fuzz.conf:<line>: ..." with a line of the text. */
        FZ_CHECK(sscanf(pxs_error(), "fuzz.conf:%d:", &line) == 1);
        FZ_CHECK(line >= 1 && line <= count_lines(text));
        pxs_config_free(&c);
        free(text);
        return 0;
    }
    FZ_CHECK(c.n >= 0 && c.n <= c.cap);
    if (pxs_config_check(&c, "fuzz.conf") != 0) {
        FZ_CHECK(sscanf(pxs_error(), "fuzz.conf:%d:", &line) == 1);
        FZ_CHECK(line >= 1 && line <= count_lines(text));
    }
    for (int i = 0; i < c.n; i++) {
        const pxs_conf_entry *e = &c.e[i];
        FZ_CHECK(e->section != NULL && e->key != NULL && e->value != NULL);
        FZ_CHECK(e->key[0] != '\0');
        FZ_CHECK(e->line >= 1 && e->line <= count_lines(text));
        /* The first entry of a (section, key) pair is the one found. */
        FZ_CHECK(pxs_conf_get(&c, e->section, e->key, NULL) != NULL);
        FZ_CHECK(pxs_conf_line(&c, e->section, e->key) >= 1);
        check_int(&c, e->section, e->key, 0, 1000000000L);
        check_int(&c, e->section, e->key, LONG_MIN, LONG_MAX);
        check_int(&c, e->section, e->key, -5, 5);
    }
    check_int(&c, "collection", "maxLatency", 0, 1000000000L);
    FZ_CHECK(pxs_conf_get(&c, "no such section", "no such key", "def")[0] == 'd');
    pxs_config_free(&c);
    free(text);
    return 0;
}
