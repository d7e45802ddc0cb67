// SPDX-License-Identifier: GPL-2.0
/*
 * iopoll: a polled direct read must not stall the task that has to poll it.
 *
 * With IORING_SETUP_IOPOLL a request to a device with poll queues
 * completes only when somebody polls the ring, normally the task that
 * submitted it.  That task may do other things on the same file before it
 * reaps, and none of them may wait for the unreaped read: nothing would
 * poll it until the block layer's request timeout fails it.
 *
 * Each case creates a 64 KiB file, puts one 4 KiB O_DIRECT read on an
 * IOPOLL ring (without reaping it), then, in the same task:
 *
 *   fchmod            fchmod() of the file
 *   futimens          futimens() of the file
 *   fsetxattr         fsetxattr() of a user.* attribute
 *   unlink            unlink() of the file (still open)
 *   rename            rename() of the file within its directory
 *   pwrite_buffered   a buffered pwrite() to another block of the file
 *   ftruncate_up      ftruncate() of the file to a larger size
 *   fallocate         fallocate(FALLOC_FL_KEEP_SIZE) past EOF
 *
 * The call must return well before the device's request timeout
 * (/sys/block/DEV/queue/io_timeout, 5 s for null_blk), then the read is
 * reaped and must have read the right 4 KiB.  On 6.12 none of the first six
 * calls waits for direct I/O, except ext4's buffered write.  That one,
 * ftruncate and fallocate do (inode_dio_wait()) and stall there until the
 * request times out, so those cases run only with AIOLOCK_FEATURE_DIO_LOCK=1:
 * with the series they wait for the lock held by the read, which must not
 * need polling to complete.
 *
 * Each case runs in a child process, so that all of them report.  The
 * device needs a poll queue (run.sh configures one); without one the
 * cases are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <liburing/barrier.h>
#include "testlib.h"

#define FSIZE (64 * KiB)
#define READ_OFF (8 * KiB)
#define READ_LEN (4 * KiB)
#define WRITE_OFF (32 * KiB)
#define CASE_ALARM 60

enum op { OP_FCHMOD, OP_FUTIMENS, OP_FSETXATTR, OP_UNLINK, OP_RENAME,
	  OP_PWRITE_BUFFERED, OP_FTRUNCATE, OP_FALLOCATE, OP_NR };
static const char *op_name[OP_NR] = { "fchmod", "futimens", "fsetxattr", "unlink",
				      "rename", "pwrite_buffered", "ftruncate_up",
				      "fallocate" };

/* Read a number from /sys/block/DEV/queue/ATTR, -1 if unavailable. */
static long queue_attr(const char *attr)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/queue/%s", test_dev(), attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * Submit the queued SQE without polling.  io_uring_submit() passes
 * IORING_ENTER_GETEVENTS on an IOPOLL ring, which polls once after the
 * submission; null_blk completes a polled request at the first poll, a
 * real device would not have completed it that soon.  So hand the SQE to
 * the kernel with a plain io_uring_enter(), as a submission that finds
 * the request still in flight.
 */
static void submit_nopoll(struct io_uring *ring)
{
	int r;

	io_uring_smp_store_release(ring->sq.ktail, ring->sq.sqe_tail);
	r = io_uring_enter(ring->ring_fd, 1, 0, 0, NULL);
	if (r != 1)
		fail("io_uring_enter to submit the polled read returned %d%s%s", r,
		     r < 0 ? " " : "", r < 0 ? strerror(-r) : "");
	ring->sq.sqe_head = ring->sq.sqe_tail;
}

static void run_op(enum op op, int fd, const char *path, const char *path2)
{
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	void *buf;
	int wfd;

	switch (op) {
	case OP_FCHMOD:
		if (fchmod(fd, 0600))
			fail_errno("fchmod");
		break;
	case OP_FUTIMENS:
		if (futimens(fd, ts))
			fail_errno("futimens");
		break;
	case OP_FSETXATTR:
		if (fsetxattr(fd, "user.iopoll", "1", 1, 0))
			fail_errno("fsetxattr");
		break;
	case OP_UNLINK:
		if (unlink(path))
			fail_errno("unlink");
		break;
	case OP_RENAME:
		if (rename(path, path2))
			fail_errno("rename");
		break;
	case OP_FTRUNCATE:
		if (ftruncate(fd, FSIZE + FSBLOCK))
			fail_errno("ftruncate");
		break;
	case OP_FALLOCATE:
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 2 * FSIZE, FSBLOCK))
			fail_errno("fallocate");
		break;
	case OP_PWRITE_BUFFERED:
		wfd = xopen(path, O_RDWR);
		buf = xalloc_aligned(FSBLOCK);
		fill_pat(buf, WRITE_OFF, FSBLOCK, 2);
		if (pwrite(wfd, buf, FSBLOCK, WRITE_OFF) != FSBLOCK)
			fail_errno("buffered pwrite");
		free(buf);
		close(wfd);
		break;
	default:
		fail("unknown op %d", op);
	}
}

static void one_case(enum op op, long bound_ms)
{
	const char *path = test_path("iopoll.file");
	const char *path2 = test_path("iopoll.renamed");
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int64_t t0, op_us;
	unsigned char *buf;
	unsigned inflight;
	long res;
	int fd, r;

	unlink(path2);
	fd = create_direct(path);
	dio_pwrite_gen(fd, NULL, 0, FSIZE, 1);
	if (fsync(fd))
		fail_errno("fsync");

	r = io_uring_queue_init(4, &ring, IORING_SETUP_IOPOLL);
	if (r)
		fail("io_uring_queue_init(IORING_SETUP_IOPOLL): %s", strerror(-r));
	buf = xalloc_aligned(READ_LEN);
	memset(buf, 0, READ_LEN);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, READ_LEN, READ_OFF);
	submit_nopoll(&ring);
	inflight = dev_inflight();

	/* No peeking at the ring here: on an IOPOLL ring that polls. */
	t0 = now_us();
	run_op(op, fd, path, path2);
	op_us = now_us() - t0;

	r = io_uring_wait_cqe(&ring, &cqe);
	if (r)
		fail("io_uring_wait_cqe: %s", strerror(-r));
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	diag("%s: %.3f s with the polled read unreaped (device requests in flight "
	     "before: %u), read result %ld", op_name[op], op_us / 1e6, inflight, res);

	if (op_us >= bound_ms * 1000)
		fail("%s took %.3f s with a polled read of the same file unreaped by the "
		     "same task (bound %.3f s, half the request timeout); the read then "
		     "returned %ld%s%s", op_name[op], op_us / 1e6, bound_ms / 1e3, res,
		     res < 0 ? " " : "", res < 0 ? strerror((int)-res) : "");
	if (res != READ_LEN)
		fail("polled read returned %ld%s%s, expected %ld", res, res < 0 ? " " : "",
		     res < 0 ? strerror((int)-res) : "", READ_LEN);
	for (long i = 0; i < READ_LEN; i++)
		if (buf[i] != pat(1, READ_OFF + i))
			fail("polled read: wrong byte 0x%02x at file offset %ld, expected 0x%02x",
			     buf[i], READ_OFF + i, pat(1, READ_OFF + i));

	io_uring_queue_exit(&ring);
	close(fd);
	free(buf);
	unlink(path);
	unlink(path2);
}

int main(void)
{
	long poll, timeout_ms, bound_ms;
	int nfail = 0;

	tap_init("iopoll");
	poll = queue_attr("io_poll");
	timeout_ms = queue_attr("io_timeout");
	bound_ms = timeout_ms > 0 ? timeout_ms / 2 : 2500;
	diag("device %s: io_poll %ld, io_timeout %ld ms", test_dev(), poll, timeout_ms);

	for (enum op op = 0; op < OP_NR; op++) {
		int status;
		pid_t pid;

		if (!case_begin(op_name[op], CASE_ALARM))
			continue;
		if (!fs_has_iopoll()) {
			case_skip("no polled direct I/O on %s (-EOPNOTSUPP)", tap_fs);
			continue;
		}
		if (op == OP_FALLOCATE && !fs_has_fallocate()) {
			case_skip("no fallocate() on %s", tap_fs);
			continue;
		}
		if ((op == OP_FTRUNCATE || op == OP_FALLOCATE ||
		     (op == OP_PWRITE_BUFFERED && fs_is_ext4())) && !feature_dio_lock()) {
			case_skip("6.12 waits for in-flight direct I/O here (inode_dio_wait())");
			continue;
		}
		if (poll != 1) {
			case_skip("device %s has no poll queue (io_poll %ld)", test_dev(), poll);
			continue;
		}
		alarm(0);
		pid = fork();
		if (pid < 0)
			fail_errno("fork");
		if (pid == 0) {
			alarm(CASE_ALARM);
			one_case(op, bound_ms);
			case_ok();
			exit(0);
		}
		if (waitpid(pid, &status, 0) != pid)
			fail_errno("waitpid");
		if (WIFSIGNALED(status))
			printf("not ok - %s/iopoll/%s: killed by signal %d\n", tap_fs,
			       op_name[op], WTERMSIG(status));
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			nfail++;
	}
	return nfail ? 1 : 0;
}
