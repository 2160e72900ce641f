/*
 * The event loop and the transfer interface (DESIGN.md Part 2, EVENT-LOOP.md).
 *
 * A task is a state machine the loop drives: it says what it waits for (an fd
 * and POLLIN/POLLOUT, a deadline, or "run again now") and the loop calls its
 * step when that comes. A transfer is one request and its response; its
 * protocol handler (h1.c today, h2.c next) is the task that moves it, and
 * hands the response body to the transfer's sink (struct hc_sink, http.h),
 * whose descriptor is polled too when it cannot take more.
 */
#ifndef HC_LOOP_H
#define HC_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hc_task;

struct hc_task_ops {
	/*
	 * One step. revents: what poll saw on fd (0 when run because run_again was
	 * set). The step sets what it waits for next; an error ends the task.
	 */
	enum hc_err (*step)(struct hc_task *t, short revents);
	/* The deadline came first: HC_OK goes on (the step re-armed), an error ends the task. */
	enum hc_err (*expire)(struct hc_task *t);
};

struct hc_task {
	const struct hc_task_ops *ops;
	int fd;		/* polled for events when events != 0 */
	short events;	/* POLLIN, POLLOUT or both; 0: nothing to poll */
	bool run_again; /* runnable without waiting: a state change, bytes TLS holds */
	bool paused;	/* waiting for its caller, not for the loop */
	bool done;	/* finished: result says how */
	enum hc_err result;
	int64_t deadline; /* CLOCK_MONOTONIC ns; 0: none */
	struct hc_task *next;
};

/* Poll in slices of this many ms when the loop has a tick (a progress line). */
#define HC_LOOP_TICK_MS 100

struct hc_loop {
	struct hc_task *head, *tail;
	struct pollfd *pfd; /* one per polled task, rebuilt each round */
	struct hc_task **ptask;
	size_t pcap;
	size_t npoll; /* entries of this round's poll; a task removed meanwhile is NULL there */
	void (*tick)(void *ud); /* called while a poll waits, about ten times a second */
	void *tick_ud;
	int err; /* errno of a failed poll (HC_EINTERNAL) */
};

void loop_init(struct hc_loop *L);
void loop_free(struct hc_loop *L);
/* Add a task; its first step runs on the next round (run_again is set). */
void loop_add(struct hc_loop *L, struct hc_task *t);
/* Take t off L; safe during a round (a step may remove another task: it is not woken then). */
void loop_remove(struct hc_loop *L, struct hc_task *t);
/* Is t on L? */
bool loop_has(const struct hc_loop *L, const struct hc_task *t);
/*
 * One round: every runnable task steps once, in the order added; then one
 * poll (no wait when a task is still runnable, else until the nearest
 * deadline, -1: none); then the tasks poll woke step, then expired deadlines.
 * HC_EINTERNAL when poll itself fails (L->err).
 */
enum hc_err loop_round(struct hc_loop *L);
/*
 * The same for a driver that looks at its tasks after each round (the
 * command line's scheduler): it returns before the poll when a task on L is
 * done or paused, so that nothing waits behind a finished task.
 */
enum hc_err loop_turn(struct hc_loop *L);
/* Rounds until t is done or paused (the others move meanwhile). */
enum hc_err loop_run_until(struct hc_loop *L, struct hc_task *t);
/* Rounds until every task is done or paused. */
enum hc_err loop_run(struct hc_loop *L);

#endif
