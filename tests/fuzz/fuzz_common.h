/* fuzz_common — helpers shared by the libFuzzer targets of tests/fuzz.
 *
 * A broken invariant aborts (libFuzzer then keeps the input as a crash), with
 * a line saying which invariant, so that a finding reads without a debugger. */
#ifndef PXS_FUZZ_COMMON_H
#define PXS_FUZZ_COMMON_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FZ_CHECK(cond)                                                                   \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* A private directory for the files a target writes, removed at exit. */
static char fz_dir_buf[4096];

static inline void fz_dir_remove(void)
{
    DIR *d = opendir(fz_dir_buf);
    struct dirent *de;

    while (d != NULL && (de = readdir(d)) != NULL) {
        char path[8192];
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", fz_dir_buf, de->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(fz_dir_buf);
}

static inline const char *fz_dir(void)
{
    if (fz_dir_buf[0] == '\0') {
        /* Memory-backed when possible: the targets write a file per input,
         * and the state files are fsynced. */
        const char *tmp = getenv("TMPDIR");
        if ((tmp == NULL || *tmp == '\0') && access("/dev/shm", W_OK) == 0)
            tmp = "/dev/shm";
        snprintf(fz_dir_buf, sizeof fz_dir_buf, "%s/pxs-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(fz_dir_buf) == NULL) {
            perror("mkdtemp");
            abort();
        }
        atexit(fz_dir_remove);
    }
    return fz_dir_buf;
}

/* Writes len bytes to path (whole), aborting on an I/O error: the fuzzer
 * tests the readers, not the disk. */
static inline void fz_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* Little-endian unsigned integer of n bytes at p. */
static inline uint64_t fz_le(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#endif
