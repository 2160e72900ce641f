/* -w/--write-out: %{name} variables, \n escapes, %{json}, %{stderr}/%{stdout}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "writeout.h"

enum wo_type { WO_INT, WO_SECONDS, WO_STRING };

struct wo_value {
	enum wo_type type;
	long long i;
	double s;
	const char *str;
};

static double secs(int64_t ns)
{
	return ns > 0 ? (double)ns / 1e9 : 0.0;
}

/* The variables, in the order %{json} lists them. */
static const char *const names[] = {
	"http_code",	  "http_version",	 "num_redirects",	"remote_ip",
	"remote_port",	  "size_download",	 "size_upload",		"time_namelookup",
	"time_connect",	  "time_appconnect",	 "time_pretransfer",	"time_starttransfer",
	"time_total",	  "url_effective",	 "exitcode",		"errormsg",
};

static bool lookup(const char *name, const struct wo_info *w, struct wo_value *v)
{
	const struct hc_conn *c = w->c;
	const struct hc_response *r = w->resp;
	v->type = WO_INT;
	if (!strcmp(name, "http_code")) {
		v->i = r ? r->status : 0;
	} else if (!strcmp(name, "http_version")) {
		v->type = WO_STRING;
		v->str = !r ? "0" : r->version == 10 ? "1.0" : r->version == 20 ? "2" : "1.1";
	} else if (!strcmp(name, "num_redirects")) {
		v->i = w->redirects;
	} else if (!strcmp(name, "remote_ip")) {
		v->type = WO_STRING;
		v->str = c->remote_ip;
	} else if (!strcmp(name, "remote_port")) {
		v->i = c->remote_port;
	} else if (!strcmp(name, "size_download")) {
		v->i = r ? (long long)r->nread : 0;
	} else if (!strcmp(name, "size_upload")) {
		v->i = (long long)c->tx_body;
	} else if (!strncmp(name, "time_", 5)) {
		const struct hc_timing *t = &c->tm;
		v->type = WO_SECONDS;
		if (!strcmp(name, "time_namelookup"))
			v->s = secs(t->namelookup);
		else if (!strcmp(name, "time_connect"))
			v->s = secs(t->connect);
		else if (!strcmp(name, "time_appconnect"))
			v->s = c->tls ? secs(t->appconnect) : 0.0;
		else if (!strcmp(name, "time_pretransfer"))
			v->s = secs(t->pretransfer);
		else if (!strcmp(name, "time_starttransfer"))
			v->s = secs(t->starttransfer);
		else if (!strcmp(name, "time_total"))
			v->s = secs(t->total ? t->total : hc_now_ns() - t->t0);
		else
			return false;
	} else if (!strcmp(name, "url_effective")) {
		v->type = WO_STRING;
		v->str = w->url_effective ? w->url_effective : "";
	} else if (!strcmp(name, "exitcode")) {
		v->i = w->exit_code;
	} else if (!strcmp(name, "errormsg")) {
		v->type = WO_STRING;
		v->str = w->errormsg ? w->errormsg : "";
	} else {
		return false;
	}
	return true;
}

/* Text for a terminal (standard output on one, or standard error) is escaped. */
static enum hc_err put_text(struct hc_headbuf *b, const char *s, bool esc)
{
	return esc ? out_vis(b, s, strlen(s)) : hb_adds(b, s);
}

static enum hc_err put_value(struct hc_headbuf *b, const struct wo_value *v, bool esc)
{
	char num[64];
	switch (v->type) {
	case WO_INT:
		snprintf(num, sizeof(num), "%lld", v->i);
		return hb_adds(b, num);
	case WO_SECONDS:
		snprintf(num, sizeof(num), "%.6f", v->s);
		return hb_adds(b, num);
	case WO_STRING:
		return put_text(b, v->str, esc);
	}
	return HC_OK;
}

/* JSON text: controls as \\u escapes; on a terminal, a byte that is no UTF-8 character from
 * U+00A0 up (a C1 control) is \\u00XX too. */
static enum hc_err put_json_string(struct hc_headbuf *b, const char *s, bool term)
{
	enum hc_err rc = hb_add(b, "\"", 1);
	for (; *s && rc == HC_OK; s++) {
		unsigned char ch = (unsigned char)*s;
		size_t k = 0;
		char esc[8];
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			rc = hb_add(b, esc, 2);
		} else if (ch < 0x20 || ch == 0x7f ||
			   (ch >= 0x80 && term &&
			    (k = out_utf8_char((const unsigned char *)s, strlen(s))) == 0)) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			rc = hb_add(b, esc, 6);
		} else if (k > 0) {
			rc = hb_add(b, s, k);
			s += k - 1;
		} else {
			rc = hb_add(b, s, 1);
		}
	}
	return rc ? rc : hb_add(b, "\"", 1);
}

static enum hc_err put_json(struct hc_headbuf *b, const struct wo_info *w, bool esc)
{
	enum hc_err rc = hb_add(b, "{", 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && rc == HC_OK; i++) {
		struct wo_value v;
		lookup(names[i], w, &v);
		if (i)
			rc = hb_add(b, ",", 1);
		if (rc == HC_OK)
			rc = put_json_string(b, names[i], esc);
		if (rc == HC_OK)
			rc = hb_add(b, ":", 1);
		if (rc == HC_OK)
			rc = v.type == WO_STRING ? put_json_string(b, v.str, esc)
						 : put_value(b, &v, esc);
	}
	return rc ? rc : hb_add(b, "}", 1);
}

static enum hc_err flush(struct out *o, struct hc_headbuf *b, int fd)
{
	enum hc_err rc = HC_OK;
	if (b->len)
		rc = out_write_all(o, fd, b->p, b->len, fd == STDOUT_FILENO ? "standard output"
									 : "standard error");
	b->len = 0;
	return rc;
}

enum hc_err writeout(struct out *o, const char *fmt, const struct wo_info *w)
{
	struct hc_headbuf b = {.max = 16 << 20};
	int fd = STDOUT_FILENO;
	bool esc = o->tty_out; /* standard error is always escaped */
	enum hc_err rc = HC_OK;

	for (const char *p = fmt; *p && rc == HC_OK;) {
		if (p[0] == '%' && p[1] == '{') {
			const char *end = strchr(p + 2, '}');
			if (end == NULL) {
				rc = hb_adds(&b, p);
				break;
			}
			char name[256];
			size_t n = (size_t)(end - p - 2);
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, p + 2, n);
			name[n] = '\0';
			struct wo_value v;
			if (!strcmp(name, "stdout") || !strcmp(name, "stderr")) {
				rc = flush(o, &b, fd);
				fd = name[3] == 'o' ? STDOUT_FILENO : STDERR_FILENO;
				esc = fd == STDERR_FILENO || o->tty_out;
			} else if (!strcmp(name, "json")) {
				rc = put_json(&b, w, esc);
			} else if (!strncmp(name, "header.", 7)) {
				char *val = w->resp ? hdr_get_joined(&w->resp->hdrs, name + 7) : NULL;
				if (val)
					rc = put_text(&b, val, esc);
				free(val);
			} else if (lookup(name, w, &v)) {
				rc = put_value(&b, &v, esc);
			} else {
				/* unknown: kept as written; curl warns and goes on, we warn once a run */
				static bool warned;
				if (!warned) {
					warned = true;
					out_warn(o, "unknown -w variable '%%{%s}', written as it is", name);
				}
				rc = hb_add(&b, p, (size_t)(end - p + 1));
			}
			p = end + 1;
		} else if (p[0] == '%' && p[1] == '%') {
			rc = hb_add(&b, "%", 1);
			p += 2;
		} else if (p[0] == '\\' && p[1]) {
			char ch = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : p[1] == 'r' ? '\r' : p[1];
			if (strchr("ntr\\", p[1]))
				rc = hb_add(&b, &ch, 1);
			else
				rc = hb_add(&b, p, 2);
			p += 2;
		} else {
			rc = hb_add(&b, p, 1);
			p++;
		}
	}
	if (rc == HC_OK)
		rc = flush(o, &b, fd);
	hb_free(&b);
	return rc;
}
