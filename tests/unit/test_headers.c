/*
 * Unit tests for headers.c: the one comma-list tokenizer (RFC 9110 §5.6.1),
 * token lookup in fields, and the request head buffer, which wipes what it
 * held (credentials) before freeing it.
 */
#include "error.h"
#include "headers.h"
#include "unit.h"

/* Every element of s, each followed by '|'. */
static void elements(const char *s, char *out, size_t cap)
{
	const char *e;
	size_t n, o = 0;
	out[0] = '\0';
	while (hdr_list_next(&s, &e, &n))
		o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%.*s|", (int)n, e);
}

static void list_cases(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"", ""},
	    {"a", "a|"},
	    {"a,b", "a|b|"},
	    {"a, b ,c", "a|b|c|"},
	    {" \ta\t ", "a|"},
	    {",", ""},
	    {", ,\t,", ""},
	    {",a,,b,", "a|b|"},
	    {"gzip, chunked", "gzip|chunked|"},
	    {"a b, c", "a b|c|"},
	    {"a\t b , \tc d\t", "a\t b|c d|"},
	    {"keep-alive, Upgrade", "keep-alive|Upgrade|"},
	    {"\"q,x\"", "\"q|x\"|"}, /* no quoted-string: commas split, as before */
	    {".example.com, 10.0.0.0/8,[::1]", ".example.com|10.0.0.0/8|[::1]|"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char shown[96], got[256];
		unit_begin("hdr_list_next: %s -> %s",
			   unit_esc(shown, sizeof(shown), cases[i].in, strlen(cases[i].in), 40),
			   cases[i].want[0] ? cases[i].want : "(nothing)");
		elements(cases[i].in, got, sizeof(got));
		CHECK_EQ_STR(got, cases[i].want);
		unit_end();
	}
}

static void has_token_cases(void)
{
	static const struct {
		const char *value, *token;
		bool want;
	} cases[] = {
	    {"close", "close", true},	      {"Keep-Alive, CLOSE", "close", true},
	    {"closed", "close", false},	      {"clo se", "close", false},
	    {" , close ,", "close", true},    {"", "close", false},
	    {"upgrade,close", "close", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("hdr_has_token: '%s' holds '%s' -> %s", cases[i].value, cases[i].token,
			   cases[i].want ? "yes" : "no");
		struct hc_headers h = {0};
		CHECK_EQ_INT(hdr_add(&h, "Connection", 10, cases[i].value, strlen(cases[i].value)),
			     HC_OK);
		CHECK_EQ_INT(hdr_has_token(&h, "connection", cases[i].token), cases[i].want);
		hdr_free(&h);
		unit_end();
	}
}

#ifndef UNIT_ASAN
/* Is any byte of the secret still in the len bytes at p? */
static bool holds(const volatile char *p, size_t len, const char *secret)
{
	size_t sl = strlen(secret);
	for (size_t i = 0; i + sl <= len; i++) {
		size_t k = 0;
		while (k < sl && p[i + k] == secret[k])
			k++;
		if (k == sl)
			return true;
	}
	return false;
}
#endif

/*
 * Reading freed memory is what ASan forbids, so these run in the plain build
 * only: glibc keeps a small freed block's bytes (but its first 16) until the
 * next allocation of its size, and none comes in between.
 */
static void wipe_cases(void)
{
#ifdef UNIT_ASAN
	unit_begin("hb_free wipes the head (skipped under AddressSanitizer)");
	unit_end();
#else
	static const char secret[] = "Proxy-Authorization: Basic cHVzZXI6czNjcmV0\r\n";
	unit_begin("hb_free wipes the head before freeing it");
	struct hc_headbuf hb = {.max = 1 << 20};
	CHECK_EQ_INT(hb_adds(&hb, "GET / HTTP/1.1\r\n"), HC_OK);
	CHECK_EQ_INT(hb_adds(&hb, secret), HC_OK);
	const volatile char *old = hb.p;
	size_t len = hb.len;
	hb_free(&hb);
	CHECK(!holds(old + 16, len - 16, secret + 8));
	unit_end();

	unit_begin("hb_add wipes the old block when the head grows");
	struct hc_headbuf g = {.max = 1 << 20};
	CHECK_EQ_INT(hb_adds(&g, "GET / HTTP/1.1\r\n"), HC_OK);
	CHECK_EQ_INT(hb_adds(&g, secret), HC_OK);
	const volatile char *first = g.p;
	len = g.len;
	char fill[2048];
	memset(fill, 'x', sizeof(fill));
	CHECK_EQ_INT(hb_add(&g, fill, sizeof(fill)), HC_OK);
	CHECK(holds(g.p, g.len, secret)); /* the head itself is whole */
	if (g.p != first)
		CHECK(!holds(first + 16, len - 16, secret + 8));
	hb_free(&g);
	unit_end();
#endif
}

int main(void)
{
	list_cases();
	has_token_cases();
	wipe_cases();
	return unit_done();
}
