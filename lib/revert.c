/* revert — setting last-update times so that collection is redone. */
#include "pxstats/revert.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

static bool is_all(const pxs_strlist *clients)
{
    return clients->n == 1 && (strcmp(clients->v[0], "All") == 0 || strcmp(clients->v[0], "ALL") == 0);
}

static unsigned ft_bit(pxs_filetype ft)
{
    return ft == PXS_TX ? PXS_REVERT_TX : PXS_REVERT_RX;
}

/* Adds one (ft, client) to the targets, as a "<ft> <client>" pair list. */
static void target(pxs_strlist *fts, pxs_strlist *names, pxs_filetype ft, const char *client)
{
    for (size_t i = 0; i < names->n; i++)
        if (strcmp(names->v[i], client) == 0 && strcmp(fts->v[i], pxs_filetype_name(ft)) == 0)
            return;
    pxs_strlist_add(fts, pxs_filetype_name(ft));
    pxs_strlist_add(names, client);
}

/* The (ft, client) pairs to set, decided from the current times (see the
 * header for the rules). */
static void targets(const pxs_times *t, const char *machine, unsigned ft_mask,
                    const pxs_strlist *clients, pxs_strlist *fts, pxs_strlist *names)
{
    if (is_all(clients)) {
        for (size_t i = 0; i < t->n; i++)
            if (strcmp(t->e[i].machine, machine) == 0 && (ft_mask & ft_bit(t->e[i].ft)))
                target(fts, names, t->e[i].ft, t->e[i].client);
        return;
    }
    for (size_t i = 0; i < clients->n; i++) {
        const char *c = clients->v[i];
        int64_t old;
        bool tx = pxs_times_get(t, machine, PXS_TX, c, &old);
        bool rx = pxs_times_get(t, machine, PXS_RX, c, &old);

        if (ft_mask != (PXS_REVERT_TX | PXS_REVERT_RX)) {
            target(fts, names, (ft_mask & PXS_REVERT_TX) ? PXS_TX : PXS_RX, c);
            continue;
        }
        /* No -f: a client is most often a tx client or an rx source, not
         * both; inventing the other entry would only clutter timesView. */
        if (tx || !rx)
            target(fts, names, PXS_TX, c);
        if (rx)
            target(fts, names, PXS_RX, c);
    }
}

static int revert_locked(const char *statsdir, const char *machine, unsigned ft_mask,
                         const pxs_strlist *clients, int64_t time, pxs_strlist *changed)
{
    pxs_times t = {0};
    pxs_positions p = {0};
    pxs_strlist fts, names;
    int rc = -1;

    pxs_strlist_init(&fts);
    pxs_strlist_init(&names);
    if (pxs_times_load(statsdir, &t) != 0 || pxs_positions_load(statsdir, &p) != 0)
        goto out;
    targets(&t, machine, ft_mask, clients, &fts, &names);
    if (names.n == 0) {
        char *file = pxs_stats_file(statsdir, "PICKLED-TIMES");
        pxs_set_error("%s: no last-update time is recorded for machine %s (%s); "
                      "name the clients with -c", file, machine,
                      ft_mask == PXS_REVERT_TX ? "tx" : ft_mask == PXS_REVERT_RX ? "rx" : "tx or rx");
        free(file);
        goto out;
    }
    for (size_t i = 0; i < names.n; i++) {
        pxs_filetype ft;
        pxs_filetype_parse(fts.v[i], &ft);
        pxs_positions_drop(&p, machine, ft, names.v[i]);
        pxs_times_set(&t, machine, ft, names.v[i], pxs_hour_floor(time));
        char *what = xasprintf("%s %s_%s", machine, fts.v[i], names.v[i]);
        pxs_strlist_add(changed, what);
        free(what);
    }
    /* Positions first: see the header. */
    if (pxs_positions_save(statsdir, &p) != 0 || pxs_times_save(statsdir, &t) != 0)
        goto out;
    rc = 0;
out:
    pxs_strlist_free(&fts);
    pxs_strlist_free(&names);
    pxs_times_free(&t);
    pxs_positions_free(&p);
    return rc;
}

int pxs_revert(const char *statsdir, const char *machine, unsigned ft_mask,
               const pxs_strlist *clients, int64_t time, pxs_strlist *changed)
{
    pxs_lock lock;
    int rc;

    if (pxs_name_check("machine", machine) != 0)
        return -1;
    if (pxs_lock_take(&lock, statsdir, "statsUpdater", true) != 0)
        return -1;
    rc = revert_locked(statsdir, machine, ft_mask, clients, time, changed);
    pxs_lock_release(&lock);
    return rc;
}
