// SPDX-License-Identifier: GPL-2.0
/* One small interface over libaio and io_uring. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "testlib.h"

#define AQ_BATCH 256

static struct iocb *pending[AQ_BATCH];
static unsigned npending;

void aq_init(struct aq *q, enum api api, unsigned depth)
{
	int r;

	memset(q, 0, sizeof(*q));
	q->api = api;
	q->depth = depth;
	if (api == API_LIBAIO) {
		r = io_setup((int)depth, &q->ctx);
		if (r)
			fail("io_setup(%u): %s", depth, strerror(-r));
		q->iocbs = calloc(AQ_BATCH, sizeof(*q->iocbs));
		if (!q->iocbs)
			fail("out of memory");
	} else {
		r = io_uring_queue_init(depth, &q->ring, 0);
		if (r)
			fail("io_uring_queue_init(%u): %s", depth, strerror(-r));
	}
}

void aq_exit(struct aq *q)
{
	if (q->api == API_LIBAIO) {
		io_destroy(q->ctx);
		free(q->iocbs);
	} else {
		io_uring_queue_exit(&q->ring);
	}
}

void aq_queue(struct aq *q, int fd, bool write, void *buf, size_t len,
	      uint64_t off, uint64_t tag, int rwf)
{
	if (q->api == API_LIBAIO) {
		struct iocb *cb;

		if (npending == AQ_BATCH)
			fail("aq_queue: batch full (test bug)");
		cb = &q->iocbs[(q->next++) % AQ_BATCH];
		if (write)
			io_prep_pwrite(cb, fd, buf, len, (long long)off);
		else
			io_prep_pread(cb, fd, buf, len, (long long)off);
		cb->data = (void *)(uintptr_t)tag;
		cb->aio_rw_flags = rwf;
		pending[npending++] = cb;
	} else {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);

		if (!sqe) {
			int r = io_uring_submit(&q->ring);

			if (r < 0)
				fail("io_uring_submit: %s", strerror(-r));
			sqe = io_uring_get_sqe(&q->ring);
			if (!sqe)
				fail("no io_uring SQE free");
		}
		if (write)
			io_uring_prep_write(sqe, fd, buf, (unsigned)len, off);
		else
			io_uring_prep_read(sqe, fd, buf, (unsigned)len, off);
		sqe->rw_flags = rwf;
		io_uring_sqe_set_data64(sqe, tag);
	}
}

int aq_flush(struct aq *q)
{
	if (q->api == API_LIBAIO) {
		unsigned done = 0;

		while (done < npending) {
			int r = io_submit(q->ctx, (long)(npending - done), pending + done);

			if (r < 0) {
				npending = 0;
				return done ? (int)done : r;
			}
			done += (unsigned)r;
		}
		npending = 0;
		return (int)done;
	}
	return io_uring_submit(&q->ring);
}

int aq_submit(struct aq *q, int fd, bool write, void *buf, size_t len,
	      uint64_t off, uint64_t tag, int rwf)
{
	int r;

	aq_queue(q, fd, write, buf, len, off, tag, rwf);
	r = aq_flush(q);
	if (r == 1)
		return 0;
	return r < 0 ? r : -EIO;
}

int aq_reap(struct aq *q, unsigned min, unsigned max, struct aq_ev *ev, int timeout_ms)
{
	unsigned n = 0;

	if (q->api == API_LIBAIO) {
		struct io_event evs[AQ_BATCH];
		struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
		int r;

		if (max > AQ_BATCH)
			max = AQ_BATCH;
		do {
			r = io_getevents(q->ctx, (long)min, (long)max, evs,
					 timeout_ms < 0 ? NULL : &ts);
		} while (r == -EINTR);
		if (r < 0)
			fail("io_getevents: %s", strerror(-r));
		for (int i = 0; i < r; i++) {
			ev[i].tag = (uint64_t)(uintptr_t)evs[i].data;
			ev[i].res = (long)evs[i].res;
		}
		return r;
	}
	while (n < max) {
		struct io_uring_cqe *cqe;
		int r;

		if (n >= min || timeout_ms == 0) {
			r = io_uring_peek_cqe(&q->ring, &cqe);
			if (r == -EAGAIN)
				break;
		} else if (timeout_ms < 0) {
			r = io_uring_wait_cqe(&q->ring, &cqe);
		} else {
			struct __kernel_timespec ts = { timeout_ms / 1000,
							(long long)(timeout_ms % 1000) * 1000000LL };
			r = io_uring_wait_cqe_timeout(&q->ring, &cqe, &ts);
			if (r == -ETIME)
				break;
		}
		if (r == -EINTR)
			continue;
		if (r < 0)
			fail("io_uring wait/peek cqe: %s", strerror(-r));
		ev[n].tag = io_uring_cqe_get_data64(cqe);
		ev[n].res = cqe->res;
		io_uring_cqe_seen(&q->ring, cqe);
		n++;
	}
	return (int)n;
}

void aq_reap_all(struct aq *q, unsigned n,
		 void (*each)(const struct aq_ev *ev, void *arg), void *arg)
{
	struct aq_ev ev[64];

	for (unsigned done = 0; done < n;) {
		unsigned max = n - done < 64 ? n - done : 64;
		int k = aq_reap(q, 1, max, ev, -1);

		for (int i = 0; i < k; i++)
			each(&ev[i], arg);
		done += (unsigned)k;
	}
}

long aq_sync(struct aq *q, int fd, bool write, void *buf, size_t len, uint64_t off)
{
	struct aq_ev ev;
	int r = aq_submit(q, fd, write, buf, len, off, 0x5c, 0);

	if (r < 0)
		return r;
	aq_reap(q, 1, 1, &ev, -1);
	return ev.res;
}
