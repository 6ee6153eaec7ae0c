/* revert — setting last-update times so that collection is redone. */
#include "pxstats/revert.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/layout.h"
#include "pxstats/logfiles.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

static bool is_all(const pxs_strlist *clients)
{
    return clients->n == 1 &&
           (strcmp(clients->v[0], "All") == 0 || strcmp(clients->v[0], "ALL") == 0);
}

static unsigned ft_bit(pxs_filetype ft)
{
    return ft == PXS_TX ? PXS_REVERT_TX : PXS_REVERT_RX;
}

/* The clients to set, one list per file type (indexed by pxs_filetype),
 * decided from the current times and the logs (see the header for the
 * rules). Returns 0, or -1 (pxs_error set) for a name of no file type. */
static int targets(const pxs_times *t, const char *logdir, const char *machine, unsigned ft_mask,
                   const pxs_strlist *clients, pxs_strlist names[2])
{
    if (is_all(clients)) {
        for (size_t i = 0; i < t->n; i++)
            if (strcmp(t->e[i].machine, machine) == 0 && (ft_mask & ft_bit(t->e[i].ft)))
                pxs_strlist_add_unique(&names[t->e[i].ft], t->e[i].client);
        return 0;
    }
    for (size_t i = 0; i < clients->n; i++) {
        const char *c = clients->v[i];
        int64_t old;
        unsigned has;

        if (ft_mask != (PXS_REVERT_TX | PXS_REVERT_RX) && logdir == NULL) {
            pxs_strlist_add_unique(&names[(ft_mask & PXS_REVERT_TX) ? PXS_TX : PXS_RX], c);
            continue;
        }
        /* The types the name is known under, by its entries or its logs:
         * an entry of another type would collect nothing (and leave the type
         * that matters uncollected), an entry of no known name records a typo. */
        has = logdir ? pxs_logfiles_types(logdir, c) : 0;
        if (pxs_times_get(t, machine, PXS_TX, c, &old))
            has |= 1u << PXS_TX;
        if (pxs_times_get(t, machine, PXS_RX, c, &old))
            has |= 1u << PXS_RX;
        if (!(ft_mask & PXS_REVERT_TX))
            has &= ~(1u << PXS_TX);
        if (!(ft_mask & PXS_REVERT_RX))
            has &= ~(1u << PXS_RX);
        if (has == 0 && ft_mask == (PXS_REVERT_TX | PXS_REVERT_RX)) {
            pxs_set_error("%s: nothing known of %s on machine %s: no log file (%s/tx_%s.log*, "
                          "%s/rx_%s.log*) and no last update recorded: say which with -f tx "
                          "or -f rx", c, c, machine, logdir ? logdir : "?", c,
                          logdir ? logdir : "?", c);
            return -1;
        }
        if (has == 0) {
            const char *ftn = (ft_mask & PXS_REVERT_TX) ? "tx" : "rx";
            pxs_set_error("%s: nothing known of %s on machine %s: no log in %s (%s_%s.log*) and "
                          "no %s last update recorded", c, c, machine, logdir, ftn, c, ftn);
            return -1;
        }
        if (has & (1u << PXS_TX))
            pxs_strlist_add_unique(&names[PXS_TX], c);
        if (has & (1u << PXS_RX))
            pxs_strlist_add_unique(&names[PXS_RX], c);
    }
    return 0;
}

static int revert_locked(const char *statsdir, const char *logdir, const char *machine,
                         unsigned ft_mask, const pxs_strlist *clients, int64_t time,
                         pxs_strlist *changed)
{
    static const pxs_filetype fts[] = {PXS_TX, PXS_RX};
    pxs_times t = {0};
    pxs_positions p = {0};
    pxs_strlist names[2];
    int rc = -1;

    pxs_strlist_init(&names[PXS_TX]);
    pxs_strlist_init(&names[PXS_RX]);
    if (pxs_times_load(statsdir, &t) != 0 || pxs_positions_load(statsdir, &p) != 0)
        goto out;
    if (targets(&t, logdir, machine, ft_mask, clients, names) != 0)
        goto out;
    if (names[PXS_TX].n + names[PXS_RX].n == 0) {
        char *file = pxs_stats_file(statsdir, "PICKLED-TIMES");
        pxs_set_error("%s: no last-update time is recorded for machine %s (%s); "
                      "name the clients with -c", file, machine,
                      ft_mask == PXS_REVERT_TX   ? "tx"
                      : ft_mask == PXS_REVERT_RX ? "rx"
                                                 : "tx or rx");
        free(file);
        goto out;
    }
    for (size_t f = 0; f < 2; f++) {
        const pxs_strlist *l = &names[fts[f]];
        for (size_t i = 0; i < l->n; i++) {
            char *what = xasprintf("%s %s_%s", machine, pxs_filetype_name(fts[f]), l->v[i]);
            pxs_positions_drop(&p, machine, fts[f], l->v[i]);
            pxs_times_set(&t, machine, fts[f], l->v[i], pxs_hour_floor(time));
            pxs_strlist_add(changed, what);
            free(what);
        }
    }
    /* Positions first: see the header. */
    if (pxs_positions_save(statsdir, &p) != 0 || pxs_times_save(statsdir, &t) != 0)
        goto out;
    rc = 0;
out:
    pxs_strlist_free(&names[PXS_TX]);
    pxs_strlist_free(&names[PXS_RX]);
    pxs_times_free(&t);
    pxs_positions_free(&p);
    return rc;
}

int pxs_revert(const char *statsdir, const char *logdir, const char *machine, unsigned ft_mask,
               const pxs_strlist *clients, int64_t time, pxs_strlist *changed)
{
    pxs_lock lock;
    int rc;

    if (pxs_name_check("machine", machine) != 0)
        return -1;
    if (pxs_lock_take(&lock, statsdir, "statsUpdater", true) != 0)
        return -1;
    rc = revert_locked(statsdir, logdir, machine, ft_mask, clients, time, changed);
    pxs_lock_release(&lock);
    return rc;
}
