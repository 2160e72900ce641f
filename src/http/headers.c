/* Ordered header fields (the seed's HTTPMessage) and the request head buffer. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "headers.h"

enum hc_err hdr_add(struct hc_headers *h, const char *name, size_t nlen, const char *value,
		    size_t vlen)
{
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 16;
		struct hc_field *nv = reallocarray(h->v, ncap, sizeof(*nv));
		if (nv == NULL)
			return HC_ENOMEM;
		h->v = nv;
		h->cap = ncap;
	}
	char *s = malloc(nlen + vlen + 2);
	if (s == NULL)
		return HC_ENOMEM;
	memcpy(s, name, nlen);
	s[nlen] = '\0';
	memcpy(s + nlen + 1, value, vlen);
	s[nlen + 1 + vlen] = '\0';
	h->v[h->n].name = s;
	h->v[h->n].value = s + nlen + 1;
	h->n++;
	return HC_OK;
}

const char *hdr_get(const struct hc_headers *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

char *hdr_get_joined(const struct hc_headers *h, const char *name)
{
	size_t total = 0, count = 0;
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0) {
			total += strlen(h->v[i].value) + 2;
			count++;
		}
	if (count == 0)
		return NULL;
	char *out = malloc(total + 1), *p = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, name) != 0)
			continue;
		if (p != out) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		size_t l = strlen(h->v[i].value);
		memcpy(p, h->v[i].value, l);
		p += l;
	}
	*p = '\0';
	return out;
}

bool hdr_list_next(const char **s, const char **elem, size_t *len)
{
	const char *p = *s;
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (*p == '\0') {
		*s = p;
		return false;
	}
	const char *end = p + strcspn(p, ","), *t = end;
	while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
		t--;
	*elem = p;
	*len = (size_t)(t - p);
	*s = end;
	return true;
}

static bool list_has_token(const char *s, const char *token)
{
	size_t tl = strlen(token), n;
	for (const char *e; hdr_list_next(&s, &e, &n);)
		if (n == tl && strncasecmp(e, token, tl) == 0)
			return true;
	return false;
}

bool hdr_has_token(const struct hc_headers *h, const char *name, const char *token)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0 && list_has_token(h->v[i].value, token))
			return true;
	return false;
}

void hdr_free(struct hc_headers *h)
{
	for (size_t i = 0; i < h->n; i++)
		free((char *)h->v[i].name);
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

bool hdr_is_tchar(unsigned char ch)
{
	/* RFC 9110 §5.6.2: tchar */
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

bool hdr_valid_name(const char *name, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!hdr_is_tchar((unsigned char)name[i]))
			return false;
	return true;
}

bool hdr_valid_value(const char *value, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0')
			return false;
	return true;
}

enum hc_err hb_add(struct hc_headbuf *b, const char *data, size_t len)
{
	if (len == 0)
		return HC_OK;
	if (len > b->max - b->len)
		return HC_EUSAGE;
	if (b->len + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		while (ncap < b->len + len)
			ncap *= 2;
		if (ncap > b->max)
			ncap = b->max;
		/* not realloc: the old block may hold credentials, and is wiped before it goes */
		char *np = malloc(ncap);
		if (np == NULL)
			return HC_ENOMEM;
		if (b->p) {
			memcpy(np, b->p, b->len);
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return HC_OK;
}

enum hc_err hb_adds(struct hc_headbuf *b, const char *s)
{
	return hb_add(b, s, strlen(s));
}

void hb_free(struct hc_headbuf *b)
{
	/* a request head may carry Authorization or Proxy-Authorization */
	if (b->p)
		explicit_bzero(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
