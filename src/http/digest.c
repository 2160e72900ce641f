/*
 * Digest access authentication (RFC 7616). A small lexer reads the
 * challenge list of WWW-Authenticate (RFC 9110 §11.6.1) as slices of the
 * caller's buffer; dg_parse keeps the strongest Digest challenge it can
 * answer; dg_response computes the answer with libmd's MD5 and SHA-256.
 */
#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <ctype.h>
#include <md5.h>
#include <sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "digest.h"
#include "headers.h"

/* --- the challenge list ---------------------------------------------------------- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 §11.2: token68 characters (the trailing '=' apart) */
static bool is_t68(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

void dg_lex_init(struct dg_lexer *lx, const char *s, size_t len)
{
	lx->p = s;
	lx->end = s + len;
	lx->last = DG_END;
}

static void skip_ws(struct dg_lexer *lx)
{
	while (lx->p < lx->end && is_ws(*lx->p))
		lx->p++;
}

/* At the end of the value or at the comma that ends this element? */
static bool at_element_end(struct dg_lexer *lx)
{
	skip_ws(lx);
	return lx->p == lx->end || *lx->p == ',';
}

/* A malformed element: skip to the next comma outside a quoted-string. */
static enum dg_tok bad(struct dg_lexer *lx, const char *from)
{
	bool quoted = false;
	for (lx->p = from; lx->p < lx->end; lx->p++) {
		char c = *lx->p;
		if (quoted && c == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		else if (c == '"')
			quoted = !quoted;
		else if (c == ',' && !quoted)
			break;
	}
	return lx->last = DG_BAD;
}

/* A token68 right after its scheme: 1*t68char *"=" alone in its element. */
static bool token68(struct dg_lexer *lx, struct dg_item *it)
{
	const char *q = lx->p;
	while (q < lx->end && is_t68((unsigned char)*q))
		q++;
	if (q == lx->p)
		return false;
	const char *r = q;
	while (r < lx->end && *r == '=')
		r++;
	const char *s = r;
	while (s < lx->end && is_ws(*s))
		s++;
	if (s != lx->end && *s != ',')
		return false; /* name=value: a parameter */
	it->value = lx->p;
	it->vlen = (size_t)(r - lx->p);
	lx->p = s;
	return true;
}

/* RFC 9110 §5.6.4: a quoted-string; the inside, escapes kept, into it->value. */
static bool quoted_string(struct dg_lexer *lx, struct dg_item *it)
{
	const char *q = ++lx->p;
	for (; q < lx->end && *q != '"'; q++) {
		unsigned char c = (unsigned char)*q;
		if (c == '\\' && q + 1 < lx->end)
			c = (unsigned char)*++q;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	if (q == lx->end)
		return false;
	it->value = lx->p;
	it->vlen = (size_t)(q - lx->p);
	it->quoted = true;
	lx->p = q + 1;
	return true;
}

enum dg_tok dg_next(struct dg_lexer *lx, struct dg_item *it)
{
	bool comma = false;
	memset(it, 0, sizeof(*it));
	while (lx->p < lx->end && (is_ws(*lx->p) || *lx->p == ',')) /* empty elements */
		comma |= *lx->p++ == ',';
	if (lx->p == lx->end)
		return lx->last = DG_END;
	const char *start = lx->p;
	/* auth-scheme 1*SP token68: only after its scheme, never after a comma */
	if (lx->last == DG_SCHEME && !comma && token68(lx, it))
		return lx->last = DG_TOKEN68;
	while (lx->p < lx->end && hdr_is_tchar((unsigned char)*lx->p))
		lx->p++;
	if (lx->p == start)
		return bad(lx, start);
	it->name = start;
	it->nlen = (size_t)(lx->p - start);
	skip_ws(lx);
	if (lx->p == lx->end || *lx->p != '=')
		return lx->last = DG_SCHEME;
	lx->p++; /* RFC 9110 §11.2: BWS "=" BWS */
	skip_ws(lx);
	if (lx->p < lx->end && *lx->p == '"') {
		if (!quoted_string(lx, it))
			return bad(lx, start);
	} else {
		const char *v = lx->p;
		while (lx->p < lx->end && hdr_is_tchar((unsigned char)*lx->p))
			lx->p++;
		if (lx->p == v)
			return bad(lx, start);
		it->value = v;
		it->vlen = (size_t)(lx->p - v);
	}
	if (!at_element_end(lx))
		return bad(lx, start);
	return lx->last = DG_PARAM;
}

/* --- choosing a challenge ---------------------------------------------------------- */

/* A parameter's value, unescaped, into out (cap bytes with the NUL); false if too long. */
static bool param_value(const struct dg_item *it, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < it->vlen; i++) {
		char c = it->value[i];
		if (it->quoted && c == '\\' && i + 1 < it->vlen)
			c = it->value[++i];
		if (o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

static bool name_is(const struct dg_item *it, const char *name)
{
	return strlen(name) == it->nlen && strncasecmp(it->name, name, it->nlen) == 0;
}

/* RFC 7616 §3.3: qop-options, a list; "auth" is the one answered here. */
static bool qop_has_auth(const char *list)
{
	const char *e;
	size_t n;
	while (hdr_list_next(&list, &e, &n))
		if (n == 4 && strncasecmp(e, "auth", 4) == 0)
			return true;
	return false;
}

static const char *const alg_names[] = {"MD5", "MD5-sess", "SHA-256", "SHA-256-sess"};

const char *dg_alg_name(enum dg_alg alg)
{
	return alg_names[alg];
}

/* One challenge being read: the parameters seen (RFC 9110 §11.2: each at most once). */
struct candidate {
	bool digest, broken;
	unsigned seen;
	struct dg_challenge c;
};

enum {
	P_REALM = 1,
	P_NONCE = 2,
	P_OPAQUE = 4,
	P_ALG = 8,
	P_QOP = 16,
	P_STALE = 32,
	P_USERHASH = 64
};

static unsigned param_bit(const struct dg_item *it)
{
	static const char *const names[] = {"realm", "nonce", "opaque",	 "algorithm",
					    "qop",   "stale", "userhash"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name_is(it, names[i]))
			return 1u << i;
	return 0; /* domain, charset and the unknown: not needed to answer */
}

static bool take_param(struct candidate *k, const struct dg_item *it)
{
	char v[HC_DIGEST_FIELD_MAX];
	unsigned bit = param_bit(it);
	if (bit == 0)
		return true;
	if ((k->seen & bit) || !param_value(it, v, sizeof(v)))
		return false;
	k->seen |= bit;
	switch (bit) {
	case P_REALM:
		memcpy(k->c.realm, v, sizeof(v));
		break;
	case P_NONCE:
		memcpy(k->c.nonce, v, sizeof(v));
		break;
	case P_OPAQUE:
		memcpy(k->c.opaque, v, sizeof(v));
		k->c.opaque_set = true;
		break;
	case P_ALG:
		for (int a = DG_MD5; a <= DG_SHA256_SESS; a++)
			if (strcasecmp(v, alg_names[a]) == 0) {
				k->c.alg = (enum dg_alg)a;
				k->c.alg_set = true;
				return true;
			}
		return false; /* SHA-512-256 and others: not answered */
	case P_QOP:
		return (k->c.qop = qop_has_auth(v)); /* auth-int alone: not answered */
	case P_STALE:
		k->c.stale = strcasecmp(v, "true") == 0;
		break;
	case P_USERHASH:
		k->c.userhash = strcasecmp(v, "true") == 0;
		break;
	}
	return true;
}

/* SHA-256 before MD5 (RFC 7616 §3.7); 0: not usable. */
static int rank(const struct candidate *k)
{
	if (!k->digest || k->broken || !(k->seen & P_NONCE))
		return 0;
	return k->c.alg >= DG_SHA256 ? 2 : 1;
}

bool dg_parse(const char *v, size_t len, struct dg_challenge *c)
{
	struct dg_lexer lx;
	struct dg_item it;
	struct candidate k = {0};
	int best = 0;
	enum dg_tok t;
	dg_lex_init(&lx, v, len);
	do {
		t = dg_next(&lx, &it);
		if (t == DG_SCHEME || t == DG_END) {
			int r = rank(&k);
			if (r > best) {
				best = r;
				*c = k.c;
			}
			memset(&k, 0, sizeof(k));
			k.digest =
			    t == DG_SCHEME && it.nlen == 6 && !strncasecmp(it.name, "Digest", 6);
		} else if (t == DG_PARAM) {
			if (k.digest && !k.broken && !take_param(&k, &it))
				k.broken = true;
		} else {
			k.broken = true; /* a token68 or a malformed element */
		}
	} while (t != DG_END);
	explicit_bzero(&k, sizeof(k));
	return best > 0;
}

/* --- the answer -------------------------------------------------------------------- */

void dg_cnonce(char out[33])
{
	unsigned char r[16];
	arc4random_buf(r, sizeof(r));
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	explicit_bzero(r, sizeof(r));
}

/* H(parts[0]:parts[1]:...) in lower-case hex (65 bytes with the NUL). */
static void hash_hex(enum dg_alg alg, const char *const *parts, size_t n, char hex[65])
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	size_t dlen;
	if (alg >= DG_SHA256) {
		SHA2_CTX ctx;
		SHA256Init(&ctx);
		for (size_t i = 0; i < n; i++) {
			if (i)
				SHA256Update(&ctx, (const uint8_t *)":", 1);
			SHA256Update(&ctx, (const uint8_t *)parts[i], strlen(parts[i]));
		}
		SHA256Final(d, &ctx);
		explicit_bzero(&ctx, sizeof(ctx));
		dlen = SHA256_DIGEST_LENGTH;
	} else {
		MD5_CTX ctx;
		MD5Init(&ctx);
		for (size_t i = 0; i < n; i++) {
			if (i)
				MD5Update(&ctx, (const uint8_t *)":", 1);
			MD5Update(&ctx, (const uint8_t *)parts[i], strlen(parts[i]));
		}
		MD5Final(d, &ctx);
		explicit_bzero(&ctx, sizeof(ctx));
		dlen = MD5_DIGEST_LENGTH;
	}
	for (size_t i = 0; i < dlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	explicit_bzero(d, sizeof(d));
}

/* A string being built into a buffer sized in advance. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void put(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->len + n < b->cap) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	}
}

/* name="value" with RFC 9110 §5.6.4's escapes; sep before it. */
static void put_quoted(struct sbuf *b, const char *sep, const char *name, const char *v)
{
	put(b, sep);
	put(b, name);
	put(b, "=\"");
	for (; *v; v++) {
		char e[3] = {'\\', *v, '\0'};
		put(b, (*v == '"' || *v == '\\') ? e : e + 1);
	}
	put(b, "\"");
}

/* A user name that is not printable ASCII goes as username* (RFC 7616 §3.4.4, RFC 8187). */
static bool needs_ext(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return true;
	return false;
}

static void put_ext(struct sbuf *b, const char *s)
{
	put(b, "username*=UTF-8''");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[4];
		if (isalnum(c) || strchr("!#$&+-.^_`|~", c))
			snprintf(e, sizeof(e), "%c", c);
		else
			snprintf(e, sizeof(e), "%%%02X", c);
		put(b, e);
	}
}

char *dg_response(const struct dg_challenge *c, const char *user, const char *pass,
		  const char *method, const char *uri, unsigned long nc, const char *cnonce)
{
	char ha1[65], ha2[65], resp[65], uhash[65], ncs[9];
	bool sess = c->alg == DG_MD5_SESS || c->alg == DG_SHA256_SESS;
	snprintf(ncs, sizeof(ncs), "%08lx", nc & 0xffffffffUL);
	hash_hex(c->alg, (const char *const[]){user, c->realm, pass}, 3, ha1);
	if (sess) { /* RFC 7616 §3.4.2 */
		char base[65];
		memcpy(base, ha1, sizeof(base));
		hash_hex(c->alg, (const char *const[]){base, c->nonce, cnonce}, 3, ha1);
		explicit_bzero(base, sizeof(base));
	}
	hash_hex(c->alg, (const char *const[]){method, uri}, 2, ha2);
	if (c->qop) /* RFC 7616 §3.4.1 */
		hash_hex(c->alg, (const char *const[]){ha1, c->nonce, ncs, cnonce, "auth", ha2}, 6,
			 resp);
	else /* RFC 2069 */
		hash_hex(c->alg, (const char *const[]){ha1, c->nonce, ha2}, 3, resp);
	explicit_bzero(ha1, sizeof(ha1));
	if (c->userhash) /* RFC 7616 §3.4.4 */
		hash_hex(c->alg, (const char *const[]){user, c->realm}, 2, uhash);

	/* every string at most doubled by escapes, the user name tripled by percent-encoding */
	struct sbuf b = {
	    .cap = 3 * strlen(user) +
		   2 * (strlen(c->realm) + strlen(c->nonce) + strlen(c->opaque) + strlen(uri)) +
		   512};
	if ((b.p = malloc(b.cap)) == NULL)
		return NULL;
	b.p[0] = '\0';
	put(&b, "Digest ");
	if (c->userhash)
		put_quoted(&b, "", "username", uhash);
	else if (needs_ext(user))
		put_ext(&b, user);
	else
		put_quoted(&b, "", "username", user);
	put_quoted(&b, ", ", "realm", c->realm);
	put_quoted(&b, ", ", "nonce", c->nonce);
	put_quoted(&b, ", ", "uri", uri);
	if (c->qop) {
		put_quoted(&b, ", ", "cnonce", cnonce);
		put(&b, ", nc=");
		put(&b, ncs);
		put(&b, ", qop=auth");
	}
	put_quoted(&b, ", ", "response", resp);
	if (c->opaque_set)
		put_quoted(&b, ", ", "opaque", c->opaque);
	if (c->alg_set) {
		put(&b, ", algorithm=");
		put(&b, alg_names[c->alg]);
	}
	if (c->userhash)
		put(&b, ", userhash=true");
	return b.p;
}
