// SPDX-License-Identifier: GPL-2.0
/*
 * meta-probe: latency of size and space changes issued while direct I/O
 * to the same file is in flight.
 *
 * A background thread keeps QD aligned 4 KiB O_DIRECT requests (writes
 * over written data, or reads with -r) in flight on the first half of a
 * file through libaio, resubmitting each as it completes.  The main thread
 * meanwhile times NOPS operations of one kind on the second half:
 *
 *   truncate   ftruncate() the file one block longer, and back (two ops)
 *   falloc     fallocate() a block in a hole of the second half
 *   punch      punch a written block of the second half
 *
 * Each of them needs the inode lock exclusively and has to exclude direct
 * I/O in flight: on 6.12 it drains i_dio_count, with the series it waits
 * for the lock the I/O holds.  Reports the latency distribution of the
 * operation, how much direct I/O completed meanwhile, and the fraction of
 * operations that started with requests in flight on the device
 * (/sys/dev/block/MAJ:MIN/inflight read just before each operation;
 * inflight_frac=-1 if the device has no such file): an operation that
 * found the device idle measured nothing.
 *
 * Output: one line "RESULT key=value ..." for the harness.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define BSZ		4096
#define HALF_BLOCKS	1024		/* 4 MiB per half */

static int fd, qd = 16, reads;
static atomic_int stop;
static atomic_long dio_done, dio_errors;

static void usage(void)
{
	fprintf(stderr,
		"usage: meta-probe -d DIR -o truncate|falloc|punch [-n NOPS] [-q QD] [-r]\n");
	exit(2);
}

static void prep(struct iocb *cb, char *buf, unsigned int seq)
{
	off_t off = (off_t)((seq * 7919u) % HALF_BLOCKS) * BSZ;

	if (reads)
		io_prep_pread(cb, fd, buf, BSZ, off);
	else
		io_prep_pwrite(cb, fd, buf, BSZ, off);
}

static void *dio_thread(void *arg)
{
	io_context_t ctx = 0;
	struct iocb *cbs = calloc(qd, sizeof(*cbs));
	char *bufs;
	unsigned int seq = 0;

	(void)arg;
	if (!cbs || posix_memalign((void **)&bufs, BSZ, (size_t)qd * BSZ))
		die("alloc");
	memset(bufs, 0x5a, (size_t)qd * BSZ);
	if (io_setup(qd, &ctx))
		die("io_setup");
	for (int i = 0; i < qd; i++) {
		struct iocb *cb = &cbs[i];

		prep(cb, bufs + (size_t)i * BSZ, seq++);
		if (io_submit(ctx, 1, &cb) != 1)
			die("io_submit");
	}
	for (int inflight = qd; inflight; ) {
		struct io_event ev[64];
		int n = io_getevents(ctx, 1, 64, ev, NULL);

		if (n < 0) {
			errno = -n;
			die("io_getevents");
		}
		for (int i = 0; i < n; i++) {
			struct iocb *cb = ev[i].obj;

			if ((long)ev[i].res != BSZ)
				atomic_fetch_add(&dio_errors, 1);
			atomic_fetch_add(&dio_done, 1);
			if (atomic_load(&stop)) {
				inflight--;
				continue;
			}
			prep(cb, cb->u.c.buf, seq++);
			if (io_submit(ctx, 1, &cb) != 1)
				die("io_submit");
		}
	}
	io_destroy(ctx);
	return NULL;
}

/* Requests in flight on the device that holds fd, -1 if unknown. */
static long dev_inflight(int ifd)
{
	char buf[64];
	long r, w;
	ssize_t n;

	if (ifd < 0)
		return -1;
	n = pread(ifd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (sscanf(buf, "%ld %ld", &r, &w) != 2)
		return -1;
	return r + w;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *op = NULL;
	int nops = 200, opt;
	char path[4096];

	while ((opt = getopt(argc, argv, "d:o:n:q:r")) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'o': op = optarg; break;
		case 'n': nops = atoi(optarg); break;
		case 'q': qd = atoi(optarg); break;
		case 'r': reads = 1; break;
		default: usage();
		}
	}
	if (!dir || !op || nops < 2 || qd < 1 || qd > 64 ||
	    (strcmp(op, "truncate") && strcmp(op, "falloc") &&
	     strcmp(op, "punch")))
		usage();

	snprintf(path, sizeof(path), "%s/meta-probe", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0)
		die(path);

	/* Both halves written; for falloc the second half is a hole. */
	off_t size = 2 * (off_t)HALF_BLOCKS * BSZ;
	void *z;

	if (posix_memalign(&z, BSZ, BSZ))
		die("posix_memalign");
	memset(z, 0xee, BSZ);
	for (off_t o = 0; o < size; o += BSZ) {
		if (!strcmp(op, "falloc") && o >= size / 2)
			break;
		if (pwrite(fd, z, BSZ, o) != BSZ)
			die("pwrite");
	}
	if (ftruncate(fd, size) || fsync(fd))
		die("ftruncate/fsync");

	struct stat st;
	char ipath[128];
	int ifd = -1, busy = 0, sampled = 0;

	if (fstat(fd, &st))
		die("fstat");
	snprintf(ipath, sizeof(ipath), "/sys/dev/block/%u:%u/inflight",
		 major(st.st_dev), minor(st.st_dev));
	ifd = open(ipath, O_RDONLY);

	pthread_t th;
	double *lat = calloc(nops, sizeof(*lat));

	if (!lat)
		die("calloc");
	if (pthread_create(&th, NULL, dio_thread, NULL))
		die("pthread_create");
	/* Let the queue fill before the first operation. */
	while (atomic_load(&dio_done) < qd)
		usleep(100);

	long done0 = atomic_load(&dio_done);
	double t0 = now_us();

	for (int i = 0; i < nops; i++) {
		off_t blk = size / 2 + (off_t)(i % HALF_BLOCKS) * BSZ;
		long inflight = dev_inflight(ifd);
		double s = now_us();
		int r;

		if (inflight >= 0) {
			sampled++;
			busy += inflight > 0;
		}

		if (!strcmp(op, "truncate"))
			r = ftruncate(fd, i % 2 ? size : size + BSZ);
		else if (!strcmp(op, "falloc"))
			r = fallocate(fd, 0, blk, BSZ);
		else
			r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      blk, BSZ);
		if (r)
			die(op);
		lat[i] = now_us() - s;
	}
	double elapsed = now_us() - t0;
	long dio = atomic_load(&dio_done) - done0;

	atomic_store(&stop, 1);
	pthread_join(th, NULL);

	qsort(lat, nops, sizeof(*lat), cmp_double);
	printf("RESULT op=%s dio=%s qd=%d ops=%d op_p50_us=%.1f op_p90_us=%.1f "
	       "op_p99_us=%.1f op_max_us=%.1f ops_per_s=%.0f dio_iops=%.0f "
	       "dio_errors=%ld inflight_frac=%.2f\n",
	       op, reads ? "read" : "write", qd, nops, lat[nops / 2],
	       lat[nops * 9 / 10], lat[nops * 99 / 100], lat[nops - 1],
	       nops / (elapsed / 1e6), dio / (elapsed / 1e6),
	       atomic_load(&dio_errors),
	       sampled == nops ? (double)busy / nops : -1.0);
	if (ifd >= 0)
		close(ifd);
	close(fd);
	unlink(path);
	return atomic_load(&dio_errors) != 0;
}
