/*
 * url_parse, url_format, url_add_query, url_hostport, url_has_scheme and
 * url_is_ip_literal, url_is_localhost
 * against the URL rules of SPEC.md's Synopsis.
 */
#include "unit.h"

#include "error.h"
#include "url.h"

#define ANY "\001any" /* a user or password that may be "" or absent */

struct ucase {
	const char *name;
	const char *in;
	bool schemeless;
	enum hc_err want;
	bool https;
	const char *host;
	bool ipv6;
	unsigned port;
	const char *target;
	const char *user, *pass; /* NULL: no userinfo */
	const char *formatted;	 /* url_format */
};

#define GOOD(name, in, sl, https, host, v6, port, target, user, pass, fmt)                         \
	{                                                                                          \
		name, in, sl, HC_OK, https, host, v6, port, target, user, pass, fmt                \
	}
#define BAD(name, in, sl, err)                                                                     \
	{                                                                                          \
		name, in, sl, err, false, NULL, false, 0, NULL, NULL, NULL, NULL                   \
	}

static const struct ucase cases[] = {
    /* schemes */
    GOOD("http", "http://example.org/x", false, false, "example.org", false, 80, "/x", NULL, NULL,
	 "http://example.org/x"),
    GOOD("https", "https://example.org/x", false, true, "example.org", false, 443, "/x", NULL, NULL,
	 "https://example.org/x"),
    GOOD("HTTPS:// in upper case", "HTTPS://example.org/", false, true, "example.org", false, 443,
	 "/", NULL, NULL, "https://example.org/"),
    GOOD("HTTP:// in upper case", "HTTP://example.org/", false, false, "example.org", false, 80,
	 "/", NULL, NULL, "http://example.org/"),
    GOOD("mixed-case scheme and a port", "hTtPs://h:8443/a", false, true, "h", false, 8443, "/a",
	 NULL, NULL, "https://h:8443/a"),
    BAD("ftp:// -> UnknownProtocol", "ftp://example.org/", false, HC_EPROTO),
    BAD("ftp:// -> UnknownProtocol (schemeless allowed)", "ftp://example.org/", true, HC_EPROTO),
    BAD("file:// -> UnknownProtocol", "file:///etc/passwd", true, HC_EPROTO),
    BAD("ws:// -> UnknownProtocol", "ws://h/", false, HC_EPROTO),
    BAD("httpx:// -> UnknownProtocol", "httpx://h/", false, HC_EPROTO),
    BAD("https+x:// -> UnknownProtocol", "https+x://h/", false, HC_EPROTO),

    /* without a scheme */
    GOOD("scheme-less host/path", "example.org/x", true, false, "example.org", false, 80, "/x",
	 NULL, NULL, "http://example.org/x"),
    GOOD("scheme-less host", "example.org", true, false, "example.org", false, 80, "/", NULL, NULL,
	 "http://example.org/"),
    GOOD("scheme-less host:port/path?query", "localhost:3000/api?q=1", true, false, "localhost",
	 false, 3000, "/api?q=1", NULL, NULL, "http://localhost:3000/api?q=1"),
    BAD("scheme-less refused without schemeless", "example.org/x", false, HC_EURL),
    GOOD(":8080/x means localhost", ":8080/x", true, false, "localhost", false, 8080, "/x", NULL,
	 NULL, "http://localhost:8080/x"),
    GOOD(":8080 means localhost", ":8080", true, false, "localhost", false, 8080, "/", NULL, NULL,
	 "http://localhost:8080/"),
    GOOD(":8080?q means localhost", ":8080?q=1", true, false, "localhost", false, 8080, "/?q=1",
	 NULL, NULL, "http://localhost:8080/?q=1"),
    BAD(":0/x -> InvalidURL", ":0/x", true, HC_EURL),
    BAD("scheme-less empty host", "/path", true, HC_EURL),

    /* IPv6 literals */
    GOOD("IPv6 literal with a port", "http://[::1]:8080/", false, false, "::1", true, 8080, "/",
	 NULL, NULL, "http://[::1]:8080/"),
    GOOD("IPv6 literal without a port", "http://[::1]", false, false, "::1", true, 80, "/", NULL,
	 NULL, "http://[::1]/"),
    GOOD("IPv6 literal with a path", "https://[2001:db8::1]/a?b", false, true, "2001:db8::1", true,
	 443, "/a?b", NULL, NULL, "https://[2001:db8::1]/a?b"),
    GOOD("IPv4-mapped IPv6 literal", "http://[::ffff:192.0.2.1]:81/", false, false,
	 "::ffff:192.0.2.1", true, 81, "/", NULL, NULL, "http://[::ffff:192.0.2.1]:81/"),
    GOOD("IPv6 literal scheme-less", "[::1]:8080/x", true, false, "::1", true, 8080, "/x", NULL,
	 NULL, "http://[::1]:8080/x"),
    BAD("unterminated IPv6 literal", "http://[::1/", false, HC_EURL),
    BAD("junk after an IPv6 literal", "http://[::1]x/", false, HC_EURL),
    BAD("not an IPv6 address", "http://[g::1]/", false, HC_EURL),
    BAD("empty IPv6 literal", "http://[]/", false, HC_EURL),
    BAD("IPv6 literal with port 0", "http://[::1]:0/", false, HC_EURL),

    /* userinfo */
    GOOD("userinfo percent-decoded", "http://user:pa%40ss@host/", false, false, "host", false, 80,
	 "/", "user", "pa@ss", "http://host/"),
    GOOD("userinfo with %3A in the user", "http://us%3Aer:p%2fw@host:81/x", false, false, "host",
	 false, 81, "/x", "us:er", "p/w", "http://host:81/x"),
    GOOD("user without a password", "http://user@host/", false, false, "host", false, 80, "/",
	 "user", ANY, "http://host/"),
    GOOD("empty password", "http://user:@host/", false, false, "host", false, 80, "/", "user", "",
	 "http://host/"),
    GOOD("userinfo with an IPv6 literal", "http://u:p@[::1]:81/x", false, false, "::1", true, 81,
	 "/x", "u", "p", "http://[::1]:81/x"),
    GOOD("'@' in the query is not userinfo", "http://a?b@c/", false, false, "a", false, 80,
	 "/?b@c/", NULL, NULL, "http://a/?b@c/"),
    BAD("userinfo and no host", "http://user:pw@/x", false, HC_EURL),

    /* ports */
    GOOD("port 1", "http://h:1/", false, false, "h", false, 1, "/", NULL, NULL, "http://h:1/"),
    GOOD("port 65535", "http://h:65535/", false, false, "h", false, 65535, "/", NULL, NULL,
	 "http://h:65535/"),
    GOOD("default port 80 left out", "http://h:80/", false, false, "h", false, 80, "/", NULL, NULL,
	 "http://h/"),
    GOOD("default port 443 left out", "https://h:443/", false, true, "h", false, 443, "/", NULL,
	 NULL, "https://h/"),
    GOOD("443 on http is kept", "http://h:443/", false, false, "h", false, 443, "/", NULL, NULL,
	 "http://h:443/"),
    GOOD("80 on https is kept", "https://h:80/", false, true, "h", false, 80, "/", NULL, NULL,
	 "https://h:80/"),
    BAD("port 0", "http://h:0/", false, HC_EURL),
    BAD("port 65536", "http://h:65536/", false, HC_EURL),
    BAD("port abc", "http://h:abc/", false, HC_EURL),
    BAD("port -1", "http://h:-1/", false, HC_EURL),
    BAD("port +80", "http://h:+80/", false, HC_EURL),
    BAD("port 8080a", "http://h:8080a/", false, HC_EURL),
    BAD("port of 20 digits", "http://h:18446744073709551696/", false, HC_EURL),
    BAD("port 1:2 (two colons)", "http://a:1:2/", false, HC_EURL),
    /* found by fuzz_url: authority "http::", so host "http" and port ":" */
    BAD("port ':' (fuzz_url crash)", "http:://ost?x", true, HC_EURL),

    /* hosts */
    BAD("empty host", "http:///x", false, HC_EURL),
    BAD("nothing after the scheme", "http://", false, HC_EURL),
    BAD("empty host with a port", "http://:8080/", false, HC_EURL),
    BAD("empty host before a query", "https://?q", false, HC_EURL),
    BAD("percent in a host", "http://exa%6dple/", false, HC_EURL),
    BAD("backslash in a host", "http://a\\b/", false, HC_EURL),

    /* spaces and control characters anywhere */
    BAD("space in the host", "http://ho st/", false, HC_EURL),
    BAD("space in the path", "http://host/a b", false, HC_EURL),
    BAD("space in the query", "http://host/?q=a b", false, HC_EURL),
    BAD("space in the fragment", "http://host/#a b", false, HC_EURL),
    BAD("leading space", " http://host/", false, HC_EURL),
    BAD("trailing space", "http://host/ ", true, HC_EURL),
    BAD("tab in the path", "http://host/a\tb", false, HC_EURL),
    BAD("CR LF in the path", "http://host/a\r\nX: y", false, HC_EURL),
    BAD("control byte 0x01", "http://host/\x01", false, HC_EURL),
    BAD("DEL", "http://host/\x7f", false, HC_EURL),
    BAD("control byte in userinfo", "http://u\x02:p@host/", false, HC_EURL),
    BAD("space scheme-less", "exa mple.org", true, HC_EURL),

    /* targets */
    GOOD("no path is /", "http://host", false, false, "host", false, 80, "/", NULL, NULL,
	 "http://host/"),
    GOOD("query without a path", "http://host?x", false, false, "host", false, 80, "/?x", NULL,
	 NULL, "http://host/?x"),
    GOOD("port and query without a path", "http://host:8080?x=1", false, false, "host", false, 8080,
	 "/?x=1", NULL, NULL, "http://host:8080/?x=1"),
    GOOD("query kept", "http://h/p?a=1&b=2", false, false, "h", false, 80, "/p?a=1&b=2", NULL, NULL,
	 "http://h/p?a=1&b=2"),
    GOOD("fragment stripped", "http://h/p#frag", false, false, "h", false, 80, "/p", NULL, NULL,
	 "http://h/p"),
    GOOD("fragment after a query stripped", "http://h/p?q=1#frag", false, false, "h", false, 80,
	 "/p?q=1", NULL, NULL, "http://h/p?q=1"),
    GOOD("fragment without a path", "http://h#frag", false, false, "h", false, 80, "/", NULL, NULL,
	 "http://h/"),
    GOOD("empty fragment", "http://h/#", false, false, "h", false, 80, "/", NULL, NULL,
	 "http://h/"),
    GOOD("non-ASCII path bytes percent-encoded", "http://h/caf\xc3\xa9?q=\xc3\xa9", false, false,
	 "h", false, 80, "/caf%C3%A9?q=%C3%A9", NULL, NULL, "http://h/caf%C3%A9?q=%C3%A9"),
    GOOD("percent-escapes kept as they are", "http://h/a%20b?c=%2F", false, false, "h", false, 80,
	 "/a%20b?c=%2F", NULL, NULL, "http://h/a%20b?c=%2F"),
    GOOD("reserved characters kept", "http://h/a;b=c/d,e!$&'()*+:@~", false, false, "h", false, 80,
	 "/a;b=c/d,e!$&'()*+:@~", NULL, NULL, "http://h/a;b=c/d,e!$&'()*+:@~"),

    /* international host names (libidn2, loaded by the engine) */
    GOOD("IDNA host",
	 "http://b\xc3\xbc"
	 "cher.example/",
	 false, false, "xn--bcher-kva.example", false, 80, "/", NULL, NULL,
	 "http://xn--bcher-kva.example/"),
    GOOD("IDNA host scheme-less with port and userinfo",
	 "u:p@b\xc3\xbc"
	 "cher.example:8080/x",
	 true, false, "xn--bcher-kva.example", false, 8080, "/x", "u", "p",
	 "http://xn--bcher-kva.example:8080/x"),
    BAD("invalid UTF-8 host", "http://\xff\xfe/", false, HC_EURL),
    /* what IDNA maps a host to must still be a host: U+FF0F FULLWIDTH SOLIDUS -> '/' */
    BAD("IDNA mapping to '/' in the host",
	"http://a\xef\xbc\x8f"
	"b/",
	false, HC_EURL),
    /* U+FF20 FULLWIDTH COMMERCIAL AT -> '@' */
    BAD("IDNA mapping to '@' in the host",
	"http://a\xef\xbc\xa0"
	"b/",
	false, HC_EURL),
    /* U+00AD SOFT HYPHEN -> nothing: an empty host (found by fuzz_url) */
    BAD("IDNA mapping the host to nothing", "\xc2\xad", true, HC_EURL),
    /* U+00A0 NO-BREAK SPACE -> ' ' (found by fuzz_url) */
    BAD("IDNA mapping to a space in the host",
	"H555\xc2\xa0"
	"U",
	true, HC_EURL),
};

static bool same_user(const char *got, const char *want)
{
	if (want != NULL && strcmp(want, ANY) == 0)
		return got == NULL || *got == '\0';
	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

static void run_case(const struct ucase *c)
{
	struct hc_url u;
	char err[256] = "";
	memset(&u, 0xA5, sizeof(u));
	enum hc_err rc = url_parse(c->in, c->schemeless, &u, err, sizeof(err));
	if (rc != c->want) {
		FAIL("url_parse returned %s, want %s", hc_err_name(rc), hc_err_name(c->want));
		if (rc == HC_OK) {
			char *f = url_format(&u);
			unit_note("got host '%s', port %u, target '%s', effective URL '%s'",
				  u.host ? u.host : "(null)", u.port,
				  u.target ? u.target : "(null)", f ? f : "(null)");
			free(f);
		} else {
			unit_note("detail: %s", err);
		}
	} else if (rc != HC_OK) {
		CHECK(err[0] != '\0'); /* a one-line detail */
		CHECK(strchr(err, '\n') == NULL);
	} else {
		CHECK_EQ_INT(u.https, c->https);
		CHECK_EQ_STR(u.host, c->host);
		CHECK_EQ_INT(u.ipv6, c->ipv6);
		CHECK_EQ_UINT(u.port, c->port);
		CHECK_EQ_STR(u.target, c->target);
		if (!same_user(u.user, c->user))
			CHECK_EQ_STR(u.user, c->user);
		if (!same_user(u.pass, c->pass))
			CHECK_EQ_STR(u.pass, c->pass);
		char *f = url_format(&u);
		CHECK_EQ_STR(f, c->formatted);
		free(f);
	}
	/* url_parse clears *u first, so url_free is safe after any outcome (as main.c does) */
	url_free(&u);
}

static void add_query_cases(void)
{
	static const struct {
		const char *name, *url;
		const char *q[3][2];
		const char *target;
	} cases[] = {
	    {"space encoded as %20", "http://h/", {{"a b", "c d"}}, "/?a%20b=c%20d"},
	    {"second parameter joined with &",
	     "http://h/p",
	     {{"a", "1"}, {"b", "2"}},
	     "/p?a=1&b=2"},
	    {"appended to an existing query", "http://h/p?x=1", {{"k", "v"}}, "/p?x=1&k=v"},
	    {"unreserved characters kept", "http://h/", {{"a-._~Z9", "-._~"}}, "/?a-._~Z9=-._~"},
	    {"reserved characters encoded",
	     "http://h/",
	     {{"&=", "+/?#%"}},
	     "/?%26%3D=%2B%2F%3F%23%25"},
	    {"non-ASCII encoded in upper-case hex",
	     "http://h/",
	     {{"caf\xc3\xa9", "\xff"}},
	     "/?caf%C3%A9=%FF"},
	    {"empty value", "http://h/", {{"k", ""}}, "/?k="},
	    {"empty name and value", "http://h/", {{"", ""}}, "/?="},
	    {"fragment not in the way", "http://h/p#f", {{"a", "b"}}, "/p?a=b"},
	    {"three parameters", "http://h", {{"a", "1"}, {"b", "2"}, {"c", "3"}}, "/?a=1&b=2&c=3"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("url_add_query: %s", cases[i].name);
		struct hc_url u;
		char err[256];
		if (CHECK_EQ_INT(url_parse(cases[i].url, false, &u, err, sizeof(err)), HC_OK)) {
			for (size_t k = 0; k < 3 && cases[i].q[k][0] != NULL; k++)
				CHECK_EQ_INT(url_add_query(&u, cases[i].q[k][0], cases[i].q[k][1]),
					     HC_OK);
			CHECK_EQ_STR(u.target, cases[i].target);
		}
		url_free(&u);
		unit_end();
	}
}

static void hostport_cases(void)
{
	static const struct {
		const char *host;
		unsigned port;
		bool https;
		const char *want;
	} cases[] = {
	    {"example.org", 80, false, "example.org"},
	    {"example.org", 443, true, "example.org"},
	    {"example.org", 443, false, "example.org:443"},
	    {"example.org", 80, true, "example.org:80"},
	    {"example.org", 8080, false, "example.org:8080"},
	    {"127.0.0.1", 65535, true, "127.0.0.1:65535"},
	    {"::1", 80, false, "[::1]"},
	    {"::1", 443, true, "[::1]"},
	    {"::1", 8080, false, "[::1]:8080"},
	    {"2001:db8::1", 8443, true, "[2001:db8::1]:8443"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("url_hostport: %s port %u %s -> %s", cases[i].host, cases[i].port,
			   cases[i].https ? "https" : "http", cases[i].want);
		char *s = url_hostport(cases[i].host, cases[i].port, cases[i].https);
		CHECK_EQ_STR(s, cases[i].want);
		free(s);
		unit_end();
	}
}

static void has_scheme_cases(void)
{
	static const struct {
		const char *in;
		bool want;
	} cases[] = {
	    {"http://x", true}, {"HTTPS://x", true},	{"a+b-c.d://x", true},
	    {"ftp://x", true},	{"example.org", false}, {"localhost:80", false},
	    {":8080/x", false}, {"1http://x", false},	{"http:/x", false},
	    {"", false},	{"//x", false},		{"http:x//", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("url_has_scheme: '%s' -> %s", cases[i].in, cases[i].want ? "yes" : "no");
		CHECK_EQ_INT(url_has_scheme(cases[i].in), cases[i].want);
		unit_end();
	}
}

static void ip_literal_cases(void)
{
	static const struct {
		const char *in;
		bool want;
	} cases[] = {
	    {"127.0.0.1", true},  {"::1", true},	  {"2001:db8::1", true}, {"::ffff:1.2.3.4", true},
	    {"localhost", false}, {"1.2.3", false},	  {"[::1]", false},	 {"1.2.3.4.5", false},
	    {"", false},	  {"fe80::1%lo", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("url_is_ip_literal: '%s' -> %s", cases[i].in, cases[i].want ? "yes" : "no");
		CHECK_EQ_INT(url_is_ip_literal(cases[i].in), cases[i].want);
		unit_end();
	}
}

static void localhost_cases(void)
{
	/* RFC 6761 §6.3: localhost and the names under it; the root's dot is the same name */
	static const struct {
		const char *in;
		bool want;
	} cases[] = {
	    {"localhost", true},     {"LocalHost", true},	  {"localhost.", true},
	    {"a.localhost", true},   {"foo.bar.localhost", true}, {"x.LOCALHOST.", true},
	    {"localhost.com", false}, {"notlocalhost", false},	  {".localhost", false},
	    {"a..localhost", false}, {"localhost..", false},	  {"localhos", false},
	    {"127.0.0.1", false},    {"", false},		  {".", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("url_is_localhost: '%s' -> %s", cases[i].in, cases[i].want ? "yes" : "no");
		CHECK_EQ_INT(url_is_localhost(cases[i].in), cases[i].want);
		unit_end();
	}
}

static void resolve_cases(void)
{
	/* RFC 3986 §5.4 examples where they apply, and the non-strict same-scheme rule */
	static const struct {
		const char *base, *loc, *want;
	} cases[] = {
	    {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
	    {"http://a/b/c/d;p?q", "./g", "http://a/b/c/g"},
	    {"http://a/b/c/d;p?q", "g/", "http://a/b/c/g/"},
	    {"http://a/b/c/d;p?q", "/g", "http://a/g"},
	    {"http://a/b/c/d;p?q", "//g", "http://g"},
	    {"http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y"},
	    {"http://a/b/c/d;p?q", "g?y", "http://a/b/c/g?y"},
	    {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q"},
	    {"http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q"},
	    {"http://a/b/c/d;p?q", "../../g", "http://a/g"},
	    {"http://a/b/c/d;p?q", "../../../../g", "http://a/g"},
	    {"http://a/b/c/d;p?q", "https://other:8443/x/../y", "https://other:8443/y"},
	    {"http://a/b/c/d;p?q", "http:g", "http://a/b/c/g"},
	    {"http://a/b/c/d;p?q", "HTTP:g", "http://a/b/c/g"},
	    {"http://h:8080/dir/x", "http:foo/bar", "http://h:8080/dir/foo/bar"},
	    {"http://h/dir/x", "http:/abs", "http://h/abs"},
	    {"http://h/dir/x?q", "http:?z", "http://h/dir/x?z"},
	    {"https://h/dir/", "https:foo", "https://h/dir/foo"},
	    {"https://h/dir/", "http:foo", "http://foo"},
	    {"http://h/dir/", "mailto:a@b", "mailto://a@b"},
	    {"http://[::1]:81/a/b", "http:c", "http://[::1]:81/a/c"},
	    {"http://h/", "a b\xc3\xa9", "http://h/a%20b%C3%A9"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_begin("url_resolve: '%s' against %s -> %s", cases[i].loc, cases[i].base,
			   cases[i].want);
		struct hc_url u;
		char err[256];
		if (CHECK_EQ_INT(url_parse(cases[i].base, false, &u, err, sizeof(err)), HC_OK)) {
			char *got = url_resolve(&u, cases[i].loc);
			CHECK_EQ_STR(got, cases[i].want);
			free(got);
		}
		url_free(&u);
		unit_end();
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ucase *c = &cases[i];
		unit_begin("url_parse: %s%s -> %s", c->name, c->schemeless ? " (schemeless)" : "",
			   hc_err_name(c->want));
		run_case(c);
		unit_end();
	}
	add_query_cases();
	hostport_cases();
	has_scheme_cases();
	ip_literal_cases();
	localhost_cases();
	resolve_cases();
	return unit_done();
}
