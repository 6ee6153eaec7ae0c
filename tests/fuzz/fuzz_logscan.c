/* fuzz_logscan — a whole log file scanned with pxs_logscan_file.
 *
 * Input: flags (bit 0: rx, bit 1: collect errors, bit 2: gzip the file,
 * bit 4: also scan from offset 0, bit 5: also check a sink abort,
 * bit 3: each 0xFE byte of the content becomes PXS_LINE_MAX / 2 + 1 'x', at
 * most 3 times, so that two in a line make it longer than PXS_LINE_MAX), a
 * 16-bit start offset, a stop index, then the file's content.
 *
 * The file is scanned from the fuzzed offset (and from 0). The sink
 * checks every callback against an independent walk of the same bytes: one
 * callback per complete line that is not skipped, at the line's offset, with
 * the record that pxs_logline_parse gives for that line alone; the result
 * offset is the end of the last complete line; nothing is delivered twice.
 * Then a scan stopped by the sink at the fuzzed index, resumed from the
 * offset it returned, must deliver exactly the rest; and a sink abort must
 * fail the scan. Each scan costs a megabyte buffer: the flags choose which
 * run, so that an input stays fast. */
#include <stdbool.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "pxstats/logscan.h"
#include "pxstats/msg.h"

#define LONG_RUN (PXS_LINE_MAX / 2 + 1)
#define LONG_MAX_RUNS 3
#define MAX_CB 4096

typedef struct cb {
    pxs_line_kind kind;
    uint64_t offset;
    int64_t time, bytes, latency;
    bool timed;
    size_t product_len;
    uint32_t product_crc;
} cb;

typedef struct sink {
    cb got[MAX_CB];
    size_t n;
    long stop_at;       /* index of the callback that stops (1) or aborts (-1) */
    int stop_verdict;
    uint64_t start;
    const char *content;
    size_t len;
} sink;

static cb make_cb(pxs_line_kind kind, const pxs_record *r, uint64_t offset)
{
    cb c = {kind, offset, r->time, r->bytes, r->latency, r->timed, r->product_len, 0};

    if (kind == PXS_LINE_DATA)
        c.product_crc = (uint32_t)crc32(0, (const Bytef *)r->product, (uInt)r->product_len);
    return c;
}

static int on_line(void *arg, pxs_line_kind kind, const pxs_record *r, uint64_t offset)
{
    sink *s = arg;

    FZ_CHECK(kind == PXS_LINE_DATA || kind == PXS_LINE_ERROR || kind == PXS_LINE_MALFORMED);
    /* Every callback starts a line of the file, after the previous one. */
    FZ_CHECK(offset >= s->start && offset < s->len);
    FZ_CHECK(offset == s->start || s->content[offset - 1] == '\n');
    FZ_CHECK(s->n == 0 || offset > s->got[s->n - 1].offset);
    if (kind == PXS_LINE_DATA) {
        /* The product must be readable memory: ASan checks the crc's reads. */
        FZ_CHECK(r->product != NULL);
    }
    if (s->stop_at >= 0 && (long)s->n == s->stop_at) {
        if (s->stop_verdict < 0)
            pxs_set_error("sink aborts");
        return s->stop_verdict;
    }
    if (s->n < MAX_CB)
        s->got[s->n] = make_cb(kind, r, offset);
    s->n++;
    return 0;
}

/* The expected callbacks from start, and the expected end offset. */
static size_t expect(const char *content, size_t len, uint64_t start, pxs_filetype ft,
                     int want_errors, cb *want, uint64_t *end)
{
    size_t n = 0;
    int64_t last_time = -1;
    uint64_t pos = start;
    const char *nl;

    while (pos < len && (nl = memchr(content + pos, '\n', len - pos)) != NULL) {
        size_t l = (size_t)(nl - (content + pos));
        pxs_record r;
        pxs_line_kind k;
        if (l > PXS_LINE_MAX) {
            r = (pxs_record){.time = last_time, .timed = false};
            k = PXS_LINE_MALFORMED;
        } else {
            if (l > 0 && content[pos + l - 1] == '\r')
                l--;
            k = pxs_logline_parse(content + pos, l, ft, want_errors, &r);
            r.timed = r.time >= 0;
            if (k == PXS_LINE_MALFORMED && !r.timed)
                r.time = last_time;
            if (k == PXS_LINE_DATA || k == PXS_LINE_ERROR)
                last_time = r.time;
        }
        if (k != PXS_LINE_SKIP && n < MAX_CB)
            want[n++] = make_cb(k, &r, pos);
        pos = (uint64_t)(nl - content) + 1;
    }
    *end = pos < start ? start : pos;
    return n;
}

static bool same_cb(const cb *a, const cb *b, bool with_untimed_time)
{
    return a->kind == b->kind && a->offset == b->offset && a->bytes == b->bytes &&
           a->latency == b->latency && a->timed == b->timed && a->product_len == b->product_len &&
           a->product_crc == b->product_crc &&
           (a->time == b->time || (!with_untimed_time && !a->timed));
}

static uint64_t newlines(const char *s, uint64_t from, uint64_t to)
{
    uint64_t n = 0;
    const char *p = s + from, *end = s + to;

    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

static sink S;          /* large: kept off the stack */
static cb want[MAX_CB];

/* Starts a scan's sink; the callbacks array is overwritten, not cleared
 * (clearing 200 KB per scan would cost more than the scan). */
static void sink_reset(uint64_t start, const char *content, size_t len, long stop_at, int verdict)
{
    S.n = 0;
    S.stop_at = stop_at;
    S.stop_verdict = verdict;
    S.start = start;
    S.content = content;
    S.len = len;
}

static void scan_from(const char *path, bool gz, const char *content, size_t len, uint64_t start,
                      pxs_filetype ft, int want_errors, long stop_at, bool abort_too)
{
    pxs_scan_result res;
    uint64_t end;
    size_t nwant = expect(content, len, start, ft, want_errors, want, &end);
    int rc;

    sink_reset(start, content, len, -1, 0);
    rc = pxs_logscan_file(path, gz, start, ft, want_errors, on_line, &S, &res);
    if (start > len) {
        /* Beyond the end (a file shorter than its saved position): nothing
         * read, the position kept (zlib may also refuse the seek). */
        FZ_CHECK(S.n == 0);
        FZ_CHECK((rc == 0 && res.offset == start && res.lines == 0) || (gz && rc == -1));
        return;
    }
    FZ_CHECK(rc == 0);
    FZ_CHECK(!res.stopped);
    FZ_CHECK(res.offset == end);
    FZ_CHECK(res.lines == newlines(content, start, end));
    FZ_CHECK(S.n == nwant);
    for (size_t i = 0; i < nwant && i < MAX_CB; i++)
        FZ_CHECK(same_cb(&S.got[i], &want[i], true));
    if (stop_at < 0 || (size_t)stop_at >= nwant || nwant > MAX_CB)
        return;

    /* Stopped before callback stop_at: the position stays at its line. */
    sink_reset(start, content, len, stop_at, 1);
    rc = pxs_logscan_file(path, gz, start, ft, want_errors, on_line, &S, &res);
    FZ_CHECK(rc == 0 && res.stopped);
    FZ_CHECK(res.offset == want[stop_at].offset);
    FZ_CHECK(res.lines == newlines(content, start, res.offset));
    FZ_CHECK(S.n == (size_t)stop_at);

    /* Resumed there, the scan delivers exactly the rest. */
    sink_reset(res.offset, content, len, -1, 0);
    rc = pxs_logscan_file(path, gz, res.offset, ft, want_errors, on_line, &S, &res);
    FZ_CHECK(rc == 0 && !res.stopped && res.offset == end);
    FZ_CHECK(S.n == nwant - (size_t)stop_at);
    for (size_t i = 0; i < S.n; i++)
        FZ_CHECK(same_cb(&S.got[i], &want[(size_t)stop_at + i], false));

    if (!abort_too)
        return;
    /* A sink that aborts fails the scan, with a message. */
    sink_reset(start, content, len, stop_at, -1);
    rc = pxs_logscan_file(path, gz, start, ft, want_errors, on_line, &S, &res);
    FZ_CHECK(rc == -1 && pxs_error()[0] != '\0');
}

static char *expand(const uint8_t *p, size_t n, bool long_lines, size_t *len)
{
    size_t runs = 0, out_len = n;
    char *out, *q;

    for (size_t i = 0; long_lines && i < n && runs < LONG_MAX_RUNS; i++)
        if (p[i] == 0xFE) {
            out_len += LONG_RUN - 1;
            runs++;
        }
    out = malloc(out_len ? out_len : 1);
    q = out;
    runs = 0;
    for (size_t i = 0; i < n; i++) {
        if (long_lines && p[i] == 0xFE && runs < LONG_MAX_RUNS) {
            memset(q, 'x', LONG_RUN);
            q += LONG_RUN;
            runs++;
        } else
            *q++ = (char)p[i];
    }
    *len = out_len;
    return out;
}

static void write_log(const char *path, bool gz, const char *content, size_t len)
{
    gzFile g;

    if (!gz) {
        fz_write(path, content, len);
        return;
    }
    g = gzopen(path, "wb1");
    FZ_CHECK(g != NULL);
    FZ_CHECK(len == 0 || gzwrite(g, content, (unsigned)len) == (int)len);
    FZ_CHECK(gzclose(g) == Z_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4200];
    pxs_filetype ft;
    int want_errors;
    bool gz, long_lines;
    uint64_t start;
    long stop_at;
    size_t len;
    char *content;

    if (size < 4)
        return 0;
    ft = data[0] & 1 ? PXS_RX : PXS_TX;
    want_errors = (data[0] >> 1) & 1;
    gz = (data[0] >> 2) & 1;
    long_lines = (data[0] >> 3) & 1;
    content = expand(data + 4, size - 4, long_lines, &len);
    /* Mostly inside the file, sometimes a little past its end. */
    start = fz_le(data + 1, 2) % (len + 8);
    stop_at = data[3] == 0 ? -1 : (long)data[3] - 1;
    snprintf(path, sizeof path, "%s/%s", fz_dir(), gz ? "tx_fuzz.log.gz" : "tx_fuzz.log");
    write_log(path, gz, content, len);

    if (start != 0 && (data[0] & 0x10))
        scan_from(path, gz, content, len, 0, ft, want_errors, -1, false);
    scan_from(path, gz, content, len, start, ft, want_errors, stop_at, (data[0] & 0x20) != 0);
    free(content);
    return 0;
}
