/*
 * Content-Disposition (RFC 6266, RFC 8187) and the reduction of server names
 * (src/cli/disposition.c, SPEC Part 2 "Downloads"): field value, the file
 * name it gives (or none, or malformed), each value also placed right before
 * an unreadable page so that any read past its end crashes.
 */
#include "unit.h"

#include "disposition.h"

/* cond, or a failure with a message */
#define CHECKF(cond, ...) ((cond) ? (void)0 : FAIL(__VA_ARGS__))

static struct unit_guard guard;

#define BAD "\x01" "BAD" /* the field is malformed: cd_filename returns -1 */
#define NONE ""	      /* the field names no file: 0 */

struct cdcase {
	const char *field;
	const char *name; /* BAD, NONE, or the bytes expected */
};

static const struct cdcase cds[] = {
    {"attachment; filename=\"report.pdf\"", "report.pdf"},
    {"attachment; filename=plain.txt", "plain.txt"},
    {"inline; FileName=\"Case.txt\"", "Case.txt"},
    {"  attachment ;filename = \"sp.txt\" ", "sp.txt"},
    {"attachment;\tfilename=\"tab.txt\";", "tab.txt"}, /* a trailing ';' is tolerated */
    {"attachment", NONE},
    {"attachment; size=3", NONE},
    {"x-custom; a=b; filename=\"c.txt\"", "c.txt"},
    /* quoted pairs undone, the name kept as sent (reduction comes later) */
    {"attachment; filename=\"a\\\"q\\\".txt\"", "a\"q\".txt"},
    {"attachment; filename=\"a\\\\b\"", "a\\b"},
    {"attachment; filename=\"../../x\"", "../../x"},
    {"attachment; filename=\"\"", NONE},
    {"attachment; filename=\"caf\xc3\xa9\"", "caf\xc3\xa9"}, /* obs-text in a quoted string */
    /* filename* first, RFC 8187 decoded */
    {"attachment; filename*=UTF-8''%E2%82%AC%20rates.txt; filename=\"eur.txt\"",
     "\xe2\x82\xac rates.txt"},
    {"attachment; filename=\"eur.txt\"; filename*=utf-8'en'%E2%82%AC.txt", "\xe2\x82\xac.txt"},
    {"attachment; filename*=ISO-8859-1''%E9t%E9.txt", "\xc3\xa9t\xc3\xa9.txt"},
    {"attachment; filename*=UTF-8''..%2F..%2Fx", "../../x"},
    {"attachment; filename*=UTF-8''a%00b", "a\0b"},
    {"attachment; filename*=UTF-8''", NONE},
    /* an unusable filename* falls back to filename */
    {"attachment; filename*=UTF-8''%C0%AE; filename=\"fb.txt\"", "fb.txt"}, /* overlong */
    {"attachment; filename*=UTF-8''%ED%A0%80; filename=\"fb.txt\"", "fb.txt"}, /* surrogate */
    {"attachment; filename*=UTF-8''%E2%82; filename=\"fb.txt\"", "fb.txt"},    /* cut short */
    {"attachment; filename*=KOI8-R''%C1; filename=\"fb.txt\"", "fb.txt"},
    {"attachment; filename*=UTF-8''%G0; filename=\"fb.txt\"", "fb.txt"},
    {"attachment; filename*=UTF-8''a%2; filename=\"fb.txt\"", "fb.txt"},
    {"attachment; filename*=UTF-8''a*b; filename=\"fb.txt\"", "fb.txt"},
    {"attachment; filename*=UTF-8'a; filename=\"fb.txt\"", "fb.txt"},
    {"attachment; filename*=\"UTF-8''q.txt\"; filename=\"fb.txt\"", "fb.txt"},
    {"attachment; filename*=UTF-8''%C0%AE", NONE},
    /* malformed fields */
    {"", BAD},
    {"; filename=\"x\"", BAD},
    {"filename=\"x\"", BAD},
    {"attachment; filename=\"a.txt\"; filename=\"b.txt\"", BAD},
    {"attachment; filename*=UTF-8''a; filename*=UTF-8''b", BAD},
    {"attachment; filename=two words.txt", BAD},
    {"attachment; filename=\"open", BAD},
    {"attachment; filename=\"ctl\x01\"", BAD},
    {"attachment; filename=\"end\\", BAD},
    {"attachment; filename=", BAD},
    {"attachment; =x", BAD},
    {"attachment; filename \"x\"", BAD},
    {"attachment filename=\"x\"", BAD},
    {"attachment; filename=\"x\" junk", BAD},
};

/* in (length n), reduced with split: the expected name, or NULL for refused */
struct rcase {
	const char *in;
	size_t n;
	bool split;
	const char *out;
};

#define R(s, split, out) {s, sizeof(s) - 1, split, out}

static const struct rcase reds[] = {
    R("report.pdf", true, "report.pdf"),
    R("../../x", true, "x"),
    R("/etc/x", true, "x"),
    R("a\\b", true, "b"),
    R("a\\b", false, "a_b"),
    R("../x", false, "_._x"),
    R(".bashrc", true, "_bashrc"),
    R("-rf", true, "_rf"),
    R("..", true, "_."),
    R(".", true, "_"),
    R("a\x01" "b\x1b" "c\x7f", true, "a_b_c_"),
    R("a\0b", true, "a_b"),
    R("caf\xc3\xa9", true, "caf\xc3\xa9"),
    R("", true, NULL),
    R("dir/", true, NULL),
    R("..\\", true, NULL),
    R("x/..", true, "_."),
};

static void check_cd(const struct cdcase *c)
{
	char out[DL_NAME_MAX];
	size_t n = strlen(c->field);
	char *g = unit_guard_put(&guard, c->field, n, false);
	long r = cd_filename(g, n, out, sizeof(out));
	if (strcmp(c->name, BAD) == 0) {
		CHECKF(r == -1, "[%s] -> %ld, want -1", c->field, r);
		return;
	}
	/* an expected name with a NUL: its length is the rest of the literal */
	size_t want = strcmp(c->field, "attachment; filename*=UTF-8''a%00b") == 0 ? 3 : strlen(c->name);
	CHECKF(r == (long)want, "[%s] -> %ld, want %zu", c->field, r, want);
	if (r == (long)want)
		CHECKF(memcmp(out, c->name, want) == 0, "[%s] -> '%.*s', want '%s'", c->field,
			   (int)r, out, c->name);
}

static void check_reduce(const struct rcase *c)
{
	char out[64];
	char *g = unit_guard_put(&guard, c->in, c->n, false);
	size_t r = dl_reduce(g, c->n, c->split, out, sizeof(out));
	if (c->out == NULL) {
		CHECKF(r == 0, "reduce [%.*s] -> %zu, want refused", (int)c->n, c->in, r);
		return;
	}
	CHECKF(r == strlen(c->out) && strcmp(out, c->out) == 0, "reduce [%.*s] -> '%s', want '%s'",
		   (int)c->n, c->in, r ? out : "", c->out);
}

int main(void)
{
	unit_init();
	for (size_t i = 0; i < sizeof(cds) / sizeof(cds[0]); i++) {
		unit_begin("cd_filename %s", cds[i].field);
		check_cd(&cds[i]);
		unit_end();
	}
	for (size_t i = 0; i < sizeof(reds) / sizeof(reds[0]); i++) {
		unit_begin("dl_reduce %zu", i);
		check_reduce(&reds[i]);
		unit_end();
	}

	unit_begin("cd_filename: a name longer than the buffer is malformed");
	{
		char small[4];
		const char *f = "attachment; filename=\"long.txt\"";
		CHECKF(cd_filename(f, strlen(f), small, sizeof(small)) == -1, "not refused");
		f = "attachment; filename*=UTF-8''long.txt";
		CHECKF(cd_filename(f, strlen(f), small, sizeof(small)) == -1, "not refused");
	}
	unit_end();

	unit_begin("dl_reduce: a name that does not fit is refused");
	{
		char small[4];
		CHECKF(dl_reduce("abcd", 4, true, small, sizeof(small)) == 0, "not refused");
		CHECKF(dl_reduce("abc", 3, true, small, sizeof(small)) == 3, "abc refused");
	}
	unit_end();

	unit_begin("dl_pct_decode: %%XX into bytes, a lone or bad %% kept");
	{
		char out[32];
		struct {
			const char *in, *want;
		} t[] = {{"a%20b", "a b"}, {"%2f%2F", "//"}, {"%", "%"}, {"%2", "%2"},
			 {"%zz", "%zz"},   {"100%", "100%"}, {"%41%", "A%"}};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			char *g = unit_guard_put(&guard, t[i].in, strlen(t[i].in), false);
			size_t n = dl_pct_decode(g, strlen(t[i].in), out, sizeof(out));
			CHECKF(n == strlen(t[i].want) && memcmp(out, t[i].want, n) == 0,
				   "[%s] -> '%.*s', want '%s'", t[i].in, (int)n, out, t[i].want);
		}
	}
	unit_end();
	return unit_done();
}
