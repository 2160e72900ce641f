/*
 * Unit tests for jar.c: the cookie-file reader (Netscape lines, #HttpOnly_,
 * Set-Cookie: lines, what is skipped and which line is named) and the
 * writer (curl's format, read back to the same cookies, mode 0600).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "jar.h"
#include "unit.h"

#define NOW 1700000000LL

struct warned {
	char lines[256];
	size_t len;
};

static void note(void *ud, size_t lineno, const char *why)
{
	struct warned *w = ud;
	(void)why;
	w->len += (size_t)snprintf(w->lines + w->len, sizeof(w->lines) - w->len, "%zu,", lineno);
}

static void read_cases(void)
{
	static const struct {
		const char *name, *text, *host, *path;
		bool https;
		const char *want, *warned;
	} c[] = {
	    {"a host-only line", "example.com\tFALSE\t/\tFALSE\t0\ta\t1\n", "example.com", "/",
	     false, "a=1", ""},
	    {"not sent to a subdomain", "example.com\tFALSE\t/\tFALSE\t0\ta\t1\n", "x.example.com",
	     "/", false, "", ""},
	    {"a domain line (dot)", ".example.com\tTRUE\t/\tFALSE\t0\ta\t1\n", "x.example.com", "/",
	     false, "a=1", ""},
	    {"a domain line without the dot", "example.com\tTRUE\t/\tFALSE\t0\ta\t1\n",
	     "x.example.com", "/", false, "a=1", ""},
	    {"#HttpOnly_ is a cookie, # a comment",
	     "# Netscape HTTP Cookie File\n#HttpOnly_example.com\tFALSE\t/\tFALSE\t0\th\t1\n"
	     "#example.com\tFALSE\t/\tFALSE\t0\tc\t2\n",
	     "example.com", "/", false, "h=1", ""},
	    {"CRLF line ends",
	     "example.com\tFALSE\t/\tFALSE\t0\ta\t1\r\nexample.com\tFALSE\t/\tFALSE\t0\tb\t2\r\n",
	     "example.com", "/", false, "a=1; b=2", ""},
	    {"no final newline", "example.com\tFALSE\t/\tFALSE\t0\ta\t1", "example.com", "/", false,
	     "a=1", ""},
	    {"six fields: an empty value", "example.com\tFALSE\t/\tFALSE\t0\ta\n", "example.com",
	     "/", false, "a=", ""},
	    {"Secure over https only", "example.com\tFALSE\t/\tTRUE\t0\ts\t1\n", "example.com", "/",
	     false, "", ""},
	    {"Secure over https", "example.com\tFALSE\t/\tTRUE\t0\ts\t1\n", "example.com", "/",
	     true, "s=1", ""},
	    {"the path is kept", "example.com\tFALSE\t/a\tFALSE\t0\tp\t1\n", "example.com", "/b",
	     false, "", ""},
	    {"expired lines are left out quietly", "example.com\tFALSE\t/\tFALSE\t1\told\t1\n",
	     "example.com", "/", false, "", ""},
	    {"true and false in any case", "example.com\tfalse\t/\tfalse\t0\ta\t1\n", "example.com",
	     "/", false, "a=1", ""},
	    {"blank lines and spaces", "\n   \n\t\nexample.com\tFALSE\t/\tFALSE\t0\ta\t1\n",
	     "example.com", "/", false, "a=1", ""},
	    {"a line of text is named", "junk\nexample.com\tFALSE\t/\tFALSE\t0\ta\t1\n",
	     "example.com", "/", false, "a=1", "1,"},
	    {"too many fields", "example.com\tFALSE\t/\tFALSE\t0\ta\t1\textra\n", "example.com",
	     "/", false, "", "1,"},
	    {"a bad flag", "example.com\tYES\t/\tFALSE\t0\ta\t1\n", "example.com", "/", false, "",
	     "1,"},
	    {"a bad expiry", "example.com\tFALSE\t/\tFALSE\t-5\ta\t1\n", "example.com", "/", false,
	     "", "1,"},
	    {"an expiry beyond 64 bits",
	     "example.com\tFALSE\t/\tFALSE\t99999999999999999999\ta\t1\n", "example.com", "/",
	     false, "", "1,"},
	    {"a NUL byte",
	     "example.com\tFALSE\t/\tFALSE\t0\ta\t1\0x\nexample.com\tFALSE\t/\tFALSE\t0\tb\t2\n",
	     "example.com", "/", false, "b=2", "1,"},
	    {"a ; in a value", "example.com\tFALSE\t/\tFALSE\t0\ta\t1;b=2\n", "example.com", "/",
	     false, "", "1,"},
	    {"an empty domain", "\tFALSE\t/\tFALSE\t0\ta\t1\n", "example.com", "/", false, "",
	     "1,"},
	    {"a domain that is no host name", "ex ample.com\tFALSE\t/\tFALSE\t0\ta\t1\n",
	     "example.com", "/", false, "", "1,"},
	    {"Set-Cookie: a Domain that would not read back", "Set-Cookie: a=1; Domain=#x\n",
	     "first.test", "/", false, "", "1,"},
	    {"a colon in a domain that is no IPv6 address (set-cookie:x.test would read back "
	     "wrong)",
	     "#HttpOnly_a:b.test\tFALSE\t/\tFALSE\t0\ta\t1\n", "a:b.test", "/", false, "", "1,"},
	    {"an IPv6 address", "::1\tFALSE\t/\tFALSE\t0\ta\t1\n", "::1", "/", false, "a=1", ""},
	    {"several bad lines, each named", "x\n\ny\nexample.com\tFALSE\t/\tFALSE\t0\ta\t1\nz\n",
	     "example.com", "/", false, "a=1", "1,3,5,"},
	    {"Set-Cookie: for the first URL's host", "Set-Cookie: a=1\n", "first.test", "/", false,
	     "a=1", ""},
	    {"Set-Cookie: any case, no space", "set-cookie:a=1\n", "first.test", "/", false, "a=1",
	     ""},
	    {"Set-Cookie: with Domain is that domain's", "Set-Cookie: a=1; Domain=other.test\n",
	     "www.other.test", "/", false, "a=1", ""},
	    {"Set-Cookie: with Domain is not the first host's",
	     "Set-Cookie: a=1; Domain=other.test\n", "first.test", "/", false, "", ""},
	    {"Set-Cookie: Secure kept from a file", "Set-Cookie: s=1; Secure\n", "first.test", "/",
	     true, "s=1", ""},
	    {"Set-Cookie: malformed is named", "Set-Cookie: =\n", "first.test", "/", false, "",
	     "1,"},
	    {"Set-Cookie: the last Domain names the host",
	     "Set-Cookie: a=1; Domain=x.test; Domain=com\n", "first.test", "/", false, "", ""},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unit_begin("jar_parse: %s -> %s", c[i].name, c[i].want[0] ? c[i].want : "(none)");
		struct ck_store s;
		struct warned w = {.len = 0};
		struct ck_origin first = {"first.test", "/", false};
		struct ck_origin to = {c[i].host, c[i].path, c[i].https};
		size_t len = strlen(c[i].text);
		if (strstr(c[i].name, "NUL"))
			len += 1 + strlen(c[i].text + len + 1);
		ck_init(&s);
		size_t skipped = jar_parse(&s, c[i].text, len, &first, NOW, note, &w);
		char *got = ck_header(&s, &to, NOW);
		CHECK_EQ_STR(got ? got : "", c[i].want);
		CHECK_EQ_STR(w.lines, c[i].warned);
		size_t commas = 0;
		for (const char *p = c[i].warned; *p; p++)
			commas += *p == ',';
		CHECK_EQ_UINT(skipped, commas);
		free(got);
		ck_free(&s);
		unit_end();
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	*len = 0;
	if (f == NULL)
		return NULL;
	buf = malloc(1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void write_cases(void)
{
	static const char jar[] =
	    "# Netscape HTTP Cookie File\n"
	    "# The format: https://curl.se/docs/http-cookies.html (written by hcli)\n"
	    "\n"
	    ".example.com\tTRUE\t/\tFALSE\t0\td\t1\n"
	    "#HttpOnly_example.com\tFALSE\t/a\tTRUE\t1800000000\th\t2\n"
	    "example.com\tFALSE\t/\tFALSE\t0\tempty\t\n";
	char dir[] = "/tmp/test_jar.XXXXXX", path[64], err[HC_ERRBUF];
	struct ck_store s;
	struct warned w = {.len = 0};
	struct ck_origin first = {"first.test", "/", false};

	unit_begin("jar_save writes what jar_parse read, byte for byte, mode 0600");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/jar", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && fchmod(fd, 0644) == 0 && close(fd) == 0);
	ck_init(&s);
	jar_parse(&s, jar, sizeof(jar) - 1, &first, NOW, note, &w);
	CHECK_EQ_INT(jar_save(&s, path, NOW, err, sizeof(err)), HC_OK);
	size_t len;
	char *got = slurp(path, &len);
	CHECK_EQ_MEM(got, len, jar, sizeof(jar) - 1);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	free(got);
	unit_end();

	unit_begin("jar_save into a missing directory: HC_EWRITE naming the jar, nothing left");
	char bad[96];
	snprintf(bad, sizeof(bad), "%s/no/jar", dir);
	CHECK_EQ_INT(jar_save(&s, bad, NOW, err, sizeof(err)), HC_EWRITE);
	CHECK(strstr(err, "no/jar") != NULL);
	unit_end();
	ck_free(&s);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	unit_init();
	read_cases();
	write_cases();
	return unit_done();
}
