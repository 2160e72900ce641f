/* Standard-output bytes held until their transfer's turn: memory, then an unnamed file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "../http/limits.h"
#include "hold.h"

#define HOLD_MEM_FIRST (64 << 10) /* the memory's first allocation; it doubles up to the cap */
#define HOLD_SEND_MAX (1 << 30)	  /* one sendfile(2) at most */
#define HOLD_COPY_BUF (64 << 10)  /* where sendfile cannot write: pread, then write */

void hold_init(struct hold *h)
{
	memset(h, 0, sizeof(*h));
	h->fd = -1;
}

void hold_free(struct hold *h)
{
	free(h->mem);
	if (h->fd >= 0)
		close(h->fd);
	hold_init(h);
}

uint64_t hold_pending(const struct hold *h)
{
	return (h->mem_len - h->mem_off) + (h->file_len - h->file_off);
}

static const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");
	return d && *d ? d : "/tmp";
}

static enum hc_err fail(struct hold *h, const char *name, int e)
{
	if (name)
		snprintf(h->errmsg, sizeof(h->errmsg), "%s: %s", name, strerror(e));
	else
		snprintf(h->errmsg, sizeof(h->errmsg), "a temporary file in %s: %s", tmp_dir(),
			 strerror(e));
	return h->err = HC_EWRITE;
}

/* As many of n bytes as memory takes (HOLD_MEM_MAX at most); the rest is for the file. */
static size_t mem_add(struct hold *h, const char *p, size_t n)
{
	size_t room = HOLD_MEM_MAX - h->mem_len, k = n < room ? n : room;
	if (h->mem_len + k > h->mem_cap) {
		size_t cap = h->mem_cap ? h->mem_cap : HOLD_MEM_FIRST;
		while (cap < h->mem_len + k)
			cap *= 2;
		if (cap > HOLD_MEM_MAX)
			cap = HOLD_MEM_MAX;
		char *m = realloc(h->mem, cap);
		if (m == NULL) /* no more memory: what does not fit goes to the file */
			k = h->mem_cap - h->mem_len;
		else {
			h->mem = m;
			h->mem_cap = cap;
		}
	}
	if (k > 0)
		memcpy(h->mem + h->mem_len, p, k);
	h->mem_len += k;
	return k;
}

/* An unnamed file in $TMPDIR or /tmp: O_TMPFILE, else a named one unlinked at once. */
static enum hc_err file_open(struct hold *h)
{
	const char *dir = tmp_dir();
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	/* EISDIR: a kernel without O_TMPFILE; EOPNOTSUPP: a filesystem without it */
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		char *path;
		if (asprintf(&path, "%s/hcli-hold-XXXXXX", dir) < 0)
			return fail(h, NULL, ENOMEM);
		fd = mkostemp(path, O_CLOEXEC);
		int e = errno;
		if (fd >= 0)
			(void)unlink(path);
		free(path);
		errno = e;
	}
	if (fd < 0)
		return fail(h, NULL, errno);
	h->fd = fd;
	h->file_off = h->file_len = 0;
	return HC_OK;
}

static enum hc_err file_add(struct hold *h, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = pwrite(h->fd, p, n, (off_t)h->file_len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) /* what was written before stays, to be drained */
			return fail(h, NULL, w < 0 ? errno : ENOSPC);
		h->file_len += (uint64_t)w;
		p += w;
		n -= (size_t)w;
	}
	return HC_OK;
}

enum hc_err hold_write(struct hold *h, const void *buf, size_t n)
{
	const char *p = buf;
	if (h->err)
		return h->err;
	/* memory first, while nothing is in the file: the file's bytes come after memory's */
	if (h->fd < 0) {
		size_t k = mem_add(h, p, n);
		p += k;
		n -= k;
	}
	if (n == 0)
		return HC_OK;
	if (h->fd < 0 && file_open(h))
		return h->err;
	return file_add(h, p, n);
}

/* What is left of the file through a buffer, for an output sendfile(2) cannot write. */
static ssize_t file_copy(struct hold *h, int fd)
{
	char buf[HOLD_COPY_BUF];
	uint64_t left = h->file_len - h->file_off;
	ssize_t r = pread(h->fd, buf, left < sizeof(buf) ? left : sizeof(buf), (off_t)h->file_off);
	if (r <= 0) {
		errno = r < 0 ? errno : EIO;
		return -1;
	}
	ssize_t done = 0;
	while (done < r) {
		ssize_t w = write(fd, buf + done, (size_t)(r - done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return done > 0 && errno == EAGAIN ? done : -1;
		done += w;
	}
	return done;
}

/* Some of the file's bytes to fd: sendfile(2) where it goes, else a copy; -1 and errno. */
static ssize_t file_out(struct hold *h, int fd, bool *copy)
{
	if (!*copy) {
		uint64_t left = h->file_len - h->file_off;
		off_t off = (off_t)h->file_off;
		ssize_t w = sendfile(fd, h->fd, &off, left < HOLD_SEND_MAX ? left : HOLD_SEND_MAX);
		if (w == 0)
			errno = EIO; /* the file is shorter than it was written */
		if (w != 0 && (w > 0 || (errno != EINVAL && errno != ENOSYS)))
			return w;
		if (w == 0)
			return -1;
		*copy = true; /* a terminal, say */
	}
	return file_copy(h, fd);
}

/* Everything is out: the file goes, memory starts over. */
static void drained(struct hold *h)
{
	h->mem_off = h->mem_len = 0;
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	h->file_off = h->file_len = 0;
}

/*
 * After a write of the drain to fd: true to go on (*w bytes moved; an
 * interrupted write moved none), false to stop with *rc: HC_OK when fd is
 * full (*poll_fd says so), else the write's error.
 */
static bool went(struct hold *h, ssize_t *w, int fd, const char *name, int *poll_fd,
		 enum hc_err *rc)
{
	if (*w >= 0)
		return true;
	if (errno == EINTR) {
		*w = 0;
		return true;
	}
	if (errno == EAGAIN) {
		*poll_fd = fd;
		*rc = HC_OK;
		return false;
	}
	*rc = fail(h, name, errno);
	return false;
}

enum hc_err hold_drain(struct hold *h, int fd, const char *name, int *poll_fd)
{
	*poll_fd = -1;
	enum hc_err rc;
	while (h->mem_off < h->mem_len) {
		ssize_t w = write(fd, h->mem + h->mem_off, h->mem_len - h->mem_off);
		if (!went(h, &w, fd, name, poll_fd, &rc))
			return rc;
		h->mem_off += (size_t)w;
	}
	bool copy = false;
	while (h->file_off < h->file_len) {
		ssize_t w = file_out(h, fd, &copy);
		if (!went(h, &w, fd, name, poll_fd, &rc))
			return rc;
		h->file_off += (uint64_t)w;
	}
	drained(h);
	return HC_OK;
}
