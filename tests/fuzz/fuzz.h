/*
 * What the libFuzzer targets share: the entry point's prototype and the
 * checks they make of what a parser gave back. A broken check aborts, which
 * libFuzzer reports with the input that broke it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void check(int ok)
{
	if (!ok)
		abort();
}

/* Is the slice [p, p + n) within [buf, buf + len)? */
static inline int inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p != NULL && p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

/* Bytes a request line and a Host header can carry as they are. */
static inline int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

#endif
