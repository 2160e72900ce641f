/*
 * The scheduler: every URL is a job (run.h), a state machine stepped on one
 * loop. Up to R->max_jobs run at once (1 without -Z: one URL after the
 * other); the connections they take come from one pool, and go back to it
 * when a job ends, kept alive for the next job of their origin.
 *
 * Standard output stays in URL order (SPEC Part 2): the jobs are listed in
 * URL order, the first one writes directly, the others into their hold
 * (hold.c) until the ones before them have ended and their turn comes. At
 * most R->max_jobs jobs are listed, running or ended with output held, so
 * memory does not grow with the number of URLs.
 */
#include <bsd/string.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

/*
 * May another job's request go on this connection now? An idle one, or an
 * h2 session the engine says can take one more stream (conn_room: those
 * beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait in the session
 * for a free one, rather than opening another connection).
 */
static bool pool_room(const struct pooled *p)
{
	return p->users == 0 || (p->c.h2 && conn_room(&p->c));
}

/* Might this connection speak h2 once it is up (ALPN on https, prior knowledge on http)? */
static bool may_speak_h2(const struct run *R, const struct hc_url *u)
{
	enum hc_http v = R->cfg.http;
	return u->https ? v != HC_HTTP_1_1 : v == HC_HTTP_2 || v == HC_HTTP_2_PRIOR;
}

/* Is p being made for its job, with what it speaks (h2 or HTTP/1.1) not known yet? */
static bool dialing(const struct pooled *p)
{
	const struct hc_conn *c = &p->c;
	return p->users > 0 && p->fresh && c->h2 == NULL &&
	       (c->tls ? c->tm.appconnect == 0 : !conn_is_open(c));
}

static struct pooled *pool_add(struct run *R)
{
	struct pooled **np = reallocarray(R->pool, R->npool + 1, sizeof(*np));
	if (np == NULL)
		return NULL;
	R->pool = np;
	struct pooled *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	conn_init(&p->c, &R->cfg);
	R->pool[R->npool++] = p;
	return p;
}

static struct pooled *take(struct job *J, struct pooled *p)
{
	/* its deadline, trace and progress while J uses it alone; streams side by side share
	 * the run's (a -v trace to standard error, no deadline but their own -m) */
	p->c.cfg = p->users++ ? &J->R->cfg : &J->cfg;
	J->conn = p;
	return p;
}

/*
 * A connection for J: an idle one to its origin (kept alive), a stream of an
 * h2 one with room, else a new one (an idle connection elsewhere is taken
 * over when the pool is full). NULL: J waits, because a connection to its
 * origin that may speak h2 is still being made (curl's pipewait) or is h2
 * and busy; the pool never holds more than R->max_jobs connections.
 */
struct pooled *pool_take(struct run *R, struct job *J, const struct hc_url *u,
			 const struct hc_proxy *proxy)
{
	struct pooled *idle = NULL, *other = NULL, *dialed = NULL;
	bool wait = false, h2 = may_speak_h2(R, u);
	pool_give(J);
	for (size_t i = 0; i < R->npool; i++) {
		struct pooled *p = R->pool[i];
		struct hc_conn *c = &p->c;
		bool same = c->host && conn_matches(c, u->host, u->port, u->https, proxy);
		if (same && c->h2 && h2_usable(c)) {
			if (pool_room(p))
				return take(J, p);
			wait = true;
		} else if (same && h2 && dialing(p)) {
			wait = true;
			dialed = dialed ? dialed : p;
		} else if (p->users == 0) {
			if (same && conn_is_open(c) && idle == NULL)
				idle = p;
			else if (other == NULL || !conn_is_open(c))
				other = p;
		}
	}
	if (idle)
		return take(J, idle);
	if (wait) {
		J->waited = dialed;
		J->waited_gen = dialed ? dialed->dial_gen : 0;
		return NULL;
	}
	if (R->npool < R->max_jobs) {
		struct pooled *p = pool_add(R);
		return p ? take(J, p) : NULL;
	}
	return other ? take(J, other) : NULL;
}

void pool_give(struct job *J)
{
	struct pooled *p = J->conn;
	if (p == NULL)
		return;
	p->users--;
	p->fresh = false;
	p->c.cfg = &J->R->cfg; /* J's goes with J */
	J->conn = NULL;
}

void pool_dial_failed(struct job *J, enum hc_err rc)
{
	struct pooled *p = J->conn;
	if (p == NULL || rc == HC_OK || !dialing(p))
		return;
	p->fail_gen = p->dial_gen;
	p->fail_err = rc;
	p->fail_cond = p->c.cond;
	strlcpy(p->fail_msg, p->c.err, sizeof(p->fail_msg));
}

struct pooled *pool_take_failed(struct job *J)
{
	struct pooled *p = J->waited;
	J->waited = NULL;
	/* the dial it waited for, not a later one; none under way on it */
	if (p == NULL || p->fail_err == HC_OK || p->fail_gen != J->waited_gen || p->users > 0)
		return NULL;
	pool_give(J);
	return take(J, p);
}

static void pool_free(struct run *R)
{
	for (size_t i = 0; i < R->npool; i++) {
		conn_free(&R->pool[i]->c);
		free(R->pool[i]);
	}
	free(R->pool);
	R->pool = NULL;
	R->npool = 0;
}

/* A new job for URL i, last in the order. */
static struct job *job_new(struct run *R, size_t i)
{
	struct job *J = calloc(1, sizeof(*J));
	if (J == NULL)
		return NULL;
	J->R = R;
	J->i = i;
	J->out = R->out; /* the run's settings; nothing allocated yet */
	J->dl.fd = -1;
	J->cfg = R->cfg;
	J->cfg.trace_ud = &J->out;
	J->cfg.progress_ud = J;
	hold_init(&J->hold);
	if (R->jobs) { /* another URL's output comes first */
		out_hold(&J->out, &J->hold);
		J->held = true;
	}
	if (R->multi)
		progress_multi_add(&R->pm, &J->px);
	if (R->last)
		R->last->next = J;
	else
		R->jobs = J;
	R->last = J;
	R->njobs++;
	return J;
}

static void job_free(struct job *J)
{
	struct hop *h = &J->h;
	pool_give(J);
	resp_free(&h->out.last);
	free(h->out.location);
	free(h->in.url_user);
	if (h->in.url_pass)
		explicit_bzero(h->in.url_pass, strlen(h->in.url_pass));
	free(h->in.url_pass);
	url_free(&h->in.url);
	if (J->held)
		out_unhold(&J->out);
	hold_free(&J->hold);
	dl_free(&J->dl);
	out_free(&J->out);
	free(J);
}

/* J has ended: its code counts if it is the first failure in URL order; it may end the run. */
static void job_ended(struct run *R, struct job *J)
{
	const struct cli *cli = R->cli;
	pool_give(J);
	if (R->multi)
		progress_multi_end_xfer(&R->pm, &J->px);
	if (J->code == 0)
		return;
	if (J->i < R->fail_url) {
		R->fail_url = J->i;
		R->fail_code = J->code;
	}
	/* standard output that cannot be written ends the run; one URL's file (or hold) does not */
	if (J->code == hc_err_exit(HC_EWRITE) && !J->dl.on && !J->held)
		R->stop = R->out_failed = true;
	if (cli->fail_early)
		R->stop = true;
}

/* Move J on as far as it goes without waiting; true when it moved at all. */
static bool job_step(struct run *R, struct job *J)
{
	bool moved = false;
	int code;
	cli_fail_into(J->errmsg, sizeof(J->errmsg));
	for (;;) {
		switch (J->state) {
		case JOB_TRY:
			if ((code = exch_start(J)) == EXCH_WAIT) /* no connection for it yet */
				goto out;
			if (code == EXCH_GOING)
				J->state = JOB_XFER;
			else
				job_after(J, code);
			break;
		case JOB_XFER:
			if (exch_poll(J, &code))
				goto out;
			job_after(J, code);
			break;
		case JOB_PAUSE:
			if (!J->timer.done)
				goto out;
			loop_remove(&R->loop, &J->timer);
			job_try(J);
			break;
		case JOB_DONE:
			goto out;
		}
		moved = true;
		if (J->state == JOB_DONE)
			job_ended(R, J);
	}
out:
	cli_fail_into(NULL, 0);
	return moved;
}

/* Start URLs while fewer than R->max_jobs jobs are running or waiting for their turn. */
static bool fill(struct run *R)
{
	bool moved = false;
	while (!R->stop && R->next_url < R->cli->nurls && R->njobs < R->max_jobs) {
		struct job *J = job_new(R, R->next_url++);
		if (J == NULL) {
			R->fail_code = R->fail_code ? R->fail_code : cli_fail(HC_ENOMEM, "out of memory");
			R->stop = true;
			break;
		}
		cli_fail_into(J->errmsg, sizeof(J->errmsg));
		int code = job_begin(J);
		if (code) {
			job_end(J, code);
			job_ended(R, J);
		} else {
			job_try(J);
		}
		cli_fail_into(NULL, 0);
		moved = true;
	}
	return moved;
}

/* Standard output can take more: the held output's drain goes on. */
static enum hc_err out_wait_step(struct hc_task *t, short revents)
{
	if (revents)
		t->done = true;
	return HC_OK;
}

static enum hc_err out_wait_expire(struct hc_task *t)
{
	(void)t;
	return HC_OK;
}

static const struct hc_task_ops out_wait_ops = {.step = out_wait_step, .expire = out_wait_expire};

/* Standard output failed while J's held output went out: J fails, the run ends. */
static void out_failed(struct run *R, struct job *J)
{
	cli_fail_into(J->errmsg, sizeof(J->errmsg));
	int code = cli_fail(HC_EWRITE, J->hold.errmsg);
	cli_fail_into(NULL, 0);
	if (J->i < R->fail_url) {
		R->fail_url = J->i;
		R->fail_code = code;
	}
	R->stop = R->out_failed = true;
}

/*
 * J's turn: what its hold kept goes to standard output, as far as it takes
 * it now; once all is out, J writes directly. False: J waits for standard
 * output (R->out_wait polls it).
 */
static bool turn(struct run *R, struct job *J)
{
	int fd;
	if (!J->held)
		return true;
	if (hold_drain(&J->hold, STDOUT_FILENO, "standard output", &fd)) {
		out_failed(R, J);
		return true;
	}
	if (fd >= 0) {
		R->out_wait = (struct hc_task){.ops = &out_wait_ops, .fd = fd, .events = POLLOUT};
		loop_add(&R->loop, &R->out_wait);
		R->out_waiting = true;
		return false;
	}
	out_unhold(&J->out);
	J->held = false;
	return true;
}

/* The first jobs in URL order that have ended leave; the next one's output has its turn. */
static void flush(struct run *R)
{
	if (R->out_waiting) {
		if (!R->out_wait.done)
			return;
		loop_remove(&R->loop, &R->out_wait);
		R->out_waiting = false;
	}
	/* after a failed standard output, nothing more is written */
	while (R->jobs && (R->out_failed || turn(R, R->jobs)) && R->jobs->state == JOB_DONE) {
		struct job *J = R->jobs;
		R->jobs = J->next;
		if (R->jobs == NULL)
			R->last = NULL;
		R->njobs--;
		job_free(J);
	}
}

/*
 * --fail-early (or a failed standard output): the run ends now. The
 * transfers still running stop, reported by no one, and what they held is
 * dropped; the URLs that ended keep their turn.
 */
static void abort_all(struct run *R)
{
	for (struct job *J = R->jobs; J; J = J->next) {
		if (J->state == JOB_DONE)
			continue;
		if (J->state == JOB_XFER)
			exch_abort(J);
		else if (J->state == JOB_PAUSE)
			loop_remove(&R->loop, &J->timer);
		if (R->multi)
			progress_multi_end_xfer(&R->pm, &J->px);
		if (J->held) {
			out_unhold(&J->out);
			J->held = false;
		}
		hold_free(&J->hold);
		J->state = JOB_DONE;
	}
}

/* Is anything on the loop to wait for? */
static bool loop_waits(const struct hc_loop *L)
{
	for (const struct hc_task *t = L->head; t; t = t->next)
		if (!t->done && !t->paused)
			return true;
	return false;
}

/* The progress lines move while a poll waits. */
static void tick(void *ud)
{
	struct run *R = ud;
	if (R->multi)
		progress_multi_tick(&R->pm);
	for (struct job *J = R->jobs; J; J = J->next)
		progress_tick(&J->prog);
}

void sched_progress(struct job *J, uint64_t down, uint64_t up)
{
	struct run *R = J->R;
	if (R->multi)
		progress_multi_update(&R->pm, &J->px, down, up);
}

int sched_run(struct run *R)
{
	struct hc_loop *L = &R->loop;
	loop_init(L);
	/* several at once: one line for all (a terminal, no -s) */
	R->multi = R->max_jobs > 1 && R->cli->nurls > 1;
	if (R->multi)
		progress_multi_start(&R->pm, !R->cli->silent && isatty(STDERR_FILENO),
				     (unsigned)R->cli->nurls);
	L->tick = R->progress_ok || R->pm.enabled ? tick : NULL;
	L->tick_ud = R;
	R->fail_url = SIZE_MAX;
	for (;;) {
		bool moved = fill(R);
		for (struct job *J = R->jobs; J; J = J->next)
			moved |= job_step(R, J);
		if (R->stop && (R->cli->fail_early || R->out_failed))
			abort_all(R);
		flush(R);
		if (R->jobs == NULL && (R->stop || R->next_url == R->cli->nurls))
			break;
		if (moved)
			continue;
		if (!loop_waits(L)) { /* every job waits for another, and none moves: a bug */
			R->fail_code = cli_fail(HC_EINTERNAL, "the transfers wait for each other");
			abort_all(R);
			break;
		}
		if (loop_turn(L))
			for (struct job *J = R->jobs; J; J = J->next)
				if (J->state == JOB_XFER)
					exch_fail(J, L->err);
	}
	for (struct job *J; (J = R->jobs);) {
		R->jobs = J->next;
		job_free(J);
	}
	R->last = NULL;
	R->njobs = 0;
	if (R->out_waiting)
		loop_remove(L, &R->out_wait);
	if (R->multi)
		progress_multi_end(&R->pm);
	pool_free(R);
	loop_free(L);
	return R->fail_code;
}
