/* A progress line on standard error for long transfers at a terminal, one or several at once. */
#ifndef HC_PROGRESS_H
#define HC_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
	bool enabled; /* standard error is a terminal and not -s */
	bool shown;
	const char *what; /* "down" or "up" */
	uint64_t total;	  /* 0: unknown */
	uint64_t done;	  /* bytes so far, as last told */
	uint64_t drawn;	  /* the count last drawn */
	int64_t start, last;
};

void progress_start(struct progress *p, bool enabled, const char *what, uint64_t total);
/* done bytes so far; draws at most about ten times a second, after the first second */
void progress_update(struct progress *p, uint64_t done);
/* The same count again, so that a stalled transfer's line still moves. */
void progress_tick(struct progress *p);
/* Clears the line if it was drawn. */
void progress_end(struct progress *p);

/*
 * Several transfers at once (-Z): one line for all of them, as curl -Z has,
 * "3/10 done, 4 running  down 2.0M  up 0B  1.2M/s": transfers ended of all
 * in the run, those running now, bytes received and sent over all of them
 * (as each was last told), and the rate since the start. Like the single
 * line: at a terminal only and not with -s (enabled), drawn after the first
 * second, at most about ten times a second, cleared at the end.
 */
struct progress_multi {
	bool enabled;
	bool shown;
	unsigned total;	  /* transfers in the run */
	unsigned ended;	  /* transfers that ended, whatever their result */
	unsigned running; /* added and not ended */
	uint64_t down, up; /* bytes so far, over all transfers */
	int64_t start, last;
};

/* One transfer's part in the multi line: the caller's, zeroed by progress_multi_add. */
struct progress_xfer {
	uint64_t down, up; /* as last told */
	bool running;
};

void progress_multi_start(struct progress_multi *m, bool enabled, unsigned total);
/* A transfer starts (counted running). */
void progress_multi_add(struct progress_multi *m, struct progress_xfer *x);
/* Its counts so far (bytes received, bytes sent); draws when a redraw is due. */
void progress_multi_update(struct progress_multi *m, struct progress_xfer *x, uint64_t down,
			   uint64_t up);
/* It ended (done or failed): no longer running, counted ended; its bytes stay counted. */
void progress_multi_end_xfer(struct progress_multi *m, struct progress_xfer *x);
/* The loop's tick: redraws when due, so that the line moves while nothing arrives. */
void progress_multi_tick(struct progress_multi *m);
/* At the end of the run: the line cleared if it was drawn. */
void progress_multi_end(struct progress_multi *m);
/* The line's text (no \r, no erase), as of now (CLOCK_MONOTONIC ns); returns its length. */
size_t progress_multi_text(const struct progress_multi *m, int64_t now, char *buf, size_t len);

#endif
