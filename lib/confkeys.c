/* confkeys — every section and key that pxstats.conf may hold.
 *
 * pxs_config_load refuses any other (file:line, and the nearest valid name),
 * so that "[collecton]" or "email =" fail loudly instead of leaving a default
 * in force. A module that reads a new key adds ONE line here, with the
 * section it reads it from; tests/e2e/guards.sh checks that every key the
 * sources read through pxs_conf_get* is listed.
 *
 * A section "sync *" stands for "[sync <anything>]"; a key "*" for any key
 * (its module validates the names itself). Keys are case-insensitive. */
#include <stddef.h>

#include "pxstats/config.h"

const pxs_conf_key pxs_conf_keys[] = {
    /* section           key */
    {"paths",            "root"},
    {"paths",            "logdir"},
    {"paths",            "statsdir"},
    {"paths",            "etcdir"},
    {"collection",       "maxLatency"},
    {"collection",       "futureToleranceMinutes"},
    {"collection",       "disorderMinutes"},
    {"graphics",         "logFilesMachines"},
    {"graphics",         "picklingMachines"},
    {"graphics",         "picklingMachineLogins"},
    {"graphics",         "localMachines"},
    {"graphics",         "remoteBinDir"},
    {"graphics",         "remoteRoot"},
    {"graphics",         "gnuplot"},
    {"graphics",         "monitorHours"},
    {"graphics",         "maintenanceHours"},
    {"databases",        "machineNames"},
    {"databases",        "maxWaitHours"},
    {"cleaning",         "snapshotDays"},
    {"cleaning",         "graphDays"},
    {"uploads",          "machineNames"},
    {"uploads",          "logins"},
    {"uploads",          "directory"},
    {"ssh",              "identity"},
    {"ssh",              "knownHosts"},
    {"ssh",              "port"},
    {"ssh",              "connectTimeout"},
    {"ssh",              "runTimeout"},
    {"sync",             "login"},
    {"sync",             "remoteStatsDir"},
    {"sync",             "rsync"},
    {"sync",             "ssh"},
    {"sync",             "timeout"},
    {"sync",             "runTimeout"},
    {"sync *",           "remoteStatsDir"},    /* [sync <host>]: one machine's */
    {"monitoring",       "emails"},
    {"monitoring",       "from"},
    {"monitoring",       "sendmail"},
    {"monitoring",       "machines"},
    {"monitoring",       "folders"},
    {"monitoring",       "maxUsages"},
    {"monitoring",       "days"},
    {"monitoring",       "maxGap"},
    {"monitoring",       "rrdTransferLog"},
    {"monitoring",       "maxDatabaseAge"},
    {"monitoring",       "binDir"},
    {"monitoring",       "files"},
    {"monitoring",       "crontabFile"},
    {"monitoring",       "maxPageAge"},
    {"monitoring.gaps",  "*"},                 /* <client> = minutes */
    {NULL, NULL}
};
