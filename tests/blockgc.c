// SPDX-License-Identifier: GPL-2.0
/*
 * blockgc: synchronous XFS block garbage collection (XFS_IOC_FREE_EOFBLOCKS
 * with XFS_EOF_FLAGS_SYNC) while async direct reads are continuously in
 * flight on the file it has to trim.
 *
 * A synchronous scan is what a buffered writer runs when it hits ENOSPC or
 * EDQUOT, what remount read-only runs, and what the ioctl runs.  It must
 * process every tagged inode, so it waits for an inode's iolock rather than
 * skipping the inode.  It has to return after the direct I/O in flight
 * when it started has completed, even if new I/O keeps being submitted:
 * on 6.12 it takes the iolock and waits for the I/O in flight with
 * inode_dio_wait(), which new I/O cannot extend because it needs the
 * iolock.  With the iolock held until the completion of async direct I/O,
 * a scan that only ever trylocks the iolock and retries never gets it
 * while reads overlap.
 *
 * Cases (XFS only; the COW case needs reflink):
 *   eofblocks  a 1 MiB file written by extending buffered writes, which
 *              leaves speculative preallocation past EOF (the writer keeps
 *              the file open: its first close would trim it);
 *   cowblocks  a clone of a 1 MiB file with one direct 4 KiB overwrite,
 *              which leaves COW staging blocks (cowextsize) around it.
 * A thread keeps NREAD (8) 16 KiB O_DIRECT reads (libaio) in flight on
 * the file, submitted D/NREAD apart and each resubmitted as soon as it
 * completes, so that at no time is none in flight (a gap would need the
 * thread, or the whole guest, to stall for (NREAD - 1) * D / NREAD; run.sh
 * gives this test a 500 ms device for that reason).  With reads in flight, the
 * ioctl must return within BOUND_D * D, while the thread would keep
 * reading for RUN_D * D; then the thread stops.  Every read must have
 * returned the file's data, the file must match the model, and for
 * eofblocks the post-EOF blocks must be gone (the scan did not skip the
 * busy inode).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>
#include "testlib.h"

/* From the kernel's fs/xfs/libxfs/xfs_fs.h (xfslibs-dev is not needed). */
struct xfs_fs_eofblocks {
	uint32_t eof_version;
	uint32_t eof_flags;
	uint32_t eof_uid;
	uint32_t eof_gid;
	uint32_t eof_prid;
	uint32_t pad32;
	uint64_t eof_min_file_size;
	uint64_t pad64[12];
};
#define XFS_EOFBLOCKS_VERSION 1
#define XFS_EOF_FLAGS_SYNC (1 << 0)
#define XFS_IOC_FREE_EOFBLOCKS _IOR('X', 58, struct xfs_fs_eofblocks)

struct getbmap {
	int64_t bmv_offset;
	int64_t bmv_block;
	int64_t bmv_length;
	int32_t bmv_count;
	int32_t bmv_entries;
};
struct getbmapx {
	int64_t bmv_offset;
	int64_t bmv_block;
	int64_t bmv_length;
	int32_t bmv_count;
	int32_t bmv_entries;
	int32_t bmv_iflags;
	int32_t bmv_oflags;
	int32_t bmv_unused1;
	int32_t bmv_unused2;
};
#define BMV_IF_DELALLOC 0x8
#define BMV_IF_COWFORK 0x20
#define XFS_IOC_GETBMAPX _IOWR('X', 56, struct getbmap)

#define FSIZE (1 * MiB)
#define WCHUNK (64 * KiB)
#define RLEN (16 * KiB)
#define NREAD 8
#define BOUND_D 4
#define RUN_D 20

struct readers {
	pthread_t thr;
	int fd;
	const struct model *m;
	unsigned delay_ms;
	atomic_bool stop;
	atomic_bool steady;     /* all NREAD reads submitted once */
	atomic_bool expired;    /* stopped submitting after RUN_D * D */
	atomic_uint done;       /* reads completed and checked */
};

static void *reader_thread(void *arg)
{
	struct readers *r = arg;
	unsigned char *buf[NREAD];
	uint64_t off[NREAD];
	int64_t end = now_us() + (int64_t)r->delay_ms * RUN_D * 1000;
	unsigned next = 0, inflight = 0;
	struct aq q;

	aq_init(&q, API_LIBAIO, NREAD);
	for (unsigned i = 0; i < NREAD; i++) {
		buf[i] = xalloc_aligned(RLEN);
		off[i] = (uint64_t)(next++ % (FSIZE / RLEN)) * RLEN;
		if (aq_submit(&q, r->fd, false, buf[i], RLEN, off[i], i, 0))
			fail("reader: io_submit failed");
		inflight++;
		if (i + 1 < NREAD)
			sleep_ms(r->delay_ms / NREAD);
	}
	atomic_store(&r->steady, true);
	while (inflight) {
		struct aq_ev ev;
		unsigned i;

		aq_reap(&q, 1, 1, &ev, -1);
		inflight--;
		i = (unsigned)ev.tag;
		if (ev.res != RLEN)
			fail("reader: read at %llu returned %ld",
			     (unsigned long long)off[i], ev.res);
		if (memcmp(buf[i], r->m->buf + off[i], RLEN))
			fail("reader: read at %llu returned wrong data",
			     (unsigned long long)off[i]);
		atomic_fetch_add(&r->done, 1);
		if (atomic_load(&r->stop))
			continue;
		if (now_us() > end) {
			atomic_store(&r->expired, true);
			continue;
		}
		off[i] = (uint64_t)(next++ % (FSIZE / RLEN)) * RLEN;
		memset(buf[i], 0, RLEN);
		if (aq_submit(&q, r->fd, false, buf[i], RLEN, off[i], i, 0))
			fail("reader: io_submit failed");
		inflight++;
	}
	aq_exit(&q);
	for (unsigned i = 0; i < NREAD; i++)
		free(buf[i]);
	return NULL;
}

static void readers_start(struct readers *r, const char *path, const struct model *m)
{
	memset(r, 0, sizeof(*r));
	r->fd = xopen(path, O_RDONLY | O_DIRECT);
	r->m = m;
	r->delay_ms = test_delay_ms();
	if (pthread_create(&r->thr, NULL, reader_thread, r))
		fail("pthread_create");
	while (!atomic_load(&r->steady))
		usleep(1000);
	wait_inflight(NREAD - 1);
}

static void readers_stop(struct readers *r)
{
	atomic_store(&r->stop, true);
	if (pthread_join(r->thr, NULL))
		fail("pthread_join");
	close(r->fd);
}

/* Bytes of file space allocated or reserved (data fork: st_blocks). */
static uint64_t file_blocks(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		fail_errno("fstat");
	return (uint64_t)st.st_blocks * 512;
}

/* Bytes mapped in the COW fork (real or delalloc). */
static uint64_t cow_fork_bytes(int fd)
{
	struct getbmapx map[64];
	uint64_t sum = 0;

	memset(map, 0, sizeof(map));
	map[0].bmv_length = -1;
	map[0].bmv_count = 64;
	map[0].bmv_iflags = BMV_IF_COWFORK | BMV_IF_DELALLOC;
	if (ioctl(fd, XFS_IOC_GETBMAPX, map))
		fail_errno("XFS_IOC_GETBMAPX(COW fork)");
	for (int i = 1; i <= map[0].bmv_entries; i++)
		if (map[i].bmv_block != -1)
			sum += (uint64_t)map[i].bmv_length * 512;
	return sum;
}

/*
 * Run the synchronous scan with the reads in flight; return its time (us)
 * and whether the readers had already run out of time when it returned.
 */
static int64_t free_eofblocks_sync(int fd, struct readers *r, bool *expired)
{
	struct xfs_fs_eofblocks eofb;
	unsigned before = atomic_load(&r->done);
	int64_t t0, t;

	memset(&eofb, 0, sizeof(eofb));
	eofb.eof_version = XFS_EOFBLOCKS_VERSION;
	eofb.eof_flags = XFS_EOF_FLAGS_SYNC;
	if (dev_inflight() == 0)
		fail("no read in flight before the scan");
	t0 = now_us();
	if (ioctl(fd, XFS_IOC_FREE_EOFBLOCKS, &eofb))
		fail_errno("XFS_IOC_FREE_EOFBLOCKS(SYNC)");
	t = now_us() - t0;
	*expired = atomic_load(&r->expired);
	diag("sync scan took %.3f s with reads in flight (%u reads completed meanwhile)",
	     t / 1e6, atomic_load(&r->done) - before);
	return t;
}

static void check_bound(int64_t t, bool expired)
{
	int64_t bound = (int64_t)test_delay_ms() * BOUND_D * 1000;

	if (!timing_checks())
		return;
	if (t > bound)
		fail("XFS_IOC_FREE_EOFBLOCKS(SYNC) took %.3f s with direct reads in flight, bound %.3f s (%d x device latency)%s",
		     t / 1e6, bound / 1e6, BOUND_D,
		     expired ? "; it returned only after the readers stopped" : "");
}

static void case_eofblocks(void)
{
	const char *path = test_path("blockgc.eof");
	unsigned char *buf = xalloc_aligned(WCHUNK);
	struct readers r;
	struct model m;
	uint64_t before, after;
	bool expired;
	int64_t t;
	int fd;

	if (!case_begin("eofblocks", 60))
		return;
	if (!fs_is_xfs()) {
		case_skip("XFS_IOC_FREE_EOFBLOCKS is XFS only");
		return;
	}
	model_init(&m, FSIZE);
	unlink(path);
	fd = xopen(path, O_RDWR | O_CREAT | O_TRUNC);
	for (uint64_t off = 0; off < FSIZE; off += WCHUNK) {
		fill_pat(buf, off, WCHUNK, 1);
		if (pwrite(fd, buf, WCHUNK, (off_t)off) != WCHUNK)
			fail_errno("buffered pwrite at %llu", (unsigned long long)off);
		model_write(&m, off, WCHUNK, 1);
	}
	if (fsync(fd))
		fail_errno("fsync");
	before = file_blocks(fd);
	if (before <= FSIZE)
		fail("no speculative preallocation past EOF (%llu bytes allocated for %ld)",
		     (unsigned long long)before, (long)FSIZE);

	readers_start(&r, path, &m);
	t = free_eofblocks_sync(fd, &r, &expired);
	readers_stop(&r);
	after = file_blocks(fd);
	diag("eofblocks: %llu bytes allocated before the scan, %llu after, %u reads checked",
	     (unsigned long long)before, (unsigned long long)after, atomic_load(&r.done));
	check_bound(t, expired);
	if (after > FSIZE)
		fail("the sync scan left %llu bytes past EOF (file size %ld)",
		     (unsigned long long)(after - FSIZE), (long)FSIZE);
	close(fd);
	check_file(path, &m, true, "file");
	unlink(path);
	model_free(&m);
	free(buf);
	case_ok();
}

static void case_cowblocks(void)
{
	const char *src = test_path("blockgc.src");
	const char *path = test_path("blockgc.cow");
	struct readers r;
	struct model m;
	uint64_t before, after;
	bool expired;
	int64_t t;
	int sfd, fd;

	if (!case_begin("cowblocks", 60))
		return;
	if (!fs_is_xfs() || !fs_has_reflink()) {
		case_skip("needs XFS with reflink");
		return;
	}
	model_init(&m, FSIZE);
	sfd = create_direct(src);
	dio_pwrite_gen(sfd, &m, 0, FSIZE, 1);
	fd = create_direct(path);
	if (ioctl(fd, FICLONE, sfd))
		fail_errno("FICLONE");
	close(sfd);
	/*
	 * One block overwritten in the middle of a cowextsize-aligned range:
	 * the direct write allocates COW staging blocks for the whole range
	 * and remaps only its own block.  No page cache is involved, which
	 * would keep the scan off the inode until writeback cleared
	 * I_DIRTY_PAGES.
	 */
	dio_pwrite_gen(fd, &m, 256 * KiB + 8 * KiB, FSBLOCK, 2);
	before = cow_fork_bytes(fd);
	if (!before)
		fail("no COW fork reservation left after the overwrite");

	readers_start(&r, path, &m);
	t = free_eofblocks_sync(fd, &r, &expired);
	readers_stop(&r);
	after = cow_fork_bytes(fd);
	diag("cowblocks: %llu bytes in the COW fork before the scan, %llu after, %u reads checked",
	     (unsigned long long)before, (unsigned long long)after, atomic_load(&r.done));
	check_bound(t, expired);
	close(fd);
	check_file(path, &m, true, "clone");
	unlink(path);
	unlink(src);
	model_free(&m);
	case_ok();
}

/* Each case in its own process: a failure exits, the next case still runs. */
static int run_forked(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail_errno("fork");
	if (pid == 0) {
		fn();
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		fail_errno("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	int ret = 0;

	tap_init("blockgc");
	if (run_forked(case_eofblocks))
		ret = 1;
	if (run_forked(case_cowblocks))
		ret = 1;
	return ret;
}
