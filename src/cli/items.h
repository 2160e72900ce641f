/*
 * Request items after the URL (SPEC Part 2 "Data items and request bodies"):
 * the HTTPie 3 grammar, its nested JSON paths, the JSON body and the
 * urlencoded form body they make. Multipart is described here (file parts
 * in argv order) and streamed by the engine.
 */
#ifndef HC_ITEMS_H
#define HC_ITEMS_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/http.h"

/* Caps for what argv can ask for; each is a usage error beyond it. */
#define ITEMS_MAX_DEPTH 1000	    /* nesting of a path, and of a := value */
#define ITEMS_MAX_INDEX 65535	    /* a[N] */
#define ITEMS_MAX_FILE (64UL << 20) /* the text of =@FILE, :=@FILE, :@FILE, ==@FILE */

enum item_kind {
	ITEM_HEADER,	   /* Name:Value */
	ITEM_HEADER_UNSET, /* Name:        do not send this default header */
	ITEM_HEADER_EMPTY, /* Name;        an empty value */
	ITEM_HEADER_FILE,  /* Name:@FILE   the value is FILE's text (HTTPie) */
	ITEM_QUERY,	   /* name==value */
	ITEM_QUERY_FILE,   /* name==@FILE  (HTTPie) */
	ITEM_STRING,	   /* field=value */
	ITEM_STRING_FILE,  /* field=@FILE */
	ITEM_JSON,	   /* field:=JSON */
	ITEM_JSON_FILE,	   /* field:=@FILE */
	ITEM_FILE,	   /* field@FILE[;type=MIME]: a multipart file part */
	ITEM_BODY_FILE,	   /* @PATH */
	ITEM_BODY_STDIN,   /* @- or - */
};

/* One item, as given and as understood. Strings are owned by the item. */
struct item {
	enum item_kind kind;
	char *arg;   /* the argument as given, for messages */
	char *key;   /* header, query or field name with \: \; \= \@ undone; "" for bodies */
	char *value; /* the value, or a *_FILE item's text; NULL for ITEM_HEADER_UNSET */
	size_t vlen; /* a file's text may hold NUL bytes */
	char *path;  /* *_FILE, ITEM_FILE, ITEM_BODY_FILE: the path as given */
	char *type;  /* ITEM_FILE: ";type=MIME", or NULL */
	const char *filename; /* ITEM_FILE: the last component of path (into path) */
};

/*
 * Reads a file an item names. With text, returns its bytes in *text (caller
 * frees) and their count; without, only checks that it can be read. On
 * failure writes a one-line reason (no item named) and returns HC_EUSAGE.
 */
typedef enum hc_err (*items_reader)(const char *path, bool text, char **out, size_t *len, char *err,
				    size_t errlen);

struct items {
	struct item *v; /* argv order */
	size_t n;
	items_reader read; /* NULL: read the file system (tests and fuzzing plug their own) */
};

/*
 * Classify one argument (no file is read): a separator that starts earliest
 * wins, the longest at that position. On success fills it (strings owned);
 * HC_EUSAGE with a one-line message naming the argument otherwise.
 */
enum hc_err item_parse(const char *arg, struct item *it, char *err, size_t errlen);
void item_free(struct item *it);

/*
 * item_parse, then the checks and reads that can fail: header name and value
 * (RFC 9110 token; no CR, LF or NUL), := JSON syntax, files that must exist
 * or whose text is used (UTF-8, at most ITEMS_MAX_FILE bytes).
 */
enum hc_err items_add(struct items *its, const char *arg, char *err, size_t errlen);
void items_free(struct items *its);

/* SPEC Part 2 "Changed from Part 1": :PORT[/...] or HOST:PORT[/...] after the first URL. */
bool item_looks_like_url(const char *arg);

/* Is this a data item (=, =@, :=, :=@, @ file part)? */
bool item_is_data(const struct item *it);
/* Any data items? any ITEM_FILE? */
bool items_have_data(const struct items *its);
bool items_have_files(const struct items *its);

/*
 * The JSON body of the data items (not file parts), with HTTPie 3's nested
 * paths, as Python's json.dumps writes it (", ", ": ", ASCII only), except
 * that := numbers keep their text. "{}" without data items. *out is
 * NUL-terminated; caller frees. Loads json-c on first use.
 */
enum hc_err items_json_body(const struct items *its, char **out, size_t *len, char *err,
			    size_t errlen);

/*
 * application/x-www-form-urlencoded of the data fields in argv order (file
 * parts left out), as Python's urlencode: space as '+', A-Z a-z 0-9 _ . - ~
 * kept, every other byte %XX. := values must be a string, number or
 * boolean. *out is NUL-terminated; caller frees.
 */
enum hc_err items_form_body(const struct items *its, char **out, size_t *len, char *err,
			    size_t errlen);

/*
 * A data field's text as a form value (urlencoded or multipart): a string
 * field's text, or a := scalar's (a string's bytes, a number as typed, true or
 * false). *out is NUL-terminated (it may hold NUL bytes); caller frees.
 */
enum hc_err items_form_value(const struct item *it, char **out, size_t *len, char *err,
			     size_t errlen);

/* HTTPie's Content-Type for a file part from its path's extension, or NULL: none. */
const char *items_file_type(const char *path);

#endif
