// SPDX-License-Identifier: GPL-2.0
/*
 * stream_subblock: one task streams sub-block O_DIRECT writes to one file.
 *
 *   uring-qd4   io_uring, queue depth 4, many requests, reaping as it goes
 *   libaio-qd128 libaio, 128 requests per io_submit()
 *
 * over three layouts: appending past EOF, filling holes of a sparse file,
 * and overwriting written data.
 *
 * Why: with i_rwsem held until completion, a sub-block write into a hole
 * or past EOF keeps the lock exclusively while in flight.  The next
 * submission from the same task needs the lock too.  If the completion
 * that releases it can only run in that task (io_uring deferred
 * completions, task_work), a task that sleeps on the lock deadlocks with
 * itself.  The case alarm turns such a hang into a failure; the data must
 * match the model afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

#define NREQ 256

enum layout { L_APPEND, L_HOLES, L_OVERWRITE };
static const char *layout_name[] = { "append", "holes", "overwrite" };

/* request i: 512 bytes at an unaligned spot of its own 1 KiB slot */
static uint64_t req_off(unsigned i)
{
	return (uint64_t)i * 1024 + (i % 3 == 1 ? 512 : 0);
}

static void run_case(enum api api, unsigned depth, enum layout l)
{
	char name[64];
	const char *path = test_path("stream.f");
	uint64_t fsize = (uint64_t)NREQ * 1024;
	unsigned char *bufs = xalloc_aligned((size_t)NREQ * SECTOR);
	struct aq_ev ev[128];
	struct model m;
	struct aq q;
	unsigned sub = 0, done = 0;
	int64_t t0;
	int fd;

	snprintf(name, sizeof(name), "%s-qd%u-%s", api_name(api), depth, layout_name[l]);
	if (!case_begin(name, 180))
		return;
	model_init(&m, 2 * fsize);
	fd = create_direct(path);
	if (l == L_HOLES) {
		if (ftruncate(fd, (off_t)fsize))
			fail_errno("ftruncate");
		model_truncate(&m, fsize);
	} else if (l == L_OVERWRITE) {
		dio_pwrite_gen(fd, &m, 0, fsize, 1);
	}
	for (unsigned i = 0; i < NREQ; i++) {
		fill_pat(bufs + (size_t)i * SECTOR, req_off(i), SECTOR, 2);
		model_write(&m, req_off(i), SECTOR, 2);
	}
	aq_init(&q, api, depth);
	t0 = now_us();
	while (done < NREQ) {
		unsigned batch = 0;
		int r, k;

		while (sub + batch < NREQ && sub + batch - done < depth) {
			unsigned i = sub + batch;

			aq_queue(&q, fd, true, bufs + (size_t)i * SECTOR, SECTOR, req_off(i), i, 0);
			batch++;
		}
		if (batch) {
			r = aq_flush(&q);
			if (r != (int)batch)
				fail("submitting %u requests at %u returned %d", batch, sub, r);
			sub += batch;
		}
		k = aq_reap(&q, 1, sub - done, ev, -1);
		for (int i = 0; i < k; i++)
			if (ev[i].res != SECTOR)
				fail("request %llu completed with %ld",
				     (unsigned long long)ev[i].tag, ev[i].res);
		done += (unsigned)k;
	}
	diag("%s: %u requests in %.1f ms", name, NREQ, (now_us() - t0) / 1000.0);
	aq_exit(&q);
	close(fd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(bufs);
	case_ok();
}

int main(void)
{
	tap_init("stream_subblock");
	for (int l = L_APPEND; l <= L_OVERWRITE; l++) {
		run_case(API_URING, 4, (enum layout)l);
		run_case(API_LIBAIO, 128, (enum layout)l);
	}
	return 0;
}
