// SPDX-License-Identifier: GPL-2.0
/*
 * subblock_async: the behaviour the series changes on purpose.
 *
 * A 512-byte O_DIRECT async write (smaller than the 4 KiB block) into a
 * hole, into an unwritten extent or past EOF.  On 6.12 XFS and ext4 take
 * i_rwsem exclusively, drain in-flight DIO and force the write synchronous
 * (IOMAP_DIO_FORCE_WAIT), so io_submit() blocks for the whole device
 * latency and the completion is already there when it returns.  With the
 * series (AIOLOCK_FEATURE_DIO_LOCK=1) the lock is held until completion
 * instead, so io_submit() returns at once and the completion arrives one
 * device latency later; except on PREEMPT_RT, where a write lock cannot be
 * disowned and the series waits as 6.12 does
 * (AIOLOCK_FEATURE_DIO_LOCK_EXCL=0).  A sub-block overwrite of written data
 * is async on both (control case), and io_uring never blocks its submitter
 * (it punts the write to a worker on 6.12, and on PREEMPT_RT).  Every case
 * checks the file contents.
 *
 * ext2 differs: it has no unwritten extents (no fallocate(): that case is
 * skipped), writes holes inside EOF through the page cache and waits for
 * their write-back on both kernels, and on 6.12 forces every unaligned
 * direct write synchronous, overwrites too; with the series a sub-block
 * overwrite runs under the shared lock there as well.
 *
 * Timing is judged against the null_blk completion delay D (TEST_DELAY_MS):
 * a request cannot complete before D after dispatch (hrtimer), so
 * "submit took >= 0.9 D" proves it waited; "< 0.7 D" with the completion
 * not yet posted counts as returning at once (the submission itself may
 * do some metadata work on a slow debug kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

enum where { W_HOLE, W_UNWRITTEN, W_PAST_EOF, W_OVERWRITE };
static const char *where_name[] = { "hole", "unwritten", "past_eof", "overwrite" };

static void run_case(enum api api, enum where w)
{
	char name[64];
	const char *path = test_path("subblock_async.f");
	unsigned d = test_delay_ms();
	struct model m;
	struct aq q;
	struct aq_ev ev;
	uint64_t off = 0;
	int64_t t0, t_sub, t_done;
	void *buf = xalloc_aligned(SECTOR);
	int fd, r, early;
	bool expect_sync;

	snprintf(name, sizeof(name), "%s-%s", where_name[w], api_name(api));
	if (!case_begin(name, 30 + 10 * d / 100))
		return;
	if (w == W_UNWRITTEN && !fs_has_fallocate()) {
		case_skip("no fallocate() or unwritten extents on %s", tap_fs);
		free(buf);
		return;
	}
	model_init(&m, 1 * MiB);
	fd = create_direct(path);
	dio_pwrite_gen(fd, &m, 0, 64 * KiB, 1);
	dio_pwrite_gen(fd, &m, 128 * KiB, 64 * KiB, 1);   /* hole at 64K..128K */
	if (!fs_has_fallocate()) {                         /* hole 192K..256K */
		if (ftruncate(fd, 256 * KiB))
			fail_errno("ftruncate");
	} else if (fallocate(fd, 0, 192 * KiB, 64 * KiB)) { /* unwritten */
		fail_errno("fallocate");
	}
	model_truncate(&m, 256 * KiB);
	switch (w) {
	case W_HOLE: off = 80 * KiB + 512; break;
	case W_UNWRITTEN: off = 200 * KiB + 1024; break;
	case W_PAST_EOF: off = 256 * KiB + 4096 + 1536; break;
	case W_OVERWRITE: off = 8 * KiB + 2560; break;
	}
	fill_pat(buf, off, SECTOR, 7);
	model_write(&m, off, SECTOR, 7);

	aq_init(&q, api, 8);
	t0 = now_us();
	r = aq_submit(&q, fd, true, buf, SECTOR, off, 1, 0);
	t_sub = now_us() - t0;
	if (r < 0)
		fail("submit of a 512-byte write at %llu: %s", (unsigned long long)off, strerror(-r));
	early = aq_reap(&q, 0, 1, &ev, 0);
	if (!early)
		aq_reap(&q, 1, 1, &ev, -1);
	t_done = now_us() - t0;
	if (ev.res != SECTOR)
		fail("write completed with %ld, expected %d", ev.res, SECTOR);
	diag("%s: submit %.1f ms, completion %s submit returned, after %.1f ms",
	     name, t_sub / 1000.0, early ? "already there when" : "arrived after",
	     t_done / 1000.0);
	if (!timing_checks())
		goto data;
	if (t_done < (int64_t)d * 900)
		fail("completion after %.1f ms, faster than the device latency %u ms: "
		     "the test device is not what the test assumes", t_done / 1000.0, d);

	if (api != API_LIBAIO)
		expect_sync = false;
	else if (fs_is_ext2() && w == W_HOLE)
		expect_sync = true;	/* buffered fallback, on both kernels */
	else if (fs_is_ext2() && w == W_OVERWRITE)
		expect_sync = !feature_dio_lock();
	else
		expect_sync = w != W_OVERWRITE && !feature_dio_lock_exclusive();
	if (expect_sync) {
		if (t_sub < (int64_t)d * 900 || !early)
			fail("%s waits for this sub-block write, "
			     "but io_submit returned after %.1f ms (device latency %u ms) with the "
			     "completion %s%s",
			     fs_is_ext2() && w == W_HOLE ?
			     "ext2's buffered fallback for holes" :
			     "6.12 (and the series on PREEMPT_RT)",
			     t_sub / 1000.0, d, early ? "present" : "still pending",
			     fs_is_ext2() && w == W_HOLE ? "" :
			     " (AIOLOCK_FEATURE_DIO_LOCK=1 expects it asynchronous)");
	} else {
		if (t_sub > (int64_t)d * 700 || early)
			fail("submission should return at once%s, but it took %.1f ms "
			     "(device latency %u ms) and the completion was %s",
			     api == API_URING ? " (io_uring)" : w == W_OVERWRITE ?
			     " (sub-block overwrite runs under the shared lock)" :
			     " (AIOLOCK_FEATURE_DIO_LOCK=1: lock held until completion, not a synchronous wait)",
			     t_sub / 1000.0, d, early ? "already there" : "pending");
	}
data:
	aq_exit(&q);
	close(fd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(buf);
	if (timing_checks())
		case_ok();
	else
		case_skip("%s", no_timing_why());
}

int main(void)
{
	tap_init("subblock_async");
	if (test_delay_ms() < 20)
		diag("warning: device latency %u ms is too short to judge timing", test_delay_ms());
	for (int a = API_LIBAIO; a <= API_URING; a++)
		for (int w = W_HOLE; w <= W_OVERWRITE; w++)
			run_case((enum api)a, (enum where)w);
	return 0;
}
