/* URL parsing for http:// and https://, percent-encoding, IDNA, query items. */
#ifndef HC_URL_H
#define HC_URL_H

#include <stdbool.h>
#include <stddef.h>

struct hc_url {
	bool https;
	char *host; /* ASCII (IDNA applied), IPv6 without brackets */
	bool ipv6;
	unsigned port;
	char *target; /* path and query, percent-encoded; "/" at the least */
	char *user;   /* percent-decoded userinfo, or NULL */
	char *pass;
};

enum hc_err;

/*
 * Parse in. With schemeless, "host/path" means http:// and ":8080/x" means
 * http://localhost:8080/x. On failure err holds a one-line detail.
 */
enum hc_err url_parse(const char *in, bool schemeless, struct hc_url *u, char *err, size_t errlen);
/* Append name=value to the query, both percent-encoded. */
enum hc_err url_add_query(struct hc_url *u, const char *name, const char *value);
/* Does in start with an explicit scheme ("name://")? */
bool url_has_scheme(const char *in);
/* "host", "[v6]" or either with ":port" when the port is not the scheme's default. */
char *url_hostport(const char *host, unsigned port, bool https);
/* scheme://hostport/target, the effective URL; caller frees. */
char *url_format(const struct hc_url *u);
/* A Location resolved against base (RFC 3986 §5), spaces and non-ASCII encoded; caller frees. */
char *url_resolve(const struct hc_url *base, const char *location);
void url_free(struct hc_url *u);
/* Is host an IPv4 or IPv6 address (no brackets) rather than a name? */
bool url_is_ip_literal(const char *host);
/* Is host "localhost" or a name under it (RFC 6761 §6.3), a trailing dot allowed? */
bool url_is_localhost(const char *host);
/* The value of one hex digit, or -1. */
int hc_hexval(char ch);

#endif
