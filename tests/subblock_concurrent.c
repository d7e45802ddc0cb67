// SPDX-License-Identifier: GPL-2.0
/*
 * subblock_concurrent: many concurrent async O_DIRECT writes smaller than
 * the 4 KiB block, in the same block and in neighbouring blocks, batched
 * into one io_submit()/io_uring_submit() so that they are in flight
 * together.  Targets: holes, unwritten extents (after fallocate), past
 * EOF, and written data (overwrite).
 *
 * Why: sub-block writes into unallocated or unwritten blocks need the
 * rest of the block zeroed.  Two such writes to the same block that run
 * concurrently can zero each other's data (the reason 6.12 serialises
 * them with i_rwsem exclusive + inode_dio_wait + synchronous wait); the
 * series keeps them serialised by holding i_rwsem until completion.  If
 * the serialisation is lost, a write's bytes turn into zeroes ("zeroed
 * gap / lost write") or a block is exposed unzeroed ("STALE data": the
 * free space was filled with 0xee bytes first).
 *
 * Each round writes a random subset of the 512-byte sectors of 4 blocks,
 * plus writes straddling block boundaries, with its own generation of
 * data; the file must match the model afterwards (O_DIRECT, buffered and
 * mmap reads) and have the model's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

#define ROUNDS 12
#define AREA (4 * FSBLOCK)
#define STRIDE (6 * FSBLOCK)      /* leaves untouched blocks between areas */
#define MAXW 48

enum where { W_HOLE, W_UNWRITTEN, W_PAST_EOF, W_OVERWRITE };
static const char *where_name[] = { "hole", "unwritten", "past_eof", "overwrite" };

/* A write of one or two sectors completes whole. */
static void check_write(const struct aq_ev *ev, void *arg)
{
	unsigned r = *(unsigned *)arg;

	if (ev->res != SECTOR && ev->res != 2 * SECTOR)
		fail("round %u: write %llu completed with %ld", r,
		     (unsigned long long)ev->tag, ev->res);
}

static void run_case(enum api api, enum where w, unsigned seed)
{
	char name[64];
	const char *path = test_path("subblock.f");
	uint64_t fsize = (uint64_t)ROUNDS * STRIDE;
	struct model m;
	struct aq q;
	unsigned char *bufs = xalloc_aligned((size_t)MAXW * 2 * SECTOR);
	int fd;

	snprintf(name, sizeof(name), "%s-%s", where_name[w], api_name(api));
	if (!case_begin(name, 120))
		return;
	if (w == W_UNWRITTEN && !fs_has_fallocate()) {
		case_skip("no fallocate() or unwritten extents on %s", tap_fs);
		free(bufs);
		return;
	}
	srand(seed);
	model_init(&m, 2 * fsize);
	fd = create_direct(path);
	switch (w) {
	case W_HOLE:
		if (ftruncate(fd, (off_t)fsize))
			fail_errno("ftruncate");
		model_truncate(&m, fsize);
		break;
	case W_UNWRITTEN:
		if (fallocate(fd, 0, 0, (off_t)fsize))
			fail_errno("fallocate");
		model_truncate(&m, fsize);
		break;
	case W_PAST_EOF:
		break;
	case W_OVERWRITE:
		dio_pwrite_gen(fd, &m, 0, fsize, 1);
		break;
	}
	aq_init(&q, api, MAXW * 2);
	for (unsigned r = 0; r < ROUNDS; r++) {
		uint64_t base = (uint64_t)r * STRIDE;
		unsigned gen = 10 + r, n = 0;
		int got;

		bool used[AREA / SECTOR] = { false };

		/* 1 KiB writes straddling some block boundaries */
		for (unsigned b = 1; b <= 3; b++) {
			uint64_t off = base + (uint64_t)b * FSBLOCK - SECTOR;

			if (rand() % 2)
				continue;
			used[b * 8 - 1] = used[b * 8] = true;
			fill_pat(bufs + n * 2 * SECTOR, off, 2 * SECTOR, gen);
			aq_queue(&q, fd, true, bufs + n * 2 * SECTOR, 2 * SECTOR, off, n, 0);
			model_write(&m, off, 2 * SECTOR, gen);
			n++;
		}
		/* a random subset of the other sectors, one write each */
		for (unsigned s = 0; s < AREA / SECTOR && n < MAXW; s++) {
			uint64_t off = base + (uint64_t)s * SECTOR;

			if (used[s] || rand() % 3 == 0)
				continue;
			fill_pat(bufs + n * 2 * SECTOR, off, SECTOR, gen);
			aq_queue(&q, fd, true, bufs + n * 2 * SECTOR, SECTOR, off, n, 0);
			model_write(&m, off, SECTOR, gen);
			n++;
		}
		got = aq_flush(&q);
		if (got != (int)n)
			fail("round %u: submitted %d of %u writes", r, got, n);
		aq_reap_all(&q, n, check_write, &r);
	}
	aq_exit(&q);
	close(fd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(bufs);
	case_ok();
}

int main(void)
{
	tap_init("subblock_concurrent");
	dirty_free_space(32 * MiB);
	for (int a = API_LIBAIO; a <= API_URING; a++)
		for (int w = W_HOLE; w <= W_OVERWRITE; w++)
			run_case((enum api)a, (enum where)w, 1234u + (unsigned)(a * 10 + w));
	return 0;
}
