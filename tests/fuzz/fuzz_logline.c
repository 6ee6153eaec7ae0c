/* fuzz_logline — pxs_logline_parse on arbitrary bytes.
 *
 * Input: one flag byte (bit 0: rx instead of tx, bit 1: collect errors), then
 * the line (any bytes, NULs and newlines included). Besides memory safety
 * (ASan, UBSan), the kind is checked against the rules of DESIGN.md §3 told
 * independently here, and the record against the line it came from. */
#include <stdbool.h>

#include "fuzz_common.h"
#include "pxstats/logline.h"

static bool has(const char *s, size_t len, const char *word)
{
    return memmem(s, len, word, strlen(word)) != NULL;
}

/* A delivery line by the rules: [INFO], Bytes, and no speed, segment or
 * timeout text. */
static bool data_candidate(const char *s, size_t len)
{
    return has(s, len, "[INFO]") && has(s, len, "Bytes") && !has(s, len, "/sec") &&
           !has(s, len, " Segment ") && !has(s, len, "SEND TIMEOUT");
}

static void check_record(const char *line, size_t len, pxs_filetype ft, pxs_line_kind k,
                         const pxs_record *r)
{
    switch (k) {
    case PXS_LINE_DATA:
        /* The time is the text before the comma at offset 19. */
        FZ_CHECK(len > 19 && line[19] == ',' && r->time != -1);
        FZ_CHECK(r->bytes >= 0);
        FZ_CHECK(r->product >= line && r->product + r->product_len <= line + len);
        FZ_CHECK(memchr(r->product, '/', r->product_len) == NULL);
        if (ft == PXS_TX) {
            FZ_CHECK(r->latency >= 0);
            FZ_CHECK(memchr(r->product, ' ', r->product_len) == NULL);
        } else {
            FZ_CHECK(r->latency == 0);
            FZ_CHECK(memchr(r->product, ':', r->product_len) == NULL);
        }
        break;
    case PXS_LINE_ERROR:
        FZ_CHECK(len > 19 && line[19] == ',' && r->time != -1);
        FZ_CHECK(r->product_len == 0 && r->bytes == 0 && r->latency == 0);
        break;
    case PXS_LINE_MALFORMED:
        FZ_CHECK(r->time == -1 || (len > 19 && line[19] == ','));
        break;
    case PXS_LINE_SKIP:
        break;
    default:
        FZ_CHECK(!"unknown line kind");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pxs_filetype ft;
    int want_errors;
    const char *line;
    size_t len;
    pxs_record r, again;
    pxs_line_kind k;

    if (size < 1)
        return 0;
    ft = data[0] & 1 ? PXS_RX : PXS_TX;
    want_errors = (data[0] >> 1) & 1;
    line = (const char *)data + 1;
    len = size - 1;

    k = pxs_logline_parse(line, len, ft, want_errors, &r);
    check_record(line, len, ft, k, &r);
    if (data_candidate(line, len))
        FZ_CHECK(k == PXS_LINE_DATA || k == PXS_LINE_MALFORMED);
    else if (has(line, len, "[ERROR]"))
        FZ_CHECK(want_errors ? (k == PXS_LINE_ERROR || k == PXS_LINE_MALFORMED) : k == PXS_LINE_SKIP);
    else
        FZ_CHECK(k == PXS_LINE_SKIP);
    /* No hidden state: the same line parses the same way twice. */
    FZ_CHECK(pxs_logline_parse(line, len, ft, want_errors, &again) == k);
    FZ_CHECK(again.time == r.time && again.bytes == r.bytes && again.latency == r.latency &&
             again.product == r.product && again.product_len == r.product_len);
    return 0;
}
