/*
 * digest.c: the challenge-list lexer (RFC 9110 §11.6.1), the choice of a
 * Digest challenge (RFC 7616 §3.3, §3.7) and the response, checked against
 * RFC 7616 §3.9.1's example values (MD5 and SHA-256) and against values
 * computed apart with Python's hashlib (-sess, userhash, RFC 2069 form).
 * Every input ends right before an unreadable page.
 */
#include "unit.h"

#include "digest.h"

static struct unit_guard guard;

/* Every element as S(name) P(name=value) Q(name="value") T(token68) B, space separated. */
static void lex_all(const char *in, char *out, size_t cap)
{
	size_t len = strlen(in), o = 0;
	const char *s = unit_guard_put(&guard, in, len, false);
	struct dg_lexer lx;
	struct dg_item it;
	enum dg_tok t;
	out[0] = '\0';
	dg_lex_init(&lx, s, len);
	for (int guard_n = 0; (t = dg_next(&lx, &it)) != DG_END && guard_n < 100; guard_n++) {
		int n = 0;
		if (t == DG_SCHEME)
			n = snprintf(out + o, cap - o, "S(%.*s) ", (int)it.nlen, it.name);
		else if (t == DG_PARAM)
			n = snprintf(out + o, cap - o,
				     it.quoted ? "Q(%.*s=%.*s) " : "P(%.*s=%.*s) ", (int)it.nlen,
				     it.name, (int)it.vlen, it.value);
		else if (t == DG_TOKEN68)
			n = snprintf(out + o, cap - o, "T(%.*s) ", (int)it.vlen, it.value);
		else
			n = snprintf(out + o, cap - o, "B ");
		o += (size_t)n < cap - o ? (size_t)n : 0;
	}
	if (o)
		out[o - 1] = '\0';
}

static void lexer_cases(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"", ""},
	    {" , ,", ""},
	    {"Basic", "S(Basic)"},
	    {"Basic realm=\"a b\"", "S(Basic) Q(realm=a b)"},
	    {"Basic realm = x , charset=\"UTF-8\"", "S(Basic) P(realm=x) Q(charset=UTF-8)"},
	    {"Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic "
	     "realm=\"simple\"",
	     "S(Newauth) Q(realm=apps) P(type=1) Q(title=Login to \\\"apps\\\") S(Basic) "
	     "Q(realm=simple)"},
	    {"Negotiate abc/+_-.~==", "S(Negotiate) T(abc/+_-.~==)"},
	    {"Negotiate abc=", "S(Negotiate) T(abc=)"},
	    {"Negotiate, Basic", "S(Negotiate) S(Basic)"},
	    {"Negotiate,abc=", "S(Negotiate) B"},
	    {"Digest realm=\"a,b\", nonce=\"n\"", "S(Digest) Q(realm=a,b) Q(nonce=n)"},
	    {"Digest realm=\"unterminated", "S(Digest) B"},
	    {"Digest realm=\"a\"x, nonce=1", "S(Digest) B P(nonce=1)"},
	    {"Digest realm=", "S(Digest) T(realm=)"},
	    {"Digest realm=\"a\rb\", nonce=2", "S(Digest) B P(nonce=2)"},
	    {"Digest ,=x, nonce=3", "S(Digest) B P(nonce=3)"},
	    {"Digest =x", "P(Digest=x)"},
	    {"Digest realm=\"\\\"", "S(Digest) B"},
	    {"\"x\", Basic", "B S(Basic)"},
	    {"Digest\trealm\t=\t\"r\"", "S(Digest) Q(realm=r)"},
	    {"Digest realm=\"\"", "S(Digest) Q(realm=)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char shown[120], got[512];
		unit_begin("dg_next: %s",
			   unit_esc(shown, sizeof(shown), cases[i].in, strlen(cases[i].in), 60));
		lex_all(cases[i].in, got, sizeof(got));
		CHECK_EQ_STR(got, cases[i].want);
		unit_end();
	}
}

#define NONE(s)                                                                                    \
	{                                                                                          \
		.in = s                                                                            \
	}
#define HAS(s, a, r, n, o, q, st, uh)                                                              \
	{                                                                                          \
		.in = s, .found = true, .alg = a, .realm = r, .nonce = n, .opaque = o, .qop = q,   \
		.stale = st, .userhash = uh                                                        \
	}

static void parse_cases(void)
{
	static const struct {
		const char *in;
		bool found;
		enum dg_alg alg;
		const char *realm, *nonce, *opaque; /* opaque NULL: none */
		bool qop, stale, userhash;
	} cases[] = {
	    HAS("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"", DG_MD5, "r", "n", NULL, 1, 0, 0),
	    HAS("digest REALM=r, NONCE=n, QOP=auth", DG_MD5, "r", "n", NULL, 1, 0, 0),
	    HAS("Digest realm=\"r\", nonce=\"n\"", DG_MD5, "r", "n", NULL, 0, 0, 0),
	    NONE("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""),
	    HAS("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int, auth\"", DG_MD5, "r", "n", NULL,
		1, 0, 0),
	    NONE("Digest realm=\"r\""),
	    NONE("Basic realm=\"r\""),
	    NONE("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"),
	    HAS("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess, opaque=\"o\\\"q\"",
		DG_MD5_SESS, "r", "n", "o\"q", 0, 0, 0),
	    NONE("Digest realm=\"r\", nonce=\"n\", nonce=\"m\""),
	    HAS("Digest realm=\"r\", nonce=\"n\", stale=TRUE, userhash=true, qop=auth", DG_MD5, "r",
		"n", NULL, 1, 1, 1),
	    HAS("Digest realm=\"r\", nonce=\"n\", stale=false", DG_MD5, "r", "n", NULL, 0, 0, 0),
	    /* RFC 7616 §3.9.1: SHA-256 offered first, MD5 second; the stronger one wins */
	    HAS("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
		"algorithm=SHA-256, "
		"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", Digest "
		"realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
		"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
		"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
		DG_SHA256, "http-auth@example.org", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
		"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", 1, 0, 0),
	    HAS("Digest realm=a, nonce=md5, Digest realm=b, nonce=sha, algorithm=sha-256-SESS",
		DG_SHA256_SESS, "b", "sha", NULL, 0, 0, 0),
	    HAS("Basic realm=x, Digest realm=\"d\", nonce=\"n\", Bearer", DG_MD5, "d", "n", NULL, 0,
		0, 0),
	    NONE("Digest realm=\"d\", nonce=\"n\" junk, Basic"),
	    HAS("Digest abc==, Digest realm=d, nonce=n2", DG_MD5, "d", "n2", NULL, 0, 0, 0),
	    HAS("Digest realm=\"d\", nonce=\"n\", domain=\"/a /b\", charset=UTF-8, x=\"y\"", DG_MD5,
		"d", "n", NULL, 0, 0, 0),
	    NONE("Digest realm=\"bad\rx\", nonce=\"n\""),
	    HAS(",,,Digest ,, nonce=n,,", DG_MD5, "", "n", NULL, 0, 0, 0),
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char shown[120];
		struct dg_challenge c;
		size_t len = strlen(cases[i].in);
		unit_begin("dg_parse: %s", unit_esc(shown, sizeof(shown), cases[i].in, len, 60));
		const char *s = unit_guard_put(&guard, cases[i].in, len, false);
		memset(&c, 0x55, sizeof(c));
		bool found = dg_parse(s, len, &c);
		if (CHECK_EQ_INT(found, cases[i].found) && found) {
			CHECK_EQ_STR(dg_alg_name(c.alg), dg_alg_name(cases[i].alg));
			CHECK_EQ_STR(c.realm, cases[i].realm);
			CHECK_EQ_STR(c.nonce, cases[i].nonce);
			CHECK_EQ_INT(c.opaque_set, cases[i].opaque != NULL);
			if (cases[i].opaque)
				CHECK_EQ_STR(c.opaque, cases[i].opaque);
			CHECK_EQ_INT(c.qop, cases[i].qop);
			CHECK_EQ_INT(c.stale, cases[i].stale);
			CHECK_EQ_INT(c.userhash, cases[i].userhash);
		}
		unit_end();
	}
}

/* A nonce of n bytes: HC_DIGEST_FIELD_MAX - 1 fits, one more does not. */
static void limit_cases(void)
{
	for (size_t n = HC_DIGEST_FIELD_MAX - 1; n <= HC_DIGEST_FIELD_MAX; n++) {
		char *v = malloc(n + 64);
		struct dg_challenge c;
		int len = snprintf(v, n + 64, "Digest realm=r, nonce=\"%0*d\"", (int)n, 0);
		unit_begin("dg_parse: a nonce of %zu bytes %s", n,
			   n < HC_DIGEST_FIELD_MAX ? "is taken" : "makes the challenge unusable");
		const char *s = unit_guard_put(&guard, v, (size_t)len, false);
		CHECK_EQ_INT(dg_parse(s, (size_t)len, &c), n < HC_DIGEST_FIELD_MAX);
		unit_end();
		free(v);
	}
}

#define RFC_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define RFC_HEAD                                                                                   \
	"Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"" RFC_NONCE          \
	"\", uri=\"/dir/index.html\", cnonce=\"" RFC_CNONCE "\", "

static void response_cases(void)
{
	static const struct {
		const char *name;
		enum dg_alg alg;
		bool qop, userhash;
		unsigned long nc;
		const char *want;
	} cases[] = {
	    {"RFC 7616 §3.9.1, MD5", DG_MD5, true, false, 1,
	     RFC_HEAD "nc=00000001, qop=auth, response=\"8ca523f5e9506fed4657c9700eebdbec\", "
		      "opaque=\"" RFC_OPAQUE "\", algorithm=MD5"},
	    {"RFC 7616 §3.9.1, SHA-256", DG_SHA256, true, false, 1,
	     RFC_HEAD
	     "nc=00000001, qop=auth, "
	     "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
	     "opaque=\"" RFC_OPAQUE "\", algorithm=SHA-256"},
	    {"MD5-sess, nc 2", DG_MD5_SESS, true, false, 2,
	     RFC_HEAD "nc=00000002, qop=auth, response=\"6914b51e16f9459d9abc967ad41c4599\", "
		      "opaque=\"" RFC_OPAQUE "\", algorithm=MD5-sess"},
	    {"SHA-256-sess, nc 2", DG_SHA256_SESS, true, false, 2,
	     RFC_HEAD
	     "nc=00000002, qop=auth, "
	     "response=\"6bb0010aa4bdf46422a798c509ea32e256f27bd37de5cc3bdf8ed51e1d77d650\", "
	     "opaque=\"" RFC_OPAQUE "\", algorithm=SHA-256-sess"},
	    {"SHA-256, userhash", DG_SHA256, true, true, 1,
	     "Digest "
	     "username=\"a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6\", "
	     "realm=\"http-auth@example.org\", nonce=\"" RFC_NONCE "\", uri=\"/dir/index.html\", "
	     "cnonce=\"" RFC_CNONCE "\", nc=00000001, qop=auth, "
	     "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
	     "opaque=\"" RFC_OPAQUE "\", algorithm=SHA-256, userhash=true"},
	    {"MD5 without qop (RFC 2069), no algorithm named", DG_MD5, false, false, 1,
	     "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"" RFC_NONCE
	     "\", uri=\"/dir/index.html\", response=\"7b2cc3b30e75b4777ea31027084363fd\", "
	     "opaque=\"" RFC_OPAQUE "\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dg_challenge c = {.alg = cases[i].alg,
					 .alg_set = cases[i].qop, /* the RFC 2069 case names none */
					 .qop = cases[i].qop,
					 .userhash = cases[i].userhash,
					 .opaque_set = true,
					 .realm = "http-auth@example.org",
					 .nonce = RFC_NONCE,
					 .opaque = RFC_OPAQUE};
		unit_begin("dg_response: %s", cases[i].name);
		char *got = dg_response(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
					cases[i].nc, RFC_CNONCE);
		CHECK_EQ_STR(got, cases[i].want);
		free(got);
		unit_end();
	}
}

/* Server text and the user name are quoted with escapes, or go as username*. */
static void quoting_cases(void)
{
	struct dg_challenge c = {.alg = DG_MD5, .realm = "a\"b\\c", .nonce = "n"};
	unit_begin("dg_response: quotes and backslashes are escaped; a UTF-8 user is username*");
	char *got = dg_response(&c, "J\xc3\xa4s\"on", "p", "GET", "/", 1, "c");
	CHECK(got && strncmp(got, "Digest username*=UTF-8''J%C3%A4s%22on, realm=\"a\\\"b\\\\c\", ",
			     53) == 0);
	free(got);
	got = dg_response(&c, "us\"er", "p", "GET", "/", 1, "c");
	CHECK(got && strncmp(got, "Digest username=\"us\\\"er\", ", 26) == 0);
	free(got);
	unit_end();

	unit_begin("dg_cnonce: 32 hex digits, new each time");
	char a[33], b[33];
	dg_cnonce(a);
	dg_cnonce(b);
	CHECK_EQ_INT(strlen(a), 32);
	CHECK_EQ_INT(strspn(a, "0123456789abcdef"), 32);
	CHECK(strcmp(a, b) != 0);
	unit_end();
}

int main(void)
{
	lexer_cases();
	parse_cases();
	limit_cases();
	response_cases();
	quoting_cases();
	return unit_done();
}
