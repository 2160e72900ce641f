/*
 * The cookie store of RFC 6265bis (draft-ietf-httpbis-rfc6265bis): parsing
 * Set-Cookie (§5.6), the storage model (§5.7) and the Cookie field (§5.8.3).
 *
 * Cookies sit in buckets by a hash of their domain, so that a request looks
 * at the buckets of its host and of the host's parent domains only, however
 * many cookies a jar holds. What a server sends is hostile: sizes, cookies
 * per domain and cookies in all are capped (limits.h).
 */
#include <dlfcn.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cookie.h"
#include "url.h"

#define CK_BUCKETS 4096

static const char *const verdicts[] = {
    [CK_STORED] = "stored",
    [CK_REMOVED] = "expired: removed",
    [CK_BAD_SYNTAX] = "malformed",
    [CK_TOO_BIG] = "name and value over 4096 bytes",
    [CK_BAD_DOMAIN] = "Domain does not match the host",
    [CK_PUBLIC_SUFFIX] = "Domain is a public suffix",
    [CK_NOT_SECURE] = "Secure over plain http",
    [CK_BAD_PREFIX] = "__Secure- or __Host- prefix rules broken",
    [CK_SHADOWS_SECURE] = "would replace a Secure cookie over plain http",
    [CK_NOMEM] = "out of memory",
};

const char *ck_verdict_str(enum ck_verdict v)
{
	return (unsigned)v < sizeof(verdicts) / sizeof(verdicts[0]) ? verdicts[v] : "?";
}

/* --- public suffixes: libpsl, loaded when a Domain attribute must be checked --- */

static int (*p_psl_is_public_suffix)(const psl_ctx_t *, const char *);
static const psl_ctx_t *psl_ctx;
static bool psl_tried;

static void psl_load(void)
{
	psl_tried = true;
	void *h = dlopen("libpsl.so.5", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return;
	psl_ctx_t *(*latest)(const char *) = (psl_ctx_t * (*)(const char *)) dlsym(h, "psl_latest");
	p_psl_is_public_suffix =
	    (int (*)(const psl_ctx_t *, const char *))dlsym(h, "psl_is_public_suffix");
	/* psl_latest(NULL): the system's list (Debian's publicsuffix) or the built-in one */
	if (latest && p_psl_is_public_suffix)
		psl_ctx = latest(NULL);
}

/* Without libpsl, a name of one label (com, localhost) is the only suffix we know. */
static bool is_public_suffix(const char *domain)
{
	if (!psl_tried)
		psl_load();
	if (psl_ctx)
		return p_psl_is_public_suffix(psl_ctx, domain) == 1;
	return strchr(domain, '.') == NULL;
}

/* --- small helpers ---------------------------------------------------------- */

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_wsp(**s))
		(*s)++, (*n)--;
	while (*n && is_wsp((*s)[*n - 1]))
		(*n)--;
}

/* RFC 6265bis §5.6 step 1: %x00-08 / %x0A-1F / %x7F abort the whole cookie. */
static bool has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

static bool ieq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static bool iprefix(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && strncasecmp(s, lit, l) == 0;
}

static uint32_t domain_hash(const char *d, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)d[i]) * 16777619u;
	return h % CK_BUCKETS;
}

/* §5.1.3: host domain-matches domain (both lower case). */
static bool domain_match(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);
	if (hl == dl)
		return memcmp(host, domain, hl) == 0;
	return hl > dl && host[hl - dl - 1] == '.' && memcmp(host + hl - dl, domain, dl) == 0 &&
	       !url_is_ip_literal(host);
}

/* The path of a request target: up to its query, "/" when it does not start with one. */
static size_t target_path(const char *t)
{
	return t && t[0] == '/' ? strcspn(t, "?#") : 0;
}

/* §5.1.4: cookie-path path-matches the request path (n bytes). */
static bool path_match(const char *cpath, const char *rpath, size_t rn)
{
	size_t cl = strlen(cpath);
	if (rn == 0)
		rpath = "/", rn = 1;
	if (cl > rn || memcmp(cpath, rpath, cl) != 0)
		return false;
	return cl == rn || cpath[cl - 1] == '/' || rpath[cl] == '/';
}

/* §5.1.4: the default-path of a request target (its length; "/" when 0). */
static size_t default_path(const char *t)
{
	size_t n = target_path(t);
	if (n == 0)
		return 0;
	size_t last = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] == '/')
			last = i;
	return last; /* 0: the only slash is the first */
}

/* --- cookie-date (§5.1.1) ----------------------------------------------------- */

static bool date_delim(unsigned char c)
{
	return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 1*max DIGIT then nothing or a non-digit: the value, or -1. *p moves past the digits. */
static int digits(const char **p, const char *end, int min, int max)
{
	int v = 0, n = 0;
	while (*p < end && digit(**p) && n < max)
		v = v * 10 + (*(*p)++ - '0'), n++;
	if (n < min || (*p < end && digit(**p)))
		return -1;
	return v;
}

static bool parse_time(const char *p, const char *end, int *h, int *m, int *s)
{
	if ((*h = digits(&p, end, 1, 2)) < 0 || p == end || *p++ != ':' ||
	    (*m = digits(&p, end, 1, 2)) < 0 || p == end || *p++ != ':' ||
	    (*s = digits(&p, end, 1, 2)) < 0)
		return false;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

bool ck_parse_date(const char *s, size_t len, int64_t *out)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	int hh = -1, mi = 0, ss = 0, day = -1, mon = -1, year = -1;
	const char *p = s, *end = s + len;
	while (p < end) {
		while (p < end && date_delim((unsigned char)*p))
			p++;
		const char *tok = p;
		while (p < end && !date_delim((unsigned char)*p))
			p++;
		if (tok == p)
			break;
		const char *q = tok;
		int v, h, m, sec;
		if (hh < 0 && parse_time(tok, p, &h, &m, &sec)) {
			hh = h, mi = m, ss = sec;
			continue;
		}
		if (day < 0 && (q = tok, (v = digits(&q, p, 1, 2)) >= 0)) {
			day = v;
			continue;
		}
		if (mon < 0 && p - tok >= 3) {
			for (int m = 0; m < 12; m++)
				if (strncasecmp(tok, months + 3 * m, 3) == 0)
					mon = m + 1;
			if (mon > 0)
				continue;
		}
		if (year < 0 && (q = tok, (v = digits(&q, p, 2, 4)) >= 0))
			year = v;
	}
	if (hh < 0 || day < 0 || mon < 0 || year < 0)
		return false;
	if (year >= 70 && year <= 99)
		year += 1900;
	else if (year >= 0 && year <= 69)
		year += 2000;
	if (day < 1 || year < 1601 || hh > 23 || mi > 59 || ss > 59 || day > month_days(year, mon))
		return false;
	*out = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mi * 60 + ss;
	return true;
}

/* --- the store ---------------------------------------------------------------- */

void ck_init(struct ck_store *s)
{
	memset(s, 0, sizeof(*s));
}

void ck_free(struct ck_store *s)
{
	for (size_t b = 0; s->bucket && b < s->nbuckets; b++)
		for (struct ck_cookie *c = s->bucket[b], *nx; c; c = nx) {
			nx = c->next;
			free(c);
		}
	free(s->bucket);
	memset(s, 0, sizeof(*s));
}

static bool expired(const struct ck_cookie *c, int64_t now)
{
	return c->expires != 0 && c->expires <= now;
}

/* Unlink *pp from its bucket. */
static void unlink_at(struct ck_store *s, struct ck_cookie **pp)
{
	struct ck_cookie *c = *pp;
	*pp = c->next;
	free(c);
	s->n--;
}

/* The oldest cookie (of one domain, or of all when domain is NULL), as a link to unlink. */
static struct ck_cookie **oldest(struct ck_store *s, const char *domain)
{
	struct ck_cookie **best = NULL;
	size_t from = 0, to = s->nbuckets;
	if (domain)
		from = domain_hash(domain, strlen(domain)), to = from + 1;
	for (size_t b = from; b < to; b++)
		for (struct ck_cookie **pp = &s->bucket[b]; *pp; pp = &(*pp)->next)
			if ((!domain || !strcmp((*pp)->domain, domain)) &&
			    (best == NULL || (*pp)->created < (*best)->created))
				best = pp;
	return best;
}

static size_t count_domain(const struct ck_store *s, const char *domain)
{
	size_t n = 0;
	for (const struct ck_cookie *c = s->bucket[domain_hash(domain, strlen(domain))]; c;
	     c = c->next)
		n += !strcmp(c->domain, domain);
	return n;
}

/* What a new cookie is before it is stored: slices into the caller's text. */
struct ck_new {
	const char *name, *value, *domain, *path;
	size_t nl, vl, dl, pl;
	int64_t expires;
	bool host_only, secure, http_only;
};

/* §5.7 steps 22-24 (k->domain in lower case): replace the cookie of the same name, domain,
 * host-only flag and path. */
static enum ck_verdict store(struct ck_store *s, const struct ck_new *k, int64_t now,
			     bool from_server)
{
	if (s->bucket == NULL) {
		if ((s->bucket = calloc(CK_BUCKETS, sizeof(*s->bucket))) == NULL)
			return CK_NOMEM;
		s->nbuckets = CK_BUCKETS;
	}
	struct ck_cookie **head = &s->bucket[domain_hash(k->domain, k->dl)];
	uint64_t created = s->seq++;
	for (struct ck_cookie **pp = head; *pp; pp = &(*pp)->next) {
		struct ck_cookie *c = *pp;
		if (strlen(c->name) == k->nl && !memcmp(c->name, k->name, k->nl) &&
		    strlen(c->domain) == k->dl && !memcmp(c->domain, k->domain, k->dl) &&
		    strlen(c->path) == k->pl && !memcmp(c->path, k->path, k->pl) &&
		    c->host_only == k->host_only) {
			created = c->created;
			unlink_at(s, pp);
			break;
		}
	}
	if (k->expires != 0 && k->expires <= now)
		return CK_REMOVED;
	struct ck_cookie *c = malloc(sizeof(*c) + k->nl + k->vl + k->dl + k->pl + 4);
	if (c == NULL)
		return CK_NOMEM;
	char *p = (char *)(c + 1);
	c->name = p, memcpy(p, k->name, k->nl), p[k->nl] = '\0', p += k->nl + 1;
	c->value = p, memcpy(p, k->value, k->vl), p[k->vl] = '\0', p += k->vl + 1;
	c->domain = p, memcpy(p, k->domain, k->dl), p[k->dl] = '\0', p += k->dl + 1;
	c->path = p, memcpy(p, k->path, k->pl), p[k->pl] = '\0';
	c->expires = k->expires;
	c->created = created;
	c->host_only = k->host_only;
	c->secure = k->secure;
	c->http_only = k->http_only;
	c->next = *head;
	*head = c;
	s->n++;
	struct ck_cookie **old;
	/* §5.7 "excess cookies": a server keeps at most so many per domain; the oldest go */
	if (from_server && count_domain(s, c->domain) > HC_COOKIES_PER_DOMAIN &&
	    (old = oldest(s, c->domain)))
		unlink_at(s, old);
	if (s->n > HC_COOKIES_MAX && (old = oldest(s, NULL)))
		unlink_at(s, old);
	return CK_STORED;
}

/* §5.7 step 16 (bis): may a cookie from plain http stand beside a Secure one? */
static bool shadows_secure(const struct ck_store *s, const struct ck_new *k)
{
	char dom[HC_COOKIE_ATTR_MAX + 1];
	memcpy(dom, k->domain, k->dl);
	dom[k->dl] = '\0';
	for (size_t b = 0; s->bucket && b < s->nbuckets; b++)
		for (const struct ck_cookie *c = s->bucket[b]; c; c = c->next) {
			if (!c->secure || strlen(c->name) != k->nl ||
			    memcmp(c->name, k->name, k->nl))
				continue;
			if (!domain_match(c->domain, dom) && !domain_match(dom, c->domain))
				continue;
			if (path_match(c->path, k->path, k->pl))
				return true;
		}
	return false;
}

/* The attributes of §5.6 that matter here; the last of each name wins (§5.7). */
struct ck_attrs {
	const char *domain, *path;
	size_t dl, pl;
	bool has_domain, has_path, has_max_age, has_expires, secure, http_only;
	int64_t max_age, expires;
};

/* §5.6.2: Max-Age is "-"? DIGIT+; anything else is ignored. */
static bool parse_max_age(const char *v, size_t n, int64_t *out)
{
	size_t i = v[0] == '-' && n > 1;
	if (n == 0 || !digit(v[i]))
		return false;
	int64_t x = 0;
	for (; i < n; i++) {
		if (!digit(v[i]))
			return false;
		if (x < (int64_t)1 << 40) /* far beyond the 400-day cap */
			x = x * 10 + (v[i] - '0');
	}
	*out = v[0] == '-' ? -x : x;
	return true;
}

static void parse_attr(struct ck_attrs *a, const char *an, size_t anl, const char *av, size_t avl)
{
	if (avl > HC_COOKIE_ATTR_MAX) /* §5.6 step 5: too long, ignored */
		return;
	int64_t t;
	if (ieq(an, anl, "Expires")) {
		if (ck_parse_date(av, avl, &t))
			a->has_expires = true, a->expires = t;
	} else if (ieq(an, anl, "Max-Age")) {
		if (parse_max_age(av, avl, &t))
			a->has_max_age = true, a->max_age = t;
	} else if (ieq(an, anl, "Domain")) {
		if (avl == 0) /* §5.6.3: an empty Domain is ignored */
			return;
		if (av[0] == '.')
			av++, avl--;
		/* §5.7 step 8: "Domain=." leaves the domain-attribute empty: host-only */
		a->has_domain = avl > 0, a->domain = av, a->dl = avl;
	} else if (ieq(an, anl, "Path")) {
		/* §5.6.4: a Path that does not start with "/" means the default path */
		a->has_path = avl > 0 && av[0] == '/';
		a->path = av, a->pl = avl;
	} else if (ieq(an, anl, "Secure")) {
		a->secure = true;
	} else if (ieq(an, anl, "HttpOnly")) {
		a->http_only = true;
	}
}

/* §5.7 steps 3-4: when it expires (0: a session cookie), capped at 400 days. */
static int64_t expiry(const struct ck_attrs *a, int64_t now)
{
	int64_t cap = now + HC_COOKIE_AGE_MAX;
	if (a->has_max_age) /* Max-Age wins over Expires */
		return a->max_age <= 0			? INT64_MIN + 1
		       : a->max_age > HC_COOKIE_AGE_MAX ? cap
							: now + a->max_age;
	if (a->has_expires)
		return a->expires > cap ? cap : a->expires <= 0 ? INT64_MIN + 1 : a->expires;
	return 0;
}

/*
 * A host name or address the jar can hold as its first field: letters, digits,
 * . - _, and colons only in an IPv6 address (a name with one could read back
 * as a "Set-Cookie:" line).
 */
static bool valid_domain(const char *d)
{
	if (*d == '\0')
		return false;
	for (const char *p = d; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == ':'))
			return false;
	}
	return strchr(d, ':') == NULL || url_is_ip_literal(d);
}

static void lower_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 'A' && src[i] <= 'Z' ? (char)(src[i] + 32) : src[i];
	dst[n] = '\0';
}

/* §5.7 steps 20-21 (bis): __Secure- and __Host- (case-insensitive). */
static bool prefix_ok(const struct ck_new *k, bool has_path, bool https)
{
	if (iprefix(k->name, k->nl, "__Secure-") && (!k->secure || !https))
		return false;
	/* __Host-: Secure, host-only, and an explicit Path=/ */
	if (iprefix(k->name, k->nl, "__Host-") &&
	    (!k->secure || !https || !k->host_only || !has_path || k->pl != 1))
		return false;
	/* a nameless cookie may not pose as a prefixed one */
	if (k->nl == 0 &&
	    (iprefix(k->value, k->vl, "__Secure-") || iprefix(k->value, k->vl, "__Host-")))
		return false;
	return true;
}

/* §5.7 steps 5-8: host-only or Domain, public suffixes refused. dom gets the domain. */
static enum ck_verdict choose_domain(const struct ck_attrs *a, const char *host, char *dom,
				     bool *host_only)
{
	size_t hl = strlen(host);
	*host_only = true;
	if (hl > HC_COOKIE_ATTR_MAX || !valid_domain(host))
		return CK_BAD_DOMAIN;
	lower_copy(dom, host, hl);
	if (!a->has_domain)
		return CK_STORED;
	char want[HC_COOKIE_ATTR_MAX + 1];
	lower_copy(want, a->domain, a->dl);
	if (strlen(want) != a->dl)
		return CK_BAD_SYNTAX;
	if (!strcmp(want, dom))
		return url_is_ip_literal(dom) || is_public_suffix(dom)
			   ? CK_STORED
			   : (*host_only = false, CK_STORED);
	if (!domain_match(dom, want))
		return CK_BAD_DOMAIN;
	if (is_public_suffix(want))
		return CK_PUBLIC_SUFFIX;
	strcpy(dom, want);
	*host_only = false;
	return CK_STORED;
}

enum ck_verdict ck_set(struct ck_store *s, const struct ck_origin *o, const char *v, size_t len,
		       int64_t now)
{
	struct ck_new k = {0};
	struct ck_attrs a = {0};
	if (has_ctl(v, len))
		return CK_BAD_SYNTAX;
	const char *semi = memchr(v, ';', len);
	size_t pair = semi ? (size_t)(semi - v) : len;
	const char *eq = memchr(v, '=', pair);
	k.name = v, k.nl = eq ? (size_t)(eq - v) : 0;
	k.value = eq ? eq + 1 : v, k.vl = eq ? pair - k.nl - 1 : pair;
	trim(&k.name, &k.nl);
	trim(&k.value, &k.vl);
	if (k.nl == 0 && k.vl == 0)
		return CK_BAD_SYNTAX;
	if (k.nl + k.vl > HC_COOKIE_MAX)
		return CK_TOO_BIG;
	/* the jar is tab-separated: a tab inside a name or value could not be written back */
	if (memchr(k.name, '\t', k.nl) || memchr(k.value, '\t', k.vl))
		return CK_BAD_SYNTAX;
	for (const char *p = semi, *end = v + len; p && p < end;) {
		const char *av = p + 1, *next = memchr(av, ';', (size_t)(end - av));
		size_t n = (size_t)((next ? next : end) - av);
		const char *aeq = memchr(av, '=', n);
		const char *an = av, *val = aeq ? aeq + 1 : av + n;
		size_t anl = aeq ? (size_t)(aeq - av) : n, avl = aeq ? n - anl - 1 : 0;
		trim(&an, &anl);
		trim(&val, &avl);
		parse_attr(&a, an, anl, val, avl);
		p = next;
	}
	char dom[HC_COOKIE_ATTR_MAX + 1];
	enum ck_verdict r = choose_domain(&a, o->host, dom, &k.host_only);
	if (r != CK_STORED)
		return r;
	k.domain = dom, k.dl = strlen(dom);
	if (a.has_path) {
		k.path = a.path, k.pl = a.pl;
	} else {
		k.pl = default_path(o->path);
		k.path = k.pl ? o->path : "/", k.pl = k.pl ? k.pl : 1;
	}
	if (k.pl > HC_COOKIE_ATTR_MAX)
		return CK_TOO_BIG;
	if (memchr(k.path, '\t', k.pl) || memchr(k.domain, '\t', k.dl))
		return CK_BAD_SYNTAX;
	k.secure = a.secure, k.http_only = a.http_only;
	k.expires = expiry(&a, now);
	if (k.secure && !o->https) /* §5.7 step 15 */
		return CK_NOT_SECURE;
	if (!prefix_ok(&k, a.has_path, o->https))
		return CK_BAD_PREFIX;
	if (!o->https && shadows_secure(s, &k))
		return CK_SHADOWS_SECURE;
	return store(s, &k, now, true);
}

enum ck_verdict ck_add(struct ck_store *s, const struct ck_line *l, int64_t now)
{
	struct ck_new k = {
	    .name = l->name,
	    .nl = strlen(l->name),
	    .value = l->value,
	    .vl = strlen(l->value),
	    .path = l->path,
	    .pl = strlen(l->path),
	    .expires = l->expires,
	    .host_only = !l->tailmatch,
	    .secure = l->secure,
	    .http_only = l->http_only,
	};
	const char *d = l->domain[0] == '.' ? l->domain + 1 : l->domain;
	char dom[HC_COOKIE_ATTR_MAX + 1];
	size_t dl = strlen(d);
	if (dl > HC_COOKIE_ATTR_MAX || !valid_domain(d) || k.pl > HC_COOKIE_ATTR_MAX)
		return CK_BAD_DOMAIN;
	if ((k.nl == 0 && k.vl == 0) || has_ctl(k.name, k.nl) || has_ctl(k.value, k.vl) ||
	    has_ctl(d, dl) || has_ctl(k.path, k.pl) || memchr(k.name, '\t', k.nl) ||
	    memchr(k.value, '\t', k.vl) || memchr(d, '\t', dl) || memchr(k.path, '\t', k.pl) ||
	    memchr(k.name, ';', k.nl) || memchr(k.value, ';', k.vl) || memchr(k.name, '=', k.nl))
		return CK_BAD_SYNTAX;
	if (k.nl + k.vl > HC_COOKIE_MAX)
		return CK_TOO_BIG;
	if (k.pl == 0 || k.path[0] != '/')
		k.path = "/", k.pl = 1;
	lower_copy(dom, d, dl);
	k.domain = dom, k.dl = dl;
	if (k.expires < 0)
		return CK_REMOVED;
	return store(s, &k, now, false);
}

/* §5.8.3 step 2: longer paths first, then earlier creation. */
static int by_path_then_age(const void *a, const void *b)
{
	const struct ck_cookie *x = *(const struct ck_cookie *const *)a;
	const struct ck_cookie *y = *(const struct ck_cookie *const *)b;
	size_t xl = strlen(x->path), yl = strlen(y->path);
	if (xl != yl)
		return xl > yl ? -1 : 1;
	return x->created < y->created ? -1 : x->created > y->created;
}

static bool chosen(const struct ck_cookie *c, const char *host, const struct ck_origin *o,
		   size_t pn, int64_t now)
{
	if (expired(c, now) || (c->secure && !o->https))
		return false;
	if (c->host_only ? strcmp(c->domain, host) != 0 : !domain_match(host, c->domain))
		return false;
	return path_match(c->path, o->path ? o->path : "/", pn);
}

char *ck_header(const struct ck_store *s, const struct ck_origin *o, int64_t now)
{
	char host[HC_COOKIE_ATTR_MAX + 1];
	size_t hl = strlen(o->host), n = 0, cap = 0, pn = target_path(o->path);
	struct ck_cookie **v = NULL;
	if (s->n == 0 || hl > HC_COOKIE_ATTR_MAX)
		return NULL;
	lower_copy(host, o->host, hl);
	/* the host and, for a name, each parent domain: the only buckets that can match */
	for (const char *d = host; d; d = url_is_ip_literal(host) ? NULL : strchr(d, '.')) {
		d += *d == '.';
		for (struct ck_cookie *c = s->bucket[domain_hash(d, strlen(d))]; c; c = c->next) {
			if (strcmp(c->domain, d) != 0 || !chosen(c, host, o, pn, now))
				continue;
			if (n == cap) {
				struct ck_cookie **nv =
				    reallocarray(v, cap ? cap * 2 : 16, sizeof(*v));
				if (nv == NULL) {
					free(v);
					return NULL;
				}
				v = nv, cap = cap ? cap * 2 : 16;
			}
			v[n++] = c;
		}
	}
	if (n == 0)
		return NULL;
	qsort(v, n, sizeof(*v), by_path_then_age);
	if (n > HC_COOKIES_SENT_MAX)
		n = HC_COOKIES_SENT_MAX;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]->name) + strlen(v[i]->value) + 3;
	char *out = malloc(len + 1), *p = out;
	for (size_t i = 0; out && i < n; i++) {
		size_t nl = strlen(v[i]->name), vl = strlen(v[i]->value);
		if (i)
			memcpy(p, "; ", 2), p += 2;
		memcpy(p, v[i]->name, nl), p += nl;
		if (nl) /* §5.8.3 step 4: a nameless cookie is its value alone */
			*p++ = '=';
		memcpy(p, v[i]->value, vl), p += vl;
	}
	if (out)
		*p = '\0';
	free(v);
	return out;
}

static int by_age(const void *a, const void *b)
{
	const struct ck_cookie *x = *(const struct ck_cookie *const *)a;
	const struct ck_cookie *y = *(const struct ck_cookie *const *)b;
	return x->created < y->created ? -1 : x->created > y->created;
}

struct ck_cookie **ck_list(const struct ck_store *s, int64_t now, size_t *n)
{
	struct ck_cookie **v = calloc(s->n + 1, sizeof(*v));
	*n = 0;
	for (size_t b = 0; v && b < s->nbuckets; b++)
		for (struct ck_cookie *c = s->bucket[b]; c; c = c->next)
			if (!expired(c, now))
				v[(*n)++] = c;
	if (v)
		qsort(v, *n, sizeof(*v), by_age);
	return v;
}

void ck_drop_session(struct ck_store *s)
{
	for (size_t b = 0; b < s->nbuckets; b++)
		for (struct ck_cookie **pp = &s->bucket[b]; *pp;)
			if ((*pp)->expires == 0)
				unlink_at(s, pp);
			else
				pp = &(*pp)->next;
}
