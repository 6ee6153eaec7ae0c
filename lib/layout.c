/* layout — paths of the stats tree. */
#include <string.h>

#include "pxstats/layout.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

char *pxs_pickle_day_dir(const char *statsdir, const char *client, int64_t t)
{
    char day[16];

    return xasprintf("%s/pickles/%s/%s", statsdir, client, pxs_strftime(t, "%Y%m%d", day, sizeof day));
}

char *pxs_pickle_path(const char *statsdir, const char *client, int64_t t, pxs_filetype ft,
                      const char *machine)
{
    char day[16], hour[8];

    return xasprintf("%s/pickles/%s/%s/%s/%s_%s", statsdir, client,
                     pxs_strftime(t, "%Y%m%d", day, sizeof day), pxs_filetype_name(ft), machine,
                     pxs_strftime(t, "%H", hour, sizeof hour));
}

char *pxs_pickles_dir(const char *statsdir)
{
    return xasprintf("%s/pickles", statsdir);
}

char *pxs_pickle_client_dir(const char *statsdir, const char *client)
{
    return xasprintf("%s/pickles/%s", statsdir, client);
}

char *pxs_pickle_ft_dir(const char *statsdir, const char *client, int64_t t, pxs_filetype ft)
{
    char day[16];

    return xasprintf("%s/pickles/%s/%s/%s", statsdir, client,
                     pxs_strftime(t, "%Y%m%d", day, sizeof day), pxs_filetype_name(ft));
}

char *pxs_stats_file(const char *statsdir, const char *name)
{
    return xasprintf("%s/%s", statsdir, name);
}

char *pxs_group_name(const pxs_strlist *machines)
{
    return pxs_strlist_join(machines, "");
}
