/*
 * libFuzzer target for url_parse (both ways), url_format, url_add_query,
 * url_is_localhost and url_free. A URL that parses gives a usable host, port
 * and target, and its effective URL parses again to the same host, port and
 * target; a host taken for localhost ends in "localhost" (a final dot aside).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "fuzz.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	check(in != NULL);
	memcpy(in, data, size);
	in[size] = '\0';

	(void)url_is_localhost(in); /* any bytes: reads nothing outside them */
	for (int schemeless = 0; schemeless < 2; schemeless++) {
		struct hc_url u;
		char err[256];
		enum hc_err rc = url_parse(in, schemeless, &u, err, sizeof(err));
		if (rc != HC_OK) {
			check(rc == HC_EURL || rc == HC_EPROTO || rc == HC_ENOMEM);
			url_free(&u);
			continue;
		}
		check(u.host != NULL && u.host[0] != '\0' && printable(u.host));
		check(u.port >= 1 && u.port <= 65535);
		check(u.target != NULL && u.target[0] == '/' && printable(u.target));
		check(strchr(u.target, '#') == NULL);
		if (!u.ipv6)
			check(strpbrk(u.host, ":/?#@[]\\%") == NULL);
		if (url_is_localhost(u.host)) {
			size_t n = strlen(u.host);
			n -= u.host[n - 1] == '.';
			check(n >= 9 && strncasecmp(u.host + n - 9, "localhost", 9) == 0);
		}

		char *f = url_format(&u);
		check(f != NULL);
		struct hc_url v;
		char err2[256];
		enum hc_err rc2 = url_parse(f, false, &v, err2, sizeof(err2));
		check(rc2 == HC_OK);
		check(strcmp(v.host, u.host) == 0 && v.port == u.port && v.https == u.https);
		check(strcmp(v.target, u.target) == 0);
		url_free(&v);
		free(f);

		check(url_add_query(&u, in, in + size / 2) == HC_OK);
		check(url_add_query(&u, "k", "") == HC_OK);
		check(printable(u.target) && strchr(u.target, '?') != NULL);
		f = url_format(&u);
		check(f != NULL);
		free(f);
		url_free(&u);
	}
	free(in);
	return 0;
}
