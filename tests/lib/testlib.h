/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared code for the guest system tests: TAP output and case timeouts,
 * the expected-contents model of a file, libaio/io_uring helpers and
 * filesystem/device helpers.  Every test binary links lib/libtest.a.
 *
 * Environment (set by tests/run.sh):
 *   TEST_FS        name of the filesystem configuration (xfs, xfs-reflink,
 *                  ext4, ext2; and btrfs, f2fs, gfs2, zonefs, erofs, which
 *                  the series does not convert: see fs_converted())
 *   TEST_DIR       mounted scratch directory
 *   TEST_DEV       block device name (e.g. aiotest), for /sys/block/NAME
 *   TEST_NULLB     configfs directory of the null_blk device (badblocks)
 *   TEST_DELAY_MS  completion latency of every request on the device
 *   TEST_LIST=1    list the cases instead of running them: every case that
 *                  would run prints "plan - fs/test/case" and is skipped
 *   AIOLOCK_KERNEL baseline | patched
 *   AIOLOCK_FEATURE_DIO_LOCK=1  expect the "i_rwsem held until DIO
 *                  completion" behaviour of the series; ignored when
 *                  AIOLOCK_KERNEL=baseline
 *   AIOLOCK_FEATURE_DIO_LOCK_EXCL=0  with the series, expect I/O that holds
 *                  i_rwsem exclusively (sub-block writes that may zero,
 *                  ext4 extending writes) to be waited for at submission,
 *                  as on 6.12: PREEMPT_RT cannot hand a write lock off
 *                  (default 1)
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libaio.h>
#include <liburing.h>

#define KiB (1024L)
#define MiB (1024L * 1024L)
#define SECTOR 512
#define FSBLOCK 4096

/* ---- TAP output, failures, bounded waits ---- */

/* Call first: names the test (second path component of every TAP line). */
void tap_init(const char *test);
/*
 * Start a case: later failures name it; alarm(seconds) bounds it.
 * Returns false (print nothing, skip the case) when TESTS_CASE is set and
 * none of its space-separated words is a substring of "test/case", and
 * with TEST_LIST=1 (print "plan - fs/test/case", run nothing).  A case
 * that begins must end with case_ok(), case_skip() or a failure.
 */
bool case_begin(const char *name, unsigned seconds);
/* Current case passed: prints "ok - fs/test/case" and cancels the alarm. */
void case_ok(void);
/* Current case skipped. */
void case_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* First violation: prints "not ok - fs/test/case: msg" and exits 1. */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Like fail() with ": strerror(errno)" appended. */
void fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Free-form diagnostic line, prefixed with "# ". */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* filesystem configuration name (TEST_FS) */
extern const char *tap_fs;

/* ---- environment ---- */
const char *test_dir(void);
const char *test_dev(void);
const char *test_nullb(void);
unsigned test_delay_ms(void);
/*
 * How long after an operation that waited for an in-flight I/O returns the
 * I/O's completion may still be posted: 6.12 wakes the inode_dio_wait()
 * waiter a moment before ->ki_complete() posts it.  50 ms, or a quarter of
 * the device latency on a slower device (an emulated guest, where the
 * completing context can wait that long for a CPU).
 */
unsigned late_completion_ms(void);
bool feature_dio_lock(void);   /* AIOLOCK_FEATURE_DIO_LOCK=1 */
/* feature_dio_lock(), and exclusive holds are disowned too */
bool feature_dio_lock_exclusive(void);
bool test_listing(void);       /* TEST_LIST=1 */
/*
 * Timing assertions need a slow device (TEST_DELAY_MS >= 20) and a
 * converted filesystem (fs_converted()).  With TEST_DELAY_MS=0 (a dry run
 * on the host, on any filesystem) only the data checks run.
 */
bool timing_checks(void);
/*
 * A slow device under the test (not a dry run), whatever the filesystem:
 * what measures without expecting (hold_time on the unconverted
 * filesystems) and other_fs's 6.12 expectations need.
 */
bool timed_run(void);
bool fs_is_xfs(void);
bool fs_is_ext4(void);
bool fs_is_ext2(void);
/*
 * Does the series convert the configuration's filesystem (XFS, ext4,
 * ext2)?  The others keep 6.12's i_dio_count scheme: on them
 * feature_dio_lock() is false on both kernels, and timing_checks() is
 * false, because the tests' timing expectations describe the locking of
 * the converted filesystems; their data checks run.
 */
bool fs_converted(void);
/* TEST_FS is exactly name */
bool fs_is(const char *name);
/* why a case skips its timing checks (!timing_checks()), for case_skip() */
const char *no_timing_why(void);
/*
 * What the configuration's filesystem supports (ext2 has none of these):
 * fallocate() and unwritten extents; RWF_NOWAIT / IOCB_NOWAIT (FMODE_NOWAIT,
 * without which io_uring hands every request to a worker); polled direct
 * I/O (->iopoll).
 */
bool fs_has_fallocate(void);
bool fs_has_nowait(void);
bool fs_has_iopoll(void);
bool fs_has_reflink(void);
/* path of a scratch file in TEST_DIR, static buffer rotated 4 ways */
const char *test_path(const char *name);

/* ---- time ---- */
int64_t now_us(void);
void sleep_ms(unsigned ms);

/* ---- model of a file's contents ---- */
/* Byte written by "generation" gen at file offset off; never 0 or 0xee. */
static inline unsigned char pat(unsigned gen, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)gen * 0xc2b2ae3d27d4eb4fULL;
	unsigned char c;

	x ^= x >> 29;
	c = (unsigned char)(x >> 17);
	if (c == 0 || c == 0xee)
		c = (unsigned char)(gen | 1);
	return c;
}
#define STALE_BYTE 0xee

struct model {
	unsigned char *buf;
	size_t cap;
	uint64_t size;
};
void model_init(struct model *m, size_t cap);
void model_free(struct model *m);
void model_reset(struct model *m);
/* write of generation gen; extends size */
void model_write(struct model *m, uint64_t off, size_t len, unsigned gen);
void model_write_buf(struct model *m, uint64_t off, const void *buf, size_t len);
void model_truncate(struct model *m, uint64_t size);
/* zero [off, off+len); extends size unless keep_size */
void model_zero(struct model *m, uint64_t off, uint64_t len, bool keep_size);
void model_collapse(struct model *m, uint64_t off, uint64_t len);
void model_insert(struct model *m, uint64_t off, uint64_t len);
/* fill a buffer with generation gen's bytes for file range [off, off+len) */
void fill_pat(void *buf, uint64_t off, size_t len, unsigned gen);
/*
 * Compare the file with the model: size by fstat, contents by an O_DIRECT
 * read (what the device holds) and, if buffered, also a buffered read and
 * an mmap read (what the page cache holds).  Fails the case with the
 * first differing offset.  what names the file in messages.
 */
void check_file(const char *path, const struct model *m, bool buffered, const char *what);
/*
 * Each 512-byte sector of the file must equal model a or model b (same
 * size): for writes that may or may not have reached the device.
 */
void check_file_either(const char *path, const struct model *a, const struct model *b,
		       const char *what);
/* The same on an already open fd (any mode), contents by pread only. */
void check_fd_contents(int fd, const struct model *m, const char *what);

/* ---- file helpers ---- */
void *xalloc_aligned(size_t len);          /* 4096-aligned, zeroed */
int xopen(const char *path, int flags);     /* fails the case on error */
/* new file (unlinked first), O_RDWR|O_DIRECT */
int create_direct(const char *path);
/* synchronous O_DIRECT write of gen's pattern, model updated */
void dio_pwrite_gen(int fd, struct model *m, uint64_t off, size_t len, unsigned gen);
/* Fill free space with STALE_BYTE so that exposed stale blocks show up. */
void dirty_free_space(size_t bytes);
/* physical byte offset on the device of file offset off (FIEMAP), -1 if none */
int64_t file_phys(int fd, uint64_t off);
/* number of requests in flight on TEST_DEV (/sys/block/DEV/inflight) */
unsigned dev_inflight(void);
/* reads (write false) or writes in flight on TEST_DEV */
unsigned dev_inflight_dir(bool write);
/* wait (bounded by the case alarm) until at least n requests are in flight */
void wait_inflight(unsigned n);
/*
 * Wait until TEST_DEV has no request in flight (fails after 10 s): before
 * an I/O that a later wait_inflight(1) must find on the device.  An
 * io_uring request that io-wq issues a moment later would otherwise be
 * "found" in a log write left over from the setup, still in flight on a
 * slow device.
 */
void wait_idle(void);
/* write a string to TEST_NULLB/attr */
int nullb_set(const char *attr, const char *val);

/* ---- async I/O through libaio or io_uring, one interface ---- */
enum api { API_LIBAIO, API_URING };
static inline const char *api_name(enum api a)
{
	return a == API_LIBAIO ? "libaio" : "uring";
}
struct aq {
	enum api api;
	unsigned depth;
	io_context_t ctx;
	struct io_uring ring;
	struct iocb *iocbs;       /* libaio: one per slot */
	unsigned next;            /* libaio: next slot */
};
struct aq_ev {
	uint64_t tag;
	long res;
};
void aq_init(struct aq *q, enum api api, unsigned depth);
void aq_exit(struct aq *q);
/*
 * Queue one read or write (rwf: RWF_* flags) and submit it at once.
 * Returns 0, or -errno from io_submit/io_uring_submit.
 */
int aq_submit(struct aq *q, int fd, bool write, void *buf, size_t len,
	      uint64_t off, uint64_t tag, int rwf);
/* Queue without submitting (io_uring: fill an SQE; libaio: batch) */
void aq_queue(struct aq *q, int fd, bool write, void *buf, size_t len,
	      uint64_t off, uint64_t tag, int rwf);
/* Submit all queued requests; returns number submitted or -errno */
int aq_flush(struct aq *q);
/*
 * Reap between min and max events.  timeout_ms < 0 waits without limit
 * (the case alarm bounds it), 0 only peeks.  Returns the number reaped.
 */
int aq_reap(struct aq *q, unsigned min, unsigned max, struct aq_ev *ev, int timeout_ms);
/*
 * Reap exactly n events, waiting without limit (the case alarm bounds
 * it), and call each(ev, arg) for every one of them.
 */
void aq_reap_all(struct aq *q, unsigned n,
		 void (*each)(const struct aq_ev *ev, void *arg), void *arg);
/* submit one, wait for it, return its result */
long aq_sync(struct aq *q, int fd, bool write, void *buf, size_t len, uint64_t off);

#endif
