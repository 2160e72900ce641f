/* Ordered header fields with case-insensitive lookup (the seed's HTTPMessage). */
#ifndef HC_HEADERS_H
#define HC_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hc_field {
	const char *name;
	const char *value;
};

/* Owned fields: each name and value live in one allocation per field. */
struct hc_headers {
	struct hc_field *v;
	size_t n, cap;
};

enum hc_err;

enum hc_err hdr_add(struct hc_headers *h, const char *name, size_t nlen, const char *value,
		    size_t vlen);
/* The first field of that name, or NULL. */
const char *hdr_get(const struct hc_headers *h, const char *name);
/* Every field of that name joined with ", " (the seed's getheader); caller frees. NULL if none. */
char *hdr_get_joined(const struct hc_headers *h, const char *name);
/*
 * The next element of a comma-separated list (RFC 9110 §5.6.1): optional
 * whitespace around each element is dropped and empty elements are skipped.
 * Sets *elem and *len to it and moves *s past it; false at the end of the list.
 *   for (const char *p = value, *e; hdr_list_next(&p, &e, &n);) ...
 */
bool hdr_list_next(const char **s, const char **elem, size_t *len);
/* Does any field of that name hold this comma-separated token (case-insensitive)? */
bool hdr_has_token(const struct hc_headers *h, const char *name, const char *token);
void hdr_free(struct hc_headers *h);

/* RFC 9110 §5.6.2 token characters. */
bool hdr_is_tchar(unsigned char ch);
bool hdr_valid_name(const char *name, size_t len);
/* No CR, LF or NUL: what a value must avoid to stay one field. */
bool hdr_valid_value(const char *value, size_t len);

/* A growable byte buffer with a ceiling, for request heads. */
struct hc_headbuf {
	char *p;
	size_t len, cap, max;
};
enum hc_err hb_add(struct hc_headbuf *b, const char *data, size_t len);
enum hc_err hb_adds(struct hc_headbuf *b, const char *s);
/* Wipes the bytes (credentials, perhaps) before freeing them. */
void hb_free(struct hc_headbuf *b);

#endif
