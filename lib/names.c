/* names — the single validator of names that become paths or arguments. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/xalloc.h"

static const char *why_invalid(const char *name)
{
    size_t n = strlen(name);

    if (n == 0)
        return "empty";
    if (n > PXS_NAME_MAX)
        return "too long";
    if (name[0] == '.')
        return "starts with '.'";
    if (name[0] == '-')
        return "starts with '-'";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return "only letters, digits, '.', '_' and '-' are allowed";
    }
    return NULL;
}

bool pxs_name_valid(const char *name) { return name != NULL && why_invalid(name) == NULL; }

int pxs_name_check(const char *what, const char *name)
{
    const char *why = name ? why_invalid(name) : "missing";

    if (why == NULL)
        return 0;
    pxs_set_error("unsafe %s name '%s': %s", what, name ? name : "", why);
    return -1;
}

char *pxs_host_name(void)
{
    char host[256];

    if (gethostname(host, sizeof host) != 0)
        return xstrdup("localhost");
    host[sizeof host - 1] = '\0';
    host[strcspn(host, ".")] = '\0';
    return xstrdup(host[0] ? host : "localhost");
}

int pxs_machines_parse(const char *text, pxs_strlist *out)
{
    pxs_strlist m;
    int rc = 0;

    pxs_strlist_init(&m);
    pxs_strlist_split(&m, text ? text : "", ',');
    for (size_t j = 0; j < m.n && rc == 0; j++) {
        rc = pxs_name_check("machine", m.v[j]);
        if (rc == 0 && pxs_strlist_has(out, m.v[j])) {
            pxs_set_error("machine '%s' named twice in '%s'", m.v[j], text);
            rc = -1;
        }
        if (rc == 0)
            pxs_strlist_add(out, m.v[j]);
    }
    pxs_strlist_free(&m);
    return rc;
}

int pxs_groups_parse(const char *text, pxs_strlist *out)
{
    pxs_strlist groups, seen, names;
    int rc = 0;

    pxs_strlist_init(&groups);
    pxs_strlist_init(&seen);
    pxs_strlist_init(&names);
    pxs_strlist_split(&groups, text ? text : "", ';');
    for (size_t i = 0; i < groups.n && rc == 0; i++) {
        pxs_strlist m;
        pxs_strlist_init(&m);
        rc = pxs_machines_parse(groups.v[i], &m);
        for (size_t j = 0; j < m.n && rc == 0; j++) {
            if (pxs_strlist_has(&seen, m.v[j])) {
                pxs_set_error("machine '%s' named twice in '%s'", m.v[j], text);
                rc = -1;
            }
            pxs_strlist_add(&seen, m.v[j]);
        }
        /* The databases of a group are named by its machines concatenated:
         * two groups must not make the same name. */
        char *name = pxs_strlist_join(&m, "");
        if (rc == 0 && m.n > 0 && pxs_strlist_has(&names, name)) {
            pxs_set_error("groups '%s' of '%s' and another have the same merged name '%s'",
                          groups.v[i], text, name);
            rc = -1;
        }
        pxs_strlist_add(&names, name);
        free(name);
        if (rc == 0 && m.n > 0) {
            char *g = pxs_strlist_join(&m, ",");
            pxs_strlist_add(out, g);
            free(g);
        }
        pxs_strlist_free(&m);
    }
    pxs_strlist_free(&groups);
    pxs_strlist_free(&seen);
    pxs_strlist_free(&names);
    return rc;
}

const char *pxs_filetype_name(pxs_filetype ft) { return ft == PXS_RX ? "rx" : "tx"; }

int pxs_filetype_parse(const char *s, pxs_filetype *ft)
{
    if (strcmp(s, "tx") == 0)
        *ft = PXS_TX;
    else if (strcmp(s, "rx") == 0)
        *ft = PXS_RX;
    else {
        pxs_set_error("file type must be tx or rx, not '%s'", s);
        return -1;
    }
    return 0;
}
