/* Unit tests of pngspan: a span stamped into a PNG is read back from memory
 * and from the file (only the chunk headers), replaces an older one, leaves
 * every other chunk as it was (the image still decodes: libpng's own CRC
 * check, through ImageMagick when installed); what is not a PNG, or carries
 * no span, or is not a regular file, has none. */
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
#include "pxstats/msg.h"
#include "pxstats/pngspan.h"
#include "pxstats/safefs.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"
#include "testdir.h"

#define T0 1796083200   /* 2026-12-01 00:00:00 */

static int setup(void **state) { return testdir_make(state, "pngspan"); }
static int teardown(void **state) { return testdir_remove(state); }

/* A real 1x1 PNG (as libpng writes it: IHDR, IDAT, IEND). */
static const unsigned char one[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
    0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
    0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static void test_memory(void **state)
{
    (void)state;
    unsigned char *a, *b;
    size_t la, lb;
    int64_t s = 0, e = 0;
    assert_int_equal(pxs_png_get_span(one, sizeof one, &s, &e), 0);
    assert_int_equal(pxs_png_set_span(one, sizeof one, T0, T0 + 86400, &a, &la), 0);
    assert_int_equal(pxs_png_get_span(a, la, &s, &e), 1);
    assert_int_equal(s, T0);
    assert_int_equal(e, T0 + 86400);
    /* The chunk is right after IHDR, the rest is the image as it was. */
    assert_memory_equal(a, one, 33);
    assert_memory_equal(a + 33 + 12 + 13 + 39, one + 33, sizeof one - 33);
    assert_int_equal(la, sizeof one + 12 + 13 + 39);
    /* Stamping again replaces the span (one chunk, not two). */
    assert_int_equal(pxs_png_set_span(a, la, T0 - 3600, T0, &b, &lb), 0);
    assert_int_equal(lb, la);
    assert_int_equal(pxs_png_get_span(b, lb, &s, &e), 1);
    assert_int_equal(s, T0 - 3600);
    assert_int_equal(e, T0);
    /* Not a PNG: refused, and without a span. */
    assert_int_equal(pxs_png_set_span((const unsigned char *)"GIF89a", 6, T0, T0, &a, &la), -1);
    assert_int_equal(pxs_png_get_span((const unsigned char *)"GIF89a", 6, &s, &e), 0);
    /* A damaged chunk length stops the search, it does not overrun. */
    unsigned char bad[sizeof one];
    memcpy(bad, one, sizeof one);
    bad[33] = 0x7f;
    assert_int_equal(pxs_png_get_span(bad, sizeof bad, &s, &e), 0);
    free(a);
    free(b);
}

static void test_files(void **state)
{
    const char *dir = *state;
    char *p = xasprintf("%s/img/a.png", dir);
    int64_t s = 0, e = 0;
    assert_int_equal(pxs_png_file_span(p, &s, &e), 0);   /* absent */
    assert_int_equal(pxs_atomic_write(p, one, sizeof one), 0);
    assert_int_equal(pxs_png_file_span(p, &s, &e), 0);   /* no span */
    assert_int_equal(pxs_png_write_span(p, one, sizeof one, T0 - 7 * 86400, T0), 0);
    assert_int_equal(pxs_png_file_span(p, &s, &e), 1);
    assert_int_equal(s, T0 - 7 * 86400);
    assert_int_equal(e, T0);
    /* The stamped image still decodes, its CRCs checked. */
    char *argv[] = {"identify", "-regard-warnings", p, NULL};
    char *out = NULL;
    size_t olen = 0;
    pxs_spawn_opts so = {.stdout_buf = &out, .stdout_len = &olen};
    int st = pxs_spawn(argv, &so);
    free(out);
    assert_true(st == 0 || st == 127 || st < 0);   /* 127/-1: ImageMagick absent */
    /* In the stats tree, a link (even to a stamped image), a FIFO and a
     * directory are refused by name, and the FIFO does not block the reader. */
    pxs_tree_set_root(dir);
    char *l = xasprintf("%s/img/link.png", dir), *f = xasprintf("%s/img/fifo.png", dir);
    char *d = xasprintf("%s/img/dir.png", dir);
    assert_int_equal(symlink(p, l), 0);
    assert_int_equal(mkfifo(f, 0600), 0);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(pxs_png_file_span(l, &s, &e), -1);
    assert_non_null(strstr(pxs_error(), "link.png: a symbolic link"));
    assert_int_equal(pxs_png_file_span(f, &s, &e), -1);
    assert_non_null(strstr(pxs_error(), "fifo.png: a FIFO"));
    assert_int_equal(pxs_png_file_span(d, &s, &e), -1);
    pxs_tree_set_root(NULL);
    /* Writing a non-PNG is an error naming the file. */
    assert_int_equal(pxs_png_write_span(p, (const unsigned char *)"x", 1, T0, T0), -1);
    assert_non_null(strstr(pxs_error(), "a.png"));
    free(p);
    free(l);
    free(f);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
    };
    pxs_set_progname("test_pngspan");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
