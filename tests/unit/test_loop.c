/*
 * Unit tests for the loop's scheduling: fake tasks over pipes and socket
 * pairs (readiness order, run-again, deadlines, one task ending while others
 * wait, errors that end one task only), then two HTTP/1.1 transfers on one
 * loop, one waiting for 100 Continue while the other gets its head, sends
 * that meet a full socket (a slow reader, a peer that stops reading; plain
 * TCP and TLS), a body source that has nothing yet (a pipe), a CONNECT
 * tunnel through a slow proxy, and bodies fed to sinks: two at once, a sink
 * that blocks (its own descriptor, or a full pipe it splices into) while
 * another transfer goes on, the end, the sink's error, a quiet server
 * mid-body.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>

#include "http.h"
#include "tls.h"
#include "unit.h"

/* A fake task: what happened to it, in a log shared by all of them. */
struct fake {
	struct hc_task t; /* first */
	char name;
	int steps, expires;
	int finish_after; /* done after this many steps (0: never) */
	int again;	  /* steps that ask to run again at once */
	enum hc_err fail; /* returned by the first step, when set */
	short last_revents;
};

static char order[64];
static size_t norder;

static void log_event(char ch)
{
	if (norder + 1 < sizeof(order)) {
		order[norder++] = ch;
		order[norder] = '\0';
	}
}

static void log_reset(void)
{
	norder = 0;
	order[0] = '\0';
}

static enum hc_err fake_step(struct hc_task *t, short revents)
{
	struct fake *f = (struct fake *)t;
	f->steps++;
	f->last_revents = revents;
	log_event(f->name);
	if (f->fail)
		return f->fail;
	if (revents & POLLIN) {
		char buf[64];
		ssize_t n = read(t->fd, buf, sizeof(buf));
		(void)n;
	}
	if (f->finish_after && f->steps >= f->finish_after) {
		t->done = true;
		return HC_OK;
	}
	if (f->again > 0) {
		f->again--;
		t->run_again = true;
	}
	return HC_OK;
}

static enum hc_err fake_expire(struct hc_task *t)
{
	struct fake *f = (struct fake *)t;
	f->expires++;
	log_event((char)(f->name - 'A' + 'a')); /* lower case: its deadline */
	return HC_ETIMEOUT;
}

static const struct hc_task_ops fake_ops = {.step = fake_step, .expire = fake_expire};

/* A fake waiting for fd with events; its first step (run_again from loop_add) is done here. */
static void fake_init(struct fake *f, char name, int fd, short events)
{
	memset(f, 0, sizeof(*f));
	f->t.ops = &fake_ops;
	f->name = name;
	f->t.fd = fd;
	f->t.events = events;
}

static void add_waiting(struct hc_loop *L, struct fake *f)
{
	loop_add(L, &f->t);
	f->t.run_again = false; /* straight to waiting: the cases count their own steps */
}

static bool pipes(int p[][2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!CHECK(pipe2(p[i], O_CLOEXEC | O_NONBLOCK) == 0))
			return false;
	return true;
}

static void close_pipes(int p[][2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
}

static void poke(int fd)
{
	CHECK(write(fd, "x", 1) == 1);
}

static void readiness_order(void)
{
	unit_begin("loop: tasks woken in one poll step in the order they were added");
	int p[3][2];
	struct hc_loop L;
	struct fake f[3];
	loop_init(&L);
	if (pipes(p, 3)) {
		for (int i = 0; i < 3; i++) {
			fake_init(&f[i], (char)('A' + i), p[i][0], POLLIN);
			add_waiting(&L, &f[i]);
		}
		log_reset();
		poke(p[2][1]); /* C first, then A; B stays quiet */
		poke(p[0][1]);
		CHECK_EQ_INT(loop_round(&L), HC_OK);
		CHECK_EQ_STR(order, "AC");
		CHECK(f[0].last_revents & POLLIN);
		CHECK_EQ_INT(f[1].steps, 0);
		poke(p[1][1]);
		CHECK_EQ_INT(loop_round(&L), HC_OK);
		CHECK_EQ_STR(order, "ACB");
	}
	loop_free(&L);
	close_pipes(p, 3);
	unit_end();
}

static void run_again_first(void)
{
	unit_begin("loop: a runnable task steps before the poll, and does not starve a ready one");
	int p[1][2];
	struct hc_loop L;
	struct fake a, b;
	loop_init(&L);
	if (pipes(p, 1)) {
		fake_init(&a, 'A', -1, 0);
		a.again = 3; /* four steps in a row, no descriptor at all */
		a.finish_after = 4;
		fake_init(&b, 'B', p[0][0], POLLIN);
		b.finish_after = 1;
		loop_add(&L, &a.t);
		add_waiting(&L, &b);
		poke(p[0][1]);
		log_reset();
		CHECK_EQ_INT(loop_round(&L), HC_OK);
		CHECK_EQ_STR(order, "AB"); /* B's readiness seen while A could still run */
		CHECK_EQ_INT(loop_run(&L), HC_OK);
		CHECK_EQ_STR(order, "ABAAA");
		CHECK(a.t.done && b.t.done);
	}
	loop_free(&L);
	close_pipes(p, 1);
	unit_end();
}

static void finishing_while_others_wait(void)
{
	unit_begin("loop: run_until returns when its task ends; the others wait on, untouched");
	int p[3][2];
	struct hc_loop L;
	struct fake f[3];
	loop_init(&L);
	if (pipes(p, 3)) {
		for (int i = 0; i < 3; i++) {
			fake_init(&f[i], (char)('A' + i), p[i][0], POLLIN);
			f[i].finish_after = 1;
			add_waiting(&L, &f[i]);
		}
		log_reset();
		poke(p[1][1]);
		CHECK_EQ_INT(loop_run_until(&L, &f[1].t), HC_OK);
		CHECK(f[1].t.done);
		CHECK(!f[0].t.done && !f[2].t.done);
		CHECK_EQ_STR(order, "B");
		/* a finished task is neither polled nor run again */
		poke(p[1][1]);
		poke(p[2][1]);
		poke(p[0][1]);
		CHECK_EQ_INT(loop_run(&L), HC_OK);
		CHECK_EQ_STR(order, "BAC");
		CHECK_EQ_INT(f[1].steps, 1);
	}
	loop_free(&L);
	close_pipes(p, 3);
	unit_end();
}

/* A step that takes another task off the loop (as a retried h2 stream may end a session's). */
struct remover {
	struct fake f; /* first */
	struct hc_loop *L;
	struct hc_task *victim;
};

static enum hc_err remover_step(struct hc_task *t, short revents)
{
	struct remover *r = (struct remover *)t;
	if (r->victim)
		loop_remove(r->L, r->victim);
	r->victim = NULL;
	return fake_step(t, revents);
}

static const struct hc_task_ops remover_ops = {.step = remover_step, .expire = fake_expire};

static void removed_during_a_round(void)
{
	unit_begin("loop: a task another step takes off the loop is not woken by its round");
	int p[2][2];
	struct hc_loop L;
	struct remover a;
	struct fake b;
	loop_init(&L);
	if (pipes(p, 2)) {
		fake_init(&a.f, 'A', p[0][0], POLLIN);
		a.f.t.ops = &remover_ops;
		a.L = &L;
		a.victim = &b.t;
		fake_init(&b, 'B', p[1][0], POLLIN);
		add_waiting(&L, &a.f);
		add_waiting(&L, &b);
		log_reset();
		poke(p[0][1]);
		poke(p[1][1]);
		CHECK_EQ_INT(loop_round(&L), HC_OK);
		CHECK_EQ_STR(order, "A");
		CHECK_EQ_INT(b.steps, 0);
		CHECK(!loop_has(&L, &b.t) && loop_has(&L, &a.f.t));
	}
	loop_free(&L);
	close_pipes(p, 2);
	unit_end();
}

static void turn_returns_when_a_task_ends(void)
{
	unit_begin("loop_turn: a task that ends in a runnable step returns the round before the poll");
	int p[1][2];
	struct hc_loop L;
	struct fake a, b;
	loop_init(&L);
	if (pipes(p, 1)) {
		fake_init(&a, 'A', -1, 0);
		a.finish_after = 1;
		fake_init(&b, 'B', p[0][0], POLLIN); /* never poked: a poll would wait for its deadline */
		b.finish_after = 1;
		loop_add(&L, &a.t);
		add_waiting(&L, &b);
		b.t.deadline = hc_now_ns() + (int64_t)30 * 1000000000;
		log_reset();
		CHECK_EQ_INT(loop_turn(&L), HC_OK);
		CHECK(a.t.done);
		CHECK_EQ_STR(order, "A");
		CHECK_EQ_INT(b.expires, 0);
		/* with nothing through, a turn polls as a round does */
		loop_remove(&L, &a.t);
		poke(p[0][1]);
		CHECK_EQ_INT(loop_turn(&L), HC_OK);
		CHECK_EQ_STR(order, "AB");
		CHECK(b.t.done);
	}
	loop_free(&L);
	close_pipes(p, 1);
	unit_end();
}

static void deadlines(void)
{
	unit_begin(
	    "loop: deadlines expire nearest first; an event before it wins; none for the rest");
	int p[3][2];
	struct hc_loop L;
	struct fake f[3];
	loop_init(&L);
	if (pipes(p, 3)) {
		int64_t now = hc_now_ns();
		for (int i = 0; i < 3; i++)
			fake_init(&f[i], (char)('A' + i), p[i][0], POLLIN);
		f[0].t.deadline = now + 40 * 1000000; /* A expires second */
		f[1].t.deadline = now + 20 * 1000000; /* B first */
		f[2].t.deadline = now - 1;	      /* C's passed, but its byte is there */
		f[2].finish_after = 1;
		for (int i = 0; i < 3; i++)
			add_waiting(&L, &f[i]);
		poke(p[2][1]);
		log_reset();
		CHECK_EQ_INT(loop_run(&L), HC_OK);
		CHECK_EQ_STR(order, "Cba");
		CHECK_EQ_INT(f[0].t.result, HC_ETIMEOUT);
		CHECK_EQ_INT(f[1].t.result, HC_ETIMEOUT);
		CHECK_EQ_INT(f[2].t.result, HC_OK);
		CHECK_EQ_INT(f[2].expires, 0);
		CHECK(hc_now_ns() >= now + 40 * 1000000); /* never early */
	}
	loop_free(&L);
	close_pipes(p, 3);
	unit_end();
}

static void error_ends_one(void)
{
	unit_begin("loop: a step's error ends its task only");
	int sv[2] = {-1, -1};
	struct hc_loop L;
	struct fake a, b;
	loop_init(&L);
	if (CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0)) {
		fake_init(&a, 'A', -1, 0);
		a.fail = HC_ERESET;
		fake_init(&b, 'B', sv[0], POLLOUT); /* an empty socket buffer: writable */
		b.finish_after = 2;
		loop_add(&L, &a.t);
		loop_add(&L, &b.t);
		log_reset();
		CHECK_EQ_INT(loop_run(&L), HC_OK);
		CHECK_EQ_STR(order, "ABB");
		CHECK_EQ_INT(a.t.result, HC_ERESET);
		CHECK(a.t.done);
		CHECK(b.last_revents & POLLOUT);
		CHECK_EQ_INT(b.t.result, HC_OK);
	}
	loop_free(&L);
	close(sv[0]);
	close(sv[1]);
	unit_end();
}

static void paused_and_stuck(void)
{
	unit_begin(
	    "loop: a paused task is left alone; a task waiting on nothing is an error, not a hang");
	struct hc_loop L;
	struct fake a, b;
	loop_init(&L);
	fake_init(&a, 'A', -1, 0);
	loop_add(&L, &a.t);
	a.t.paused = true;
	log_reset();
	CHECK_EQ_INT(loop_run(&L), HC_OK);
	CHECK_EQ_STR(order, "");
	fake_init(&b, 'B', -1, 0); /* steps once, then waits for nothing */
	loop_add(&L, &b.t);
	CHECK_EQ_INT(loop_run(&L), HC_EINTERNAL);
	CHECK_EQ_INT(L.err, EDEADLK);
	CHECK_EQ_STR(order, "B");
	loop_free(&L);
	unit_end();
}

static int ticks;
static void count_tick(void *ud)
{
	(void)ud;
	ticks++;
}

static void tick_while_waiting(void)
{
	unit_begin("loop: the tick runs while a poll waits");
	struct hc_loop L;
	struct fake a;
	int p[1][2];
	loop_init(&L);
	L.tick = count_tick;
	ticks = 0;
	if (pipes(p, 1)) {
		fake_init(&a, 'A', p[0][0], POLLIN);
		a.t.deadline = hc_now_ns() + 3 * HC_LOOP_TICK_MS * 1000000;
		add_waiting(&L, &a);
		CHECK_EQ_INT(loop_run(&L), HC_OK);
		CHECK_EQ_INT(a.expires, 1);
		CHECK(ticks >= 2);
	}
	loop_free(&L);
	close_pipes(p, 1);
	unit_end();
}

/* ---- HTTP/1.1 transfers on one loop ---- */

static const struct hc_conn_cfg cfg = {.connect_timeout_ms = -1,
				       .timeout_ms = 300, /* a quiet peer's head times out */
				       .blocksize = HC_BLOCKSIZE,
				       .max_headers = HC_MAX_HEADERS};

/* A connection already up over one end of a socket pair. */
static bool pair_conn(struct hc_conn *c, int sv[2])
{
	conn_init(c, &cfg);
	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0))
		return false;
	if (!CHECK(conn_target(c, "example.test", 80, false, NULL) == HC_OK))
		return false;
	c->fd = sv[0];
	c->cap = HC_RECV_BUF;
	c->buf = malloc(c->cap);
	return CHECK(c->buf != NULL);
}

static size_t drain_peer(int fd, char *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* A sender whose socket takes a few KiB at a time. */
static bool small_pair(struct hc_conn *c, int sv[2])
{
	if (!pair_conn(c, sv))
		return false;
	int sz = 4096;
	return CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) == 0);
}

/* Two HTTP/1.1 transfers on one loop: x1, the one under test, and a GET beside it. */
struct duo {
	int s1[2], s2[2]; /* the peers' ends are s1[1] and s2[1] */
	struct hc_conn c1, c2;
	struct hc_response r1, r2;
	struct hc_xfer x1, x2;
	struct hc_loop L;
};

/* The loop and both connections; c1's socket takes a few KiB at a time when small. */
static bool duo_open(struct duo *d, bool small)
{
	d->s1[0] = d->s1[1] = d->s2[0] = d->s2[1] = -1;
	loop_init(&d->L);
	conn_init(&d->c2, &cfg); /* freed even when c1 fails */
	return (small ? small_pair(&d->c1, d->s1) : pair_conn(&d->c1, d->s1)) &&
	       pair_conn(&d->c2, d->s2);
}

/* Both transfers start on the loop: x1 sends q1, x2 q2. */
static void duo_begin(struct duo *d, const struct hc_request *q1, const struct hc_request *q2)
{
	resp_init(&d->r1, &d->c1);
	resp_init(&d->r2, &d->c2);
	h1_xfer_init(&d->x1, &d->c1, q1, &d->r1);
	h1_xfer_init(&d->x2, &d->c2, q2, &d->r2);
	CHECK_EQ_INT(d->x1.proto->start(&d->x1, &d->L), HC_OK);
	CHECK_EQ_INT(d->x2.proto->start(&d->x2, &d->L), HC_OK);
}

/* x1 sends q1 and the GET starts with its answer waiting; the loop runs until the GET has it. */
static void duo_start(struct duo *d, const struct hc_request *q1)
{
	static const struct hc_request get = {.method = "GET", .target = "/get"};
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	CHECK(write(d->s2[1], ok, sizeof(ok) - 1) == (ssize_t)sizeof(ok) - 1);
	duo_begin(d, q1, &get);
	CHECK_EQ_INT(loop_run_until(&d->L, &d->x2.task), HC_OK);
	CHECK(d->x2.task.paused);
	CHECK_EQ_INT(d->r2.status, 200);
}

/* Two GETs start, their answers' heads already sent; the loop runs until both have them. */
static void duo_heads(struct duo *d)
{
	static const struct hc_request get = {.method = "GET", .target = "/"};
	duo_begin(d, &get, &get);
	CHECK_EQ_INT(loop_run_until(&d->L, &d->x1.task), HC_OK);
	CHECK_EQ_INT(loop_run_until(&d->L, &d->x2.task), HC_OK);
}

/* After duo_start or duo_heads: both transfers end. */
static void duo_finish(struct duo *d)
{
	d->x1.proto->finish(&d->x1, &d->L);
	d->x2.proto->finish(&d->x2, &d->L);
	resp_free(&d->r1);
	resp_free(&d->r2);
}

/* After duo_open, whatever it returned. */
static void duo_free(struct duo *d)
{
	loop_free(&d->L);
	conn_free(&d->c1);
	conn_free(&d->c2);
	close(d->s1[1]);
	close(d->s2[1]);
}

/* The peer at fd got a head that waits for 100 Continue, without the body ("hello"). */
static void sent_head_only(int fd)
{
	char got[4096];
	drain_peer(fd, got, sizeof(got));
	CHECK(strstr(got, "Expect: 100-continue\r\n") != NULL);
	CHECK(strstr(got, "hello") == NULL);
}

static void h1_two_on_one_loop(void)
{
	unit_begin("h1: a transfer waiting for 100 Continue waits in the loop while another gets "
		   "its head");
	struct duo d;
	struct hc_body body = {.kind = HC_BODY_MEM, .mem = "hello", .len = 5};
	struct hc_request q1 = {.method = "POST",
				.target = "/up",
				.body = &body,
				.expect100 = true,
				.expect100_timeout_ms = 60000};
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	char got[4096];
	if (duo_open(&d, false)) {
		/* the GET has its head; the POST sent its head only and waits, polled */
		duo_start(&d, &q1);
		unit_note("x1: result %d, %s", d.x1.task.result, d.c1.err);
		CHECK(!d.x1.task.paused && !d.x1.task.done);
		CHECK_EQ_INT(d.x1.task.events, POLLIN);
		sent_head_only(d.s1[1]);
		static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
		CHECK(write(d.s1[1], go_on, sizeof(go_on) - 1) == (ssize_t)sizeof(go_on) - 1);
		CHECK(write(d.s1[1], ok, sizeof(ok) - 1) == (ssize_t)sizeof(ok) - 1);
		CHECK_EQ_INT(loop_run_until(&d.L, &d.x1.task), HC_OK);
		CHECK(d.x1.task.paused);
		CHECK_EQ_INT(d.r1.status, 200);
		CHECK(!d.r1.early);
		drain_peer(d.s1[1], got, sizeof(got));
		CHECK_EQ_STR(got, "hello");
		duo_finish(&d);
	}
	duo_free(&d);
	unit_end();
}

static void h1_expect_early_and_timeout(void)
{
	unit_begin("h1: a final answer while waiting for 100 keeps the body; no answer sends it at "
		   "the deadline");
	int sv[2] = {-1, -1};
	struct hc_conn c;
	struct hc_response r;
	struct hc_body body = {.kind = HC_BODY_MEM, .mem = "hello", .len = 5};
	struct hc_request q = {.method = "PUT",
			       .target = "/up",
			       .body = &body,
			       .expect100 = true,
			       .expect100_timeout_ms = 60000};
	static const char reply[] = "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n";
	char got[4096];
	if (pair_conn(&c, sv)) {
		resp_init(&r, &c);
		CHECK(write(sv[1], reply, sizeof(reply) - 1) == (ssize_t)sizeof(reply) - 1);
		CHECK_EQ_INT(http_request(&c, &q, &r), HC_OK);
		CHECK_EQ_INT(r.status, 413);
		CHECK(r.early);
		sent_head_only(sv[1]);
		resp_free(&r);

		/* a quiet server and a zero wait: the body follows the head, then the head times
		 * out */
		q.expect100_timeout_ms = 0;
		c.nrequests = 0;
		c.start = c.end = 0;
		resp_init(&r, &c);
		CHECK_EQ_INT(http_request(&c, &q, &r), HC_ETIMEOUT);
		drain_peer(sv[1], got, sizeof(got));
		CHECK(strstr(got, "Expect: 100-continue\r\n\r\nhello") != NULL);
		CHECK_EQ_STR(c.err, "no progress for 0.300 s while receiving");
		resp_free(&r);
	}
	conn_free(&c);
	close(sv[1]);
	unit_end();
}

static void h1_head_in_pieces(void)
{
	unit_begin("h1: a head that comes in pieces is waited for in the loop, then taken whole");
	int sv[2] = {-1, -1};
	struct hc_conn c;
	struct hc_response r;
	struct hc_request q = {.method = "GET", .target = "/"};
	struct hc_xfer x;
	struct hc_loop L;
	static const char part1[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConte";
	static const char part2[] = "nt-Length: 2\r\nX-A: b\r\n\r\nhi";
	loop_init(&L);
	if (pair_conn(&c, sv)) {
		resp_init(&r, &c);
		h1_xfer_init(&x, &c, &q, &r);
		CHECK(write(sv[1], part1, sizeof(part1) - 1) == (ssize_t)sizeof(part1) - 1);
		CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
		/* a task that always runs again: the rounds never wait in poll */
		struct fake spin;
		fake_init(&spin, 'S', -1, 0);
		spin.again = 1000;
		loop_add(&L, &spin.t);
		for (int i = 0; i < 8 && x.task.events == 0 && !x.task.done; i++)
			CHECK_EQ_INT(loop_round(&L), HC_OK);
		spin.t.paused = true;
		CHECK_EQ_INT(x.task.events, POLLIN); /* the 100 taken, the 200 not whole */
		CHECK(!x.task.paused && !x.task.done);
		CHECK(x.task.deadline != 0);
		CHECK(write(sv[1], part2, sizeof(part2) - 1) == (ssize_t)sizeof(part2) - 1);
		CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
		CHECK(x.task.paused);
		CHECK_EQ_INT(r.status, 200);
		CHECK_EQ_STR(hdr_get(&r.hdrs, "X-A"), "b");
		const char *p = NULL;
		size_t n = 0;
		CHECK_EQ_INT(resp_read(&r, &p, &n), HC_OK);
		CHECK_EQ_MEM(p, n, "hi", 2);
		x.proto->finish(&x, &L);
		loop_remove(&L, &spin.t);
		resp_free(&r);
	}
	loop_free(&L);
	conn_free(&c);
	close(sv[1]);
	unit_end();
}

static void h1_head_timeouts(void)
{
	unit_begin(
	    "h1: a quiet server: the head wait ends at the operation's timeout or the deadline");
	static const struct {
		int timeout_ms;
		int deadline_ms; /* from now; 0: none */
		const char *err;
		enum hc_cond cond;
	} cases[] = {
	    {50, 0, "no progress for 0.050 s while receiving", HC_COND_NONE},
	    {60000, 50, "the transfer took longer than the time allowed for it", HC_COND_DEADLINE},
	    {50, 60000, "no progress for 0.050 s while receiving", HC_COND_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int sv[2] = {-1, -1};
		struct hc_conn c;
		struct hc_response r;
		struct hc_request q = {.method = "GET", .target = "/"};
		struct hc_conn_cfg qc = cfg;
		qc.timeout_ms = cases[i].timeout_ms;
		int64_t t0 = hc_now_ns();
		qc.deadline_ns =
		    cases[i].deadline_ms ? t0 + cases[i].deadline_ms * INT64_C(1000000) : 0;
		if (pair_conn(&c, sv)) {
			c.cfg = &qc;
			resp_init(&r, &c);
			CHECK_EQ_INT(http_request(&c, &q, &r), HC_ETIMEOUT);
			CHECK_EQ_STR(c.err, cases[i].err);
			CHECK_EQ_INT(c.cond, cases[i].cond);
			CHECK(hc_now_ns() - t0 >= 50 * INT64_C(1000000)); /* never early */
			resp_free(&r);
		}
		conn_free(&c);
		close(sv[1]);
	}
	unit_end();
}

/* A listener on 127.0.0.1, any free port; backlog 0 and one connection never accepted: full. */
static int listener(unsigned *port, bool full, int *filler)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*filler = -1;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, full ? 0 : 8) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	if (full) {
		*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (*filler < 0 || connect(*filler, (struct sockaddr *)&a, sizeof(a)) < 0)
			return -1;
	}
	return s;
}

/* x's GET to 127.0.0.1's port (over TLS when qc has TLS settings), started on L, and beside it
 * a fake B that waits on fd and ends after one step. */
static void start_get_beside_b(struct hc_loop *L, struct hc_xfer *x, struct hc_conn *c,
			       struct hc_response *r, const struct hc_conn_cfg *qc, unsigned port,
			       struct fake *b, int fd)
{
	static const struct hc_request get = {.method = "GET", .target = "/"};
	conn_init(c, qc);
	CHECK_EQ_INT(conn_target(c, "127.0.0.1", port, qc->tls != NULL, NULL), HC_OK);
	resp_init(r, c);
	h1_xfer_init(x, c, &get, r);
	CHECK_EQ_INT(x->proto->start(x, L), HC_OK);
	fake_init(b, 'B', fd, POLLIN);
	b->finish_after = 1;
	add_waiting(L, b);
}

/* After start_get_beside_b. */
static void finish_get(struct hc_loop *L, struct hc_xfer *x, struct hc_conn *c,
		       struct hc_response *r)
{
	x->proto->finish(x, L);
	resp_free(r);
	conn_free(c);
}

static void h1_connect_waits_in_loop(void)
{
	unit_begin(
	    "h1: a connect that hangs waits in the loop (others move) until the connect timeout");
	unsigned port = 0;
	int filler, ls = listener(&port, true, &filler);
	int p[1][2];
	struct hc_loop L;
	loop_init(&L);
	if (CHECK(ls >= 0) && pipes(p, 1)) {
		struct hc_conn_cfg qc = cfg;
		qc.connect_timeout_ms = 200;
		struct hc_conn c;
		struct hc_response r;
		struct hc_xfer x;
		struct fake b;
		start_get_beside_b(&L, &x, &c, &r, &qc, port, &b, p[0][0]);
		poke(p[0][1]);
		CHECK_EQ_INT(loop_run_until(&L, &b.t), HC_OK);
		CHECK(b.t.done);
		CHECK(!x.task.done);
		CHECK_EQ_INT(x.task.events, POLLOUT); /* the connect in progress */
		CHECK(x.task.deadline != 0);
		CHECK(!conn_is_open(&c));
		int64_t t0 = hc_now_ns();
		CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
		CHECK(x.task.done);
		CHECK_EQ_INT(x.task.result, HC_ETIMEOUT);
		char want[128];
		snprintf(want, sizeof(want), "connecting to 127.0.0.1 port %u timed out", port);
		CHECK_EQ_STR(c.err, want);
		CHECK(!conn_is_open(&c));
		CHECK(hc_now_ns() > t0);
		finish_get(&L, &x, &c, &r);
		close_pipes(p, 1);
	}
	loop_free(&L);
	close(filler);
	close(ls);
	unit_end();
}

static void h1_handshake_waits_in_loop(void)
{
	unit_begin(
	    "h1: a TLS handshake the server never answers waits in the loop until its timeout");
	unsigned port = 0;
	int filler, ls = listener(&port, false, &filler); /* never accepted: the kernel says yes */
	int p[1][2];
	struct hc_loop L;
	loop_init(&L);
	if (CHECK(ls >= 0) && pipes(p, 1)) {
		static const struct hc_tls_cfg tls = {.insecure = true};
		struct hc_conn_cfg qc = cfg;
		qc.connect_timeout_ms = 200;
		qc.timeout_ms = -1;
		qc.tls = &tls;
		struct hc_conn c;
		struct hc_response r;
		struct hc_xfer x;
		struct fake b;
		start_get_beside_b(&L, &x, &c, &r, &qc, port, &b, p[0][0]);
		struct fake spin; /* always runnable: the rounds below never wait in poll */
		fake_init(&spin, 'S', -1, 0);
		spin.again = 1000;
		loop_add(&L, &spin.t);
		/* B's byte comes only once the ClientHello is out and the transfer waits */
		for (int i = 0;
		     i < 50 && !(x.task.events == POLLIN && conn_is_open(&c)) && !x.task.done; i++)
			CHECK_EQ_INT(loop_round(&L), HC_OK);
		CHECK(conn_is_open(&c));
		CHECK_EQ_INT(x.task.events, POLLIN);
		spin.t.paused = true;
		poke(p[0][1]);
		CHECK_EQ_INT(loop_run_until(&L, &b.t), HC_OK);
		CHECK(b.t.done && !x.task.done);
		CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
		CHECK_EQ_INT(x.task.result, HC_ETIMEOUT);
		CHECK_EQ_STR(c.err, "TLS handshake with 127.0.0.1 timed out");
		CHECK(!conn_is_open(&c));
		finish_get(&L, &x, &c, &r);
		close_pipes(p, 1);
	}
	loop_free(&L);
	close(ls);
	tls_global_free();
	unit_end();
}

/* A fake server on the same loop: accept, read a request head, answer. */
struct server {
	struct hc_task t; /* first */
	int ls;
	char req[2048];
	size_t len;
};

static enum hc_err server_step(struct hc_task *t, short revents)
{
	struct server *sv = (struct server *)t;
	(void)revents;
	if (t->fd == sv->ls) {
		int fd = accept4(sv->ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			t->fd = fd;
		return HC_OK;
	}
	ssize_t n = read(t->fd, sv->req + sv->len, sizeof(sv->req) - 1 - sv->len);
	if (n <= 0)
		return HC_ERESET;
	sv->len += (size_t)n;
	sv->req[sv->len] = '\0';
	if (strstr(sv->req, "\r\n\r\n") == NULL)
		return HC_OK;
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	if (write(t->fd, reply, sizeof(reply) - 1) != (ssize_t)sizeof(reply) - 1)
		return HC_ESEND;
	t->done = true;
	return HC_OK;
}

static enum hc_err server_expire(struct hc_task *t)
{
	(void)t;
	return HC_ETIMEOUT;
}

static const struct hc_task_ops server_ops = {.step = server_step, .expire = server_expire};

static void h1_connect_and_server_on_one_loop(void)
{
	unit_begin("h1: connect, request and head on one loop with the server that answers");
	unsigned port = 0;
	int filler, ls = listener(&port, false, &filler);
	struct hc_loop L;
	loop_init(&L);
	if (CHECK(ls >= 0)) {
		struct hc_conn c;
		struct hc_response r;
		struct hc_request q = {.method = "GET", .target = "/x"};
		struct hc_xfer x;
		struct server sv = {.t = {.ops = &server_ops, .fd = ls, .events = POLLIN},
				    .ls = ls};
		conn_init(&c, &cfg);
		CHECK_EQ_INT(conn_target(&c, "127.0.0.1", port, false, NULL), HC_OK);
		resp_init(&r, &c);
		h1_xfer_init(&x, &c, &q, &r);
		loop_add(&L, &sv.t);
		sv.t.run_again = false;
		CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
		CHECK_EQ_INT(loop_run(&L), HC_OK);
		CHECK(sv.t.done && sv.t.result == HC_OK);
		CHECK(x.task.paused);
		CHECK_EQ_INT(r.status, 200);
		CHECK(strncmp(sv.req, "GET /x HTTP/1.1\r\n", 17) == 0);
		CHECK(conn_is_open(&c));
		CHECK_EQ_STR(c.remote_ip, "127.0.0.1");
		x.proto->finish(&x, &L);
		resp_free(&r);
		conn_free(&c);
		if (sv.t.fd != ls)
			close(sv.t.fd);
	}
	loop_free(&L);
	close(ls);
	unit_end();
}

/* A slow reader on the same loop: a little per wake; once want bytes are in, it answers. */
struct reader {
	struct hc_task t; /* first */
	char *got;
	size_t len, want;
	int steps;
};

static enum hc_err reader_step(struct hc_task *t, short revents)
{
	struct reader *rd = (struct reader *)t;
	(void)revents;
	rd->steps++;
	size_t room = rd->want - rd->len;
	ssize_t n = read(t->fd, rd->got + rd->len, room < 3000 ? room : 3000);
	if (n < 0 && errno == EAGAIN)
		return HC_OK;
	if (n <= 0)
		return HC_ERESET;
	rd->len += (size_t)n;
	if (rd->len < rd->want)
		return HC_OK;
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	if (write(t->fd, reply, sizeof(reply) - 1) != (ssize_t)sizeof(reply) - 1)
		return HC_ESEND;
	t->paused = true;
	return HC_OK;
}

static const struct hc_task_ops reader_ops = {.step = reader_step, .expire = server_expire};

/* ---- TLS: a server on the far end of a socket pair, driven on the same loop ---- */

/* A throwaway self-signed key and certificate (the client runs with -k's settings). */
static const char test_key[] = "-----BEGIN EC PRIVATE KEY-----\n"
			       "MHcCAQEEIFc7grB8VwDVpT5mO4F/W1P1PgVzLS15MxXq5e+pmlGKoAoGCCqGSM49\n"
			       "AwEHoUQDQgAEelVVDGW5EODphBwvergTp/ZrkmV+zXhG7NJYF5MhOhrv4wh68RQH\n"
			       "gp2NLI3BPjzHYvIsAIZfmfaeJ9xtn0hbmg==\n"
			       "-----END EC PRIVATE KEY-----\n";
static const char test_cert[] = "-----BEGIN CERTIFICATE-----\n"
				"MIIBozCCAUmgAwIBAgIUHgOGcmNv7EnDnAbs6nKtsTwh6/QwCgYIKoZIzj0EAwIw\n"
				"GTEXMBUGA1UEAxMOaGNsaSB1bml0IHRlc3QwIBcNMjYxMjA2MTIxNjQ5WhgPOTk5\n"
				"OTEyMzEyMzU5NTlaMBkxFzAVBgNVBAMTDmhjbGkgdW5pdCB0ZXN0MFkwEwYHKoZI\n"
				"zj0CAQYIKoZIzj0DAQcDQgAEelVVDGW5EODphBwvergTp/ZrkmV+zXhG7NJYF5Mh\n"
				"Ohrv4wh68RQHgp2NLI3BPjzHYvIsAIZfmfaeJ9xtn0hbmqNtMGswDAYDVR0TAQH/\n"
				"BAIwADAXBgNVHREEEDAOggxleGFtcGxlLnRlc3QwEwYDVR0lBAwwCgYIKwYBBQUH\n"
				"AwEwDgYDVR0PAQH/BAQDAgeAMB0GA1UdDgQWBBSNtgWLFt6IRamPDjXSXv8E+J3O\n"
				"czAKBggqhkjOPQQDAgNIADBFAiBQZ9GNAgJwvDLVkiBg6wsFW2Ann/kzSmYm2j7D\n"
				"b9uDmgIhAOiEoWUuAo4f+ZMnFoHFjPWIsziMszemGLgPoWNLjaOj\n"
				"-----END CERTIFICATE-----\n";

struct tls_peer {
	struct hc_task t; /* first */
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	char *got;
	size_t len, want;
	int steps;
};

static bool tls_peer_init(struct tls_peer *p, int fd)
{
	gnutls_datum_t k = {(unsigned char *)test_key, sizeof(test_key) - 1};
	gnutls_datum_t cert = {(unsigned char *)test_cert, sizeof(test_cert) - 1};
	memset(p, 0, sizeof(*p));
	return CHECK(gnutls_certificate_allocate_credentials(&p->cred) == 0) &&
	       CHECK(gnutls_certificate_set_x509_key_mem(p->cred, &cert, &k, GNUTLS_X509_FMT_PEM) ==
		     0) &&
	       CHECK(gnutls_init(&p->s, GNUTLS_SERVER | GNUTLS_NONBLOCK) == 0) &&
	       CHECK(gnutls_set_default_priority(p->s) == 0) &&
	       CHECK(gnutls_credentials_set(p->s, GNUTLS_CRD_CERTIFICATE, p->cred) == 0) &&
	       (gnutls_transport_set_int(p->s, fd), true);
}

static void tls_peer_free(struct tls_peer *p)
{
	if (p->s)
		gnutls_deinit(p->s);
	if (p->cred)
		gnutls_certificate_free_credentials(p->cred);
}

/* Both ends of the handshake, in turns (nothing waits: the pair holds what each side wrote). */
static bool tls_pair_up(struct hc_conn *c, struct tls_peer *p)
{
	if (!CHECK_EQ_INT(tls_start(c), HC_OK))
		return false;
	short wait = POLLOUT;
	int srv = GNUTLS_E_AGAIN;
	for (int i = 0; i < 100 && (wait || srv < 0); i++) {
		if (wait && !CHECK_EQ_INT(tls_handshake_step(c, &wait), HC_OK))
			return false;
		if (srv < 0 && (srv = gnutls_handshake(p->s)) < 0 && srv != GNUTLS_E_AGAIN &&
		    !CHECK(gnutls_error_is_fatal(srv) == 0))
			return false;
	}
	return CHECK(wait == 0 && srv == 0);
}

/* A slow TLS reader: one small record read per wake; once want bytes are in, it answers. */
static enum hc_err tls_peer_step(struct hc_task *t, short revents)
{
	struct tls_peer *p = (struct tls_peer *)t;
	(void)revents;
	p->steps++;
	size_t room = p->want - p->len;
	ssize_t n = gnutls_record_recv(p->s, p->got + p->len, room < 3000 ? room : 3000);
	t->run_again = gnutls_record_check_pending(p->s) > 0; /* bytes poll will not see */
	if (n == GNUTLS_E_AGAIN)
		return HC_OK;
	if (n <= 0)
		return HC_ERESET;
	p->len += (size_t)n;
	if (p->len < p->want)
		return HC_OK;
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	if (gnutls_record_send(p->s, reply, sizeof(reply) - 1) != (ssize_t)sizeof(reply) - 1)
		return HC_ESEND;
	t->run_again = false;
	t->paused = true;
	return HC_OK;
}

static const struct hc_task_ops tls_peer_ops = {.step = tls_peer_step, .expire = server_expire};

/* A send-resumes case: a body of SEND_BODY bytes from memory or from a file's middle. */
struct send_case {
	bool chunked, expect, file;
};

enum { SEND_BODY = 300000 };

/* The body (in memory and in a file, 7 bytes in), and room for what the peer must get. */
struct send_data {
	char *data, *want, *got;
	size_t cap;
	FILE *tmp;
};

static bool send_data_init(struct send_data *s)
{
	s->data = malloc(SEND_BODY);
	s->cap = SEND_BODY + 4096;
	s->want = malloc(s->cap);
	s->got = malloc(s->cap);
	s->tmp = tmpfile();
	if (!CHECK(s->data && s->want && s->got && s->tmp))
		return false;
	for (size_t i = 0; i < SEND_BODY; i++)
		s->data[i] = (char)('a' + i % 23);
	/* the file body starts 7 bytes in, as a body taken from a file's middle */
	CHECK(fwrite("skipped", 1, 7, s->tmp) == 7 &&
	      fwrite(s->data, 1, SEND_BODY, s->tmp) == SEND_BODY && fflush(s->tmp) == 0);
	return true;
}

static void send_data_free(struct send_data *s)
{
	if (s->tmp)
		fclose(s->tmp);
	free(s->data);
	free(s->want);
	free(s->got);
}

/* The bytes the old blocking send wrote (into s->want): x's head, then the body, chunked in one
 * chunk or not; returns their length. */
static size_t blocking_send_bytes(struct send_data *s, const struct hc_xfer *x, bool chunked)
{
	size_t wl = x->h1.hb.len;
	memcpy(s->want, x->h1.hb.p, wl);
	if (chunked)
		wl += (size_t)snprintf(s->want + wl, s->cap - wl, "%x\r\n", SEND_BODY);
	memcpy(s->want + wl, s->data, SEND_BODY);
	wl += SEND_BODY;
	if (chunked) {
		memcpy(s->want + wl, "\r\n0\r\n\r\n", 7);
		wl += 7;
	}
	return wl;
}

/* One case, over plain TCP or TLS: x1's PUT meets a full socket while the GET beside it gets its
 * head, then a slow reader (a TLS server when tls) takes every byte and answers. */
static void send_resumes_case(struct send_data *s, const struct send_case *sc, bool tls)
{
	static const struct hc_tls_cfg tls_cfg = {.insecure = true};
	struct hc_conn_cfg tc = cfg;
	tc.tls = &tls_cfg;
	struct duo d;
	struct reader rd = {0};
	struct tls_peer peer = {0};
	struct hc_body body = {.kind = HC_BODY_MEM, .mem = s->data, .len = SEND_BODY};
	if (sc->file)
		body = (struct hc_body){
		    .kind = HC_BODY_FD, .fd = fileno(s->tmp), .start = 7, .size = SEND_BODY};
	struct hc_request q1 = {.method = "PUT",
				.target = "/up",
				.body = &body,
				.chunked = sc->chunked,
				.expect100 = sc->expect,
				.expect100_timeout_ms = 0};
	unit_note("chunked %d, expect %d, file %d", sc->chunked, sc->expect, sc->file);
	if (!duo_open(&d, true) || (tls && !tls_peer_init(&peer, d.s1[1])))
		goto out;
	if (tls) {
		d.c1.cfg = &tc;
		d.c1.tls = true;
		if (!tls_pair_up(&d.c1, &peer))
			goto out;
	}
	duo_start(&d, &q1);
	if (!sc->expect) {
		/* x1 stopped at a full socket (over TLS: holding a record it did not take) and
		 * waits for it, polled */
		CHECK(!d.x1.task.paused && !d.x1.task.done);
		CHECK_EQ_INT(d.x1.task.events, POLLOUT);
	}
	size_t wl = blocking_send_bytes(s, &d.x1, sc->chunked);
	/* the slow reader: its task, what it has read, its wakes */
	struct hc_task *t = tls ? &peer.t : &rd.t;
	size_t *len = tls ? &peer.len : &rd.len;
	int *steps = tls ? &peer.steps : &rd.steps;
	*t = (struct hc_task){
	    .ops = tls ? &tls_peer_ops : &reader_ops, .fd = d.s1[1], .events = POLLIN};
	rd.got = peer.got = s->got;
	rd.want = peer.want = wl;
	loop_add(&d.L, t);
	CHECK_EQ_INT(loop_run_until(&d.L, &d.x1.task), HC_OK);
	unit_note("x1: result %d, %s; %s steps %d", d.x1.task.result, d.c1.err,
		  tls ? "peer" : "reader", *steps);
	CHECK(d.x1.task.paused);
	CHECK_EQ_INT(d.r1.status, 200);
	CHECK(*steps > 10);
	CHECK_EQ_MEM(s->got, *len, s->want, wl);
	CHECK_EQ_INT((int)d.c1.tx_body, SEND_BODY);
	loop_remove(&d.L, t);
	duo_finish(&d);
out:
	duo_free(&d);
	tls_peer_free(&peer);
}

/* Every case on one body. */
static void send_resumes_cases(const struct send_case *cases, size_t n, bool tls)
{
	struct send_data s;
	if (send_data_init(&s))
		for (size_t k = 0; k < n; k++)
			send_resumes_case(&s, &cases[k], tls);
	send_data_free(&s);
}

static void h1_send_resumes(void)
{
	unit_begin("h1: a send that meets a full socket waits in the loop and resumes where it "
		   "stopped (memory, chunks, sendfile's offset) while another transfer gets its "
		   "head; a slow reader gets every byte");
	static const struct send_case cases[] = {{false, false, false}, {true, false, false},
						 {false, true, false},	{true, true, false},
						 {false, false, true},	{false, true, true}};
	send_resumes_cases(cases, sizeof(cases) / sizeof(cases[0]), false);
	unit_end();
}

static void h1_tls_send_resumes(void)
{
	unit_begin("h1: a TLS send that meets a full socket keeps its record, waits in the loop "
		   "while another transfer gets its head, and resumes (memory, chunks, a file's "
		   "blocks, after 100 Continue)");
	static const struct send_case cases[] = {
	    {false, false, false}, {true, false, false}, {false, false, true}, {true, true, false}};
	send_resumes_cases(cases, sizeof(cases) / sizeof(cases[0]), true);
	tls_global_free();
	unit_end();
}

static void h1_tls_send_stalls(void)
{
	unit_begin("h1: a TLS peer that stops reading: the send waits in the loop and times out "
		   "with the blocking send's message");
	static const struct hc_tls_cfg tls = {.insecure = true};
	struct hc_conn_cfg tc = cfg;
	tc.tls = &tls;
	int sv[2] = {-1, -1};
	struct hc_conn c;
	struct hc_response r;
	struct tls_peer peer = {0};
	enum { BODY = 300000 };
	char *data = calloc(1, BODY);
	struct hc_body body = {.kind = HC_BODY_MEM, .mem = data, .len = BODY};
	struct hc_request q = {.method = "POST", .target = "/up", .body = &body, .chunked = true};
	if (CHECK(data != NULL) && small_pair(&c, sv) && tls_peer_init(&peer, sv[1])) {
		c.cfg = &tc;
		c.tls = true;
		if (tls_pair_up(&c, &peer)) {
			resp_init(&r, &c);
			int64_t t0 = hc_now_ns();
			CHECK_EQ_INT(http_request(&c, &q, &r), HC_ETIMEOUT);
			CHECK_EQ_STR(c.err, "TLS send timed out");
			CHECK(hc_now_ns() - t0 >= 300 * INT64_C(1000000)); /* never early */
			resp_free(&r);
		}
	}
	conn_free(&c);
	tls_peer_free(&peer);
	close(sv[1]);
	free(data);
	tls_global_free();
	unit_end();
}

/* -p B's view of the body: what the engine handed to the trace. */
static char traced[256];
static size_t ntraced;

static void trace_to_buf(void *ud, enum hc_trace kind, const char *data, size_t len)
{
	(void)ud;
	if (kind == HC_TR_REQ_BODY && ntraced + len < sizeof(traced)) {
		memcpy(traced + ntraced, data, len);
		ntraced += len;
	}
}

/* Rounds until x waits for its body's pipe again (none blocks: the other task has a byte). */
static void until_waiting_on(struct hc_loop *L, struct hc_xfer *x, int fd, struct fake *other,
			     int poke_fd)
{
	for (int i = 0; i < 20 && !x->task.done &&
			!(x->task.fd == fd && x->task.events == POLLIN && !x->task.run_again);
	     i++) {
		poke(poke_fd);
		CHECK_EQ_INT(loop_round(L), HC_OK);
	}
	CHECK(!x->task.done && !x->task.paused);
	CHECK_EQ_INT(x->task.fd, fd);
	CHECK_EQ_INT(x->task.events, POLLIN);
	CHECK(x->task.deadline == 0); /* a slow writer is not a timeout, as with a blocking read */
	/* the loop moves on while it waits */
	int steps = other->steps;
	poke(poke_fd);
	CHECK_EQ_INT(loop_round(L), HC_OK);
	CHECK_EQ_INT(other->steps, steps + 1);
	CHECK_EQ_INT(x->task.fd, fd);
}

static void h1_pipe_source_waits(void)
{
	unit_begin("h1: a pipe body that is empty waits in the loop for POLLIN and goes on as it "
		   "fills (splice, reads for -p B, Content-Length with its probe, reads from the "
		   "stage when splice cannot write to the socket)");
	static const struct {
		bool trace, length;
		bool append; /* O_APPEND on the socket: splice(2) refuses it (EINVAL) */
		const char *want; /* after the head */
	} cases[] = {
	    {false, false, false, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	    {true, false, false, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	    {false, true, false, "hello world"},
	    {false, false, true, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int sv[2] = {-1, -1}, src[1][2] = {{-1, -1}}, side[1][2] = {{-1, -1}};
		struct hc_conn c;
		struct hc_response r;
		struct hc_xfer x;
		struct hc_loop L;
		struct fake other;
		struct hc_conn_cfg pc = cfg;
		pc.trace = trace_to_buf;
		pc.trace_body = cases[k].trace;
		ntraced = 0;
		static const struct hc_field cl[] = {{"Content-Length", "11"}};
		unit_note("trace %d, length %d, append %d", cases[k].trace, cases[k].length,
			  cases[k].append);
		loop_init(&L);
		if (pair_conn(&c, sv) && CHECK(pipe2(src[0], O_CLOEXEC) == 0) && pipes(side, 1)) {
			c.cfg = &pc;
			if (cases[k].append)
				CHECK(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_APPEND) == 0);
			struct hc_body body = {.kind = HC_BODY_FD, .fd = src[0][0], .size = -1};
			struct hc_request q = {.method = "PUT", .target = "/up", .body = &body};
			if (cases[k].length) {
				q.headers = cl;
				q.nheaders = 1;
			}
			resp_init(&r, &c);
			h1_xfer_init(&x, &c, &q, &r);
			fake_init(&other, 'O', side[0][0], POLLIN);
			add_waiting(&L, &other);
			CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
			until_waiting_on(&L, &x, src[0][0], &other, side[0][1]);
			CHECK(write(src[0][1], "hello", 5) == 5);
			until_waiting_on(&L, &x, src[0][0], &other, side[0][1]);
			CHECK(write(src[0][1], " world", 6) == 6);
			/* with Content-Length: the probe for one byte more waits too */
			until_waiting_on(&L, &x, src[0][0], &other, side[0][1]);
			close(src[0][1]);
			src[0][1] = -1;
			static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
			CHECK(write(sv[1], ok, sizeof(ok) - 1) == (ssize_t)sizeof(ok) - 1);
			CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
			unit_note("x: result %d, %s", x.task.result, c.err);
			CHECK(x.task.paused);
			CHECK_EQ_INT(r.status, 200);
			char got[4096], want[4096];
			snprintf(want, sizeof(want), "%.*s%s", (int)x.h1.hb.len, x.h1.hb.p,
				 cases[k].want);
			drain_peer(sv[1], got, sizeof(got));
			CHECK_EQ_STR(got, want);
			CHECK_EQ_INT((int)c.tx_body, 11);
			CHECK_EQ_MEM(traced, ntraced, cases[k].trace ? "hello world" : "",
				     cases[k].trace ? 11u : 0u);
			x.proto->finish(&x, &L);
			resp_free(&r);
		}
		loop_free(&L);
		conn_free(&c);
		close(sv[1]);
		close_pipes(src, 1);
		close_pipes(side, 1);
	}
	unit_end();
}

static void h1_multipart_cursor(void)
{
	unit_begin(
	    "h1: a multipart body is a cursor over its segments: memory, a file's range "
	    "through a full socket (sendfile, or blocks over TLS), a pipe part that is empty "
	    "then fills, the closing delimiter");
	enum { BODY = 300000 };
	static const struct hc_tls_cfg tls = {.insecure = true};
	struct hc_conn_cfg tc = cfg;
	tc.tls = &tls;
	char *data = malloc(BODY);
	size_t cap = BODY + 8192;
	char *want = malloc(cap), *got = malloc(cap);
	FILE *tmp = tmpfile();
	if (!CHECK(data && want && got && tmp))
		goto out;
	for (size_t i = 0; i < BODY; i++)
		data[i] = (char)('a' + i % 23);
	CHECK(fwrite("skipped", 1, 7, tmp) == 7 && fwrite(data, 1, BODY, tmp) == BODY &&
	      fflush(tmp) == 0);
	for (int use_tls = 0; use_tls < 2; use_tls++) {
		int sv[2] = {-1, -1}, src[1][2] = {{-1, -1}};
		struct hc_conn c;
		struct hc_response r;
		struct hc_xfer x;
		struct hc_loop L;
		struct hc_multipart mp = {0};
		struct tls_peer peer = {0};
		struct reader rd = {0};
		unit_note("tls %d", use_tls);
		loop_init(&L);
		if (!small_pair(&c, sv) || !CHECK(pipe2(src[0], O_CLOEXEC) == 0) ||
		    !CHECK_EQ_INT(mp_init(&mp, "b0undary"), HC_OK) ||
		    !CHECK_EQ_INT(mp_add_mem(&mp, "a", NULL, NULL, "1", 1), HC_OK) ||
		    !CHECK_EQ_INT(mp_add_fd(&mp, "f", "f.bin", NULL, fileno(tmp), 7, BODY, false),
				  HC_OK) ||
		    !CHECK_EQ_INT(
			mp_add_fd(&mp, "p", "p.txt", "text/plain", src[0][0], 0, -1, false),
			HC_OK) ||
		    !CHECK_EQ_INT(mp_finish(&mp), HC_OK))
			goto next;
		if (use_tls) {
			c.cfg = &tc;
			c.tls = true;
			if (!tls_peer_init(&peer, sv[1]) || !tls_pair_up(&c, &peer))
				goto next;
		}
		struct hc_body body = {.kind = HC_BODY_PARTS, .parts = &mp, .size = mp.size};
		struct hc_request q = {.method = "POST", .target = "/form", .body = &body};
		resp_init(&r, &c);
		h1_xfer_init(&x, &c, &q, &r);
		CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
		/* the bytes the blocking mp_send wrote: chunks of each segment, the pipe's one read
		 */
		size_t wl = 0;
		for (size_t i = 0; i < mp.nsegs; i++) {
			const struct hc_mp_seg *g = &mp.segs[i];
			if (g->mem && g->len) {
				wl += (size_t)snprintf(want + wl, cap - wl, "%zx\r\n", g->len);
				memcpy(want + wl, g->mem, g->len);
				wl += g->len;
			} else if (g->size > 0) {
				wl += (size_t)snprintf(want + wl, cap - wl, "%x\r\n", BODY);
				memcpy(want + wl, data, BODY);
				wl += BODY;
			} else if (g->size < 0) {
				wl += (size_t)snprintf(want + wl, cap - wl, "9\r\npipe data");
			}
			if ((g->mem && g->len) || g->size)
				wl += (size_t)snprintf(want + wl, cap - wl, "\r\n");
		}
		wl += (size_t)snprintf(want + wl, cap - wl, "0\r\n\r\n");
		size_t hl = x.h1.hb.len;
		memmove(want + hl, want, wl);
		memcpy(want, x.h1.hb.p, hl);
		wl += hl;
		struct hc_task *t = &rd.t;
		if (use_tls) {
			peer.t =
			    (struct hc_task){.ops = &tls_peer_ops, .fd = sv[1], .events = POLLIN};
			peer.got = got;
			peer.want = wl;
			t = &peer.t;
		} else {
			rd = (struct reader){
			    .t = {.ops = &reader_ops, .fd = sv[1], .events = POLLIN},
			    .got = got,
			    .want = wl};
		}
		loop_add(&L, t);
		/* the reader drains the file part; then the transfer waits for the empty pipe */
		bool waited_out = false;
		for (int i = 0;
		     i < 100000 && !x.task.done &&
		     !(x.task.fd == src[0][0] && x.task.events == POLLIN && !x.task.run_again);
		     i++) {
			waited_out |= x.task.fd == c.fd && x.task.events == POLLOUT;
			CHECK_EQ_INT(loop_round(&L), HC_OK);
		}
		CHECK(waited_out);
		CHECK(!x.task.done);
		CHECK_EQ_INT(x.task.fd, src[0][0]);
		CHECK(write(src[0][1], "pipe data", 9) == 9);
		close(src[0][1]);
		src[0][1] = -1;
		CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
		unit_note("x: result %d, %s", x.task.result, c.err);
		CHECK(x.task.paused);
		CHECK_EQ_INT(r.status, 200);
		size_t n = use_tls ? peer.len : rd.len;
		CHECK_EQ_MEM(got, n, want, wl);
		loop_remove(&L, t);
		x.proto->finish(&x, &L);
		resp_free(&r);
	next:
		loop_free(&L);
		mp_free(&mp);
		conn_free(&c);
		tls_peer_free(&peer);
		close(sv[1]);
		close_pipes(src, 1);
	}
out:
	if (tmp)
		fclose(tmp);
	free(data);
	free(want);
	free(got);
	tls_global_free();
	unit_end();
}

/* A proxy on the same loop: accept, read CONNECT's head, then pause; the test answers. */
struct proxy {
	struct hc_task t; /* first */
	int ls, fd;
	char req[1024];
	size_t len;
};

static enum hc_err proxy_step(struct hc_task *t, short revents)
{
	struct proxy *p = (struct proxy *)t;
	(void)revents;
	if (p->fd < 0) {
		p->fd = accept4(p->ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (p->fd >= 0)
			t->fd = p->fd;
		return HC_OK;
	}
	ssize_t n = read(p->fd, p->req + p->len, sizeof(p->req) - 1 - p->len);
	if (n <= 0)
		return HC_ERESET;
	p->len += (size_t)n;
	p->req[p->len] = '\0';
	if (strstr(p->req, "\r\n\r\n"))
		t->paused = true;
	return HC_OK;
}

static const struct hc_task_ops proxy_ops = {.step = proxy_step, .expire = server_expire};

static void h1_tunnel_states(void)
{
	unit_begin("h1: CONNECT through a slow proxy: the request and the answer's pieces wait in "
		   "the loop while another task runs; bytes after a 2xx, a refusal and silence end "
		   "it as before");
	static const struct {
		const char *part1, *part2; /* part2 NULL: the proxy says no more */
		enum hc_err rc;
		const char *err; /* %u: the port */
		bool tunnel;
	} cases[] = {
	    {"HTTP/1.1 200 Connection established\r\n", "\r\n", HC_ETIMEOUT,
	     "TLS handshake with example.test timed out", true},
	    {"HTTP/1.1 200 Connection established\r\n", "\r\nhello", HC_EPROXY,
	     "the proxy sent 5 bytes after its 200 reply to CONNECT, before the tunnel was up",
	     false},
	    {"HTTP/1.1 407 Proxy Authentication Required\r\n", "Content-Length: 0\r\n\r\n",
	     HC_EPROXY,
	     "the proxy refused CONNECT to example.test port 443: HTTP/1.1 407 Proxy "
	     "Authentication Required",
	     false},
	    {"HTTP/1.1 200 Connection", NULL, HC_ETIMEOUT,
	     "no progress for 0.300 s while receiving", false},
	    {"HTTP/1.1 200 Connection established\r\nX: y\r\n", "junk\r\n\r\n", HC_EPROXY,
	     "bad reply from the proxy to CONNECT: ", false},
	};
	static const struct hc_tls_cfg tls = {.insecure = true};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		unsigned port = 0;
		int filler, ls = listener(&port, false, &filler);
		int side[1][2] = {{-1, -1}};
		struct hc_loop L;
		unit_note("case %zu", k);
		loop_init(&L);
		if (CHECK(ls >= 0) && pipes(side, 1)) {
			struct hc_conn_cfg qc = cfg;
			qc.tls = &tls;
			struct hc_proxy px = {.host = "127.0.0.1", .port = port};
			struct hc_conn c;
			struct hc_response r;
			struct hc_request q = {.method = "GET", .target = "/"};
			struct hc_xfer x;
			struct fake other;
			struct proxy pr = {.t = {.ops = &proxy_ops, .fd = ls, .events = POLLIN},
					   .ls = ls,
					   .fd = -1};
			conn_init(&c, &qc);
			CHECK_EQ_INT(conn_target(&c, "example.test", 443, true, &px), HC_OK);
			resp_init(&r, &c);
			h1_xfer_init(&x, &c, &q, &r);
			loop_add(&L, &pr.t);
			pr.t.run_again = false;
			fake_init(&other, 'O', side[0][0], POLLIN);
			add_waiting(&L, &other);
			CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
			CHECK_EQ_INT(loop_run_until(&L, &pr.t), HC_OK);
			CHECK_EQ_STR(
			    pr.req,
			    "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n");
			/* the answer's first piece: the transfer takes it and waits for the rest */
			CHECK(write(pr.fd, cases[k].part1, strlen(cases[k].part1)) ==
			      (ssize_t)strlen(cases[k].part1));
			for (int i = 0; i < 20 && !x.task.done &&
					(x.task.events != POLLIN || x.task.run_again || i < 2);
			     i++) {
				poke(side[0][1]); /* no round blocks */
				CHECK_EQ_INT(loop_round(&L), HC_OK);
			}
			CHECK(!x.task.done && !c.tunnel);
			CHECK_EQ_INT(x.task.fd, c.fd);
			CHECK_EQ_INT(x.task.events, POLLIN);
			CHECK(x.task.deadline != 0);
			int steps = other.steps;
			poke(side[0][1]);
			CHECK_EQ_INT(loop_round(&L), HC_OK);
			CHECK_EQ_INT(other.steps, steps + 1); /* the loop moves on meanwhile */
			CHECK(!x.task.done);
			if (cases[k].part2)
				CHECK(write(pr.fd, cases[k].part2, strlen(cases[k].part2)) ==
				      (ssize_t)strlen(cases[k].part2));
			/* up: the tunnel's TLS handshake waits for a ServerHello until its timeout
			 */
			CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
			CHECK(x.task.done);
			CHECK_EQ_INT(x.task.result, cases[k].rc);
			CHECK(strncmp(c.err, cases[k].err, strlen(cases[k].err)) == 0);
			unit_note("%s", c.err);
			CHECK(c.tunnel == cases[k].tunnel);
			CHECK(!conn_is_open(&c));
			if (cases[k].tunnel) {
				/* the ClientHello went into the tunnel, after CONNECT */
				unsigned char hello = 0;
				CHECK(read(pr.fd, &hello, 1) == 1 && hello == 0x16);
			}
			loop_remove(&L, &pr.t);
			loop_remove(&L, &other.t);
			x.proto->finish(&x, &L);
			resp_free(&r);
			conn_free(&c);
			if (pr.fd >= 0)
				close(pr.fd);
			close_pipes(side, 1);
		}
		loop_free(&L);
		close(ls);
	}
	tls_global_free();
	unit_end();
}

static void h1_early_answer_waits(void)
{
	unit_begin("h1: a server that stops reading mid-body: its answer is waited for in the loop "
		   "and taken as an early answer; none in time keeps the send's error");
	static const struct {
		bool answer;
		enum hc_err rc;
		const char *err;
	} cases[] = {
	    {true, HC_OK, ""},
	    {false, HC_ESEND, "the server closed the connection while hcli was sending"},
	};
	enum { BODY = 300000 };
	char *data = calloc(1, BODY);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]) && CHECK(data != NULL); k++) {
		int sv[2] = {-1, -1}, side[1][2] = {{-1, -1}};
		struct hc_conn c;
		struct hc_response r;
		struct hc_xfer x;
		struct hc_loop L;
		struct fake other;
		struct hc_body body = {.kind = HC_BODY_MEM, .mem = data, .len = BODY};
		struct hc_request q = {.method = "PUT", .target = "/up", .body = &body};
		loop_init(&L);
		if (small_pair(&c, sv) && pipes(side, 1)) {
			resp_init(&r, &c);
			h1_xfer_init(&x, &c, &q, &r);
			fake_init(&other, 'O', side[0][0], POLLIN);
			add_waiting(&L, &other);
			CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
			/* the send stops at the full socket; then the server stops reading */
			for (int i = 0; i < 20 && x.task.events != POLLOUT; i++) {
				poke(side[0][1]);
				CHECK_EQ_INT(loop_round(&L), HC_OK);
			}
			CHECK_EQ_INT(x.task.events, POLLOUT);
			CHECK(shutdown(sv[1], SHUT_RD) == 0);
			char sink[65536]; /* room again: the next send meets the shut side, EPIPE */
			while (read(sv[1], sink, sizeof(sink)) > 0)
				;
			for (int i = 0; i < 20 && x.task.events != POLLIN; i++) {
				poke(side[0][1]);
				CHECK_EQ_INT(loop_round(&L), HC_OK);
			}
			/* no answer yet: it waits for one, polled, while the loop moves on */
			CHECK(!x.task.done && !x.task.paused);
			CHECK_EQ_INT(x.task.fd, c.fd);
			CHECK_EQ_INT(x.task.events, POLLIN);
			int steps = other.steps;
			poke(side[0][1]);
			CHECK_EQ_INT(loop_round(&L), HC_OK);
			CHECK_EQ_INT(other.steps, steps + 1);
			if (cases[k].answer) {
				static const char no[] =
				    "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n";
				CHECK(write(sv[1], no, sizeof(no) - 1) == (ssize_t)sizeof(no) - 1);
			}
			CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
			CHECK_EQ_INT(x.task.done ? x.task.result : HC_OK, cases[k].rc);
			CHECK_EQ_STR(cases[k].rc ? c.err : "", cases[k].err);
			if (cases[k].answer) {
				CHECK(x.task.paused);
				CHECK_EQ_INT(r.status, 413);
				CHECK(r.early);
			}
			x.proto->finish(&x, &L);
			resp_free(&r);
		}
		loop_free(&L);
		conn_free(&c);
		close(sv[1]);
		close_pipes(side, 1);
	}
	free(data);
	unit_end();
}

static void h1_send_stalls(void)
{
	unit_begin("h1: a peer that stops reading: the send waits in the loop, other tasks run, "
		   "and it times out as a blocking send did");
	int sv[2] = {-1, -1};
	struct hc_conn c;
	struct hc_response r;
	struct hc_xfer x;
	struct hc_loop L;
	enum { BODY = 300000 };
	char *data = calloc(1, BODY);
	struct hc_body body = {.kind = HC_BODY_MEM, .mem = data, .len = BODY};
	struct hc_request q = {.method = "POST", .target = "/up", .body = &body};
	loop_init(&L);
	if (CHECK(data != NULL) && small_pair(&c, sv)) {
		resp_init(&r, &c);
		h1_xfer_init(&x, &c, &q, &r);
		CHECK_EQ_INT(x.proto->start(&x, &L), HC_OK);
		struct fake f;
		int p[1][2];
		if (pipes(p, 1)) {
			fake_init(&f, 'F', p[0][0], POLLIN);
			add_waiting(&L, &f);
			f.t.deadline = hc_now_ns() + 10 * 1000000000LL; /* a bound when broken */
			/* the first round opens (the connection is up): the send is next */
			CHECK_EQ_INT(loop_round(&L), HC_OK);
			CHECK(x.task.run_again && c.nrequests == 0);
			poke(p[0][1]);
			/* the send stops at a full socket; the poll after it wakes the other */
			CHECK_EQ_INT(loop_round(&L), HC_OK);
			CHECK_EQ_INT(x.task.events, POLLOUT);
			CHECK(!x.task.done);
			CHECK_EQ_INT(f.steps, 1);
			CHECK_EQ_INT(loop_run_until(&L, &x.task), HC_OK);
			CHECK(x.task.done);
			CHECK_EQ_INT(x.task.result, HC_ETIMEOUT);
			CHECK_EQ_STR(c.err, "no progress for 0.300 s while sending");
			loop_remove(&L, &f.t);
			close_pipes(p, 1);
		}
		x.proto->finish(&x, &L);
		resp_free(&r);
	}
	loop_free(&L);
	conn_free(&c);
	close(sv[1]);
	free(data);
	unit_end();
}

/* ---- bodies to sinks ---- */

/* A sink that keeps what it gets; blocked, it says "poll block_fd" until that is writable. */
struct msink {
	struct unit_buf got;
	int writes, ends, more_calls;
	size_t block_after; /* blocked once this many bytes are in (0: never) */
	int block_fd;	    /* a full pipe's write end while blocked */
	int pipe_fd;	    /* splice into this when >= 0 (pipe() hands it out) */
	size_t spliced;
	enum hc_err fail; /* write returns this (HC_OK: none) */
};

static enum hc_err msink_write(void *ud, struct iovec *iov, int cnt)
{
	struct msink *m = ud;
	m->writes++;
	if (m->fail)
		return m->fail;
	for (int i = 0; i < cnt; i++)
		unit_buf_add(&m->got, iov[i].iov_base, iov[i].iov_len);
	return HC_OK;
}

static bool writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

static enum hc_err msink_more(void *ud, int *fd)
{
	struct msink *m = ud;
	m->more_calls++;
	*fd = -1;
	if (m->block_after && m->got.len >= m->block_after && !writable(m->block_fd))
		*fd = m->block_fd;
	return HC_OK;
}

static int msink_pipe(void *ud)
{
	return ((struct msink *)ud)->pipe_fd;
}

static enum hc_err msink_spliced(void *ud, size_t n)
{
	((struct msink *)ud)->spliced += n;
	return HC_OK;
}

static enum hc_err msink_end(void *ud)
{
	((struct msink *)ud)->ends++;
	return HC_OK;
}

static struct hc_sink msink_of(struct msink *m)
{
	return (struct hc_sink){.ud = m,
				.write = msink_write,
				.more = msink_more,
				.pipe = msink_pipe,
				.spliced = msink_spliced,
				.end = msink_end};
}

/* A pipe whose write end is full: poll says POLLOUT only once its reader takes some. */
static bool full_pipe(int p[2])
{
	if (!CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0))
		return false;
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	char junk[4096] = {0};
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	return CHECK(!writable(p[1]));
}

static void empty_pipe(int fd)
{
	char junk[4096];
	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

static bool put(int fd, const char *p, size_t n)
{
	return CHECK(write(fd, p, n) == (ssize_t)n);
}

/* n rounds that never wait in poll: a task that always runs again is on the loop meanwhile. */
static void rounds_without_waiting(struct hc_loop *L, int n)
{
	struct fake spin;
	fake_init(&spin, 'S', -1, 0);
	spin.again = 1 << 30;
	loop_add(L, &spin.t);
	for (int i = 0; i < n; i++)
		CHECK_EQ_INT(loop_round(L), HC_OK);
	loop_remove(L, &spin.t);
}

/* The two halves of a body as a server sends them: chunked (two chunks and the last) or with
 * Content-Length. */
static void body_halves(bool chunked, const char *body, size_t n, struct unit_buf *first,
			struct unit_buf *second)
{
	size_t h = n / 2;
	unit_buf_adds(first, "HTTP/1.1 200 OK\r\n");
	if (chunked) {
		unit_buf_printf(first, "Transfer-Encoding: chunked\r\n\r\n%zx\r\n", h);
		unit_buf_add(first, body, h);
		unit_buf_printf(second, "\r\n%zx\r\n", n - h);
		unit_buf_add(second, body + h, n - h);
		unit_buf_adds(second, "\r\n0\r\n\r\n");
	} else {
		unit_buf_printf(first, "Content-Length: %zu\r\n\r\n", n);
		unit_buf_add(first, body, h);
		unit_buf_add(second, body + h, n - h);
	}
}

static void h1_bodies_at_once(void)
{
	unit_begin("h1 body: two transfers' bodies move at once on one loop (Content-Length and "
		   "chunked), each sink ended once with every byte");
	static const char b1[] = "the first body, with Content-Length",
			  b2[] = "the second body, in chunks";
	struct duo d;
	struct unit_buf a1 = {0}, a2 = {0}, z1 = {0}, z2 = {0};
	struct msink m1 = {.pipe_fd = -1}, m2 = {.pipe_fd = -1};
	struct hc_sink k1 = msink_of(&m1), k2 = msink_of(&m2);
	body_halves(false, b1, sizeof(b1) - 1, &a1, &z1);
	body_halves(true, b2, sizeof(b2) - 1, &a2, &z2);
	if (duo_open(&d, false)) {
		put(d.s1[1], a1.p, a1.len);
		put(d.s2[1], a2.p, a2.len);
		duo_heads(&d);
		CHECK(d.x1.task.paused && d.x2.task.paused);
		CHECK_EQ_INT(d.x1.proto->body(&d.x1, &k1), HC_OK);
		CHECK_EQ_INT(d.x2.proto->body(&d.x2, &k2), HC_OK);
		/* both first halves in, both transfers waiting on their sockets */
		rounds_without_waiting(&d.L, 4);
		CHECK_EQ_MEM(m1.got.p, m1.got.len, b1, (sizeof(b1) - 1) / 2);
		CHECK_EQ_MEM(m2.got.p, m2.got.len, b2, (sizeof(b2) - 1) / 2);
		CHECK(!d.x1.task.done && !d.x2.task.done);
		CHECK_EQ_INT(d.x1.task.events, POLLIN);
		CHECK_EQ_INT(d.x1.task.fd, d.s1[0]);
		CHECK_EQ_INT(m1.ends + m2.ends, 0);
		/* the rest, the second transfer's first */
		put(d.s2[1], z2.p, z2.len);
		put(d.s1[1], z1.p, z1.len);
		CHECK_EQ_INT(loop_run(&d.L), HC_OK);
		CHECK(d.x1.task.done && d.x2.task.done);
		CHECK_EQ_INT(d.x1.task.result, HC_OK);
		CHECK_EQ_INT(d.x2.task.result, HC_OK);
		CHECK_EQ_MEM(m1.got.p, m1.got.len, b1, sizeof(b1) - 1);
		CHECK_EQ_MEM(m2.got.p, m2.got.len, b2, sizeof(b2) - 1);
		CHECK_EQ_INT(m1.ends, 1);
		CHECK_EQ_INT(m2.ends, 1);
		CHECK(d.r1.done && d.r2.done && d.c1.reusable && d.c2.reusable);
		duo_finish(&d);
	}
	duo_free(&d);
	unit_buf_free(&a1);
	unit_buf_free(&a2);
	unit_buf_free(&z1);
	unit_buf_free(&z2);
	unit_buf_free(&m1.got);
	unit_buf_free(&m2.got);
	unit_end();
}

static void h1_sink_blocks(void)
{
	unit_begin("h1 body: a sink that blocks is polled on its descriptor and its socket is not "
		   "read meanwhile; another transfer's body goes on; drained, it gets the rest");
	enum { BODY = 100000 };
	int bp[2] = {-1, -1};
	struct duo d;
	char *data = malloc(BODY);
	struct unit_buf a1 = {0}, z1 = {0}, a2 = {0}, z2 = {0};
	struct msink m1 = {.pipe_fd = -1, .block_after = 1000}, m2 = {.pipe_fd = -1};
	struct hc_sink k1 = msink_of(&m1), k2 = msink_of(&m2);
	if (duo_open(&d, false) && CHECK(data != NULL) && full_pipe(bp)) {
		for (size_t i = 0; i < BODY; i++)
			data[i] = (char)('a' + i % 19);
		m1.block_fd = bp[1];
		body_halves(false, data, BODY, &a1, &z1);
		body_halves(true, "ok", 2, &a2, &z2);
		/* the head alone first: the body then waits in the socket, not in the buffer */
		size_t head = a1.len - BODY / 2;
		put(d.s1[1], a1.p, head);
		put(d.s2[1], a2.p, a2.len);
		duo_heads(&d);
		put(d.s1[1], a1.p + head, a1.len - head);
		CHECK_EQ_INT(d.x1.proto->body(&d.x1, &k1), HC_OK);
		CHECK_EQ_INT(d.x2.proto->body(&d.x2, &k2), HC_OK);
		/* x1 takes what came, then its sink blocks: polled, the rest left in the socket */
		rounds_without_waiting(&d.L, 4);
		CHECK_EQ_INT(d.x1.task.fd, bp[1]);
		CHECK_EQ_INT(d.x1.task.events, POLLOUT);
		CHECK_EQ_INT(d.x1.task.deadline, 0); /* a slow reader is not a timeout */
		size_t in = m1.got.len;
		uint64_t rx = d.c1.rx;
		CHECK(in >= 1000 && in <= BODY / 2);
		/* meanwhile the other transfer's body comes and ends */
		put(d.s2[1], z2.p, z2.len);
		CHECK_EQ_INT(loop_run_until(&d.L, &d.x2.task), HC_OK);
		CHECK(d.x2.task.done);
		CHECK_EQ_MEM(m2.got.p, m2.got.len, "ok", 2);
		put(d.s1[1], z1.p, z1.len);
		rounds_without_waiting(&d.L, 4);
		CHECK_EQ_INT(m1.got.len, in);
		CHECK_EQ_UINT(d.c1.rx, rx);
		CHECK(!d.x1.task.done);
		/* the reader takes what is in the pipe: the sink goes on, to the end */
		empty_pipe(bp[0]);
		CHECK_EQ_INT(loop_run_until(&d.L, &d.x1.task), HC_OK);
		CHECK(d.x1.task.done);
		CHECK_EQ_INT(d.x1.task.result, HC_OK);
		CHECK_EQ_MEM(m1.got.p, m1.got.len, data, BODY);
		CHECK_EQ_INT(m1.ends, 1);
		duo_finish(&d);
	}
	duo_free(&d);
	close_pipes(&bp, 1);
	unit_buf_free(&a1);
	unit_buf_free(&a2);
	unit_buf_free(&z1);
	unit_buf_free(&z2);
	unit_buf_free(&m1.got);
	unit_buf_free(&m2.got);
	free(data);
	unit_end();
}

/* The pipe's reader on the loop: what is there each time it wakes, until want bytes. */
struct pipe_reader {
	struct hc_task t; /* first */
	struct unit_buf got;
	size_t want;
	int wakes;
};

static enum hc_err pipe_reader_step(struct hc_task *t, short revents)
{
	struct pipe_reader *pr = (struct pipe_reader *)t;
	char buf[4096];
	ssize_t n;
	(void)revents;
	pr->wakes++;
	while ((n = read(t->fd, buf, sizeof(buf))) > 0)
		unit_buf_add(&pr->got, buf, (size_t)n);
	if (pr->got.len >= pr->want)
		t->done = true;
	return HC_OK;
}

static const struct hc_task_ops pipe_reader_ops = {.step = pipe_reader_step,
						   .expire = server_expire};

static void h1_splice_waits_for_pipe(void)
{
	unit_begin("h1 body: spliced into the sink's pipe; a full pipe is polled for POLLOUT while "
		   "another transfer gets its body; its reader gets every byte");
	enum { BODY = 200000 };
	int sp[2] = {-1, -1};
	struct duo d;
	char *data = malloc(BODY);
	struct unit_buf a2 = {0}, z2 = {0};
	struct msink m1 = {0}, m2 = {.pipe_fd = -1};
	struct hc_sink k1 = msink_of(&m1), k2 = msink_of(&m2);
	char head[64];
	int hl =
	    snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY);
	if (duo_open(&d, false) && CHECK(data != NULL) &&
	    CHECK(pipe2(sp, O_CLOEXEC | O_NONBLOCK) == 0)) {
		for (size_t i = 0; i < BODY; i++)
			data[i] = (char)('A' + i % 29);
		(void)fcntl(sp[1], F_SETPIPE_SZ, 4096);
		m1.pipe_fd = sp[1];
		body_halves(false, "second", 6, &a2, &z2);
		put(d.s1[1], head, (size_t)hl);
		put(d.s2[1], a2.p, a2.len);
		duo_heads(&d);
		int sz = 1 << 20;
		(void)setsockopt(d.s1[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		ssize_t w = write(d.s1[1], data, BODY); /* as much as the socket takes */
		CHECK(w > 8192);
		size_t sent = w > 0 ? (size_t)w : 0;
		CHECK_EQ_INT(d.x1.proto->body(&d.x1, &k1), HC_OK);
		CHECK_EQ_INT(d.x2.proto->body(&d.x2, &k2), HC_OK);
		rounds_without_waiting(&d.L, 4);
		/* the pipe is full: x1 waits for it, untimed */
		CHECK_EQ_INT(d.x1.task.fd, sp[1]);
		CHECK_EQ_INT(d.x1.task.events, POLLOUT);
		CHECK_EQ_INT(d.x1.task.deadline, 0);
		CHECK(m1.spliced > 0 && m1.spliced <= 4096);
		CHECK_EQ_INT(m1.writes, 0);
		put(d.s2[1], z2.p, z2.len);
		CHECK_EQ_INT(loop_run_until(&d.L, &d.x2.task), HC_OK);
		CHECK(d.x2.task.done && !d.x1.task.done);
		CHECK_EQ_MEM(m2.got.p, m2.got.len, "second", 6);
		/* the pipe's reader and the rest of the body join the loop */
		struct pipe_reader pr = {.t = {.ops = &pipe_reader_ops,
					       .fd = sp[0],
					       .events = POLLIN,
					       .deadline = hc_now_ns() + 10 * 1000000000LL},
					 .want = BODY}; /* the deadline: a bound when broken */
		loop_add(&d.L, &pr.t);
		while (sent < BODY && !d.x1.task.done) {
			w = write(d.s1[1], data + sent, BODY - sent);
			if (w > 0)
				sent += (size_t)w;
			CHECK_EQ_INT(loop_round(&d.L), HC_OK);
		}
		CHECK_EQ_INT(loop_run(&d.L), HC_OK);
		CHECK(d.x1.task.done && pr.t.done);
		CHECK_EQ_INT(d.x1.task.result, HC_OK);
		CHECK_EQ_UINT(m1.spliced, BODY);
		CHECK_EQ_MEM(pr.got.p, pr.got.len, data, BODY);
		CHECK(pr.wakes > 4);
		CHECK_EQ_INT(m1.ends, 1);
		loop_remove(&d.L, &pr.t);
		unit_buf_free(&pr.got);
		duo_finish(&d);
	}
	duo_free(&d);
	close_pipes(&sp, 1);
	unit_buf_free(&a2);
	unit_buf_free(&z2);
	unit_buf_free(&m2.got);
	free(data);
	unit_end();
}

static void h1_body_errors(void)
{
	unit_begin("h1 body: the sink's error ends its transfer with it; a server quiet mid-body "
		   "times out as a blocking read did; a body cut short is incomplete");
	static const struct {
		const char *reply;
		enum hc_err fail; /* the sink's */
		bool close;	  /* the server closes after the reply */
		enum hc_err want;
		const char *err;
	} cases[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", HC_EWRITE, false, HC_EWRITE, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", HC_OK, false, HC_ETIMEOUT,
	     "no progress for 0.300 s while receiving"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", HC_OK, true, HC_EINCOMPLETE,
	     "2 bytes read, 2 more expected"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\nzz\r\n", HC_OK, false,
	     HC_ECHUNK, "malformed chunked encoding after 2 body bytes"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int sv[2] = {-1, -1};
		struct hc_conn c;
		struct hc_response r;
		struct hc_xfer x;
		struct hc_loop L;
		struct hc_request q = {.method = "GET", .target = "/"};
		struct msink m = {.pipe_fd = -1, .fail = cases[i].fail};
		struct hc_sink k = msink_of(&m);
		unit_note("case %zu", i);
		if (pair_conn(&c, sv)) {
			resp_init(&r, &c);
			h1_xfer_init(&x, &c, &q, &r);
			put(sv[1], cases[i].reply, strlen(cases[i].reply));
			if (cases[i].close)
				shutdown(sv[1], SHUT_WR);
			CHECK_EQ_INT(xfer_open(&x, &L), HC_OK);
			CHECK_EQ_INT(xfer_recv(&x, &L, &k), cases[i].want);
			CHECK_EQ_STR(c.err, cases[i].err);
			CHECK_EQ_INT(m.ends, 0);
			CHECK(!c.reusable);
			xfer_close(&x, &L);
			resp_free(&r);
		}
		conn_free(&c);
		close(sv[1]);
		unit_buf_free(&m.got);
	}
	unit_end();
}

int main(void)
{
	readiness_order();
	run_again_first();
	finishing_while_others_wait();
	removed_during_a_round();
	turn_returns_when_a_task_ends();
	deadlines();
	error_ends_one();
	paused_and_stuck();
	tick_while_waiting();
	h1_two_on_one_loop();
	h1_expect_early_and_timeout();
	h1_head_in_pieces();
	h1_head_timeouts();
	h1_connect_waits_in_loop();
	h1_connect_and_server_on_one_loop();
	h1_handshake_waits_in_loop();
	h1_send_resumes();
	h1_send_stalls();
	h1_pipe_source_waits();
	h1_tls_send_resumes();
	h1_tls_send_stalls();
	h1_multipart_cursor();
	h1_tunnel_states();
	h1_early_answer_waits();
	h1_bodies_at_once();
	h1_sink_blocks();
	h1_splice_waits_for_pipe();
	h1_body_errors();
	return unit_done();
}
