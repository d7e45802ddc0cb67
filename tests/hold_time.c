// SPDX-License-Identifier: GPL-2.0
/*
 * hold_time: how long i_rwsem users wait for direct I/O in flight.
 *
 * i_rwsem is a VFS lock: chmod, utimes, setxattr, unlink, rename, link and
 * (on XFS and ext4) buffered writes take it exclusively.  On 6.12 they
 * already wait for a synchronous direct I/O, whose submitter holds the lock
 * (shared) until the I/O is done, but not for an asynchronous one.  With
 * the series an asynchronous direct I/O holds the lock until it completes,
 * exactly as a synchronous one does.  These cases pin that down, with
 * numbers, on both kernels.
 *
 * Each case creates a 64 KiB file F in directory X, puts one 32 KiB
 * O_DIRECT I/O on it in flight, then runs one operation and measures how
 * long the operation takes.  The I/O (second part of the case name):
 *
 *   aread-libaio, aread-uring   async read (libaio, io_uring)
 *   awrite-libaio               async aligned overwrite (libaio)
 *   sread, swrite               synchronous O_DIRECT pread/pwrite by
 *                               another thread of the same process
 *
 * The operation (first part), each on F from the measuring task:
 *
 *   fchmod, fchown, futimens, fsetxattr   (notify_change / setxattr)
 *   unlink                 unlink X/F (X is locked for the duration)
 *   rename, rename_xdir    rename X/F within X; to directory Y (a
 *                          cross-directory rename, s_vfs_rename_mutex)
 *   link                   link X/F to X/F.link
 *   pwrite_buffered        a buffered 4 KiB write to another block of F
 *   create_sibling         bystander: another task unlinks X/F and waits
 *                          there; the measured task creates X/G
 *   rename_bystander       bystander: another task renames X/F to Y and
 *                          waits there; the measured task renames P/a to
 *                          Q/a, unrelated directories of the filesystem
 *                          (bystanders are timed from the moment the other
 *                          task sleeps in the kernel or has finished)
 *   fstat, read_cached     controls: fstat(F), and a buffered read of a
 *                          cached block of F (XFS takes the lock shared)
 *
 * Before the I/O, the filesystem is frozen and thawed, so that no journal
 * or log write-back is pending: every request on the device takes D,
 * metadata I/O too.  The operation must start while the I/O is in flight
 * and within D/2 of its submission (otherwise the attempt shows nothing
 * and is run again, up to 3 times).
 *
 * Expected, with D the device latency: every operation but the controls
 * waits for the I/O when the I/O is synchronous (both kernels), and when it
 * is asynchronous with the series (AIOLOCK_FEATURE_DIO_LOCK=1): it returns
 * no earlier than 0.9 D after the I/O was submitted and sooner than 4 D,
 * with the I/O's completion posted by then (or within 50 ms: the lock is
 * released just before the completion is posted) and a read no longer on
 * the device: it waits for that one I/O and at most for its own metadata
 * I/O (ext4 may have to wait for a journal commit in progress before it
 * can start a handle, and a commit writes its blocks and then its commit
 * record, each taking D).  A bystander's other task must not finish while
 * the I/O is in flight.  Otherwise the operation must not wait: it takes
 * less than D/2 and returns with the I/O still in flight; an attempt in
 * which it does not is run again (the guest can stall), and the case fails
 * if all 3 attempts do.  The controls never wait.  The one 6.12 operation
 * that waits for async direct I/O too is ext4's buffered write
 * (inode_dio_wait()).  On PREEMPT_RT the series completes async direct
 * I/O inside the submission (no disown there), so the async cases fail
 * as "completed before the operation could start": that is the behaviour
 * this test exists to show.
 *
 * On the filesystems the series does not convert (fs_converted()), the
 * same cases run and are measured, but nothing is expected of them: their
 * locking differs from XFS's and ext4's already on 6.12 (f2fs reads take
 * no i_rwsem at all), and what matters is that the series leaves it as it
 * was.  Each accepted measurement is classified (see one_try()) and its
 * line gets a fifth field, W (waited for the I/O), N (did not), X (the I/O
 * had completed before the operation could start) or A (ambiguous); make
 * check requires the same class on both kernels, A on both excepted
 * (scripts/verdict/hold-time-table.sh -c).
 *
 * Every case prints its accepted measurement as
 *   # hold: FS OP IO OP_MS [CLASS]
 * (OP_MS: how long the operation took);
 * scripts/verdict/hold-time-table.sh turns those lines of a baseline and
 * a patched run into a table.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>
#include "testlib.h"

#define FSIZE (64 * KiB)
#define IO_OFF (32 * KiB)
#define IO_LEN (32 * KiB)
#define CACHED_OFF 0
#define BUFW_OFF (16 * KiB)
#define CASE_ALARM 60
#define MAX_ATTEMPTS 3

enum io { IO_AREAD_LIBAIO, IO_AREAD_URING, IO_AWRITE_LIBAIO, IO_SREAD, IO_SWRITE, IO_NR };
static const char *io_name[IO_NR] = { "aread-libaio", "aread-uring", "awrite-libaio",
				      "sread", "swrite" };

static bool io_sync(enum io io)
{
	return io == IO_SREAD || io == IO_SWRITE;
}

static bool io_write(enum io io)
{
	return io == IO_AWRITE_LIBAIO || io == IO_SWRITE;
}

struct paths {
	char x[256], y[256], p[256], q[256];
	char f[300], f2[300], fy[300], link[300], g[300], pa[300], qa[300];
};

enum op { OP_FCHMOD, OP_FCHOWN, OP_FUTIMENS, OP_FSETXATTR, OP_UNLINK, OP_RENAME,
	  OP_RENAME_XDIR, OP_LINK, OP_PWRITE_BUFFERED, OP_CREATE_SIBLING,
	  OP_RENAME_BYSTANDER, OP_FSTAT, OP_READ_CACHED, OP_NR };
static const char *op_name[OP_NR] = {
	"fchmod", "fchown", "futimens", "fsetxattr", "unlink", "rename", "rename_xdir",
	"link", "pwrite_buffered", "create_sibling", "rename_bystander", "fstat",
	"read_cached",
};

static bool op_control(enum op op)
{
	return op == OP_FSTAT || op == OP_READ_CACHED;
}

/*
 * ext2's directory operations do metadata I/O of their own on this device:
 * on 6.12, with an async direct I/O in flight that holds no lock, unlink
 * and link took 200 ms, rename and create 400 ms, the rename bystander
 * 820 ms (device latency 100 ms), so the test cannot tell their wait for
 * the direct I/O from their own.
 */
static const char *op_skip(enum op op)
{
	if (!fs_is_ext2())
		return NULL;
	switch (op) {
	case OP_UNLINK: case OP_RENAME: case OP_RENAME_XDIR: case OP_LINK:
	case OP_CREATE_SIBLING: case OP_RENAME_BYSTANDER:
		return "ext2's directory operations wait for metadata I/O of their "
		       "own (200-820 ms on 6.12 with the device at 100 ms)";
	default:
		return NULL;
	}
}

/* 6.12 waits for async direct I/O here too: inode_dio_wait() */
static bool op_baseline_waits(enum op op)
{
	return op == OP_PWRITE_BUFFERED && fs_is_ext4();
}

/* The synchronous I/O of another thread. */
struct sync_io {
	pthread_t thr;
	int fd;
	bool write;
	void *buf;
	atomic_int done;
	atomic_int tid;
	_Atomic int64_t t_start;
	ssize_t res;
	int err;
};

static void *sync_io_thread(void *arg)
{
	struct sync_io *s = arg;

	atomic_store(&s->tid, gettid());
	atomic_store(&s->t_start, now_us());
	if (s->write)
		s->res = pwrite(s->fd, s->buf, IO_LEN, IO_OFF);
	else
		s->res = pread(s->fd, s->buf, IO_LEN, IO_OFF);
	s->err = errno;
	atomic_store(&s->done, 1);
	return NULL;
}

static void xmkdir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		fail_errno("mkdir %s", path);
}

static void set_paths(struct paths *p)
{
	snprintf(p->x, sizeof(p->x), "%s", test_path("hold.X"));
	snprintf(p->y, sizeof(p->y), "%s", test_path("hold.Y"));
	snprintf(p->p, sizeof(p->p), "%s", test_path("hold.P"));
	snprintf(p->q, sizeof(p->q), "%s", test_path("hold.Q"));
	snprintf(p->f, sizeof(p->f), "%s/F", p->x);
	snprintf(p->f2, sizeof(p->f2), "%s/F2", p->x);
	snprintf(p->fy, sizeof(p->fy), "%s/F", p->y);
	snprintf(p->link, sizeof(p->link), "%s/F.link", p->x);
	snprintf(p->g, sizeof(p->g), "%s/G", p->x);
	snprintf(p->pa, sizeof(p->pa), "%s/a", p->p);
	snprintf(p->qa, sizeof(p->qa), "%s/a", p->q);
	xmkdir(p->x);
	xmkdir(p->y);
	xmkdir(p->p);
	xmkdir(p->q);
	unlink(p->f2);
	unlink(p->fy);
	unlink(p->link);
	unlink(p->g);
	unlink(p->qa);
}

/* State letter from /proc/PID/stat or /proc/PID/task/TID/stat, 0 if none. */
static char stat_state(const char *path)
{
	char buf[512], *r;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	r = strrchr(buf, ')');
	return r && r[1] == ' ' ? r[2] : 0;
}

/* State of a process (tid 0) or of a thread of this process. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64];

	if (tid)
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return stat_state(path);
}

/*
 * Bystanders: a child runs the operation on F (which may wait for the
 * I/O, holding the directory locks); once it sleeps in the kernel (state
 * D) or has finished, the measured task runs an operation that needs only
 * those directory locks.  The child is forked before the I/O is submitted
 * (forking takes tens of milliseconds on User Mode Linux) and starts its
 * operation when told through a pipe.
 */
struct primary {
	pid_t pid;
	int go;         /* write end of the pipe that starts it */
	int done;       /* read end of the pipe it writes to when finished */
	bool finished;
};

static void fork_primary(struct primary *pr, enum op op, const struct paths *p)
{
	int fds[2], dfds[2];
	char c;

	if (pipe(fds) || pipe2(dfds, O_NONBLOCK))
		fail_errno("pipe");
	pr->pid = fork();
	if (pr->pid < 0)
		fail_errno("fork");
	if (pr->pid == 0) {
		int r;

		close(fds[1]);
		close(dfds[0]);
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		r = op == OP_CREATE_SIBLING ? unlink(p->f) : rename(p->f, p->fy);
		/* before exiting, which takes long on User Mode Linux */
		if (write(dfds[1], "d", 1) != 1)
			_exit(3);
		_exit(r ? 1 : 0);
	}
	close(fds[0]);
	close(dfds[1]);
	pr->go = fds[1];
	pr->done = dfds[0];
}

/* Start the primary operation and wait until it sleeps or has finished. */
static void start_primary(struct primary *pr)
{
	int64_t t0 = now_us();

	if (write(pr->go, "g", 1) != 1)
		fail_errno("write to the primary task's pipe");
	close(pr->go);
	for (;;) {
		char st = task_state(pr->pid, 0);
		char c;

		if (read(pr->done, &c, 1) == 1 || st == 'Z' || st == 0) {
			pr->finished = true;
			return;
		}
		if (st == 'D')
			return;
		if (now_us() - t0 > 10 * 1000000LL)
			fail("the task running the primary operation neither slept in the "
			     "kernel nor finished within 10 s (state %c)", st);
		usleep(200);
	}
}

static void end_primary(struct primary *pr)
{
	int status;

	if (pr->pid <= 0)
		return;
	if (waitpid(pr->pid, &status, 0) != pr->pid)
		fail_errno("waitpid");
	close(pr->done);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("the task running the primary operation failed (status 0x%x)", status);
}

static void run_op(enum op op, int fd, const struct paths *p, struct model *m)
{
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	unsigned char *buf;
	struct stat st;
	int wfd;

	switch (op) {
	case OP_FCHMOD:
		if (fchmod(fd, 0600))
			fail_errno("fchmod");
		break;
	case OP_FCHOWN:
		if (fchown(fd, getuid(), getgid()))
			fail_errno("fchown");
		break;
	case OP_FUTIMENS:
		if (futimens(fd, ts))
			fail_errno("futimens");
		break;
	case OP_FSETXATTR:
		if (fsetxattr(fd, "user.hold", "1", 1, 0))
			fail_errno("fsetxattr");
		break;
	case OP_UNLINK:
		if (unlink(p->f))
			fail_errno("unlink");
		break;
	case OP_RENAME:
		if (rename(p->f, p->f2))
			fail_errno("rename");
		break;
	case OP_RENAME_XDIR:
		if (rename(p->f, p->fy))
			fail_errno("rename to another directory");
		break;
	case OP_LINK:
		if (link(p->f, p->link))
			fail_errno("link");
		break;
	case OP_PWRITE_BUFFERED:
		wfd = xopen(p->f, O_RDWR);
		buf = xalloc_aligned(FSBLOCK);
		fill_pat(buf, BUFW_OFF, FSBLOCK, 3);
		if (pwrite(wfd, buf, FSBLOCK, BUFW_OFF) != FSBLOCK)
			fail_errno("buffered pwrite");
		model_write(m, BUFW_OFF, FSBLOCK, 3);
		free(buf);
		close(wfd);
		break;
	case OP_CREATE_SIBLING:
	case OP_RENAME_BYSTANDER:
		/* not timed: the wait for the primary to go to sleep */
		break;
	case OP_FSTAT:
		if (fstat(fd, &st))
			fail_errno("fstat");
		break;
	case OP_READ_CACHED:
		wfd = xopen(p->f, O_RDONLY);
		buf = xalloc_aligned(FSBLOCK);
		if (pread(wfd, buf, FSBLOCK, CACHED_OFF) != FSBLOCK)
			fail_errno("buffered pread");
		for (long i = 0; i < FSBLOCK; i++)
			if (buf[i] != pat(1, CACHED_OFF + i))
				fail("buffered read: wrong byte at %ld", CACHED_OFF + i);
		free(buf);
		close(wfd);
		break;
	default:
		fail("unknown op %d", op);
	}
}

/* The bystander's own, timed, operation. */
static void run_bystander(enum op op, const struct paths *p)
{
	int fd;

	if (op == OP_CREATE_SIBLING) {
		fd = open(p->g, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			fail_errno("create %s", p->g);
		close(fd);
	} else if (rename(p->pa, p->qa)) {
		fail_errno("rename between unrelated directories");
	}
}

/* The I/O in flight, through either interface. */
struct inflight {
	enum io io;
	struct sync_io s;
	struct aq q;
	struct aq_ev ev;
	bool have_ev;
};

/* Has the I/O completed (its completion posted)?  Does not wait. */
static bool io_done(struct inflight *f)
{
	if (io_sync(f->io))
		return atomic_load(&f->s.done);
	if (!f->have_ev)
		f->have_ev = aq_reap(&f->q, 0, 1, &f->ev, 0) == 1;
	return f->have_ev;
}

/* Wait for the completion, then check its result. */
static void io_collect(struct inflight *f)
{
	if (io_sync(f->io)) {
		pthread_join(f->s.thr, NULL);
		close(f->s.fd);
		if (f->s.res != IO_LEN)
			fail("the synchronous %s returned %zd (%s), expected %ld",
			     io_name[f->io], f->s.res,
			     f->s.res < 0 ? strerror(f->s.err) : "short", IO_LEN);
		return;
	}
	if (!f->have_ev)
		f->have_ev = aq_reap(&f->q, 1, 1, &f->ev, -1) == 1;
	aq_exit(&f->q);
	if (f->ev.tag != 1 || f->ev.res != IO_LEN)
		fail("the %s completed with %ld (tag %llu), expected %ld", io_name[f->io],
		     f->ev.res, (unsigned long long)f->ev.tag, IO_LEN);
}

/* measure mode: attempts of the current case whose I/O completed first */
static int n_done_before;

/*
 * Nothing of the set-up may be left to write back when the I/O and the
 * operation run: every request on the device takes D, metadata I/O too,
 * and an operation that has to wait for journal or log I/O (jbd2 waits for
 * a buffer the committing transaction is writing, XFS for a buffer under
 * write-back, which the AIL pushes long after a log force) would look as if
 * it waited for the direct I/O.  Freezing writes back and checkpoints
 * everything.  (Never on a dry run: that may be the host's filesystem.)
 */
static void quiesce(int fd)
{
	int dfd;

	if (!timed_run()) {
		if (syncfs(fd))
			fail_errno("syncfs");
		return;
	}
	dfd = xopen(test_dir(), O_RDONLY | O_DIRECTORY);
	if (ioctl(dfd, FIFREEZE, 0))
		fail_errno("FIFREEZE");
	if (ioctl(dfd, FITHAW, 0))
		fail_errno("FITHAW");
	close(dfd);
}

/*
 * One attempt at a case.  Returns false when the attempt showed nothing
 * (the I/O completed before the operation started, or an operation that
 * must not wait returned after the completion): the caller tries again.
 */
static bool one_try(enum op op, enum io io, int attempt)
{
	unsigned d = test_delay_ms();
	bool bystander = op == OP_CREATE_SIBLING || op == OP_RENAME_BYSTANDER;
	bool expect_wait = !op_control(op) &&
			   (io_sync(io) || feature_dio_lock() || op_baseline_waits(op));
	bool last = attempt + 1 >= MAX_ATTEMPTS;
	struct inflight f = { .io = io, .s = { .fd = -1 } };
	struct primary pr = { .pid = -1, .go = -1, .done = -1 };
	struct paths p;
	struct model m;
	unsigned char *buf, *cbuf;
	int64_t t0, t_op0, t_op1, op_us, end_us;
	bool late_start, done_before, done_at_return, done_late = false;
	bool read_on_device = false, measure = timed_run() && !timing_checks();
	char class = 0;
	bool retry = false;
	int fd, cfd, r;

	set_paths(&p);
	model_init(&m, 1 * MiB);
	fd = create_direct(p.f);
	dio_pwrite_gen(fd, &m, 0, FSIZE, 1);
	if (op == OP_RENAME_BYSTANDER) {
		int afd = open(p.pa, O_CREAT | O_WRONLY, 0644);

		if (afd < 0)
			fail_errno("create %s", p.pa);
		close(afd);
	}
	/* the block read_cached reads, in the page cache */
	cbuf = xalloc_aligned(FSBLOCK);
	cfd = xopen(p.f, O_RDONLY);
	if (pread(cfd, cbuf, FSBLOCK, CACHED_OFF) != FSBLOCK)
		fail_errno("buffered pread to populate the page cache");
	close(cfd);
	quiesce(fd);

	if (bystander)
		fork_primary(&pr, op, &p);
	buf = xalloc_aligned(IO_LEN);
	if (io_write(io)) {
		fill_pat(buf, IO_OFF, IO_LEN, 2);
		model_write(&m, IO_OFF, IO_LEN, 2);
	}
	if (io_sync(io)) {
		f.s.fd = xopen(p.f, O_RDWR | O_DIRECT);
		f.s.write = io_write(io);
		f.s.buf = buf;
		if (pthread_create(&f.s.thr, NULL, sync_io_thread, &f.s))
			fail("pthread_create");
		t0 = 0;
	} else {
		aq_init(&f.q, io == IO_AREAD_URING ? API_URING : API_LIBAIO, 4);
		t0 = now_us();
		r = aq_submit(&f.q, fd, io_write(io), buf, IO_LEN, IO_OFF, 1, 0);
		if (r < 0)
			fail("submit: %s", strerror(-r));
	}
	/*
	 * Wait until it is in flight: a request in our direction on the
	 * device, and the synchronous submitter asleep in the kernel (for
	 * the request, not for the journal's).  If it completes first, the
	 * attempt shows nothing.
	 */
	while (*test_dev() && !io_done(&f) &&
	       !(dev_inflight_dir(io_write(io)) >= 1 &&
		 (!io_sync(io) || task_state(0, atomic_load(&f.s.tid)) == 'D')))
		usleep(200);
	if (io_sync(io))
		t0 = atomic_load(&f.s.t_start);

	if (bystander)
		start_primary(&pr);
	/*
	 * The operation must start while the I/O is in flight, early enough
	 * for "did not wait" to be told from "waited" (the guest can stall).
	 */
	done_before = io_done(&f);
	late_start = timed_run() && (done_before || (now_us() - t0) * 2 >= d * 1000LL);
	if (!late_start && timing_checks() && expect_wait && bystander && pr.finished)
		fail("the task running %s finished while the %s was in flight: it did "
		     "not wait for the I/O, so the bystander cannot have",
		     op == OP_CREATE_SIBLING ? "unlink" : "rename", io_name[io]);
	t_op0 = now_us();
	if (bystander)
		run_bystander(op, &p);
	else
		run_op(op, fd, &p, &m);
	t_op1 = now_us();
	op_us = t_op1 - t_op0;
	end_us = t_op1 - t0;
	done_at_return = io_done(&f);
	if (*test_dev() && !io_write(io))
		read_on_device = dev_inflight_dir(false) >= 1;
	while (!done_at_return && !done_late && now_us() - t_op1 < 50000) {
		usleep(500);
		done_late = io_done(&f);
	}

	if (measure) {
		/*
		 * Nothing is expected; classify for the comparison of the
		 * kernels (hold-time-table.sh -c), by what cannot be a stall:
		 * N, the operation returned less than 0.9 D after the
		 * submission with the completion not posted (the I/O cannot
		 * have completed yet: it did not wait for it); W, it started
		 * within D/2 of the submission with the I/O in flight, took at
		 * least 0.45 D, returned no earlier than 0.9 D after the
		 * submission with the completion posted (by then or within
		 * 50 ms) and, for a read, no longer on the device: it waited;
		 * X, the I/O had completed before the operation started, in
		 * every attempt.  Anything else is run again, and recorded as
		 * A (ambiguous) if the last attempt is still unclassified.
		 */
		bool started_late = done_before || (t_op0 - t0) * 2 >= (int64_t)d * 1000;

		if (attempt == 0)
			n_done_before = 0;
		n_done_before += done_before;
		if (!done_before && !done_at_return && end_us < (int64_t)d * 900)
			class = 'N';
		else if (!started_late && (done_at_return || done_late) && !read_on_device &&
			 op_us * 2 >= (int64_t)d * 900 && end_us >= (int64_t)d * 900)
			class = 'W';
		else if (last && n_done_before == MAX_ATTEMPTS)
			class = 'X';
		else if (last)
			class = 'A';
		if (!class) {
			diag("%s-%s: started %.1f ms after the submission, took %.1f ms, the "
			     "I/O %s: not classified; retrying", op_name[op], io_name[io],
			     (t_op0 - t0) / 1000.0, op_us / 1000.0,
			     done_before ? "already complete" : done_at_return ?
			     "complete at return" : "still in flight at return");
			retry = true;
		}
	} else if (late_start) {
		if (last)
			fail("the %s completed, or the operation could not start within D/2 of "
			     "its submission, in each of %d attempts", io_name[io], attempt + 1);
		diag("%s-%s: the operation started late (%.1f ms after submission) or after "
		     "the I/O completed; retrying", op_name[op], io_name[io],
		     (t_op0 - t0) / 1000.0);
		retry = true;
	} else if (timing_checks() && expect_wait) {
		if (end_us < (int64_t)d * 900)
			fail("%s returned %.1f ms after the %s was submitted, sooner than the "
			     "device latency %u ms: it did not wait for the I/O (expected: %s)",
			     op_name[op], end_us / 1000.0, io_name[io], d,
			     io_sync(io) ? "the synchronous I/O holds i_rwsem" :
			     op_baseline_waits(op) ? "inode_dio_wait()" :
			     "AIOLOCK_FEATURE_DIO_LOCK=1: async I/O holds i_rwsem until it completes");
		if (read_on_device)
			fail("%s returned %.1f ms after the %s was submitted, with the read "
			     "still in flight on the device: it did not wait for the I/O",
			     op_name[op], end_us / 1000.0, io_name[io]);
		if (end_us >= (int64_t)d * 4000)
			fail("%s returned %.1f ms after the %s was submitted, 4 times the "
			     "device latency %u ms: it waited for more than that one I/O",
			     op_name[op], end_us / 1000.0, io_name[io], d);
		if (!done_at_return && !done_late)
			fail("%s returned after %.1f ms but the %s had not completed (not even "
			     "50 ms later)", op_name[op], end_us / 1000.0, io_name[io]);
	} else if (timing_checks() && (done_at_return || op_us * 2 >= d * 1000LL)) {
		/*
		 * Not waiting means returning quickly, with the I/O still in
		 * flight.  An operation that took D/2 or more, or returned
		 * after the completion, either waited or was delayed otherwise
		 * (the guest can stall for tens of milliseconds on a loaded
		 * host): try again, and fail if that happens every time.
		 */
		if (last)
			fail("%s took %.1f ms and returned %.1f ms after the %s was submitted, "
			     "%s, in each of %d attempts: it waited for the I/O, expected not "
			     "to (%s)", op_name[op], op_us / 1000.0, end_us / 1000.0,
			     io_name[io], done_at_return ? "after the I/O had completed" :
			     "at least D/2", attempt + 1,
			     op_control(op) ? "it takes no exclusive lock" :
			     "6.12: async direct I/O does not hold i_rwsem");
		diag("%s-%s: took %.1f ms, %s; retrying", op_name[op], io_name[io],
		     op_us / 1000.0, done_at_return ? "returned after the I/O had completed" :
		     "at least D/2");
		retry = true;
	}

	io_collect(&f);
	end_primary(&pr);
	if (!io_write(io)) {
		for (long i = 0; i < IO_LEN; i++)
			if (buf[i] != pat(1, IO_OFF + i))
				fail("the %s returned a wrong byte 0x%02x at file offset %ld",
				     io_name[io], buf[i], IO_OFF + i);
	}
	check_fd_contents(fd, &m, "file");
	if (!retry) {
		/* only measurements of accepted attempts */
		if (class)
			printf("# hold: %s %s %s %.1f %c\n", tap_fs, op_name[op],
			       io_name[io], op_us / 1000.0, class);
		else
			printf("# hold: %s %s %s %.1f\n", tap_fs, op_name[op], io_name[io],
			       op_us / 1000.0);
		diag("%s-%s: the operation started %.1f ms and returned %.1f ms after the "
		     "I/O was submitted, took %.1f ms (device %u ms); the I/O's completion "
		     "was %s", op_name[op], io_name[io], (t_op0 - t0) / 1000.0,
		     end_us / 1000.0, op_us / 1000.0, d,
		     done_at_return ? "posted" : done_late ? "posted within 50 ms after" :
		     "still pending");
	}
	close(fd);
	model_free(&m);
	free(buf);
	free(cbuf);
	unlink(p.f);
	unlink(p.f2);
	unlink(p.fy);
	unlink(p.link);
	unlink(p.g);
	unlink(p.pa);
	unlink(p.qa);
	return !retry;
}

int main(void)
{
	int nfail = 0;

	tap_init("hold_time");
	if (test_delay_ms() < 20 && !test_listing())
		diag("warning: device latency %u ms is too short for timing checks",
		     test_delay_ms());
	for (enum op op = 0; op < OP_NR; op++) {
		for (enum io io = 0; io < IO_NR; io++) {
			char name[64];
			int status;
			pid_t pid;

			snprintf(name, sizeof(name), "%s-%s", op_name[op], io_name[io]);
			if (!case_begin(name, CASE_ALARM))
				continue;
			if (op_skip(op)) {
				case_skip("%s", op_skip(op));
				continue;
			}
			/* on a dry run (no device) only the data checks run */
			if (*test_dev() && !timed_run()) {
				case_skip("device latency %u ms is too short to time anything",
					  test_delay_ms());
				continue;
			}
			/* each case in its own process, so that every case reports */
			alarm(0);
			pid = fork();
			if (pid < 0)
				fail_errno("fork");
			if (pid == 0) {
				alarm(CASE_ALARM);
				for (int a = 0; !one_try(op, io, a); a++)
					;
				case_ok();
				exit(0);
			}
			if (waitpid(pid, &status, 0) != pid)
				fail_errno("waitpid");
			if (WIFSIGNALED(status))
				printf("not ok - %s/hold_time/%s: killed by signal %d\n", tap_fs,
				       name, WTERMSIG(status));
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				nfail++;
		}
	}
	return nfail ? 1 : 0;
}
