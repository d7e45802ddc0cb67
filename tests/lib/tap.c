// SPDX-License-Identifier: GPL-2.0
/* TAP output, case bookkeeping, environment, time. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

const char *tap_fs = "unknown";
static const char *tap_test = "unknown";
static char cur_case[128] = "setup";
static unsigned cur_alarm;

static void on_alarm(int sig)
{
	char msg[512];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg),
		     "not ok - %s/%s/%s: timed out after %us (kernel hang or lost completion?)\n",
		     tap_fs, tap_test, cur_case, cur_alarm);
	if (n > 0) {
		ssize_t r = write(STDOUT_FILENO, msg, (size_t)n);
		(void)r;
	}
	_exit(3);
}

void tap_init(const char *test)
{
	const char *fs = getenv("TEST_FS");
	struct sigaction sa;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_test = test;
	if (fs && *fs)
		tap_fs = fs;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (test_listing())
		return;
	diag("%s on %s, kernel %s, device latency %u ms, expecting %s behaviour",
	     test, tap_fs, getenv("AIOLOCK_KERNEL") ? getenv("AIOLOCK_KERNEL") : "?",
	     test_delay_ms(), !feature_dio_lock() ? "6.12 baseline" :
	     feature_dio_lock_exclusive() ? "NEW (AIOLOCK_FEATURE_DIO_LOCK=1)" :
	     "NEW, exclusive holds waited for (AIOLOCK_FEATURE_DIO_LOCK_EXCL=0)");
}

static bool case_selected(const char *name)
{
	const char *f = getenv("TESTS_CASE");
	char full[256], words[512], *w, *save;

	if (!f || !*f)
		return true;
	snprintf(full, sizeof(full), "%s/%s", tap_test, name);
	snprintf(words, sizeof(words), "%s", f);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (strstr(full, w))
			return true;
	return false;
}

bool case_begin(const char *name, unsigned seconds)
{
	if (!case_selected(name))
		return false;
	if (test_listing()) {
		printf("plan - %s/%s/%s\n", tap_fs, tap_test, name);
		return false;
	}
	snprintf(cur_case, sizeof(cur_case), "%s", name);
	cur_alarm = seconds;
	alarm(seconds);
	return true;
}

void case_ok(void)
{
	alarm(0);
	printf("ok - %s/%s/%s\n", tap_fs, tap_test, cur_case);
	fflush(stdout);
}

void case_skip(const char *fmt, ...)
{
	va_list ap;

	alarm(0);
	printf("ok - %s/%s/%s # SKIP ", tap_fs, tap_test, cur_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void vfail(const char *fmt, va_list ap, int err)
{
	char msg[1024];

	alarm(0);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (err)
		printf("not ok - %s/%s/%s: %s: %s\n", tap_fs, tap_test, cur_case, msg, strerror(err));
	else
		printf("not ok - %s/%s/%s: %s\n", tap_fs, tap_test, cur_case, msg);
	fflush(stdout);
	exit(1);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void fail_errno(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	vfail(fmt, ap, err ? err : EIO);
	va_end(ap);
	exit(1);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *test_dir(void) { return env_or("TEST_DIR", "/tmp"); }
const char *test_dev(void) { return env_or("TEST_DEV", ""); }
const char *test_nullb(void) { return env_or("TEST_NULLB", ""); }

unsigned test_delay_ms(void)
{
	return (unsigned)atoi(env_or("TEST_DELAY_MS", "0"));
}

unsigned late_completion_ms(void)
{
	unsigned d = test_delay_ms();

	return d / 4 > 50 ? d / 4 : 50;
}

/* never on a kernel named baseline, so one environment serves both runs */
bool feature_dio_lock(void)
{
	return strcmp(env_or("AIOLOCK_FEATURE_DIO_LOCK", "0"), "1") == 0 &&
	       strcmp(env_or("AIOLOCK_KERNEL", ""), "baseline") != 0 &&
	       fs_converted();
}

/* AIOLOCK_FEATURE_DIO_LOCK_EXCL=0: PREEMPT_RT does not hand write locks off */
bool feature_dio_lock_exclusive(void)
{
	return feature_dio_lock() &&
	       strcmp(env_or("AIOLOCK_FEATURE_DIO_LOCK_EXCL", "1"), "0") != 0;
}

bool test_listing(void)
{
	return strcmp(env_or("TEST_LIST", "0"), "1") == 0;
}

bool timed_run(void)
{
	return *test_dev() && test_delay_ms() >= 20;
}

bool timing_checks(void)
{
	return test_delay_ms() >= 20 && fs_converted();
}

bool fs_is_xfs(void) { return strncmp(tap_fs, "xfs", 3) == 0; }
bool fs_is_ext4(void) { return strncmp(tap_fs, "ext4", 4) == 0; }
bool fs_is_ext2(void) { return strcmp(tap_fs, "ext2") == 0; }
bool fs_converted(void) { return fs_is_xfs() || fs_is_ext4() || fs_is_ext2(); }
bool fs_is(const char *name) { return strcmp(tap_fs, name) == 0; }

const char *no_timing_why(void)
{
	static char why[160];

	if (!fs_converted())
		snprintf(why, sizeof(why), "%s is not converted by the series: its "
			 "timing is not judged; data checked", tap_fs);
	else
		snprintf(why, sizeof(why), "device latency %u ms is too short to judge "
			 "timing; data checked", test_delay_ms());
	return why;
}

/* In 6.12: btrfs has no ->iopoll; gfs2 does not set FMODE_NOWAIT. */
bool fs_has_fallocate(void) { return !fs_is_ext2(); }
bool fs_has_nowait(void) { return !fs_is_ext2() && !fs_is("gfs2"); }
bool fs_has_iopoll(void) { return !fs_is_ext2() && !fs_is("btrfs"); }
bool fs_has_reflink(void) { return fs_is("xfs-reflink"); }

const char *test_path(const char *name)
{
	static char bufs[4][512];
	static unsigned i;
	char *b = bufs[i++ % 4];

	snprintf(b, 512, "%s/%s", test_dir(), name);
	return b;
}

int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
