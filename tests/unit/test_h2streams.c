/*
 * Several transfers as streams of one HTTP/2 connection at once, on one
 * loop, against a scripted peer: an nghttp2 server session in this test,
 * behind a listener on 127.0.0.1 (its tasks on the same loop), speaking h2c
 * by prior knowledge. Each case is a script (when the peer answers, what it
 * resets, where its GOAWAY goes) and what every transfer must end with: its
 * sink's bytes, its result, the connections the peer saw, the most streams
 * open at once as the peer counts them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "h2.h"
#include "recsink.h"
#include "unit.h"

#define NX 10	      /* transfers at most in one case */
#define BODY_LEN 3000 /* each answer's body */
#define PIECE 100     /* the peer's DATA frames: small, so that streams interleave */
#define PEER_CONNS 4
#define PEER_LIFE_S 20 /* a peer that waits this long ends the case: only a failing case does */
_Static_assert(BODY_LEN <= REC_CAP, "a sink keeps a whole body");

enum script {
	S_ANSWER,     /* answer every request (once wait_for are in) */
	S_RESET,      /* and reset stream rst_id after its first DATA frame */
	S_GOAWAY,     /* connection 0: GOAWAY(NO_ERROR, goaway_last), answer those below, close */
	S_CONN_ERROR, /* a DATA frame on every stream, then GOAWAY(PROTOCOL_ERROR) and close */
	S_EARLY,      /* a 403 without a body as soon as a request's HEADERS come */
	S_END_GOAWAY, /* answer, and right after the END_STREAM: GOAWAY(INTERNAL_ERROR), close */
};

struct peer;

/* One answer being sent: its body is made from the connection and stream numbers. */
struct pstream {
	int conn;
	int32_t id;
	size_t off;
	bool hold; /* its body stops after the first frame until the test resumes it */
};

struct pconn {
	struct hc_task task; /* first */
	struct peer *p;
	int n;
	nghttp2_session *s;
	struct unit_buf out;
	size_t osent;
	int requests;	 /* requests whole on this connection */
	int32_t ids[NX]; /* their streams, in order */
	bool answered[NX];
	struct pstream ps[NX];
	bool closing; /* close once what is queued is out */
	bool goaway_sent;
	bool stop;	   /* S_CONN_ERROR: its GOAWAY is out, nothing more goes */
	bool deaf;	   /* it reads nothing (the client's send side fills) until cleared */
	unsigned had_data; /* S_CONN_ERROR: the requests (bits) that had a DATA frame */
	int open;	   /* its request streams open, as the peer counts them */
};

struct peer {
	struct hc_task task; /* first: the listener */
	struct hc_loop *L;
	int lfd;
	unsigned port;
	struct pconn conns[PEER_CONNS];
	int nconns;
	enum script script;
	uint32_t max_streams; /* SETTINGS_MAX_CONCURRENT_STREAMS (0: not sent) */
	int wait_for;	      /* connection 0 answers nothing until this many requests are in */
	int32_t rst_id, goaway_last, hold_id;
	int max_open;		/* request streams open at once on one connection, most */
	int32_t data_ids[4096]; /* the stream of each DATA frame sent, in order */
	size_t ndata;
	int32_t cancelled[NX]; /* streams the client reset (RST_STREAM received) */
	int ncancelled;
	bool timed_out;
	char unix_dir[64]; /* listening on unix_dir/peer instead of 127.0.0.1 (or "") */
	char unix_path[96];
};

/* The body the peer sends on stream id of connection conn. */
static void body_of(char *out, int conn, int32_t id)
{
	int n = snprintf(out, BODY_LEN + 1, "c%d s%d ", conn, (int)id);
	for (size_t i = (size_t)n; i < BODY_LEN; i++)
		out[i] = (char)('a' + (i + (size_t)id) % 26);
	out[BODY_LEN] = '\0';
}

static ssize_t peer_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			 nghttp2_data_source *src, void *ud)
{
	(void)s;
	(void)id;
	(void)ud;
	struct pstream *ps = src->ptr;
	if (ps->hold && ps->off >= PIECE)
		return NGHTTP2_ERR_DEFERRED;
	char body[BODY_LEN + 1];
	body_of(body, ps->conn, ps->id);
	size_t n = BODY_LEN - ps->off;
	if (n > PIECE)
		n = PIECE;
	if (n > len)
		n = len;
	memcpy(buf, body + ps->off, n);
	ps->off += n;
	if (ps->off == BODY_LEN)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static void answer(struct pconn *pc, int k)
{
	if (pc->answered[k])
		return;
	pc->answered[k] = true;
	struct pstream *ps = &pc->ps[k];
	*ps = (struct pstream){
	    .conn = pc->n, .id = pc->ids[k], .hold = pc->n == 0 && pc->ids[k] == pc->p->hold_id};
	if (pc->p->script == S_EARLY) {
		nghttp2_nv nv = {(uint8_t *)":status", (uint8_t *)"403", 7, 3, 0};
		nghttp2_submit_response(pc->s, ps->id, &nv, 1, NULL);
		return;
	}
	char len[16];
	snprintf(len, sizeof(len), "%d", BODY_LEN);
	nghttp2_nv nv[] = {
	    {(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
	    {(uint8_t *)"content-length", (uint8_t *)len, 14, strlen(len), 0},
	};
	nghttp2_data_provider prd = {.source.ptr = ps, .read_callback = peer_read};
	nghttp2_submit_response(pc->s, ps->id, nv, 2, &prd);
}

/* Requests in: what the script does with them. */
static void act(struct pconn *pc)
{
	struct peer *p = pc->p;
	bool first = pc->n == 0;
	if (first && pc->requests < p->wait_for)
		return;
	if (first && p->script == S_GOAWAY && !pc->goaway_sent) {
		pc->goaway_sent = true;
		nghttp2_submit_goaway(pc->s, 0, p->goaway_last, NGHTTP2_NO_ERROR, NULL, 0);
	}
	for (int k = 0; k < pc->requests; k++)
		if (!(first && p->script == S_GOAWAY && pc->ids[k] > p->goaway_last))
			answer(pc, k);
}

static int peer_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	(void)s;
	struct pconn *pc = ud;
	if (f->hd.type == NGHTTP2_RST_STREAM && pc->p->ncancelled < NX)
		pc->p->cancelled[pc->p->ncancelled++] = f->hd.stream_id;
	bool whole = f->hd.flags & NGHTTP2_FLAG_END_STREAM || pc->p->script == S_EARLY;
	if (f->hd.type != NGHTTP2_HEADERS || !whole || pc->requests >= NX)
		return 0;
	pc->ids[pc->requests++] = f->hd.stream_id;
	act(pc);
	return 0;
}

static int peer_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	(void)s;
	(void)f;
	struct pconn *pc = ud;
	if (++pc->open > pc->p->max_open)
		pc->p->max_open = pc->open;
	return 0;
}

static int peer_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *ud)
{
	(void)s;
	(void)id;
	(void)code;
	struct pconn *pc = ud;
	pc->open--;
	/* S_GOAWAY: the streams below it answered, the connection ends */
	if (pc->goaway_sent && pc->open == 0)
		pc->closing = true;
	return 0;
}

static int peer_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct pconn *pc = ud;
	struct peer *p = pc->p;
	if (f->hd.type == NGHTTP2_GOAWAY && p->script == S_CONN_ERROR)
		pc->stop = true;
	if (f->hd.type != NGHTTP2_DATA)
		return 0;
	if (p->ndata < sizeof(p->data_ids) / sizeof(p->data_ids[0]))
		p->data_ids[p->ndata++] = f->hd.stream_id;
	bool end = f->hd.flags & NGHTTP2_FLAG_END_STREAM;
	if (p->script == S_END_GOAWAY && end && !pc->goaway_sent) {
		/* in the same flush as the answer's end: the client reads both in one input */
		pc->goaway_sent = true;
		nghttp2_submit_goaway(s, 0, f->hd.stream_id, NGHTTP2_INTERNAL_ERROR, NULL, 0);
		pc->closing = true;
	}
	if (p->script == S_RESET && f->hd.stream_id == p->rst_id)
		nghttp2_submit_rst_stream(s, 0, p->rst_id, NGHTTP2_INTERNAL_ERROR);
	for (int k = 0; k < pc->requests; k++)
		if (pc->ids[k] == f->hd.stream_id)
			pc->had_data |= 1u << k;
	if (p->script == S_CONN_ERROR && !pc->goaway_sent &&
	    pc->had_data == (1u << pc->requests) - 1) {
		/* a frame on each: the connection fails under them all */
		pc->goaway_sent = true;
		nghttp2_submit_goaway(s, 0, pc->ids[pc->requests - 1], NGHTTP2_PROTOCOL_ERROR, NULL,
				      0);
		pc->closing = true;
	}
	return 0;
}

static void pconn_close(struct pconn *pc)
{
	if (pc->task.fd >= 0)
		close(pc->task.fd);
	pc->task.fd = -1;
	pc->task.events = 0;
	pc->task.done = true;
}

/* Read what the client sent into the session, write what the session has as the socket takes it. */
static enum hc_err pconn_step(struct hc_task *t, short revents)
{
	(void)revents;
	struct pconn *pc = (struct pconn *)t;
	uint8_t buf[16384];
	ssize_t n = -1;
	errno = EAGAIN;
	while (!pc->deaf && (n = read(t->fd, buf, sizeof(buf))) > 0)
		if (nghttp2_session_mem_recv(pc->s, buf, (size_t)n) < 0) {
			pconn_close(pc);
			return HC_OK;
		}
	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		pconn_close(pc);
		return HC_OK;
	}
	const uint8_t *d;
	ssize_t k;
	while (!pc->stop && (k = nghttp2_session_mem_send(pc->s, &d)) > 0)
		unit_buf_add(&pc->out, d, (size_t)k);
	while (pc->osent < pc->out.len) {
		ssize_t w = write(t->fd, pc->out.p + pc->osent, pc->out.len - pc->osent);
		if (w <= 0)
			break;
		pc->osent += (size_t)w;
	}
	if (pc->closing && pc->osent == pc->out.len &&
	    (pc->stop || !nghttp2_session_want_write(pc->s))) {
		pconn_close(pc);
		return HC_OK;
	}
	t->events = (pc->deaf ? 0 : POLLIN) | (pc->osent < pc->out.len ? POLLOUT : 0);
	return HC_OK;
}

/* The peer's life is over (only a failing case gets here): its connections close, the
 * client's transfers end. */
static void peer_give_up(struct peer *p)
{
	p->timed_out = true;
	for (int i = 0; i < p->nconns; i++)
		pconn_close(&p->conns[i]);
}

static enum hc_err peer_expire(struct hc_task *t)
{
	peer_give_up(((struct pconn *)t)->p);
	return HC_ETIMEOUT;
}

static const struct hc_task_ops pconn_ops = {.step = pconn_step, .expire = peer_expire};

static bool pconn_init(struct peer *p, struct pconn *pc, int fd)
{
	nghttp2_session_callbacks *cb;
	if (nghttp2_session_callbacks_new(&cb))
		return false;
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, peer_frame_recv);
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, peer_begin_headers);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, peer_stream_close);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, peer_frame_send);
	int r = nghttp2_session_server_new(&pc->s, cb, pc);
	nghttp2_session_callbacks_del(cb);
	if (r)
		return false;
	nghttp2_settings_entry iv = {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, p->max_streams};
	nghttp2_submit_settings(pc->s, 0, &iv, p->max_streams ? 1 : 0);
	pc->p = p;
	pc->n = p->nconns;
	pc->task = (struct hc_task){.ops = &pconn_ops, .fd = fd, .events = POLLIN};
	pc->task.deadline = p->task.deadline;
	return true;
}

static enum hc_err listener_step(struct hc_task *t, short revents)
{
	(void)revents;
	struct peer *p = (struct peer *)t;
	int fd;
	while (p->nconns < PEER_CONNS &&
	       (fd = accept4(p->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct pconn *pc = &p->conns[p->nconns];
		if (!pconn_init(p, pc, fd)) {
			close(fd);
			return HC_ENOMEM;
		}
		p->nconns++;
		loop_add(p->L, &pc->task);
	}
	t->events = POLLIN;
	return HC_OK;
}

static enum hc_err listener_expire(struct hc_task *t)
{
	peer_give_up((struct peer *)t);
	return HC_ETIMEOUT;
}

static const struct hc_task_ops listener_ops = {.step = listener_step, .expire = listener_expire};

/* A listener on a unix socket in a directory of its own: a small write there goes whole or not
 * at all, so a test can fill the client's send side with whole frames. */
static bool peer_listen_unix(struct peer *p)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(p->unix_dir, sizeof(p->unix_dir), "/tmp/test_h2streams.XXXXXX");
	if (!CHECK(mkdtemp(p->unix_dir) != NULL))
		return false;
	snprintf(p->unix_path, sizeof(p->unix_path), "%s/peer", p->unix_dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", p->unix_path);
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return CHECK(p->lfd >= 0 && bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		     listen(p->lfd, 8) == 0);
}

static bool peer_start(struct peer *p, struct hc_loop *L, enum script script, bool unix_sock)
{
	memset(p, 0, sizeof(*p));
	p->L = L;
	p->script = script;
	p->lfd = -1;
	if (unix_sock) {
		if (!peer_listen_unix(p))
			return false;
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t al = sizeof(a);
		p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (!CHECK(p->lfd >= 0 && bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
			   listen(p->lfd, 8) == 0 &&
			   getsockname(p->lfd, (struct sockaddr *)&a, &al) == 0))
			return false;
		p->port = ntohs(a.sin_port);
	}
	p->task = (struct hc_task){.ops = &listener_ops, .fd = p->lfd, .events = POLLIN};
	p->task.deadline = hc_now_ns() + (int64_t)PEER_LIFE_S * 1000000000;
	loop_add(L, &p->task);
	return true;
}

static void peer_free(struct peer *p)
{
	for (int i = 0; i < p->nconns; i++) {
		loop_remove(p->L, &p->conns[i].task);
		if (p->conns[i].task.fd >= 0)
			close(p->conns[i].task.fd);
		nghttp2_session_del(p->conns[i].s);
		unit_buf_free(&p->conns[i].out);
	}
	loop_remove(p->L, &p->task);
	if (p->lfd >= 0)
		close(p->lfd);
	if (p->unix_path[0])
		unlink(p->unix_path);
	if (p->unix_dir[0])
		rmdir(p->unix_dir);
}

/* ---- the client side: transfers on one connection, each with a sink of its own ---- */

struct multi {
	struct hc_conn_cfg cfg;
	struct hc_conn c;
	struct hc_loop L;
	struct peer p;
	int n;
	char paths[NX][8];
	struct hc_request req[NX];
	struct hc_response resp[NX];
	struct hc_xfer x[NX];
	struct rec_sink rec[NX];
	struct hc_sink sink[NX];
	bool bodied[NX], freed[NX];
};

static bool multi_open_on(struct multi *m, int n, enum script script, bool unix_sock)
{
	memset(m, 0, sizeof(*m));
	m->cfg = (struct hc_conn_cfg){.connect_timeout_ms = -1,
				      .timeout_ms = -1,
				      .blocksize = HC_BLOCKSIZE,
				      .max_headers = HC_MAX_HEADERS,
				      .http = HC_HTTP_2_PRIOR};
	m->n = n;
	loop_init(&m->L);
	conn_init(&m->c, &m->cfg);
	if (!peer_start(&m->p, &m->L, script, unix_sock))
		return false;
	m->cfg.unix_path = unix_sock ? m->p.unix_path : NULL;
	if (!CHECK(conn_target(&m->c, "127.0.0.1", unix_sock ? 80 : m->p.port, false, NULL) ==
		   HC_OK))
		return false;
	m->c.tm.t0 = hc_now_ns();
	for (int i = 0; i < n; i++) {
		snprintf(m->paths[i], sizeof(m->paths[i]), "/%d", i);
		m->req[i] = (struct hc_request){.method = "GET", .target = m->paths[i]};
		m->sink[i] = rec_sink_init(&m->rec[i]);
	}
	return true;
}

static bool multi_open(struct multi *m, int n, enum script script)
{
	return multi_open_on(m, n, script, false);
}

/* Transfer i starts on the loop (its connection shared with the others). */
static void multi_start(struct multi *m, int i)
{
	resp_init(&m->resp[i], &m->c);
	h1_xfer_init(&m->x[i], &m->c, &m->req[i], &m->resp[i]);
	m->x[i].loop = &m->L;
	CHECK(m->x[i].proto->start(&m->x[i], &m->L) == HC_OK);
}

static bool settled(const struct multi *m, int i)
{
	return m->freed[i] || m->x[i].task.done;
}

/* Transfers whose head is in get their sinks. */
static void multi_sinks(struct multi *m)
{
	for (int i = 0; i < m->n; i++) {
		struct hc_xfer *x = &m->x[i];
		if (!m->freed[i] && !m->bodied[i] && x->task.paused && !x->task.done) {
			m->bodied[i] = true;
			CHECK(x->proto->body(x, &m->sink[i]) == HC_OK);
		}
	}
}

/* A task always runnable: the round it is on polls without waiting. */
static enum hc_err nudge_step(struct hc_task *t, short revents)
{
	(void)revents;
	t->run_again = true;
	return HC_OK;
}

static const struct hc_task_ops nudge_ops = {.step = nudge_step, .expire = NULL};

/*
 * One round that does not wait: what is runnable runs, what poll has ready
 * is handled; then heads in get their sinks. For a case that waits for a
 * state between rounds (a busy wait, short on loopback; the peer's life
 * bounds it).
 */
static void multi_round(struct multi *m)
{
	struct hc_task nudge = {.ops = &nudge_ops, .fd = -1};
	loop_add(&m->L, &nudge);
	CHECK(loop_round(&m->L) == HC_OK);
	loop_remove(&m->L, &nudge);
	multi_sinks(m);
}

/*
 * The loop runs until every transfer (or the one given, >= 0) has ended, as
 * xfer_open and xfer_recv run it: until one transfer pauses (its head is in:
 * it gets its sink) or ends, the others moving meanwhile; then the next.
 */
static void multi_run(struct multi *m, int only)
{
	for (int i = 0; i < m->n; i++) {
		if (only >= 0 && i != only)
			continue;
		while (!settled(m, i)) {
			multi_sinks(m);
			if (!m->x[i].task.paused &&
			    !CHECK(loop_run_until(&m->L, &m->x[i].task) == HC_OK))
				return;
		}
	}
	CHECK(!m->p.timed_out);
}

static void multi_free(struct multi *m)
{
	for (int i = 0; i < m->n; i++)
		if (!m->freed[i]) {
			m->x[i].proto->finish(&m->x[i], &m->L);
			resp_free(&m->resp[i]);
		}
	conn_free(&m->c);
	peer_free(&m->p);
	loop_free(&m->L);
}

/* Transfer i ended whole with the body of stream id on the peer's connection conn. */
static void check_whole(struct multi *m, int i, int conn, int32_t id)
{
	char want[BODY_LEN + 1];
	if (!CHECK(m->x[i].task.done && m->x[i].task.result == HC_OK))
		unit_note("transfer %d: result %d, %s", i, m->x[i].task.result, m->x[i].err);
	body_of(want, conn, id);
	CHECK_EQ_STR(m->rec[i].got, want);
	/* its own times, whatever the other streams did meanwhile */
	const struct hc_timing *t = &m->x[i].tm;
	CHECK(t->t0 > 0 && t->pretransfer > 0 && t->pretransfer <= t->starttransfer &&
	      t->starttransfer <= t->total);
	CHECK_EQ_INT(m->rec[i].ends, 1);
	CHECK_EQ_UINT(m->resp[i].nread, BODY_LEN);
}

/* The peer's held answer on stream id (connection 0) goes on. */
static void peer_resume(struct peer *p, int32_t id)
{
	for (int k = 0; k < p->conns[0].requests; k++)
		if (p->conns[0].ps[k].id == id)
			p->conns[0].ps[k].hold = false;
	nghttp2_session_resume_data(p->conns[0].s, id);
	p->conns[0].task.run_again = true;
}

/* How often the DATA frames' stream changes from one frame to the next. */
static size_t switches(const struct peer *p)
{
	size_t k = 0;
	for (size_t i = 1; i < p->ndata; i++)
		k += p->data_ids[i] != p->data_ids[i - 1];
	return k;
}

/*
 * N GETs at once: the peer answers nothing until all N are in (so they are
 * open together), then sends the bodies in small frames that interleave;
 * each sink gets its own body whole, on one connection.
 */
static void streams_at_once(int n)
{
	unit_begin("h2: %d transfers as streams of one connection at once, DATA interleaved", n);
	struct multi m;
	if (multi_open(&m, n, S_ANSWER)) {
		m.p.wait_for = n;
		for (int i = 0; i < n; i++)
			multi_start(&m, i);
		multi_run(&m, -1);
		for (int i = 0; i < n; i++)
			check_whole(&m, i, 0, 2 * i + 1);
		CHECK_EQ_INT(m.p.nconns, 1);
		CHECK_EQ_INT(m.p.max_open, n);
		CHECK(switches(&m.p) >= (size_t)n); /* not one body after another */
		CHECK(conn_room(&m.c));
	}
	multi_free(&m);
	unit_end();
}

/* One stream reset among five: it ends with 92 after its first bytes, the others whole. */
static void reset_among_them(void)
{
	unit_begin("h2: one stream reset among five: it fails (92), the others end whole");
	struct multi m;
	if (multi_open(&m, 5, S_RESET)) {
		m.p.wait_for = 5;
		m.p.rst_id = 5;
		for (int i = 0; i < 5; i++)
			multi_start(&m, i);
		multi_run(&m, -1);
		for (int i = 0; i < 5; i++) {
			if (i == 2) {
				CHECK_EQ_INT(m.x[i].task.result, HC_EH2STREAM);
				CHECK(strstr(m.x[i].err, "stream 5 was reset") != NULL);
				CHECK(m.rec[i].n >= PIECE &&
				      strncmp(m.rec[i].got, "c0 s5 ", 6) == 0);
				continue;
			}
			check_whole(&m, i, 0, 2 * i + 1);
		}
		CHECK_EQ_INT(m.p.nconns, 1);
		CHECK(conn_room(&m.c)); /* the session goes on */
	}
	multi_free(&m);
	unit_end();
}

/*
 * A GOAWAY(NO_ERROR) whose last stream is 3 with five open: 1 and 3 are
 * answered on the first connection; 5, 7 and 9 were not processed and go
 * again, each of them, on a second connection (one, shared), while 3's
 * answer, held, is still coming on the first; then it ends whole too.
 */
static void goaway_below_open(void)
{
	unit_begin("h2: GOAWAY below open streams: those above go again on a new connection");
	struct multi m;
	if (multi_open(&m, 5, S_GOAWAY)) {
		m.p.wait_for = 5;
		m.p.goaway_last = 3;
		m.p.hold_id = 3;
		for (int i = 0; i < 5; i++)
			multi_start(&m, i);
		for (int i = 2; i < 5; i++)
			multi_run(&m, i);
		CHECK(!m.x[1].task.done && m.rec[1].n == PIECE);
		peer_resume(&m.p, 3);
		multi_run(&m, -1);
		/* 1 and 3 on the first; 5, 7 and 9 again as 1, 3 and 5 on the second */
		for (int i = 0; i < 5; i++)
			check_whole(&m, i, i < 2 ? 0 : 1, i < 2 ? 2 * i + 1 : 2 * (i - 2) + 1);
		CHECK_EQ_INT(m.p.nconns, 2);
		CHECK_EQ_INT(m.p.conns[0].requests, 5);
		CHECK_EQ_INT(m.p.conns[1].requests, 3);
		CHECK(conn_room(&m.c));
	}
	multi_free(&m);
	unit_end();
}

/* A connection error with five open: each fails with 16, after the bytes it had reached its sink.
 */
static void conn_error_under_all(void)
{
	unit_begin(
	    "h2: a connection error with five streams open: each fails (16) after its bytes");
	struct multi m;
	if (multi_open(&m, 5, S_CONN_ERROR)) {
		m.p.wait_for = 5;
		for (int i = 0; i < 5; i++)
			multi_start(&m, i);
		multi_run(&m, -1);
		for (int i = 0; i < 5; i++) {
			char want[BODY_LEN + 1];
			body_of(want, 0, 2 * i + 1);
			CHECK_EQ_INT(m.x[i].task.result, HC_EH2);
			CHECK(strstr(m.x[i].err, "connection error") != NULL);
			CHECK(m.rec[i].n >= PIECE && m.rec[i].n < BODY_LEN &&
			      memcmp(m.rec[i].got, want, m.rec[i].n) == 0);
		}
		CHECK(!conn_room(&m.c) || !conn_is_open(&m.c));
	}
	multi_free(&m);
	unit_end();
}

/* An answer ended, then the server's GOAWAY(INTERNAL_ERROR) in the same input: it stands. */
static void answer_then_goaway_error(void)
{
	unit_begin("h2: a GOAWAY with an error right after a whole answer does not undo it");
	struct multi m;
	if (multi_open(&m, 1, S_END_GOAWAY)) {
		m.p.wait_for = 1;
		multi_start(&m, 0);
		multi_run(&m, -1);
		check_whole(&m, 0, 0, 1);
	}
	multi_free(&m);
	unit_end();
}

/* SETTINGS_MAX_CONCURRENT_STREAMS n with five transfers: all end whole, at most n open at once. */
static void max_concurrent(uint32_t n)
{
	unit_begin("h2: MAX_CONCURRENT_STREAMS %u with five transfers: at most %u open, all whole",
		   n, n);
	struct multi m;
	if (multi_open(&m, 5, S_ANSWER)) {
		m.p.max_streams = n;
		for (int i = 0; i < 5; i++)
			multi_start(&m, i);
		multi_run(&m, -1);
		for (int i = 0; i < 5; i++)
			check_whole(&m, i, 0, 2 * i + 1);
		CHECK_EQ_INT(m.p.nconns, 1);
		CHECK_EQ_INT(m.p.max_open, (int)n);
	}
	multi_free(&m);
	unit_end();
}

static bool full_pipe(int p[2])
{
	if (!CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0))
		return false;
	char junk[4096] = {0};
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	return true;
}

static void empty_pipe(int fd)
{
	char junk[4096];
	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

/*
 * MAX_CONCURRENT_STREAMS 1: the first stream open, its answer stopped after
 * one frame, its sink blocked; the four others wait for a free stream. No
 * operation timeout runs then: the session's wait is untimed (the open
 * stream's silence is its own sink's doing, the others asked nothing yet),
 * the waiting transfers have the transfer's limit (-m) only. The sink takes
 * bytes again: the session is timed again; the answer goes on: all five
 * end whole, never more than one open.
 */
static void waiting_streams_untimed(void)
{
	unit_begin("h2: streams waiting for a free stream run no timeout but the transfer's");
	struct multi m;
	int pf[2] = {-1, -1};
	if (multi_open(&m, 5, S_ANSWER) && full_pipe(pf)) {
		m.cfg.timeout_ms = 60000;
		m.cfg.deadline_ns = hc_now_ns() + (int64_t)3600 * 1000000000;
		m.p.max_streams = 1;
		m.p.hold_id = 1;
		m.rec[0].block_fd = pf[1];
		for (int i = 0; i < 5; i++)
			multi_start(&m, i);
		while (!m.p.timed_out &&
		       (h2_buffered(&m.resp[0]) < PIECE || m.x[0].task.fd != pf[1]))
			multi_round(&m);
		const struct hc_task *t = h2_session_task(&m.c);
		CHECK(t != NULL && t->deadline == 0);
		CHECK(!m.x[0].task.done && m.x[0].task.fd == pf[1] && m.x[0].task.deadline == 0);
		for (int i = 1; i < 5; i++)
			CHECK(!m.x[i].task.done && m.x[i].task.deadline == m.cfg.deadline_ns);
		CHECK_EQ_INT(m.p.conns[0].requests, 1);
		m.rec[0].block_fd = -1;
		empty_pipe(pf[0]);
		while (!m.p.timed_out && h2_buffered(&m.resp[0]) > 0)
			multi_round(&m);
		/* the session is timed again: stream 1 waits for the server now */
		multi_round(&m);
		t = h2_session_task(&m.c);
		CHECK(t != NULL && t->deadline > 0);
		peer_resume(&m.p, 1);
		multi_run(&m, -1);
		for (int i = 0; i < 5; i++)
			check_whole(&m, i, 0, 2 * i + 1);
		CHECK_EQ_INT(m.p.max_open, 1);
	}
	if (pf[0] >= 0) {
		close(pf[0]);
		close(pf[1]);
	}
	multi_free(&m);
	unit_end();
}

/* One stream's sink blocks: the others end whole meanwhile; then it does too. */
static void blocked_sink_others_go_on(void)
{
	unit_begin("h2: one stream's sink blocks, the other streams end whole meanwhile");
	struct multi m;
	int pf[2] = {-1, -1};
	if (multi_open(&m, 4, S_ANSWER) && full_pipe(pf)) {
		m.p.wait_for = 4;
		m.rec[1].block_fd = pf[1];
		for (int i = 0; i < 4; i++)
			multi_start(&m, i);
		for (int i = 0; i < 4; i++)
			if (i != 1)
				multi_run(&m, i);
		for (int i = 0; i < 4; i++)
			if (i != 1)
				check_whole(&m, i, 0, 2 * i + 1);
		CHECK(!m.x[1].task.done && m.rec[1].n == 0 && m.x[1].task.fd == pf[1]);
		CHECK_EQ_UINT(h2_buffered(&m.resp[1]), BODY_LEN);
		m.rec[1].block_fd = -1;
		empty_pipe(pf[0]);
		multi_run(&m, 1);
		check_whole(&m, 1, 0, 3);
		CHECK(conn_room(&m.c));
	}
	if (pf[0] >= 0) {
		close(pf[0]);
		close(pf[1]);
	}
	multi_free(&m);
	unit_end();
}

/* A transfer finished and freed while its stream is open: it is reset (CANCEL), the others end. */
static void freed_in_the_middle(void)
{
	unit_begin("h2: a stream freed in the middle is reset; the others end whole");
	struct multi m;
	if (multi_open(&m, 3, S_ANSWER)) {
		m.p.wait_for = 3;
		m.p.hold_id = 3; /* the second transfer's body stops after its first frame */
		for (int i = 0; i < 3; i++)
			multi_start(&m, i);
		while (!m.p.timed_out && m.rec[1].n < PIECE)
			multi_round(&m);
		CHECK(!m.x[1].task.done);
		m.x[1].proto->finish(&m.x[1], &m.L);
		resp_free(&m.resp[1]);
		m.freed[1] = true;
		multi_run(&m, -1);
		check_whole(&m, 0, 0, 1);
		check_whole(&m, 2, 0, 5);
		while (!m.p.timed_out && m.p.ncancelled == 0)
			multi_round(&m);
		CHECK_EQ_INT(m.p.ncancelled, 1);
		CHECK_EQ_INT(m.p.cancelled[0], 3);
		CHECK(conn_room(&m.c));
	}
	multi_free(&m);
	unit_end();
}

/*
 * A stream starts on a session that already runs another and waits for the
 * server with nothing to send (the first answer held after one frame): its
 * HEADERS goes out at once, and it ends whole while the first still waits.
 */
static void joins_a_waiting_session(void)
{
	unit_begin("h2: a stream started beside one that waits goes out at once, and ends whole");
	struct multi m;
	if (multi_open(&m, 2, S_ANSWER)) {
		m.p.hold_id = 1;
		multi_start(&m, 0);
		while (!m.p.timed_out && m.rec[0].n < PIECE)
			multi_round(&m);
		/* the session has nothing more to do: it waits for the server's bytes */
		const struct hc_task *t = h2_session_task(&m.c);
		for (int i = 0; i < 100 && t != NULL && t->run_again; i++)
			multi_round(&m);
		CHECK(t != NULL && !t->run_again && t->events == POLLIN);
		multi_start(&m, 1);
		multi_run(&m, 1);
		check_whole(&m, 1, 0, 3);
		CHECK(!m.x[0].task.done && m.rec[0].n == PIECE);
		peer_resume(&m.p, 1);
		multi_run(&m, 0);
		check_whole(&m, 0, 0, 1);
		CHECK_EQ_INT(m.p.nconns, 1);
		CHECK_EQ_INT(m.p.max_open, 2);
	}
	multi_free(&m);
	unit_end();
}

/*
 * The client's send side fills with frames the peer ignores (RFC 9113 §5.5:
 * an unknown type, empty): a unix socket takes a small write whole or not
 * at all, so no frame is cut. Returns how many went.
 */
static int fill_send_side(int fd)
{
	static const uint8_t unknown[9] = {0, 0, 0, 0xfa, 0, 0, 0, 0, 0};
	int n = 0;
	while (write(fd, unknown, sizeof(unknown)) == (ssize_t)sizeof(unknown))
		n++;
	return n;
}

/*
 * An upload the server stopped reading: its 403 ends the stream before any
 * body byte, and the reset that stops the body (RST_STREAM NO_ERROR, sent
 * from the transfer's own step) meets a full socket. The session must then
 * wait for POLLOUT, not for the server's next bytes (there are none): once
 * the server reads again, the reset reaches it.
 */
static void reset_into_full_socket(void)
{
	unit_begin("h2: a reset queued into a full socket: the session waits for POLLOUT, it goes");
	struct multi m;
	int pp[2] = {-1, -1};
	struct hc_body body = {.kind = HC_BODY_FD, .fd = -1, .size = -1};
	if (multi_open_on(&m, 1, S_EARLY, true) && CHECK(pipe2(pp, O_NONBLOCK | O_CLOEXEC) == 0)) {
		body.fd = pp[0]; /* a pipe with nothing in it yet */
		m.req[0].method = "POST";
		m.req[0].body = &body;
		m.bodied[0] = true; /* its sink comes once the socket is full */
		multi_start(&m, 0);
		struct hc_xfer *x = &m.x[0];
		while (!m.p.timed_out && !x->task.paused && !x->task.done)
			multi_round(&m);
		CHECK(x->task.paused && !x->task.done && m.resp[0].status == 403);
		const struct hc_task *t = h2_session_task(&m.c);
		for (int i = 0; i < 100 && t != NULL && t->run_again; i++)
			multi_round(&m);
		/* nothing waits to go out: frames written now come whole between the client's */
		CHECK(t != NULL && !(t->events & POLLOUT));
		m.p.conns[0].deaf = true;
		CHECK(fill_send_side(m.c.fd) > 0);
		CHECK(x->proto->body(x, &m.sink[0]) == HC_OK);
		multi_round(&m);
		CHECK(x->task.done && x->task.result == HC_OK && m.rec[0].ends == 1);
		CHECK_EQ_INT(m.p.ncancelled, 0);
		for (int i = 0; i < 10 && t != NULL && t->run_again; i++)
			multi_round(&m);
		if (CHECK(t != NULL && (t->events & POLLOUT))) {
			m.p.conns[0].deaf = false;
			m.p.conns[0].task.run_again = true;
			while (!m.p.timed_out && m.p.ncancelled == 0)
				multi_round(&m);
			CHECK_EQ_INT(m.p.ncancelled, 1);
			CHECK_EQ_INT(m.p.cancelled[0], 1);
		}
	}
	if (pp[0] >= 0) {
		close(pp[0]);
		close(pp[1]);
	}
	multi_free(&m);
	unit_end();
}

int main(void)
{
	unit_init();
	streams_at_once(3);
	streams_at_once(10);
	reset_among_them();
	goaway_below_open();
	conn_error_under_all();
	answer_then_goaway_error();
	max_concurrent(1);
	max_concurrent(2);
	waiting_streams_untimed();
	blocked_sink_others_go_on();
	freed_in_the_middle();
	joins_a_waiting_session();
	reset_into_full_socket();
	return unit_done();
}
