/* spawn — fork/exec from an argument vector, with pipes and a timeout.
 *
 * One poll loop feeds stdin and drains stdout/stderr together, so a child
 * that writes a lot before reading all its input cannot deadlock us. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pxstats/msg.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

typedef struct sink {
    char *buf;
    size_t len, cap;
} sink;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int status_of(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

static void child_exec(char *const argv[], const pxs_spawn_opts *o, int in[2], int out[2],
                       int err[2])
{
    if (in[0] >= 0) {
        dup2(in[0], 0);
        close(in[0]);
        close(in[1]);
    } else {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
            close(devnull);
        }
    }
    if (out[1] >= 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
    }
    if (err[1] >= 0) {
        dup2(err[1], 2);
        close(err[0]);
        close(err[1]);
    }
    if (o && o->cwd && chdir(o->cwd) != 0)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], argv);
    /* 127 like a shell: the parent turns it into "cannot run". */
    _exit(127);
}

static void append(sink *s, const char *data, size_t n)
{
    xgrow((void **)&s->buf, &s->cap, s->len + n + 1, 1);
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

/* Moves data between the pipes until both outputs are closed or time is up.
 * Returns 0, or -1 when the deadline passed. */
static int pump(int infd, const char *data, size_t len, int outfd, sink *so, int errfd, sink *se,
                int64_t deadline)
{
    size_t sent = 0;
    char buf[65536];

    if (infd >= 0 && len == 0) {
        close(infd);
        infd = -1;
    }
    while (outfd >= 0 || errfd >= 0 || infd >= 0) {
        struct pollfd p[3];
        int n = 0, timeout = -1, r;
        if (infd >= 0)
            p[n++] = (struct pollfd){infd, POLLOUT, 0};
        if (outfd >= 0)
            p[n++] = (struct pollfd){outfd, POLLIN, 0};
        if (errfd >= 0)
            p[n++] = (struct pollfd){errfd, POLLIN, 0};
        if (deadline > 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                return -1;
            timeout = (int)left;
        }
        r = poll(p, (nfds_t)n, timeout);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (p[i].revents == 0)
                continue;
            if (p[i].fd == infd) {
                /* infd is non-blocking: a full pipe returns a partial count
                 * instead of stalling while the child waits for us to read. */
                ssize_t w = write(infd, data + sent, len - sent);
                if (w > 0)
                    sent += (size_t)w;
                if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == len) {
                    close(infd);
                    infd = -1;
                }
            } else {
                ssize_t rd = read(p[i].fd, buf, sizeof buf);
                if (rd > 0)
                    append(p[i].fd == outfd ? so : se, buf, (size_t)rd);
                else if (rd == 0 || (errno != EINTR && errno != EAGAIN)) {
                    close(p[i].fd);
                    if (p[i].fd == outfd)
                        outfd = -1;
                    else
                        errfd = -1;
                }
            }
        }
    }
    return 0;
}

/* Waits for pid until the deadline. Returns 0 when it ended (*st set), -1
 * when time ran out (the child is still running). */
static int wait_until(pid_t pid, int *st, int64_t deadline)
{
    for (;;) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return 0;
        if (now_ms() >= deadline)
            return -1;
        usleep(20000);
    }
}

int pxs_spawn(char *const argv[], const pxs_spawn_opts *o)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    sink so = {0}, se = {0};
    int64_t deadline = 0;
    int st = 0, timed_out;
    pid_t pid;
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);

    if ((o && o->stdin_data && pipe(in) != 0) || (o && o->stdout_buf && pipe(out) != 0) ||
        (o && o->stderr_buf && pipe(err) != 0)) {
        pxs_set_error_errno("cannot run %s: pipe", argv[0]);
        signal(SIGPIPE, old_pipe);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        pxs_set_error_errno("cannot run %s: fork", argv[0]);
        signal(SIGPIPE, old_pipe);
        return -1;
    }
    if (pid == 0)
        child_exec(argv, o, in, out, err);
    if (in[0] >= 0)
        close(in[0]);
    if (out[1] >= 0)
        close(out[1]);
    if (err[1] >= 0)
        close(err[1]);
    if (in[1] >= 0)
        fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
    if (o && o->timeout > 0)
        deadline = now_ms() + (int64_t)o->timeout * 1000;
    timed_out = pump(in[1], o ? o->stdin_data : NULL, o && o->stdin_data ? o->stdin_len : 0,
                     out[0], &so, err[0], &se, deadline) != 0;
    if (!timed_out && deadline > 0)
        timed_out = wait_until(pid, &st, deadline) != 0;
    if (timed_out) {
        kill(pid, SIGTERM);
        usleep(200000);
        kill(pid, SIGKILL);
        for (int *fd = (int[]){in[1], out[0], err[0], -2}; *fd != -2; fd++)
            if (*fd >= 0)
                close(*fd);
    }
    if (timed_out || deadline == 0)
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    signal(SIGPIPE, old_pipe);
    if (o && o->stdout_buf) {
        *o->stdout_buf = so.buf ? so.buf : xstrdup("");
        if (o->stdout_len)
            *o->stdout_len = so.len;
    } else
        free(so.buf);
    if (o && o->stderr_buf) {
        *o->stderr_buf = se.buf ? se.buf : xstrdup("");
        if (o->stderr_len)
            *o->stderr_len = se.len;
    } else
        free(se.buf);
    if (timed_out) {
        pxs_set_error("%s timed out after %d s", argv[0], o->timeout);
        return -1;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        pxs_set_error("cannot run %s (not found, or failed to start)", argv[0]);
        return -1;
    }
    return status_of(st);
}

pid_t pxs_spawn_bg(char *const argv[])
{
    int none[2] = {-1, -1};
    pid_t pid = fork();

    if (pid < 0) {
        pxs_set_error_errno("cannot run %s: fork", argv[0]);
        return -1;
    }
    if (pid == 0) {
        int in[2] = {-1, -1};
        /* Keep the parent's stdout and stderr. */
        child_exec(argv, NULL, in, none, none);
    }
    return pid;
}

int pxs_spawn_wait(pid_t pid)
{
    int st;

    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            pxs_set_error_errno("cannot wait for process %ld", (long)pid);
            return -1;
        }
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        pxs_set_error("cannot run a program (not found, or failed to start)");
        return -1;
    }
    return status_of(st);
}
