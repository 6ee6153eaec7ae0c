/* spawn — run another program from an argument vector, never through a shell.
 *
 * Used for gnuplot, rsync, sendmail and the pxstats programs themselves. */
#ifndef PXSTATS_SPAWN_H
#define PXSTATS_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct pxs_spawn_opts {
    const char *stdin_data;  /* written to the child's stdin, then closed (may be NULL) */
    size_t stdin_len;
    char **stdout_buf;       /* when set, stdout is captured into a fresh buffer */
    size_t *stdout_len;
    char **stderr_buf;       /* when set, stderr is captured into a fresh buffer */
    size_t *stderr_len;
    int timeout;             /* seconds; 0 = none. The child gets SIGTERM, then SIGKILL */
    const char *cwd;         /* directory to run in, or NULL */
} pxs_spawn_opts;

/* Runs argv[0] (looked up in PATH) with argv. Returns the exit status (0-255),
 * 128+signal when killed, or -1 when it could not be started or timed out
 * (pxs_error set: "cannot run gnuplot: No such file or directory"). */
int pxs_spawn(char *const argv[], const pxs_spawn_opts *opts);

/* Starts argv in the background; returns its pid or -1 (pxs_error set). */
pid_t pxs_spawn_bg(char *const argv[]);
/* Waits for pid; returns its status as pxs_spawn does. */
int pxs_spawn_wait(pid_t pid);

#endif
