/*
 * config.c: one line of a curl-style config file into an option name and
 * its value (curl(1), "-K, --config"): dashes optional for long names, which
 * then take '=' or ':' as well as white space; quoted values with curl's
 * escapes; comments; a malformed line is an error. Every line ends right
 * before an unreadable page.
 */
#include "unit.h"

#include "config.h"

static struct unit_guard guard;

static void line_cases(void)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		int want;
		const char *shown; /* name|value, "-x|v" for short, "name|(none)" without a value */
	} cases[] = {
	    {"", 0, 0, ""},
	    {"   \t ", 0, 0, ""},
	    {"# a comment", 0, 0, ""},
	    {"  # indented comment", 0, 0, ""},
	    {"--header \"X: y\"", 0, 1, "header|X: y"},
	    {"header = \"X: y\"", 0, 1, "header|X: y"},
	    {"header=\"X: y\"", 0, 1, "header|X: y"},
	    {"header: \"X: y\"", 0, 1, "header|X: y"},
	    {"user-agent = z", 0, 1, "user-agent|z"},
	    {"user-agent z", 0, 1, "user-agent|z"},
	    {"user-agent\tz\t", 0, 1, "user-agent|z"},
	    {"url = http://example.com/a?b=c", 0, 1, "url|http://example.com/a?b=c"},
	    {"url=\"http://example.com/\" # the site", 0, 1, "url|http://example.com/"},
	    {"-H \"X: 1\"", 0, 1, "-H|X: 1"},
	    {"-s", 0, 1, "-s|(none)"},
	    {"--silent", 0, 1, "silent|(none)"},
	    {"silent", 0, 1, "silent|(none)"},
	    {"location # follow", 0, 1, "location|(none)"},
	    {"data = \"a\\tb\\nc\\\\d\\\"e\\qf\"", 0, 1, "data|a\tb\nc\\d\"eqf"},
	    {"data = \"\"", 0, 1, "data|"},
	    {"data = \"#not a comment\"", 0, 1, "data|#not a comment"},
	    {"data = a#b", 0, 1, "data|a#b"},
	    {"--max-time=5", 0, 1, "max-time=5|(none)"},
	    {"max-time==:5", 0, 1, "max-time|5"},
	    {"data = #x", 0, 1, "data|(none)"},
	    {"header = X: y", 0, -1, NULL},
	    {"data = \"open", 0, -1, NULL},
	    {"data = \"a\" b", 0, -1, NULL},
	    {"-", 0, -1, NULL},
	    {"--", 0, -1, NULL},
	    {"-sv", 0, -1, NULL},
	    {"= value", 0, -1, NULL},
	    {"data = a\0b", 10, -1, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char shown[120], got[300], err[256] = "";
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		struct cfg_line l;
		unit_begin("cfg_parse_line: %s",
			   unit_esc(shown, sizeof(shown), cases[i].in, len, 60));
		const char *s = unit_guard_put(&guard, cases[i].in, len, false);
		int r = cfg_parse_line(s, len, &l, err, sizeof(err));
		if (CHECK_EQ_INT(r, cases[i].want) && r == 1) {
			snprintf(got, sizeof(got), "%s%.*s|%s", l.is_short ? "-" : "", (int)l.nlen,
				 l.name, l.value ? l.value : "(none)");
			CHECK_EQ_STR(got, cases[i].shown);
		}
		if (r < 0)
			CHECK(err[0] != '\0');
		free(l.value);
		unit_end();
	}
}

static void default_path_cases(void)
{
	static const struct {
		const char *xdg, *home, *want; /* NULL: unset; want NULL: none */
	} cases[] = {
	    {"/x", "/h", "/x/hcli/config"},
	    {"", "/h", "/h/.config/hcli/config"},
	    {NULL, "/h", "/h/.config/hcli/config"},
	    {NULL, NULL, NULL},
	    {"", "", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256];
		unit_begin("cfg_default_path: XDG_CONFIG_HOME=%s HOME=%s",
			   cases[i].xdg ? cases[i].xdg : "(unset)",
			   cases[i].home ? cases[i].home : "(unset)");
		if (cases[i].xdg)
			setenv("XDG_CONFIG_HOME", cases[i].xdg, 1);
		else
			unsetenv("XDG_CONFIG_HOME");
		if (cases[i].home)
			setenv("HOME", cases[i].home, 1);
		else
			unsetenv("HOME");
		bool got = cfg_default_path(buf, sizeof(buf));
		if (CHECK_EQ_INT(got, cases[i].want != NULL) && got)
			CHECK_EQ_STR(buf, cases[i].want);
		unit_end();
	}
}

int main(void)
{
	line_cases();
	default_path_cases();
	return unit_done();
}
