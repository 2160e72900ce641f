/*
 * The request items (src/cli/items.c) against SPEC.md Part 2 "Data items and
 * request bodies". Every JSON and form expectation below was checked against
 * HTTPie 3.2.1 (`http --ignore-stdin --offline --print=B POST :8080/x ITEMS`,
 * Debian's httpie); where SPEC deliberately differs, the case says so and
 * names what HTTPie sends.
 */
#include <dlfcn.h>

#include "unit.h"

#include "error.h"
#include "items.h"

#define NITEMS 6

/* ---- item_parse: one argument, its kind and parts */
struct pcase {
	const char *arg;
	enum item_kind kind;
	const char *key, *value, *path, *type;
};

static const struct pcase parses[] = {
    {"X-A:b", ITEM_HEADER, "X-A", "b", NULL, NULL},
    {"X-A:   b c ", ITEM_HEADER, "X-A", "b c ", NULL, NULL},
    {"X-A:   ", ITEM_HEADER, "X-A", "", NULL, NULL},
    {"Host:", ITEM_HEADER_UNSET, "Host", NULL, NULL, NULL},
    {"X-E;", ITEM_HEADER_EMPTY, "X-E", "", NULL, NULL},
    {"X-F:@hdr.txt", ITEM_HEADER_FILE, "X-F", "hdr.txt", "hdr.txt", NULL},
    {"q==a b", ITEM_QUERY, "q", "a b", NULL, NULL},
    {"q==", ITEM_QUERY, "q", "", NULL, NULL},
    {"q==@v.txt", ITEM_QUERY_FILE, "q", "v.txt", "v.txt", NULL},
    {"name=widget", ITEM_STRING, "name", "widget", NULL, NULL},
    {"f=@t.txt", ITEM_STRING_FILE, "f", "t.txt", "t.txt", NULL},
    {"qty:=3", ITEM_JSON, "qty", "3", NULL, NULL},
    {"j:=@d.json", ITEM_JSON_FILE, "j", "d.json", "d.json", NULL},
    {"up@dir/a.png", ITEM_FILE, "up", "dir/a.png", "dir/a.png", NULL},
    {"up@a.png;type=image/x", ITEM_FILE, "up", "a.png;type=image/x", "a.png", "image/x"},
    {"up@a;type=", ITEM_FILE, "up", "a;type=", "a", NULL},
    {"@body.txt", ITEM_BODY_FILE, "", NULL, "body.txt", NULL},
    {"@-", ITEM_BODY_STDIN, "", NULL, NULL, NULL},
    {"-", ITEM_BODY_STDIN, "", NULL, NULL, NULL},
    /* the earliest separator wins, the longest at its position */
    {"a:b=c", ITEM_HEADER, "a", "b=c", NULL, NULL},
    {"a=b:c", ITEM_STRING, "a", "b:c", NULL, NULL},
    {"a:=b=c", ITEM_JSON, "a", "b=c", NULL, NULL},
    {"a==b:=c", ITEM_QUERY, "a", "b:=c", NULL, NULL},
    {"a:=@b", ITEM_JSON_FILE, "a", "b", "b", NULL},
    {"a=@b", ITEM_STRING_FILE, "a", "b", "b", NULL},
    {"a==@b", ITEM_QUERY_FILE, "a", "b", "b", NULL},
    {"a@b=c", ITEM_FILE, "a", "b=c", "b=c", NULL},
    {"=x", ITEM_STRING, "", "x", NULL, NULL},
    {"a=", ITEM_STRING, "a", "", NULL, NULL},
    /* escapes: \: \; \= \@ are undone; any other \x (\\ \[ \]) stays for the path parser */
    {"a\\=b=c", ITEM_STRING, "a=b", "c", NULL, NULL},
    {"a\\:b:=1", ITEM_JSON, "a:b", "1", NULL, NULL},
    {"a\\@b=1", ITEM_STRING, "a@b", "1", NULL, NULL},
    {"a\\;b=1", ITEM_STRING, "a;b", "1", NULL, NULL},
    {"a\\\\=1", ITEM_STRING, "a\\\\", "1", NULL, NULL},
    {"a\\[b\\]=1", ITEM_STRING, "a\\[b\\]", "1", NULL, NULL},
    {"a=b\\=c\\\\d", ITEM_STRING, "a", "b=c\\\\d", NULL, NULL},
};

static void test_parse(void)
{
	struct unit_guard g = {0};
	for (size_t i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		const struct pcase *c = &parses[i];
		if (c->key == NULL)
			continue;
		unit_begin("item_parse %s", c->arg);
		/* the argument ends right before an unreadable page */
		char *arg = unit_guard_put(&g, c->arg, strlen(c->arg) + 1, false);
		struct item it;
		char err[512] = "";
		if (CHECK_EQ_INT(item_parse(arg, &it, err, sizeof(err)), HC_OK)) {
			CHECK_EQ_INT(it.kind, c->kind);
			CHECK_EQ_STR(it.key, c->key);
			CHECK_EQ_STR(it.value, c->value);
			CHECK_EQ_STR(it.path, c->path);
			CHECK_EQ_STR(it.type, c->type);
			CHECK_EQ_STR(it.arg, c->arg);
			if (c->kind == ITEM_FILE)
				CHECK_EQ_STR(it.filename, strrchr(c->path, '/')
							      ? strrchr(c->path, '/') + 1
							      : c->path);
		} else {
			unit_note("err: %s", err);
		}
		item_free(&it);
		unit_end();
	}
	unit_guard_free(&g);
}

/* ---- files: a fake file system for the reader */
static const char *const fake_files[][2] = {
    {"t.txt", "hello\n"}, {"hdr.txt", "v1\n\n"},
    {"v.txt", "x y\n"},	  {"d.json", "{\"k\": [1, 2.50]}\n"},
    {"bin", "\xff"},	  {"two.txt", "a\nb\n"},
    {"nul.txt", "a\0b"},  {"up.png", ""},
};

static enum hc_err fake_read(const char *path, bool text, char **out, size_t *len, char *err,
			     size_t errlen)
{
	for (size_t i = 0; i < sizeof(fake_files) / sizeof(fake_files[0]); i++) {
		if (strcmp(path, fake_files[i][0]) != 0)
			continue;
		if (text) {
			size_t n = strcmp(path, "nul.txt") == 0 ? 3 : strlen(fake_files[i][1]);
			*out = malloc(n + 1);
			memcpy(*out, fake_files[i][1], n + 1);
			*len = n;
		}
		return HC_OK;
	}
	snprintf(err, errlen, "%s: No such file or directory", path);
	return HC_EUSAGE;
}

/* ---- JSON bodies: items -> exact bytes */
struct jcase {
	const char *items[NITEMS];
	const char *want;
};

static const struct jcase jsons[] = {
    {{"name=widget", "qty:=3"}, "{\"name\": \"widget\", \"qty\": 3}"},
    {{"a=1", "a=2"}, "{\"a\": \"2\"}"},
    {{"a:=1", "a:=2"}, "{\"a\": 2}"},
    {{"a=1", "b=2", "a=3"}, "{\"a\": \"3\", \"b\": \"2\"}"},
    {{"tags:=[ \"a\",  \"b\" ]"}, "{\"tags\": [\"a\", \"b\"]}"},
    {{"s=h\303\251llo\360\237\230\200"}, "{\"s\": \"h\\u00e9llo\\ud83d\\ude00\"}"},
    {{"s=a\"b\\c/d"}, "{\"s\": \"a\\\"b\\\\c/d\"}"},
    {{"s=a\tb\n\001\177"}, "{\"s\": \"a\\tb\\n\\u0001\\u007f\"}"},
    {{"user[name]=x", "user[age]:=3"}, "{\"user\": {\"name\": \"x\", \"age\": 3}}"},
    {{"tags[]=a", "tags[]=b"}, "{\"tags\": [\"a\", \"b\"]}"},
    {{"tags[0]=a", "tags[2]=c"}, "{\"tags\": [\"a\", null, \"c\"]}"},
    {{"[]:=1", "[]:=2"}, "[1, 2]"},
    {{"a[b][c]=d"}, "{\"a\": {\"b\": {\"c\": \"d\"}}}"},
    {{"a[b]=2", "a=1"}, "{\"a\": \"1\"}"},
    {{"a[007]=x"}, "{\"a\": [null, null, null, null, null, null, null, \"x\"]}"},
    {{"a\\[b\\]=x"}, "{\"a[b]\": \"x\"}"},
    {{"a[\\1]=x"}, "{\"a\": {\"1\": \"x\"}}"},
    {{"a\\\\b=x"}, "{\"a\\\\b\": \"x\"}"},
    {{"a\\=b=c"}, "{\"a=b\": \"c\"}"},
    {{"a=b\\=c"}, "{\"a\": \"b=c\"}"},
    {{"a=b\\\\c"}, "{\"a\": \"b\\\\\\\\c\"}"},
    {{"=x"}, "{\"\": \"x\"}"},
    {{"[0]=x"}, "[\"x\"]"},
    {{"x:=[1]", "x[]=2"}, "{\"x\": [1, \"2\"]}"},
    {{"x:={}"}, "{\"x\": {}}"},
    {{"x:=[]"}, "{\"x\": []}"},
    {{"a[0]=x", "a[0]=y"}, "{\"a\": [\"y\"]}"},
    {{"a[1][b]=x"}, "{\"a\": [null, {\"b\": \"x\"}]}"},
    {{"a[]=1", "a[0]=2"}, "{\"a\": [\"2\"]}"},
    {{"[]=1", "[5]=2"}, "[\"1\", null, null, null, null, \"2\"]"},
    {{"a[]="}, "{\"a\": [\"\"]}"},
    {{"a[0][]=1", "a[0][]=2"}, "{\"a\": [[\"1\", \"2\"]]}"},
    {{"a\\[=x"}, "{\"a[\": \"x\"}"},
    {{"a\\]=x"}, "{\"a]\": \"x\"}"},
    {{"a\\x=1"}, "{\"a\\\\x\": \"1\"}"},
    {{"a\\\\=1"}, "{\"a\\\\\": \"1\"}"},
    {{"a[\\\\]=1"}, "{\"a\": {\"\\\\\": \"1\"}}"},
    {{"a[b\\]c]=1"}, "{\"a\": {\"b]c\": \"1\"}}"},
    {{"a[][]=1"}, "{\"a\": [[\"1\"]]}"},
    {{"a[1]=x", "a[]=y"}, "{\"a\": [null, \"x\", \"y\"]}"},
    {{"a\\@b=1"}, "{\"a@b\": \"1\"}"},
    {{"a\\;b=1"}, "{\"a;b\": \"1\"}"},
    {{"a\\:b=1"}, "{\"a:b\": \"1\"}"},
    {{"n:=123456789012345678901234567890"}, "{\"n\": 123456789012345678901234567890}"},
    {{"n:=-12", "m:=0", "k:=9223372036854775808"},
     "{\"n\": -12, \"m\": 0, \"k\": 9223372036854775808}"},
    {{"x:=\"\\u00e9\\ud83d\\ude00\\ud83d\\/\""}, "{\"x\": \"\\u00e9\\ud83d\\ude00\\ud83d/\"}"},
    {{"x:={\"b\":{\"c\":[true,false,null]},\"a\":\"\"}"},
     "{\"x\": {\"b\": {\"c\": [true, false, null]}, \"a\": \"\"}}"},
    {{"x:=\" \\u0000 \\u001f\""}, "{\"x\": \" \\u0000 \\u001f\"}"},
    {{"a:b=c", "k=v"}, "{\"k\": \"v\"}"},
    {{"a=b:c"}, "{\"a\": \"b:c\"}"},
    {{"k==v", "q=1"}, "{\"q\": \"1\"}"},
    {{"a[-0]=x"}, "{\"a\": [\"x\"]}"},
    {{"a[0]:=null", "a[0][b]=1"}, "{\"a\": [{\"b\": \"1\"}]}"},
    {{"a=1", "b[]=2", "c[x][y]:=[]"},
     "{\"a\": \"1\", \"b\": [\"2\"], \"c\": {\"x\": {\"y\": []}}}"},
    {{"x:=  {\"a\" : [ 1 , 2 ] }  "}, "{\"x\": {\"a\": [1, 2]}}"},
    {{"s=\377"}, "{\"s\": \"\\udcff\"}"},
    {{"b=\355\240\200"}, "{\"b\": \"\\udced\\udca0\\udc80\"}"},
    {{"x:=\"\\udc00\\ud800\""}, "{\"x\": \"\\udc00\\ud800\"}"},
    {{"x:=\"\342\200\250\302\240\""}, "{\"x\": \"\\u2028\\u00a0\"}"},
    {{"\303\251[\303\250]=1"}, "{\"\\u00e9\": {\"\\u00e8\": \"1\"}}"},
    {{"x:=\"\377\""}, "{\"x\": \"\\udcff\"}"},
    {{"x:=\t\n\015 1"}, "{\"x\": 1}"},
    /* SPEC differs: number text as given; HTTPie 3.2.1 sends "{\"n\": Infinity}" */
    {{"n:=1e400"}, "{\"n\": 1e400}"},
    /* SPEC differs: number text as given; HTTPie 3.2.1 sends "{\"n\": 1.5}" */
    {{"n:=1.50"}, "{\"n\": 1.50}"},
    /* SPEC differs: number text as given; HTTPie 3.2.1 sends "{\"n\": 0}" */
    {{"n:=-0"}, "{\"n\": -0}"},
    /* SPEC differs: number text as given; HTTPie 3.2.1 sends "{\"n\": 100000.0}" */
    {{"n:=1E+5"}, "{\"n\": 1E+5}"},
    /* SPEC differs: number text as given; HTTPie 3.2.1 sends "{\"n\": 0.0}" */
    {{"n:=0.1e-400"}, "{\"n\": 0.1e-400}"},
    /* from files (HTTPie reads them the same way) */
    {{"f=@t.txt"}, "{\"f\": \"hello\\n\"}"},
    /* SPEC differs: number text as given; HTTPie 3.2.1 sends "{\"j\": {\"k\": [1, 2.5]}}" */
    {{"j:=@d.json"}, "{\"j\": {\"k\": [1, 2.50]}}"},
    {{"n=@nul.txt"}, "{\"n\": \"a\\u0000b\"}"},
    /* headers, queries, file parts and bodies are not JSON fields */
    {{"X:y", "q==1", "up@up.png", "a=1"}, "{\"a\": \"1\"}"},
    {{"X:y"}, "{}"},
    /*
     * HTTPie 3.2.1 drops a later field that goes into an object given with :=
     * (its duplicate-keeping dict ignores it: {"x": {"a": 1}}); SPEC: never
     * silently, so hcli adds it. Arrays from := grow the same in both.
     */
    {{"x:={\"a\":1}", "x[b]=3"}, "{\"x\": {\"a\": 1, \"b\": \"3\"}}"},
    {{"x:={\"a\":{}}", "x[a][b]=1"}, "{\"x\": {\"a\": {\"b\": \"1\"}}}"},
    /* HTTPie reads "007" and "-0" as numbers and sends the key "7"; hcli keeps the text */
    {{"007=x", "-0=y"}, "{\"007\": \"x\", \"-0\": \"y\"}"},
    /* HTTPie reads a[1_0] and a[+1] as indexes (Python's int()); here only digits are */
    {{"a[1_0]=x", "a[+1]=y"}, "{\"a\": {\"1_0\": \"x\", \"+1\": \"y\"}}"},
};

static void test_json(void)
{
	for (size_t i = 0; i < sizeof(jsons) / sizeof(jsons[0]); i++) {
		const struct jcase *c = &jsons[i];
		unit_begin("JSON body %zu: %s%s", i, c->items[0], c->items[1] ? " ..." : "");
		struct items its = {.read = fake_read};
		char err[512] = "", *out = NULL;
		size_t len = 0;
		bool ok = true;
		for (size_t k = 0; k < NITEMS && c->items[k] && ok; k++)
			ok = CHECK_EQ_INT(items_add(&its, c->items[k], err, sizeof(err)), HC_OK);
		if (ok &&
		    CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_OK)) {
			CHECK_EQ_MEM(out, len, c->want, strlen(c->want));
			CHECK_EQ_INT(strlen(out), len);
		}
		if (err[0])
			unit_note("err: %s", err);
		free(out);
		items_free(&its);
		unit_end();
	}
}

/* ---- form bodies */
static const struct jcase forms[] = {
    {{"name=widget", "a b=c&d"}, "name=widget&a+b=c%26d"},
    {{"e=\303\251/~*+", "f=-_.!x'()"}, "e=%C3%A9%2F~%2A%2B&f=-_.%21x%27%28%29"},
    {{"a=1", "a=2"}, "a=1&a=2"},
    {{"n:=3", "s:=\"x y\""}, "n=3&s=x+y"},
    {{"k=a%20b=c;d,e:f@g$h"}, "k=a%2520b%3Dc%3Bd%2Ce%3Af%40g%24h"},
    {{"a[b]=1"}, "a%5Bb%5D=1"},
    {{"t=a\tb\nc"}, "t=a%09b%0Ac"},
    /* SPEC differs: JSON text as given; HTTPie 3.2.1 sends "x=1.5" */
    {{"x:=1.50"}, "x=1.50"},
    /* SPEC differs: JSON text as given; HTTPie 3.2.1 sends "x=True" */
    {{"x:=true"}, "x=true"},
    {{"=v", "e="}, "=v&e="},
    {{"a\\=b=c\\:d"}, "a%3Db=c%3Ad"},
    {{"u:=\"\\u00e9\""}, "u=%C3%A9"},
    {{"f=@t.txt", "up@up.png", "X:1", "q==2"}, "f=hello%0A"},
    /* HTTPie 3.2.1 fails (UnicodeEncodeError) on bytes that are not UTF-8; hcli sends them */
    {{"s=a\xff", "u:=\"\\udcfe\""}, "s=a%FF&u=%FE"},
    {{"n=@nul.txt"}, "n=a%00b"},
    {{"X:1"}, ""},
};

static void test_form(void)
{
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const struct jcase *c = &forms[i];
		unit_begin("form body %zu: %s%s", i, c->items[0], c->items[1] ? " ..." : "");
		struct items its = {.read = fake_read};
		char err[512] = "", *out = NULL;
		size_t len = 0;
		bool ok = true;
		for (size_t k = 0; k < NITEMS && c->items[k] && ok; k++)
			ok = CHECK_EQ_INT(items_add(&its, c->items[k], err, sizeof(err)), HC_OK);
		if (ok && CHECK_EQ_INT(items_form_body(&its, &out, &len, err, sizeof(err)), HC_OK))
			CHECK_EQ_MEM(out, len, c->want, strlen(c->want));
		if (err[0])
			unit_note("err: %s", err);
		free(out);
		items_free(&its);
		unit_end();
	}
}

/* ---- errors: the one-line message (the caller adds "hcli: Usage: ") */
enum when { AT_ADD, AT_JSON, AT_FORM };
struct ecase {
	const char *items[NITEMS];
	enum when when; /* the call that fails; the items before it are fine */
	const char *want;
};

static const struct ecase errors[] = {
    {{"a"},
     AT_ADD,
     "'a' is neither a URL nor an item (Name:Value, name==value, field=value, field:=JSON, @FILE)"},
    {{"a\\"},
     AT_ADD,
     "'a\\' is neither a URL nor an item (Name:Value, name==value, field=value, field:=JSON, "
     "@FILE)"},
    {{"a\\=b"},
     AT_ADD,
     "'a\\=b' is neither a URL nor an item (Name:Value, name==value, field=value, field:=JSON, "
     "@FILE)"},
    {{"X;y"}, AT_ADD, "'X;y': use Name; alone for an empty header"},
    {{"a;b:c"}, AT_ADD, "'a;b:c': use Name; alone for an empty header"},
    {{"X Y:1"}, AT_ADD, "'X Y' is not a valid header name"},
    {{":v"}, AT_ADD, "'' is not a valid header name"},
    {{"X\\:Y:1"}, AT_ADD, "'X:Y' is not a valid header name"},
    {{"H:x\ry"}, AT_ADD, "the value of header 'H' has CR, LF or NUL"},
    {{"H:@two.txt"}, AT_ADD, "the value of header 'H' has CR, LF or NUL"},
    {{"H:@nul.txt"}, AT_ADD, "the value of header 'H' has CR, LF or NUL"},
    {{"q==@nul.txt"}, AT_ADD, "'q==@nul.txt': nul.txt has a NUL byte"},
    {{"X:@nofile"}, AT_ADD, "'X:@nofile': nofile: No such file or directory"},
    {{"f=@nofile"}, AT_ADD, "'f=@nofile': nofile: No such file or directory"},
    {{"f:=@nofile"}, AT_ADD, "'f:=@nofile': nofile: No such file or directory"},
    {{"f@nofile;type=a/b"}, AT_ADD, "'f@nofile;type=a/b': nofile: No such file or directory"},
    /* fuzz_items: a reader's reason names the path as given, bytes as they are (out_error()
       escapes the whole message for the terminal) */
    {{"f@nofile\n\033[2J"},
     AT_ADD,
     "'f@nofile\n\033[2J': nofile\n\033[2J: No such file or directory"},
    {{"f=@bin"}, AT_ADD, "'f=@bin': bin is not UTF-8 text"},
    {{"f:=@t.txt"}, AT_ADD, "'f:=@t.txt': invalid JSON: an unexpected character at byte 0"},
    /* invalid := JSON (HTTPie takes NaN and Infinity, which are not JSON) */
    {{"x:=[1,]"}, AT_ADD, "'x:=[1,]': invalid JSON: an unexpected character at byte 3"},
    {{"x:={\"a\" 1}"}, AT_ADD, "'x:={\"a\" 1}': invalid JSON: ':' was expected at byte 5"},
    {{"x:=NaN"}, AT_ADD, "'x:=NaN': invalid JSON: an unexpected character at byte 0"},
    {{"x:=-Infinity"}, AT_ADD, "'x:=-Infinity': invalid JSON: a malformed number at byte 0"},
    {{"x:=01"}, AT_ADD, "'x:=01': invalid JSON: extra data after the value at byte 1"},
    {{"x:=1."}, AT_ADD, "'x:=1.': invalid JSON: a malformed number at byte 0"},
    {{"x:=-01"}, AT_ADD, "'x:=-01': invalid JSON: extra data after the value at byte 2"},
    {{"x:=1e"}, AT_ADD, "'x:=1e': invalid JSON: a malformed number at byte 0"},
    {{"x:=\"a\tb\""},
     AT_ADD,
     "'x:=\"a\tb\"': invalid JSON: a control character in a string at byte 2"},
    {{"x:=\"\\x\""}, AT_ADD, "'x:=\"\\x\"': invalid JSON: a bad escape in a string at byte 1"},
    {{"x:=\"\\u12\""}, AT_ADD, "'x:=\"\\u12\"': invalid JSON: a bad escape in a string at byte 1"},
    {{"x:=\"abc"}, AT_ADD, "'x:=\"abc': invalid JSON: an unterminated string at byte 4"},
    {{"x:="}, AT_ADD, "'x:=': invalid JSON: an unexpected end at byte 0"},
    {{"x:=[1 2]"}, AT_ADD, "'x:=[1 2]': invalid JSON: ',' or ']' was expected at byte 3"},
    {{"x:={'a':1}"}, AT_ADD, "'x:={'a':1}': invalid JSON: a member name was expected at byte 1"},
    {{"x:=True"}, AT_ADD, "'x:=True': invalid JSON: an unexpected character at byte 0"},
    {{"x:=\v1"}, AT_ADD, "'x:=\v1': invalid JSON: an unexpected character at byte 0"},
    /* HTTPie keeps both members ({"a": 1, "a": 2}); json-c cannot, and a silent choice would lose
       one */
    {{"x:={\"a\":1,\"a\":2}"},
     AT_JSON,
     "'x:={\"a\":1,\"a\":2}': invalid JSON: a duplicate member name at byte 12"},
    /* paths that contradict an earlier one name both items */
    {{"a=1", "a[b]=2"}, AT_JSON, "'a[b]=2' contradicts 'a=1': 'a' is a string, not an object"},
    {{"x=1", "[]=2"},
     AT_JSON,
     "'[]=2' contradicts 'x=1': the top level is an object, not an array"},
    {{"[]=1", "a=1"},
     AT_JSON,
     "'a=1' contradicts '[]=1': the top level is an array, not an object"},
    {{"a[]=1", "a[x]=2"}, AT_JSON, "'a[x]=2' contradicts 'a[]=1': 'a' is an array, not an object"},
    {{"a[b]=1", "a[]=2"}, AT_JSON, "'a[]=2' contradicts 'a[b]=1': 'a' is an object, not an array"},
    {{"a:=null", "a[b]=1"}, AT_JSON, "'a[b]=1' contradicts 'a:=null': 'a' is null, not an object"},
    {{"a:=true", "b=2", "a[0]=1"},
     AT_JSON,
     "'a[0]=1' contradicts 'a:=true': 'a' is a boolean, not an array"},
    {{"a[x]=1", "a[y]:=2", "a[y][z]=3"},
     AT_JSON,
     "'a[y][z]=3' contradicts 'a[y]:=2': 'a[y]' is a number, not an object"},
    {{"x:={\"a\":{\"b\":[1]}}", "x[a][b][c]=2"},
     AT_JSON,
     "'x[a][b][c]=2' contradicts 'x:={\"a\":{\"b\":[1]}}': 'x[a][b]' is an array, not an object"},
    /* path syntax (HTTPie: "Expecting ..." with the same positions) */
    {{"a]=x"}, AT_JSON, "'a]=x': bad field path, '[' expected at byte 1"},
    {{"a[b]c=x"}, AT_JSON, "'a[b]c=x': bad field path, '[' expected at byte 4"},
    {{"[x]=1"}, AT_JSON, "'[x]=1': bad field path, a number or ']' expected at byte 1"},
    {{"]=1"}, AT_JSON, "']=1': bad field path, a name, a number or '[' expected at byte 0"},
    {{"a[b=1"}, AT_JSON, "'a[b=1': bad field path, ']' expected at byte 3"},
    {{"a[-1]=x"}, AT_JSON, "'a[-1]=x': negative indexes are not supported"},
    {{"a[65536]=x"}, AT_JSON, "'a[65536]=x': an index above 65535"},
    {{"a[00000000000000000000000000001]=x", "a[99999999999999999999]=x"},
     AT_JSON,
     "'a[99999999999999999999]=x': an index above 65535"},
    /* forms take scalars only (HTTPie: "Can't use complex JSON value types with --form") */
    {{"x:=[1]"}, AT_FORM, "'x:=[1]': a form field takes a string, a number or a boolean"},
    {{"x:=null"}, AT_FORM, "'x:=null': a form field takes a string, a number or a boolean"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const struct ecase *c = &errors[i];
		unit_begin("error %zu: %s", i, c->want);
		struct items its = {.read = fake_read};
		char err[512] = "", *out = NULL;
		size_t len = 0, n = 0;
		while (n < NITEMS && c->items[n])
			n++;
		enum hc_err rc = HC_OK;
		for (size_t k = 0; k < n && rc == HC_OK; k++) {
			rc = items_add(&its, c->items[k], err, sizeof(err));
			if (c->when == AT_ADD && k + 1 == n)
				CHECK_EQ_INT(rc, HC_EUSAGE);
			else
				CHECK_EQ_INT(rc, HC_OK);
		}
		if (c->when == AT_JSON)
			CHECK_EQ_INT(rc = items_json_body(&its, &out, &len, err, sizeof(err)),
				     HC_EUSAGE);
		if (c->when == AT_FORM)
			CHECK_EQ_INT(rc = items_form_body(&its, &out, &len, err, sizeof(err)),
				     HC_EUSAGE);
		CHECK_EQ_STR(err, c->want);
		CHECK(out == NULL);
		CHECK_EQ_INT(its.n, c->when == AT_ADD ? n - 1 : n);
		items_free(&its);
		unit_end();
	}
}

/* ---- after the first URL: URL or item? */
struct ucase {
	const char *arg;
	bool url;
};

static const struct ucase urls[] = {
    {":8080", true},
    {":8080/x", true},
    {"localhost:3000", true},
    {"LocalHost:3000/a?b", true},
    {"127.0.0.1:80", true},
    {"[::1]:8080/x", true},
    {"[2001:db8::1]:1", true},
    {"example.org:8080", true},
    {"api.example.org:443/v1", true},
    {"b\303\274cher.de:80", true},
    {"a.b:99999", true}, /* a URL: its port is refused later, as InvalidURL */
    {"X-Forwarded-For:8080", false},
    {"Host:80", false},
    {"Accept:1", false},
    {"localhost:", false},
    {"localhost:abc", false},
    {"localhost:80x", false},
    {"localhost:80?x", false},
    {":", false},
    {":x", false},
    {"example.org:8080=x", false},
    {"qty:=3", false},
    {"a.b:=3", false},
    {"[::1]", false},
    {"[zz]:80", false},
    {"[::1]80", false},
    {"a b.c:80", false},
    {"user@a.b:80", false},
    {"localhost", false},
    {"", false},
};

static void test_urls(void)
{
	struct unit_guard g = {0};
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		unit_begin("item_looks_like_url %s -> %s", urls[i].arg,
			   urls[i].url ? "URL" : "item");
		char *arg = unit_guard_put(&g, urls[i].arg, strlen(urls[i].arg) + 1, false);
		CHECK_EQ_INT(item_looks_like_url(arg), urls[i].url);
		unit_end();
	}
	unit_guard_free(&g);
}

/* ---- the rest: file items, limits, the real file system, when json-c is loaded */
static void test_file_items(void)
{
	struct items its = {.read = fake_read};
	char err[512] = "";
	unit_begin(
	    "file items: header and query text lose trailing newlines, uploads keep their path");
	CHECK_EQ_INT(items_add(&its, "X-F:@hdr.txt", err, sizeof(err)), HC_OK);
	CHECK_EQ_INT(items_add(&its, "q==@v.txt", err, sizeof(err)), HC_OK);
	CHECK_EQ_INT(items_add(&its, "up@up.png;type=image/png", err, sizeof(err)), HC_OK);
	CHECK_EQ_INT(items_add(&its, "a=1", err, sizeof(err)), HC_OK);
	if (CHECK_EQ_INT(its.n, 4)) {
		CHECK_EQ_STR(its.v[0].value, "v1");
		CHECK_EQ_INT(its.v[0].vlen, 2);
		CHECK_EQ_STR(its.v[1].value, "x y");
		CHECK_EQ_STR(its.v[2].path, "up.png");
		CHECK_EQ_STR(its.v[2].filename, "up.png");
		CHECK_EQ_STR(its.v[2].type, "image/png");
		CHECK(item_is_data(&its.v[2]) && item_is_data(&its.v[3]) &&
		      !item_is_data(&its.v[0]));
	}
	CHECK(items_have_data(&its) && items_have_files(&its));
	items_free(&its);
	struct items none = {0};
	CHECK_EQ_INT(items_add(&none, "X:1", err, sizeof(err)), HC_OK);
	CHECK(!items_have_data(&none) && !items_have_files(&none));
	items_free(&none);
	unit_end();
}

/* ---- items_file_type: HTTPie's guess on Debian 12 (Python's mimetypes.guess_type) */
static const char *const types[][2] = {
    {"a.txt", "text/plain"},
    {"dir.d/a.PNG", "image/png"},
    {"x.Json", "application/json"},
    {"x.tar", "application/x-tar"},
    {"page.html", "text/html"},
    {"a.b.jpg", "image/jpeg"},
    {"x.svg", "image/svg+xml"},
    {"x.js", "text/javascript"},
    {"x.gz", "application/gzip"}, /* HTTPie: none; x.tar.gz: "application/x-tar; charset=gzip" */
    {"x.tar.gz", "application/gzip"},
    {"noext", NULL},
    {"x.yaml", NULL},
    {"x.", NULL},
    {".bashrc", NULL},
    {"..", NULL},
    {"dir.png/file", NULL},
    {"", NULL},
};

static void test_file_types(void)
{
	unit_begin("file parts: HTTPie's Content-Type by extension, none when unknown");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *got = items_file_type(types[i][0]);
		if (types[i][1] == NULL)
			CHECK_EQ_STR(got ? got : "(none)", "(none)");
		else
			CHECK_EQ_STR(got ? got : "(none)", types[i][1]);
	}
	unit_end();
}

/* ---- items_form_value: a data field's text in a multipart part */
static void test_form_values(void)
{
	static const char *const rows[][2] = {
	    {"a=x y", "x y"},	 {"n:=1.50", "1.50"},
	    {"t:=true", "true"}, {"s:=\"\\u00e9\"", "\xc3\xa9"},
	    {"e=", ""},		 {"f=@v.txt", "x y\n"},
	};
	struct items its = {.read = fake_read};
	char err[512] = "", *out;
	size_t len;
	unit_begin("form values: strings as given, := scalars as their text, others refused");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!CHECK_EQ_INT(items_add(&its, rows[i][0], err, sizeof(err)), HC_OK))
			continue;
		if (CHECK_EQ_INT(items_form_value(&its.v[its.n - 1], &out, &len, err, sizeof(err)),
				 HC_OK)) {
			CHECK_EQ_STR(out, rows[i][1]);
			CHECK_EQ_INT(len, strlen(rows[i][1]));
			free(out);
		}
	}
	CHECK_EQ_INT(items_add(&its, "z:=\"a\\u0000b\"", err, sizeof(err)), HC_OK);
	if (CHECK_EQ_INT(items_form_value(&its.v[its.n - 1], &out, &len, err, sizeof(err)),
			 HC_OK)) {
		CHECK_EQ_INT(len, 3); /* a NUL byte kept */
		CHECK(memcmp(out, "a\0b", 3) == 0);
		free(out);
	}
	CHECK_EQ_INT(items_add(&its, "o:={}", err, sizeof(err)), HC_OK);
	CHECK_EQ_INT(items_form_value(&its.v[its.n - 1], &out, &len, err, sizeof(err)), HC_EUSAGE);
	CHECK_EQ_STR(err, "'o:={}': a form field takes a string, a number or a boolean");
	items_free(&its);
	unit_end();
}

/* Every file exists and holds "1" (valid text and JSON). */
static enum hc_err any_read(const char *path, bool text, char **out, size_t *len, char *err,
			    size_t errlen)
{
	(void)path, (void)err, (void)errlen;
	if (text) {
		*out = strdup("1");
		*len = 1;
	}
	return HC_OK;
}

/* ---- a leading ~ or ~/ in an item's file is $HOME (HTTPie's os.path.expanduser) */
static void test_home(void)
{
	static const char *const rows[][3] = {
	    /* argument, path, filename (ITEM_FILE) */
	    {"f@~/x.png", "/h/x.png", "x.png"},
	    {"f@~/d/y;type=a/b", "/h/d/y", "y"},
	    {"s=@~/t.txt", "/h/t.txt", NULL},
	    {"j:=@~", "/h", NULL},
	    {"X-A:@~/v", "/h/v", NULL},
	    {"q==@~/v", "/h/v", NULL},
	    {"f@~u/x", "~u/x", "x"}, /* ~user is not expanded */
	    {"f@a/~/x", "a/~/x", "x"},
	    {"@~/body", "~/body", NULL}, /* the Part 1 body item stays as given */
	};
	char err[512] = "";
	char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	unit_begin("~ and ~/ in items' files are $HOME (trailing slashes of HOME dropped)");
	setenv("HOME", "/h//", 1);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct items its = {.read = any_read};
		if (CHECK_EQ_INT(items_add(&its, rows[i][0], err, sizeof(err)), HC_OK)) {
			CHECK_EQ_STR(its.v[0].path, rows[i][1]);
			if (rows[i][2])
				CHECK_EQ_STR(its.v[0].filename, rows[i][2]);
		}
		items_free(&its);
	}
	if (old)
		setenv("HOME", old, 1);
	else
		unsetenv("HOME");
	free(old);
	unit_end();
}

static void test_real_files(void)
{
	char dir[] = "/tmp/test_items.XXXXXX", path[64], arg[96], err[512] = "";
	unit_begin("the file system: =@FILE read, a missing file named");
	if (!CHECK(mkdtemp(dir) != NULL))
		return (void)unit_end();
	snprintf(path, sizeof(path), "%s/t.json", dir);
	FILE *f = fopen(path, "w");
	fputs("[1, 1e400]", f);
	fclose(f);
	struct items its = {0};
	snprintf(arg, sizeof(arg), "t:=@%s", path);
	CHECK_EQ_INT(items_add(&its, arg, err, sizeof(err)), HC_OK);
	snprintf(arg, sizeof(arg), "u@%s", path);
	CHECK_EQ_INT(items_add(&its, arg, err, sizeof(err)), HC_OK);
	char *out = NULL;
	size_t len;
	if (CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_OK))
		CHECK_EQ_STR(out, "{\"t\": [1, 1e400]}");
	free(out);
	snprintf(arg, sizeof(arg), "f=@%s/none", dir);
	CHECK_EQ_INT(items_add(&its, arg, err, sizeof(err)), HC_EUSAGE);
	char want[256];
	snprintf(want, sizeof(want), "'f=@%s/none': %s/none: No such file or directory", dir, dir);
	CHECK_EQ_STR(err, want);
	snprintf(arg, sizeof(arg), "f=@%s", dir);
	CHECK_EQ_INT(items_add(&its, arg, err, sizeof(err)), HC_EUSAGE);
	snprintf(want, sizeof(want), "'f=@%s': %s: Is a directory", dir, dir);
	CHECK_EQ_STR(err, want);
	snprintf(arg, sizeof(arg), "up@%s;type=a/b", dir); /* opened only when it is sent */
	CHECK_EQ_INT(items_add(&its, arg, err, sizeof(err)), HC_EUSAGE);
	snprintf(want, sizeof(want), "'up@%s;type=a/b': %s: Is a directory", dir, dir);
	CHECK_EQ_STR(err, want);
	items_free(&its);
	unlink(path);
	rmdir(dir);
	unit_end();
}

static void test_limits(void)
{
	struct unit_buf b = {0};
	char err[512] = "", *out = NULL;
	size_t len;
	unit_begin("limits: := nesting of %d works, %d more is refused", ITEMS_MAX_DEPTH, 1);
	struct items its = {0};
	unit_buf_adds(&b, "x:=");
	unit_buf_fill(&b, '[', ITEMS_MAX_DEPTH);
	unit_buf_fill(&b, ']', ITEMS_MAX_DEPTH);
	CHECK_EQ_INT(items_add(&its, b.p, err, sizeof(err)), HC_OK);
	if (CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_OK))
		CHECK_EQ_INT(len, 7 + 2 * ITEMS_MAX_DEPTH);
	free(out);
	unit_buf_reset(&b);
	unit_buf_adds(&b, "y:=");
	unit_buf_fill(&b, '[', ITEMS_MAX_DEPTH + 1);
	unit_buf_fill(&b, ']', ITEMS_MAX_DEPTH + 1);
	CHECK_EQ_INT(items_add(&its, b.p, err, sizeof(err)), HC_EUSAGE);
	CHECK(strstr(err, "invalid JSON: nesting deeper than 1000 at byte 1000") != NULL);
	items_free(&its);
	unit_end();

	unit_begin("limits: a path of %d steps works, one more is refused", ITEMS_MAX_DEPTH);
	unit_buf_reset(&b);
	unit_buf_adds(&b, "a");
	for (int i = 1; i < ITEMS_MAX_DEPTH; i++)
		unit_buf_adds(&b, "[]");
	unit_buf_adds(&b, "=v");
	CHECK_EQ_INT(items_add(&its, b.p, err, sizeof(err)), HC_OK);
	if (CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_OK))
		CHECK_EQ_INT(len, strlen("{\"a\": \"v\"}") + 2 * (ITEMS_MAX_DEPTH - 1));
	free(out);
	unit_buf_reset(&b);
	unit_buf_adds(&b, "b");
	for (int i = 0; i < ITEMS_MAX_DEPTH; i++)
		unit_buf_adds(&b, "[]");
	unit_buf_adds(&b, "=v");
	CHECK_EQ_INT(items_add(&its, b.p, err, sizeof(err)), HC_OK);
	CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_EUSAGE);
	CHECK(strstr(err, "a field path deeper than 1000") != NULL);
	items_free(&its);
	unit_end();

	unit_begin("limits: index %d works (that many nulls before it)", ITEMS_MAX_INDEX);
	CHECK_EQ_INT(items_add(&its, "[65535]:=1", err, sizeof(err)), HC_OK);
	if (CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_OK))
		CHECK_EQ_INT(len, 2 + 65535 * 6 + 1);
	free(out);
	items_free(&its);
	unit_end();
	unit_buf_free(&b);
}

static void test_lazy_load(void)
{
	struct items its = {0};
	char err[512] = "", *out = NULL;
	size_t len;
	unit_begin("json-c is loaded by the first JSON body, not by parsing items");
	CHECK(dlopen("libjson-c.so.5", RTLD_NOW | RTLD_NOLOAD) == NULL);
	CHECK_EQ_INT(items_add(&its, "a:=[1,{\"b\":2}]", err, sizeof(err)), HC_OK);
	CHECK_EQ_INT(items_add(&its, "X:1", err, sizeof(err)), HC_OK);
	CHECK(dlopen("libjson-c.so.5", RTLD_NOW | RTLD_NOLOAD) == NULL);
	if (CHECK_EQ_INT(items_json_body(&its, &out, &len, err, sizeof(err)), HC_OK))
		CHECK_EQ_STR(out, "{\"a\": [1, {\"b\": 2}]}");
	void *h = dlopen("libjson-c.so.5", RTLD_NOW | RTLD_NOLOAD);
	CHECK(h != NULL);
	if (h)
		dlclose(h);
	free(out);
	items_free(&its);
	unit_end();
}

int main(void)
{
	test_lazy_load(); /* first: nothing has loaded json-c yet */
	test_parse();
	test_json();
	test_form();
	test_errors();
	test_urls();
	test_file_items();
	test_file_types();
	test_form_values();
	test_home();
	test_real_files();
	test_limits();
	return unit_done();
}
