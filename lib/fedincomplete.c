/* fedincomplete — hours fed while a machine's snapshot was missing
 * (contract in fedincomplete.h): read from rrdTransfer's feed state. */
#include "pxstats/fedincomplete.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/xalloc.h"

/* True when the machine called missing is one whose snapshot the fed hour h
 * lacked (absent or unreadable), by the state's own list of machines. */
static bool lacked(const pxs_feedstate *s, const pxs_fed_hour *h, const char *missing)
{
    for (size_t m = 0; m < s->machines.n; m++)
        if (strcmp(s->machines.v[m], missing) == 0)
            return h->src[m].state != PXS_SRC_READ;
    return false;
}

int pxs_fed_incomplete(const char *statsdir, pxs_filetype ft, const char *client,
                       const pxs_strlist *machines, const char *missing, int64_t from,
                       int64_t to, int64_t **hours, size_t *n)
{
    char *group = pxs_group_name(machines);
    char *path = pxs_dbupdates_path(statsdir, ft, client, group);
    pxs_feedstate s;
    size_t cap = *n;
    int rc = pxs_feedstate_load(path, &s);

    free(path);
    free(group);
    if (rc <= 0)
        return rc;
    for (size_t i = 0; i < s.n; i++) {
        const pxs_fed_hour *h = &s.h[i];
        if (h->status != PXS_FED_INCOMPLETE || h->hour < from || h->hour >= to ||
            (missing != NULL && !lacked(&s, h, missing)))
            continue;
        if (*n == cap)
            xgrow((void **)hours, &cap, *n + 1, sizeof **hours);
        (*hours)[(*n)++] = h->hour;
    }
    pxs_feedstate_free(&s);
    return 0;
}
