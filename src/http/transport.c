/*
 * Reads and writes on the connection's socket, each bounded by the
 * per-operation timeout and the whole-transfer deadline. The socket is
 * non-blocking: the fast path is one syscall, poll(2) only on EAGAIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "tls.h"

int64_t hc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t tr_connect_deadline(const struct hc_conn *c)
{
	int64_t until = 0;
	if (c->cfg->connect_timeout_ms >= 0)
		until = hc_now_ns() + (int64_t)c->cfg->connect_timeout_ms * 1000000;
	if (c->cfg->deadline_ns && (until == 0 || c->cfg->deadline_ns < until))
		until = c->cfg->deadline_ns;
	return until;
}

/*
 * poll(2) for n descriptors within ms (-1: no limit), in slices of
 * HC_LOOP_TICK_MS when there is a tick to call between them (a progress line
 * that must move while data stalls): the loop's poll and tr_wait's.
 */
int tr_poll(struct pollfd *p, size_t n, int ms, void (*tick)(void *ud), void *ud)
{
	int64_t until = ms < 0 ? 0 : hc_now_ns() + (int64_t)ms * 1000000;
	for (;;) {
		int slice = ms;
		if (tick) {
			slice = HC_LOOP_TICK_MS;
			if (ms >= 0) {
				int64_t left = (until - hc_now_ns()) / 1000000;
				if (left <= 0)
					return 0;
				if (left < slice)
					slice = (int)left;
			}
		}
		int r = poll(p, (nfds_t)n, slice);
		if (r != 0 || tick == NULL)
			return r;
		tick(ud);
	}
}

int64_t tr_wait_deadline(int op_ms, int64_t limit, bool *by_limit)
{
	int64_t until = op_ms < 0 ? 0 : hc_now_ns() + (int64_t)op_ms * 1000000;
	*by_limit = limit && (until == 0 || limit < until);
	return *by_limit ? limit : until;
}

enum hc_err tr_timed_out(struct hc_conn *c, short ev, int op_ms, bool by_limit)
{
	if (by_limit)
		return conn_seterr_cond(c, HC_ETIMEOUT, HC_COND_DEADLINE,
					"the transfer took longer than the time allowed for it");
	return conn_seterr(c, HC_ETIMEOUT, "no progress for %d.%03d s while %s", op_ms / 1000,
			   op_ms % 1000, ev == POLLIN ? "receiving" : "sending");
}

/*
 * Wait for ev on the socket within op_ms (-1: none) and before limit (an
 * absolute CLOCK_MONOTONIC time, 0: none): the one wait every read, write,
 * splice and TLS step shares.
 */
enum hc_err tr_wait(struct hc_conn *c, short ev, int op_ms, int64_t limit)
{
	for (;;) {
		int ms = op_ms;
		bool by_limit = false;
		if (limit) {
			int64_t left = limit - hc_now_ns();
			int lms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
			if (ms < 0 || lms < ms) {
				ms = lms;
				by_limit = true;
			}
		}
		struct pollfd p = {.fd = c->fd, .events = ev};
		int r = tr_poll(&p, 1, ms, c->cfg->tick, c->cfg->progress_ud);
		if (r > 0)
			return HC_OK;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return conn_seterr(c, HC_EINTERNAL, "poll: %s", strerror(errno));
		return tr_timed_out(c, ev, op_ms, by_limit);
	}
}

static enum hc_err io_wait(struct hc_conn *c, short ev, int op_ms)
{
	return tr_wait(c, ev, op_ms, c->cfg->deadline_ns);
}

static enum hc_err recv_error(struct hc_conn *c, int e)
{
	if (e == ECONNRESET)
		return conn_seterr(c, HC_ERESET, "connection reset by the server");
	return conn_seterr(c, HC_ERESET, "receive failed: %s", strerror(e));
}

static enum hc_err send_error(struct hc_conn *c, int e)
{
	if (e == EPIPE || e == ECONNRESET)
		return conn_seterr(c, HC_ESEND, "the server closed the connection while hcli was sending");
	return conn_seterr(c, HC_ESEND, "send failed: %s", strerror(e));
}

static enum hc_err plain_read(struct hc_conn *c, char *buf, size_t len, size_t *got)
{
	for (;;) {
		ssize_t n = recv(c->fd, buf, len, 0);
		if (n >= 0) {
			*got = (size_t)n;
			return HC_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return recv_error(c, errno);
		enum hc_err rc = io_wait(c, POLLIN, c->cfg->timeout_ms);
		if (rc)
			return rc;
	}
}

enum hc_err tr_read_nowait(struct hc_conn *c, char *buf, size_t len, size_t *got, short *again)
{
	enum hc_err rc = HC_OK;
	bool tls_again = false;
	*again = 0;
	if (c->tls_session) {
		if ((rc = tls_read_nowait(c, buf, len, got, &tls_again)))
			return rc;
		if (tls_again) {
			*again = tls_direction(c);
			return HC_OK;
		}
	} else {
		ssize_t n;
		while ((n = recv(c->fd, buf, len, 0)) < 0 && errno == EINTR)
			;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return recv_error(c, errno);
		if (n < 0) {
			*again = POLLIN;
			return HC_OK;
		}
		*got = (size_t)n;
	}
	c->rx += *got;
	c->eof = *got == 0;
	return HC_OK;
}

enum hc_err tr_read(struct hc_conn *c, char *buf, size_t len, size_t *got)
{
	enum hc_err rc = c->tls_session ? tls_read(c, buf, len, got) : plain_read(c, buf, len, got);
	if (rc == HC_OK) {
		c->rx += *got;
		c->eof = *got == 0;
	}
	return rc;
}

void tr_iov_advance(struct iovec **iov, int *iovcnt, size_t n)
{
	while (*iovcnt > 0 && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*iovcnt)--;
	}
	if (*iovcnt > 0) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}

/* sendmsg(2) until the cursor is through or the socket is full (*full). */
static enum hc_err send_some(struct hc_conn *c, struct iovec **iovp, int *iovcntp, int flags,
			     bool *full)
{
	struct iovec *iov = *iovp;
	int iovcnt = *iovcntp;
	enum hc_err rc = HC_OK;
	*full = false;
	while (iovcnt > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
		ssize_t n = sendmsg(c->fd, &m, MSG_NOSIGNAL | flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				rc = send_error(c, errno);
			else
				*full = true;
			break;
		}
		tr_iov_advance(&iov, &iovcnt, (size_t)n);
	}
	*iovp = iov;
	*iovcntp = iovcnt;
	return rc;
}

enum hc_err tr_sendv_nowait(struct hc_conn *c, struct iovec **iov, int *iovcnt, int flags,
			    short *again)
{
	if (c->tls_session)
		return tls_writev_nowait(c, iov, iovcnt, again);
	bool full;
	enum hc_err rc = send_some(c, iov, iovcnt, flags, &full);
	*again = full ? POLLOUT : 0;
	return rc;
}

enum hc_err tr_writev_nowait(struct hc_conn *c, struct iovec **iov, int *iovcnt, short *again)
{
	return tr_sendv_nowait(c, iov, iovcnt, 0, again);
}

/*
 * sendfile(2) or splice(2) into the socket failed with e: a full socket
 * (*again = POLLOUT), the server's close, or the body's source at fault.
 */
static enum hc_err copy_error(struct hc_conn *c, int e, short *again, const char *doing)
{
	if (e == EAGAIN) {
		*again = POLLOUT;
		return HC_OK;
	}
	if (e == EPIPE || e == ECONNRESET)
		return send_error(c, e);
	return conn_seterr(c, HC_EREAD, "%s: %s", doing, strerror(e));
}

enum hc_err tr_sendfile_nowait(struct hc_conn *c, int fd, off_t off, uint64_t len, uint64_t *sent,
			       short *again)
{
	*again = 0;
	while (*sent < len) {
		uint64_t want = len - *sent;
		uint64_t piece = c->cfg->progress ? (8u << 20) : (1u << 30);
		if (want > piece)
			want = piece;
		off_t at = off + (off_t)*sent;
		ssize_t n = sendfile(c->fd, fd, &at, (size_t)want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return copy_error(c, errno, again, "sending the body file");
		if (n == 0)
			return conn_seterr(c, HC_EREAD,
					   "the body file ended after %llu of %llu bytes",
					   (unsigned long long)*sent, (unsigned long long)len);
		*sent += (uint64_t)n;
		if (c->cfg->progress)
			c->cfg->progress(c->cfg->progress_ud, c->tx_body + *sent);
	}
	return HC_OK;
}

/*
 * Bytes already waiting in a pipe straight to the socket with splice(2) from
 * *moved on, while the socket takes them: no copy through user space. Plain
 * TCP only. *again is POLLOUT when the socket is full before len. EINVAL (a
 * pipe splice cannot read) with nothing moved comes back as HC_EUSAGE, for
 * the caller to fall back.
 */
enum hc_err tr_splice_nowait(struct hc_conn *c, int pipe_fd, size_t len, size_t *moved,
			     short *again)
{
	*again = 0;
	while (*moved < len) {
		ssize_t n =
		    splice(pipe_fd, NULL, c->fd, NULL, len - *moved, SPLICE_F_MOVE | SPLICE_F_MORE);
		if (n > 0) {
			*moved += (size_t)n;
			continue;
		}
		if (n == 0)
			return conn_seterr(c, HC_EREAD, "the request body's pipe ended early");
		if (errno == EINTR)
			continue;
		if (errno == EINVAL && *moved == 0)
			return HC_EUSAGE;
		return copy_error(c, errno, again, "sending the request body");
	}
	return HC_OK;
}

void tr_close(struct hc_conn *c)
{
	if (c->tls_session)
		tls_close(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
