/*
 * HTTP/1.1 as a protocol handler: one transfer owns its connection, and its
 * task walks connect (a connect(2) in progress waits in the loop; through a
 * proxy to TLS, CONNECT sent and its answer read) → TLS handshake → send
 * (→ wait for 100 Continue) → response head (read without blocking), then
 * pauses for the caller to look at the head. The body then goes to the
 * caller's sink as it arrives (read without blocking, spliced into the
 * sink's pipe when it needs no decoding), or the caller pulls it (resp_read,
 * resp_splice). The bytes are the seed's: request.c composes and sends,
 * response.c parses.
 */
#include <string.h>

#include "http.h"
#include "tls.h"

enum h1_state {
	H1_CONNECT,
	H1_DIAL,
	H1_TUNNEL_SEND,
	H1_TUNNEL_HEAD,
	H1_TLS,
	H1_SEND,
	H1_SEND_OUT,
	H1_EXPECT,
	H1_EXPECT_HEAD,
	H1_EARLY,
	H1_HEAD,
	H1_BODY,     /* the body to the sink */
	H1_BODY_END, /* the sink was told the end and moves what it holds */
	H1_CONN_WAIT /* another transfer dials the connection, or has it (h1) */
};

static struct hc_xfer *xfer_of(struct hc_task *t)
{
	return (struct hc_xfer *)t; /* the task is the transfer's first member */
}

static void go(struct hc_xfer *x, enum h1_state s)
{
	x->state = s;
	x->task.events = 0;
	x->task.deadline = 0;
	x->task.run_again = true;
}

/* Wait in the loop for ev on the connection, timed as tr_wait times its waits. */
static void arm(struct hc_xfer *x, short ev)
{
	const struct hc_conn_cfg *cfg = x->c->cfg;
	x->task.run_again = false;
	x->task.fd = x->c->fd;
	x->task.events = ev;
	x->task.deadline = tr_wait_deadline(cfg->timeout_ms, x->deadline_ns, &x->h1.by_limit);
}

/* A limit of the connection's (the connect timeout) within the transfer's -m. */
static int64_t within_limit(const struct hc_xfer *x, int64_t until)
{
	return x->deadline_ns && (until == 0 || x->deadline_ns < until) ? x->deadline_ns : until;
}

/* The head is in (or a final answer came early): the caller takes over. */
static enum hc_err head_in(struct hc_xfer *x)
{
	x->task.events = 0;
	x->task.deadline = 0;
	x->task.paused = true;
	return HC_OK;
}

static enum hc_err early_answer(struct hc_xfer *x)
{
	x->resp->early = true;
	x->resp->will_close = true;
	return head_in(x);
}

/*
 * An exchange failed. The seed's stale keep-alive case: on a reused
 * connection the server had closed before any reply byte; an idempotent
 * request with a replayable body goes again, once, on a new connection.
 */
static enum hc_err failed(struct hc_xfer *x, enum hc_err rc)
{
	struct hc_conn *c = x->c;
	const struct hc_request *r = x->req;
	if (!x->h1.reused || x->h1.retried || c->rx != 0 ||
	    (rc != HC_EEMPTY && rc != HC_ESEND && rc != HC_ERESET) ||
	    !req_method_idempotent(r->method) || !req_body_replayable(r->body))
		return rc;
	x->h1.retried = true;
	conn_info(c, "The server closed the reused connection; retrying on a new one");
	conn_close(c);
	resp_free(x->resp);
	resp_init(x->resp, c);
	go(x, H1_CONNECT);
	return HC_OK;
}

/* The connection is up, new or reused: the request goes. */
static enum hc_err opened(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	if (!x->h1.retried) {
		x->h1.reused = c->nrequests > 0;
		if (c->cfg->debuglevel >= 2)
			conn_info(c, "Request body: %s",
				  x->h1.f.chunked	? "chunked"
				  : x->h1.f.length >= 0 ? "Content-Length"
							: "none");
		if (x->h1.reused)
			conn_info(c, "Reusing the connection to %s port %u", c->host, c->port);
	}
	if (h2_wanted(c)) {
		/* the server chose h2 but libnghttp2 does not load: again, offering only
		 * http/1.1 (h2_offerable is false from now on) */
		if (c->tls && c->h2 == NULL && !h2_available()) {
			conn_info(c, "libnghttp2 could not be loaded: reconnecting with HTTP/1.1 only");
			conn_close(c);
			go(x, H1_CONNECT);
			return HC_OK;
		}
		return h2_attach(x); /* a stream of the connection's h2 session from now on */
	}
	c->holder = x;
	go(x, H1_SEND);
	return HC_OK;
}

/* The socket (and tunnel) up: TLS begins, or the request goes. */
static enum hc_err dial_finish(struct hc_xfer *x, enum hc_err rc)
{
	if (rc == HC_OK)
		rc = conn_dial_finish(x->c);
	if (rc || !x->c->tls)
		return rc ? rc : opened(x);
	x->h1.tls_limit = within_limit(x, tr_connect_deadline(x->c));
	go(x, H1_TLS);
	return HC_OK;
}

/* The tunnel failed before its answer was read: the connection goes, as conn_dial_finish's. */
static enum hc_err tunnel_failed(struct hc_xfer *x, enum hc_err rc)
{
	conn_close(x->c);
	return rc;
}

/* CONNECT goes as the socket takes it; each wait timed as tr_wait times its waits. */
static enum hc_err tunnel_send(struct hc_xfer *x)
{
	short again;
	enum hc_err rc = req_out_send(x->c, &x->h1.out, &again);
	if (rc)
		return tunnel_failed(x, rc);
	if (again) {
		arm(x, again);
		return HC_OK;
	}
	go(x, H1_TUNNEL_HEAD);
	return HC_OK;
}

static enum hc_err tunnel_start(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	hb_free(&x->h1.thb);
	x->h1.thb = (struct hc_headbuf){.max = HC_REQ_HEAD_MAX};
	enum hc_err rc = conn_tunnel_head(c, &x->h1.thb);
	if (rc)
		return tunnel_failed(x, rc);
	x->h1.out = (struct hc_out){.fd = -1, .pipe = -1};
	req_out_piece(&x->h1.out, x->h1.thb.p, x->h1.thb.len, 0);
	resp_free(&x->h1.tresp);
	resp_init(&x->h1.tresp, c);
	x->state = H1_TUNNEL_SEND;
	return tunnel_send(x);
}

/* The proxy's answer, read without blocking through the same parser; then TLS on the tunnel. */
static enum hc_err tunnel_head(struct hc_xfer *x)
{
	bool got100 = false;
	short wait;
	enum hc_err rc = resp_begin_step(&x->h1.tresp, "CONNECT", false, &got100, &wait);
	if (rc == HC_OK && wait) {
		arm(x, wait);
		return HC_OK;
	}
	rc = conn_tunnel_answer(x->c, &x->h1.tresp, rc);
	resp_free(&x->h1.tresp);
	hb_free(&x->h1.thb);
	return dial_finish(x, rc);
}

/* After a connect step: wait for the socket in progress, or finish (tunnel, TLS) and go on. */
static enum hc_err dialed(struct hc_xfer *x, enum hc_err rc)
{
	struct hc_dial *d = &x->h1.dial;
	if (rc == HC_OK && d->fd >= 0) {
		x->state = H1_DIAL;
		x->task.run_again = false;
		x->task.fd = d->fd;
		x->task.events = POLLOUT;
		x->task.deadline = within_limit(x, d->until);
		return HC_OK;
	}
	conn_dial_free(d);
	if (rc == HC_OK && conn_needs_tunnel(x->c))
		return tunnel_start(x);
	return dial_finish(x, rc);
}

/* The TLS handshake, as far as it goes: each wait timed as tr_wait's, within the connect limit. */
static enum hc_err handshake(struct hc_xfer *x)
{
	const struct hc_conn_cfg *cfg = x->c->cfg;
	short wait;
	enum hc_err rc = conn_tls_step(x->c, &wait);
	if (rc || wait == 0)
		return rc ? rc : opened(x);
	x->task.run_again = false;
	x->task.fd = x->c->fd;
	x->task.events = wait;
	x->task.deadline = tr_wait_deadline(cfg->timeout_ms, x->h1.tls_limit, &x->h1.by_limit);
	return HC_OK;
}

/* ---- a connection several transfers share: one dials it, the others wait ---- */

/* x waits (no fd, within -m) until the dialer is through or the connection's transfer ends. */
static enum hc_err conn_wait(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	x->state = H1_CONN_WAIT;
	x->task.run_again = false;
	x->task.fd = -1;
	x->task.events = 0;
	x->task.deadline = x->deadline_ns;
	x->h1.by_limit = true;
	struct hc_xfer **p = &c->waiters;
	for (; *p; p = &(*p)->conn_next)
		if (*p == x)
			return HC_OK;
	x->conn_next = NULL;
	*p = x; /* in the order they came */
	return HC_OK;
}

static void unwait(struct hc_xfer *x)
{
	for (struct hc_xfer **p = &x->c->waiters; *p; p = &(*p)->conn_next)
		if (*p == x) {
			*p = x->conn_next;
			break;
		}
	x->conn_next = NULL;
}

/* The waiters look again (do_connect): the connection is up, failed, or free. */
static void wake_waiters(struct hc_conn *c)
{
	for (struct hc_xfer *w = c->waiters, *n; w; w = n) {
		n = w->conn_next;
		w->conn_next = NULL;
		w->task.run_again = true;
	}
	c->waiters = NULL;
}

static bool dialing(const struct hc_xfer *x)
{
	return !x->task.done && x->proto == &h1_proto &&
	       (x->state == H1_DIAL || x->state == H1_TUNNEL_SEND || x->state == H1_TUNNEL_HEAD ||
		x->state == H1_TLS);
}

/*
 * After a step of the dialer (rc: its result): once it is through (up, h2
 * or not, or failed), the others go on. A dial that failed fails them too,
 * with its error, rather than each dialing again in turn.
 */
static void dial_over(struct hc_xfer *x, enum hc_err rc)
{
	struct hc_conn *c = x->c;
	if (c->dialer != x || dialing(x))
		return;
	c->dialer = NULL;
	for (struct hc_xfer *w = c->waiters; w && rc && !conn_is_open(c); w = w->conn_next) {
		w->h1.dial_err = rc;
		memcpy(w->err, c->err, sizeof(w->err));
		w->cond = c->cond;
	}
	wake_waiters(c);
}

static enum hc_err do_connect(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	unwait(x);
	if (x->h1.dial_err) {
		enum hc_err e = x->h1.dial_err;
		x->h1.dial_err = HC_OK;
		return conn_seterr_cond(c, e, x->cond, "%s", x->err);
	}
	if (c->h2 && !h2_usable(c))
		h2_detach(c); /* its open streams end on it apart; this one goes anew */
	if (c->dialer && c->dialer != x)
		return conn_wait(x);
	/* HTTP/1.1: one transfer at a time on a connection (an engine retry may meet another) */
	if (c->h2 == NULL && c->holder && c->holder != x && conn_is_open(c))
		return conn_wait(x);
	/* a retry whose turn comes after an exchange that ended the connection (close) */
	if (x->h1.retried && c->h2 == NULL && c->nrequests > 0 && !c->reusable)
		conn_close(c);
	/* an h2 session reads what comes between requests (SETTINGS, PING) itself */
	if (!x->h1.retried && c->nrequests > 0 && c->h2 == NULL)
		conn_check_idle(c);
	if (conn_is_open(c))
		return opened(x);
	c->dialer = x;
	return dialed(x, conn_dial_start(c, &x->h1.dial));
}

/* 100 Continue: wait in the loop for the server's first bytes, up to the expect timeout. */
static void expect_wait(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	go(x, H1_EXPECT);
	if (c->start < c->end || tls_pending(c))
		return; /* something is here already: run_again */
	int ms = x->req->expect100_timeout_ms;
	x->task.run_again = false;
	x->task.fd = c->fd;
	x->task.events = POLLIN;
	x->task.deadline = ms >= 0 ? hc_now_ns() + (int64_t)ms * 1000000 : 0;
}

/*
 * The first send failed: the server may have answered before it stopped
 * reading. Its head is read in the loop (H1_EARLY); without one, the send's
 * error stands.
 */
static enum hc_err send_failed(struct hc_xfer *x, enum hc_err rc)
{
	if (rc != HC_ESEND)
		return failed(x, rc);
	memcpy(x->h1.send_err, x->c->err, sizeof(x->h1.send_err));
	go(x, H1_EARLY);
	return HC_OK;
}

static enum hc_err no_early_answer(struct hc_xfer *x)
{
	memcpy(x->c->err, x->h1.send_err, sizeof(x->h1.send_err));
	return failed(x, HC_ESEND);
}

/* The request is out (its body held for 100 Continue when expected): wait for the answer. */
static enum hc_err sent(struct hc_xfer *x)
{
	const struct hc_request *r = x->req;
	x->c->tm.pretransfer = hc_now_ns() - x->c->tm.t0;
	if (r->expect100 && req_body_expected(r, &x->h1.f))
		expect_wait(x);
	else
		go(x, H1_HEAD);
	return HC_OK;
}

/* Wait in the loop for the body's source (a stream with nothing yet): as long as a blocking
 * read would have waited, with no timeout of its own. */
static void arm_source(struct hc_xfer *x, int fd)
{
	x->task.run_again = false;
	x->task.fd = fd;
	x->task.events = POLLIN;
	x->task.deadline = 0;
}

/*
 * The send as far as the socket and the body's source allow: the head in
 * the cursor, then the body (req_out_start, req_out_step). A full socket
 * waits in the loop (POLLOUT, or the direction TLS wants), timed as tr_wait
 * times its waits; a source with nothing yet waits for POLLIN; the send goes
 * on from where it stopped.
 */
static enum hc_err send_out(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	struct hc_out *o = &x->h1.out;
	enum hc_err rc = HC_OK;
	x->state = H1_SEND_OUT;
	for (;;) {
		short again;
		int fd;
		if ((rc = req_out_step(c, o, &again, &fd)))
			break;
		if (again && fd == c->fd)
			arm(x, again);
		else if (again)
			arm_source(x, fd);
		if (again)
			return HC_OK;
		if (!x->h1.body_next)
			break;
		x->h1.body_next = false;
		if ((rc = req_out_start(c, x->req->body, x->h1.f.chunked, x->h1.f.length, o)))
			break;
	}
	if (x->h1.held) {
		if (rc)
			return failed(x, rc);
		go(x, H1_HEAD);
		return HC_OK;
	}
	return rc ? send_failed(x, rc) : sent(x);
}

static enum hc_err do_send(struct hc_xfer *x)
{
	struct hc_conn *c = x->c;
	const struct hc_request *r = x->req;
	bool expect = r->expect100 && req_body_expected(r, &x->h1.f);
	bool with_body;

	c->reusable = false;
	c->rx = 0;
	c->tx_body = 0;
	x->h1.held = false;
	req_out_head(c, r, &x->h1.f, &x->h1.hb, expect, &x->h1.out, &with_body);
	x->h1.body_next = !expect && !with_body;
	return send_out(x);
}

static enum hc_err send_held_body(struct hc_xfer *x)
{
	x->h1.held = true;
	x->h1.body_next = true;
	return send_out(x);
}

/*
 * The socket turned readable while waiting for 100 Continue. Over TLS, records
 * without application data (TLS 1.3 session tickets) are taken in and the
 * wait goes on; data that came goes to the receive buffer for the head.
 */
static enum hc_err expect_ready(struct hc_xfer *x, short revents)
{
	struct hc_conn *c = x->c;
	enum hc_err rc;
	if (revents && c->tls_session) {
		size_t got;
		bool again;
		c->start = c->end = 0;
		if ((rc = tls_read_nowait(c, c->buf, c->cap, &got, &again)))
			return failed(x, rc);
		if (again)
			return HC_OK; /* events and deadline stay as they are */
		c->end = got;
		c->rx += got;
		c->eof = got == 0;
	}
	go(x, H1_EXPECT_HEAD);
	return HC_OK;
}

/*
 * Read the response head without blocking. *in: it is whole (or, with
 * stop_at_100, a 100 Continue came); otherwise the task waits in the loop.
 */
static enum hc_err head_step(struct hc_xfer *x, bool stop_at_100, bool *got100, bool *in)
{
	short wait;
	enum hc_err rc = resp_begin_step(x->resp, x->req->method, stop_at_100, got100, &wait);
	*in = rc == HC_OK && wait == 0;
	if (rc == HC_OK && wait)
		arm(x, wait);
	return rc;
}

static enum hc_err expect_head(struct hc_xfer *x)
{
	bool got100 = false, in;
	enum hc_err rc = head_step(x, true, &got100, &in);
	if (rc)
		return failed(x, rc);
	if (!in)
		return HC_OK;
	if (!got100) {
		/* a final answer instead of 100: the body is never sent */
		conn_info(x->c, "The server answered before the body was sent");
		return early_answer(x);
	}
	return send_held_body(x);
}

static enum hc_err early_head(struct hc_xfer *x)
{
	bool got100 = false, in;
	enum hc_err rc = head_step(x, false, &got100, &in);
	if (rc)
		return no_early_answer(x);
	return in ? early_answer(x) : HC_OK;
}

static enum hc_err final_head(struct hc_xfer *x)
{
	bool got100 = false, in;
	enum hc_err rc = head_step(x, false, &got100, &in);
	if (rc)
		return failed(x, rc);
	return in ? head_in(x) : HC_OK;
}

/* ---- the body, to the sink ---- */

/* Bytes one step moves before it lets the loop's other tasks run (it goes on in the next round). */
#define H1_STEP_BYTES (4u << 20)

/* The sink cannot take more now: its descriptor is polled, and the socket is not read meanwhile. */
static void sink_wait(struct hc_xfer *x, int fd)
{
	x->task.run_again = false;
	x->task.fd = fd;
	x->task.events = POLLOUT;
	x->task.deadline = 0; /* a slow reader is not a stalled server */
}

/* Body bytes as far as they come now: spliced into the sink's pipe, or read and handed over. */
static enum hc_err body_some(struct hc_xfer *x, size_t *moved, short *wait, int *pipe_fd)
{
	const struct hc_sink *s = x->sink;
	struct hc_response *resp = x->resp;
	enum hc_err rc;
	*pipe_fd = -1;
	if (s->pipe && resp_can_splice(resp) && (*pipe_fd = s->pipe(s->ud)) >= 0) {
		if ((rc = resp_splice_step(resp, *pipe_fd, moved, wait)) == HC_OK && *moved)
			rc = s->spliced(s->ud, *moved);
		return rc;
	}
	struct iovec iov[64];
	int cnt = 0;
	if ((rc = resp_readv_step(resp, iov, 64, &cnt, wait)) || cnt == 0)
		return rc;
	for (int i = 0; i < cnt; i++)
		*moved += iov[i].iov_len;
	return s->write(s->ud, iov, cnt);
}

/*
 * The body phase: while the sink can take more, what the socket has goes to
 * it; then the end, and the transfer is done once the sink holds nothing.
 * It waits in the loop for the socket (timed as tr_wait times its waits) or
 * for the sink's descriptor (untimed), and yields after H1_STEP_BYTES.
 */
static enum hc_err body_step(struct hc_xfer *x)
{
	const struct hc_sink *s = x->sink;
	enum hc_err rc;
	size_t total = 0;
	for (;;) {
		int fd = -1;
		if (s->more && (rc = s->more(s->ud, &fd)))
			return rc;
		if (fd >= 0) {
			sink_wait(x, fd);
			return HC_OK;
		}
		if (x->resp->done && x->state == H1_BODY) {
			x->state = H1_BODY_END;
			if (s->end && (rc = s->end(s->ud)))
				return rc;
			continue; /* what the end wrote may be held */
		}
		if (x->resp->done) {
			x->task.events = 0;
			x->task.done = true;
			return HC_OK;
		}
		if (total >= H1_STEP_BYTES) {
			go(x, H1_BODY);
			return HC_OK;
		}
		size_t moved = 0;
		short wait = 0;
		int pipe_fd;
		if ((rc = body_some(x, &moved, &wait, &pipe_fd)))
			return rc;
		total += moved;
		if (wait == POLLOUT && pipe_fd >= 0) {
			sink_wait(x, pipe_fd); /* the pipe is full */
			return HC_OK;
		}
		if (wait) {
			arm(x, wait);
			return HC_OK;
		}
	}
}

enum hc_err xfer_fail(struct hc_xfer *x, enum hc_err rc)
{
	if (rc) {
		memcpy(x->err, x->c->err, sizeof(x->err));
		x->cond = x->c->cond;
	}
	return rc;
}

/* What an h1 step leaves: the connection's counts and times are the transfer's (one at a time). */
static enum hc_err h1_stepped(struct hc_xfer *x, enum hc_err rc)
{
	if (x->proto == &h1_proto) {
		x->tm = x->c->tm;
		x->tx_body = x->c->tx_body;
	}
	return xfer_fail(x, rc);
}

static enum hc_err state_step(struct hc_xfer *x, short revents)
{
	switch ((enum h1_state)x->state) {
	case H1_CONNECT:
	case H1_CONN_WAIT:
		return do_connect(x);
	case H1_DIAL:
		return dialed(x, conn_dial_step(x->c, &x->h1.dial, revents));
	case H1_TUNNEL_SEND:
		return tunnel_send(x);
	case H1_TUNNEL_HEAD:
		return tunnel_head(x);
	case H1_TLS:
		return handshake(x);
	case H1_SEND:
		return do_send(x);
	case H1_SEND_OUT:
		return send_out(x);
	case H1_EXPECT:
		return expect_ready(x, revents);
	case H1_EXPECT_HEAD:
		return expect_head(x);
	case H1_EARLY:
		return early_head(x);
	case H1_HEAD:
		return final_head(x);
	case H1_BODY:
	case H1_BODY_END:
		return body_step(x);
	}
	return HC_EINTERNAL;
}

static enum hc_err h1_step(struct hc_task *t, short revents)
{
	struct hc_xfer *x = xfer_of(t);
	enum hc_err rc = state_step(x, revents);
	if (rc)
		x->task.done = true; /* for dial_over: the loop ends it with rc */
	dial_over(x, rc);
	return h1_stepped(x, rc);
}

static enum hc_err state_expire(struct hc_xfer *x)
{
	struct hc_task *t = &x->task;
	if (x->state == H1_CONN_WAIT) {
		unwait(x);
		return tr_timed_out(x->c, POLLIN, x->c->cfg->timeout_ms, true);
	}
	if (x->state == H1_DIAL) {
		x->h1.dial.expired = true;
		return dialed(x, conn_dial_step(x->c, &x->h1.dial, 0));
	}
	if (x->state == H1_TLS)
		return conn_tls_timed_out(x->c);
	if (x->state == H1_TUNNEL_SEND || x->state == H1_TUNNEL_HEAD)
		return tunnel_failed(
		    x, tr_timed_out(x->c, t->events, x->c->cfg->timeout_ms, x->h1.by_limit));
	if (x->state == H1_EARLY) {
		tr_timed_out(x->c, t->events, x->c->cfg->timeout_ms, x->h1.by_limit);
		return no_early_answer(x);
	}
	if (x->state == H1_SEND_OUT && x->c->tls_session)
		return failed(x, conn_seterr(x->c, HC_ETIMEOUT, "TLS send timed out"));
	if (x->state == H1_BODY)
		return tr_timed_out(x->c, t->events, x->c->cfg->timeout_ms, x->h1.by_limit);
	if (x->state != H1_EXPECT)
		return failed(x,
			      tr_timed_out(x->c, t->events, x->c->cfg->timeout_ms, x->h1.by_limit));
	conn_info(x->c, "No 100 Continue within %d ms; sending the body",
		  x->req->expect100_timeout_ms);
	return send_held_body(x);
}

static enum hc_err h1_expire(struct hc_task *t)
{
	struct hc_xfer *x = xfer_of(t);
	enum hc_err rc = state_expire(x);
	if (rc)
		x->task.done = true;
	dial_over(x, rc);
	return h1_stepped(x, rc);
}

static const struct hc_task_ops h1_task_ops = {.step = h1_step, .expire = h1_expire};

static enum hc_err h1_start(struct hc_xfer *x, struct hc_loop *L)
{
	enum hc_err rc = req_prepare(x->c, x->req, &x->h1.f, &x->h1.hb);
	if (rc)
		return xfer_fail(x, rc);
	loop_add(L, &x->task);
	if (x->tm.t0 == 0)
		x->tm.t0 = x->c->tm.t0;
	if (!x->h1.counted)
		x->c->users++;
	x->h1.counted = true;
	return HC_OK;
}

static enum hc_err h1_body(struct hc_xfer *x, const struct hc_sink *s)
{
	if (!x->task.paused || x->task.done)
		return conn_seterr(x->c, HC_EINTERNAL, "no response head to read a body after");
	x->sink = s;
	x->task.paused = false;
	go(x, H1_BODY);
	return HC_OK;
}

static void h1_finish(struct hc_xfer *x, struct hc_loop *L)
{
	struct hc_conn *c = x->c;
	loop_remove(L, &x->task);
	unwait(x);
	if (c->dialer == x)
		c->dialer = NULL;
	if (c->holder == x)
		c->holder = NULL;
	if (x->h1.counted)
		c->users--;
	x->h1.counted = false;
	wake_waiters(c); /* the connection may be theirs now */
	conn_dial_free(&x->h1.dial);
	hb_free(&x->h1.hb);
	hb_free(&x->h1.thb);
	resp_free(&x->h1.tresp);
}

const struct hc_proto h1_proto = {
    .alpn = "http/1.1", .start = h1_start, .body = h1_body, .finish = h1_finish};

void h1_xfer_init(struct hc_xfer *x, struct hc_conn *c, const struct hc_request *r,
		  struct hc_response *resp)
{
	memset(x, 0, sizeof(*x));
	x->task.ops = &h1_task_ops;
	x->task.fd = -1;
	x->proto = &h1_proto;
	x->c = c;
	x->req = r;
	x->resp = resp;
	x->state = H1_CONNECT;
	x->h1.hb.max = HC_REQ_HEAD_MAX;
	x->h1.dial.fd = -1;
	x->deadline_ns = c->cfg->deadline_ns;
}

void h1_restart(struct hc_xfer *x)
{
	x->task.ops = &h1_task_ops;
	x->proto = &h1_proto;
	go(x, H1_CONNECT);
}

enum hc_err http_request(struct hc_conn *c, const struct hc_request *r, struct hc_response *resp)
{
	struct hc_xfer x;
	h1_xfer_init(&x, c, r, resp);
	return xfer_run(&x);
}
