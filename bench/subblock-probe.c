// SPDX-License-Identifier: GPL-2.0
/*
 * subblock-probe: time the submission of sub-block O_DIRECT async writes.
 *
 * Writes NIOS requests of SIZE bytes (default 512) spread round-robin over
 * NFILES files, keeping QD requests in flight, through libaio or io_uring,
 * and measures how long each submission call takes and the total rate.
 * A kernel that makes sub-block writes into fresh space synchronous spends
 * the whole device latency inside io_submit; one that runs them truly
 * asynchronously returns at once.  Afterwards every byte written is read
 * back and checked, so a fast but wrong kernel does not look good.
 *
 * Modes (where in the file the writes go):
 *   append     sequentially past EOF, extending the file
 *   hole       into holes of a sparse file, one write per block
 *   unwritten  into fallocated (unwritten) blocks, one write per block
 *   overwrite  over already written data, one write per block (control)
 *
 * Output: one line "RESULT key=value ..." for the harness; with -H FILE
 * also every submission time, sorted, one per line (microseconds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: subblock-probe -d DIR [-f NFILES] [-n NIOS] [-q QD] [-s SIZE]\n"
		"                      [-m append|hole|unwritten|overwrite] [-u] [-H FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *mode = "append", *hist = NULL;
	int nfiles = 16, nios = 2048, qd = 16, size = 512, uring = 0;
	const int bsz = 4096;
	int opt;

	while ((opt = getopt(argc, argv, "d:f:n:q:s:m:uH:")) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'f': nfiles = atoi(optarg); break;
		case 'n': nios = atoi(optarg); break;
		case 'q': qd = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		case 'm': mode = optarg; break;
		case 'u': uring = 1; break;
		case 'H': hist = optarg; break;
		default: usage();
		}
	}
	if (!dir || nfiles < 1 || nios < 1 || qd < 1 || size < 512 ||
	    size % 512 || size > bsz)
		usage();

	int append = !strcmp(mode, "append");
	int per_file = (nios + nfiles - 1) / nfiles;
	off_t span = append ? (off_t)per_file * size : (off_t)per_file * bsz;
	int *fd = calloc(nfiles, sizeof(*fd));
	char path[4096];

	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/probe.%d", dir, i);
		fd[i] = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
		if (fd[i] < 0)
			die(path);
		if (!strcmp(mode, "hole")) {
			if (ftruncate(fd[i], span))
				die("ftruncate");
		} else if (!strcmp(mode, "unwritten")) {
			if (fallocate(fd[i], 0, 0, span))
				die("fallocate");
		} else if (!strcmp(mode, "overwrite")) {
			void *z;

			if (posix_memalign(&z, bsz, bsz))
				die("posix_memalign");
			memset(z, 0xee, bsz);
			for (off_t o = 0; o < span; o += bsz)
				if (pwrite(fd[i], z, bsz, o) != bsz)
					die("pwrite");
			free(z);
			if (fsync(fd[i]))
				die("fsync");
		} else if (!append) {
			usage();
		}
	}

	/* One buffer per request slot, filled with a tag of the request. */
	char *bufs;
	if (posix_memalign((void **)&bufs, bsz, (size_t)qd * bsz))
		die("posix_memalign");
	double *lat = calloc(nios, sizeof(*lat));
	int *slot_free = calloc(qd, sizeof(int)), nfree = qd;
	for (int i = 0; i < qd; i++)
		slot_free[i] = i;

	io_context_t ctx = 0;
	struct io_uring ring;
	struct iocb *iocbs = calloc(qd, sizeof(*iocbs));
	int inflight = 0, errors = 0;

	if (uring) {
		int r = io_uring_queue_init(qd, &ring, 0);

		if (r < 0) {
			errno = -r;
			die("io_uring_queue_init");
		}
	} else if (io_setup(qd, &ctx)) {
		die("io_setup");
	}

	double t0 = now_us();
	for (int n = 0; n < nios || inflight; ) {
		/* Reap until a slot is free, or everything when done. */
		while (inflight && (nfree == 0 || n >= nios)) {
			long slot, res;

			if (uring) {
				struct io_uring_cqe *cqe;

				if (io_uring_wait_cqe(&ring, &cqe))
					die("io_uring_wait_cqe");
				slot = (long)io_uring_cqe_get_data(cqe);
				res = cqe->res;
				io_uring_cqe_seen(&ring, cqe);
			} else {
				struct io_event ev;

				if (io_getevents(ctx, 1, 1, &ev, NULL) != 1)
					die("io_getevents");
				slot = (long)ev.data;
				res = (long)ev.res;
			}
			if (res != size)
				errors++;
			slot_free[nfree++] = (int)slot;
			inflight--;
		}
		if (n >= nios)
			break;

		int slot = slot_free[--nfree];
		int f = n % nfiles, k = n / nfiles;
		off_t off = append ? (off_t)k * size : (off_t)k * bsz + (k % (bsz / size)) * size;
		char *b = bufs + (size_t)slot * bsz;

		memset(b, 'a' + (f + k) % 26, size);
		double s = now_us();
		if (uring) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			io_uring_prep_write(sqe, fd[f], b, size, off);
			io_uring_sqe_set_data(sqe, (void *)(long)slot);
			if (io_uring_submit(&ring) != 1)
				die("io_uring_submit");
		} else {
			struct iocb *cb = &iocbs[slot];

			io_prep_pwrite(cb, fd[f], b, size, off);
			cb->data = (void *)(long)slot;
			if (io_submit(ctx, 1, &cb) != 1)
				die("io_submit");
		}
		lat[n] = now_us() - s;
		inflight++;
		n++;
	}
	double elapsed = now_us() - t0;

	/* Read back and verify every request's bytes. */
	int bad = 0;
	char *rb;
	if (posix_memalign((void **)&rb, bsz, bsz))
		die("posix_memalign");
	for (int n = 0; n < nios; n++) {
		int f = n % nfiles, k = n / nfiles;
		off_t off = append ? (off_t)k * size : (off_t)k * bsz + (k % (bsz / size)) * size;
		off_t blk = off & ~(off_t)(bsz - 1);

		ssize_t r = pread(fd[f], rb, bsz, blk);
		if (r < off - blk + size) {
			bad++;
			continue;
		}
		for (int i = 0; i < size; i++)
			if (rb[off - blk + i] != 'a' + (f + k) % 26) {
				bad++;
				break;
			}
	}

	qsort(lat, nios, sizeof(*lat), cmp_double);
	printf("RESULT mode=%s engine=%s files=%d ios=%d qd=%d size=%d "
	       "iops=%.0f submit_p50_us=%.1f submit_p90_us=%.1f submit_p99_us=%.1f "
	       "submit_max_us=%.1f errors=%d verify_bad=%d\n",
	       mode, uring ? "io_uring" : "libaio", nfiles, nios, qd, size,
	       nios / (elapsed / 1e6), lat[nios / 2], lat[nios * 9 / 10],
	       lat[nios * 99 / 100], lat[nios - 1], errors, bad);
	if (hist) {
		FILE *h = fopen(hist, "w");

		if (!h)
			die(hist);
		for (int n = 0; n < nios; n++)
			fprintf(h, "%.2f\n", lat[n]);
		if (fclose(h))
			die(hist);
	}
	for (int i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/probe.%d", dir, i);
		close(fd[i]);
		unlink(path);
	}
	return errors || bad;
}
