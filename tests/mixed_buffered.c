// SPDX-License-Identifier: GPL-2.0
/*
 * mixed_buffered: buffered and direct I/O on the same file, with mmap
 * reads, page cache coherent after direct writes complete.
 *
 *   dio_read_dirty       buffered writes left dirty, then an async DIO read
 *                        of them must see them (flushed before the read)
 *   dio_write_cached     pages cached by buffered and mmap reads, then an
 *                        async DIO write: afterwards buffered, mmap and
 *                        direct reads all see the new data (invalidated)
 *   subblock_cached      the same with 512-byte DIO writes into cached
 *                        pages, including holes and past EOF
 *   interleaved          random buffered writes to one range while async
 *                        DIO writes to another range are in flight, with
 *                        mmap reads of the whole file after each round
 *
 * Why: holding i_rwsem until completion moves the point where the DIO
 * write path invalidates the page cache relative to the lock; a stale
 * cached page after a completed direct write (or a dirty page missed by
 * a direct read) is a coherency bug.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "testlib.h"

#define FSIZE (256 * KiB)

static void buffered_write(int bfd, struct model *m, uint64_t off, size_t len, unsigned gen)
{
	unsigned char *b = malloc(len);

	if (!b)
		fail("out of memory");
	fill_pat(b, off, len, gen);
	if (pwrite(bfd, b, len, (off_t)off) != (ssize_t)len)
		fail_errno("buffered pwrite %zu at %llu", len, (unsigned long long)off);
	model_write(m, off, len, gen);
	free(b);
}

static void populate_cache(int bfd, uint64_t size)
{
	unsigned char *b = malloc(size);
	volatile unsigned char sum = 0;
	unsigned char *p;

	if (!b)
		fail("out of memory");
	if (pread(bfd, b, size, 0) < 0)
		fail_errno("buffered pread");
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, bfd, 0);
	if (p == MAP_FAILED)
		fail_errno("mmap");
	for (uint64_t i = 0; i < size; i += 4096)
		sum += p[i];
	(void)sum;
	munmap(p, size);
	free(b);
}

static void check_res(const struct aq_ev *ev, void *arg)
{
	long want = *(long *)arg;

	if (want >= 0 ? ev->res != want : ev->res < 0)
		fail("async I/O %llu completed with %ld",
		     (unsigned long long)ev->tag, ev->res);
}

static void reap_all(struct aq *q, unsigned n, long want)
{
	aq_reap_all(q, n, check_res, &want);
}

static void case_dio_read_dirty(enum api api)
{
	char name[64];
	const char *path = test_path("mixed.f");
	struct model m;
	struct aq q;
	unsigned char *buf = xalloc_aligned(FSIZE);
	int dfd, bfd;

	snprintf(name, sizeof(name), "dio_read_dirty-%s", api_name(api));
	if (!case_begin(name, 60))
		return;
	model_init(&m, 1 * MiB);
	dfd = create_direct(path);
	bfd = xopen(path, O_RDWR);
	buffered_write(bfd, &m, 0, FSIZE, 1);
	buffered_write(bfd, &m, 4096 + 100, 3000, 2);
	aq_init(&q, api, 4);
	if (aq_submit(&q, dfd, false, buf, FSIZE, 0, 1, 0))
		fail("submit read");
	reap_all(&q, 1, FSIZE);
	if (memcmp(buf, m.buf, FSIZE))
		fail("async DIO read did not see dirty buffered data");
	aq_exit(&q);
	close(dfd);
	close(bfd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(buf);
	case_ok();
}

static void case_dio_write_cached(enum api api, bool subblock)
{
	char name[64];
	const char *path = test_path("mixed.f");
	struct model m;
	struct aq q;
	unsigned char *buf = xalloc_aligned(FSIZE);
	unsigned n = 0;
	int dfd, bfd;

	snprintf(name, sizeof(name), "%s-%s", subblock ? "subblock_cached" : "dio_write_cached",
		 api_name(api));
	if (!case_begin(name, 60))
		return;
	model_init(&m, 1 * MiB);
	dfd = create_direct(path);
	bfd = xopen(path, O_RDWR);
	buffered_write(bfd, &m, 0, 64 * KiB, 1);
	buffered_write(bfd, &m, 128 * KiB, 64 * KiB, 1);   /* hole 64K..128K */
	if (fsync(bfd))
		fail_errno("fsync");
	populate_cache(bfd, m.size);
	aq_init(&q, api, 32);
	if (!subblock) {
		fill_pat(buf, 32 * KiB, 64 * KiB, 3);        /* across the hole edge */
		aq_queue(&q, dfd, true, buf, 64 * KiB, 32 * KiB, n++, 0);
		model_write(&m, 32 * KiB, 64 * KiB, 3);
		fill_pat(buf + 64 * KiB, 160 * KiB, 64 * KiB, 3);  /* extends the file */
		aq_queue(&q, dfd, true, buf + 64 * KiB, 64 * KiB, 160 * KiB, n++, 0);
		model_write(&m, 160 * KiB, 64 * KiB, 3);
	} else {
		static const uint64_t offs[] = {
			512, 4096 + 1024, 8192 + 3584, 70 * KiB + 512, 70 * KiB + 2048,
			130 * KiB + 1536, 192 * KiB + 512, 200 * KiB + 3072,
		};
		for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			fill_pat(buf + i * 4096, offs[i], SECTOR, 4);
			aq_queue(&q, dfd, true, buf + i * 4096, SECTOR, offs[i], n++, 0);
			model_write(&m, offs[i], SECTOR, 4);
		}
	}
	if (aq_flush(&q) != (int)n)
		fail("submit writes");
	reap_all(&q, n, -1);
	aq_exit(&q);
	check_fd_contents(bfd, &m, "buffered fd after DIO writes");
	close(dfd);
	close(bfd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(buf);
	case_ok();
}

static void case_interleaved(enum api api)
{
	char name[64];
	const char *path = test_path("mixed.f");
	struct model m;
	struct aq q;
	unsigned char *buf = xalloc_aligned(64 * KiB);
	int dfd, bfd;

	snprintf(name, sizeof(name), "interleaved-%s", api_name(api));
	if (!case_begin(name, 120))
		return;
	srand(77 + api);
	model_init(&m, 1 * MiB);
	dfd = create_direct(path);
	bfd = xopen(path, O_RDWR);
	buffered_write(bfd, &m, 0, FSIZE, 1);
	aq_init(&q, api, 8);
	for (unsigned r = 0; r < 40; r++) {
		/* DIO into one half, buffered into the other, then swap */
		uint64_t dbase = (r % 2) ? 0 : FSIZE / 2, bbase = FSIZE / 2 - dbase;
		uint64_t doff = dbase + (uint64_t)(rand() % 64) * SECTOR;
		size_t dlen = (size_t)(1 + rand() % 32) * SECTOR;
		uint64_t boff = bbase + (uint64_t)(rand() % 60000);
		size_t blen = (size_t)(1 + rand() % 9000);
		unsigned gen = 10 + r;
		unsigned char *p;

		fill_pat(buf, doff, dlen, gen);
		if (aq_submit(&q, dfd, true, buf, dlen, doff, r, 0))
			fail("submit DIO write");
		model_write(&m, doff, dlen, gen);
		buffered_write(bfd, &m, boff, blen, gen + 100);
		reap_all(&q, 1, (long)dlen);
		p = mmap(NULL, m.size, PROT_READ, MAP_SHARED, bfd, 0);
		if (p == MAP_FAILED)
			fail_errno("mmap");
		for (uint64_t i = 0; i < m.size; i++)
			if (p[i] != m.buf[i])
				fail("round %u: mmap read at %llu sees 0x%02x, expected 0x%02x "
				     "(DIO %zu at %llu, buffered %zu at %llu)", r,
				     (unsigned long long)i, p[i], m.buf[i], dlen,
				     (unsigned long long)doff, blen, (unsigned long long)boff);
		munmap(p, m.size);
	}
	aq_exit(&q);
	close(dfd);
	close(bfd);
	check_file(path, &m, true, "file");
	model_free(&m);
	free(buf);
	case_ok();
}

int main(void)
{
	tap_init("mixed_buffered");
	for (int a = API_LIBAIO; a <= API_URING; a++) {
		case_dio_read_dirty((enum api)a);
		case_dio_write_cached((enum api)a, false);
		case_dio_write_cached((enum api)a, true);
		case_interleaved((enum api)a);
	}
	return 0;
}
