/*
 * Unit tests for the loop's scheduling: fake tasks over pipes and socket
 * pairs (readiness order, run-again, deadlines, one task ending while others
 * wait, errors that end one task only), then two HTTP/1.1 transfers on one
 * loop, one waiting for 100 Continue while the other gets its head.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "http.h"
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

static void h1_two_on_one_loop(void)
{
	unit_begin("h1: a transfer waiting for 100 Continue waits in the loop while another gets "
		   "its head");
	int s1[2] = {-1, -1}, s2[2] = {-1, -1};
	struct hc_conn c1, c2;
	struct hc_response r1, r2;
	struct hc_xfer x1, x2;
	struct hc_loop L;
	struct hc_body body = {.kind = HC_BODY_MEM, .mem = "hello", .len = 5};
	struct hc_request q1 = {.method = "POST",
				.target = "/up",
				.body = &body,
				.expect100 = true,
				.expect100_timeout_ms = 60000};
	struct hc_request q2 = {.method = "GET", .target = "/get"};
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	char got[4096];
	loop_init(&L);
	if (pair_conn(&c1, s1) && pair_conn(&c2, s2)) {
		resp_init(&r1, &c1);
		resp_init(&r2, &c2);
		h1_xfer_init(&x1, &c1, &q1, &r1);
		h1_xfer_init(&x2, &c2, &q2, &r2);
		CHECK(write(s2[1], ok, sizeof(ok) - 1) == (ssize_t)sizeof(ok) - 1);
		CHECK_EQ_INT(x1.proto->start(&x1, &L), HC_OK);
		CHECK_EQ_INT(x2.proto->start(&x2, &L), HC_OK);
		CHECK_EQ_INT(loop_run_until(&L, &x2.task), HC_OK);
		unit_note("x1: result %d, %s", x1.task.result, c1.err);
		/* the GET has its head; the POST sent its head only and waits, polled */
		CHECK(x2.task.paused);
		CHECK_EQ_INT(r2.status, 200);
		CHECK(!x1.task.paused && !x1.task.done);
		CHECK_EQ_INT(x1.task.events, POLLIN);
		drain_peer(s1[1], got, sizeof(got));
		CHECK(strstr(got, "Expect: 100-continue\r\n") != NULL);
		CHECK(strstr(got, "hello") == NULL);
		static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
		CHECK(write(s1[1], go_on, sizeof(go_on) - 1) == (ssize_t)sizeof(go_on) - 1);
		CHECK(write(s1[1], ok, sizeof(ok) - 1) == (ssize_t)sizeof(ok) - 1);
		CHECK_EQ_INT(loop_run_until(&L, &x1.task), HC_OK);
		CHECK(x1.task.paused);
		CHECK_EQ_INT(r1.status, 200);
		CHECK(!r1.early);
		drain_peer(s1[1], got, sizeof(got));
		CHECK_EQ_STR(got, "hello");
		x1.proto->finish(&x1, &L);
		x2.proto->finish(&x2, &L);
		resp_free(&r1);
		resp_free(&r2);
	}
	loop_free(&L);
	conn_free(&c1);
	conn_free(&c2);
	close(s1[1]);
	close(s2[1]);
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
		drain_peer(sv[1], got, sizeof(got));
		CHECK(strstr(got, "Expect: 100-continue\r\n") != NULL);
		CHECK(strstr(got, "hello") == NULL);
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
		resp_free(&r);
	}
	conn_free(&c);
	close(sv[1]);
	unit_end();
}

int main(void)
{
	readiness_order();
	run_again_first();
	finishing_while_others_wait();
	deadlines();
	error_ends_one();
	paused_and_stuck();
	tick_while_waiting();
	h1_two_on_one_loop();
	h1_expect_early_and_timeout();
	return unit_done();
}
