/* HTTP/2's pieces that tests reach (tests/unit/test_h2.c, tests/fuzz/fuzz_h2.c). */
#ifndef HC_H2_H
#define HC_H2_H

#include <nghttp2/nghttp2.h>

#include "http.h"

/* The request's name/value list: pseudo-headers first, lower-case names (RFC 9113 §8.3.1). */
struct h2_nv {
	nghttp2_nv *nv;
	size_t n;
	char *names;	 /* the lower-case copies of the names */
	char *authority; /* host[:port], when no Host item gives it */
	char length[24]; /* content-length's value */
};
/* Connection-specific fields are left out (-v says so); TE only as "trailers". */
enum hc_err h2_nv_build(struct hc_conn *c, const struct hc_request *r, const struct hc_framing *f,
			struct h2_nv *l);
void h2_nv_free(struct h2_nv *l);
/*
 * One decoded response field against Part 1's limits: HC_ELINE when name and
 * value exceed HC_H2_FIELD_MAX, HC_EHEADERS past max_fields (pseudo-headers
 * not counted in *nfields).
 */
enum hc_err h2_field_check(size_t *nfields, size_t max_fields, size_t nlen, size_t vlen,
			   bool pseudo);
/*
 * CONTINUATION frames one header block may take (CVE-2024-28182 is a flood of
 * them): enough for the largest list that max_fields and HC_H2_FIELD_MAX let
 * through, so Part 1's limits decide what passes; past it, a connection error.
 */
size_t h2_continuations_max(size_t max_fields);
/*
 * A frame scanner beside nghttp2 over the server's bytes (which start with its
 * SETTINGS frame): DATA or HEADERS on a stream after one of them carried
 * END_STREAM (RFC 9113 §5.1; nghttp2 drops them silently once the stream is
 * closed). Returns the offset in p where such a frame starts (a header cut
 * between calls: 0), or n.
 */
struct h2_scan {
	uint8_t hdr[9];
	unsigned have;
	uint32_t left;	  /* payload bytes of the current frame still to pass */
	int32_t ended[8]; /* the last streams ended, newest at nended - 1 */
	unsigned nended;
};
size_t h2_scan(struct h2_scan *sc, const uint8_t *p, size_t n);
/* The fuzz target: a session on c (and x as its stream), then server bytes fed to it. */
enum hc_err h2_fuzz_session(struct hc_conn *c, struct hc_xfer *x);
enum hc_err h2_feed(struct hc_conn *c, const uint8_t *p, size_t n);
/* The session's task, to look at its wait (tests/unit/test_h2streams.c); NULL without one. */
const struct hc_task *h2_session_task(const struct hc_conn *c);
/* Stream DATA not taken yet (checked against the window by the fuzz target). */
size_t h2_buffered(const struct hc_response *resp);

#endif
