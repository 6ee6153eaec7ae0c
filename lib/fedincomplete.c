/* fedincomplete — hours fed while a machine's snapshot was missing
 * (contract, and the note for issue 13's record, in fedincomplete.h). */
#include "pxstats/fedincomplete.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

int pxs_fed_incomplete(const char *statsdir, pxs_filetype ft, const char *client,
                       const pxs_strlist *machines, const char *missing, int64_t from,
                       int64_t to, int64_t **hours, size_t *n)
{
    char *group = pxs_group_name(machines);
    int64_t fed = 0;
    size_t cap = *n;
    int rc = pxs_dbupdates_get(statsdir, ft, client, group, &fed);

    free(group);
    if (rc <= 0 || machines->n < 2)
        return rc < 0 ? -1 : 0;
    if (fed < to)
        to = fed;
    for (int64_t h = pxs_hour_floor(from); h < to; h += PXS_HOUR) {
        size_t present = 0;
        bool missing_absent = missing == NULL;
        for (size_t i = 0; i < machines->n; i++) {
            char *path = pxs_pickle_path(statsdir, client, h, ft, machines->v[i]);
            bool here = access(path, F_OK) == 0;
            present += here;
            if (!here && missing != NULL && strcmp(machines->v[i], missing) == 0)
                missing_absent = true;
            free(path);
        }
        if (present > 0 && present < machines->n && missing_absent) {
            if (*n == cap)
                xgrow((void **)hours, &cap, *n + 1, sizeof **hours);
            (*hours)[(*n)++] = h;
        }
    }
    return 0;
}
