/* -w/--write-out: curl's variables after each transfer. */
#ifndef HC_WRITEOUT_H
#define HC_WRITEOUT_H

#include "output.h"

struct wo_info {
	const struct hc_conn *c;
	const struct hc_response *resp; /* NULL when no response came */
	const char *url_effective;
	long redirects;
	int exit_code;
	const char *errormsg;
};

/* Expand fmt (already read from @FILE) and write it out; returns a write error. */
enum hc_err writeout(struct out *o, const char *fmt, const struct wo_info *w);

#endif
