/* Config file lines in curl's syntax (curl(1), "-K, --config"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* curl's escapes inside a quoted value: \t \n \r \v, and \X for any other X. */
static char unescape(char c)
{
	switch (c) {
	case 't':
		return '\t';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 'v':
		return '\v';
	default:
		return c;
	}
}

/* A quoted value from p (after its '"'): into a new string, *p past the closing '"'. */
static char *quoted(const char **p, const char *end, char *err, size_t errlen)
{
	char *v = malloc((size_t)(end - *p) + 1), *o = v;
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (const char *s = *p; s < end; s++) {
		if (*s == '"') {
			*o = '\0';
			*p = s + 1;
			return v;
		}
		if (*s == '\\' && s + 1 < end)
			*o++ = unescape(*++s);
		else
			*o++ = *s;
	}
	free(v);
	snprintf(err, errlen, "the quoted value has no closing '\"'");
	return NULL;
}

int cfg_parse_line(const char *line, size_t len, struct cfg_line *out, char *err, size_t errlen)
{
	const char *p = line, *end = line + len;
	memset(out, 0, sizeof(*out));
	if (memchr(line, '\0', len)) {
		snprintf(err, errlen, "a NUL byte");
		return -1;
	}
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	/* a dashed name ends at white space; a bare long name also at '=' or ':' */
	bool dashed = *p == '-';
	if (dashed) {
		out->is_short = !(p + 1 < end && p[1] == '-');
		p += out->is_short ? 1 : 2;
	}
	out->name = p;
	while (p < end && !is_space(*p) && (dashed || (*p != '=' && *p != ':')))
		p++;
	out->nlen = (size_t)(p - out->name);
	if (out->nlen == 0 || (out->is_short && out->nlen != 1)) {
		snprintf(err, errlen,
			 out->nlen ? "'-%.*s': one letter after a single dash" : "no option name",
			 (int)out->nlen, out->name);
		return -1;
	}
	while (p < end && (is_space(*p) || (!dashed && (*p == '=' || *p == ':'))))
		p++;
	if (p == end || *p == '#')
		return 1; /* no value; a value starting with '#' is quoted */
	if (*p == '"') {
		p++;
		if ((out->value = quoted(&p, end, err, errlen)) == NULL)
			return -1;
	} else {
		const char *v = p;
		while (p < end && !is_space(*p))
			p++;
		if ((out->value = strndup(v, (size_t)(p - v))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	while (p < end && is_space(*p))
		p++;
	if (p < end && *p != '#') {
		free(out->value);
		out->value = NULL;
		snprintf(err, errlen, "more after the value (quote a value with spaces: \"...\")");
		return -1;
	}
	return 1;
}

bool cfg_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;
	/* the XDG Base Directory rules: unset or empty means the default */
	if (xdg && *xdg)
		n = snprintf(buf, len, "%s/hcli/config", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.config/hcli/config", home);
	else
		return false;
	return n > 0 && (size_t)n < len;
}
