/*
 * Config files in curl's syntax (-K, --config, and the default file): one
 * option a line, `--name value`, `-x value`, `name = value`, `name: value`
 * or `name value`, `#` comments, values quoted with curl's escapes.
 */
#ifndef HC_CONFIG_H
#define HC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* One option of a line: a slice of the line for its name, a new string for its value. */
struct cfg_line {
	const char *name; /* without its dashes */
	size_t nlen;
	bool is_short; /* -x */
	char *value;   /* unquoted and unescaped (caller frees), or NULL when none is given */
};

/*
 * The option of line[0..len) (no line ending): 1 and *out filled, 0 for a
 * blank or comment line, -1 with err set for a malformed one.
 */
int cfg_parse_line(const char *line, size_t len, struct cfg_line *out, char *err, size_t errlen);

/* The default file: $XDG_CONFIG_HOME/hcli/config, else ~/.config/hcli/config, into buf; false if
 * neither. */
bool cfg_default_path(char *buf, size_t len);

#endif
