/*
 * libFuzzer target for the download names (src/cli/disposition.c):
 * cd_filename on the input as a Content-Disposition value, dl_reduce on what
 * it gives and on the raw input, dl_pct_decode. Every reduced name is safe:
 * no '/', '\' or control byte, no leading '.' or '-', never "." or "..". A
 * smaller buffer gives the same name or -1, never other bytes.
 * max_len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/disposition.h"
#include "fuzz.h"

static void check_safe(const char *name, size_t n, size_t cap)
{
	if (n == 0)
		return;
	check(n < cap && name[n] == '\0');
	check(name[0] != '.' && name[0] != '-');
	check(strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		check(c >= 0x20 && c != 0x7f && c != '/' && c != '\\');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	static char big[DL_NAME_MAX], small[16], name[DL_NAME_MAX + 1];
	long r = cd_filename(v, size, big, sizeof(big));
	check(r >= -1 && r <= (long)sizeof(big));
	long rs = cd_filename(v, size, small, sizeof(small));
	check(rs >= -1 && rs <= (long)sizeof(small));
	if (r >= 0 && r <= (long)sizeof(small) - 2)
		check(rs == r && memcmp(small, big, (size_t)r) == 0);
	else if (rs > 0)
		check(rs == r && memcmp(small, big, (size_t)rs) == 0);
	if (r > 0)
		check_safe(name, dl_reduce(big, (size_t)r, true, name, sizeof(name)), sizeof(name));
	check_safe(name, dl_reduce(v, size, false, name, sizeof(name)), sizeof(name));
	size_t d = dl_pct_decode(v, size, big, sizeof(big));
	check(d <= size && d <= sizeof(big));
	return 0;
}
