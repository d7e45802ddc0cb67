// SPDX-License-Identifier: GPL-2.0
/*
 * io_error: a device error on an in-flight async DIO.
 *
 * The null_blk device fails every request touching sectors listed in its
 * configfs "badblocks" attribute.  The file's block at 64 KiB is made bad
 * (its physical location comes from FIEMAP), then async O_DIRECT I/O is
 * submitted: good writes before and after it, and one of
 *   overwrite  an 8 KiB write covering the bad block
 *   unwritten  a 4 KiB write into a fallocated (unwritten) bad block
 *   read       a 4 KiB read of the bad block
 *   append     a 4 KiB write past EOF into a new block: the block the
 *              filesystem allocates for it is found beforehand (extend the
 *              file by a block, FIEMAP, truncate it away: the allocator
 *              hands the same block out again) and made bad
 * The error must reach the submitter (res < 0 in the event) while the
 * other requests succeed; the bad range is cleared, the next exclusive
 * operation (ftruncate) and a new write proceed (bounded by the alarm);
 * data outside the failed range is intact, and the failed range holds
 * either the old or the new data (an unwritten extent must still read as
 * zeroes: converting it after a failed write would expose stale blocks,
 * filled with 0xee beforehand).  A failed append must leave the size as
 * it was and, on ext2, free the block it allocated (st_blocks as before;
 * the offline fsck after the test also checks that no block lies beyond
 * EOF): with the series that clean-up runs in the completion, which owns
 * i_rwsem, instead of in the submitter waiting for the write.
 *
 * Why: with the series the lock is released by the completion, on the
 * error path too; a missed release shows up as a hang of the next
 * exclusive operation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testlib.h"

#define FSIZE (256 * KiB)
#define BAD (64 * KiB)

enum kind { K_OVERWRITE, K_UNWRITTEN, K_READ, K_APPEND };
static const char *kind_name[] = { "overwrite", "unwritten", "read", "append" };

static void set_bad_phys(int64_t phys, bool on)
{
	char s[64];
	int r;

	snprintf(s, sizeof(s), "%c%lld-%lld", on ? '+' : '-', (long long)(phys / SECTOR),
		 (long long)(phys / SECTOR + FSBLOCK / SECTOR - 1));
	r = nullb_set("badblocks", s);
	if (r)
		fail("writing '%s' to %s/badblocks: %s", s, test_nullb(), strerror(-r));
}

static void set_bad(int fd, bool on)
{
	int64_t phys = file_phys(fd, BAD);

	if (phys < 0)
		fail("no physical block at offset %ld", BAD);
	set_bad_phys(phys, on);
}

/*
 * The block the next append at FSIZE will get: allocate it with a direct
 * write and free it again.
 */
static int64_t next_append_block(int fd, unsigned char *buf)
{
	int64_t phys;

	fill_pat(buf, FSIZE, FSBLOCK, 9);
	if (pwrite(fd, buf, FSBLOCK, FSIZE) != FSBLOCK)
		fail_errno("probing append");
	if (fsync(fd))
		fail_errno("fsync");
	phys = file_phys(fd, FSIZE);
	if (phys < 0)
		fail("no physical block at offset %ld after the probing append", FSIZE);
	if (ftruncate(fd, FSIZE) || fsync(fd))
		fail_errno("truncating the probing append away");
	return phys;
}

/* The request on the bad block (tag 2) may fail; the others must not. */
static void check_event(const struct aq_ev *ev, void *arg)
{
	long *bad_res = arg;

	if (ev->tag == 2)
		*bad_res = ev->res;
	else if (ev->res != 32 * KiB)
		fail("request %llu away from the bad block completed with %ld",
		     (unsigned long long)ev->tag, ev->res);
}

static void run_case(enum api api, enum kind k)
{
	char name[64];
	const char *path = test_path("ioerr.f");
	unsigned char *buf = xalloc_aligned(128 * KiB);
	struct model old, new;
	struct aq q;
	int fd, n;
	int64_t t0;
	long bad_res = 0;
	size_t blen = k == K_OVERWRITE ? 8 * KiB : 4 * KiB;
	uint64_t boff = k == K_OVERWRITE ? BAD - 4 * KiB : k == K_APPEND ? FSIZE : BAD;
	int64_t append_phys = -1;
	struct stat st;
	blkcnt_t blocks0 = 0;

	snprintf(name, sizeof(name), "%s-%s", kind_name[k], api_name(api));
	if (!case_begin(name, 60))
		return;
	if (!*test_nullb()) {
		case_skip("no null_blk device (TEST_NULLB)");
		return;
	}
	if (k == K_UNWRITTEN && !fs_has_fallocate()) {
		case_skip("no fallocate() or unwritten extents on %s", tap_fs);
		return;
	}
	model_init(&old, 1 * MiB);
	fd = create_direct(path);
	dio_pwrite_gen(fd, &old, 0, FSIZE, 1);
	if (k == K_UNWRITTEN) {
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BAD, FSBLOCK) ||
		    fallocate(fd, FALLOC_FL_KEEP_SIZE, BAD, FSBLOCK))
			fail_errno("making an unwritten block");
		model_zero(&old, BAD, FSBLOCK, true);
	}
	if (k == K_APPEND) {
		append_phys = next_append_block(fd, buf);
		if (fstat(fd, &st))
			fail_errno("fstat");
		blocks0 = st.st_blocks;
	}
	model_init(&new, 1 * MiB);
	model_write_buf(&new, 0, old.buf, old.size);
	if (k == K_APPEND)
		set_bad_phys(append_phys, true);
	else
		set_bad(fd, true);

	aq_init(&q, api, 8);
	fill_pat(buf, 0, 32 * KiB, 2);
	aq_queue(&q, fd, true, buf, 32 * KiB, 0, 0, 0);
	model_write(&old, 0, 32 * KiB, 2);
	model_write(&new, 0, 32 * KiB, 2);
	fill_pat(buf + 32 * KiB, 128 * KiB, 32 * KiB, 2);
	aq_queue(&q, fd, true, buf + 32 * KiB, 32 * KiB, 128 * KiB, 1, 0);
	model_write(&old, 128 * KiB, 32 * KiB, 2);
	model_write(&new, 128 * KiB, 32 * KiB, 2);
	if (k != K_READ) {
		fill_pat(buf + 64 * KiB, boff, blen, 2);
		/* a failed append must not change the file at all */
		if (k != K_APPEND)
			model_write(&new, boff, blen, 2);
	}
	aq_queue(&q, fd, k != K_READ, buf + 64 * KiB, blen, boff, 2, 0);
	t0 = now_us();
	n = aq_flush(&q);
	if (n != 3)
		fail("submitted %d of 3", n);
	aq_reap_all(&q, 3, check_event, &bad_res);
	diag("%s: the request on the bad block completed with %ld (%s) after %.1f ms", name,
	     bad_res, bad_res < 0 ? strerror((int)-bad_res) : "no error",
	     (now_us() - t0) / 1000.0);
	if (bad_res >= 0 && k == K_APPEND && file_phys(fd, FSIZE) != append_phys) {
		/* the allocator chose another block: nothing was tested */
		aq_exit(&q);
		set_bad_phys(append_phys, false);
		close(fd);
		model_free(&old);
		model_free(&new);
		free(buf);
		case_skip("the append got another block than the probing one");
		return;
	}
	if (bad_res >= 0)
		fail("the %s of the bad block completed with %ld: the device error did not "
		     "reach the submitter", kind_name[k], bad_res);
	aq_exit(&q);
	if (k == K_APPEND) {
		set_bad_phys(append_phys, false);
		if (fstat(fd, &st))
			fail_errno("fstat");
		if (st.st_size != FSIZE)
			fail("the failed append left the size at %lld, expected %ld",
			     (long long)st.st_size, FSIZE);
		if (fs_is_ext2() && st.st_blocks != blocks0)
			fail("the failed append left %lld 512-byte blocks allocated, "
			     "%lld before it: the block it allocated was not freed",
			     (long long)st.st_blocks, (long long)blocks0);
	} else {
		set_bad(fd, false);
	}

	/* the next exclusive operation and a new writer proceed */
	if (ftruncate(fd, 224 * KiB))
		fail_errno("ftruncate after the failed I/O");
	model_truncate(&old, 224 * KiB);
	model_truncate(&new, 224 * KiB);
	fill_pat(buf, 160 * KiB, 16 * KiB, 3);
	if (pwrite(fd, buf, 16 * KiB, 160 * KiB) != 16 * KiB)
		fail_errno("write after the failed I/O");
	model_write(&old, 160 * KiB, 16 * KiB, 3);
	model_write(&new, 160 * KiB, 16 * KiB, 3);
	close(fd);
	check_file_either(path, &old, &new, "file");
	if (k == K_UNWRITTEN)
		check_file(path, &old, true, "file (failed write into an unwritten extent)");
	model_free(&old);
	model_free(&new);
	free(buf);
	case_ok();
}

int main(void)
{
	tap_init("io_error");
	dirty_free_space(16 * MiB);
	for (int a = API_LIBAIO; a <= API_URING; a++)
		for (int k = K_OVERWRITE; k <= K_APPEND; k++)
			run_case((enum api)a, (enum kind)k);
	return 0;
}
