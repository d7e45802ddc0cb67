// SPDX-License-Identifier: GPL-2.0
/*
 * other_fs: asynchronous direct I/O on zonefs and erofs, two users of
 * iomap direct I/O that the series leaves on 6.12's i_dio_count scheme and
 * on which the other tests cannot run (zonefs files are zones, fixed in
 * number and kind; erofs is read-only).  Every case expects 6.12's
 * behaviour on both kernels: the series changes iomap's direct I/O code
 * that these filesystems call, not their locking.
 *
 * zonefs (TEST_DIR is the mount; seq/N are sequential zones, cnv/N
 * conventional ones; the device is a zoned null_blk):
 *   seq_append-libaio, seq_append-uring
 *       four 64 KiB appends to seq/0 submitted together.  zonefs takes
 *       i_rwsem exclusively for each, advances the write pointer and
 *       releases the lock at submission, so io_submit() returns at once
 *       (holding the lock until completion would make each append's
 *       submission wait for the previous append's completion, the reason
 *       zonefs is not converted).  Measured and printed: when the last
 *       completes (the block layer's zone write plugging issues writes to
 *       one zone one at a time, so about 4 D, on both kernels).  Then size
 *       and contents.  io_uring: zonefs has no FMODE_NOWAIT, so every
 *       request goes to an io-wq worker and the submission returns at once
 *       whatever zonefs locks: its time is not judged, the completions'
 *       (no sooner than D) and the data are.
 *   cnv_overwrite-libaio
 *       four 64 KiB overwrites of cnv/0 submitted together: returned at
 *       once and all in flight together (the last completes before 1.7 D).
 *   seq_truncate
 *       two appends in flight, then ftruncate(seq/0, 0) from the same
 *       task: zonefs resets the zone only after inode_dio_wait(), so the
 *       truncate returns after both completions, which the zone write plug
 *       issues one after the other (no earlier than 1.9 D after the
 *       submission; a truncate that did not wait would take the reset's
 *       own D), the file is empty, and an append at offset 0 works (the
 *       write pointer went back).
 *
 * erofs (TEST_DIR is the mount; file f holds generation 1's pattern, made
 * by "TEST_PREPARE=1 other_fs" in the directory mkfs.erofs packs):
 *   read-libaio, read-uring
 *       four 64 KiB O_DIRECT reads of f submitted together: erofs takes no
 *       lock for them, so the submission returns at once and the last
 *       completes before 1.7 D; contents checked.
 *
 * Timing is judged against the null_blk completion delay D as in
 * async_submit (three attempts, as a loaded host can stall the guest);
 * without a device or with TEST_DELAY_MS below 20 (timed_run()) only the
 * data checks run.  On other configurations there are no cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testlib.h"

#define IOSZ (64 * KiB)
#define QD 4
#define EROFS_FSIZE (1 * MiB)

struct result {
	int64_t t_sub;		/* submission returned, after t0 */
	int64_t t_done;		/* last completion reaped, after t0 */
	bool early;		/* a completion was there when submit returned */
};

/*
 * Submit n requests of IOSZ at off, off + IOSZ, ... together, reap them
 * all; every one must transfer IOSZ.
 */
static struct result submit_all(enum api api, int fd, bool write, unsigned char *buf,
				uint64_t off, unsigned n)
{
	struct result r = { 0 };
	struct aq_ev ev;
	struct aq q;
	int64_t t0;
	unsigned i;
	int s;

	aq_init(&q, api, QD);
	t0 = now_us();
	for (i = 0; i < n; i++)
		aq_queue(&q, fd, write, buf + i * IOSZ, IOSZ, off + i * IOSZ, i + 1, 0);
	s = aq_flush(&q);
	r.t_sub = now_us() - t0;
	if (s < 0)
		fail("submitting %u %s at %llu: %s", n, write ? "writes" : "reads",
		     (unsigned long long)off, strerror(-s));
	if (s != (int)n)
		fail("submitted %d of %u requests", s, n);
	r.early = aq_reap(&q, 0, 1, &ev, 0) == 1;
	for (i = 0; i < n; i++) {
		if (i || !r.early)
			aq_reap(&q, 1, 1, &ev, -1);
		if (ev.res != IOSZ)
			fail("request %llu of %u completed with %ld (%s), expected %ld",
			     (unsigned long long)ev.tag, n, ev.res,
			     ev.res < 0 ? strerror((int)-ev.res) : "short", IOSZ);
	}
	r.t_done = now_us() - t0;
	aq_exit(&q);
	return r;
}

static void check_pattern(const unsigned char *buf, uint64_t off, size_t len, unsigned gen)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pat(gen, off + i))
			fail("wrong byte 0x%02x at file offset %llu (generation %u expected)",
			     buf[i], (unsigned long long)(off + i), gen);
}

/*
 * Judge one attempt: true if the submission returned at once (before
 * 0.7 D, with no completion posted) and, if together, the last request
 * completed before 1.7 D.
 */
static bool quick(const struct result *r, bool together, int n)
{
	unsigned d = test_delay_ms();

	diag("attempt %d: submit %.1f ms, completion %s, last after %.1f ms (device latency %u ms)",
	     n + 1, r->t_sub / 1000.0, r->early ? "already there when submit returned" :
	     "arrived after submit returned", r->t_done / 1000.0, d);
	if (!timed_run())
		return true;
	if (r->t_done < (int64_t)d * 900)
		fail("the last completion came %.1f ms after the submission, faster than the "
		     "device latency %u ms: the test device is not what the test assumes",
		     r->t_done / 1000.0, d);
	if (together && r->t_done > (int64_t)d * 1700)
		return false;
	return !r->early && r->t_sub < (int64_t)d * 700;
}

static void three_tries(bool (*attempt)(enum api, int), enum api api, bool together)
{
	int n;

	for (n = 0; n < 3; n++)
		if (attempt(api, n))
			break;
	if (n == 3)
		fail("in 3 attempts %s (device latency %u ms)",
		     together ? "the requests were never all in flight together, or the "
				"submission waited for them" :
				"the submission never returned before the I/O completed",
		     test_delay_ms());
	if (!timed_run())
		case_skip("device latency %u ms is too short to judge timing; data checked",
			  test_delay_ms());
	else
		case_ok();
}

/* ---- zonefs ---- */

static const char *seq0(void) { return test_path("seq/0"); }

static int open_seq_empty(void)
{
	int fd = xopen(seq0(), O_RDWR | O_DIRECT);

	if (ftruncate(fd, 0))		/* zone reset */
		fail_errno("ftruncate %s to 0 (zone reset)", seq0());
	return fd;
}

static void check_seq(int fd, uint64_t size, unsigned gen)
{
	unsigned char *buf = xalloc_aligned(size ? size : FSBLOCK);
	struct stat st;

	if (fstat(fd, &st))
		fail_errno("fstat %s", seq0());
	if ((uint64_t)st.st_size != size)
		fail("%s: size %lld after the appends, expected %llu", seq0(),
		     (long long)st.st_size, (unsigned long long)size);
	if (size && pread(fd, buf, size, 0) != (ssize_t)size)
		fail_errno("O_DIRECT read of %s", seq0());
	check_pattern(buf, 0, size, gen);
	free(buf);
}

static bool seq_append(enum api api, int n)
{
	unsigned char *buf = xalloc_aligned(QD * IOSZ);
	int fd = open_seq_empty();
	struct result r;
	bool ok;

	fill_pat(buf, 0, QD * IOSZ, 2 + n);
	r = submit_all(api, fd, true, buf, 0, QD);
	/* io_uring: io-wq submits, so the submission cannot tell anything */
	ok = quick(&r, false, n) || api == API_URING;
	diag("%u appends to one sequential zone: the last completed %.1f D after the "
	     "submission", QD, r.t_done / 1000.0 / (test_delay_ms() ? test_delay_ms() : 1));
	check_seq(fd, QD * IOSZ, 2 + n);
	close(fd);
	free(buf);
	return ok;
}

static bool cnv_overwrite(enum api api, int n)
{
	const char *path = test_path("cnv/0");
	unsigned char *buf = xalloc_aligned(QD * IOSZ);
	int fd = xopen(path, O_RDWR | O_DIRECT);
	struct result r;
	bool ok;

	fill_pat(buf, 0, QD * IOSZ, 2 + n);
	r = submit_all(api, fd, true, buf, 0, QD);
	ok = quick(&r, true, n);
	memset(buf, 0, QD * IOSZ);
	if (pread(fd, buf, QD * IOSZ, 0) != QD * IOSZ)
		fail_errno("O_DIRECT read of %s", path);
	check_pattern(buf, 0, QD * IOSZ, 2 + n);
	close(fd);
	free(buf);
	return ok;
}

static void seq_truncate(void)
{
	unsigned d = test_delay_ms();
	unsigned char *buf;
	struct aq_ev ev[2];
	struct aq q;
	int64_t t0, t_tr;
	int fd, s, got;

	if (!case_begin("seq_truncate", 30 + 30 * d / 100))
		return;
	buf = xalloc_aligned(2 * IOSZ);
	fd = open_seq_empty();
	fill_pat(buf, 0, 2 * IOSZ, 5);
	aq_init(&q, API_LIBAIO, QD);
	t0 = now_us();
	aq_queue(&q, fd, true, buf, IOSZ, 0, 1, 0);
	aq_queue(&q, fd, true, buf + IOSZ, IOSZ, IOSZ, 2, 0);
	s = aq_flush(&q);
	if (s != 2)
		fail("submitting two appends: %s", s < 0 ? strerror(-s) : "short");
	if (ftruncate(fd, 0))
		fail_errno("ftruncate %s to 0 with appends in flight", seq0());
	t_tr = now_us() - t0;
	got = aq_reap(&q, 0, 2, ev, 0);
	diag("truncate returned %.1f ms after the appends were submitted, with %d of 2 "
	     "completions posted (device latency %u ms)", t_tr / 1000.0, got, d);
	if (got < 2)
		got += aq_reap(&q, 2 - got, 2 - got, ev + got, -1);
	for (int i = 0; i < 2; i++)
		if (ev[i].res != IOSZ)
			fail("append %llu completed with %ld", (unsigned long long)ev[i].tag,
			     ev[i].res);
	aq_exit(&q);
	if (timed_run() && t_tr < (int64_t)d * 1900)
		fail("the truncate returned %.1f ms after the two appends were submitted, "
		     "sooner than twice the device latency %u ms (the appends complete one "
		     "after the other): it did not wait for them (inode_dio_wait())",
		     t_tr / 1000.0, d);
	check_seq(fd, 0, 0);
	/* the write pointer is back at 0: an append there works */
	if (pwrite(fd, buf, IOSZ, 0) != IOSZ)
		fail_errno("append at 0 after the truncate");
	check_seq(fd, IOSZ, 5);
	if (ftruncate(fd, 0))
		fail_errno("ftruncate %s to 0", seq0());
	close(fd);
	free(buf);
	if (timed_run())
		case_ok();
	else
		case_skip("device latency %u ms is too short to judge timing; data checked", d);
}

/* ---- erofs ---- */

static bool erofs_read(enum api api, int n)
{
	unsigned char *buf = xalloc_aligned(QD * IOSZ);
	int fd = xopen(test_path("f"), O_RDONLY | O_DIRECT);
	uint64_t off = (uint64_t)(n % 3) * QD * IOSZ;	/* not cached by the last try */
	struct result r;
	bool ok;

	r = submit_all(api, fd, false, buf, off, QD);
	ok = quick(&r, true, n);
	check_pattern(buf, off, QD * IOSZ, 1);
	close(fd);
	free(buf);
	return ok;
}

/* TEST_PREPARE=1: write the file that mkfs.erofs packs into TEST_DIR. */
static void prepare_erofs(void)
{
	unsigned char *buf = xalloc_aligned(EROFS_FSIZE);
	int fd = open(test_path("f"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		perror(test_path("f"));
		exit(1);
	}
	fill_pat(buf, 0, EROFS_FSIZE, 1);
	if (write(fd, buf, EROFS_FSIZE) != EROFS_FSIZE || close(fd)) {
		perror(test_path("f"));
		exit(1);
	}
	free(buf);
}

static void run(const char *name, bool (*attempt)(enum api, int), enum api api,
		bool together)
{
	if (!case_begin(name, 30 + 60 * test_delay_ms() / 100))
		return;
	three_tries(attempt, api, together);
}

int main(void)
{
	const char *prep = getenv("TEST_PREPARE");

	if (prep && strcmp(prep, "1") == 0) {
		prepare_erofs();
		return 0;
	}
	tap_init("other_fs");
	if (fs_is("zonefs")) {
		run("seq_append-libaio", seq_append, API_LIBAIO, false);
		run("seq_append-uring", seq_append, API_URING, false);
		run("cnv_overwrite-libaio", cnv_overwrite, API_LIBAIO, true);
		seq_truncate();
	} else if (fs_is("erofs")) {
		run("read-libaio", erofs_read, API_LIBAIO, true);
		run("read-uring", erofs_read, API_URING, true);
	}
	return 0;
}
