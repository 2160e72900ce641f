/*
 * libFuzzer target for url_resolve: a server-controlled Location against a
 * few bases. A result that parses has a usable host, port and target; a
 * reference without an authority (no scheme, or the base's scheme, and no
 * "//") stays on the base's origin (RFC 3986 §5.2.2, non-strict); resolving
 * is stable (the result resolved again is itself).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "fuzz.h"
#include "url.h"

/* Does ref name no authority of its own, so that it must stay on base's origin? */
static int same_origin_ref(const char *ref, const struct hc_url *base)
{
	size_t sl =
	    strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	const char *rest = ref;
	if (sl > 0 && ref[sl] == ':' && ((ref[0] | 0x20) >= 'a' && (ref[0] | 0x20) <= 'z')) {
		const char *scheme = base->https ? "https" : "http";
		if (sl != strlen(scheme) || strncasecmp(ref, scheme, sl) != 0)
			return 0;
		rest = ref + sl + 1;
	}
	return !(rest[0] == '/' && rest[1] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[] = {
	    "http://example.com/a/b/c?q=1",
	    "https://user:pw@example.com:8443/dir/",
	    "http://[::1]:8080/",
	    "https://xn--bcher-kva.example/x/y/z",
	};
	char *loc = malloc(size + 1);
	check(loc != NULL);
	memcpy(loc, data, size);
	loc[size] = '\0';
	if (strlen(loc) != size) { /* a header value never holds NUL */
		free(loc);
		return 0;
	}
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		struct hc_url base, u;
		char err[256];
		check(url_parse(bases[b], false, &base, err, sizeof(err)) == HC_OK);
		char *out = url_resolve(&base, loc);
		if (out == NULL) {
			url_free(&base);
			continue;
		}
		if (url_parse(out, false, &u, err, sizeof(err)) == HC_OK) {
			check(u.host != NULL && u.host[0] != '\0' && printable(u.host));
			check(u.port >= 1 && u.port <= 65535);
			check(u.target != NULL && u.target[0] == '/' && printable(u.target));
			if (same_origin_ref(loc, &base))
				check(strcasecmp(u.host, base.host) == 0 && u.port == base.port &&
				      u.https == base.https);
		}
		url_free(&u); /* safe after any outcome of url_parse */
		free(out);
		url_free(&base);
	}
	free(loc);
	return 0;
}
