/*
 * Unit tests for headers.c: the request head buffer wipes what it held
 * (credentials) before freeing it.
 */
#include "error.h"
#include "headers.h"
#include "unit.h"

/* Is any byte of the secret still in the len bytes at p? */
static bool holds(const volatile char *p, size_t len, const char *secret)
{
	size_t sl = strlen(secret);
	for (size_t i = 0; i + sl <= len; i++) {
		size_t k = 0;
		while (k < sl && p[i + k] == secret[k])
			k++;
		if (k == sl)
			return true;
	}
	return false;
}

/*
 * Reading freed memory is what ASan forbids, so these run in the plain build
 * only: glibc keeps a small freed block's bytes (but its first 16) until the
 * next allocation of its size, and none comes in between.
 */
static void wipe_cases(void)
{
	static const char secret[] = "Proxy-Authorization: Basic cHVzZXI6czNjcmV0\r\n";
#ifdef UNIT_ASAN
	unit_begin("hb_free wipes the head (skipped under AddressSanitizer)");
	unit_end();
#else
	unit_begin("hb_free wipes the head before freeing it");
	struct hc_headbuf hb = {.max = 1 << 20};
	CHECK_EQ_INT(hb_adds(&hb, "GET / HTTP/1.1\r\n"), HC_OK);
	CHECK_EQ_INT(hb_adds(&hb, secret), HC_OK);
	const volatile char *old = hb.p;
	size_t len = hb.len;
	hb_free(&hb);
	CHECK(!holds(old + 16, len - 16, secret + 8));
	unit_end();

	unit_begin("hb_add wipes the old block when the head grows");
	struct hc_headbuf g = {.max = 1 << 20};
	CHECK_EQ_INT(hb_adds(&g, "GET / HTTP/1.1\r\n"), HC_OK);
	CHECK_EQ_INT(hb_adds(&g, secret), HC_OK);
	const volatile char *first = g.p;
	len = g.len;
	char fill[2048];
	memset(fill, 'x', sizeof(fill));
	CHECK_EQ_INT(hb_add(&g, fill, sizeof(fill)), HC_OK);
	CHECK(holds(g.p, g.len, secret)); /* the head itself is whole */
	if (g.p != first)
		CHECK(!holds(first + 16, len - 16, secret + 8));
	hb_free(&g);
	unit_end();
#endif
}

int main(void)
{
	wipe_cases();
	return unit_done();
}
