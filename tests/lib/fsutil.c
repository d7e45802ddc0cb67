// SPDX-License-Identifier: GPL-2.0
/* File, filesystem and null_blk helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include "testlib.h"

void *xalloc_aligned(size_t len)
{
	void *p;

	if (posix_memalign(&p, FSBLOCK, len ? len : FSBLOCK))
		fail("out of memory (%zu bytes)", len);
	memset(p, 0, len);
	return p;
}

int xopen(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		fail_errno("open %s", path);
	return fd;
}

int create_direct(const char *path)
{
	if (unlink(path) && errno != ENOENT)
		fail_errno("unlink %s", path);
	return xopen(path, O_RDWR | O_CREAT | O_EXCL | O_DIRECT);
}

void dio_pwrite_gen(int fd, struct model *m, uint64_t off, size_t len, unsigned gen)
{
	void *buf = xalloc_aligned(len);
	ssize_t r;

	fill_pat(buf, off, len, gen);
	r = pwrite(fd, buf, len, (off_t)off);
	if (r != (ssize_t)len)
		fail_errno("O_DIRECT pwrite %zu at %llu returned %zd", len,
			   (unsigned long long)off, r);
	if (m)
		model_write(m, off, len, gen);
	free(buf);
}

void dirty_free_space(size_t bytes)
{
	const char *path = test_path("stale.fill");
	size_t chunk = 1 * MiB;
	void *buf;
	int fd;

	if (test_listing())
		return;
	buf = xalloc_aligned(chunk);
	fd = create_direct(path);

	memset(buf, STALE_BYTE, chunk);
	for (size_t off = 0; off < bytes; off += chunk)
		if (pwrite(fd, buf, chunk, (off_t)off) != (ssize_t)chunk)
			fail_errno("filling free space with stale bytes");
	if (fsync(fd))
		fail_errno("fsync stale fill");
	close(fd);
	unlink(path);
	free(buf);
}

int64_t file_phys(int fd, uint64_t off)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe[1];
	} f;

	memset(&f, 0, sizeof(f));
	f.fm.fm_start = off;
	f.fm.fm_length = 1;
	f.fm.fm_flags = FIEMAP_FLAG_SYNC;
	f.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &f.fm))
		fail_errno("FIEMAP");
	if (f.fm.fm_mapped_extents < 1 || f.fe[0].fe_logical > off)
		return -1;
	return (int64_t)(f.fe[0].fe_physical + (off - f.fe[0].fe_logical));
}

unsigned dev_inflight_dir(bool write)
{
	char path[256], line[128];
	unsigned r = 0, w = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/inflight", test_dev());
	f = fopen(path, "r");
	if (!f)
		fail_errno("open %s", path);
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%u %u", &r, &w) != 2)
		fail("cannot parse %s", path);
	fclose(f);
	return write ? w : r;
}

unsigned dev_inflight(void)
{
	return dev_inflight_dir(false) + dev_inflight_dir(true);
}

void wait_inflight(unsigned n)
{
	if (!*test_dev())
		return;
	while (dev_inflight() < n)
		usleep(200);
}

void wait_idle(void)
{
	int64_t t0 = now_us();
	unsigned n;

	if (!*test_dev())
		return;
	while ((n = dev_inflight()) > 0) {
		if (now_us() - t0 > 10 * 1000 * 1000)
			fail("%s still has %u request(s) in flight after 10 s", test_dev(), n);
		usleep(200);
	}
}

int nullb_set(const char *attr, const char *val)
{
	char path[512];
	int fd, ret = 0;
	size_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", test_nullb(), attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}
