// SPDX-License-Identifier: GPL-2.0
/*
 * iopoll-probe: IOPS of random 4 KiB O_DIRECT reads through io_uring.
 *
 *   iopoll-probe FILE QD SECONDS poll|irq [LABEL]
 *
 * "poll" uses an IORING_SETUP_IOPOLL ring (the task reaps by polling),
 * "irq" a plain ring.  The reads are spread over the first 64 MiB of FILE
 * (or its size, if smaller), which must exist.  Prints one line:
 *   RESULT iopoll label=LABEL mode=poll qd=QD ios=N seconds=S iops=X
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "probe.h"

#define BS 4096

static uint64_t rnd = 0x9e3779b97f4a7c15ULL;

static uint64_t next_off(uint64_t nblocks)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (rnd % nblocks) * BS;
}

static void queue_read(struct io_uring *ring, int fd, char *buf, uint64_t nblocks)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		fprintf(stderr, "no SQE\n");
		exit(1);
	}
	io_uring_prep_read(sqe, fd, buf, BS, next_off(nblocks));
	io_uring_sqe_set_data(sqe, buf);
}

int main(int argc, char **argv)
{
	unsigned qd, secs, flags = 0;
	struct io_uring ring;
	uint64_t nblocks, ios = 0;
	unsigned inflight;
	double t0, t1, end;
	off_t size;
	char *bufs;
	int fd, r;

	if (argc < 5) {
		fprintf(stderr, "usage: %s FILE QD SECONDS poll|irq [LABEL]\n", argv[0]);
		return 2;
	}
	qd = (unsigned)atoi(argv[2]);
	secs = (unsigned)atoi(argv[3]);
	if (!strcmp(argv[4], "poll"))
		flags = IORING_SETUP_IOPOLL;
	else if (strcmp(argv[4], "irq"))
		return 2;
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0)
		die("open");
	size = lseek(fd, 0, SEEK_END);	/* st_size is 0 for a block device */
	if (size < 0)
		die("lseek");
	nblocks = (uint64_t)size / BS;
	if (nblocks > 64 * 256)
		nblocks = 64 * 256;
	if (!nblocks || !qd || qd > 256)
		return 2;
	if (posix_memalign((void **)&bufs, BS, (size_t)qd * BS))
		die("posix_memalign");
	r = io_uring_queue_init(qd, &ring, flags);
	if (r) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-r));
		return 1;
	}

	t0 = now_us();
	end = t0 + secs * 1e6;
	for (unsigned i = 0; i < qd; i++)
		queue_read(&ring, fd, bufs + (size_t)i * BS, nblocks);
	io_uring_submit(&ring);
	inflight = qd;
	while (inflight) {
		struct io_uring_cqe *cqe;
		char *buf;

		r = io_uring_wait_cqe(&ring, &cqe);
		if (r) {
			fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-r));
			return 1;
		}
		if (cqe->res != BS) {
			fprintf(stderr, "read returned %d\n", cqe->res);
			return 1;
		}
		buf = io_uring_cqe_get_data(cqe);
		io_uring_cqe_seen(&ring, cqe);
		ios++;
		inflight--;
		if (now_us() < end) {
			queue_read(&ring, fd, buf, nblocks);
			io_uring_submit(&ring);
			inflight++;
		}
	}
	t1 = now_us();
	printf("RESULT iopoll label=%s mode=%s qd=%u ios=%llu seconds=%.3f iops=%.0f\n",
	       argc > 5 ? argv[5] : "-", argv[4], qd, (unsigned long long)ios,
	       (t1 - t0) / 1e6, ios / ((t1 - t0) / 1e6));
	io_uring_queue_exit(&ring);
	return 0;
}
