/*
 * libFuzzer target for head_parse, head_unfold and head_parse_field.
 * Invariants: a complete head lies inside the input, its status is 100..999,
 * its fields are slices of the head, unfolding never grows a value, and a
 * head parsed alone or cut by one byte agrees with the first parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "head.h"
#include "headers.h"
#include "limits.h"

#define MAXF 100

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct hc_head_field fields[MAXF];
	struct hc_head h = {.fields = fields, .maxfields = MAXF};

	long rc = head_parse(buf, size, &h);
	if (rc < 0) {
		check(rc == -HC_EBADSTATUS || rc == -HC_ELINE || rc == -HC_EHEADERS ||
		      rc == -HC_EHEADER);
	} else if (rc > 0) {
		size_t n = (size_t)rc;
		check(n <= size);
		check(buf[n - 1] == '\n');
		check(h.version == 10 || h.version == 11);
		check(h.status >= 100 && h.status <= 999);
		check(h.line == buf && inside(h.line, h.line_len, buf, n));
		check(h.line_len + 1 <= HC_MAX_LINE);
		check(inside(h.reason, h.rlen, h.line, h.line_len));
		check(h.nfields <= MAXF);
		for (size_t i = 0; i < h.nfields; i++) {
			const struct hc_head_field *f = &h.fields[i];
			check(inside(f->name, f->nlen, buf, n));
			check(inside(f->value, f->vlen, buf, n));
			check(f->name > h.line && f->value >= f->name + f->nlen);
			check(hdr_valid_name(f->name, f->nlen));
			if (f->folded) {
				/* exactly vlen bytes, so a longer result overflows under ASan */
				char *out = malloc(f->vlen ? f->vlen : 1);
				size_t o = head_unfold(f->value, f->vlen, out);
				check(o <= f->vlen);
				check(hdr_valid_value(out, o));
				free(out);
			} else {
				check(hdr_valid_value(f->value, f->vlen));
				if (f->vlen > 0)
					check(f->value[0] != ' ' && f->value[0] != '\t' &&
					      f->value[f->vlen - 1] != ' ' &&
					      f->value[f->vlen - 1] != '\t');
			}
		}
		/* the head alone parses to the same length; one byte less needs more */
		struct hc_head_field f2[MAXF];
		struct hc_head h2 = {.fields = f2, .maxfields = MAXF};
		check(head_parse(buf, n, &h2) == rc);
		check(h2.nfields == h.nfields && h2.status == h.status);
		check(head_parse(buf, n - 1, &h2) == 0);
	}

	/* the first line of the input as a trailer line, as chunk_step returns one: no LF */
	const char *lf = memchr(buf, '\n', size);
	size_t llen = lf ? (size_t)(lf - buf) : size;
	struct hc_head_field f;
	if (head_parse_field(buf, llen, &f) == 0) {
		check(inside(f.name, f.nlen, buf, llen));
		check(inside(f.value, f.vlen, buf, llen));
		check(hdr_valid_name(f.name, f.nlen));
		check(hdr_valid_value(f.value, f.vlen));
	}
	return 0;
}
