/*
 * The poll loop: it drives tasks (state machines over a descriptor), each
 * woken by readiness, by its deadline, or at once when it says it can go on
 * without waiting (EVENT-LOOP.md pitfall 10: bytes TLS already holds never
 * wake poll).
 *
 * Where the work stands (issue 12, step 1):
 *  (a) done: this loop and the task interface; HTTP/1.1 is a handler (h1.c)
 *      whose transfer is a task; http_request() runs the loop for that one
 *      transfer until its response head is in.
 *  (b) in part: everything up to the response head waits in the loop.
 *      Each wait's deadline is the operation's timeout within the
 *      transfer's deadline (or the connect limit), re-armed after each
 *      step, as tr_wait times its waits.
 *      - connect(2) in progress: POLLOUT, the connect timeout.
 *      - the CONNECT tunnel (TLS through a proxy): states of its own in
 *        h1.c, CONNECT sent from the cursor, the answer read with
 *        resp_begin_step and judged by conn_tunnel_answer (issue 8: bytes
 *        after a 2xx are 56, before any TLS byte is sent).
 *      - the TLS handshake: GNUTLS_E_AGAIN, the direction GnuTLS wants.
 *      - the send: an iovec cursor (struct hc_out) the socket takes as it
 *        can, a full socket a wait for POLLOUT (or the direction TLS
 *        wants), and the send goes on where it stopped. The head and memory
 *        bodies are its pieces (a small body in the head's one writev); a
 *        regular file with Content-Length is a range in it (sendfile(2) on
 *        plain TCP, blocks read into sbuf over TLS). Over TLS the cursor
 *        stays put while GnuTLS holds a record the socket did not take
 *        (GNUTLS_E_AGAIN: the same bytes are offered again), and a chunk's
 *        pieces are corked and flushed by gnutls_record_uncork without
 *        GNUTLS_RECORD_WAIT (what is left stays corked for the next step).
 *      - the body's source (req_out_step): a pipe's chunks spliced (what
 *        waits in it moved at once into the connection's stage pipe, then
 *        per chunk: size line, splice(2) from the stage, its CRLF with the
 *        next size line); chunked
 *        reads into sbuf for -p B, TLS and other streams; Content-Length
 *        reads with the last piece held for the one-byte probe; multipart
 *        segments in turn (multipart.c: heads and values from memory, files
 *        as ranges or -p B's reads, pipe parts as chunks). A stream is read
 *        only when poll says a read will not block; else the task waits on
 *        the source's fd for POLLIN. struct hc_task was not widened: a
 *        transfer waits on one fd at a time, the socket or the source (the
 *        source only when the cursor is empty), and that wait has no
 *        deadline, as the blocking read had none (a slow writer is not a
 *        timeout). Same pieces and syscalls as the blocking senders.
 *      - 100 Continue: POLLIN, the expect timeout; the response head, and
 *        an early answer after a send the server stopped reading (H1_EARLY):
 *        non-blocking reads.
 *      - the response body (H1_BODY): once the caller has looked at the
 *        head it hands the transfer a sink (struct hc_sink in http.h: take
 *        these bytes, take n spliced bytes, can you take more, end) and runs
 *        the loop until the transfer ends (xfer_recv). The handler reads
 *        without blocking and feeds the sink: readv spans as they are
 *        buffered (the sink writes them with one writev), or splice
 *        socket→pipe when the sink offers a pipe and the bytes need no
 *        decoding (SPLICE_F_NONBLOCK: a full pipe is an EAGAIN like an
 *        empty socket; a zero-time poll of the pipe tells which). When the
 *        sink cannot take more (it holds what a full non-blocking output
 *        refused, or its pipe is full) the socket is simply not read (one
 *        transfer owns an h1 connection) and the sink's descriptor is
 *        polled for POLLOUT, untimed as before (a slow reader is not a
 *        stall). A step moves at most H1_STEP_BYTES before the others run.
 *        The socket's waits are timed as tr_wait's; its errors end the
 *        transfer as the pull calls did. The pull API (resp_read,
 *        resp_readv, resp_splice: the seed's read()) stays, on the same
 *        code (response.c's spans(), splice_body() with wait NULL), for
 *        callers of http_request().
 *      Still blocking on EAGAIN underneath (tr_wait): the pull API above,
 *      and TLS post-handshake authentication inside a read.
 *  Next, for -Z: the sink's end() should take the formatter's tail and the
 *      binary notice (out_body_end), which the command line still writes
 *      after the loop, waiting in place for a full output.
 *  (c) then: tr_wait and the waits in tls.c go away; the http.client-shaped
 *      calls stay as loop_run_until() wrappers.
 * HTTP/2 is a second handler (h2.c): h1's states connect, then a
 * connection that speaks h2 takes the transfer as a stream. The session is a
 * task of its own (one fd, read always, POLLOUT when its output is full);
 * the transfer's task waits without an fd until the session's callbacks wake
 * it with its head. Its body goes to the sink as h1's does (xfer_recv): the
 * session's DATA callback hands bytes to the stream's sink when it can take
 * more, else they wait in the stream's buffer, unconsumed, so a stream whose
 * sink cannot take more closes its own window rather than stopping the
 * connection's reads (EVENT-LOOP.md); the transfer's task then polls the
 * sink's descriptor, untimed. Pulled (resp_read), a body read runs a
 * private loop with the session until the stream has bytes. Several
 * transfers may be streams of one session on one loop at once (h2.c says
 * how); conn_room() tells the command line when one more may start.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "loop.h"

void loop_init(struct hc_loop *L)
{
	*L = (struct hc_loop){0};
}

void loop_free(struct hc_loop *L)
{
	free(L->pfd);
	free(L->ptask);
	L->pfd = NULL;
	L->ptask = NULL;
	L->pcap = 0;
	L->head = L->tail = NULL;
}

void loop_add(struct hc_loop *L, struct hc_task *t)
{
	t->next = NULL;
	t->done = t->paused = false;
	t->result = HC_OK;
	t->run_again = true;
	if (L->tail)
		L->tail->next = t;
	else
		L->head = t;
	L->tail = t;
}

void loop_remove(struct hc_loop *L, struct hc_task *t)
{
	/* this round's poll does not wake it (it may be freed) */
	for (size_t i = 0; i < L->npoll; i++)
		if (L->ptask[i] == t)
			L->ptask[i] = NULL;
	struct hc_task *prev = NULL;
	for (struct hc_task *p = L->head; p; prev = p, p = p->next) {
		if (p != t)
			continue;
		if (prev)
			prev->next = p->next;
		else
			L->head = p->next;
		if (L->tail == p)
			L->tail = prev;
		p->next = NULL;
		return;
	}
}

bool loop_has(const struct hc_loop *L, const struct hc_task *t)
{
	for (const struct hc_task *p = L->head; p; p = p->next)
		if (p == t)
			return true;
	return false;
}

static bool live(const struct hc_task *t)
{
	return !t->done && !t->paused;
}

static void end_if(struct hc_task *t, enum hc_err rc)
{
	if (rc) {
		t->done = true;
		t->result = rc;
	}
}

static void run(struct hc_task *t, short revents)
{
	t->run_again = false;
	end_if(t, t->ops->step(t, revents));
}

static bool grow(struct hc_loop *L, size_t n)
{
	if (n <= L->pcap)
		return true;
	size_t cap = L->pcap ? L->pcap * 2 : 8;
	while (cap < n)
		cap *= 2;
	struct pollfd *p = reallocarray(L->pfd, cap, sizeof(*p));
	if (p == NULL)
		return false;
	L->pfd = p;
	struct hc_task **q = reallocarray(L->ptask, cap, sizeof(*q));
	if (q == NULL)
		return false;
	L->ptask = q;
	L->pcap = cap;
	return true;
}

/* How long poll may wait: 0 when a task can run now, else until the nearest deadline. */
static int wait_ms(const struct hc_loop *L, int64_t now, bool *any)
{
	int64_t nearest = 0;
	*any = false;
	for (const struct hc_task *t = L->head; t; t = t->next) {
		if (!live(t))
			continue;
		*any = true;
		if (t->run_again)
			return 0;
		if (t->deadline && (nearest == 0 || t->deadline < nearest))
			nearest = t->deadline;
	}
	if (nearest == 0)
		return -1;
	int64_t left = nearest - now;
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

/* poll(2), in tick slices when the loop has a tick; EINTR is a wake-up with nothing ready. */
static int wait_fds(struct hc_loop *L, size_t n, int ms)
{
	int r = tr_poll(L->pfd, n, ms, L->tick, L->tick_ud);
	return r < 0 && errno == EINTR ? 0 : r;
}

/* Is a task on L done or paused (its driver has something to look at)? */
static bool any_through(const struct hc_loop *L)
{
	for (const struct hc_task *t = L->head; t; t = t->next)
		if (!live(t))
			return true;
	return false;
}

/*
 * One round; it ends before the poll when the task run_until waits for is
 * through, or (any_end) when any task is (a step may end or pause another).
 */
static enum hc_err round_for(struct hc_loop *L, const struct hc_task *until, bool any_end)
{
	/* runnable tasks first: a step may leave another runnable step behind it */
	for (struct hc_task *t = L->head; t; t = t->next)
		if (live(t) && t->run_again)
			run(t, 0);
	if ((until && !live(until)) || (any_end && any_through(L)))
		return HC_OK;

	bool any;
	int ms = wait_ms(L, hc_now_ns(), &any);
	if (!any)
		return HC_OK;
	size_t n = 0;
	for (struct hc_task *t = L->head; t; t = t->next) {
		if (!live(t) || t->run_again || t->events == 0)
			continue;
		if (!grow(L, n + 1))
			return HC_ENOMEM;
		L->pfd[n] = (struct pollfd){.fd = t->fd, .events = t->events};
		L->ptask[n++] = t;
	}
	if (n == 0 && ms < 0) {
		/* nothing to wait for and nothing to run: a task that forgot to say */
		L->err = EDEADLK;
		return HC_EINTERNAL;
	}
	/* a runnable task and nothing to poll: no system call this round */
	int r = n == 0 && ms == 0 ? 0 : wait_fds(L, n, ms);
	if (r < 0) {
		L->err = errno;
		return HC_EINTERNAL;
	}
	L->npoll = n;
	for (size_t i = 0; r > 0 && i < n; i++) {
		struct hc_task *t = L->ptask[i];
		/* a woken task steps even if its deadline passed too: the event came in time */
		if (t && L->pfd[i].revents && live(t))
			run(t, L->pfd[i].revents);
		else
			L->pfd[i].revents = 0;
	}
	int64_t now = hc_now_ns();
	for (struct hc_task *t = L->head; t; t = t->next) {
		if (!live(t) || t->run_again || !t->deadline || now < t->deadline)
			continue;
		bool woken = false;
		for (size_t i = 0; i < n && !woken; i++)
			woken = L->ptask[i] == t && L->pfd[i].revents;
		if (!woken)
			end_if(t, t->ops->expire(t));
	}
	L->npoll = 0;
	return HC_OK;
}

enum hc_err loop_round(struct hc_loop *L)
{
	return round_for(L, NULL, false);
}

enum hc_err loop_turn(struct hc_loop *L)
{
	return round_for(L, NULL, true);
}

enum hc_err loop_run_until(struct hc_loop *L, struct hc_task *t)
{
	while (live(t)) {
		enum hc_err rc = round_for(L, t, false);
		if (rc)
			return rc;
	}
	return HC_OK;
}

enum hc_err loop_run(struct hc_loop *L)
{
	for (;;) {
		bool any = false;
		for (struct hc_task *t = L->head; t && !any; t = t->next)
			any = live(t);
		if (!any)
			return HC_OK;
		enum hc_err rc = loop_round(L);
		if (rc)
			return rc;
	}
}

/* Rounds until x's task pauses or ends; how it ended, or why the loop itself failed. */
static enum hc_err run_for(struct hc_xfer *x, struct hc_loop *L)
{
	enum hc_err rc = loop_run_until(L, &x->task);
	if (rc == HC_EINTERNAL)
		return conn_seterr(x->c, rc, "poll: %s", strerror(L->err));
	if (rc == HC_OK && x->task.done && (rc = x->task.result) && x->err[0]) {
		/* other transfers on its connection may have stepped since: the message is x's */
		memcpy(x->c->err, x->err, sizeof(x->err));
		x->c->cond = x->cond;
	}
	return rc;
}

/* The http.client-shaped calls sit on these: a loop run for one transfer. */
enum hc_err xfer_open(struct hc_xfer *x, struct hc_loop *L)
{
	loop_init(L);
	L->tick = x->c->cfg->tick;
	L->tick_ud = x->c->cfg->progress_ud;
	x->loop = L;
	enum hc_err rc = x->proto->start(x, L);
	return rc ? rc : run_for(x, L);
}

enum hc_err xfer_recv(struct hc_xfer *x, struct hc_loop *L, const struct hc_sink *s)
{
	enum hc_err rc = x->proto->body(x, s);
	return rc ? rc : run_for(x, L);
}

void xfer_close(struct hc_xfer *x, struct hc_loop *L)
{
	x->proto->finish(x, L);
	x->loop = NULL;
	loop_free(L);
}

enum hc_err xfer_start(struct hc_xfer *x, struct hc_loop *L)
{
	x->loop = L;
	return x->proto->start(x, L);
}

enum hc_err xfer_sink(struct hc_xfer *x, const struct hc_sink *s)
{
	return x->proto->body(x, s);
}

void xfer_end(struct hc_xfer *x)
{
	if (x->loop)
		x->proto->finish(x, x->loop);
	x->loop = NULL;
}

enum hc_err xfer_run(struct hc_xfer *x)
{
	struct hc_loop L;
	enum hc_err rc = xfer_open(x, &L);
	xfer_close(x, &L);
	return rc;
}
