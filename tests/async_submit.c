// SPDX-License-Identifier: GPL-2.0
/*
 * async_submit: asynchronous direct I/O under the shared i_rwsem stays
 * asynchronous, on every kernel and runtime.
 *
 * A 4 KiB O_DIRECT read, overwrite of written data, or block-aligned write
 * into a hole inside EOF, or four overwrites of different blocks of the
 * file submitted together (overwrite_qd4: they must all be in flight at
 * once, so the last completes well before two device latencies; a kernel
 * that held i_rwsem exclusively for each until it completed would queue
 * them one behind the other), submitted through libaio or io_uring, with
 * and without RWF_NOWAIT for the read (a write with RWF_NOWAIT may fail with
 * -EAGAIN on any kernel, when it has to update the file times).
 * None of these needs i_rwsem exclusively, on 6.12 or with the series: the
 * submission must return at once, with the completion still pending, and
 * the completion must arrive about one device latency later.  With the
 * series the shared lock is given to the I/O, also on PREEMPT_RT
 * (read locks have no owner there); a series that waited for the I/O
 * instead (as it did on PREEMPT_RT before read disown existed) would turn
 * aio and io_uring into synchronous I/O and make RWF_NOWAIT submissions
 * sleep for the device latency: every case here fails then.
 * ext2 has no RWF_NOWAIT, and writes holes through the page cache
 * (synchronously for libaio; io_uring hands every ext2 request to a worker).
 *
 * Timing is judged against the null_blk completion delay D (TEST_DELAY_MS):
 * a submission that returns after less than 0.7 D with the completion not
 * yet posted returned at once.  One that waited for the I/O finds the
 * completion already posted when it returns, every time; a guest that
 * stalls during submission may too, once, so a case tries three times
 * before it fails.  Every attempt checks the file contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define IOSZ (4 * KiB)

enum op { OP_READ, OP_OVERWRITE, OP_FILL_HOLE, OP_OVERWRITE_QD4 };
static const char *op_name[] = { "read", "overwrite", "fill_hole", "overwrite_qd4" };
#define QD 4

/* One attempt; returns true if the submission returned at once. */
static bool attempt(enum api api, enum op op, bool nowait, int n)
{
	const char *path = test_path("async_submit.f");
	unsigned d = test_delay_ms();
	struct model m;
	struct aq q;
	struct aq_ev ev;
	uint64_t off = op == OP_FILL_HOLE ? 96 * KiB : 16 * KiB;
	int64_t t0, t_sub, t_done;
	unsigned nio = op == OP_OVERWRITE_QD4 ? QD : 1;
	unsigned char *buf = xalloc_aligned(QD * IOSZ);
	bool write = op != OP_READ, quick;
	int fd, r, early;
	unsigned i;

	model_init(&m, 256 * KiB);
	fd = create_direct(path);
	dio_pwrite_gen(fd, &m, 0, 64 * KiB, 1);
	dio_pwrite_gen(fd, &m, 128 * KiB, 64 * KiB, 1);   /* hole at 64K..128K */
	/* overwrite_qd4: blocks 0, 16K, 32K, 48K */
	if (nio > 1)
		off = 0;
	for (i = 0; write && i < nio; i++) {
		fill_pat(buf + i * IOSZ, off + i * 16 * KiB, IOSZ, 2 + n);
		model_write(&m, off + i * 16 * KiB, IOSZ, 2 + n);
	}

	aq_init(&q, api, 4);
	t0 = now_us();
	if (nio == 1) {
		r = aq_submit(&q, fd, write, buf, IOSZ, off, 1, nowait ? RWF_NOWAIT : 0);
	} else {
		for (i = 0; i < nio; i++)
			aq_queue(&q, fd, write, buf + i * IOSZ, IOSZ, off + i * 16 * KiB,
				 i + 1, 0);
		r = aq_flush(&q);
		if (r >= 0 && r != (int)nio)
			fail("submitted %d of %u writes", r, nio);
	}
	t_sub = now_us() - t0;
	if (r < 0)
		fail("submit of a %s at %llu: %s", op_name[op],
		     (unsigned long long)off, strerror(-r));
	early = aq_reap(&q, 0, 1, &ev, 0);
	if (!early)
		aq_reap(&q, 1, 1, &ev, -1);
	for (i = 1; i < nio; i++) {
		if (ev.res != IOSZ)
			break;
		aq_reap(&q, 1, 1, &ev, -1);
	}
	t_done = now_us() - t0;
	if (ev.res != IOSZ)
		fail("%s completed with %ld (%s), expected %ld", op_name[op], ev.res,
		     ev.res < 0 ? strerror((int)-ev.res) : "short", IOSZ);
	if (!write) {
		uint64_t o;

		for (o = 0; o < IOSZ; o++)
			if (((unsigned char *)buf)[o] != pat(1, off + o))
				fail("read returned wrong data at %llu",
				     (unsigned long long)(off + o));
	}
	diag("attempt %d: submit %.1f ms, completion %s submit returned, after %.1f ms "
	     "(device latency %u ms)", n + 1, t_sub / 1000.0,
	     early ? "already there when" : "arrived after", t_done / 1000.0, d);
	if (timing_checks() && t_done < (int64_t)d * 900)
		fail("completion after %.1f ms, faster than the device latency %u ms: "
		     "the test device is not what the test assumes", t_done / 1000.0, d);
	quick = !early && t_sub < (int64_t)d * 700;
	if (nio > 1 && t_done > (int64_t)d * 1700) {
		diag("attempt %d: the last of %u writes completed %.1f ms after the "
		     "submission (device latency %u ms): they were not in flight together",
		     n + 1, nio, t_done / 1000.0, d);
		quick = false;
	}

	aq_exit(&q);
	close(fd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(buf);
	return quick;
}

static void run_case(enum api api, enum op op, bool nowait)
{
	char name[64];
	unsigned d = test_delay_ms();
	int n;

	snprintf(name, sizeof(name), "%s-%s%s", op_name[op], api_name(api),
		 nowait ? "-nowait" : "");
	if (!case_begin(name, 30 + 30 * d / 100))
		return;
	if (nowait && !fs_has_nowait()) {
		case_skip("no RWF_NOWAIT on %s (-EOPNOTSUPP)", tap_fs);
		return;
	}
	if (op == OP_FILL_HOLE && api == API_LIBAIO && fs_is_ext2()) {
		case_skip("ext2 writes holes inside EOF through the page cache and waits "
			  "for their write-back (buffered fallback), on every kernel");
		return;
	}
	for (n = 0; n < 3; n++)
		if (attempt(api, op, nowait, n) || !timing_checks())
			break;
	if (!timing_checks()) {
		case_skip("%s", no_timing_why());
		return;
	}
	if (n == 3 && op == OP_OVERWRITE_QD4)
		fail("in 3 attempts the %d overwrites were never in flight together "
		     "(device latency %u ms): they were queued behind each other, or "
		     "waited for at submission", QD, d);
	if (n == 3)
		fail("in 3 attempts the submission never returned before the I/O completed "
		     "(device latency %u ms): this async %s%s was waited for, as if it "
		     "was synchronous", d, op_name[op], nowait ? " with RWF_NOWAIT" : "");
	case_ok();
}

int main(void)
{
	tap_init("async_submit");
	if (test_delay_ms() < 20)
		diag("warning: device latency %u ms is too short to judge timing", test_delay_ms());
	for (int a = API_LIBAIO; a <= API_URING; a++)
		for (int o = OP_READ; o <= OP_OVERWRITE_QD4; o++)
			for (int nw = 0; nw <= 1; nw++)
				if (!nw || o == OP_READ)
					run_case((enum api)a, (enum op)o, nw);
	return 0;
}
