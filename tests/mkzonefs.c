// SPDX-License-Identifier: GPL-2.0
/*
 * mkzonefs DEVICE: format a zoned block device for zonefs (Debian has no
 * zonefs-tools).  Resets every sequential zone and writes the 4 KiB super
 * block of fs/zonefs/zonefs.h into the first zone, which must be
 * conventional: magic, CRC32 (the kernel's crc32(~0, ...) of the block
 * with the CRC field zero: reflected 0xEDB88320, no final inversion), no
 * label, no UUID, no features (files of root, mode 0640, one file per
 * zone).  Not a test: tests/run.sh runs it for the zonefs configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/blkzoned.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ZONEFS_MAGIC 0x5a4f4653
#define ZONEFS_SUPER_SIZE 4096

static uint32_t crc32_le(uint32_t crc, const unsigned char *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	unsigned char sb[ZONEFS_SUPER_SIZE];
	struct blk_zone_range all;
	uint64_t bytes;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mkzonefs DEVICE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_EXCL);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		perror(argv[1]);
		return 1;
	}
	all.sector = 0;
	all.nr_sectors = bytes >> 9;
	if (ioctl(fd, BLKRESETZONE, &all)) {
		fprintf(stderr, "mkzonefs: %s: resetting the zones: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	memset(sb, 0, sizeof(sb));
	put_le32(sb, ZONEFS_MAGIC);		/* s_magic; s_crc at 4 is 0 */
	put_le32(sb + 4, crc32_le(~0U, sb, sizeof(sb)));
	if (pwrite(fd, sb, sizeof(sb), 0) != (ssize_t)sizeof(sb) || fsync(fd) ||
	    close(fd)) {
		fprintf(stderr, "mkzonefs: %s: writing the super block: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	return 0;
}
