/*
 * libFuzzer target for the Digest challenge lexer and dg_parse.
 * Invariants: every element is a slice of the input and the lexer always
 * moves forward; a challenge found has a NUL-terminated realm, nonce and
 * opaque within their bounds, and its response can be computed.
 * max_len: 8192
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so ASan sees any read past the end */
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	struct dg_lexer lx;
	struct dg_item it;
	enum dg_tok t;
	dg_lex_init(&lx, buf, size);
	const char *before = lx.p;
	size_t n = 0;
	while ((t = dg_next(&lx, &it)) != DG_END) {
		check(lx.p > before && lx.p <= buf + size);
		before = lx.p;
		if (t == DG_SCHEME || t == DG_PARAM)
			check(inside(it.name, it.nlen, buf, size) && it.nlen > 0);
		if (t == DG_PARAM || t == DG_TOKEN68)
			check(inside(it.value, it.vlen, buf, size));
		check(++n <= size);
	}
	struct dg_challenge c;
	if (dg_parse(buf, size, &c)) {
		check(memchr(c.realm, 0, sizeof(c.realm)) && memchr(c.nonce, 0, sizeof(c.nonce)));
		check(!c.opaque_set || memchr(c.opaque, 0, sizeof(c.opaque)));
		char *r = dg_response(&c, "user", "pass", "GET", "/", 1, "0123456789abcdef");
		check(r && strncmp(r, "Digest ", 7) == 0 && !strpbrk(r, "\r\n"));
		free(r);
	}
	free(buf);
	return 0;
}
