/*
 * Request items (SPEC Part 2 "Data items and request bodies"): HTTPie 3's
 * item grammar and nested JSON paths, the JSON body as Python's json.dumps
 * writes it, and the urlencoded form body.
 *
 * json-c holds the JSON document. It is loaded with dlopen(3) the first time
 * a body is built, so a run without data items maps nothing for it. Its own
 * tokener is not used for := values: it clamps integers beyond 64 bits
 * (30 digits become 18446744073709551615), turns -0 into 0, accepts NaN,
 * Infinity, "1." and "-01" even in strict mode, and replaces lone
 * surrogates with U+FFFD. SPEC wants number text exactly as given, so the
 * small strict parser below (RFC 8259) keeps every number as the text typed,
 * in a json-c double made with json_object_new_double_s.
 *
 * Text inside the document is "generalized UTF-8", Python's str model: any
 * code point including lone surrogates (a byte that is not UTF-8 in argv
 * becomes U+DC80+byte, as Python's surrogateescape does for HTTPie), and
 * U+0000 as C0 80 so that json-c's NUL-terminated keys can hold it.
 *
 * Checked against HTTPie 3.2.1 (http --offline). Where SPEC makes hcli differ:
 * - := numbers keep their text: 1e400, 1.50, -0, 1E+5 (HTTPie: Infinity,
 *   1.5, 0, 100000.0); NaN and Infinity, which Python takes, are not JSON;
 * - a := object with a member name twice is refused (HTTPie sends both,
 *   json-c keeps one: refusing is not silently choosing);
 * - a later path into an object given with := adds to it (HTTPie drops the
 *   field without a word); arrays grow alike in both;
 * - names are kept as typed: "007=x" is the key "007" (HTTPie: "7"), and an
 *   index is ASCII digits only (Python's int() also reads "+1", " 1", "1_0");
 * - caps: ITEMS_MAX_INDEX, ITEMS_MAX_DEPTH, ITEMS_MAX_FILE;
 * - forms: x:=true is "true" (HTTPie: "True"), numbers as typed, bytes that
 *   are not UTF-8 percent-encoded (HTTPie fails with UnicodeEncodeError);
 * - @PATH, @- and - stay Part 1's request body (HTTPie: an upload named "").
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "items.h"

/* Every json-c function this file calls, looked up once. */
#define JSONC_FUNCS(X)                                                                             \
	X(json_object_new_object)                                                                  \
	X(json_object_new_array)                                                                   \
	X(json_object_new_string_len)                                                              \
	X(json_object_new_boolean)                                                                 \
	X(json_object_new_double_s)                                                                \
	X(json_object_put)                                                                         \
	X(json_object_get_type)                                                                    \
	X(json_object_get_userdata)                                                                \
	X(json_object_get_boolean)                                                                 \
	X(json_object_get_string)                                                                  \
	X(json_object_get_string_len)                                                              \
	X(json_object_object_add)                                                                  \
	X(json_object_object_get_ex)                                                               \
	X(json_object_array_add)                                                                   \
	X(json_object_array_put_idx)                                                               \
	X(json_object_array_get_idx)                                                               \
	X(json_object_array_length)                                                                \
	X(json_object_iter_begin)                                                                  \
	X(json_object_iter_end)                                                                    \
	X(json_object_iter_next)                                                                   \
	X(json_object_iter_equal)                                                                  \
	X(json_object_iter_peek_name)                                                              \
	X(json_object_iter_peek_value)

#define JSONC_DECL(f) static __typeof__(f) *p_##f;
JSONC_FUNCS(JSONC_DECL)
#define J(f) (p_##f)

static void *jsonc_lib;

static __attribute__((format(printf, 3, 4))) enum hc_err fail(char *err, size_t errlen,
							      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return HC_EUSAGE;
}

static enum hc_err jsonc_load(char *err, size_t errlen)
{
	if (jsonc_lib)
		return HC_OK;
	void *h = dlopen("libjson-c.so.5", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return fail(err, errlen, "cannot load json-c (libjson-c.so.5): %s", dlerror());
#define JSONC_LOAD(f)                                                                              \
	if ((p_##f = (__typeof__(f) *)dlsym(h, #f)) == NULL) {                                     \
		dlclose(h);                                                                        \
		return fail(err, errlen, "json-c lacks %s", #f);                                   \
	}
	JSONC_FUNCS(JSONC_LOAD)
	jsonc_lib = h;
	return HC_OK;
}

/* A growable byte string with a ceiling; oom is sticky. */
#define SB_MAX (1UL << 30)
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const void *d, size_t n)
{
	if (b->oom)
		return;
	if (n > SB_MAX - b->len) {
		b->oom = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_addc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* An argument, a name or a path: 60 bytes of it. */
#define SHOWN(s) hc_clip((s), strlen(s), 60, (char[300]){0}, 300)
/* A reason a reader gave (it names the path as given): all of it. */
#define REASON(s) hc_clip((s), strlen(s), 400, (char[1700]){0}, 1700)

/* ------------------------------------------------------------------ grammar */

/* HTTPie escapes the characters of its separators; "\x" for any other x stays as typed. */
static bool is_sep_char(char c)
{
	return c == ':' || c == ';' || c == '=' || c == '@';
}

static char *unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			if (!is_sep_char(s[i + 1]))
				*o++ = '\\';
			*o++ = s[++i];
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The separator at s (the earliest one in the item), longest first. */
static size_t sep_at(const char *s, enum item_kind *kind)
{
	if (s[0] == ':') {
		if (s[1] == '=' && s[2] == '@')
			return *kind = ITEM_JSON_FILE, 3;
		if (s[1] == '=')
			return *kind = ITEM_JSON, 2;
		if (s[1] == '@')
			return *kind = ITEM_HEADER_FILE, 2;
		return *kind = ITEM_HEADER, 1;
	}
	if (s[0] == '=') {
		if (s[1] == '=' && s[2] == '@')
			return *kind = ITEM_QUERY_FILE, 3;
		if (s[1] == '=')
			return *kind = ITEM_QUERY, 2;
		if (s[1] == '@')
			return *kind = ITEM_STRING_FILE, 2;
		return *kind = ITEM_STRING, 1;
	}
	if (s[0] == ';')
		return *kind = ITEM_HEADER_EMPTY, 1;
	return *kind = ITEM_FILE, 1;
}

/* field@PATH;type=MIME: HTTPie splits at ";type=" and takes what follows the first one. */
static enum hc_err split_upload(struct item *it)
{
	char *t = strstr(it->value, ";type=");
	size_t plen = t ? (size_t)(t - it->value) : strlen(it->value);
	if ((it->path = strndup(it->value, plen)) == NULL)
		return HC_ENOMEM;
	if (t) {
		const char *m = t + 6, *end = strstr(m, ";type=");
		size_t mlen = end ? (size_t)(end - m) : strlen(m);
		if (mlen && (it->type = strndup(m, mlen)) == NULL)
			return HC_ENOMEM;
	}
	const char *slash = strrchr(it->path, '/');
	it->filename = slash ? slash + 1 : it->path;
	return HC_OK;
}

enum hc_err item_parse(const char *arg, struct item *it, char *err, size_t errlen)
{
	memset(it, 0, sizeof(*it));
	if ((it->arg = strdup(arg)) == NULL || (it->key = strdup("")) == NULL)
		return HC_ENOMEM;
	if (strcmp(arg, "-") == 0 || strcmp(arg, "@-") == 0) {
		it->kind = ITEM_BODY_STDIN;
		return HC_OK;
	}
	if (arg[0] == '@') {
		it->kind = ITEM_BODY_FILE;
		return (it->path = strdup(arg + 1)) ? HC_OK : HC_ENOMEM;
	}
	size_t i = 0;
	for (; arg[i]; i++) {
		if (arg[i] == '\\' && arg[i + 1])
			i++;
		else if (is_sep_char(arg[i]))
			break;
	}
	if (arg[i] == '\0')
		return fail(
		    err, errlen,
		    "'%s' is neither a URL nor an item (Name:Value, name==value, field=value, "
		    "field:=JSON, @FILE)",
		    SHOWN(arg));
	size_t seplen = sep_at(arg + i, &it->kind);
	const char *v = arg + i + seplen;
	free(it->key);
	it->key = unescape(arg, i);
	if (it->kind == ITEM_HEADER) {
		if (*v == '\0')
			it->kind = ITEM_HEADER_UNSET;
		while (*v == ' ')
			v++; /* spaces after the colon are dropped */
	}
	if (it->key == NULL ||
	    (it->kind != ITEM_HEADER_UNSET && !(it->value = unescape(v, strlen(v)))))
		return HC_ENOMEM;
	it->vlen = it->value ? strlen(it->value) : 0;
	switch (it->kind) {
	case ITEM_HEADER_EMPTY:
		if (it->vlen)
			return fail(err, errlen, "'%s': use Name; alone for an empty header",
				    SHOWN(arg));
		break;
	case ITEM_HEADER_FILE:
	case ITEM_QUERY_FILE:
	case ITEM_STRING_FILE:
	case ITEM_JSON_FILE:
		if ((it->path = strdup(it->value)) == NULL)
			return HC_ENOMEM;
		break;
	case ITEM_FILE:
		return split_upload(it);
	default:
		break;
	}
	return HC_OK;
}

void item_free(struct item *it)
{
	free(it->arg);
	free(it->key);
	free(it->value);
	free(it->path);
	free(it->type);
	memset(it, 0, sizeof(*it));
}

bool item_is_data(const struct item *it)
{
	return it->kind == ITEM_STRING || it->kind == ITEM_STRING_FILE || it->kind == ITEM_JSON ||
	       it->kind == ITEM_JSON_FILE || it->kind == ITEM_FILE;
}

bool items_have_data(const struct items *its)
{
	for (size_t i = 0; i < its->n; i++)
		if (item_is_data(&its->v[i]))
			return true;
	return false;
}

bool items_have_files(const struct items *its)
{
	for (size_t i = 0; i < its->n; i++)
		if (its->v[i].kind == ITEM_FILE)
			return true;
	return false;
}

/* ------------------------------------------------------------- URL or item */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool host_is_url_like(const char *h, size_t n)
{
	char tmp[64];
	if (n == 0 || (n == 9 && strncasecmp(h, "localhost", 9) == 0))
		return true;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']' || n - 2 >= sizeof(tmp))
			return false;
		memcpy(tmp, h + 1, n - 2);
		tmp[n - 2] = '\0';
		unsigned char a[16];
		return inet_pton(AF_INET6, tmp, a) == 1;
	}
	/* a name with a dot (IPv4 literals are such names): letters, digits, - _ . or IDN bytes */
	bool dot = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		if (c == '.')
			dot = true;
		else if (!(c >= 0x80 || c == '-' || c == '_' || is_digit((char)c) ||
			   (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	return dot;
}

bool item_looks_like_url(const char *arg)
{
	const char *colon;
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL || close[1] != ':')
			return false;
		colon = close + 1;
	} else if ((colon = strchr(arg, ':')) == NULL) {
		return false;
	}
	if (!host_is_url_like(arg, (size_t)(colon - arg)))
		return false;
	const char *p = colon + 1;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p))
		p++;
	return *p == '\0' || *p == '/';
}

/* ------------------------------------------------------------------- text */

/* The length of one strict UTF-8 sequence at s (RFC 3629, as Python decodes), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if ((k = utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			return false;
	return true;
}

/* One code point in the document's encoding (NUL as C0 80, surrogates allowed). */
static void put_cp(struct sbuf *b, uint32_t cp)
{
	unsigned char o[4];
	size_t n = cp == 0 ? 2 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
	if (n == 1) {
		o[0] = (unsigned char)cp;
	} else {
		for (size_t k = n - 1; k > 0; k--, cp >>= 6)
			o[k] = (unsigned char)(0x80 | (cp & 0x3f));
		o[0] = (unsigned char)(lead[n] | cp);
	}
	sb_add(b, o, n);
}

/* Bytes from argv or a file into the document's encoding, as Python's surrogateescape. */
static void put_text(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(u + i, n - i);
		if (k == 1 && u[i] == 0)
			put_cp(b, 0);
		else if (k)
			sb_add(b, u + i, k);
		else
			put_cp(b, 0xdc00u + u[i]);
		i += k ? k : 1;
	}
}

/* The next code point of text in the document's encoding. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (*i + len > n)
		len = n - *i;
	uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1fu : len == 3 ? c & 0x0fu : c & 0x07u;
	for (size_t k = 1; k < len; k++)
		cp = cp << 6 | (s[*i + k] & 0x3fu);
	*i += len;
	return cp;
}

/* Python's json.dumps(ensure_ascii=True) for one string. */
static void dump_string(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[16];
	sb_addc(b, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp = next_cp(u, n, &i);
		const char *short_esc = cp == '"'    ? "\\\""
					: cp == '\\' ? "\\\\"
					: cp == '\n' ? "\\n"
					: cp == '\r' ? "\\r"
					: cp == '\t' ? "\\t"
					: cp == '\b' ? "\\b"
					: cp == '\f' ? "\\f"
						     : NULL;
		if (short_esc) {
			sb_adds(b, short_esc);
		} else if (cp >= 0x20 && cp < 0x7f) {
			sb_addc(b, (char)cp);
		} else if (cp < 0x10000) {
			snprintf(esc, sizeof(esc), "\\u%04x", cp);
			sb_adds(b, esc);
		} else {
			cp -= 0x10000;
			snprintf(esc, sizeof(esc), "\\u%04x\\u%04x", 0xd800 + (cp >> 10),
				 0xdc00 + (cp & 0x3ff));
			sb_adds(b, esc);
		}
	}
	sb_addc(b, '"');
}

/* The document's encoding back into bytes for a form: U+DC80..U+DCFF are argv's bytes again. */
static void put_bytes(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t at = i;
		uint32_t cp = next_cp(u, n, &i);
		if (cp == 0)
			sb_addc(b, '\0');
		else if (cp >= 0xdc80 && cp <= 0xdcff)
			sb_addc(b, (char)(cp - 0xdc00));
		else
			sb_add(b, u + at, i - at);
	}
}

/* ------------------------------------------------------- := values (RFC 8259) */

/* Who made each node of the document, to name an item a later one contradicts. */
struct origin {
	const struct json_object *o;
	size_t item;
};

struct doc {
	struct origin *org;
	size_t norg, caporg;
	bool oom;
	size_t item; /* the item being added */
};

static void note_origin(struct doc *d, const struct json_object *o)
{
	if (d == NULL || o == NULL)
		return;
	if (d->norg == d->caporg) {
		size_t cap = d->caporg ? d->caporg * 2 : 64;
		struct origin *n = reallocarray(d->org, cap, sizeof(*n));
		if (n == NULL) {
			d->oom = true;
			return;
		}
		d->org = n;
		d->caporg = cap;
	}
	d->org[d->norg++] = (struct origin){o, d->item};
}

struct frame {
	struct json_object *c;
	bool obj;
	char *key; /* an object's member name, waiting for its value */
};

struct jp {
	const char *s;
	size_t n, i;
	struct doc *doc; /* NULL: check the syntax only */
	struct sbuf str;
	struct frame *fr;
	size_t depth;
	const char *why;
};

static void jp_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
			       p->s[p->i] == '\r'))
		p->i++;
}

static int jp_hex4(const char *s)
{
	int v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hc_hexval(s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* A string at p->i (its opening quote) into p->str, in the document's encoding. */
static bool jp_string(struct jp *p)
{
	p->str.len = 0;
	sb_add(&p->str, "", 0);
	for (p->i++; p->i < p->n;) {
		unsigned char c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->i++;
			return true;
		}
		if (c < 0x20) {
			p->why = "a control character in a string";
			return false;
		}
		if (c != '\\') {
			size_t start = p->i;
			while (p->i < p->n && p->s[p->i] != '"' && p->s[p->i] != '\\' &&
			       (unsigned char)p->s[p->i] >= 0x20)
				p->i++;
			put_text(&p->str, p->s + start, p->i - start);
			continue;
		}
		if (p->i + 1 >= p->n)
			break;
		const char *simple = strchr("\"\\/bfnrt", p->s[p->i + 1]);
		if (simple && *simple) {
			static const char out[] = "\"\\/\b\f\n\r\t";
			put_cp(&p->str, (unsigned char)out[simple - "\"\\/bfnrt"]);
			p->i += 2;
			continue;
		}
		int cp;
		if (p->s[p->i + 1] != 'u' || p->n - p->i < 6 ||
		    (cp = jp_hex4(p->s + p->i + 2)) < 0) {
			p->why = "a bad escape in a string";
			return false;
		}
		p->i += 6;
		int lo;
		if (cp >= 0xd800 && cp <= 0xdbff && p->n - p->i >= 6 && p->s[p->i] == '\\' &&
		    p->s[p->i + 1] == 'u' && (lo = jp_hex4(p->s + p->i + 2)) >= 0xdc00 &&
		    lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p->i += 6;
		}
		put_cp(&p->str, (uint32_t)cp);
	}
	p->why = "an unterminated string";
	return false;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool jp_number(struct jp *p)
{
	const char *s = p->s;
	size_t i = p->i, n = p->n;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && is_digit(s[i]))
			i++;
	else
		goto bad;
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			goto bad;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			goto bad;
		while (i < n && is_digit(s[i]))
			i++;
	}
	p->i = i;
	return true;
bad:
	p->why = "a malformed number";
	return false;
}

/* A number's text, a null: json-c doubles made with json_object_new_double_s. */
static struct json_object *new_text_number(const char *t, size_t n)
{
	char buf[128], *txt = n < sizeof(buf) ? buf : malloc(n + 1);
	if (txt == NULL)
		return NULL;
	memcpy(txt, t, n);
	txt[n] = '\0';
	struct json_object *o = J(json_object_new_double_s)(strtod(txt, NULL), txt);
	if (txt != buf)
		free(txt);
	return o;
}

static const char *number_text(struct json_object *o)
{
	const char *t = J(json_object_get_userdata)(o);
	return t ? t : "0";
}

static bool is_null(struct json_object *o)
{
	return o == NULL || (J(json_object_get_type)(o) == json_type_double &&
			     strcmp(number_text(o), "null") == 0);
}

static bool jp_scalar(struct jp *p, struct json_object **v)
{
	static const char *const lits[] = {"true", "false", "null"};
	char c = p->s[p->i];
	*v = NULL;
	if (c == '"') {
		if (!jp_string(p))
			return false;
		if (p->doc && !p->str.oom && p->str.len <= INT_MAX)
			*v = J(json_object_new_string_len)(p->str.p, (int)p->str.len);
		goto made;
	}
	if (c == '-' || is_digit(c)) {
		size_t start = p->i;
		if (!jp_number(p))
			return false;
		if (p->doc)
			*v = new_text_number(p->s + start, p->i - start);
		goto made;
	}
	for (size_t k = 0; k < 3; k++) {
		size_t l = strlen(lits[k]);
		if (p->n - p->i >= l && memcmp(p->s + p->i, lits[k], l) == 0) {
			p->i += l;
			if (p->doc)
				*v = k == 2 ? new_text_number("null", 4)
					    : J(json_object_new_boolean)(k == 0);
			goto made;
		}
	}
	p->why = "an unexpected character";
	return false;
made:
	if (p->doc && *v == NULL) {
		p->doc->oom = true;
		p->why = "out of memory";
		return false;
	}
	return true;
}

/* Puts v into the innermost open container (or makes it the top). */
static bool jp_attach(struct jp *p, struct json_object *v, struct json_object **top)
{
	if (p->depth == 0) {
		*top = v;
		return true;
	}
	struct frame *f = &p->fr[p->depth - 1];
	if (p->doc == NULL) {
		free(f->key);
		f->key = NULL;
		return true;
	}
	int rc;
	if (f->obj) {
		if (J(json_object_object_get_ex)(f->c, f->key, NULL)) {
			J(json_object_put)(v);
			p->why = "a duplicate member name";
			return false;
		}
		rc = J(json_object_object_add)(f->c, f->key, v);
		free(f->key);
		f->key = NULL;
	} else {
		rc = J(json_object_array_add)(f->c, v);
	}
	if (rc != 0) {
		J(json_object_put)(v);
		p->why = "out of memory";
		return false;
	}
	note_origin(p->doc, v);
	return true;
}

/* After '{' or ',' in an object: a member name and its colon. */
static bool jp_member_name(struct jp *p)
{
	jp_ws(p);
	if (p->i >= p->n || p->s[p->i] != '"') {
		p->why = "a member name was expected";
		return false;
	}
	if (!jp_string(p))
		return false;
	jp_ws(p);
	if (p->i >= p->n || p->s[p->i] != ':') {
		p->why = "':' was expected";
		return false;
	}
	p->i++;
	if (p->doc && (p->str.oom || (p->fr[p->depth - 1].key = strdup(p->str.p)) == NULL)) {
		p->why = "out of memory";
		return false;
	}
	return true;
}

/* After a value: ',' or the end of open containers; true when the whole value is done. */
static bool jp_after_value(struct jp *p, bool *done)
{
	for (;;) {
		if (p->depth == 0) {
			jp_ws(p);
			*done = true;
			if (p->i == p->n)
				return true;
			p->why = "extra data after the value";
			return false;
		}
		jp_ws(p);
		struct frame *f = &p->fr[p->depth - 1];
		char c = p->i < p->n ? p->s[p->i] : '\0';
		if (c == ',') {
			p->i++;
			*done = false;
			return f->obj ? jp_member_name(p) : true;
		}
		if (c != (f->obj ? '}' : ']')) {
			p->why = p->i < p->n ? (f->obj ? "',' or '}' was expected"
						       : "',' or ']' was expected")
					     : "an unexpected end";
			return false;
		}
		p->i++;
		p->depth--;
	}
}

/* One value (the whole text). With a doc, *top is the json-c value made. */
static bool jp_parse(struct jp *p, struct json_object **top)
{
	*top = NULL;
	for (;;) {
		jp_ws(p);
		if (p->i >= p->n) {
			p->why = "an unexpected end";
			return false;
		}
		char c = p->s[p->i];
		struct json_object *v = NULL;
		bool container = c == '{' || c == '[';
		if (container) {
			if (p->depth == ITEMS_MAX_DEPTH) {
				p->why = "nesting deeper than 1000";
				return false;
			}
			if (p->doc && (v = c == '{' ? J(json_object_new_object)()
						    : J(json_object_new_array)()) == NULL) {
				p->why = "out of memory";
				return false;
			}
			p->i++;
		} else if (!jp_scalar(p, &v)) {
			return false;
		}
		if (!jp_attach(p, v, top))
			return false;
		if (p->depth == 0)
			note_origin(p->doc, v);
		if (container) {
			struct frame *f = &p->fr[p->depth++];
			*f = (struct frame){v, c == '{', NULL};
			jp_ws(p);
			if (p->i < p->n && p->s[p->i] == (c == '{' ? '}' : ']')) {
				p->i++;
				p->depth--;
			} else if (c == '{') {
				if (!jp_member_name(p))
					return false;
				continue;
			} else {
				continue;
			}
		}
		bool done;
		if (!jp_after_value(p, &done))
			return false;
		if (done)
			return true;
	}
}

/*
 * Parse JSON text strictly. With doc, *out is the json-c value (caller puts
 * it) and every node is noted in doc; without, only the syntax is checked.
 */
static enum hc_err json_parse(const char *s, size_t n, struct doc *doc, struct json_object **out,
			      char *why, size_t whylen)
{
	struct frame *frames = calloc(ITEMS_MAX_DEPTH, sizeof(*frames));
	if (frames == NULL)
		return HC_ENOMEM;
	struct jp p = {.s = s, .n = n, .doc = doc, .fr = frames};
	struct json_object *top = NULL;
	bool ok = jp_parse(&p, &top);
	for (size_t k = 0; k < ITEMS_MAX_DEPTH; k++)
		free(frames[k].key);
	free(frames);
	free(p.str.p);
	if (ok) {
		*out = top;
		return HC_OK;
	}
	if (doc && top)
		J(json_object_put)(top);
	if (doc && doc->oom)
		return HC_ENOMEM;
	snprintf(why, whylen, "invalid JSON: %s at byte %zu", p.why, p.i);
	return HC_EUSAGE;
}

/* --------------------------------------------------- nested paths (HTTPie 3) */

enum comp_kind { P_KEY, P_INDEX, P_APPEND };

struct comp {
	enum comp_kind kind;
	char *text; /* P_KEY: the name, \[ \] \\ undone */
	size_t idx; /* P_INDEX */
};

struct path {
	struct comp *c;
	size_t n;
};

enum tok_kind { T_TEXT, T_NUMBER, T_LB, T_RB };

struct tok {
	enum tok_kind kind;
	char *text;
	size_t start;
};

static void path_free(struct path *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->c[i].text);
	free(p->c);
	p->c = NULL;
	p->n = 0;
}

static void toks_free(struct tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

/* -?[0-9]+: what HTTPie reads as an index (it also takes "+1", " 1", "1_0": not here). */
static bool is_int_text(const char *s)
{
	if (*s == '-')
		s++;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	return *s == '\0';
}

/* Splits a key into [ ] and text; \[ \] \\ are literal and make text that is never a number. */
static enum hc_err path_tokens(const char *key, struct tok **out, size_t *nout)
{
	size_t n = strlen(key), nt = 0;
	struct tok *t = calloc(n + 1, sizeof(*t));
	char *buf = malloc(n + 1);
	if (t == NULL || buf == NULL) {
		free(t);
		free(buf);
		return HC_ENOMEM;
	}
	size_t blen = 0, bstart = 0;
	bool escaped = false;
	for (size_t i = 0; i <= n; i++) {
		char c = key[i];
		if ((c == '[' || c == ']' || c == '\0') && blen) {
			buf[blen] = '\0';
			const char *text = buf;
			enum tok_kind k = T_TEXT;
			if (!escaped && is_int_text(buf))
				k = T_NUMBER;
			else if (!escaped && buf[0] == '\\' && is_int_text(buf + 1))
				text = buf + 1; /* "\1" is the key "1" */
			t[nt] = (struct tok){k, strdup(text), bstart};
			if (t[nt++].text == NULL) {
				toks_free(t, nt);
				free(buf);
				return HC_ENOMEM;
			}
			blen = 0;
			escaped = false;
		}
		if (c == '\0')
			break;
		if (c == '[' || c == ']') {
			t[nt++] = (struct tok){c == '[' ? T_LB : T_RB, NULL, i};
			continue;
		}
		if (blen == 0)
			bstart = i;
		if (c == '\\' && i + 1 < n) {
			char e = key[++i];
			if (e == '[' || e == ']' || e == '\\')
				escaped = true;
			else
				buf[blen++] = '\\';
			buf[blen++] = e;
		} else {
			buf[blen++] = c;
		}
	}
	free(buf);
	*out = t;
	*nout = nt;
	return HC_OK;
}

static enum hc_err path_index(const struct item *it, const struct tok *t, size_t *idx, char *err,
			      size_t errlen)
{
	const char *d = t->text + (t->text[0] == '-');
	while (*d == '0' && d[1])
		d++;
	if (t->text[0] == '-' && strcmp(d, "0") != 0)
		return fail(err, errlen, "'%s': negative indexes are not supported",
			    SHOWN(it->arg));
	if (strlen(d) > 6 || strtoul(d, NULL, 10) > ITEMS_MAX_INDEX)
		return fail(err, errlen, "'%s': an index above %d", SHOWN(it->arg),
			    ITEMS_MAX_INDEX);
	*idx = strtoul(d, NULL, 10);
	return HC_OK;
}

/*
 * HTTPie's grammar: root (TEXT | NUMBER | '[' NUMBER ']' | '[' ']')? then
 * ('[' (TEXT | NUMBER)? ']')*; an empty key is the name "".
 */
static enum hc_err path_parse(const struct item *it, struct path *p, char *err, size_t errlen)
{
	struct tok *t;
	size_t nt, ti = 0;
	enum hc_err rc = path_tokens(it->key, &t, &nt);
	if (rc)
		return rc;
	p->n = 0;
	if ((p->c = calloc(nt + 1, sizeof(*p->c))) == NULL) {
		toks_free(t, nt);
		return HC_ENOMEM;
	}
	const char *want = NULL;
	if (nt == 0) {
		p->c[p->n++] = (struct comp){P_KEY, strdup(""), 0};
	} else if (t[0].kind == T_TEXT || t[0].kind == T_NUMBER) {
		p->c[p->n++] = (struct comp){P_KEY, t[0].text, 0};
		t[0].text = NULL;
		ti = 1;
	} else if (t[0].kind == T_RB) {
		want = "a name, a number or '['";
	}
	while (want == NULL && ti < nt) {
		bool root = p->n == 0;
		if (t[ti].kind != T_LB) {
			want = "'['";
			break;
		}
		ti++;
		if (ti < nt && t[ti].kind == T_RB) {
			p->c[p->n++] = (struct comp){P_APPEND, NULL, 0};
			ti++;
			continue;
		}
		if (ti >= nt || !(t[ti].kind == T_NUMBER || (!root && t[ti].kind == T_TEXT))) {
			want = root ? "a number or ']'" : "a name, a number or ']'";
			break;
		}
		struct comp *c = &p->c[p->n++];
		*c = (struct comp){t[ti].kind == T_NUMBER ? P_INDEX : P_KEY, NULL, 0};
		if (c->kind == P_INDEX && (rc = path_index(it, &t[ti], &c->idx, err, errlen)))
			break;
		if (c->kind == P_KEY) {
			c->text = t[ti].text;
			t[ti].text = NULL;
		}
		if (++ti >= nt || t[ti].kind != T_RB) {
			want = "']'";
			break;
		}
		ti++;
	}
	size_t at = ti < nt ? t[ti].start : strlen(it->key);
	toks_free(t, nt);
	if (rc == HC_OK && want)
		rc = fail(err, errlen, "'%s': bad field path, %s expected at byte %zu",
			  SHOWN(it->arg), want, at);
	if (rc == HC_OK && p->n > ITEMS_MAX_DEPTH)
		rc = fail(err, errlen, "'%s': a field path deeper than %d", SHOWN(it->arg),
			  ITEMS_MAX_DEPTH);
	for (size_t i = 0; rc == HC_OK && i < p->n; i++)
		if (p->c[i].kind == P_KEY && p->c[i].text == NULL)
			rc = HC_ENOMEM;
	if (rc)
		path_free(p);
	return rc;
}

/* "a[b][0][]" for the first n components, as HTTPie shows a path. */
static void path_text(const struct path *p, size_t n, struct sbuf *b)
{
	char num[32];
	for (size_t i = 0; i < n; i++) {
		const struct comp *c = &p->c[i];
		if (i > 0 || c->kind != P_KEY)
			sb_addc(b, '[');
		if (c->kind == P_KEY)
			sb_adds(b, c->text);
		else if (c->kind == P_INDEX)
			snprintf(num, sizeof(num), "%zu", c->idx), sb_adds(b, num);
		if (i > 0 || c->kind != P_KEY)
			sb_addc(b, ']');
	}
}

/* ------------------------------------------------------------- the document */

struct builder {
	const struct items *its;
	struct doc d;
	struct json_object *top;
	char *err;
	size_t errlen;
};

static struct json_object *new_container(struct builder *b, enum comp_kind k)
{
	struct json_object *o =
	    k == P_KEY ? J(json_object_new_object)() : J(json_object_new_array)();
	note_origin(&b->d, o);
	return o;
}

static const char *type_phrase(struct json_object *o)
{
	if (is_null(o))
		return "null";
	switch (J(json_object_get_type)(o)) {
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "a boolean";
	default:
		return "a number";
	}
}

/* The item that made node chain[n-1], or the nearest ancestor it lives in. */
static size_t origin_of(const struct builder *b, struct json_object **chain, size_t n)
{
	while (n-- > 0)
		for (size_t k = b->d.norg; k-- > 0;)
			if (b->d.org[k].o == chain[n])
				return b->d.org[k].item;
	return SIZE_MAX;
}

static enum hc_err contradiction(struct builder *b, const struct path *p, size_t i,
				 struct json_object **chain)
{
	const struct item *it = &b->its->v[b->d.item];
	struct json_object *cur = chain[i];
	struct sbuf where = {0};
	if (i == 0) {
		sb_adds(&where, "the top level");
	} else {
		sb_addc(&where, '\'');
		path_text(p, i, &where);
		sb_addc(&where, '\'');
	}
	if (where.oom)
		return HC_ENOMEM;
	const char *want = p->c[i].kind == P_KEY ? "an object" : "an array";
	size_t who = origin_of(b, chain, i + 1);
	if (who < b->d.item)
		fail(b->err, b->errlen, "'%s' contradicts '%s': %s is %s, not %s", SHOWN(it->arg),
		     SHOWN(b->its->v[who].arg), hc_clip(where.p, where.len, 60, (char[300]){0}, 300),
		     type_phrase(cur), want);
	else
		fail(b->err, b->errlen, "'%s': %s is %s, not %s", SHOWN(it->arg),
		     hc_clip(where.p, where.len, 60, (char[300]){0}, 300), type_phrase(cur), want);
	free(where.p);
	return HC_EUSAGE;
}

static char *doc_key(const char *text)
{
	struct sbuf k = {0};
	put_text(&k, text, strlen(text));
	sb_add(&k, "", 0);
	if (k.oom) {
		free(k.p);
		return NULL;
	}
	return k.p;
}

/* One step into cur along c, making what the next component needs; *next is NULL on OOM. */
static void step(struct builder *b, struct json_object *cur, const struct comp *c,
		 enum comp_kind nk, struct json_object **next)
{
	struct json_object *child = NULL;
	if (c->kind == P_KEY) {
		char *key = doc_key(c->text);
		if (key && !J(json_object_object_get_ex)(cur, key, &child) &&
		    (child = new_container(b, nk)) && J(json_object_object_add)(cur, key, child)) {
			J(json_object_put)(child);
			child = NULL;
		}
		free(key);
	} else if (c->kind == P_INDEX) {
		if (c->idx < J(json_object_array_length)(cur))
			child = J(json_object_array_get_idx)(cur, c->idx);
		if (is_null(child) && (child = new_container(b, nk)) &&
		    J(json_object_array_put_idx)(cur, c->idx, child)) {
			J(json_object_put)(child);
			child = NULL;
		}
	} else if ((child = new_container(b, nk)) && J(json_object_array_add)(cur, child)) {
		J(json_object_put)(child);
		child = NULL;
	}
	*next = child;
}

/* The last component: v goes in (owned from here on). */
static enum hc_err set_value(struct json_object *cur, const struct comp *c, struct json_object *v)
{
	int rc;
	if (c->kind == P_KEY) {
		char *key = doc_key(c->text);
		rc = key ? J(json_object_object_add)(cur, key, v) : -1;
		free(key);
	} else if (c->kind == P_INDEX) {
		rc = J(json_object_array_put_idx)(cur, c->idx, v);
	} else {
		rc = J(json_object_array_add)(cur, v);
	}
	if (rc) {
		J(json_object_put)(v);
		return HC_ENOMEM;
	}
	return HC_OK;
}

/* HTTPie's interpret(): walk the path from the top, making containers as the next step needs. */
static enum hc_err interpret(struct builder *b, const struct path *p, struct json_object *v)
{
	struct json_object **chain = calloc(p->n + 1, sizeof(*chain));
	if (chain == NULL ||
	    (b->top == NULL && (b->top = new_container(b, p->c[0].kind)) == NULL)) {
		free(chain);
		J(json_object_put)(v);
		return HC_ENOMEM;
	}
	enum hc_err rc = HC_OK;
	chain[0] = b->top;
	for (size_t i = 0; i < p->n; i++) {
		enum json_type want = p->c[i].kind == P_KEY ? json_type_object : json_type_array;
		if (is_null(chain[i]) || J(json_object_get_type)(chain[i]) != want) {
			J(json_object_put)(v);
			rc = contradiction(b, p, i, chain);
			break;
		}
		if (i + 1 == p->n) {
			rc = set_value(chain[i], &p->c[i], v);
			break;
		}
		step(b, chain[i], &p->c[i], p->c[i + 1].kind, &chain[i + 1]);
		if (chain[i + 1] == NULL) {
			J(json_object_put)(v);
			rc = HC_ENOMEM;
			break;
		}
	}
	free(chain);
	return rc;
}

/* The json-c value of a data item (noted as made by it). */
static enum hc_err item_value(struct builder *b, const struct item *it, struct json_object **v)
{
	char why[200];
	if (it->kind == ITEM_JSON || it->kind == ITEM_JSON_FILE) {
		enum hc_err rc = json_parse(it->value, it->vlen, &b->d, v, why, sizeof(why));
		if (rc == HC_EUSAGE)
			return fail(b->err, b->errlen, "'%s': %s", SHOWN(it->arg), REASON(why));
		return rc;
	}
	struct sbuf s = {0};
	put_text(&s, it->value, it->vlen);
	sb_add(&s, "", 0);
	*v = s.oom || s.len > INT_MAX ? NULL : J(json_object_new_string_len)(s.p, (int)s.len);
	free(s.p);
	note_origin(&b->d, *v);
	return *v ? HC_OK : HC_ENOMEM;
}

static bool is_json_field(const struct item *it)
{
	return it->kind == ITEM_STRING || it->kind == ITEM_STRING_FILE || it->kind == ITEM_JSON ||
	       it->kind == ITEM_JSON_FILE;
}

static void dump(struct sbuf *b, struct json_object *o)
{
	if (is_null(o)) {
		sb_adds(b, "null");
		return;
	}
	switch (J(json_object_get_type)(o)) {
	case json_type_boolean:
		sb_adds(b, J(json_object_get_boolean)(o) ? "true" : "false");
		break;
	case json_type_string:
		dump_string(b, J(json_object_get_string)(o),
			    (size_t)J(json_object_get_string_len)(o));
		break;
	case json_type_array: {
		size_t n = J(json_object_array_length)(o);
		sb_addc(b, '[');
		for (size_t i = 0; i < n && !b->oom; i++) {
			if (i)
				sb_adds(b, ", ");
			dump(b, J(json_object_array_get_idx)(o, i));
		}
		sb_addc(b, ']');
		break;
	}
	case json_type_object: {
		struct json_object_iterator it = J(json_object_iter_begin)(o);
		struct json_object_iterator end = J(json_object_iter_end)(o);
		sb_addc(b, '{');
		for (bool first = true; !J(json_object_iter_equal)(&it, &end) && !b->oom;
		     first = false, J(json_object_iter_next)(&it)) {
			const char *name = J(json_object_iter_peek_name)(&it);
			if (!first)
				sb_adds(b, ", ");
			dump_string(b, name, strlen(name));
			sb_adds(b, ": ");
			dump(b, J(json_object_iter_peek_value)(&it));
		}
		sb_addc(b, '}');
		break;
	}
	default: /* numbers: the text as given */
		sb_adds(b, number_text(o));
		break;
	}
}

enum hc_err items_json_body(const struct items *its, char **out, size_t *len, char *err,
			    size_t errlen)
{
	struct builder b = {.its = its, .err = err, .errlen = errlen};
	enum hc_err rc = HC_OK;
	struct sbuf s = {0};
	for (size_t i = 0; i < its->n && rc == HC_OK; i++) {
		const struct item *it = &its->v[i];
		if (!is_json_field(it))
			continue;
		struct path p;
		struct json_object *v = NULL;
		b.d.item = i;
		if ((rc = jsonc_load(err, errlen)) || (rc = path_parse(it, &p, err, errlen)))
			break;
		if ((rc = item_value(&b, it, &v)) == HC_OK)
			rc = interpret(&b, &p, v);
		path_free(&p);
		if (rc == HC_OK && b.d.oom)
			rc = HC_ENOMEM;
	}
	if (rc == HC_OK) {
		if (b.top)
			dump(&s, b.top);
		else
			sb_adds(&s, "{}");
		if (s.oom)
			rc = s.len ? fail(err, errlen, "the JSON body would be larger than 1 GiB")
				   : HC_ENOMEM;
	}
	if (b.top)
		J(json_object_put)(b.top);
	free(b.d.org);
	if (rc) {
		free(s.p);
		return rc;
	}
	*out = s.p;
	*len = s.len;
	return HC_OK;
}

/* ------------------------------------------------------------------- forms */

/* Python's quote_plus with safe='': A-Z a-z 0-9 _ . - ~ kept, space as '+'. */
static void form_escape(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit((char)c) ||
		    c == '_' || c == '.' || c == '-' || c == '~') {
			sb_addc(b, (char)c);
		} else if (c == ' ') {
			sb_addc(b, '+');
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			sb_add(b, e, 3);
		}
	}
}

/* A := value as form text: a string's bytes, a number's text, true or false. */
static enum hc_err form_scalar(const struct item *it, struct sbuf *val, char *err, size_t errlen)
{
	struct doc d = {0};
	struct json_object *v = NULL;
	char why[200];
	enum hc_err rc = jsonc_load(err, errlen);
	if (rc == HC_OK &&
	    (rc = json_parse(it->value, it->vlen, &d, &v, why, sizeof(why))) == HC_EUSAGE)
		fail(err, errlen, "'%s': %s", SHOWN(it->arg), REASON(why));
	free(d.org);
	if (rc)
		return rc;
	enum json_type t = J(json_object_get_type)(v);
	if (is_null(v) || t == json_type_object || t == json_type_array)
		rc = fail(err, errlen, "'%s': a form field takes a string, a number or a boolean",
			  SHOWN(it->arg));
	else if (t == json_type_string)
		put_bytes(val, J(json_object_get_string)(v),
			  (size_t)J(json_object_get_string_len)(v));
	else if (t == json_type_boolean)
		sb_adds(val, J(json_object_get_boolean)(v) ? "true" : "false");
	else
		sb_adds(val, number_text(v));
	J(json_object_put)(v);
	return rc;
}

/* A data field's text in a form: its string, or a := scalar's text. */
static enum hc_err form_text(const struct item *it, struct sbuf *val, char *err, size_t errlen)
{
	val->len = 0;
	if (it->kind == ITEM_JSON || it->kind == ITEM_JSON_FILE)
		return form_scalar(it, val, err, errlen);
	sb_add(val, it->value, it->vlen);
	return HC_OK;
}

enum hc_err items_form_value(const struct item *it, char **out, size_t *len, char *err,
			     size_t errlen)
{
	struct sbuf val = {0};
	sb_add(&val, "", 0);
	enum hc_err rc = form_text(it, &val, err, errlen);
	if (rc == HC_OK && val.oom)
		rc = HC_ENOMEM;
	if (rc) {
		free(val.p);
		return rc;
	}
	*out = val.p;
	*len = val.len;
	return HC_OK;
}

enum hc_err items_form_body(const struct items *its, char **out, size_t *len, char *err,
			    size_t errlen)
{
	struct sbuf s = {0}, val = {0};
	enum hc_err rc = HC_OK;
	sb_add(&s, "", 0);
	for (size_t i = 0; i < its->n && rc == HC_OK; i++) {
		const struct item *it = &its->v[i];
		if (!is_json_field(it))
			continue;
		rc = form_text(it, &val, err, errlen);
		if (s.len)
			sb_addc(&s, '&');
		form_escape(&s, it->key, strlen(it->key));
		sb_addc(&s, '=');
		form_escape(&s, val.p, val.len);
	}
	free(val.p);
	if (rc == HC_OK && (s.oom || val.oom))
		rc = HC_ENOMEM;
	if (rc) {
		free(s.p);
		return rc;
	}
	*out = s.p;
	*len = s.len;
	return HC_OK;
}

/* ------------------------------------------------------------ file types */

/*
 * HTTPie's Content-Type for a file part is Python's mimetypes.guess_type of
 * the path, which on Debian 12 reads /etc/mime.types. These are its answers
 * there for common extensions (matched without regard to case, as Python
 * retries in lower case); any other name gets no Content-Type, as HTTPie
 * sends none when it knows nothing. Unlike HTTPie, a compressed name
 * (x.tar.gz) is its compression's type, not "application/x-tar; charset=gzip".
 */
static const char *const file_types[][2] = {
    {"7z", "application/x-7z-compressed"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"bz2", "application/x-bzip2"},
    {"c", "text/x-csrc"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"deb", "application/vnd.debian.binary-package"},
    {"diff", "text/x-diff"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"epub", "application/epub+zip"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"h", "text/x-chdr"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"ico", "image/vnd.microsoft.icon"},
    {"ics", "text/calendar"},
    {"jar", "application/java-archive"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"md", "text/markdown"},
    {"mjs", "text/javascript"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"ogg", "audio/ogg"},
    {"otf", "font/otf"},
    {"patch", "text/x-diff"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"py", "text/x-python"},
    {"rtf", "application/rtf"},
    {"sh", "text/x-sh"},
    {"sql", "application/sql"},
    {"svg", "image/svg+xml"},
    {"tar", "application/x-tar"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain"},
    {"wasm", "application/wasm"},
    {"wav", "audio/x-wav"},
    {"webm", "video/webm"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"xml", "application/xml"},
    {"xz", "application/x-xz"},
    {"zip", "application/zip"},
};

const char *items_file_type(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	/* Python's splitext: leading dots are not an extension (".bashrc") */
	if (dot == NULL || dot[1] == '\0' || strspn(base, ".") == (size_t)(dot - base) + 1)
		return NULL;
	for (size_t i = 0; i < sizeof(file_types) / sizeof(file_types[0]); i++)
		if (strcasecmp(dot + 1, file_types[i][0]) == 0)
			return file_types[i][1];
	return NULL;
}

/* ---------------------------------------------------------------- adding */

static enum hc_err fs_read(const char *path, bool text, char **out, size_t *len, char *err,
			   size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (!text && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) { /* a file part: opened later */
		close(fd);
		return fail(err, errlen, "%s: %s", path, strerror(EISDIR));
	}
	struct sbuf b = {0};
	char buf[65536];
	enum hc_err rc = HC_OK;
	sb_add(&b, "", 0);
	while (text && rc == HC_OK) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = fail(err, errlen, "%s: %s", path, strerror(errno));
		else if (r == 0)
			break;
		else if ((size_t)r > ITEMS_MAX_FILE - b.len)
			rc = fail(err, errlen, "%s: larger than %lu MiB", path,
				  ITEMS_MAX_FILE >> 20);
		else
			sb_add(&b, buf, (size_t)r);
	}
	close(fd);
	if (rc == HC_OK && b.oom)
		rc = HC_ENOMEM;
	if (rc || !text) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	*len = b.len;
	return HC_OK;
}

static bool is_header(enum item_kind k)
{
	return k == ITEM_HEADER || k == ITEM_HEADER_UNSET || k == ITEM_HEADER_EMPTY ||
	       k == ITEM_HEADER_FILE;
}

/* *_FILE items: the file's text replaces the path in value. */
static enum hc_err read_text(items_reader rd, struct item *it, char *err, size_t errlen)
{
	char *text, why[400];
	size_t n;
	enum hc_err rc = rd(it->path, true, &text, &n, why, sizeof(why));
	if (rc == HC_EUSAGE)
		return fail(err, errlen, "'%s': %s", SHOWN(it->arg), REASON(why));
	if (rc)
		return rc;
	free(it->value);
	it->value = text;
	it->vlen = n;
	if (!utf8_valid(text, n))
		return fail(err, errlen, "'%s': %s is not UTF-8 text", SHOWN(it->arg),
			    SHOWN(it->path));
	if (it->kind == ITEM_HEADER_FILE || it->kind == ITEM_QUERY_FILE)
		while (it->vlen && it->value[it->vlen - 1] == '\n')
			it->value[--it->vlen] = '\0'; /* HTTPie: rstrip('\n') */
	return HC_OK;
}

/* HTTPie's os.path.expanduser for the files of items: a leading "~" or "~/" is $HOME. */
static enum hc_err expand_home(struct item *it)
{
	const char *home = getenv("HOME"), *p = it->path;
	if (p == NULL || p[0] != '~' || (p[1] && p[1] != '/') || home == NULL || !*home ||
	    it->kind == ITEM_BODY_FILE)
		return HC_OK;
	size_t hl = strlen(home);
	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	char *x;
	if (asprintf(&x, "%.*s%s", (int)hl, home, p + 1) < 0)
		return HC_ENOMEM;
	free(it->path);
	it->path = x;
	const char *slash = strrchr(x, '/');
	it->filename = slash ? slash + 1 : x;
	return HC_OK;
}

static enum hc_err item_check(items_reader rd, struct item *it, char *err, size_t errlen)
{
	enum hc_err rc = expand_home(it);
	char why[400];
	if (rc)
		return rc;
	if (is_header(it->kind) && !hdr_valid_name(it->key, strlen(it->key)))
		return fail(err, errlen, "'%s' is not a valid header name", SHOWN(it->key));
	if (it->kind == ITEM_HEADER_FILE || it->kind == ITEM_QUERY_FILE ||
	    it->kind == ITEM_STRING_FILE || it->kind == ITEM_JSON_FILE)
		rc = read_text(rd, it, err, errlen);
	if (rc)
		return rc;
	if ((it->kind == ITEM_HEADER || it->kind == ITEM_HEADER_FILE) &&
	    !hdr_valid_value(it->value, it->vlen))
		return fail(err, errlen, "the value of header '%s' has CR, LF or NUL",
			    SHOWN(it->key));
	if (it->kind == ITEM_QUERY_FILE && memchr(it->value, '\0', it->vlen))
		return fail(err, errlen, "'%s': %s has a NUL byte", SHOWN(it->arg),
			    SHOWN(it->path));
	if (it->kind == ITEM_JSON || it->kind == ITEM_JSON_FILE) {
		struct json_object *unused;
		if ((rc = json_parse(it->value, it->vlen, NULL, &unused, why, sizeof(why))) ==
		    HC_EUSAGE)
			return fail(err, errlen, "'%s': %s", SHOWN(it->arg), REASON(why));
	}
	if (it->kind == ITEM_FILE &&
	    (rc = rd(it->path, false, NULL, NULL, why, sizeof(why))) == HC_EUSAGE)
		return fail(err, errlen, "'%s': %s", SHOWN(it->arg), REASON(why));
	return rc;
}

enum hc_err items_add(struct items *its, const char *arg, char *err, size_t errlen)
{
	struct item it;
	enum hc_err rc = item_parse(arg, &it, err, errlen);
	if (rc == HC_OK)
		rc = item_check(its->read ? its->read : fs_read, &it, err, errlen);
	if (rc == HC_OK) {
		struct item *nv = reallocarray(its->v, its->n + 1, sizeof(*nv));
		if (nv == NULL)
			rc = HC_ENOMEM;
		else
			its->v = nv, nv[its->n++] = it;
	}
	if (rc)
		item_free(&it);
	return rc;
}

void items_free(struct items *its)
{
	for (size_t i = 0; i < its->n; i++)
		item_free(&its->v[i]);
	free(its->v);
	its->v = NULL;
	its->n = 0;
}
