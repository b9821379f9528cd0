/* The access log (Common Log Format: host ident authuser [date] "request" status bytes), written in
 * batches: a line costs a few hundred nanoseconds of formatting into the server's buffer, and the
 * buffer goes to the file when it is nearly full or a second after its first line, so a busy server
 * makes one write per few dozen requests instead of one per request. With no log, nothing at all. */
#include "http_log.h"

#include "http_fmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_CAP 16384
#define LOG_LINE_MAX 512
#define LOG_DELAY SYNACK_SEC(1)

int http_access_log_open(const char *arg, FILE **out)
{
    *out = NULL;
    if (arg && !strcmp(arg, "off"))
        return 0;
    if (!arg || !strcmp(arg, "-")) {
        *out = stderr;
        return 0;
    }
    *out = fopen(arg, "a");
    return *out ? 0 : -errno;
}

void http_access_log_close(FILE *f)
{
    if (f && f != stderr)
        fclose(f);
}

void http_log_flush(struct http_server *s)
{
    if (s->log_len && s->cfg.access_log) {
        fwrite(s->log, 1, s->log_len, s->cfg.access_log);
        fflush(s->cfg.access_log);
    }
    s->log_len = 0;
    if (s->log_timer)
        synack_timer_cancel(s->log_timer);
}

static void on_log_timer(synack_stack_t *st, void *arg, synack_time_t now) { http_log_flush(arg); }

int http_log_init(struct http_server *s)
{
    if (!s->cfg.access_log)
        return 0;
    s->log = malloc(LOG_CAP);
    s->log_timer = synack_timer_new(s->st, on_log_timer, s);
    s->log_sec = -1;
    return s->log && s->log_timer ? 0 : -1;
}

void http_log_free(struct http_server *s)
{
    http_log_flush(s);
    free(s->log);
    s->log = NULL;
    synack_timer_free(s->log_timer);
    s->log_timer = NULL;
}

void http_log_line(struct http_server *s, const struct synack_ip *peer, const char *req, size_t n, int status,
                   uint64_t bytes, synack_time_t now)
{
    if (!s->log)
        return;
    if (s->log_len + LOG_LINE_MAX > LOG_CAP)
        http_log_flush(s);
    int64_t sec = ((int64_t)now + s->cfg.wall_offset) / 1000000;
    if (sec != s->log_sec) {
        /* one date per second, not one strftime per line */
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(s->log_date, sizeof(s->log_date), "%d/%b/%Y:%H:%M:%S +0000", &tm);
        s->log_sec = sec;
    }
    char *o = s->log + s->log_len;
    const char *end = s->log + LOG_CAP;
    synack_ip_format(peer, o, (size_t)(end - o));
    o += strlen(o);
    o = http_put_str(o, end, " - - [");
    o = http_put_str(o, end, s->log_date);
    o = http_put_str(o, end, "] \"");
    /* The request line, escaping what a terminal or a log parser could trip on, cut at 200. */
    char *stop = o + 200;
    if (!n)
        *o++ = '-';
    for (size_t i = 0; i < n && o + 4 < stop; i++) {
        unsigned char ch = (unsigned char)req[i];
        if (ch == '\r' || ch == '\n')
            break;
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
            o[0] = '\\';
            o[1] = 'x';
            o[2] = "0123456789abcdef"[ch >> 4];
            o[3] = "0123456789abcdef"[ch & 15];
            o += 4;
        } else {
            *o++ = (char)ch;
        }
    }
    o = http_put_str(o, end, "\" ");
    o = http_put_u64(o, end, (unsigned)status);
    o = http_put_str(o, end, " ");
    if (bytes)
        o = http_put_u64(o, end, bytes);
    else
        o = http_put_str(o, end, "-");
    o = http_put_str(o, end, "\n");
    if (!s->log_len)
        synack_timer_arm(s->log_timer, now + LOG_DELAY);
    s->log_len = (size_t)(o - s->log);
}
