/*
 * libFuzzer target for the request items (src/cli/items.c): the input is a
 * list of arguments separated by NUL bytes. Each goes through item_parse,
 * item_looks_like_url and items_add (files come from a fake reader: a path's
 * text is the path itself, "nofile..." does not exist). Whatever the items,
 * a JSON body that is built must be ASCII and parse whole with json-c's own
 * strict tokener; a form body must be made of urlencoded bytes only; each
 * data field has a multipart value, each file part a type or none.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "items.h"

/* Does the input hold a newline? Only then may a reason (it quotes the arguments) hold one. */
static bool input_nl;

/* A usage error's reason: not empty, and one line unless an argument had a newline in it. */
static bool reason_ok(const char *err)
{
	return err[0] != '\0' && (input_nl || strchr(err, '\n') == NULL);
}

static enum hc_err fake_read(const char *path, bool text, char **out, size_t *len, char *err,
			     size_t errlen)
{
	if (strncmp(path, "nofile", 6) == 0) {
		snprintf(err, errlen, "%s: No such file or directory", path);
		return HC_EUSAGE;
	}
	if (text) {
		*out = strdup(path);
		check(*out != NULL);
		*len = strlen(path);
	}
	return HC_OK;
}

static void check_json(const char *s, size_t n)
{
	check(strlen(s) == n);
	for (size_t i = 0; i < n; i++)
		check(s[i] >= 0x20 && s[i] < 0x7f);
	struct json_tokener *t = json_tokener_new_ex(3 * ITEMS_MAX_DEPTH);
	check(t != NULL);
	json_tokener_set_flags(t, JSON_TOKENER_STRICT);
	struct json_object *o = json_tokener_parse_ex(t, s, (int)n + 1);
	check(json_tokener_get_error(t) == json_tokener_success);
	check(json_tokener_get_parse_end(t) == n + 1 || json_tokener_get_parse_end(t) == n);
	json_object_put(o);
	json_tokener_free(t);
}

static void check_form(const char *s, size_t n)
{
	check(strlen(s) == n);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			check(i + 2 < n && hc_hexval(s[i + 1]) >= 0 && hc_hexval(s[i + 2]) >= 0);
			i += 2;
			continue;
		}
		check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr("_.-~+&=", c) != NULL);
	}
}

/*
 * The multipart view of the same items: every data field has a form value
 * (NUL-terminated, its length exact) or a reason (see reason_ok); a file part's
 * guessed type is NULL or a type/subtype.
 */
static void check_parts(const struct items *its)
{
	char err[512], *out;
	size_t len;
	for (size_t i = 0; i < its->n; i++) {
		const struct item *it = &its->v[i];
		if (it->kind == ITEM_FILE) {
			const char *t = items_file_type(it->path);
			check(t == NULL || (strchr(t, '/') != NULL && strpbrk(t, "\r\n") == NULL));
			continue;
		}
		if (!item_is_data(it))
			continue;
		err[0] = '\0';
		enum hc_err rc = items_form_value(it, &out, &len, err, sizeof(err));
		check(rc == HC_OK || (rc == HC_EUSAGE && reason_ok(err)));
		if (rc == HC_OK) {
			check(out[len] == '\0' && strlen(out) <= len);
			free(out);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), err[512];
	check(in != NULL);
	memcpy(in, data, size);
	in[size] = '\0';
	input_nl = memchr(data, '\n', size) != NULL;

	struct items its = {.read = fake_read};
	size_t nargs = 0;
	for (const char *a = in; a <= in + size && nargs < 64; a += strlen(a) + 1, nargs++) {
		struct item it;
		(void)item_looks_like_url(a);
		err[0] = '\0';
		enum hc_err rc = item_parse(a, &it, err, sizeof(err));
		check(rc == HC_OK || rc == HC_EUSAGE);
		check(rc == HC_OK || reason_ok(err));
		if (rc == HC_OK)
			check(it.key != NULL &&
			      (it.value != NULL || it.kind == ITEM_HEADER_UNSET ||
			       it.kind == ITEM_BODY_FILE || it.kind == ITEM_BODY_STDIN));
		item_free(&it);
		err[0] = '\0';
		rc = items_add(&its, a, err, sizeof(err));
		check(rc == HC_OK || rc == HC_EUSAGE);
		check(rc == HC_OK || reason_ok(err));
	}

	char *out;
	size_t len;
	err[0] = '\0';
	enum hc_err rc = items_json_body(&its, &out, &len, err, sizeof(err));
	check(rc == HC_OK || (rc == HC_EUSAGE && reason_ok(err)));
	if (rc == HC_OK) {
		check_json(out, len);
		free(out);
	}
	rc = items_form_body(&its, &out, &len, err, sizeof(err));
	check(rc == HC_OK || (rc == HC_EUSAGE && err[0] != '\0'));
	if (rc == HC_OK) {
		check_form(out, len);
		free(out);
	}
	check_parts(&its);
	items_free(&its);
	free(in);
	return 0;
}
