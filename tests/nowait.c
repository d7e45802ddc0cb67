// SPDX-License-Identifier: GPL-2.0
/*
 * nowait: RWF_NOWAIT and io_uring must not sleep on a busy i_rwsem.
 *
 * The lock is made busy deterministically on both kernels: an async
 * O_DIRECT overwrite is put in flight (device latency D), then a second
 * thread calls fallocate() (ftruncate() up on ext2, which has no
 * fallocate()), which takes i_rwsem exclusively and waits for
 * the in-flight DIO (inode_dio_wait() on 6.12; with the series it waits
 * for the lock that the I/O holds until completion).  For about D the
 * lock is held or waited for exclusively, so a shared trylock fails.
 *
 *   pread_nowait / pwrite_nowait   preadv2/pwritev2(RWF_NOWAIT) on an
 *                                  O_DIRECT fd: -EAGAIN, quickly (< D/2)
 *   uring_read_nowait / uring_write_nowait
 *                                  io_uring with RWF_NOWAIT in the SQE:
 *                                  CQE res -EAGAIN, quickly
 *   uring_read_punt / uring_write_punt
 *                                  io_uring without RWF_NOWAIT: the submit
 *                                  call returns quickly (the request goes
 *                                  to a worker), the CQE arrives later
 *                                  with success
 * After each -EAGAIN the same request without RWF_NOWAIT succeeds, and
 * the file matches the model.
 *
 * If the attempt happens to find the lock free (the helper thread has not
 * taken it yet) it is retried until the lock is busy; the case fails if
 * no attempt saw -EAGAIN before the helper finished.
 *
 * ext2 has no RWF_NOWAIT (-EOPNOTSUPP): only the io_uring punt cases run
 * there (io_uring hands every ext2 request to a worker).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define FSIZE (256 * KiB)
#define PROBE_OFF (8 * KiB)
#define PROBE_LEN (4 * KiB)
#define BLOCKER_SIZE (1 * MiB)

static atomic_int blk_started, blk_done;

static void *blocker(void *arg)
{
	int fd = *(int *)arg;

	blk_started = 1;
	if (!fs_has_fallocate()) {
		/* ext2: truncate up waits the same way (inode_dio_wait()) */
		if (ftruncate(fd, BLOCKER_SIZE))
			fail_errno("ftruncate in the helper thread");
	} else if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 * MiB, 4 * KiB)) {
		fail_errno("fallocate in the helper thread");
	}
	blk_done = 1;
	return NULL;
}

enum kind { K_PREAD, K_PWRITE, K_URING_READ, K_URING_WRITE, K_URING_READ_PUNT,
	    K_URING_WRITE_PUNT };
static const char *kind_name[] = { "pread_nowait", "pwrite_nowait", "uring_read_nowait",
				   "uring_write_nowait", "uring_read_punt", "uring_write_punt" };

static bool is_write(enum kind k)
{
	return k == K_PWRITE || k == K_URING_WRITE || k == K_URING_WRITE_PUNT;
}

/* one attempt; returns bytes or -errno; *t_us: time the call blocked */
static long attempt(enum kind k, struct aq *uq, int fd, void *buf, bool nowait, int64_t *t_us)
{
	struct iovec iov = { buf, PROBE_LEN };
	struct aq_ev ev;
	int64_t t0 = now_us();
	long r;

	if (k == K_PREAD || k == K_PWRITE) {
		if (k == K_PREAD)
			r = preadv2(fd, &iov, 1, PROBE_OFF, nowait ? RWF_NOWAIT : 0);
		else
			r = pwritev2(fd, &iov, 1, PROBE_OFF, nowait ? RWF_NOWAIT : 0);
		*t_us = now_us() - t0;
		return r < 0 ? -errno : r;
	}
	r = aq_submit(uq, fd, is_write(k), buf, PROBE_LEN, PROBE_OFF, 9,
		      nowait ? RWF_NOWAIT : 0);
	*t_us = now_us() - t0;
	if (r < 0)
		fail("io_uring submit: %s", strerror((int)-r));
	aq_reap(uq, 1, 1, &ev, -1);
	if (!nowait)
		return ev.res;
	*t_us = now_us() - t0;
	return ev.res;
}

static void run_case(enum kind k)
{
	const char *path = test_path("nowait.f");
	unsigned d = test_delay_ms();
	unsigned char *wbuf = xalloc_aligned(64 * KiB), *pbuf = xalloc_aligned(PROBE_LEN);
	bool punt = k == K_URING_READ_PUNT || k == K_URING_WRITE_PUNT;
	struct model m;
	struct aq q, uq;
	struct aq_ev ev;
	pthread_t th;
	int fd, tries = 0;
	bool eagain = false;
	int64_t t = 0;
	long r;

	if (!case_begin(kind_name[k], 60))
		return;
	if (!punt && !fs_has_nowait()) {
		case_skip("no RWF_NOWAIT on %s (-EOPNOTSUPP)", tap_fs);
		free(wbuf);
		free(pbuf);
		return;
	}
	model_init(&m, 2 * MiB);
	fd = create_direct(path);
	dio_pwrite_gen(fd, &m, 0, FSIZE, 1);
	aq_init(&q, API_LIBAIO, 4);
	aq_init(&uq, API_URING, 4);
	if (is_write(k))
		fill_pat(pbuf, PROBE_OFF, PROBE_LEN, 3);

	blk_started = blk_done = 0;
	fill_pat(wbuf, 128 * KiB, 64 * KiB, 2);
	if (aq_submit(&q, fd, true, wbuf, 64 * KiB, 128 * KiB, 1, 0))
		fail("submit the in-flight write");
	model_write(&m, 128 * KiB, 64 * KiB, 2);
	wait_inflight(1);
	if (pthread_create(&th, NULL, blocker, &fd))
		fail("pthread_create");
	while (!blk_started)
		usleep(100);
	usleep(10000);    /* let the helper reach the lock */

	if (punt) {
		struct aq_ev pev;
		int64_t t0 = now_us();

		r = aq_submit(&uq, fd, is_write(k), pbuf, PROBE_LEN, PROBE_OFF, 9, 0);
		t = now_us();
		if (r < 0)
			fail("io_uring submit: %s", strerror((int)-r));
		if (timing_checks() && t - t0 > (int64_t)d * 500)
			fail("io_uring_submit() blocked for %.1f ms (device latency %u ms) "
			     "on a busy file instead of handing the request to a worker",
			     (t - t0) / 1000.0, d);
		if (aq_reap(&uq, 0, 1, &pev, 0) == 1)
			diag("note: the request completed inline (%ld)", pev.res);
		else
			aq_reap(&uq, 1, 1, &pev, -1);
		if (pev.res != PROBE_LEN)
			fail("io_uring %s without RWF_NOWAIT completed with %ld",
			     is_write(k) ? "write" : "read", pev.res);
		diag("%s: CQE after %.1f ms", kind_name[k], (now_us() - t) / 1000.0);
		eagain = true;
	}
	while (!punt && !eagain) {
		r = attempt(k, &uq, fd, pbuf, true, &t);
		tries++;
		if (r == -EAGAIN) {
			eagain = true;
			if (timing_checks() && t > (int64_t)d * 500)
				fail("RWF_NOWAIT %s returned -EAGAIN only after %.1f ms "
				     "(device latency %u ms): it slept on the lock", kind_name[k],
				     t / 1000.0, d);
			break;
		}
		if (r != PROBE_LEN)
			fail("RWF_NOWAIT attempt returned %ld (%s)", r,
			     r < 0 ? strerror((int)-r) : "short");
		if (blk_done) {
			if (timing_checks())
				fail("no RWF_NOWAIT attempt (%d tries) saw -EAGAIN while "
				     "the helper held/waited for i_rwsem", tries);
			break;
		}
		usleep(1000);
	}
	if (!punt) {
		diag("%s: %d attempts, EAGAIN after %.1f ms", kind_name[k], tries, t / 1000.0);
		/* the same request without RWF_NOWAIT must succeed */
		r = attempt(k, &uq, fd, pbuf, false, &t);
		if (r != PROBE_LEN)
			fail("retry without RWF_NOWAIT returned %ld", r);
	}
	if (is_write(k))
		model_write(&m, PROBE_OFF, PROBE_LEN, 3);
	else if (memcmp(pbuf, m.buf + PROBE_OFF, PROBE_LEN))
		fail("read returned wrong data");
	pthread_join(th, NULL);
	if (!fs_has_fallocate())
		model_truncate(&m, BLOCKER_SIZE);
	aq_reap(&q, 1, 1, &ev, -1);
	if (ev.res != 64 * KiB)
		fail("the in-flight write completed with %ld", ev.res);
	aq_exit(&q);
	aq_exit(&uq);
	close(fd);
	check_file(path, &m, false, "file");
	model_free(&m);
	free(wbuf);
	free(pbuf);
	case_ok();
}

int main(void)
{
	tap_init("nowait");
	for (int k = K_PREAD; k <= K_URING_WRITE_PUNT; k++)
		run_case((enum kind)k);
	return 0;
}
