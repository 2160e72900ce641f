/*
 * The cookie store of RFC 6265bis: Set-Cookie parsed and checked against the
 * request it answers (§5.6, §5.7), cookies chosen for a request (§5.8.3).
 * Times are seconds since the epoch, given by the caller, so that tests can
 * fix the clock. Public suffixes come from libpsl, loaded with dlopen(3) the
 * first time a Domain attribute has to be checked.
 */
#ifndef HC_COOKIE_H
#define HC_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* What became of one Set-Cookie (or one jar line); ck_verdict_str() says it in words. */
enum ck_verdict {
	CK_STORED,
	CK_REMOVED,	   /* an expiry in the past: the matching cookie is gone (if any) */
	CK_BAD_SYNTAX,	   /* a control character, no name and no value */
	CK_TOO_BIG,	   /* name and value over HC_COOKIE_MAX bytes */
	CK_BAD_DOMAIN,	   /* the host does not domain-match the Domain attribute */
	CK_PUBLIC_SUFFIX,  /* Domain names a public suffix */
	CK_NOT_SECURE,	   /* Secure (or a prefix that needs it) from a plain http response */
	CK_BAD_PREFIX,	   /* __Secure-/__Host- rules broken */
	CK_SHADOWS_SECURE, /* http tried to replace or shadow a Secure cookie */
	CK_NOMEM,
};

struct ck_cookie {
	struct ck_cookie *next;		    /* in its domain's bucket */
	char *name, *value, *domain, *path; /* one allocation, starting at name */
	int64_t expires;		    /* 0: a session cookie */
	uint64_t created;		    /* creation order (§5.7: kept when replaced) */
	bool host_only, secure, http_only;
};

struct ck_store {
	struct ck_cookie **bucket; /* by a hash of the domain */
	size_t nbuckets, n;
	uint64_t seq; /* the next creation number */
};

/* Where a response came from, or where a request goes. */
struct ck_origin {
	const char *host; /* ASCII, IPv6 without brackets */
	const char *path; /* the request target (its query is ignored) */
	bool https;
};

void ck_init(struct ck_store *s);
void ck_free(struct ck_store *s);

/* One Set-Cookie field value (len bytes) from a response to o, at now. */
enum ck_verdict ck_set(struct ck_store *s, const struct ck_origin *o, const char *value, size_t len,
		       int64_t now);

/* A cookie read from a jar (a Netscape line): stored as given, after the syntax checks. */
struct ck_line {
	const char *domain; /* a leading dot is dropped */
	bool tailmatch;	    /* FALSE in the file: host-only */
	const char *path;
	bool secure, http_only;
	int64_t expires; /* 0: session */
	const char *name, *value;
};
enum ck_verdict ck_add(struct ck_store *s, const struct ck_line *l, int64_t now);

/* "a=1; b=2" for a request to o at now (malloc'd), or NULL when no cookie matches. */
char *ck_header(const struct ck_store *s, const struct ck_origin *o, int64_t now);

/* Every cookie alive at now, in creation order (a malloc'd array; *n its length). */
struct ck_cookie **ck_list(const struct ck_store *s, int64_t now, size_t *n);

/* --junk-session-cookies: every session cookie goes. */
void ck_drop_session(struct ck_store *s);

/* RFC 6265bis §5.1.1: a cookie-date into seconds since the epoch; false if it is not one. */
bool ck_parse_date(const char *s, size_t len, int64_t *out);

const char *ck_verdict_str(enum ck_verdict v);

#endif
