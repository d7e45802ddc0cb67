// SPDX-License-Identifier: GPL-2.0
/*
 * kill_inflight: a process killed (SIGKILL) or exiting with async DIO in
 * flight.
 *
 * A child process submits aligned overwrites and a sub-block extending
 * write through libaio or io_uring, tells the parent, and is then killed
 * or exits without reaping.  The parent then truncates the file and a new
 * writer writes to it, both within a bounded time (the case alarm), and
 * the data must match the model:
 *   libaio: io_submit() returned, so every write was issued and must be
 *           on disk (the kernel waits for in-flight AIO at exit).
 *   io_uring: a request may have been cancelled before it was issued, so
 *           each 512-byte sector is either the old or the new data.
 *
 * Why: with the series an in-flight DIO owns i_rwsem until it completes;
 * if the completion of an I/O whose submitter is gone never releases the
 * lock (task_work that never runs, a reference to the dead task), the
 * truncate or the next writer hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define FSIZE (256 * KiB)
#define NW 8
#define WLEN (32 * KiB)
#define SUBOFF (FSIZE + 1024)

static void child(enum api api, int pipefd, const char *path, bool exit_now)
{
	int fd = open(path, O_RDWR | O_DIRECT);
	unsigned char *buf = xalloc_aligned(NW * WLEN + FSBLOCK);
	struct aq q;

	if (fd < 0)
		_exit(10);
	aq_init(&q, api, 16);
	/* sub-block extending write first (synchronous on 6.12) */
	fill_pat(buf + NW * WLEN, SUBOFF, SECTOR, 2);
	aq_queue(&q, fd, true, buf + NW * WLEN, SECTOR, SUBOFF, 100, 0);
	if (aq_flush(&q) != 1)
		_exit(11);
	for (unsigned i = 0; i < NW; i++) {
		fill_pat(buf + i * WLEN, (uint64_t)i * WLEN, WLEN, 2);
		aq_queue(&q, fd, true, buf + i * WLEN, WLEN, (uint64_t)i * WLEN, i, 0);
	}
	if (aq_flush(&q) != NW)
		_exit(12);
	if (write(pipefd, "x", 1) != 1)
		_exit(13);
	if (exit_now)
		_exit(0);
	pause();
	_exit(14);
}

static void run_case(enum api api, bool kill_it)
{
	char name[64];
	const char *path = test_path("kill.f");
	unsigned char *buf = xalloc_aligned(WLEN);
	struct model old, new;
	int p[2], fd, status;
	pid_t pid;
	int64_t t0;
	char c;

	snprintf(name, sizeof(name), "%s-%s", kill_it ? "sigkill" : "exit", api_name(api));
	if (!case_begin(name, 60))
		return;
	model_init(&old, 1 * MiB);
	model_init(&new, 1 * MiB);
	fd = create_direct(path);
	dio_pwrite_gen(fd, &old, 0, FSIZE, 1);
	model_write(&new, 0, FSIZE, 1);
	/* what the child writes */
	model_write(&new, 0, NW * WLEN, 2);
	model_write(&new, SUBOFF, SECTOR, 2);
	model_truncate(&old, new.size);
	memcpy(old.buf + SUBOFF, new.buf + SUBOFF, SECTOR);  /* sync, or issued */
	if (pipe(p))
		fail_errno("pipe");
	pid = fork();
	if (pid < 0)
		fail_errno("fork");
	if (pid == 0) {
		alarm(0);
		close(p[0]);
		child(api, p[1], path, !kill_it);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		fail("child failed before submitting (status 0x%x)", status);
	}
	t0 = now_us();
	if (kill_it && kill(pid, SIGKILL))
		fail_errno("kill");
	if (waitpid(pid, &status, 0) != pid)
		fail_errno("waitpid");
	if (kill_it ? !WIFSIGNALED(status) : !WIFEXITED(status) || WEXITSTATUS(status))
		fail("child ended with status 0x%x", status);
	diag("%s: child gone after %.1f ms", name, (now_us() - t0) / 1000.0);
	close(p[0]);

	/* truncate and a new writer must proceed */
	if (ftruncate(fd, 192 * KiB))
		fail_errno("ftruncate after the child died");
	model_truncate(&old, 192 * KiB);
	model_truncate(&new, 192 * KiB);
	{
		struct aq q;

		aq_init(&q, API_LIBAIO, 4);
		fill_pat(buf, 16 * KiB, WLEN, 3);
		if (aq_sync(&q, fd, true, buf, WLEN, 16 * KiB) != WLEN)
			fail("new writer's write failed");
		aq_exit(&q);
	}
	model_write(&old, 16 * KiB, WLEN, 3);
	model_write(&new, 16 * KiB, WLEN, 3);
	diag("%s: truncate and new write done %.1f ms after the kill", name,
	     (now_us() - t0) / 1000.0);
	close(fd);
	if (api == API_LIBAIO)
		check_file(path, &new, true, "file");
	else
		check_file_either(path, &old, &new, "file");
	model_free(&old);
	model_free(&new);
	free(buf);
	case_ok();
}

int main(void)
{
	tap_init("kill_inflight");
	for (int a = API_LIBAIO; a <= API_URING; a++) {
		run_case((enum api)a, true);
		run_case((enum api)a, false);
	}
	return 0;
}
