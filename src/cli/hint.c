/*
 * The one table of hints: the engine says what happened (its kind and
 * condition); the command line adds which option changes it.
 */
#include <stdio.h>
#include <string.h>

#include "hint.h"

static const struct {
	enum hc_err kind;
	enum hc_cond cond;
	const char *hint;
} hints[] = {
    {HC_EHEADERS, HC_COND_NONE, " (raise --max-headers)"},
    {HC_ETIMEOUT, HC_COND_DEADLINE, " (--max-time)"},
    {HC_ECONNECT, HC_COND_IPV4_ONLY, " (-4)"},
    {HC_ECONNECT, HC_COND_IPV6_ONLY, " (-6)"},
    {HC_ECERTLOCAL, HC_COND_KEY_NO_CERT, ": --key needs --cert"},
    {HC_ETLS, HC_COND_CERT_WANTED, "; give one with --cert and --key"},
    {HC_ETLS, HC_COND_PRIORITY, " (--priority)"},
    {HC_ERANGE, HC_COND_NONE, "; the .part file is kept (run without -C to start over)"},
    {HC_ECERT, HC_COND_NONE,
     "; use --cacert FILE to trust the right CA, or -k to skip the check at your own risk"},
};

const char *cli_hint(enum hc_err kind, enum hc_cond cond)
{
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].kind == kind && hints[i].cond == cond)
			return hints[i].hint;
	return NULL;
}

const char *cli_conn_detail(const struct hc_conn *c, enum hc_err kind, char *buf, size_t len)
{
	const char *h = cli_hint(kind, c->cond);
	size_t n = strlen(c->err);
	if (h && n > 0 && c->err[n - 1] == '.') /* GnuTLS's sentences end with one */
		n--;
	snprintf(buf, len, "%.*s%s", (int)n, c->err, h ? h : "");
	return buf;
}
