// SPDX-License-Identifier: GPL-2.0
/* The expected contents of a file, and comparing a file against it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testlib.h"

void model_init(struct model *m, size_t cap)
{
	m->buf = calloc(1, cap);
	if (!m->buf)
		fail("out of memory for a %zu byte model", cap);
	m->cap = cap;
	m->size = 0;
}

void model_free(struct model *m)
{
	free(m->buf);
	m->buf = NULL;
}

void model_reset(struct model *m)
{
	memset(m->buf, 0, m->cap);
	m->size = 0;
}

static void model_room(const struct model *m, uint64_t end)
{
	if (end > m->cap)
		fail("model overflow: offset %llu beyond %zu (test bug)",
		     (unsigned long long)end, m->cap);
}

void fill_pat(void *buf, uint64_t off, size_t len, unsigned gen)
{
	unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = pat(gen, off + i);
}

void model_write(struct model *m, uint64_t off, size_t len, unsigned gen)
{
	model_room(m, off + len);
	fill_pat(m->buf + off, off, len, gen);
	if (off + len > m->size)
		m->size = off + len;
}

void model_write_buf(struct model *m, uint64_t off, const void *buf, size_t len)
{
	model_room(m, off + len);
	memcpy(m->buf + off, buf, len);
	if (off + len > m->size)
		m->size = off + len;
}

void model_truncate(struct model *m, uint64_t size)
{
	model_room(m, size);
	if (size < m->size)
		memset(m->buf + size, 0, m->size - size);
	m->size = size;
}

void model_zero(struct model *m, uint64_t off, uint64_t len, bool keep_size)
{
	uint64_t end = off + len;

	if (keep_size && end > m->size)
		end = m->size > off ? m->size : off;
	model_room(m, end);
	memset(m->buf + off, 0, end - off);
	if (!keep_size && off + len > m->size)
		m->size = off + len;
}

void model_collapse(struct model *m, uint64_t off, uint64_t len)
{
	memmove(m->buf + off, m->buf + off + len, m->size - off - len);
	memset(m->buf + m->size - len, 0, len);
	m->size -= len;
}

void model_insert(struct model *m, uint64_t off, uint64_t len)
{
	model_room(m, m->size + len);
	memmove(m->buf + off + len, m->buf + off, m->size - off);
	memset(m->buf + off, 0, len);
	m->size += len;
}

static void compare(const unsigned char *got, const struct model *m, size_t n,
		    const char *what, const char *how)
{
	size_t i, j;

	if (memcmp(got, m->buf, n) == 0)
		return;
	for (i = 0; i < n && got[i] == m->buf[i]; i++)
		;
	for (j = i; j < n && got[j] != m->buf[j]; j++)
		;
	fail("%s: %s read differs from the model at offset %zu (expected 0x%02x got 0x%02x%s), "
	     "%zu bytes differ in that run, file size %llu",
	     what, how, i, m->buf[i], got[i],
	     got[i] == 0 ? ": zeroed gap / lost write" :
	     got[i] == STALE_BYTE ? ": STALE data exposed" : "",
	     j - i, (unsigned long long)m->size);
}

void check_fd_contents(int fd, const struct model *m, const char *what)
{
	size_t n = (size_t)m->size;
	size_t alen = (n + FSBLOCK - 1) / FSBLOCK * FSBLOCK + FSBLOCK;
	unsigned char *got = xalloc_aligned(alen);
	size_t done = 0;

	while (done < alen) {
		ssize_t r = pread(fd, got + done, alen - done, (off_t)done);

		if (r < 0)
			fail_errno("%s: pread at %zu", what, done);
		done += (size_t)r;
		if (r == 0 || done % SECTOR)
			break;	/* EOF (O_DIRECT cannot continue unaligned) */
	}
	if (done != n)
		fail("%s: read returned %zu bytes, model size %zu", what, done, n);
	compare(got, m, n, what, "pread");
	free(got);
}

void check_file(const char *path, const struct model *m, bool buffered, const char *what)
{
	struct stat st;
	int fd = xopen(path, O_RDONLY | O_DIRECT);

	if (fstat(fd, &st))
		fail_errno("%s: fstat", what);
	if ((uint64_t)st.st_size != m->size)
		fail("%s: size %lld, model says %llu", what, (long long)st.st_size,
		     (unsigned long long)m->size);
	check_fd_contents(fd, m, what);
	close(fd);
	if (!buffered)
		return;
	fd = xopen(path, O_RDONLY);
	check_fd_contents(fd, m, what);
	if (m->size) {
		unsigned char *p = mmap(NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED)
			fail_errno("%s: mmap", what);
		compare(p, m, m->size, what, "mmap");
		munmap(p, m->size);
	}
	close(fd);
}

void check_file_either(const char *path, const struct model *a, const struct model *b,
		       const char *what)
{
	struct stat st;
	int fd = xopen(path, O_RDONLY | O_DIRECT);
	size_t n = (size_t)a->size, alen = (n + FSBLOCK - 1) / FSBLOCK * FSBLOCK + FSBLOCK;
	unsigned char *got = xalloc_aligned(alen);
	size_t done = 0;

	if (a->size != b->size)
		fail("check_file_either: models differ in size (test bug)");
	if (fstat(fd, &st))
		fail_errno("%s: fstat", what);
	if ((uint64_t)st.st_size != a->size)
		fail("%s: size %lld, model says %llu", what, (long long)st.st_size,
		     (unsigned long long)a->size);
	while (done < alen) {
		ssize_t r = pread(fd, got + done, alen - done, (off_t)done);

		if (r < 0)
			fail_errno("%s: pread", what);
		done += (size_t)r;
		if (r == 0 || done % SECTOR)
			break;	/* EOF (O_DIRECT cannot continue unaligned) */
	}
	if (done != n)
		fail("%s: read returned %zu bytes, size %zu", what, done, n);
	for (size_t s = 0; s < n; s += SECTOR) {
		size_t l = n - s < SECTOR ? n - s : SECTOR;

		if (memcmp(got + s, a->buf + s, l) && memcmp(got + s, b->buf + s, l))
			fail("%s: sector at offset %zu is neither the old nor the new data "
			     "(first byte 0x%02x, old 0x%02x, new 0x%02x)%s", what, s,
			     got[s], a->buf[s], b->buf[s],
			     got[s] == STALE_BYTE ? ": STALE data exposed" : "");
	}
	close(fd);
	free(got);
}
