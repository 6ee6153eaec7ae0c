/* dbupdates — the DATABASE-UPDATES state files (see dbupdates.h). */
#include "pxstats/dbupdates.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

char *pxs_dbupdates_path(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *machine)
{
    return xasprintf("%s/DATABASE-UPDATES/%s/%s_%s", statsdir, pxs_filetype_name(ft), client,
                     machine);
}

/* An ISO date, or a plain epoch number (the original stored a float). */
static int parse_time(char *text, int64_t *t)
{
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        text[--len] = '\0';
    if (pxs_parse_iso(text, len, t))
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (len == 0 || errno != 0 || *end != '\0' || v < 0 || v > 1e12)
        return -1;
    *t = (int64_t)v;
    return 0;
}

int pxs_dbupdates_get(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t *t)
{
    char *path = pxs_dbupdates_path(statsdir, ft, client, machine);
    size_t len;
    char *text = pxs_read_file(path, &len);
    if (text == NULL) {
        int rc = errno == ENOENT ? 0 : -1;
        free(path);
        return rc;
    }
    int rc = 1;
    if (parse_time(text, t) != 0) {
        pxs_set_error("%s: not a date (YYYY-MM-DD HH:MM:SS)", path);
        rc = -1;
    }
    free(text);
    free(path);
    return rc;
}

int pxs_dbupdates_set(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t t)
{
    char *path = pxs_dbupdates_path(statsdir, ft, client, machine);
    char iso[PXS_ISO_SIZE];
    char *line = xasprintf("%s\n", pxs_format_iso(t, iso));
    int rc = pxs_atomic_write(path, line, strlen(line));
    free(line);
    free(path);
    return rc;
}

int pxs_dbupdates_clients(const char *statsdir, pxs_filetype ft, const char *machine,
                          pxs_strlist *out)
{
    char *dir = xasprintf("%s/DATABASE-UPDATES/%s", statsdir, pxs_filetype_name(ft));
    pxs_dirlist l;
    if (pxs_dir_read(dir, &l) != 0) {
        free(dir);
        return -1;
    }
    size_t mlen = strlen(machine);
    for (size_t i = 0; i < l.n; i++) {
        const char *name = l.e[i].name;
        size_t len = strlen(name);
        /* "<client>_<machine>": the suffix decides, since a client name may
         * itself hold '_'. */
        if (!S_ISREG(l.e[i].type) || len < mlen + 2 || name[len - mlen - 1] != '_' ||
            strcmp(name + len - mlen, machine) != 0)
            continue;
        char *client = xstrndup(name, len - mlen - 1);
        if (pxs_name_valid(client))
            pxs_strlist_add_unique(out, client);
        free(client);
    }
    pxs_dir_free(&l);
    free(dir);
    pxs_strlist_sort(out);
    return 0;
}
