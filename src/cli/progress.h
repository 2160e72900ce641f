/* A progress line on standard error for long transfers at a terminal. */
#ifndef HC_PROGRESS_H
#define HC_PROGRESS_H

#include <stdbool.h>
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

#endif
