/* The progress line: bytes, rate, and percentage and ETA when the length is known. */
#include <bsd/libutil.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../http/http.h"
#include "output.h"
#include "progress.h"

#define PROGRESS_DELAY_NS 1000000000 /* only transfers that outlast a second */
#define PROGRESS_EVERY_NS 100000000  /* at most ten updates a second */

void progress_start(struct progress *p, bool enabled, const char *what, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->enabled = enabled;
	p->what = what;
	p->total = total;
	p->start = p->last = enabled ? hc_now_ns() : 0;
}

static void size_text(char *buf, size_t len, uint64_t n)
{
	/* four characters, as "293K" or "2.0G" */
	humanize_number(buf, len < 5 ? len : 5, (int64_t)n, "", HN_AUTOSCALE,
			HN_DECIMAL | HN_NOSPACE | HN_B);
}

static void draw(struct progress *p, uint64_t done, int64_t now)
{
	p->drawn = done;
	p->last = now;
	double secs = (double)(now - p->start) / 1e9;
	uint64_t rate = (uint64_t)((double)done / secs);
	char got[16], speed[16], all[16], line[160];
	size_text(got, sizeof(got), done);
	size_text(speed, sizeof(speed), rate);
	int n;
	if (p->total) {
		size_text(all, sizeof(all), p->total);
		double pct = 100.0 * (double)done / (double)p->total;
		long eta = rate ? (long)((p->total > done ? p->total - done : 0) / rate) : -1;
		char etas[32] = "--:--";
		if (eta >= 0)
			snprintf(etas, sizeof(etas), "%ld:%02ld", eta / 60, eta % 60);
		n = snprintf(line, sizeof(line), "\r\033[K%s %5.1f%% %s of %s  %s/s  ETA %s", p->what,
			     pct > 100 ? 100.0 : pct, got, all, speed, etas);
	} else {
		n = snprintf(line, sizeof(line), "\r\033[K%s %s  %s/s", p->what, got, speed);
	}
	if (n > 0)
		(void)out_write_fd(STDERR_FILENO, line,
				   (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	p->shown = true;
}

void progress_update(struct progress *p, uint64_t done)
{
	if (!p->enabled)
		return;
	p->done = done;
	int64_t now = hc_now_ns();
	bool complete = p->total && done >= p->total && done != p->drawn;
	if (now - p->start < PROGRESS_DELAY_NS || (now - p->last < PROGRESS_EVERY_NS && !complete))
		return;
	draw(p, done, now);
}

void progress_tick(struct progress *p)
{
	progress_update(p, p->done);
}

void progress_end(struct progress *p)
{
	/* the last count is shown once, however soon after the one before */
	if (p->shown && p->drawn != p->done)
		draw(p, p->done, hc_now_ns());
	if (p->shown)
		(void)out_write_fd(STDERR_FILENO, "\r\033[K", 4);
	p->shown = false;
	p->enabled = false;
}

void progress_multi_start(struct progress_multi *m, bool enabled, unsigned total)
{
	memset(m, 0, sizeof(*m));
	m->enabled = enabled;
	m->total = total;
	m->start = m->last = enabled ? hc_now_ns() : 0;
}

void progress_multi_add(struct progress_multi *m, struct progress_xfer *x)
{
	memset(x, 0, sizeof(*x));
	x->running = true;
	m->running++;
}

size_t progress_multi_text(const struct progress_multi *m, int64_t now, char *buf, size_t len)
{
	double secs = (double)(now - m->start) / 1e9;
	uint64_t rate = secs > 0 ? (uint64_t)((double)(m->down + m->up) / secs) : 0;
	char down[16], up[16], speed[16];
	size_text(down, sizeof(down), m->down);
	size_text(up, sizeof(up), m->up);
	size_text(speed, sizeof(speed), rate);
	int n = snprintf(buf, len, "%u/%u done, %u running  down %s  up %s  %s/s", m->ended,
			 m->total, m->running, down, up, speed);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

static void multi_draw(struct progress_multi *m, int64_t now)
{
	char line[160] = "\r\033[K";
	size_t n = 4 + progress_multi_text(m, now, line + 4, sizeof(line) - 4);
	(void)out_write_fd(STDERR_FILENO, line, n);
	m->last = now;
	m->shown = true;
}

void progress_multi_tick(struct progress_multi *m)
{
	if (!m->enabled)
		return;
	int64_t now = hc_now_ns();
	if (now - m->start >= PROGRESS_DELAY_NS && now - m->last >= PROGRESS_EVERY_NS)
		multi_draw(m, now);
}

void progress_multi_update(struct progress_multi *m, struct progress_xfer *x, uint64_t down,
			   uint64_t up)
{
	/* modulo 2^64: a count that goes back (a retry starts over) takes its bytes off again */
	m->down += down - x->down;
	m->up += up - x->up;
	x->down = down;
	x->up = up;
	progress_multi_tick(m);
}

void progress_multi_end_xfer(struct progress_multi *m, struct progress_xfer *x)
{
	if (!x->running)
		return;
	x->running = false;
	m->running--;
	m->ended++;
	progress_multi_tick(m);
}

void progress_multi_end(struct progress_multi *m)
{
	if (m->shown)
		(void)out_write_fd(STDERR_FILENO, "\r\033[K", 4);
	m->shown = false;
	m->enabled = false;
}
