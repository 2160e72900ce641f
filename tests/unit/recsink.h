/*
 * A body sink for the unit tests (struct hc_sink): it keeps the bytes it is
 * given (REC_CAP at most, NUL-terminated), counts its writes and ends, and
 * says it cannot take more while block_fd is a descriptor (>= 0, the one to
 * poll); -1: it always can. Start one with rec_sink_init().
 */
#ifndef RECSINK_H
#define RECSINK_H

#include <sys/uio.h>

#include "http.h"
#include "unit.h"

#define REC_CAP 4096

struct rec_sink {
	char got[REC_CAP + 1];
	size_t n;
	int writes, ends;
	int block_fd; /* -1: it can take more */
};

UNIT_FN enum hc_err rec_write(void *ud, struct iovec *iov, int cnt)
{
	struct rec_sink *r = ud;
	r->writes++;
	for (int i = 0; i < cnt; i++)
		for (size_t k = 0; k < iov[i].iov_len && r->n < REC_CAP; k++)
			r->got[r->n++] = ((const char *)iov[i].iov_base)[k];
	r->got[r->n] = '\0';
	return HC_OK;
}

UNIT_FN enum hc_err rec_more(void *ud, int *fd)
{
	*fd = ((struct rec_sink *)ud)->block_fd;
	return HC_OK;
}

UNIT_FN enum hc_err rec_end(void *ud)
{
	((struct rec_sink *)ud)->ends++;
	return HC_OK;
}

/* Empties r, which can take more, and returns the sink that feeds it. */
UNIT_FN struct hc_sink rec_sink_init(struct rec_sink *r)
{
	*r = (struct rec_sink){.block_fd = -1};
	return (struct hc_sink){.ud = r, .write = rec_write, .more = rec_more, .end = rec_end};
}

#endif
