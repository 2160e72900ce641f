/*
 * Unit tests for cookie.c: a table of Set-Cookie -> Cookie cases written from
 * RFC 6265bis's rules (syntax, domain, path, Secure, prefixes, Max-Age and
 * Expires, ordering, public suffixes), the cookie-date parser, and the limits.
 * The clock is fixed: NOW is 2023-11-14 22:13:20 UTC.
 */
#include "cookie.h"
#include "error.h"
#include "url.h"
#include "unit.h"

#define NOW 1700000000LL
#define DAY 86400LL

/*
 * Each step is "URL Set-Cookie-value" (split at the first space), run in
 * order at NOW; then a request to get at NOW + dt must carry want ("" for
 * no Cookie field).
 */
struct ck_case {
	const char *steps[5];
	const char *get;
	long long dt;
	const char *want;
};

#define E "http://example.com/"
#define W "http://www.example.com/"
#define S "https://example.com/"

static const struct ck_case cases[] = {
    /* §5.6: the name-value pair */
    {{E " a=1"}, E, 0, "a=1"},
    {{E "   a = 1  "}, E, 0, "a=1"},
    {{E " foo"}, E, 0, "foo"},
    {{E " =foo"}, E, 0, "foo"},
    {{E " a="}, E, 0, "a="},
    {{E " ="}, E, 0, ""},
    {{E " ; a=1"}, E, 0, ""},
    {{E " a=1; b=2"}, E, 0, "a=1"},
    {{E " a=1\x01"}, E, 0, ""},
    {{E " a=1\x7f"}, E, 0, ""},
    {{E " a=1; Path=/\x1f"}, E, 0, ""},
    {{E " a=1\tb"}, E, 0, ""},
    {{E " a=\"q\""}, E, 0, "a=\"q\""},
    {{E " a=x=y"}, E, 0, "a=x=y"},
    {{E " a=\xc3\xa9"}, E, 0, "a=\xc3\xa9"},
    {{E " a=1", E " a=2"}, E, 0, "a=2"},
    {{E " a=1", E " b=2"}, E, 0, "a=1; b=2"},
    {{E " b=2", E " a=1"}, E, 0, "b=2; a=1"},
    {{E " a=1", E " b=2", E " a=3"}, E, 0, "a=3; b=2"},
    {{E " a=1", E " A=2"}, E, 0, "a=1; A=2"},
    {{E " a=1;Path=/;Secure"}, E, 0, ""},
    {{E " a=1; Foo=bar; SameSite=Lax"}, E, 0, "a=1"},
    {{E " a=1", E " x"}, E, 0, "a=1; x"},
    /* §5.7: host-only and Domain cookies */
    {{W " a=1; Domain=example.com"}, E, 0, "a=1"},
    {{W " a=1; Domain=example.com"}, "http://other.example.com/", 0, "a=1"},
    {{W " a=1; Domain=example.com"}, W, 0, "a=1"},
    {{W " a=1; Domain=example.com"}, "http://a.b.example.com/", 0, "a=1"},
    {{W " a=1; Domain=.example.com"}, "http://sub.example.com/", 0, "a=1"},
    {{W " a=1; Domain=EXAMPLE.COM"}, "http://x.example.com/", 0, "a=1"},
    {{W " a=1; Domain= example.com "}, "http://x.example.com/", 0, "a=1"},
    {{W " a=1; domain=example.com"}, "http://x.example.com/", 0, "a=1"},
    {{W " a=1"}, "http://sub.www.example.com/", 0, ""},
    {{W " a=1"}, E, 0, ""},
    {{W " a=1"}, W, 0, "a=1"},
    {{"http://WWW.Example.COM/ a=1"}, W, 0, "a=1"},
    {{W " a=1; Domain=other.com"}, "http://other.com/", 0, ""},
    {{E " a=1; Domain=ample.com"}, "http://ample.com/", 0, ""},
    {{E " a=1; Domain=www.example.com"}, W, 0, ""},
    {{W " a=1; Domain=example.com; Domain=other.com"}, W, 0, ""},
    {{W " a=1; Domain=other.com; Domain=example.com"}, E, 0, "a=1"},
    {{W " a=1; Domain="}, "http://x.www.example.com/", 0, ""},
    {{W " a=1; Domain="}, W, 0, "a=1"},
    {{W " a=1; Domain=example.com; Domain="}, E, 0, "a=1"},
    {{W " a=1; Domain=example.com; Domain=."}, E, 0, ""},
    {{W " a=1; Domain=example.com; Domain=."}, W, 0, "a=1"},
    {{E " a=1; Domain=example.com"}, "http://x.example.com/", 0, "a=1"},
    {{E " a=1"}, "http://example.org/", 0, ""},
    {{E " a=1; Domain=example.com"}, "http://example.com.evil/", 0, ""},
    {{E " a=1; Domain=example.com"}, "http://xexample.com/", 0, ""},
    {{"http://example.com:8080/ a=1"}, "http://example.com:9090/", 0, "a=1"},
    {{W " a=1; Domain=example.com", E " a=2"}, E, 0, "a=1; a=2"},
    {{W " a=1; Domain=example.com", E " a=2"}, W, 0, "a=1"},
    /* §5.7 step 7: public suffixes (libpsl) */
    {{E " a=1; Domain=com"}, E, 0, ""},
    {{E " a=1; Domain=com"}, "http://other.com/", 0, ""},
    {{E " a=1; Domain=.com"}, E, 0, ""},
    {{"http://example.co.uk/ a=1; Domain=co.uk"}, "http://example.co.uk/", 0, ""},
    {{"http://www.example.co.uk/ a=1; Domain=example.co.uk"}, "http://a.example.co.uk/", 0, "a=1"},
    {{"http://x.github.io/ a=1; Domain=github.io"}, "http://x.github.io/", 0, ""},
    {{"http://a.x.github.io/ a=1; Domain=x.github.io"}, "http://x.github.io/", 0, "a=1"},
    {{"http://com/ a=1; Domain=com"}, "http://com/", 0, "a=1"},
    {{"http://com/ a=1; Domain=com"}, E, 0, ""},
    {{"http://a.b.c.test/ a=1; Domain=c.test"}, "http://z.c.test/", 0, "a=1"},
    {{"http://a.b.c.test/ a=1; Domain=test"}, "http://z.test/", 0, ""},
    /* IP literals and localhost: a Domain must be the host itself */
    {{"http://127.0.0.1/ a=1"}, "http://127.0.0.1/", 0, "a=1"},
    {{"http://127.0.0.1/ a=1; Domain=127.0.0.1"}, "http://127.0.0.1/", 0, "a=1"},
    {{"http://127.0.0.1/ a=1; Domain=0.0.1"}, "http://127.0.0.1/", 0, ""},
    {{"http://127.0.0.1/ a=1; Domain=1"}, "http://127.0.0.1/", 0, ""},
    {{"http://127.0.0.1/ a=1"}, "http://localhost/", 0, ""},
    {{"http://127.0.0.1/ a=1"}, "http://127.0.0.2/", 0, ""},
    {{"http://localhost/ a=1"}, "http://localhost/", 0, "a=1"},
    {{"http://localhost/ a=1; Domain=localhost"}, "http://localhost/", 0, "a=1"},
    {{"http://localhost/ a=1; Domain=localhost"}, "http://x.localhost/", 0, ""},
    {{"http://[::1]/ a=1"}, "http://[::1]/", 0, "a=1"},
    {{"http://[::1]/ a=1"}, "http://127.0.0.1/", 0, ""},
    /* §5.1.4: Path default and matching */
    {{"http://example.com/a/b a=1"}, "http://example.com/a", 0, "a=1"},
    {{"http://example.com/a/b a=1"}, "http://example.com/a/c", 0, "a=1"},
    {{"http://example.com/a/b a=1"}, "http://example.com/ab", 0, ""},
    {{"http://example.com/a/b a=1"}, E, 0, ""},
    {{"http://example.com/a a=1"}, "http://example.com/x", 0, "a=1"},
    {{E " a=1"}, "http://example.com/any/deep/path", 0, "a=1"},
    {{"http://example.com/a/b/ a=1"}, "http://example.com/a/b", 0, "a=1"},
    {{"http://example.com/a/b/ a=1"}, "http://example.com/a/bc", 0, ""},
    {{E " a=1; Path=/p"}, "http://example.com/p", 0, "a=1"},
    {{E " a=1; Path=/p"}, "http://example.com/p/q", 0, "a=1"},
    {{E " a=1; Path=/p"}, "http://example.com/pq", 0, ""},
    {{E " a=1; Path=/p"}, "http://example.com/P", 0, ""},
    {{E " a=1; Path=/p/"}, "http://example.com/p", 0, ""},
    {{E " a=1; Path=/p/"}, "http://example.com/p/x", 0, "a=1"},
    {{E " a=1; Path=/p"}, "http://example.com/p?x=1", 0, "a=1"},
    {{"http://example.com/a/b a=1; Path=x"}, "http://example.com/a/z", 0, "a=1"},
    {{"http://example.com/a/b a=1; Path=x"}, E, 0, ""},
    {{"http://example.com/a/b a=1; Path="}, "http://example.com/a/z", 0, "a=1"},
    {{"http://example.com/a/b a=1; Path=/"}, E, 0, "a=1"},
    {{"http://example.com/a/b?x=/c/d a=1"}, "http://example.com/a/q?z", 0, "a=1"},
    {{"http://example.com/a/b?x=/c/d a=1"}, "http://example.com/c/d", 0, ""},
    /* §5.8.3: longer paths first, then earlier creation */
    {{E " a=1; Path=/", E " a=2; Path=/x"}, "http://example.com/x/y", 0, "a=2; a=1"},
    {{E " a=1; Path=/", E " b=2; Path=/x/y", E " c=3; Path=/x"},
     "http://example.com/x/y/z",
     0,
     "b=2; c=3; a=1"},
    {{E " z=1", E " y=2", E " x=3; Path=/q"}, "http://example.com/q", 0, "x=3; z=1; y=2"},
    {{E " a=1; Path=/", E " a=2; Path=/x", E " a=; Max-Age=0; Path=/x"},
     "http://example.com/x",
     0,
     "a=1"},
    {{E " a=1; Path=/", E " a=2; Path=/x", E " a=; Max-Age=0"}, "http://example.com/x", 0, "a=2"},
    /* §5.7 step 15: Secure only over https, never set by http */
    {{S " a=1; Secure"}, S, 0, "a=1"},
    {{S " a=1; Secure"}, E, 0, ""},
    {{E " a=1; Secure"}, S, 0, ""},
    {{S " a=1"}, E, 0, "a=1"},
    {{S " a=1; SECURE"}, E, 0, ""},
    {{S " a=1; Secure=no"}, E, 0, ""},
    {{S " a=1; HttpOnly"}, S, 0, "a=1"},
    /* §5.7 step 16: plain http may not replace or shadow a Secure cookie */
    {{S " a=1; Secure", E " a=2"}, S, 0, "a=1"},
    {{S " a=1; Secure", E " a=2; Path=/x"}, "https://example.com/x", 0, "a=1"},
    {{S " a=1; Secure; Path=/x", E " a=2"}, "https://example.com/x", 0, "a=1; a=2"},
    {{S " a=1; Secure", "http://sub.example.com/ a=2"}, "http://sub.example.com/", 0, ""},
    {{S " a=1; Secure", E " b=2"}, S, 0, "a=1; b=2"},
    {{S " a=1; Secure", S " a=2"}, E, 0, "a=2"},
    /* §5.7 steps 19-21: nameless cookies and the __Secure-/__Host- prefixes */
    {{S " __Secure-a=1; Secure"}, S, 0, "__Secure-a=1"},
    {{S " __Secure-a=1"}, S, 0, ""},
    {{E " __Secure-a=1; Secure"}, S, 0, ""},
    {{S " __secure-a=1; Secure"}, S, 0, "__secure-a=1"},
    {{S " __SECURE-a=1"}, S, 0, ""},
    {{S " __Host-a=1; Secure; Path=/"}, S, 0, "__Host-a=1"},
    {{S " __Host-a=1; Secure"}, S, 0, ""},
    {{"https://example.com/x/y __Host-a=1; Secure"}, "https://example.com/x/", 0, ""},
    {{S " __Host-a=1; Secure; Path=/x"}, "https://example.com/x", 0, ""},
    {{S " __Host-a=1; Secure; Path=/; Domain=example.com"}, S, 0, ""},
    {{S " __Host-a=1; Path=/"}, S, 0, ""},
    {{E " __Host-a=1; Secure; Path=/"}, S, 0, ""},
    {{S " __host-a=1; Path=/"}, S, 0, ""},
    {{S " =__Secure-x; Secure"}, S, 0, ""},
    {{S " =__Host-x; Secure; Path=/"}, S, 0, ""},
    {{S " _Secure-a=1"}, S, 0, "_Secure-a=1"},
    /* §5.6.1-2, §5.7 step 3: Max-Age over Expires, expiry, the 400-day cap */
    {{E " a=1; Max-Age=100"}, E, 99, "a=1"},
    {{E " a=1; Max-Age=100"}, E, 100, ""},
    {{E " a=1; Max-Age=0"}, E, 0, ""},
    {{E " a=1; Max-Age=-5"}, E, 0, ""},
    {{E " a=1", E " a=2; Max-Age=0"}, E, 0, ""},
    {{E " a=1", E " b=2", E " a=; Max-Age=-1"}, E, 0, "b=2"},
    {{E " a=1; Max-Age=abc"}, E, 0, "a=1"},
    {{E " a=1; Max-Age=1x"}, E, 0, "a=1"},
    {{E " a=1; Max-Age=+5"}, E, 0, "a=1"},
    {{E " a=1; Max-Age="}, E, 0, "a=1"},
    {{E " a=1; Max-Age=-"}, E, 0, "a=1"},
    {{E " a=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=100"}, E, 0, "a=1"},
    {{E " a=1; Max-Age=100; Expires=Thu, 01 Jan 1970 00:00:01 GMT"}, E, 0, "a=1"},
    {{E " a=1; Max-Age=0; Expires=Sun, 06 Nov 2050 08:49:37 GMT"}, E, 0, ""},
    {{E " a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT"}, E, 0, ""},
    {{E " a=1", E " a=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT"}, E, 0, ""},
    {{E " a=1; Expires=Thu, 01-Jan-99 00:00:00 GMT"}, E, 0, ""},
    {{E " a=1; Expires=Sun, 06 Nov 2050 08:49:37 GMT"}, E, 399 * DAY, "a=1"},
    {{E " a=1; Expires=Sun, 06 Nov 2050 08:49:37 GMT"}, E, 400 * DAY, ""},
    {{E " a=1; Max-Age=999999999999"}, E, 399 * DAY, "a=1"},
    {{E " a=1; Max-Age=999999999999"}, E, 400 * DAY, ""},
    {{E " a=1; Expires=soon"}, E, 0, "a=1"},
    {{E " a=1; Expires=Tue, 14 Nov 2023 22:13:30 GMT"}, E, 9, "a=1"},
    {{E " a=1; Expires=Tue, 14 Nov 2023 22:13:30 GMT"}, E, 10, ""},
    {{E " a=1; Max-Age=0; Max-Age=100"}, E, 0, "a=1"},
    {{E " a=1; Max-Age=100; Max-Age=0"}, E, 0, ""},
    {{E " a=1; Max-Age=100; Max-Age=x"}, E, 0, "a=1"},
    {{E " a=1; max-age=0"}, E, 0, ""},
    {{E " a=1"}, E, 10000 * DAY, "a=1"},
};

static void origin_of(const char *url, struct hc_url *u, struct ck_origin *o)
{
	char err[HC_ERRBUF];
	if (url_parse(url, false, u, err, sizeof(err)) != HC_OK)
		unit_fail(__FILE__, __LINE__, "url_parse(%s): %s", url, err);
	*o = (struct ck_origin){u->host, u->target, u->https};
}

static void table_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ck_case *c = &cases[i];
		char shown[200];
		const char *last = c->steps[0];
		for (size_t j = 1; j < 5 && c->steps[j]; j++)
			last = c->steps[j];
		unit_begin("Set-Cookie %s ... -> GET %s +%llds: %s",
			   unit_esc(shown, sizeof(shown), last, strlen(last), 70), c->get, c->dt,
			   c->want[0] ? c->want : "(none)");
		struct ck_store s;
		ck_init(&s);
		for (size_t j = 0; j < 5 && c->steps[j]; j++) {
			const char *sp = strchr(c->steps[j], ' ');
			char url[200];
			snprintf(url, sizeof(url), "%.*s", (int)(sp - c->steps[j]), c->steps[j]);
			struct hc_url u;
			struct ck_origin o;
			origin_of(url, &u, &o);
			ck_set(&s, &o, sp + 1, strlen(sp + 1), NOW);
			url_free(&u);
		}
		struct hc_url u;
		struct ck_origin o;
		origin_of(c->get, &u, &o);
		char *got = ck_header(&s, &o, NOW + c->dt);
		CHECK_EQ_STR(got ? got : "", c->want);
		free(got);
		url_free(&u);
		ck_free(&s);
		unit_end();
	}
}

static void verdict_cases(void)
{
	static const struct {
		const char *url, *set;
		enum ck_verdict want;
	} v[] = {
	    {E, "a=1", CK_STORED},
	    {E, "a=1; Max-Age=0", CK_REMOVED},
	    {E, "=", CK_BAD_SYNTAX},
	    {E, "a=\x01", CK_BAD_SYNTAX},
	    {E, "a=1; Domain=com", CK_PUBLIC_SUFFIX},
	    {E, "a=1; Domain=other.org", CK_BAD_DOMAIN},
	    {E, "a=1; Secure", CK_NOT_SECURE},
	    {S, "__Host-a=1; Secure", CK_BAD_PREFIX},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char shown[100];
		unit_begin("verdict of %s: %s",
			   unit_esc(shown, sizeof(shown), v[i].set, strlen(v[i].set), 60),
			   ck_verdict_str(v[i].want));
		struct ck_store s;
		struct hc_url u;
		struct ck_origin o;
		ck_init(&s);
		origin_of(v[i].url, &u, &o);
		CHECK_EQ_INT(ck_set(&s, &o, v[i].set, strlen(v[i].set), NOW), v[i].want);
		url_free(&u);
		ck_free(&s);
		unit_end();
	}
}

static void date_cases(void)
{
	static const struct {
		const char *in;
		bool ok;
		long long want;
	} d[] = {
	    {"Sun, 06 Nov 1994 08:49:37 GMT", true, 784111777},
	    {"Sunday, 06-Nov-94 08:49:37 GMT", true, 784111777},
	    {"Sun Nov  6 08:49:37 1994", true, 784111777},
	    {"06 Nov 1994 08:49:37", true, 784111777},
	    {"Nov 6 1994 8:49:37", true, 784111777},
	    {"1994 Nov 06 08:49:37", true, 784111777},
	    {"6th November 1994, 08:49:37am", true, 784111777},
	    {"29 Feb 2020 00:00:00", true, 1582934400},
	    {"31 Feb 2020 00:00:00", false, 0},
	    {"29 Feb 2021 00:00:00", false, 0},
	    {"01 Jan 1600 00:00:00", false, 0},
	    {"01 Jan 1601 00:00:00", true, -11644473600LL},
	    {"01 Jan 70 00:00:00", true, 0},
	    {"01 Jan 69 00:00:00", true, 3124224000LL},
	    {"01 Jan 1970 24:00:00", false, 0},
	    {"01 Jan 1970 23:60:00", false, 0},
	    {"01 Jan 1970 23:00:60", false, 0},
	    {"01 Jan 1970", false, 0},
	    {"", false, 0},
	    {"01 Jan 1970 00:00:00:00", true, 0},
	    {"1 janvier 1970 1:2:3", true, 3723},
	    {"32 Jan 1970 00:00:00", false, 0},
	    {"Jan 1970 00:00:00", false, 0},
	    {"01 Jan 1970 000:00:00", false, 0},
	    {"001 Jan 1970 00:00:00", false, 0},
	    {"01 Ja 1970 00:00:00", false, 0},
	    {"01 Jan 19700 00:00:00", false, 0},
	    {"Sun, 06 Nov 2050 08:49:37 GMT", true, 2551337377LL},
	};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		unit_begin("cookie-date '%s' -> %s %lld", d[i].in, d[i].ok ? "ok" : "invalid",
			   d[i].want);
		int64_t t = 0;
		bool ok = ck_parse_date(d[i].in, strlen(d[i].in), &t);
		CHECK_EQ_INT(ok, d[i].ok);
		if (ok && d[i].ok)
			CHECK_EQ_INT(t, d[i].want);
		unit_end();
	}
}

/* §5.6 step 5 and the store's caps: what a hostile server sends is bounded. */
static void limit_cases(void)
{
	static char big[HC_COOKIE_MAX + 200];
	struct ck_store s;
	struct hc_url u;
	struct ck_origin o;
	origin_of(E, &u, &o);

	unit_begin("name and value of exactly %d bytes are kept, one more is not", HC_COOKIE_MAX);
	ck_init(&s);
	memset(big, 'v', sizeof(big));
	memcpy(big, "n=", 2);
	CHECK_EQ_INT(ck_set(&s, &o, big, HC_COOKIE_MAX + 1, NOW), CK_STORED);
	CHECK_EQ_INT(ck_set(&s, &o, big, HC_COOKIE_MAX + 2, NOW), CK_TOO_BIG);
	ck_free(&s);
	unit_end();

	unit_begin("an attribute value over %d bytes is ignored", HC_COOKIE_ATTR_MAX);
	ck_init(&s);
	char attr[HC_COOKIE_ATTR_MAX + 64];
	snprintf(attr, sizeof(attr), "a=1; Path=/%0*d", HC_COOKIE_ATTR_MAX, 0);
	ck_set(&s, &o, attr, strlen(attr), NOW);
	char *got = ck_header(&s, &o, NOW);
	CHECK_EQ_STR(got ? got : "", "a=1"); /* the default path "/" */
	free(got);
	ck_free(&s);
	unit_end();

	unit_begin("at most %d cookies a domain from servers: the oldest go",
		   HC_COOKIES_PER_DOMAIN);
	ck_init(&s);
	for (int i = 0; i < HC_COOKIES_PER_DOMAIN + 20; i++) {
		char c[32];
		snprintf(c, sizeof(c), "c%d=%d", i, i);
		ck_set(&s, &o, c, strlen(c), NOW);
	}
	CHECK_EQ_UINT(s.n, HC_COOKIES_PER_DOMAIN);
	got = ck_header(&s, &o, NOW);
	CHECK(got && strncmp(got, "c20=20; ", 8) == 0);
	free(got);
	ck_free(&s);
	unit_end();

	unit_begin("at most %d cookies in a request", HC_COOKIES_SENT_MAX);
	ck_init(&s);
	for (int i = 0; i < HC_COOKIES_SENT_MAX + 10; i++) {
		char c[32];
		snprintf(c, sizeof(c), "c%d=1", i);
		ck_set(&s, &o, c, strlen(c), NOW);
	}
	got = ck_header(&s, &o, NOW);
	size_t n = 0;
	for (const char *p = got; p && *p; p++)
		n += *p == '=';
	CHECK_EQ_UINT(n, HC_COOKIES_SENT_MAX);
	free(got);
	ck_free(&s);
	unit_end();

	unit_begin("at most %d cookies in the store", HC_COOKIES_MAX);
	ck_init(&s);
	for (int i = 0; i < HC_COOKIES_MAX + 5; i++) {
		char d[64];
		snprintf(d, sizeof(d), "h%d.example", i);
		struct ck_line l = {d, false, "/", false, false, 0, "n", "v"};
		ck_add(&s, &l, NOW);
	}
	CHECK_EQ_UINT(s.n, HC_COOKIES_MAX);
	struct ck_origin first = {"h0.example", "/", false}, last = {"h20004.example", "/", false};
	got = ck_header(&s, &first, NOW);
	CHECK(got == NULL);
	free(got);
	got = ck_header(&s, &last, NOW);
	CHECK_EQ_STR(got ? got : "", "n=v");
	free(got);
	ck_free(&s);
	unit_end();
	url_free(&u);
}

/* Jar lines (ck_add) are checked for what would break the jar or the request head. */
static void add_cases(void)
{
	static const struct {
		struct ck_line l;
		enum ck_verdict want;
	} a[] = {
	    {{".example.com", true, "/", false, false, 0, "a", "1"}, CK_STORED},
	    {{"example.com", false, "/", true, true, 2000000000, "a", "1"}, CK_STORED},
	    {{"example.com", false, "/", false, false, 1, "a", "1"}, CK_REMOVED},
	    {{"", false, "/", false, false, 0, "a", "1"}, CK_BAD_DOMAIN},
	    {{".", false, "/", false, false, 0, "a", "1"}, CK_BAD_DOMAIN},
	    {{"example.com", false, "/", false, false, 0, "a", "1;b=2"}, CK_BAD_SYNTAX},
	    {{"example.com", false, "/", false, false, 0, "a=b", "1"}, CK_BAD_SYNTAX},
	    {{"example.com", false, "/", false, false, 0, "a", "1\r\nX: y"}, CK_BAD_SYNTAX},
	    {{"example.com", false, "/", false, false, 0, "", ""}, CK_BAD_SYNTAX},
	};
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		unit_begin("jar line %zu: %s", i, ck_verdict_str(a[i].want));
		struct ck_store s;
		ck_init(&s);
		CHECK_EQ_INT(ck_add(&s, &a[i].l, NOW), a[i].want);
		ck_free(&s);
		unit_end();
	}

	unit_begin("--junk-session-cookies: session cookies go, the others stay");
	struct ck_store s;
	ck_init(&s);
	struct ck_line l1 = {"example.com", false, "/", false, false, 0, "s", "1"};
	struct ck_line l2 = {"example.com", false, "/", false, false, NOW + 10, "p", "2"};
	ck_add(&s, &l1, NOW);
	ck_add(&s, &l2, NOW);
	ck_drop_session(&s);
	struct ck_origin o = {"example.com", "/", false};
	char *got = ck_header(&s, &o, NOW);
	CHECK_EQ_STR(got ? got : "", "p=2");
	free(got);
	size_t n;
	struct ck_cookie **all = ck_list(&s, NOW, &n);
	CHECK_EQ_UINT(n, 1);
	free(all);
	ck_free(&s);
	unit_end();
}

int main(void)
{
	unit_init();
	table_cases();
	verdict_cases();
	date_cases();
	limit_cases();
	add_cases();
	return unit_done();
}
