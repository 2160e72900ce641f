/* URLs as SPEC.md takes them: http and https, host:port, IPv6 literals, userinfo. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <idn2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "url.h"

static enum hc_err fail(enum hc_err e, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

bool url_has_scheme(const char *in)
{
	const char *p = in;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0;
}

int hc_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static char *pct_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hc_hexval(s[i + 1]) >= 0 && hc_hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hc_hexval(s[i + 1]) * 16 + hc_hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Encode what must not go raw on a request line: bytes >= 0x80. */
static char *encode_target(const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(n * 3 + 2), *o = out;
	if (out == NULL)
		return NULL;
	if (n == 0 || (s[0] != '/' && s[0] != '?'))
		*o++ = '/';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x80) {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		} else {
			*o++ = (char)ch;
		}
	}
	if (out[0] == '?') {
		memmove(out + 1, out, (size_t)(o - out));
		out[0] = '/';
		o++;
	}
	*o = '\0';
	return out;
}

/* International names through libidn2, loaded only when a name needs it. */
static enum hc_err idna_host(char **host, char *err, size_t errlen)
{
	typedef int (*to_ascii_fn)(const char *, char **, int);
	typedef const char *(*strerror_fn)(int);
	static void *lib;
	if (lib == NULL && (lib = dlopen("libidn2.so.0", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return fail(HC_EURL, err, errlen, "international host name, but libidn2 is not available");
	to_ascii_fn to_ascii = (to_ascii_fn)dlsym(lib, "idn2_to_ascii_8z");
	strerror_fn errstr = (strerror_fn)dlsym(lib, "idn2_strerror");
	if (to_ascii == NULL || errstr == NULL)
		return fail(HC_EURL, err, errlen, "libidn2 lacks idn2_to_ascii_8z");
	char *out = NULL;
	int rc = to_ascii(*host, &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		return fail(HC_EURL, err, errlen, "host name '%s': %s", *host, errstr(rc));
	free(*host);
	*host = strdup(out);
	free(out); /* libidn2 allocates with malloc */
	return *host ? HC_OK : HC_ENOMEM;
}

static enum hc_err parse_port(const char *p, size_t n, unsigned *port, char *err, size_t errlen)
{
	unsigned long v = 0;
	if (n == 0)
		return HC_OK; /* the seed: an empty port means the default */
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || v > 65535)
			return fail(HC_EURL, err, errlen, "port '%.*s' is not a number in 1..65535",
				    (int)n, p);
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return fail(HC_EURL, err, errlen, "port '%.*s' is not a number in 1..65535", (int)n, p);
	*port = (unsigned)v;
	return HC_OK;
}

static enum hc_err parse_authority(const char *a, size_t n, struct hc_url *u, char *err,
				   size_t errlen)
{
	const char *at = NULL;
	for (size_t i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	if (at != NULL) {
		const char *colon = memchr(a, ':', (size_t)(at - a));
		size_t ulen = colon ? (size_t)(colon - a) : (size_t)(at - a);
		u->user = pct_decode(a, ulen);
		u->pass = colon ? pct_decode(colon + 1, (size_t)(at - colon - 1)) : strdup("");
		if (u->user == NULL || u->pass == NULL)
			return HC_ENOMEM;
		n -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	const char *h = a, *he, *portp = NULL;
	if (n > 0 && a[0] == '[') {
		const char *rb = memchr(a, ']', n);
		if (rb == NULL)
			return fail(HC_EURL, err, errlen, "unterminated IPv6 literal");
		h = a + 1;
		he = rb;
		if (rb + 1 < a + n) {
			if (rb[1] != ':')
				return fail(HC_EURL, err, errlen, "junk after the IPv6 literal");
			portp = rb + 2;
		}
		u->ipv6 = true;
	} else {
		/* outside brackets a host has no colon: the first one starts the port */
		const char *colon = memchr(a, ':', n);
		he = colon ? colon : a + n;
		portp = colon ? colon + 1 : NULL;
	}
	if (he == h)
		return fail(HC_EURL, err, errlen, "empty host");
	u->host = strndup(h, (size_t)(he - h));
	if (u->host == NULL)
		return HC_ENOMEM;
	if (u->ipv6) {
		struct in6_addr tmp;
		if (inet_pton(AF_INET6, u->host, &tmp) != 1)
			return fail(HC_EURL, err, errlen, "'%s' is not an IPv6 address", u->host);
	}
	enum hc_err rc;
	if (portp && (rc = parse_port(portp, (size_t)(a + n - portp), &u->port, err, errlen)))
		return rc;
	if (u->ipv6)
		return HC_OK;
	bool ascii = true;
	for (const char *p = u->host; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (!ascii && (rc = idna_host(&u->host, err, errlen)))
		return rc;
	if (u->host[0] == '\0') /* IDNA maps a lone soft hyphen to nothing */
		return fail(HC_EURL, err, errlen, "empty host");
	/* checked after IDNA too: a full-width '/' must not become a path */
	for (const char *p = u->host; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("/?#@[]\\%:", *p))
			return fail(HC_EURL, err, errlen, "invalid character 0x%02x in host",
				    (unsigned char)*p);
	return HC_OK;
}

enum hc_err url_parse(const char *in, bool schemeless, struct hc_url *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof(*u));
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return fail(HC_EURL, err, errlen, "control character or space in URL");

	const char *rest;
	if (url_has_scheme(in)) {
		const char *sep = strstr(in, "://");
		size_t sl = (size_t)(sep - in);
		if (sl == 4 && strncasecmp(in, "http", 4) == 0)
			u->https = false;
		else if (sl == 5 && strncasecmp(in, "https", 5) == 0)
			u->https = true;
		else
			return fail(HC_EPROTO, err, errlen, "'%.*s' is not supported (only http and https)",
				    (int)sl, in);
		rest = sep + 3;
	} else if (!schemeless) {
		return fail(HC_EURL, err, errlen, "'%s' has no scheme", in);
	} else {
		rest = in;
	}
	u->port = u->https ? 443 : 80;

	size_t alen = strcspn(rest, "/?#");
	enum hc_err rc;
	if (!url_has_scheme(in) && rest[0] == ':') {
		/* ":8080/x": localhost, as HTTPie */
		char *auth = malloc(alen + 10);
		if (auth == NULL)
			return HC_ENOMEM;
		memcpy(auth, "localhost", 9);
		memcpy(auth + 9, rest, alen);
		rc = parse_authority(auth, alen + 9, u, err, errlen);
		free(auth);
	} else {
		rc = parse_authority(rest, alen, u, err, errlen);
	}
	if (rc)
		return rc;
	const char *path = rest + alen;
	size_t plen = strcspn(path, "#"); /* a fragment is never sent */
	u->target = encode_target(path, plen);
	return u->target ? HC_OK : HC_ENOMEM;
}

enum hc_err url_add_query(struct hc_url *u, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t tl = strlen(u->target), nl = strlen(name), vl = strlen(value);
	char *t = realloc(u->target, tl + 3 * (nl + vl) + 3);
	if (t == NULL)
		return HC_ENOMEM;
	u->target = t;
	char *o = t + tl;
	*o++ = strchr(t, '?') ? '&' : '?';
	for (int part = 0; part < 2; part++) {
		const char *s = part ? value : name;
		if (part)
			*o++ = '=';
		for (; *s; s++) {
			unsigned char ch = (unsigned char)*s;
			/* RFC 3986 §2.3: unreserved characters stay as they are */
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
				*o++ = (char)ch;
			} else {
				*o++ = '%';
				*o++ = hex[ch >> 4];
				*o++ = hex[ch & 15];
			}
		}
	}
	*o = '\0';
	return HC_OK;
}

char *url_hostport(const char *host, unsigned port, bool https)
{
	bool v6 = strchr(host, ':') != NULL;
	char *s = NULL;
	int n;
	if (port == (https ? 443u : 80u))
		n = v6 ? asprintf(&s, "[%s]", host) : asprintf(&s, "%s", host);
	else
		n = v6 ? asprintf(&s, "[%s]:%u", host, port) : asprintf(&s, "%s:%u", host, port);
	return n < 0 ? NULL : s;
}

char *url_format(const struct hc_url *u)
{
	char *hp = url_hostport(u->host, u->port, u->https), *s = NULL;
	if (hp == NULL)
		return NULL;
	if (asprintf(&s, "%s://%s%s", u->https ? "https" : "http", hp, u->target) < 0)
		s = NULL;
	free(hp);
	return s;
}

void url_free(struct hc_url *u)
{
	free(u->host);
	free(u->target);
	free(u->user);
	free(u->pass);
	memset(u, 0, sizeof(*u));
}

/* RFC 3986 §5.2.4 */
static void remove_dots(char *path)
{
	char *in = path, *out = path;
	while (*in) {
		if (!strncmp(in, "../", 3)) {
			in += 3;
		} else if (!strncmp(in, "./", 2)) {
			in += 2;
		} else if (!strncmp(in, "/./", 3)) {
			in += 2;
		} else if (!strcmp(in, "/.")) {
			in[1] = '\0';
		} else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
			in += 3;
			if (*in == '\0')
				*--in = '/';
			else
				in[0] = '/';
			while (out > path && *--out != '/')
				;
		} else if (!strcmp(in, ".") || !strcmp(in, "..")) {
			*in = '\0';
		} else {
			do
				*out++ = *in++;
			while (*in && *in != '/');
		}
	}
	*out = '\0';
}

/* Spaces and bytes >= 0x80 of a Location, percent-encoded (as browsers do). */
static char *encode_loose(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == ' ' || ch >= 0x80) {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		} else {
			*o++ = (char)ch;
		}
	}
	*o = '\0';
	return out;
}

char *url_resolve(const struct hc_url *base, const char *location)
{
	char *ref = encode_loose(location), *out = NULL, *path = NULL;
	char *hp = url_hostport(base->host, base->port, base->https);
	const char *scheme = base->https ? "https" : "http";
	if (ref == NULL || hp == NULL)
		goto done;
	*(ref + strcspn(ref, "#")) = '\0'; /* the fragment is never sent */
	if (url_has_scheme(ref) || (ref[0] == '/' && ref[1] == '/')) {
		/* §5.2.2: an absolute reference's path loses its dot segments too */
		const char *auth = url_has_scheme(ref) ? strstr(ref, "://") + 3 : ref + 2;
		size_t pre = (size_t)(auth - ref) + strcspn(auth, "/?#");
		const char *q = strchr(ref + pre, '?');
		size_t plen = q ? (size_t)(q - ref - pre) : strlen(ref + pre);
		if ((path = strndup(ref + pre, plen)) == NULL)
			goto done;
		remove_dots(path);
		if (asprintf(&out, "%s%s%.*s%s%s", ref[0] == '/' ? scheme : "", ref[0] == '/' ? ":" : "",
			     (int)pre, ref, path, q ? q : "") < 0)
			out = NULL;
		goto done;
	}
	const char *rel = ref;
	size_t sl = strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (sl > 0 && ref[sl] == ':' && isalpha((unsigned char)ref[0])) {
		if (sl == strlen(scheme) && strncasecmp(ref, scheme, sl) == 0) {
			/* §5.2.2 non-strict: "http:foo" from an http base is the relative "foo" */
			rel = ref + sl + 1;
		} else {
			/* "mailto:x": another scheme, kept so that url_parse names it */
			if (asprintf(&out, "%.*s://%s", (int)sl, ref, ref + sl + 1) < 0)
				out = NULL;
			goto done;
		}
	}
	const char *bq = strchr(base->target, '?');
	size_t bplen = bq ? (size_t)(bq - base->target) : strlen(base->target);
	if (rel[0] == '\0' || rel[0] == '?') {
		if (asprintf(&path, "%.*s%s", (int)bplen, base->target, rel[0] ? rel : (bq ? bq : "")) < 0)
			path = NULL;
	} else if (rel[0] == '/') {
		path = strdup(rel);
	} else {
		/* §5.2.3: merge with the base path up to its last '/' */
		size_t keep = bplen;
		while (keep > 0 && base->target[keep - 1] != '/')
			keep--;
		if (asprintf(&path, "%.*s%s", (int)keep, base->target, rel) < 0)
			path = NULL;
	}
	if (path == NULL)
		goto done;
	char *q = strchr(path, '?'), *query = strdup(q ? q : "");
	if (query == NULL)
		goto done;
	if (q)
		*q = '\0';
	remove_dots(path);
	if (asprintf(&out, "%s://%s%s%s%s", scheme, hp, path[0] == '/' ? "" : "/", path, query) < 0)
		out = NULL;
	free(query);
done:
	free(ref);
	free(hp);
	free(path);
	return out;
}

bool url_is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

bool url_is_localhost(const char *host)
{
	size_t n = strlen(host);
	if (n > 0 && host[n - 1] == '.')
		n--; /* the root's dot: "localhost." is the same name */
	if (n < 9 || strncasecmp(host + n - 9, "localhost", 9) != 0)
		return false;
	/* "localhost" itself, or a name under it with a non-empty label before the dot */
	return n == 9 || (n >= 11 && host[n - 10] == '.' && host[n - 11] != '.');
}
