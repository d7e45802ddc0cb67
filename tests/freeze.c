// SPDX-License-Identifier: GPL-2.0
/*
 * freeze: FIFREEZE/FITHAW with async DIO in flight.
 *
 *   inflight-API   an async O_DIRECT overwrite is in flight when FIFREEZE
 *                  is called: the freeze must not complete before the write
 *                  has (an AIO write holds the superblock write reference
 *                  until completion), i.e. it returns no sooner than the
 *                  device latency after the submission and the completion
 *                  is posted by then.
 *   frozen-pwrite  a synchronous O_DIRECT write issued while frozen
 *   frozen-libaio  io_submit() of a write while frozen
 *   frozen-uring   io_uring write while frozen: the submit call returns,
 *                  the completion does not arrive
 *                  All three must stay blocked for 300 ms of freeze, and
 *                  complete successfully after FITHAW.
 * Nothing is lost: the file matches the model after each case.
 *
 * Why: with the series the write keeps i_rwsem across the freeze
 * protection; a freeze that completes while a DIO still owns the lock, or
 * a writer that gets through a frozen filesystem, is a bug, and a lock
 * that is never released shows up as a hang (alarm).
 *
 * The filesystem is thawed at exit whatever happens; tests/run.sh also
 * runs fsfreeze -u after the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>
#include "testlib.h"

#define FSIZE (256 * KiB)
#define HOLD_MS 300

static int mntfd = -1;
static atomic_int frozen;

static void thaw(void)
{
	if (frozen && ioctl(mntfd, FITHAW, 0) == 0)
		frozen = 0;
}

static void do_freeze(void)
{
	if (ioctl(mntfd, FIFREEZE, 0))
		fail_errno("FIFREEZE");
	frozen = 1;
}

static void do_thaw(void)
{
	if (ioctl(mntfd, FITHAW, 0))
		fail_errno("FITHAW");
	frozen = 0;
}

static void case_inflight(enum api api)
{
	char name[64];
	const char *path = test_path("freeze.f");
	unsigned d = test_delay_ms();
	unsigned char *buf = xalloc_aligned(64 * KiB);
	struct model m;
	struct aq q;
	struct aq_ev ev;
	int64_t t0, t;
	int fd, now, late = 0;

	snprintf(name, sizeof(name), "inflight-%s", api_name(api));
	if (!case_begin(name, 60))
		return;
	model_init(&m, 1 * MiB);
	fd = create_direct(path);
	dio_pwrite_gen(fd, &m, 0, FSIZE, 1);
	if (fsync(fd))
		fail_errno("fsync");
	wait_idle();
	aq_init(&q, api, 4);
	fill_pat(buf, 64 * KiB, 64 * KiB, 2);
	model_write(&m, 64 * KiB, 64 * KiB, 2);
	t0 = now_us();
	if (aq_submit(&q, fd, true, buf, 64 * KiB, 64 * KiB, 1, 0))
		fail("submit");
	if (aq_reap(&q, 0, 1, &ev, 0))
		fail("the write completed before the freeze could race it");
	wait_inflight(1);
	do_freeze();
	t = now_us() - t0;
	now = aq_reap(&q, 0, 1, &ev, 0);
	if (!now)
		late = aq_reap(&q, 1, 1, &ev, (int)late_completion_ms());
	diag("%s: freeze returned %.1f ms after submission, completion %s", name, t / 1000.0,
	     now ? "posted" : late ? "posted just after" : "pending");
	if (timing_checks() && t < (int64_t)d * 900)
		fail("FIFREEZE returned %.1f ms after the write was submitted, sooner than the "
		     "device latency %u ms: it did not wait for the in-flight write",
		     t / 1000.0, d);
	if (!now && !late)
		fail("FIFREEZE returned but the in-flight write's completion was not posted");
	if (!now)
		aq_reap(&q, 1, 1, &ev, -1);
	if (ev.res != 64 * KiB)
		fail("in-flight write completed with %ld", ev.res);
	do_thaw();
	aq_exit(&q);
	close(fd);
	check_file(path, &m, false, "file");
	model_free(&m);
	free(buf);
	case_ok();
}

enum fk { F_PWRITE, F_LIBAIO, F_URING };
static const char *fk_name[] = { "frozen-pwrite", "frozen-libaio", "frozen-uring" };

struct fw {
	enum fk k;
	int fd;
	struct aq *q;
	void *buf;
	atomic_int submitted, done;
	long res;
};

static void *frozen_writer(void *arg)
{
	struct fw *w = arg;
	struct aq_ev ev;

	if (w->k == F_PWRITE) {
		w->res = pwrite(w->fd, w->buf, 64 * KiB, 32 * KiB);
		if (w->res < 0)
			w->res = -errno;
	} else {
		int r = aq_submit(w->q, w->fd, true, w->buf, 64 * KiB, 32 * KiB, 5, 0);

		w->submitted = 1;
		if (r < 0) {
			w->res = r;
		} else {
			aq_reap(w->q, 1, 1, &ev, -1);
			w->res = ev.res;
		}
	}
	w->done = 1;
	return NULL;
}

static void case_frozen(enum fk k)
{
	const char *path = test_path("freeze.f");
	struct model m;
	struct aq q;
	struct fw w = { .k = k };
	pthread_t th;
	int64_t t0;

	if (!case_begin(fk_name[k], 60))
		return;
	model_init(&m, 1 * MiB);
	w.fd = create_direct(path);
	dio_pwrite_gen(w.fd, &m, 0, FSIZE, 1);
	if (fsync(w.fd))
		fail_errno("fsync");
	if (k != F_PWRITE)
		aq_init(&q, k == F_LIBAIO ? API_LIBAIO : API_URING, 4);
	w.q = &q;
	w.buf = xalloc_aligned(64 * KiB);
	fill_pat(w.buf, 32 * KiB, 64 * KiB, 3);
	do_freeze();
	t0 = now_us();
	if (pthread_create(&th, NULL, frozen_writer, &w))
		fail("pthread_create");
	sleep_ms(HOLD_MS);
	if (w.done)
		fail("a write to a frozen filesystem completed (%ld) within %d ms", w.res, HOLD_MS);
	if (k == F_URING && !w.submitted)
		fail("io_uring_submit() blocked on the frozen filesystem instead of "
		     "handing the write to a worker");
	diag("%s: blocked for %.1f ms while frozen%s", fk_name[k], (now_us() - t0) / 1000.0,
	     k == F_LIBAIO ? (w.submitted ? " (in the completion wait)" : " (in io_submit)") : "");
	do_thaw();
	pthread_join(th, NULL);
	if (w.res != 64 * KiB)
		fail("write released by the thaw completed with %ld", w.res);
	model_write(&m, 32 * KiB, 64 * KiB, 3);
	if (k != F_PWRITE)
		aq_exit(&q);
	close(w.fd);
	check_file(path, &m, false, "file");
	model_free(&m);
	free(w.buf);
	case_ok();
}

int main(void)
{
	tap_init("freeze");
	mntfd = open(test_dir(), O_RDONLY | O_DIRECTORY);
	if (mntfd < 0)
		fail_errno("open %s", test_dir());
	atexit(thaw);
	case_inflight(API_LIBAIO);
	case_inflight(API_URING);
	for (int k = F_PWRITE; k <= F_URING; k++)
		case_frozen((enum fk)k);
	return 0;
}
