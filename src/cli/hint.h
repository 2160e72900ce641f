/* Hints in the words of the command line, for conditions the engine describes. */
#ifndef HC_CLI_HINT_H
#define HC_CLI_HINT_H

#include <stddef.h>

#include "../http/http.h"

/* The text to put after an error's detail (it starts with its separator), or NULL. */
const char *cli_hint(enum hc_err kind, enum hc_cond cond);
/* c->err with the hint for kind and c->cond, if any, in buf; returns buf. */
const char *cli_conn_detail(const struct hc_conn *c, enum hc_err kind, char *buf, size_t len);

#endif
