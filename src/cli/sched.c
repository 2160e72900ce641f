/*
 * The scheduler: every URL is a job (run.h), a state machine stepped on one
 * loop. Up to R->max_jobs run at once (1 without -Z: one URL after the
 * other); the connections they take come from one pool, and go back to it
 * when a job ends, kept alive for the next job of their origin.
 */
#include <stdint.h>
#include <bsd/string.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/*
 * May another job's request go on this connection now? An h2 connection
 * with a stream in flight is busy: the engine runs one stream of a session
 * at a time. (Several at once is the change to make here.)
 */
static bool pool_room(const struct pooled *p)
{
	return p->users == 0;
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
	p->users++;
	p->c.cfg = &J->cfg; /* its deadline, trace and progress while J uses it */
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
	struct pooled *idle = NULL, *other = NULL;
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
		} else if (p->users == 0) {
			if (same && conn_is_open(c) && idle == NULL)
				idle = p;
			else if (other == NULL || !conn_is_open(c))
				other = p;
		}
	}
	if (idle)
		return take(J, idle);
	if (wait)
		return NULL;
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
	p->c.cfg = &J->R->cfg;
	J->conn = NULL;
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
	dl_free(&J->dl);
	out_free(&J->out);
	free(J);
}

/* J has ended: its code counts if it is the first failure in URL order; it may end the run. */
static void job_ended(struct run *R, struct job *J)
{
	const struct cli *cli = R->cli;
	pool_give(J);
	if (J->code == 0)
		return;
	if (J->i < R->fail_url) {
		R->fail_url = J->i;
		R->fail_code = J->code;
	}
	/* standard output that cannot be written ends the run; one URL's file does not */
	if (cli->fail_early || (J->code == hc_err_exit(HC_EWRITE) && !J->dl.on))
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
		cli_fail_into(NULL, 0);
		if (code) {
			job_end(J, code);
			job_ended(R, J);
		} else {
			job_try(J);
		}
		moved = true;
	}
	return moved;
}

/* The first jobs in URL order that have ended leave; the next one's output has its turn. */
static void flush(struct run *R)
{
	while (R->jobs && R->jobs->state == JOB_DONE) {
		struct job *J = R->jobs;
		R->jobs = J->next;
		if (R->jobs == NULL)
			R->last = NULL;
		R->njobs--;
		job_free(J);
	}
}

/* --fail-early: the run ends now; the other transfers stop, reported by no one. */
static void abort_all(struct run *R)
{
	for (struct job *J = R->jobs; J; J = J->next) {
		if (J->state == JOB_XFER)
			exch_abort(J);
		else if (J->state == JOB_PAUSE)
			loop_remove(&R->loop, &J->timer);
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

/* The progress lines move while a poll waits (one transfer at a time shows one). */
static void tick(void *ud)
{
	struct run *R = ud;
	for (struct job *J = R->jobs; J; J = J->next)
		progress_tick(&J->prog);
}

int sched_run(struct run *R)
{
	struct hc_loop *L = &R->loop;
	loop_init(L);
	L->tick = R->progress_ok ? tick : NULL;
	L->tick_ud = R;
	R->fail_url = SIZE_MAX;
	for (;;) {
		bool moved = fill(R);
		for (struct job *J = R->jobs; J; J = J->next)
			moved |= job_step(R, J);
		if (R->stop && R->cli->fail_early)
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
	pool_free(R);
	loop_free(L);
	return R->fail_code;
}
