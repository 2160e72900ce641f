/*
 * The JSON formatter's oracles, for its unit table (test_pretty.c) and its
 * fuzz target (fuzz_pretty.c): what is left of its output once colour codes,
 * or colour codes and the layout, are taken out. Each writes at most n bytes
 * to dst and returns how many it wrote.
 */
#ifndef JSON_STRIP_H
#define JSON_STRIP_H

#include <stdbool.h>
#include <stddef.h>

/* Colour codes taken out. */
static inline size_t strip_sgr(const char *s, size_t n, char *dst)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\033') { /* a raw ESC is never in the valid part */
			while (i < n && s[i] != 'm')
				i++;
		} else {
			dst[k++] = s[i];
		}
	}
	return k;
}

/* Whitespace outside strings and colour codes taken out. */
static inline size_t strip_layout(const char *s, size_t n, char *dst)
{
	bool str = false, esc = false;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\033') { /* a raw ESC is never in the valid part */
			while (i < n && s[i] != 'm')
				i++;
		} else if (str) {
			dst[k++] = c;
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				str = false;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			str = c == '"';
			dst[k++] = c;
		}
	}
	return k;
}

#endif
