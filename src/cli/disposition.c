/* Content-Disposition (RFC 6266, RFC 8187) and safe file names for -O and -J. */
#include <string.h>
#include <strings.h>

#include "disposition.h"

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 8187 §3.2.1 attr-char: tchar without ' * and % */
static bool is_attr_char(unsigned char c)
{
	return is_tchar(c) && c != '\'' && c != '*' && c != '%';
}

static size_t ows(const char *v, size_t n, size_t i)
{
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return i;
}

static size_t token_end(const char *v, size_t n, size_t i)
{
	while (i < n && is_tchar((unsigned char)v[i]))
		i++;
	return i;
}

/* RFC 9110 §5.6.4: a quoted string starting at v[i] == '"'; the index after it, or 0. */
static size_t quoted_end(const char *v, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"')
			return i + 1;
		if (c == '\\') {
			if (++i == n)
				return 0;
			c = (unsigned char)v[i];
			if (c != '\t' && (c < 0x20 || c == 0x7f))
				return 0;
		} else if (c != '\t' && (c < 0x20 || c == 0x7f)) {
			return 0;
		}
	}
	return 0;
}

/* The bytes of a quoted string (quotes included in q), quoted pairs undone. */
static long unquote(const char *q, size_t n, char *out, size_t cap)
{
	size_t len = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		if (q[i] == '\\')
			i++;
		if (len == cap)
			return -1;
		out[len++] = q[i];
	}
	return (long)len;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t dl_pct_decode(const char *in, size_t n, char *out, size_t cap)
{
	size_t len = 0;
	for (size_t i = 0; i < n && len < cap; i++) {
		int hi, lo;
		if (in[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)in[i + 2])) >= 0) {
			out[len++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[len++] = in[i];
		}
	}
	return len;
}

/* A UTF-8 check one byte at a time (RFC 3629: no overlong forms, no surrogates, to U+10FFFF). */
struct u8 {
	unsigned need, len, cp;
};

static bool u8_step(struct u8 *s, unsigned char c)
{
	if (s->need == 0) {
		s->len = c < 0x80		 ? 1
			 : c >= 0xc2 && c < 0xe0 ? 2
			 : c >= 0xe0 && c < 0xf0 ? 3
			 : c >= 0xf0 && c < 0xf5 ? 4
						 : 0;
		if (s->len == 0)
			return false;
		s->cp = c & (0x7f >> s->len);
		s->need = s->len - 1;
		return true;
	}
	if ((c & 0xc0) != 0x80)
		return false;
	s->cp = s->cp << 6 | (c & 0x3f);
	if (--s->need > 0)
		return true;
	return !((s->len == 3 && s->cp < 0x800) || (s->len == 4 && s->cp < 0x10000) ||
		 (s->cp >= 0xd800 && s->cp <= 0xdfff) || s->cp > 0x10ffff);
}

/*
 * RFC 8187 §3.2.1 ext-value: charset "'" [ language ] "'" value-chars, the
 * value in UTF-8 in out. Returns its length, -1 when it cannot be used
 * (another charset, a bad escape, bytes that are not UTF-8), -2 when too long.
 */
static long ext_value(const char *v, size_t n, char *out, size_t cap)
{
	const char *q1 = memchr(v, '\'', n), *q2;
	if (q1 == NULL || (q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v))) == NULL)
		return -1;
	size_t cs = (size_t)(q1 - v);
	bool utf8 = cs == 5 && strncasecmp(v, "UTF-8", 5) == 0;
	if (!utf8 && !(cs == 10 && strncasecmp(v, "ISO-8859-1", 10) == 0))
		return -1;
	size_t len = 0;
	struct u8 st = {0};
	for (const char *p = q2 + 1, *end = v + n; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		int hi, lo;
		if (c == '%') {
			if (end - p < 3 || (hi = hexval((unsigned char)p[1])) < 0 ||
			    (lo = hexval((unsigned char)p[2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			p += 2;
		} else if (!is_attr_char(c)) {
			return -1;
		}
		if (utf8 && !u8_step(&st, c))
			return -1;
		/* whether it fits is decided at the end: a bad value is -1 whatever cap is */
		if (!utf8 && c >= 0x80) { /* ISO-8859-1 to UTF-8 */
			if (len + 2 <= cap) {
				out[len] = (char)(0xc0 | c >> 6);
				out[len + 1] = (char)(0x80 | (c & 0x3f));
			}
			len += 2;
		} else {
			if (len < cap)
				out[len] = (char)c;
			len++;
		}
	}
	if (st.need)
		return -1;
	return len > cap ? -2 : (long)len;
}

struct param {
	size_t at, len; /* the value's bytes in the field */
	bool seen, quoted;
};

long cd_filename(const char *v, size_t n, char *out, size_t cap)
{
	struct param fn = {0}, ext = {0};
	size_t i = ows(v, n, 0), e = token_end(v, n, i);
	if (e == i) /* RFC 6266 §4.1: a disposition type first */
		return -1;
	for (i = e;;) {
		i = ows(v, n, i);
		if (i == n)
			break;
		if (v[i] != ';')
			return -1;
		if ((i = ows(v, n, i + 1)) == n)
			break; /* a trailing ';' is tolerated */
		size_t ns = i;
		if ((i = token_end(v, n, i)) == ns)
			return -1;
		size_t nl = i - ns;
		i = ows(v, n, i);
		if (i == n || v[i] != '=')
			return -1;
		size_t vs = i = ows(v, n, i + 1);
		bool quoted = i < n && v[i] == '"';
		if (quoted ? (i = quoted_end(v, n, i)) == 0 : (i = token_end(v, n, i)) == vs)
			return -1;
		struct param *p = nl == 8 && strncasecmp(v + ns, "filename", 8) == 0	? &fn
				  : nl == 9 && strncasecmp(v + ns, "filename*", 9) == 0 ? &ext
											: NULL;
		if (p && p->seen) /* RFC 6266 §4.1: no parameter twice */
			return -1;
		if (p)
			*p = (struct param){vs, i - vs, true, quoted};
	}
	/* RFC 6266 §4.3: filename* first; an ext-value is never a quoted string */
	if (ext.seen && !ext.quoted) {
		long r = ext_value(v + ext.at, ext.len, out, cap);
		if (r != -1)
			return r < 0 ? -1 : r;
	}
	if (!fn.seen)
		return 0;
	if (fn.quoted)
		return unquote(v + fn.at, fn.len, out, cap);
	if (fn.len > cap)
		return -1;
	memcpy(out, v + fn.at, fn.len);
	return (long)fn.len;
}

size_t dl_reduce(const char *in, size_t n, bool split, char *out, size_t cap)
{
	if (split)
		for (size_t i = n; i-- > 0;)
			if (in[i] == '/' || in[i] == '\\') {
				in += i + 1;
				n -= i + 1;
				break;
			}
	if (n == 0 || n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		out[i] = c < 0x20 || c == 0x7f || c == '/' || c == '\\' ? '_' : (char)c;
	}
	if (out[0] == '.' || out[0] == '-') /* no hidden files, nothing read as an option */
		out[0] = '_';
	out[n] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		return 0;
	return n;
}
