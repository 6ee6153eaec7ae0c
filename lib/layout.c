/* layout — paths of the stats tree (see layout.h). */
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

char *pxs_db_path(const char *statsdir, pxs_filetype ft, const char *type, const char *client,
                  const char *group)
{
    return xasprintf("%s/databases/%s/%s/%s_%s", statsdir, pxs_filetype_name(ft), type, client,
                     group);
}

char *pxs_db_type_dir(const char *statsdir, pxs_filetype ft, const char *type)
{
    return xasprintf("%s/databases/%s/%s", statsdir, pxs_filetype_name(ft), type);
}

char *pxs_dbupdates_dir(const char *statsdir, pxs_filetype ft)
{
    return xasprintf("%s/DATABASE-UPDATES/%s", statsdir, pxs_filetype_name(ft));
}

char *pxs_dbupdates_file(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *group)
{
    return xasprintf("%s/DATABASE-UPDATES/%s/%s_%s", statsdir, pxs_filetype_name(ft), client,
                     group);
}

char *pxs_feed_journal_path(const char *statsdir, pxs_filetype ft, const char *client,
                            const char *group)
{
    return xasprintf("%s/DATABASE-UPDATES/%s/.%s_%s.journal", statsdir, pxs_filetype_name(ft),
                     client, group);
}

char *pxs_backups_dir(const char *statsdir)
{
    return xasprintf("%s/databases_backups", statsdir);
}

char *pxs_backup_dir(const char *statsdir, const char *dirname)
{
    return xasprintf("%s/databases_backups/%s", statsdir, dirname);
}

char *pxs_graph_file(const char *statsdir, pxs_filetype ft, const char *client, const char *file)
{
    return xasprintf("%s/graphs/%s/%s/%s", statsdir, pxs_filetype_name(ft), client, file);
}

char *pxs_rrdgraph_file(const char *statsdir, pxs_filetype ft, const char *client,
                        const char *file)
{
    return xasprintf("%s/graphs/%s/%s/rrdgraphs/%s", statsdir, pxs_filetype_name(ft), client,
                     file);
}

char *pxs_webimage_rel(const char *period, pxs_filetype ft, const char *type,
                       const char *client, const char *label)
{
    if (type == NULL)
        return xasprintf("webGraphics/%s/%s/%s/%s.png", period, pxs_filetype_name(ft), client,
                         label);
    return xasprintf("webGraphics/%s/%s/%s/%s/%s.png", period, pxs_filetype_name(ft), type, client,
                     label);
}

char *pxs_columbo_rel(pxs_filetype ft, const char *client)
{
    return xasprintf("webGraphics/columbo/%s/%s.png", pxs_filetype_name(ft), client);
}

char *pxs_columbo_dir(const char *statsdir, pxs_filetype ft)
{
    return xasprintf("%s/webGraphics/columbo/%s", statsdir, pxs_filetype_name(ft));
}

char *pxs_webgraphics_dir(const char *statsdir, const char *sub)
{
    return xasprintf("%s/webGraphics/%s", statsdir, sub);
}
