/*
 * The roads between hcli and the server, as policies over the engine:
 * which proxy, which credentials, whether to follow a redirect or retry.
 * The steps that drive the engine again for them are the job steps of run.h.
 */
#ifndef HC_POLICY_H
#define HC_POLICY_H

#include "args.h"
#include "../http/digest.h"

struct proxies {
	struct hc_proxy http, https; /* host NULL: none */
	const char *noproxy;	     /* curl's no_proxy list, or NULL */
};

/* From -x/--noproxy, else the environment (http_proxy, https_proxy, all_proxy, no_proxy). */
enum hc_err proxy_setup(struct proxies *p, const struct cli *cli, char *err, size_t errlen);
/* The proxy for this URL, or NULL. */
const struct hc_proxy *proxy_for(const struct proxies *p, const struct hc_url *u);
/* Does host match curl's no_proxy rules for list? */
bool noproxy_match(const char *list, const char *host);
void proxy_free(struct proxies *p);

/* "Basic base64(user:pass)"; the caller frees it with auth_free. */
char *auth_basic(const char *user, const char *pass);
/* Zeroes and frees an auth_basic value (NULL is fine). */
void auth_free(char *auth);
/* login and password for host from a netrc file; 0 found, 1 not, -1 refused or unreadable,
 * -2 missing (err set for both). */
int netrc_lookup(const char *path, const char *host, char **login, char **password, char *err,
		 size_t errlen);

/* The last Digest challenge received, answered on later requests to its origin (nc counts them). */
struct auth_digest {
	bool have;
	struct dg_challenge ch;
	unsigned long nc; /* requests made with its nonce */
	char *host;
	unsigned port;
	bool https;
};

/* 301, 302, 303, 307, 308 */
bool policy_is_redirect(int status);
/* 408, 429, 500, 502, 503, 504 */
bool policy_retry_status(int status);
/* Connection failures and timeouts */
bool policy_retry_error(enum hc_err e);
/* Retry-After: seconds or an HTTP-date, in ms from now; -1 when absent or unreadable. */
long policy_retry_after(const char *value);

#endif
