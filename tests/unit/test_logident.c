/* Unit tests of logident: positions found by inode and first bytes, by first
 * bytes alone after a compression or a copy, an inode reused by a new file,
 * a truncated file, copies read once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "pxstats/logident.h"

/* A file with the given identity and first bytes. */
static pxs_logfile file(const char *path, uint64_t ino, const char *head, uint64_t size, bool gz)
{
    pxs_logfile f;

    memset(&f, 0, sizeof f);
    f.path = (char *)path;
    f.dev = 1;
    f.ino = ino;
    f.size = size;
    f.gz = gz;
    f.head_len = (uint32_t)strlen(head);
    memcpy(f.head, head, f.head_len);
    return f;
}

/* A position saved for a file that began with head. */
static pxs_position position(uint64_t ino, const char *head, uint64_t offset, uint64_t scanned)
{
    pxs_position p;

    memset(&p, 0, sizeof p);
    p.path = "/log/tx_a.log";
    p.dev = 1;
    p.ino = ino;
    p.fp_len = (uint32_t)strlen(head);
    p.fp_crc = (uint32_t)crc32(0, (const Bytef *)head, p.fp_len);
    p.offset = offset;
    p.scanned = scanned;
    return p;
}

#define DAY1 "2026-01-10 00:00:01,123 [INFO] (10 Bytes) Bulletin A:b:c:d:3:Direct:20260110000000  delivered\n"
#define DAY2 "2026-01-11 00:00:02,456 [INFO] (20 Bytes) Bulletin B:b:c:d:3:Direct:20260111000000  delivered\n"
#define DAY3 "2026-01-12 00:00:03,789 [INFO] (30 Bytes) Bulletin C:b:c:d:3:Direct:20260112000000  delivered\n"

static void match(pxs_logfile *f, size_t nf, pxs_position *p, size_t np, pxs_ident *id, bool *used)
{
    pxs_logfiles files = {f, nf, nf};
    pxs_position *pp[8];

    for (size_t i = 0; i < np; i++)
        pp[i] = &p[i];
    pxs_ident_match(&files, pp, np, id, used);
}

static void renamed_file_keeps_its_position(void **state)
{
    pxs_logfile f[2] = {file("/log/tx_a.log.2026-01-10", 7, DAY1, 5000, false),
                        file("/log/tx_a.log", 8, DAY2, 100, false)};
    pxs_position p[1] = {position(7, DAY1, 4000, 4500)};
    pxs_ident id[2];
    bool used[1];
    (void)state;
    match(f, 2, p, 1, id, used);
    assert_ptr_equal(id[0].pos, &p[0]);
    assert_false(id[0].moved);
    assert_null(id[1].pos);
    assert_true(used[0]);
}

/* delaycompress: the old content is in a .gz (another inode), the new live
 * file has the old inode. */
static void reused_inode_told_apart(void **state)
{
    pxs_logfile f[3] = {file("/log/tx_a.log.2.gz", 9, DAY1, 900, true),
                        file("/log/tx_a.log.1", 8, DAY2, 5000, false),
                        file("/log/tx_a.log", 7, DAY3, 50, false)};
    pxs_position p[2] = {position(7, DAY1, 5000, 5000), position(8, DAY2, 4900, 5000)};
    pxs_ident id[3];
    bool used[2];
    (void)state;
    match(f, 3, p, 2, id, used);
    assert_ptr_equal(id[0].pos, &p[0]);
    assert_true(id[0].moved);
    assert_ptr_equal(id[1].pos, &p[1]);
    assert_null(id[2].pos);          /* a new file: read from its start */
    assert_true(used[0] && used[1]);
}

/* copytruncate: the live file truncated (same inode, shorter, new content),
 * the copy holds the old content; a file truncated in place whose content is
 * nowhere leaves its position unused. */
static void truncated_and_copied(void **state)
{
    pxs_logfile f[2] = {file("/log/tx_a.log.2026-01-10", 9, DAY1, 5000, false),
                        file("/log/tx_a.log", 7, DAY2, 10, false)};
    pxs_logfile g[1] = {file("/log/tx_a.log", 7, DAY1, 10, false)};
    pxs_position p[1] = {position(7, DAY1, 3000, 4000)};
    pxs_ident id[2];
    bool used[1];
    (void)state;
    match(f, 2, p, 1, id, used);
    assert_ptr_equal(id[0].pos, &p[0]);
    assert_null(id[1].pos);
    /* The same first bytes but shorter than where it was read: truncated. */
    match(g, 1, p, 1, id, used);
    assert_null(id[0].pos);
    assert_false(used[0]);
}

/* Too few first bytes to tell a content found elsewhere. */
static void short_fingerprints_only_by_inode(void **state)
{
    pxs_logfile f[1] = {file("/log/tx_a.log.1", 9, "2026-01-10 0", 12, false)};
    pxs_position p[1] = {position(7, "2026-01-10 0", 12, 12)};
    pxs_position q[1] = {position(9, "", 0, 0)};
    pxs_ident id[1];
    bool used[1];
    (void)state;
    match(f, 1, p, 1, id, used);
    assert_null(id[0].pos);
    /* A position saved without first bytes (a file given up unread) goes
     * by its inode. */
    match(f, 1, q, 1, id, used);
    assert_ptr_equal(id[0].pos, &q[0]);
}

/* A file and its copy (a .gz being made): one is read. */
static void copies_read_once(void **state)
{
    pxs_logfile f[2] = {file("/log/tx_a.log.1.gz", 9, DAY1, 900, true),
                        file("/log/tx_a.log.1", 8, DAY1, 5000, false)};
    pxs_position p[1] = {position(9, DAY1, 0, 0)};
    pxs_ident id[2];
    bool used[1];
    (void)state;
    match(f, 2, p, 0, id, used);
    assert_true(id[0].duplicate);    /* the plain file is read */
    assert_false(id[1].duplicate);
    match(f, 2, p, 1, id, used);
    assert_false(id[0].duplicate);   /* the one with a position is read */
    assert_true(id[1].duplicate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renamed_file_keeps_its_position),
        cmocka_unit_test(reused_inode_told_apart),
        cmocka_unit_test(truncated_and_copied),
        cmocka_unit_test(short_fingerprints_only_by_inode),
        cmocka_unit_test(copies_read_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
