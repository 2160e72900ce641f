/*
 * libFuzzer target for the Set-Cookie parser and the store (src/http/cookie.c).
 * The first byte picks the origin of the responses (scheme, host, path); the
 * rest is Set-Cookie values, one a line, each also tried as a cookie-date.
 * Whatever they hold, the Cookie field for a few requests must be one valid
 * field value made of name=value pairs, and every stored cookie must be one
 * the jar can hold: a domain, a path from "/", no tab, no control byte.
 * max_len: 8192
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "fuzz.h"
#include "headers.h"

#define NOW 1700000000LL

static bool clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = {"example.com",
					    "www.example.com",
					    "a.b.example.co.uk",
					    "127.0.0.1",
					    "localhost",
					    "x.github.io",
					    "::1",
					    "com"};
	static const char *const paths[] = {"/", "/a/b", "/a/b/", "/a?x=/y", "", "/a/b/c/d"};
	if (size == 0)
		return 0;
	struct ck_origin o = {hosts[data[0] & 7], paths[(data[0] >> 3) % 6], (data[0] & 0x80) != 0};
	struct ck_store s;
	ck_init(&s);
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	int64_t t;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *v = malloc(n + 1); /* exactly the value's size: over-reads are caught */
		check(v != NULL);
		memcpy(v, p, n);
		v[n] = '\0';
		enum ck_verdict r = ck_set(&s, &o, v, n, NOW);
		check(r <= CK_NOMEM);
		(void)ck_parse_date(v, n, &t);
		free(v);
		p += n + 1;
	}
	for (size_t h = 0; h < 8; h++)
		for (int https = 0; https < 2; https++) {
			struct ck_origin q = {hosts[h], paths[h % 6], https};
			char *c = ck_header(&s, &q, NOW);
			if (c == NULL)
				continue;
			check(*c && hdr_valid_value(c, strlen(c)));
			free(c);
		}
	size_t n;
	struct ck_cookie **all = ck_list(&s, NOW, &n);
	check(all != NULL && n == s.n && n <= HC_COOKIES_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct ck_cookie *c = all[i];
		check(*c->domain && c->path[0] == '/' && clean(c->name) && clean(c->value) &&
		      clean(c->domain) && clean(c->path) && !strchr(c->name, ';') &&
		      !strchr(c->value, ';') &&
		      strlen(c->name) + strlen(c->value) <= HC_COOKIE_MAX);
		check(*c->name || *c->value);
		check(!c->secure || o.https);
	}
	free(all);
	ck_free(&s);
	return 0;
}
