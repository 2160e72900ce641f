/*
 * libFuzzer target for the cookie-file reader (src/cli/jar.c): the input is
 * a cookie file. Whatever it holds, reading it never fails, and the jar
 * written from what was read reads back to the same jar, byte for byte (so
 * nothing the reader keeps can break the file curl and hcli read next).
 * max_len: 8192
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jar.h"

#define NOW 1700000000LL

static void ignore(void *ud, size_t lineno, const char *why)
{
	(void)ud, (void)lineno;
	check(why != NULL && *why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ck_origin first = {"first.example", "/", true};
	struct ck_store a, b;
	size_t la, lb;
	char *in = malloc(size ? size : 1); /* exactly the input's size */
	check(in != NULL);
	memcpy(in, data, size);
	ck_init(&a);
	ck_init(&b);
	jar_parse(&a, in, size, &first, NOW, ignore, NULL);
	char *ja = jar_format(&a, NOW, &la);
	check(ja != NULL);
	check(jar_parse(&b, ja, la, &first, NOW, ignore, NULL) == 0);
	char *jb = jar_format(&b, NOW, &lb);
	check(jb != NULL && la == lb && memcmp(ja, jb, la) == 0);
	free(ja);
	free(jb);
	free(in);
	ck_free(&a);
	ck_free(&b);
	return 0;
}
