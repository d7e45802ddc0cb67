// SPDX-License-Identifier: GPL-2.0
/*
 * race_exclusive: exclusive operations racing in-flight async direct I/O.
 *
 * What the series removes is inode_dio_wait() in truncate, fallocate,
 * reflink/dedupe, immutable and move_ext; what replaces it is i_rwsem held
 * until the I/O completes.  Either way the contract is the same: an
 * operation that changes the block map or the size must not take effect
 * while a direct I/O that was submitted before it is still in flight.
 *
 * Each case writes a 256 KiB file (and a second one for clone, dedupe and
 * move_ext), submits one async O_DIRECT I/O through libaio or io_uring,
 * waits until the device reports it in flight, then runs the operation in
 * the same task.  The I/O is one of:
 *   write    64 KiB aligned overwrite (async under the shared lock on 6.12)
 *   read     64 KiB aligned read (io_uring reads only for some operations)
 *   subwrite 512-byte write past EOF (synchronous on 6.12, in flight with
 *            the series; libaio only)
 * Ordering is decided from events and the device's fixed latency D:
 *   - the operation must not return earlier than D after the submission
 *     started (a request cannot complete sooner), and
 *   - when it returns, the completion must be posted (io_getevents or
 *     io_uring peek with zero timeout; a completion posted a few
 *     microseconds after the waiter was woken is reported as a note and
 *     accepted within 50 ms, because 6.12 drops i_dio_count before
 *     ->ki_complete posts the event).
 * Then the file(s) must match the model "I/O first, then the operation",
 * a read must have returned the data from before the operation, and the
 * I/O must have succeeded.
 *
 * What a broken kernel does: XFS truncate without inode_dio_wait() returns
 * a few ms after submission (ordering check fails) and the late write
 * completion then moves i_size beyond the truncation point (size check
 * fails); dedupe that compares before the write lands shares the block
 * the write then modifies (second file changes, status differs).
 *
 * Operations whose 6.12 code does not wait for DIO (truncate up on ext4,
 * FS_IOC_SETFLAGS immutable on XFS and ext2) get the ordering checked only when
 * AIOLOCK_FEATURE_DIO_LOCK=1 (they take i_rwsem exclusively, which the
 * I/O then holds); their data is always checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include "testlib.h"

#define FSIZE (256 * KiB)
#define IO_OFF (128 * KiB)
#define IO_LEN (64 * KiB)
#define SUB_OFF (FSIZE + 512)
#define WGEN 2

struct move_extent {
	uint32_t reserved;
	uint32_t donor_fd;
	uint64_t orig_start;
	uint64_t donor_start;
	uint64_t len;
	uint64_t moved_len;
};
#define EXT4_IOC_MOVE_EXT _IOWR('f', 15, struct move_extent)

enum io { IO_WRITE, IO_READ, IO_SUBWRITE };
static const char *io_name[] = { "write", "read", "subwrite" };

struct ctx {
	int fd, fd2;
	const char *path, *path2;
	struct model m, m2;
	struct model m2alt;     /* second acceptable state of the second file */
	bool alt;
};

struct op {
	const char *name;
	int second;             /* 0: none, 1: second file gen 3, 2: copy of the first */
	const char *(*skip)(void);
	bool (*baseline_waits)(void);
	void (*run)(struct ctx *c);
	bool uring_read;        /* also race an io_uring read (kept few: time) */
};

static const char *need_reflink(void)
{
	return fs_has_reflink() ? NULL : "no reflink on this configuration";
}

static const char *need_ext4(void)
{
	return fs_is_ext4() ? NULL : "EXT4_IOC_MOVE_EXT is ext4 only";
}

static const char *need_fallocate(void)
{
	return fs_has_fallocate() ? NULL : "no fallocate() on this configuration";
}

/* 6.12: btrfs and gfs2 have no collapse/insert range, gfs2 no zero range */
static const char *need_shift(void)
{
	if (fs_is("btrfs") || fs_is("gfs2"))
		return "no FALLOC_FL_COLLAPSE_RANGE or FALLOC_FL_INSERT_RANGE on this configuration";
	return need_fallocate();
}

static const char *need_zero_range(void)
{
	if (fs_is("gfs2"))
		return "no FALLOC_FL_ZERO_RANGE on this configuration";
	return need_fallocate();
}

static bool yes(void) { return true; }
static bool not_ext4(void) { return !fs_is_ext4(); }
static bool ext4_only(void) { return fs_is_ext4(); }

static void op_truncate_down(struct ctx *c)
{
	if (truncate(c->path, 96 * KiB))
		fail_errno("truncate");
	model_truncate(&c->m, 96 * KiB);
}

static void op_ftruncate_down_up(struct ctx *c)
{
	if (ftruncate(c->fd, 64 * KiB))
		fail_errno("ftruncate down");
	model_truncate(&c->m, 64 * KiB);
	if (ftruncate(c->fd, 320 * KiB))
		fail_errno("ftruncate up");
	model_truncate(&c->m, 320 * KiB);
}

static void op_truncate_up(struct ctx *c)
{
	if (ftruncate(c->fd, 384 * KiB))
		fail_errno("ftruncate up");
	model_truncate(&c->m, 384 * KiB);
}

static void falloc(struct ctx *c, int mode, uint64_t off, uint64_t len)
{
	if (fallocate(c->fd, mode, (off_t)off, (off_t)len))
		fail_errno("fallocate mode 0x%x %llu+%llu", mode,
			   (unsigned long long)off, (unsigned long long)len);
}

static void op_falloc_alloc(struct ctx *c)
{
	falloc(c, 0, 192 * KiB, 192 * KiB);
	model_zero(&c->m, c->m.size, 192 * KiB + 192 * KiB - c->m.size, false);
}

static void op_punch(struct ctx *c)
{
	falloc(c, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 144 * KiB, 32 * KiB);
	model_zero(&c->m, 144 * KiB, 32 * KiB, true);
}

static void op_zero_range(struct ctx *c)
{
	falloc(c, FALLOC_FL_ZERO_RANGE, 126 * KiB, 40 * KiB);
	model_zero(&c->m, 126 * KiB, 40 * KiB, false);
}

static void op_collapse(struct ctx *c)
{
	falloc(c, FALLOC_FL_COLLAPSE_RANGE, 96 * KiB, 64 * KiB);
	model_collapse(&c->m, 96 * KiB, 64 * KiB);
}

static void op_insert(struct ctx *c)
{
	falloc(c, FALLOC_FL_INSERT_RANGE, 128 * KiB, 64 * KiB);
	model_insert(&c->m, 128 * KiB, 64 * KiB);
}

/* in flight on the destination: F := G */
static void op_clone(struct ctx *c)
{
	if (ioctl(c->fd, FICLONE, c->fd2))
		fail_errno("FICLONE");
	model_write_buf(&c->m, 0, c->m2.buf, c->m2.size);
}

/* in flight on the source: G[0, 128K) := F[96K, 224K) */
static void op_clone_range(struct ctx *c)
{
	struct file_clone_range r = {
		.src_fd = c->fd, .src_offset = 96 * KiB,
		.src_length = 128 * KiB, .dest_offset = 0,
	};

	if (ioctl(c->fd2, FICLONERANGE, &r))
		fail_errno("FICLONERANGE");
	model_write_buf(&c->m2, 0, c->m.buf + 96 * KiB, 128 * KiB);
}

/* F[IO range] -> G: identical before the write, different after it */
static void op_dedupe(struct ctx *c)
{
	struct {
		struct file_dedupe_range r;
		struct file_dedupe_range_info i;
	} d;
	bool same = memcmp(c->m.buf + IO_OFF, c->m2.buf + IO_OFF, IO_LEN) == 0;

	memset(&d, 0, sizeof(d));
	d.r.src_offset = IO_OFF;
	d.r.src_length = IO_LEN;
	d.r.dest_count = 1;
	d.i.dest_fd = c->fd2;
	d.i.dest_offset = IO_OFF;
	if (ioctl(c->fd, FIDEDUPERANGE, &d.r))
		fail_errno("FIDEDUPERANGE");
	if (same && (d.i.status != FILE_DEDUPE_RANGE_SAME || d.i.bytes_deduped != IO_LEN))
		fail("dedupe of identical ranges: status %d, %llu bytes deduped",
		     d.i.status, (unsigned long long)d.i.bytes_deduped);
	if (!same && d.i.status != FILE_DEDUPE_RANGE_DIFFERS)
		fail("dedupe of a range the in-flight write changed: status %d "
		     "(%llu bytes deduped), expected DIFFERS: it compared before the write landed",
		     d.i.status, (unsigned long long)d.i.bytes_deduped);
}

static void op_immutable(struct ctx *c)
{
	int flags = 0, fd;

	if (ioctl(c->fd, FS_IOC_GETFLAGS, &flags))
		fail_errno("FS_IOC_GETFLAGS");
	flags |= FS_IMMUTABLE_FL;
	if (ioctl(c->fd, FS_IOC_SETFLAGS, &flags))
		fail_errno("FS_IOC_SETFLAGS immutable");
	/* (fds opened before may still write on some filesystems) */
	fd = open(c->path, O_WRONLY);
	if (fd >= 0 || errno != EPERM)
		fail_errno("opening an immutable file for writing did not fail with EPERM");
}

static void immutable_off(int fd)
{
	int flags = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		fail_errno("FS_IOC_GETFLAGS");
	flags &= ~FS_IMMUTABLE_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		fail_errno("FS_IOC_SETFLAGS clear immutable");
}

/* exchange the blocks of F[96K, 160K) and G[96K, 160K) */
static void op_move_ext(struct ctx *c)
{
	struct move_extent me = {
		.donor_fd = (uint32_t)c->fd2,
		.orig_start = 96 * KiB / FSBLOCK, .donor_start = 96 * KiB / FSBLOCK,
		.len = 64 * KiB / FSBLOCK,
	};

	if (ioctl(c->fd, EXT4_IOC_MOVE_EXT, &me))
		fail_errno("EXT4_IOC_MOVE_EXT");
	if (me.moved_len != me.len)
		fail("EXT4_IOC_MOVE_EXT moved %llu of %llu blocks",
		     (unsigned long long)me.moved_len, (unsigned long long)me.len);
	/*
	 * The original keeps its contents (copied into the donor's blocks,
	 * which it now owns); the donor gets the original's old blocks, i.e.
	 * the same data.  Moved before a write lands, the original would
	 * lose the write to the donor.
	 */
	memcpy(c->m2.buf + 96 * KiB, c->m.buf + 96 * KiB, 64 * KiB);
	/* newer kernels leave the donor's range reading as zeroes */
	model_init(&c->m2alt, c->m2.cap);
	model_write_buf(&c->m2alt, 0, c->m2.buf, c->m2.size);
	model_zero(&c->m2alt, 96 * KiB, 64 * KiB, true);
	c->alt = true;
}

static const struct op ops[] = {
	{ "truncate_down", 0, NULL, yes, op_truncate_down, true },
	{ "ftruncate_down_up", 0, NULL, yes, op_ftruncate_down_up, false },
	{ "truncate_up", 0, NULL, not_ext4, op_truncate_up, false },
	{ "falloc_alloc", 0, need_fallocate, yes, op_falloc_alloc, false },
	{ "punch_hole", 0, need_fallocate, yes, op_punch, true },
	{ "zero_range", 0, need_zero_range, yes, op_zero_range, false },
	{ "collapse_range", 0, need_shift, yes, op_collapse, true },
	{ "insert_range", 0, need_shift, yes, op_insert, false },
	{ "ficlone", 1, need_reflink, yes, op_clone, false },
	{ "ficlonerange", 1, need_reflink, yes, op_clone_range, false },
	{ "fideduperange", 2, need_reflink, yes, op_dedupe, true },
	{ "immutable", 0, NULL, ext4_only, op_immutable, false },
	{ "move_ext", 1, need_ext4, yes, op_move_ext, true },
};

/* false: the I/O finished before the operation could race it; run again */
static bool run_case_once(const struct op *op, enum api api, enum io io, int attempt)
{
	char name[96];
	struct ctx c = { .fd2 = -1 };
	unsigned d = test_delay_ms();
	size_t len = io == IO_SUBWRITE ? SECTOR : IO_LEN;
	uint64_t off = io == IO_SUBWRITE ? SUB_OFF : IO_OFF;
	unsigned char *buf, *before;
	const char *skip = op->skip ? op->skip() : NULL;
	bool must_wait;
	struct aq q;
	struct aq_ev ev;
	int64_t t0, t_sub, t_op;
	int r, ev_now, ev_late = 0;

	snprintf(name, sizeof(name), "%s-%s-%s", op->name, io_name[io], api_name(api));
	if (attempt == 0 && !case_begin(name, 60))
		return true;
	if (skip) {
		case_skip("%s", skip);
		return true;
	}
	buf = xalloc_aligned(IO_LEN);
	before = xalloc_aligned(IO_LEN);
	c.path = test_path("race.F");
	c.path2 = test_path("race.G");
	model_init(&c.m, 1 * MiB);
	model_init(&c.m2, 1 * MiB);
	c.fd = create_direct(c.path);
	dio_pwrite_gen(c.fd, &c.m, 0, FSIZE, 1);
	if (op->second) {
		c.fd2 = create_direct(c.path2);
		dio_pwrite_gen(c.fd2, &c.m2, 0, FSIZE, op->second == 1 ? 3 : 1);
	}
	memcpy(before, c.m.buf + IO_OFF, IO_LEN);

	aq_init(&q, api, 4);
	if (io != IO_READ) {
		fill_pat(buf, off, len, WGEN);
		model_write(&c.m, off, len, WGEN);
	}
	/* Nothing else in flight: wait_inflight(1) below must find this I/O. */
	if (fsync(c.fd) || (c.fd2 >= 0 && fsync(c.fd2)))
		fail_errno("fsync");
	wait_idle();
	t0 = now_us();
	r = aq_submit(&q, c.fd, io != IO_READ, buf, len, off, 1, 0);
	if (r < 0)
		fail("submit %s: %s", io_name[io], strerror(-r));
	t_sub = now_us() - t0;
	ev_now = aq_reap(&q, 0, 1, &ev, 0);
	if (!ev_now) {
		wait_inflight(1);    /* io_uring may hand it to a worker first */
	} else if (timing_checks() && io != IO_SUBWRITE && attempt < 2) {
		/* the guest stalled for a whole device latency: try again */
		diag("%s: the %s completed %.1f ms after submission, before the operation "
		     "could race it; retrying", name, io_name[io], t_sub / 1000.0);
		aq_exit(&q);
		close(c.fd);
		if (c.fd2 >= 0)
			close(c.fd2);
		model_free(&c.m);
		model_free(&c.m2);
		free(buf);
		free(before);
		return false;
	} else if (timing_checks() &&
		 (io != IO_SUBWRITE || api != API_LIBAIO || feature_dio_lock_exclusive())) {
		fail("the %s completed %.1f ms after submission, before the operation "
		     "could race it%s", io_name[io], t_sub / 1000.0,
		     io == IO_SUBWRITE ? " (AIOLOCK_FEATURE_DIO_LOCK=1 expects a sub-block "
		     "write past EOF to stay in flight)" : "");
	}

	op->run(&c);
	t_op = now_us() - t0;
	if (!ev_now) {
		ev_now = aq_reap(&q, 0, 1, &ev, 0);
		if (!ev_now)
			ev_late = aq_reap(&q, 1, 1, &ev, (int)late_completion_ms());
	}
	must_wait = timing_checks() && (op->baseline_waits() || feature_dio_lock());
	diag("%s: submit %.1f ms, op returned at %.1f ms, completion %s (device %u ms)%s",
	     name, t_sub / 1000.0, t_op / 1000.0,
	     ev_now ? "posted" : ev_late ? "posted just after" : "still pending",
	     d, must_wait ? "" : !timing_checks() ? "; timing not judged, data checked only" :
	     "; 6.12 does not order this operation, data checked only");
	if (must_wait) {
		if (t_op < (int64_t)d * 900)
			fail("%s returned %.1f ms after the %s was submitted, sooner than the "
			     "device latency %u ms: it did not wait for the in-flight I/O",
			     op->name, t_op / 1000.0, io_name[io], d);
		if (!ev_now && !ev_late)
			fail("%s returned but the in-flight %s's completion was not posted "
			     "(not even %u ms later)", op->name, io_name[io], late_completion_ms());
		if (!ev_now)
			diag("note: completion posted just after %s returned (6.12 wakes the "
			     "waiter before ->ki_complete)", op->name);
	}
	if (!ev_now && !ev_late)
		aq_reap(&q, 1, 1, &ev, -1);
	if (ev.res != (long)len)
		fail("the in-flight %s completed with %ld, expected %zu", io_name[io], ev.res, len);
	if (io == IO_READ && memcmp(buf, before, IO_LEN))
		fail("the in-flight read returned data changed by %s: the operation "
		     "took effect while the read was in flight", op->name);
	aq_exit(&q);

	if (op->run == op_immutable)
		immutable_off(c.fd);
	close(c.fd);
	check_file(c.path, &c.m, false, "file");
	if (c.fd2 >= 0) {
		close(c.fd2);
		if (c.alt)
			check_file_either(c.path2, &c.m2, &c.m2alt, "second file");
		else
			check_file(c.path2, &c.m2, false, "second file");
	}
	model_free(&c.m);
	model_free(&c.m2);
	if (c.alt)
		model_free(&c.m2alt);
	free(buf);
	free(before);
	case_ok();
	return true;
}

static void run_case(const struct op *op, enum api api, enum io io)
{
	for (int attempt = 0; !run_case_once(op, api, io, attempt); attempt++)
		;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

	tap_init("race_exclusive");
	if (test_delay_ms() < 20)
		diag("warning: device latency %u ms is too short for ordering checks",
		     test_delay_ms());
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (only && strcmp(only, ops[i].name))
			continue;
		run_case(&ops[i], API_LIBAIO, IO_WRITE);
		run_case(&ops[i], API_URING, IO_WRITE);
		run_case(&ops[i], API_LIBAIO, IO_READ);
		if (ops[i].uring_read)
			run_case(&ops[i], API_URING, IO_READ);
		run_case(&ops[i], API_LIBAIO, IO_SUBWRITE);
	}
	return 0;
}
