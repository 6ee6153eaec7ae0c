/* faultshim — an LD_PRELOAD library that makes file writes fail on demand,
 * to prove that every write path of pxstats survives a full disk or a
 * permission error (tests/e2e/faults.sh).
 *
 * Build: cc -shared -fPIC -o faultshim.so tests/fault/faultshim.c -ldl
 *
 * Environment:
 *   FAULT_OPS    operations that may fail, comma separated (default "write"):
 *                  write   write, pwrite, writev, and the stdio writers
 *                          (fwrite, fputs, fputc, putc, fprintf, vfprintf,
 *                          fflush, fclose: glibc's stdio calls its internal
 *                          write, which no preload can reach)
 *                  fsync   fsync, fdatasync, syncfs
 *                  rename  rename, renameat, renameat2
 *                  open    open/openat/creat with O_CREAT, fopen for writing,
 *                          mkstemp, mkostemp, mkstemps
 *                  mkdir   mkdir
 *   FAULT_NTH    the first matching call that fails, 1-based (default 1);
 *                0 fails nothing (count only)
 *   FAULT_TIMES  how many matching calls fail from the Nth on (default 0 =
 *                every one: a disk that stays full)
 *   FAULT_PATH   fnmatch(3) pattern a call's path must match (default "*");
 *                for an fd or a FILE, the path of the open file
 *   FAULT_ERRNO  ENOSPC (default), EACCES, EIO, EDQUOT or EROFS
 *   FAULT_LOG    file to which each injected fault appends
 *                "<pid> <op> <errno name> <path>", and at exit (with
 *                FAULT_NTH=0) "<pid> count <op> <n>" per operation
 *
 * Only regular files count: writes to pipes, terminals and the standard
 * descriptors 0-2 always pass, so that the program's messages get out. The
 * counter is per process (a forked worker inherits the parent's count). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum { OP_WRITE, OP_FSYNC, OP_RENAME, OP_OPEN, OP_MKDIR, NOPS };
static const char *const op_names[NOPS] = {"write", "fsync", "rename", "open", "mkdir"};

static int configured;
static unsigned enabled;        /* bit per op */
static long nth = 1, times;
static const char *pattern = "*";
static int fault_errno = ENOSPC;
static const char *errno_name = "ENOSPC";
static const char *log_path;
static long seen[NOPS];         /* matching calls so far, per op */
static long failed;             /* faults injected */
static __thread int inside;     /* no recursion through our own calls */

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static void configure(void)
{
    const char *ops = getenv("FAULT_OPS"), *s;

    if (configured)
        return;
    configured = 1;
    if (ops == NULL || *ops == '\0')
        ops = "write";
    for (int i = 0; i < NOPS; i++) {
        size_t n = strlen(op_names[i]);
        for (const char *p = ops; (p = strstr(p, op_names[i])) != NULL; p += n)
            if ((p == ops || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                enabled |= 1u << i;
    }
    if ((s = getenv("FAULT_NTH")) != NULL && *s)
        nth = atol(s);
    if ((s = getenv("FAULT_TIMES")) != NULL && *s)
        times = atol(s);
    if ((s = getenv("FAULT_PATH")) != NULL && *s)
        pattern = s;
    log_path = getenv("FAULT_LOG");
    if ((s = getenv("FAULT_ERRNO")) != NULL && *s) {
        static const struct { const char *name; int value; } errs[] = {
            {"ENOSPC", ENOSPC}, {"EACCES", EACCES}, {"EIO", EIO}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS}};
        for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
            if (strcmp(s, errs[i].name) == 0) {
                fault_errno = errs[i].value;
                errno_name = errs[i].name;
            }
    }
}

static void log_line(const char *fmt, ...)
{
    char line[4400];
    va_list ap;
    int fd, n;

    if (log_path == NULL)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    fd = REAL(open)(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t w = REAL(write)(fd, line, (size_t)n);
        (void)w;
        REAL(close)(fd);
    }
}

__attribute__((destructor)) static void report_counts(void)
{
    if (!configured || nth != 0)
        return;
    for (int i = 0; i < NOPS; i++)
        if (enabled & (1u << i))
            log_line("%d count %s %ld\n", (int)getpid(), op_names[i], seen[i]);
}

/* Decides whether this call of op on path fails; sets errno when it does. */
static int should_fail(int op, const char *path)
{
    int saved = errno;
    long k;

    configure();
    if (inside || !(enabled & (1u << op)) || path == NULL || fnmatch(pattern, path, 0) != 0)
        return 0;
    k = ++seen[op];
    errno = saved;
    if (nth <= 0 || k < nth || (times > 0 && k >= nth + times))
        return 0;
    failed++;
    log_line("%d %s %s %s\n", (int)getpid(), op_names[op], errno_name, path);
    errno = fault_errno;
    return 1;
}

/* The path of an fd, for regular files other than 0-2 only; for a write,
 * only a file open for writing (closing a file that was only read cannot
 * meet a full disk), while fsync counts on any descriptor (a file may be
 * reopened read-only just to be synced). */
static const char *fd_path(int fd, int op, char *buf, size_t size)
{
    struct stat st;
    char link[64];
    ssize_t n;
    int saved = errno, fl;

    if (fd <= 2 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (fl = fcntl(fd, F_GETFL)) < 0 || (op == OP_WRITE && (fl & O_ACCMODE) == O_RDONLY)) {
        errno = saved;
        return NULL;
    }
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, buf, size - 1);
    errno = saved;
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

static int fd_fails(int op, int fd)
{
    char buf[4096];

    return should_fail(op, fd_path(fd, op, buf, sizeof buf));
}

static int file_fails(FILE *fp)
{
    int fd;

    if (fp == NULL)
        return 0;
    fd = fileno(fp);
    return fd >= 0 && fd_fails(OP_WRITE, fd);
}

/* Marks a stream as failed, as a failed write of glibc's would. */
static void set_stream_error(FILE *fp)
{
    fp->_flags |= _IO_ERR_SEEN;
}

/* ---- write ---- */

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd_fails(OP_WRITE, fd))
        return -1;
    return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (fd_fails(OP_WRITE, fd))
        return -1;
    return REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (fd_fails(OP_WRITE, fd))
        return -1;
    return REAL(pwrite64)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    if (fd_fails(OP_WRITE, fd))
        return -1;
    return REAL(writev)(fd, iov, cnt);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *fp)
{
    if (size > 0 && n > 0 && file_fails(fp)) {
        set_stream_error(fp);
        return 0;
    }
    return REAL(fwrite)(p, size, n, fp);
}

int fputs(const char *s, FILE *fp)
{
    if (file_fails(fp)) {
        set_stream_error(fp);
        return EOF;
    }
    return REAL(fputs)(s, fp);
}

int fputc(int c, FILE *fp)
{
    if (file_fails(fp)) {
        set_stream_error(fp);
        return EOF;
    }
    return REAL(fputc)(c, fp);
}

int putc(int c, FILE *fp)
{
    return fputc(c, fp);
}

int vfprintf(FILE *fp, const char *fmt, va_list ap)
{
    if (file_fails(fp)) {
        set_stream_error(fp);
        return -1;
    }
    return REAL(vfprintf)(fp, fmt, ap);
}

int fprintf(FILE *fp, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vfprintf(fp, fmt, ap);
    va_end(ap);
    return r;
}

int fflush(FILE *fp)
{
    if (fp != NULL && file_fails(fp)) {
        set_stream_error(fp);
        return EOF;
    }
    return REAL(fflush)(fp);
}

int fclose(FILE *fp)
{
    if (file_fails(fp)) {
        /* The buffered data is lost, the stream closed, as on a full disk. */
        int err = errno;
        inside = 1;
        REAL(fclose)(fp);
        inside = 0;
        errno = err;
        return EOF;
    }
    return REAL(fclose)(fp);
}

/* ---- fsync ---- */

int fsync(int fd)
{
    if (fd_fails(OP_FSYNC, fd))
        return -1;
    return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    if (fd_fails(OP_FSYNC, fd))
        return -1;
    return REAL(fdatasync)(fd);
}

int syncfs(int fd)
{
    if (fd_fails(OP_FSYNC, fd))
        return -1;
    return REAL(syncfs)(fd);
}

/* ---- rename ---- */

int rename(const char *from, const char *to)
{
    if (should_fail(OP_RENAME, to))
        return -1;
    return REAL(rename)(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    if (should_fail(OP_RENAME, to))
        return -1;
    return REAL(renameat)(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    if (should_fail(OP_RENAME, to))
        return -1;
    return REAL(renameat2)(fd1, from, fd2, to, flags);
}

/* ---- open with O_CREAT, mkstemp ---- */

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    if ((flags & O_CREAT) && should_fail(OP_OPEN, path))
        return -1;
    return REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    if ((flags & O_CREAT) && should_fail(OP_OPEN, path))
        return -1;
    return REAL(open64)(path, flags, mode);
}

int openat(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    if ((flags & O_CREAT) && should_fail(OP_OPEN, path))
        return -1;
    return REAL(openat)(dfd, path, flags, mode);
}

int openat64(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    if ((flags & O_CREAT) && should_fail(OP_OPEN, path))
        return -1;
    return REAL(openat64)(dfd, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
    if (should_fail(OP_OPEN, path))
        return -1;
    return REAL(creat)(path, mode);
}

static int writes_mode(const char *mode)
{
    return strpbrk(mode, "wa+") != NULL;
}

FILE *fopen(const char *path, const char *mode)
{
    if (writes_mode(mode) && should_fail(OP_OPEN, path))
        return NULL;
    return REAL(fopen)(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    if (writes_mode(mode) && should_fail(OP_OPEN, path))
        return NULL;
    return REAL(fopen64)(path, mode);
}

int mkstemp(char *tmpl)
{
    if (should_fail(OP_OPEN, tmpl))
        return -1;
    return REAL(mkstemp)(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
    if (should_fail(OP_OPEN, tmpl))
        return -1;
    return REAL(mkostemp)(tmpl, flags);
}

int mkstemps(char *tmpl, int suffixlen)
{
    if (should_fail(OP_OPEN, tmpl))
        return -1;
    return REAL(mkstemps)(tmpl, suffixlen);
}

/* ---- mkdir ---- */

int mkdir(const char *path, mode_t mode)
{
    if (should_fail(OP_MKDIR, path))
        return -1;
    return REAL(mkdir)(path, mode);
}
