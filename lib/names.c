/* names — the single validator of names that become paths or arguments. */
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
