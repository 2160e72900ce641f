/*
 * libFuzzer target for cfg_parse_line (config file lines in curl's syntax).
 * Invariants: the result is -1, 0 or 1; an option's name is a non-empty
 * slice of the line (one letter after a single dash); its value is no
 * longer than the line; an error leaves a message and no value.
 * max_len: 4096
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so ASan sees any read past the end */
	char *buf = malloc(size ? size : 1), err[256];
	memcpy(buf, data, size);
	struct cfg_line l;
	err[0] = '\0';
	int r = cfg_parse_line(buf, size, &l, err, sizeof(err));
	check(r >= -1 && r <= 1);
	if (r == 1) {
		check(l.name >= buf && l.nlen > 0 && l.name + l.nlen <= buf + size);
		check(!l.is_short || l.nlen == 1);
		check(l.value == NULL || strlen(l.value) <= size);
	} else {
		check(l.value == NULL);
	}
	if (r < 0)
		check(err[0] != '\0');
	free(l.value);
	free(buf);
	return 0;
}
