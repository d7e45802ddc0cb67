// SPDX-License-Identifier: GPL-2.0
/*
 * Sample where the threads of an I/O workload wait, while it runs.
 *
 *   iowq-sample -b BLOCKDEV [-c COMM] [-i INTERVAL_MS]
 *
 * Every INTERVAL_MS (default 10) until SIGTERM or SIGINT, reads the
 * requests in flight on BLOCKDEV (/sys/block/BLOCKDEV/inflight) and the
 * wait channel (/proc/PID/task/TID/wchan) of every thread of the processes
 * named COMM (default "fio"): the submitting threads and their io_uring
 * workers (iou-wrk-*, threads of the same process).  The thread list is
 * refreshed every 10 samples, as io-wq starts and retires workers.  On
 * exit, prints
 *
 *   RESULT samples=N inflight_mean=X inflight_max=N workers_mean=X
 *          workers_max=N busy_pct=X
 *   WCHAN worker|submitter FUNCTION COUNT
 *
 * one WCHAN line per (kind, state and wait channel), most frequent first:
 * FUNCTION is "S:wchan" with the thread's state letter from
 * /proc/PID/task/TID/stat (R running, S sleeping interruptibly, D
 * uninterruptibly: a lock or I/O wait) and its wait channel ("-" if
 * none).  On User Mode Linux the wait channel is a guess (a scan of the
 * stack for the first text address above the scheduler); the state is
 * not.  busy_pct is the share of
 * CPU time (all CPUs) that was not idle or iowait over the sampling
 * period, from /proc/stat.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256
#define MAX_CHANS 128

struct thread {
	char path[64];		/* /proc/PID/task/TID/wchan */
	char stat[64];		/* /proc/PID/task/TID/stat */
	int worker;		/* an io-wq worker, not a submitter */
};

struct chan {
	char name[64];
	int worker;
	long count;
};

static struct thread threads[MAX_THREADS];
static int nthreads;
static struct chan chans[MAX_CHANS];
static int nchans;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

/* Read a small file into buf (NUL-terminated, trailing newline removed). */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static int numeric(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* The threads of every process named comm. */
static void scan_threads(const char *comm)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;

	if (!proc)
		fail("/proc");
	nthreads = 0;
	while ((p = readdir(proc))) {
		char path[128], name[64];
		DIR *task;
		struct dirent *t;

		if (!numeric(p->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", p->d_name);
		if (read_small(path, name, sizeof(name)) || strcmp(name, comm))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((t = readdir(task)) && nthreads < MAX_THREADS) {
			struct thread *th = &threads[nthreads];

			if (!numeric(t->d_name))
				continue;
			snprintf(path, sizeof(path), "/proc/%.20s/task/%.20s/comm",
				 p->d_name, t->d_name);
			if (read_small(path, name, sizeof(name)))
				continue;
			th->worker = !strncmp(name, "iou-wrk-", 8);
			snprintf(th->path, sizeof(th->path),
				 "/proc/%.20s/task/%.20s/wchan", p->d_name, t->d_name);
			snprintf(th->stat, sizeof(th->stat),
				 "/proc/%.20s/task/%.20s/stat", p->d_name, t->d_name);
			nthreads++;
		}
		closedir(task);
	}
	closedir(proc);
}

static void count_chan(const char *name, int worker)
{
	int i;

	for (i = 0; i < nchans; i++) {
		if (chans[i].worker == worker && !strcmp(chans[i].name, name)) {
			chans[i].count++;
			return;
		}
	}
	if (nchans == MAX_CHANS)
		return;
	snprintf(chans[nchans].name, sizeof(chans[nchans].name), "%.63s", name);
	chans[nchans].worker = worker;
	chans[nchans].count = 1;
	nchans++;
}

/* Busy and total jiffies of all CPUs, from the first line of /proc/stat. */
static void cpu_times(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long v[8] = { 0 };
	char buf[512];
	int i;

	if (read_small("/proc/stat", buf, sizeof(buf)) ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		fail("/proc/stat");
	*total = 0;
	for (i = 0; i < 8; i++)
		*total += v[i];
	*busy = *total - v[3] - v[4];	/* idle, iowait */
}

static int cmp_chan(const void *a, const void *b)
{
	const struct chan *x = a, *y = b;

	if (x->worker != y->worker)
		return y->worker - x->worker;
	return (y->count > x->count) - (y->count < x->count);
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *comm = "fio";
	long interval_ms = 10, samples = 0, inflight_sum = 0, workers_sum = 0;
	long inflight_max = 0, workers_max = 0;
	unsigned long long busy0, total0, busy1, total1;
	struct timespec ts;
	struct sigaction sa;
	char path[128];
	int opt, i;

	while ((opt = getopt(argc, argv, "b:c:i:")) != -1) {
		switch (opt) {
		case 'b':
			dev = optarg;
			break;
		case 'c':
			comm = optarg;
			break;
		case 'i':
			interval_ms = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: iowq-sample -b BLOCKDEV [-c COMM] [-i MS]\n");
			return 2;
		}
	}
	if (!dev || interval_ms <= 0) {
		fprintf(stderr, "usage: iowq-sample -b BLOCKDEV [-c COMM] [-i MS]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/block/%s/inflight", dev);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ts.tv_sec = interval_ms / 1000;
	ts.tv_nsec = (interval_ms % 1000) * 1000000L;

	cpu_times(&busy0, &total0);
	while (!stop) {
		char buf[128];
		long r = 0, w = 0, workers = 0;

		if (samples % 10 == 0)
			scan_threads(comm);
		if (read_small(path, buf, sizeof(buf)) ||
		    sscanf(buf, "%ld %ld", &r, &w) != 2)
			fail(path);
		inflight_sum += r + w;
		if (r + w > inflight_max)
			inflight_max = r + w;
		for (i = 0; i < nthreads; i++) {
			char st[512], *c, name[80];

			/* A thread that has exited since the last scan. */
			if (read_small(threads[i].stat, st, sizeof(st)) ||
			    read_small(threads[i].path, buf, sizeof(buf)))
				continue;
			/* "PID (COMM) S ...": the state follows the last ')' */
			c = strrchr(st, ')');
			workers += threads[i].worker;
			snprintf(name, sizeof(name), "%c:%.60s",
				 c && c[1] && c[2] ? c[2] : '?',
				 strcmp(buf, "0") ? buf : "-");
			count_chan(name, threads[i].worker);
		}
		workers_sum += workers;
		if (workers > workers_max)
			workers_max = workers;
		samples++;
		nanosleep(&ts, NULL);
	}
	cpu_times(&busy1, &total1);

	if (!samples) {
		fprintf(stderr, "iowq-sample: stopped before the first sample\n");
		return 1;
	}
	printf("RESULT samples=%ld inflight_mean=%.2f inflight_max=%ld workers_mean=%.2f workers_max=%ld busy_pct=%.1f\n",
	       samples, (double)inflight_sum / samples, inflight_max,
	       (double)workers_sum / samples, workers_max,
	       total1 > total0 ?
	       100.0 * (double)(busy1 - busy0) / (double)(total1 - total0) : 0.0);
	qsort(chans, nchans, sizeof(chans[0]), cmp_chan);
	for (i = 0; i < nchans; i++)
		printf("WCHAN %s %s %ld\n", chans[i].worker ? "worker" : "submitter",
		       chans[i].name, chans[i].count);
	return 0;
}
