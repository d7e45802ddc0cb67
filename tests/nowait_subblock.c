// SPDX-License-Identifier: GPL-2.0
/*
 * nowait_subblock: sub-block direct writes that need i_rwsem exclusively,
 * issued with RWF_NOWAIT (io_uring issues every request that way first,
 * and hands it to a worker on -EAGAIN).  A NOWAIT write must never sleep
 * on the lock or on an allocation; with the series, XFS issues the ones
 * that need neither (the lock is free, the blocks are there) at once,
 * where 6.12 refuses them all.
 *
 *   append-uring, append-pwritev2
 *       512 bytes at EOF, inside the block that holds EOF (allocated),
 *       nothing in flight.  XFS with the series: issued, asynchronously
 *       for io_uring (the submission returns before the completion, which
 *       comes a device latency D later).  6.12, ext4, and PREEMPT_RT
 *       (where the exclusive lock would have to be waited for at
 *       completion): -EAGAIN.
 *   unwritten-uring, unwritten-pwritev2
 *       512 bytes into a fallocated (unwritten) block below EOF: the same
 *       expectations.
 *   overwrite-uring, overwrite-pwritev2
 *       512 bytes into a written block below EOF, nothing in flight: a
 *       shared-lock overwrite, issued on every kernel (the control of the
 *       busy cases).
 *   busy-uring, busy-pwritev2
 *       the same overwrite while an earlier sub-block append to the file is
 *       in flight (it holds i_rwsem exclusively on every kernel, on 6.12 in
 *       the io_uring worker that waits for it): -EAGAIN, in less than D/2,
 *       on every kernel.  Needs a device latency to keep the append in
 *       flight: skipped without timing checks.
 *   alloc-uring, alloc-pwritev2
 *       512 bytes at EOF = a block boundary, so the write needs a new
 *       block (FIEMAP shows none there): -EAGAIN, in less than D/2, on
 *       every kernel.
 * Every case checks the file contents and size afterwards: a write that
 * got -EAGAIN left no trace.
 *
 * A NOWAIT write also gets -EAGAIN when it has to update the file times;
 * each attempt (but the busy ones, where that would wait for the earlier
 * append) sets them to the current time just before, and a case that
 * expects the write to be issued tries up to ATTEMPTS times (a clock tick
 * may pass in between).  ext2 has no RWF_NOWAIT (-EOPNOTSUPP): skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define SUB 512
#define ATTEMPTS 20

enum kind { K_APPEND, K_UNWRITTEN, K_OVERWRITE, K_BUSY, K_ALLOC };
static const char *kind_name[] = { "append", "unwritten", "overwrite", "busy", "alloc" };

/* Is a NOWAIT write of this kind issued? */
static bool issued_expected(enum kind k)
{
	if (k == K_OVERWRITE)
		return true;
	return (k == K_APPEND || k == K_UNWRITTEN) && fs_is_xfs() &&
	       feature_dio_lock_exclusive();
}

static int64_t file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		fail_errno("fstat");
	return st.st_size;
}

/*
 * One NOWAIT write of buf at off.  Returns its result (bytes or -errno);
 * *t_sub: how long the call (pwritev2, or the io_uring submission) took;
 * *pending: io_uring only, the completion was not there when the
 * submission returned; *t_done: time to the completion.
 */
static long nowait_write(struct aq *uq, int fd, void *buf, uint64_t off,
			 int64_t *t_sub, bool *pending, int64_t *t_done)
{
	struct iovec iov = { buf, SUB };
	struct aq_ev ev;
	int64_t t0;
	long r;

	*pending = false;
	t0 = now_us();
	if (!uq) {
		r = pwritev2(fd, &iov, 1, off, RWF_NOWAIT);
		*t_sub = *t_done = now_us() - t0;
		return r < 0 ? -errno : r;
	}
	r = aq_submit(uq, fd, true, buf, SUB, off, 7, RWF_NOWAIT);
	*t_sub = now_us() - t0;
	if (r < 0)
		fail("io_uring submit: %s", strerror((int)-r));
	if (aq_reap(uq, 0, 1, &ev, 0) == 0) {
		*pending = true;
		aq_reap(uq, 1, 1, &ev, -1);
	}
	*t_done = now_us() - t0;
	return ev.res;
}

static void run_case(enum kind k, bool sync)
{
	const char *path = test_path("nowait_subblock.f");
	unsigned d = test_delay_ms();
	unsigned char *buf = xalloc_aligned(4 * KiB), *bbuf = xalloc_aligned(4 * KiB);
	bool expect = issued_expected(k), pending = false, issued = false;
	int64_t t_sub = 0, t_done = 0, size;
	uint64_t off = 0;
	struct aq uq, q;
	struct model m;
	char name[64];
	int fd, n, tries = 0;
	long r = 0;

	snprintf(name, sizeof(name), "%s-%s", kind_name[k], sync ? "pwritev2" : "uring");
	if (!case_begin(name, 30 + ATTEMPTS * d / 50)) {
		free(buf);
		free(bbuf);
		return;
	}
	if (!fs_has_nowait()) {
		case_skip("no RWF_NOWAIT on %s (-EOPNOTSUPP)", tap_fs);
		free(buf);
		free(bbuf);
		return;
	}
	if (k == K_UNWRITTEN && !fs_has_fallocate()) {
		case_skip("no fallocate() on %s", tap_fs);
		free(buf);
		free(bbuf);
		return;
	}
	if (k == K_BUSY && !timing_checks()) {
		case_skip("needs a device latency of at least 20 ms to keep the earlier "
			  "append in flight (TEST_DELAY_MS=%u)", d);
		free(buf);
		free(bbuf);
		return;
	}
	model_init(&m, 64 * KiB);
	fd = create_direct(path);
	aq_init(&uq, API_URING, 4);

	switch (k) {
	case K_APPEND:
		/* EOF at 512 inside block 0, which is allocated */
		dio_pwrite_gen(fd, &m, 0, SUB, 1);
		off = SUB;
		break;
	case K_OVERWRITE:
	case K_BUSY:
		/* 16 KiB written, EOF at 16 KiB; inside the second block */
		dio_pwrite_gen(fd, &m, 0, 16 * KiB, 1);
		off = 4 * KiB + SUB;
		break;
	case K_UNWRITTEN:
		/* 16 KiB written, 16 KiB..32 KiB unwritten, EOF at 32 KiB */
		dio_pwrite_gen(fd, &m, 0, 16 * KiB, 1);
		if (fallocate(fd, 0, 16 * KiB, 16 * KiB))
			fail_errno("fallocate");
		model_truncate(&m, 32 * KiB);
		off = 20 * KiB + SUB;
		break;
	case K_ALLOC:
		/* EOF at the end of block 0: the next byte needs block 1 */
		dio_pwrite_gen(fd, &m, 0, 4 * KiB, 1);
		off = 4 * KiB;
		/* no preallocation beyond EOF, or the case proves nothing */
		if (file_phys(fd, off) >= 0)
			fail("setup: file offset %llu already has a block: this write "
			     "would not need an allocation", (unsigned long long)off);
		break;
	}

	if (k == K_BUSY) {
		/*
		 * An earlier sub-block append in flight: it holds i_rwsem
		 * exclusively (or an io_uring worker does, waiting for it, on
		 * 6.12).
		 */
		wait_idle();
		aq_init(&q, API_URING, 2);
		fill_pat(bbuf, 16 * KiB, SUB, 2);
		if (aq_submit(&q, fd, true, bbuf, SUB, 16 * KiB, 1, 0))
			fail("submit the earlier append");
		wait_inflight(1);
	}

	fill_pat(buf, off, SUB, 3);
	for (n = 0; n < (expect ? ATTEMPTS : 3); n++) {
		/*
		 * Not in the busy case: futimens() takes i_rwsem and would
		 * wait for the earlier append to complete.
		 */
		if (k != K_BUSY && futimens(fd, NULL))
			fail_errno("futimens");
		r = nowait_write(sync ? NULL : &uq, fd, buf, off, &t_sub, &pending,
				 &t_done);
		tries++;
		if (r != -EAGAIN)
			break;
		if (timing_checks() && t_sub > (int64_t)d * 500)
			fail("RWF_NOWAIT write returned -EAGAIN only after %.1f ms "
			     "(device latency %u ms): it slept", t_sub / 1000.0, d);
		if (k == K_BUSY)
			break;
	}
	issued = r == SUB;
	diag("%s: %d attempt(s), last returned %ld, call %.1f ms, completion after "
	     "%.1f ms%s (device latency %u ms)", name, tries, r,
	     t_sub / 1000.0, t_done / 1000.0, sync ? "" : pending ? ", pending at return" :
	     ", already there at return", d);
	if (r != SUB && r != -EAGAIN)
		fail("RWF_NOWAIT write returned %ld (%s)", r, r < 0 ? strerror((int)-r) : "short");
	if (k == K_BUSY) {
		struct aq_ev ev;

		aq_reap(&q, 1, 1, &ev, -1);
		if (ev.res != SUB)
			fail("the earlier append completed with %ld", ev.res);
		model_write(&m, 16 * KiB, SUB, 2);
		aq_exit(&q);
	}
	if (issued)
		model_write(&m, off, SUB, 3);
	size = file_size(fd);
	aq_exit(&uq);
	close(fd);
	check_file(path, &m, true, "file");
	if (size != (int64_t)m.size)
		fail("file size %lld, expected %llu", (long long)size,
		     (unsigned long long)m.size);
	model_free(&m);
	free(buf);
	free(bbuf);

	if (expect && !issued)
		fail("-EAGAIN in %d attempts: this NOWAIT write, which needs neither a "
		     "busy lock nor an allocation, was refused", ATTEMPTS);
	if (!expect && issued)
		fail("the RWF_NOWAIT %s write was issued, expected -EAGAIN", kind_name[k]);
	if (issued && !sync && timing_checks() && (!pending || t_sub > (int64_t)d * 700))
		fail("the NOWAIT submission took %.1f ms and the completion %s there when "
		     "it returned (device latency %u ms): it waited for the I/O", t_sub / 1000.0,
		     pending ? "was not" : "was already", d);
	case_ok();
}

int main(void)
{
	tap_init("nowait_subblock");
	if (test_delay_ms() < 20)
		diag("warning: device latency %u ms is too short to judge timing", test_delay_ms());
	for (int k = K_APPEND; k <= K_ALLOC; k++)
		for (int s = 0; s <= 1; s++)
			run_case((enum kind)k, s);
	return 0;
}
