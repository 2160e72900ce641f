/*
 * HTTP Digest access authentication (RFC 7616): the challenges of a
 * WWW-Authenticate value and the Authorization value answering one.
 * Hashes come from libmd (MD5, SHA-256), already loaded with libbsd.
 */
#ifndef HC_DIGEST_H
#define HC_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"

/* One element of a challenge list (RFC 9110 §11.6.1), as slices of the caller's buffer. */
enum dg_tok {
	DG_END,	    /* no more elements */
	DG_SCHEME,  /* name: an auth-scheme, a new challenge */
	DG_PARAM,   /* name=value; value is a token or a quoted-string's inside (escapes kept) */
	DG_TOKEN68, /* value: a token68 right after its scheme */
	DG_BAD,	    /* malformed; the lexer has skipped to the next comma */
};

struct dg_lexer {
	const char *p, *end;
	enum dg_tok last;
};

struct dg_item {
	const char *name, *value;
	size_t nlen, vlen;
	bool quoted;
};

void dg_lex_init(struct dg_lexer *lx, const char *s, size_t len);
enum dg_tok dg_next(struct dg_lexer *lx, struct dg_item *it);

enum dg_alg { DG_MD5, DG_MD5_SESS, DG_SHA256, DG_SHA256_SESS };

struct dg_challenge {
	enum dg_alg alg;
	bool alg_set;  /* the challenge named it (else MD5, and the answer names none, as curl) */
	bool qop;      /* qop offered "auth"; false: no qop at all (RFC 2069's form) */
	bool userhash; /* the server takes H(user:realm) for the user name */
	bool stale;    /* the nonce of the credentials sent had expired */
	bool opaque_set;
	char realm[HC_DIGEST_FIELD_MAX];
	char nonce[HC_DIGEST_FIELD_MAX];
	char opaque[HC_DIGEST_FIELD_MAX];
};

/*
 * The strongest usable Digest challenge of a WWW-Authenticate value (every
 * field joined with ", "): true and *c filled, or false when there is none
 * (no Digest, an unknown algorithm, only qop=auth-int, a field too long).
 */
bool dg_parse(const char *v, size_t len, struct dg_challenge *c);

/* Its algorithm's name as RFC 7616 §6.1 spells it. */
const char *dg_alg_name(enum dg_alg alg);

/* A new client nonce: 32 hex digits from arc4random(3). */
void dg_cnonce(char out[33]);

/*
 * The Authorization value ("Digest username=...") answering c for a
 * request (method, its request-target uri), nc the count of requests made
 * with this nonce (from 1). Returns a new string, or NULL when out of
 * memory; the caller wipes and frees it.
 */
char *dg_response(const struct dg_challenge *c, const char *user, const char *pass,
		  const char *method, const char *uri, unsigned long nc, const char *cnonce);

#endif
