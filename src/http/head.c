/* Status line and header block (the seed's HTTPResponse._read_status and parse_headers). */
#include <string.h>

#include "error.h"
#include "head.h"
#include "headers.h"
#include "limits.h"

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A CR not followed by LF, or a NUL, inside [p, e): never valid in a head. */
static bool has_bad_byte(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p == '\r' || *p == '\0')
			return true;
	return false;
}

/*
 * Status line (RFC 9112 §4): HTTP/1.0 or HTTP/1.1, one or more spaces, three
 * digits 100-999, then nothing or a space and any reason.
 */
static int parse_status(const char *p, size_t n, struct hc_head *h)
{
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
		return -HC_EBADSTATUS;
	size_t i = 8;
	while (i < n && p[i] == ' ')
		i++;
	if (n - i < 3)
		return -HC_EBADSTATUS;
	for (size_t k = 0; k < 3; k++)
		if (p[i + k] < '0' || p[i + k] > '9')
			return -HC_EBADSTATUS;
	if (p[i] == '0')
		return -HC_EBADSTATUS;
	h->status = (p[i] - '0') * 100 + (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
	i += 3;
	if (i < n && p[i] != ' ')
		return -HC_EBADSTATUS;
	h->reason = i < n ? p + i + 1 : p + n;
	h->rlen = i < n ? n - i - 1 : 0;
	h->version = p[7] == '0' ? 10 : 11;
	h->line = p;
	h->line_len = n;
	return 0;
}

int head_parse_field(const char *p, size_t n, struct hc_head_field *f)
{
	const char *colon = memchr(p, ':', n);
	if (colon == NULL || !hdr_valid_name(p, (size_t)(colon - p)))
		return -HC_EHEADER;
	if (has_bad_byte(p, p + n))
		return -HC_EHEADER;
	const char *v = colon + 1, *e = p + n;
	while (v < e && is_ws(*v))
		v++;
	while (e > v && is_ws(e[-1]))
		e--;
	f->name = p;
	f->nlen = (size_t)(colon - p);
	f->value = v;
	f->vlen = (size_t)(e - v);
	f->folded = false;
	return 0;
}

/* A partial line that can no longer end within the limit, or a bad status prefix. */
static long need_more(const char *buf, size_t len, size_t pos, bool status)
{
	if (len - pos >= HC_MAX_LINE)
		return -HC_ELINE;
	if (status) {
		static const char prefix[] = "HTTP/1.";
		size_t k = len - pos < 7 ? len - pos : 7;
		if (memcmp(buf + pos, prefix, k) != 0)
			return -HC_EBADSTATUS;
	}
	return 0;
}

long head_parse(const char *buf, size_t len, struct hc_head *h)
{
	size_t pos = 0;
	bool status = true;

	h->nfields = 0;
	for (;;) {
		const char *lf = memchr(buf + pos, '\n', len - pos);
		if (lf == NULL)
			return need_more(buf, len, pos, status);
		size_t e = (size_t)(lf - buf);
		if (e - pos + 1 > HC_MAX_LINE)
			return -HC_ELINE;
		size_t ce = (e > pos && buf[e - 1] == '\r') ? e - 1 : e; /* bare LF accepted */
		const char *p = buf + pos;
		size_t n = ce - pos;

		if (status) {
			if (has_bad_byte(p, p + n))
				return -HC_EBADSTATUS;
			int rc = parse_status(p, n, h);
			if (rc < 0)
				return rc;
			status = false;
		} else if (n == 0) {
			return (long)(e + 1);
		} else if (is_ws(*p)) {
			/* RFC 9112 §5.2: obsolete line folding, joined later */
			if (h->nfields == 0 || has_bad_byte(p, p + n))
				return -HC_EHEADER;
			struct hc_head_field *f = &h->fields[h->nfields - 1];
			const char *end = p + n;
			while (end > p && is_ws(end[-1]))
				end--;
			const char *s = p;
			while (s < end && is_ws(*s))
				s++;
			if (s < end) {
				if (f->vlen == 0)
					f->value = s;
				f->vlen = (size_t)(end - f->value);
				f->folded = true;
			}
		} else {
			if (h->nfields == h->maxfields)
				return -HC_EHEADERS;
			int rc = head_parse_field(p, n, &h->fields[h->nfields]);
			if (rc < 0)
				return rc;
			h->nfields++;
		}
		pos = e + 1;
	}
}

size_t head_unfold(const char *v, size_t vlen, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < vlen;) {
		if (v[i] == '\r' || v[i] == '\n') {
			while (o > 0 && is_ws(out[o - 1]))
				o--;
			while (i < vlen && (v[i] == '\r' || v[i] == '\n' || is_ws(v[i])))
				i++;
			out[o++] = ' ';
		} else {
			out[o++] = v[i++];
		}
	}
	return o;
}
