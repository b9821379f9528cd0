/* `synack get URL...`: an HTTP client over the synack stack on a TAP/TUN device (apps/http).
 *
 * Names are resolved by apps/dns: the hosts file first (--hosts, default /etc/hosts), then DNS
 * (--dns ADDRESS, repeatable, IPv4 or IPv6; default: the nameservers of /etc/resolv.conf), A and
 * AAAA records (-4 or -6 for one family, as curl's); a name's addresses are tried in turn, the
 * next when a connect fails. URLs are fetched one after
 * another, so several URLs to the same host:port share one kept-alive connection from the client's
 * pool. Output: `-o FILE` may be given once per URL and pairs with the URLs in order (like curl);
 * `-O` names each file after the last segment of its URL's path (index.html if it ends in '/');
 * bodies with neither go to standard output. A progress bar is drawn on stderr when it is a
 * terminal (never with -s).
 *
 * The flags it shares with curl behave as curl's: -I sends HEAD and prints the response head;
 * -f prints nothing for a status of 400 or more and exits 22; -w FORMAT is curl's --write-out
 * (writeout.h); --connect-timeout; -s silences the progress bar and the error messages (-S brings
 * the errors back). Exit status as curl's: 0 success, 3 malformed URL, 6 the name did not resolve,
 * 7 could not connect, 8 a response synack cannot parse, 18 partial body, 22 HTTP error with -f,
 * 23 write error, 28 timeout, 47 too many redirects, 52 empty reply, 56 receive failure; 2 for
 * usage errors. With several URLs, the status of the last one that failed. `--timing` prints
 * synack's own timing line per URL on stderr (resolve, connect, first byte, total, reuse). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../apps/dns/resolver.h"
#include "../apps/http/http_client.h"
#include "../apps/http/http_url.h"
#include "cmd.h"
#include "devopts.h"
#include "dnserr.h"
#include "numarg.h"
#include "opterr.h"
#include "writeout.h"

#define GET_MAX_URLS 256

static volatile int get_stop;
static void get_signal(int sig) { get_stop = 1; }

struct get {
    struct devrun run;
    struct http_client *cl;
    struct dns_resolver *res;
    synack_timer_t *wait_timer;
    char **urls;
    int nurls, cur;
    const char *outs[GET_MAX_URLS];
    int nouts, name_by_url, follow, head, include, timing, fail_http, verbose, progress;
    int silent, show_error;
    const char *write_fmt;    /* -w */
    int exit_code;            /* curl's, of the last fetch that failed */
    int suppress;             /* -f and a status >= 400: this fetch's output is dropped */
    char last_head[8192];     /* the last response head, for -w's %header{} and content_type */
    char out_path[256];       /* the file of this fetch ("" for stdout) */
    size_t last_head_len;
    synack_time_t wait;
    FILE *out;
    int out_is_stdout;
    int64_t total;
    uint64_t got;
    synack_time_t last_draw, started;
    int failures, finished;
    struct dns_result last_dns;   /* the latest lookup's outcome: a failure is told from it */
    char last_host[256];          /* the name it was for */
    /* A name's addresses are tried in the resolver's order, the next after a failed connect
     * (sequentially, as curl does when its happy eyeballs have nothing left to race): while a
     * fetch retries, the adapter answers pin_host with its pin_idx-th address. */
    char pin_host[256];
    int pin_idx;
};

/* ---- resolver adapter: apps/dns answers with a dns_result, the client wants one address ---- */
struct resolve_req {
    struct get *g;
    http_resolve_done_fn done;
    void *arg;
    char host[256];
};

static void on_dns(void *arg, const struct dns_result *r, synack_time_t now)
{
    struct resolve_req *q = arg;
    struct get *g = q->g;
    g->last_dns = *r;
    snprintf(g->last_host, sizeof(g->last_host), "%s", q->host);
    int err = r->err ? r->err : r->naddrs > 0 ? 0 : DNS_E_NODATA;
    int k = !strcmp(q->host, g->pin_host) && g->pin_idx < r->naddrs ? g->pin_idx : 0;
    if (k == 0)
        g->pin_idx = 0;
    q->done(q->arg, err, err ? NULL : &r->addrs[k], now);
    free(q);
}

static int resolve_adapter(void *ctx, const char *host, http_resolve_done_fn done, void *arg, synack_time_t now)
{
    struct get *g = ctx;
    struct resolve_req *q = malloc(sizeof(*q));
    if (!q)
        return -ENOMEM;
    q->g = g;
    q->done = done;
    q->arg = arg;
    snprintf(q->host, sizeof(q->host), "%s", host);
    int r = dns_resolve(g->res, host, on_dns, q, now);
    if (r < 0)
        free(q);
    return r;
}

static void start_next(struct get *g, synack_time_t now);

static void human(double v, char *buf, size_t cap)
{
    const char *u[] = { "B", "KB", "MB", "GB" };
    int i = 0;
    while (v >= 1000 && i < 3) {
        v /= 1000;
        i++;
    }
    snprintf(buf, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void draw_progress(struct get *g, int final, synack_time_t now)
{
    if (!final && now - g->last_draw < SYNACK_MS(100))
        return;
    g->last_draw = now;
    double secs = (double)(now - g->started) / 1e6;
    char got[32], tot[32], rate[32];
    human((double)g->got, got, sizeof(got));
    human(secs > 0 ? (double)g->got / secs : 0, rate, sizeof(rate));
    if (g->total > 0) {
        int pct = (int)((double)g->got * 100 / (double)g->total);
        int bars = pct * 30 / 100;
        human((double)g->total, tot, sizeof(tot));
        fprintf(stderr, "\r[%.*s%*s] %3d%% %s / %s %s/s ", bars, "==============================", 30 - bars, "",
                pct, got, tot, rate);
    } else {
        fprintf(stderr, "\r%s %s/s ", got, rate);
    }
    if (final)
        fprintf(stderr, "\n");
}

/* Every response head as received: kept for -w, printed for -I and -i (as curl -I and -i,
 * redirects' too, each before its body). */
static void on_head_raw(void *arg, const char *head, size_t len, synack_time_t now)
{
    struct get *g = arg;
    g->last_head_len = len < sizeof(g->last_head) ? len : sizeof(g->last_head);
    memcpy(g->last_head, head, g->last_head_len);
    int status = len > 12 ? atoi(head + 9) : 0;
    if ((g->head || g->include) && g->out && !(g->fail_http && status >= 400) && fwrite(head, 1, len, g->out) != len) {
        fprintf(stderr, "synack get: write error: %s\n", strerror(errno));
        get_stop = 1;
    }
}

static void on_head(void *arg, int status, int64_t content_length, synack_time_t now)
{
    struct get *g = arg;
    g->total = content_length;
    g->suppress = g->fail_http && status >= 400;
    if (g->verbose)
        fprintf(stderr, "synack get: %s: status %d, length %lld\n", g->urls[g->cur], status, (long long)content_length);
}

static void on_body(void *arg, const char *data, size_t len, synack_time_t now)
{
    struct get *g = arg;
    if (g->out && !g->suppress && fwrite(data, 1, len, g->out) != len) {
        fprintf(stderr, "synack get: write error: %s\n", strerror(errno));
        get_stop = 1;
    }
    g->got += len;
    if (g->progress)
        draw_progress(g, 0, now);
}

/* curl's exit code and message for a finished fetch (0 and "" for success). */
static int curl_code(const struct get *g, const struct http_fetch_result *r, const char *url, char *msg, size_t cap)
{
    struct http_url u;
    const char *host = http_url_parse(url, &u) == 0 ? u.host : url;
    char ip[SYNACK_IP_STRLEN] = "";
    synack_ip_format(&r->remote.addr, ip, sizeof(ip));
    msg[0] = 0;
    if (!r->err) {
        if (g->fail_http && r->status >= 400) {
            snprintf(msg, cap, "The requested URL returned error: %d", r->status);
            return 22;
        }
        return 0;
    }
    switch (r->failed_in) {
    case HTTP_FAIL_RESOLVE: {
        /* curl: "Could not resolve host: NAME"; then why, as host(1) would say it */
        struct dns_result d = g->last_dns;
        if (d.err != r->err) {   /* the lookup did not start (a bad name): no outcome to tell from */
            memset(&d, 0, sizeof(d));
            d.err = r->err;
        }
        char why[384];
        snprintf(msg, cap, "Could not resolve host: %s (%s)", host, dns_err_reason(&d, why, sizeof(why)));
        return 6;
    }
    case HTTP_FAIL_CONNECT:
        if (r->err == -ETIMEDOUT) {
            snprintf(msg, cap, "connection to %s port %u timed out after %llu ms", ip, r->remote.port,
                     (unsigned long long)(r->t.total / 1000));
            return 28;
        }
        snprintf(msg, cap, "failed to connect to %s port %u: %s", ip, r->remote.port,
                 r->err == -EAFNOSUPPORT ? "IPv6 is not supported yet (the stack speaks IPv4)" : synack_strerror(r->err));
        return 7;
    default:
        break;
    }
    switch (r->err) {
    case -ETIMEDOUT:
        snprintf(msg, cap, "operation timed out after %llu ms with %llu bytes received",
                 (unsigned long long)(r->t.total / 1000), (unsigned long long)r->body_bytes);
        return 28;
    case -ELOOP:
        snprintf(msg, cap, "too many redirects");
        return 47;
    case -EBADMSG:
    case -EMSGSIZE:
        snprintf(msg, cap, "weird server reply (%s)", r->err == -EBADMSG ? "not an HTTP response" : "head too large");
        return 8;
    case -ECONNRESET:
        if (!r->status) {
            snprintf(msg, cap, "empty reply from server");
            return 52;
        }
        break;
    case -ECONNABORTED:
        snprintf(msg, cap, "transfer closed with the body incomplete (%llu bytes received)",
                 (unsigned long long)r->body_bytes);
        return 18;
    default:
        break;
    }
    snprintf(msg, cap, "receive failure: %s", synack_strerror(r->err));
    return 56;
}

static const struct http_fetch_callbacks get_cb;

static void on_done(void *arg, const struct http_fetch_result *r, synack_time_t now)
{
    struct get *g = arg;
    /* A connect to one of the name's addresses failed: the same URL again, with the next address
     * (nothing was written yet: the failure came before any response). */
    if (r->err && r->failed_in == HTTP_FAIL_CONNECT && g->last_dns.err == 0 &&
        g->pin_idx + 1 < g->last_dns.naddrs && synack_ip_equal(&r->remote.addr, &g->last_dns.addrs[g->pin_idx])) {
        char ip[SYNACK_IP_STRLEN];
        synack_ip_format(&r->remote.addr, ip, sizeof(ip));
        if (g->verbose)
            fprintf(stderr, "synack get: failed to connect to %s port %u: %s; trying the next address\n", ip,
                    r->remote.port, synack_strerror(r->err));
        snprintf(g->pin_host, sizeof(g->pin_host), "%s", g->last_host);
        g->pin_idx++;
        if (http_client_fetch(g->cl, g->urls[g->cur], g->head ? "HEAD" : "GET", g->follow, &get_cb, g, now) == 0)
            return;
    }
    if (g->progress && !r->err)
        draw_progress(g, 1, now);
    int write_failed = 0;
    if (g->out && !g->out_is_stdout) {
        if (fclose(g->out) != 0 && !r->err)
            write_failed = 1;
    } else if (g->out) {
        if (fflush(g->out) != 0)
            write_failed = 1;
    }
    g->out = NULL;
    if (g->suppress && g->out_path[0])
        remove(g->out_path);   /* -f: like curl, no file for an error response */
    char msg[512];
    int code = curl_code(g, r, g->urls[g->cur], msg, sizeof(msg));
    if (!code && write_failed) {
        snprintf(msg, sizeof(msg), "write error: %s", strerror(errno));
        code = 23;
    }
    if (code) {
        g->exit_code = code;
        g->failures++;
        if (!g->silent || g->show_error)
            fprintf(stderr, "synack get: (%d) %s\n", code, msg);
    }
    if (g->write_fmt) {
        char ip[SYNACK_IP_STRLEN] = "";
        if (r->reached)
            synack_ip_format(&r->remote.addr, ip, sizeof(ip));
        struct writeout_vars v = {
            .http_code = r->status,
            .time_namelookup = (double)r->t.resolve / 1e6,
            .time_connect = (double)r->t.connect / 1e6,
            .time_pretransfer = (double)r->t.connect / 1e6,
            .time_starttransfer = (double)r->t.first_byte / 1e6,
            .time_total = (double)r->t.total / 1e6,
            .num_connects = r->connects,
            .num_redirects = r->redirects,
            .size_download = r->body_bytes,
            .size_header = r->head_bytes,
            .url_effective = r->final_url,
            .url = g->urls[g->cur],
            .remote_ip = ip,
            .remote_port = r->reached ? r->remote.port : 0,
            .exitcode = code,
            .errormsg = msg,
            .method = g->head ? "HEAD" : "GET",
            .head = g->last_head_len ? g->last_head : NULL,
            .head_len = g->last_head_len,
        };
        writeout(stdout, stderr, g->write_fmt, &v);
    }
    if (g->timing)
        fprintf(stderr, "url=%s status=%d bytes=%llu resolve=%.6f connect=%.6f first_byte=%.6f total=%.6f "
                        "reused=%d retries=%d redirects=%d\n",
                r->final_url, r->status, (unsigned long long)r->body_bytes, (double)r->t.resolve / 1e6,
                (double)r->t.connect / 1e6, (double)r->t.first_byte / 1e6, (double)r->t.total / 1e6, r->reused,
                r->retries, r->redirects);
    if (g->verbose && r->retries)
        fprintf(stderr, "synack get: retried %d time(s) on a fresh connection\n", r->retries);
    g->cur++;
    if (g->cur >= g->nurls) {
        g->finished = 1;
        return;
    }
    if (g->wait)
        synack_timer_arm(g->wait_timer, now + g->wait);
    else
        start_next(g, now);
}

static void on_wait(synack_stack_t *st, void *arg, synack_time_t now) { start_next(arg, now); }

/* The file name -O gives a URL: the last path segment, or index.html. */
static void name_for(const char *url, char *buf, size_t cap)
{
    struct http_url u;
    const char *name = "index.html";
    if (http_url_parse(url, &u) == 0) {
        char *q = strchr(u.target, '?');
        if (q)
            *q = 0;
        const char *slash = strrchr(u.target, '/');
        if (slash && slash[1] && strcmp(slash + 1, "..") && strcmp(slash + 1, "."))
            name = slash + 1;
    }
    snprintf(buf, cap, "%s", name);
}

static const struct http_fetch_callbacks get_cb = { on_head, on_body, on_done, on_head_raw };

static void start_next(struct get *g, synack_time_t now)
{
    const char *url = g->urls[g->cur];
    char name[256];
    const char *path = g->cur < g->nouts ? g->outs[g->cur] : NULL;
    if (!path && g->name_by_url) {
        name_for(url, name, sizeof(name));
        path = name;
    }
    g->out_is_stdout = !path || !strcmp(path, "-");
    snprintf(g->out_path, sizeof(g->out_path), "%s", g->out_is_stdout ? "" : path);
    g->out = g->out_is_stdout ? stdout : fopen(path, "wb");
    if (!g->out) {
        fprintf(stderr, "synack get: (23) cannot write '%s': %s\n", path, strerror(errno));
        g->exit_code = 23;
        g->failures++;
        get_stop = 1;
        return;
    }
    g->total = -1;
    g->got = 0;
    g->started = now;
    g->last_draw = 0;
    g->suppress = 0;
    g->last_head_len = 0;
    g->pin_host[0] = 0;
    g->pin_idx = 0;
    int r = http_client_fetch(g->cl, url, g->head ? "HEAD" : "GET", g->follow, &get_cb, g, now);
    if (r < 0) {
        fprintf(stderr, "synack get: (%d) bad URL '%s': %s\n", r == -EPROTONOSUPPORT ? 1 : 3, url,
                r == -EPROTONOSUPPORT ? "only http:// is supported" : "malformed");
        if (g->out && !g->out_is_stdout)
            fclose(g->out);
        g->out = NULL;
        g->exit_code = r == -EPROTONOSUPPORT ? 1 : 3;
        g->failures++;
        get_stop = 1;
    }
}

static void get_usage(FILE *f)
{
    fprintf(f, "usage: synack get [options] (--tap NAME | --tun NAME) --addr A.B.C.D/N URL...\n"
               "  Fetches http:// URLs over the synack stack; several URLs to one host:port share a\n"
               "  kept-alive connection.\n"
               "  -o FILE       write the body to FILE; give one -o per URL, in order (- is stdout)\n"
               "  -O            name each output file after its URL's last path segment\n"
               "  -L            follow redirects (at most 10)\n"
               "  -I, --head    send HEAD and print the response head (as curl -I)\n"
               "  -i, --include print each response's head before its body (as curl -i)\n"
               "  -A, --user-agent NAME  the User-Agent field's value (default synack-get)\n"
               "  -f, --fail    print nothing for a status of 400 or more, and exit 22 (as curl -f)\n"
               "  -w, --write-out FORMAT  after each URL print FORMAT on stdout, as curl: %%{http_code},\n"
               "                %%{time_namelookup}, %%{time_connect}, %%{time_starttransfer}, %%{time_total},\n"
               "                %%{num_connects}, %%{num_redirects}, %%{size_download}, %%{size_header},\n"
               "                %%{speed_download}, %%{url_effective}, %%{remote_ip}, %%{remote_port},\n"
               "                %%{content_type}, %%{exitcode}, %%{errormsg}, %%header{NAME}, %%{stderr}, \\n;\n"
               "                @FILE reads FORMAT from FILE\n"
               "  --connect-timeout S  give up connecting after S seconds (default 10; exit 28)\n"
               "  -s, --silent  no progress bar, no error messages; -S, --show-error: errors anyway\n"
               "  --timing      print synack's timing line per URL on stderr (resolve, connect, first\n"
               "                byte, total, reused, retries, redirects)\n"
               "  -v            say what happens on stderr\n"
               "  -4            resolve names to IPv4 addresses only (A records)\n"
               "  -6            resolve names to IPv6 addresses only (AAAA records)\n"
               "  Exit status as curl's: 6 name not resolved, 7 cannot connect, 22 HTTP error with -f,\n"
               "  28 timeout, 47 too many redirects, 52 empty reply, 56 receive failure.\n"
               "  --hosts FILE  hosts file consulted first (default /etc/hosts)\n"
               "  --dns ADDRESS DNS server, IPv4 or IPv6 (repeatable; default: nameservers of /etc/resolv.conf)\n"
               "  --wait S      pause S seconds between URLs (keep-alive expiry experiments)\n"
               "  --pool-idle S longest an idle pooled connection is kept (default 30)\n"
               "  --no-progress never draw the progress bar\n"
               DEVOPTS_HELP);
}

int cmd_get(int argc, char **argv)
{
    struct devopts dev;
    devopts_init(&dev);
    struct get *g = calloc(1, sizeof(*g));
    if (!g)
        return 1;
    const char *hosts = "/etc/hosts";
    struct dns_resolver_config rc;
    memset(&rc, 0, sizeof(rc));
    int no_progress = 0;
    double pool_idle = 30, connect_timeout = 10;
    char *fmt_file = NULL;
    static const struct option opts[] = { DEVOPTS_LONG, { "head", no_argument, 0, 'I' }, { "fail", no_argument, 0, 'f' },
                                          { "hosts", required_argument, 0, 1201 }, { "dns", required_argument, 0, 1202 },
                                          { "wait", required_argument, 0, 1203 }, { "pool-idle", required_argument, 0, 1204 },
                                          { "no-progress", no_argument, 0, 1205 }, { "help", no_argument, 0, 'h' },
                                          { "write-out", required_argument, 0, 'w' }, { "silent", no_argument, 0, 's' },
                                          { "show-error", no_argument, 0, 'S' }, { "timing", no_argument, 0, 1206 },
                                          { "connect-timeout", required_argument, 0, 1207 },
                                          { "include", no_argument, 0, 'i' }, { "user-agent", required_argument, 0, 'A' },
                                          { 0, 0, 0, 0 } };
    int c, rcode = 2;
    opterr = 0;
    const char *user_agent = NULL;
    while ((c = getopt_long(argc, argv, ":o:OLIiA:fw:vhsS46", opts, NULL)) != -1) {
        switch (c) {
        case '?':
        case ':':
            tool_bad_option("get", c, argc, argv, opts);
            goto out;
        case 'h': get_usage(stdout); rcode = 0; goto out;
        case 'o':
            if (g->nouts >= GET_MAX_URLS)
                goto out;
            g->outs[g->nouts++] = optarg;
            continue;
        case 'O': g->name_by_url = 1; continue;
        case 'L': g->follow = 1; continue;
        case 'I': g->head = 1; continue;
        case 'i': g->include = 1; continue;
        case 'A':
            /* a field value: no CR or LF, which would end the field (RFC 9110 5.5) */
            if (!*optarg || strpbrk(optarg, "\r\n")) {
                fprintf(stderr, "synack get: -A needs a name, with no line break in it\n");
                goto out;
            }
            user_agent = optarg;
            continue;
        case 'f': g->fail_http = 1; continue;
        case 'w': g->write_fmt = optarg; continue;
        case 's': g->silent = 1; continue;
        case 'S': g->show_error = 1; continue;
        case 1206: g->timing = 1; continue;
        case 1207:
            if (numarg_real("get", "--connect-timeout", optarg, 0.001, 3600, "s", &connect_timeout))
                goto out;
            continue;
        case 'v': g->verbose = 1; continue;
        case '4': rc.family = 4; continue;
        case '6': rc.family = 6; continue;
        case 1201: hosts = optarg; continue;
        case 1202:
            if (rc.nservers >= DNS_MAX_SERVERS || synack_ip_parse(optarg, &rc.servers[rc.nservers]) != 0) {
                fprintf(stderr, "synack get: bad --dns '%s' (an IP address; at most %d)\n", optarg, DNS_MAX_SERVERS);
                goto out;
            }
            rc.nservers++;
            continue;
        case 1203: {
            double w;
            if (numarg_real("get", "--wait", optarg, 0, 3600, "s", &w))
                goto out;
            g->wait = (synack_time_t)(w * 1e6);
            continue;
        }
        case 1204:
            if (numarg_real("get", "--pool-idle", optarg, 0.001, 3600, "s", &pool_idle))
                goto out;
            continue;
        case 1205: no_progress = 1; continue;
        default: {
            if (devopts_parse(&dev, c, optarg, "get") != 0)
                goto out;
        }
        }
    }
    g->urls = argv + optind;
    g->nurls = argc - optind;
    if (g->nurls < 1) {
        tool_usage_error("get", "give at least one URL");
        goto out;
    }
    if (g->nouts > g->nurls) {
        fprintf(stderr, "synack get: more -o files than URLs\n");
        goto out;
    }
    for (int i = 0; i < g->nurls; i++) {
        struct http_url u;
        int r = http_url_parse(g->urls[i], &u);
        if (r < 0) {
            fprintf(stderr, "synack get: (%d) bad URL '%s': %s\n", r == -EPROTONOSUPPORT ? 1 : 3, g->urls[i],
                    r == -EPROTONOSUPPORT ? "only http:// is supported" : "malformed");
            rcode = r == -EPROTONOSUPPORT ? 1 : 3;   /* as curl */
            goto out;
        }
    }
    if (devopts_check(&dev, "get") != 0)
        goto out;
    if (g->write_fmt && g->write_fmt[0] == '@') {
        /* curl's -w @FILE (@- for standard input) */
        const char *path = g->write_fmt + 1;
        FILE *ff = strcmp(path, "-") ? fopen(path, "r") : stdin;
        size_t cap = 0;
        if (ff) {
            fmt_file = calloc(1, 65536);
            cap = fmt_file ? fread(fmt_file, 1, 65535, ff) : 0;
            if (ff != stdin)
                fclose(ff);
        }
        if (!fmt_file) {
            fprintf(stderr, "synack get: cannot read the -w format file '%s': %s\n", path, strerror(errno));
            goto out;
        }
        fmt_file[cap] = 0;
        g->write_fmt = fmt_file;
    }
    if (rc.nservers == 0)
        dns_read_resolv_conf("/etc/resolv.conf", &rc);
    rc.hosts_path = hosts;
    g->progress = !no_progress && !g->silent && isatty(2) && !g->head;
    rcode = 1;
    if (devrun_open(&g->run, &dev, "get") != 0)
        goto out;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = get_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    g->res = dns_resolver_new(g->run.st, &rc);
    struct http_client_config cc;
    http_client_config_init(&cc, g->run.st);
    cc.resolve = resolve_adapter;
    cc.resolve_ctx = g;
    cc.pool_idle = (synack_time_t)(pool_idle * 1e6);
    cc.connect_timeout = (synack_time_t)(connect_timeout * 1e6);
    if (user_agent)
        cc.user_agent = user_agent;
    g->cl = g->res ? http_client_new(&cc) : NULL;
    g->wait_timer = synack_timer_new(g->run.st, on_wait, g);
    if (!g->cl || !g->wait_timer) {
        fprintf(stderr, "synack get: out of memory\n");
        goto done;
    }
    start_next(g, synack_clock_now());   /* from the main loop, not a callback */
    while (!get_stop && !g->finished)
        devrun_run_once(&g->run, SYNACK_MS(100));
    if (g->verbose) {
        struct http_client_stats s;
        http_client_get_stats(g->cl, &s);
        fprintf(stderr, "synack get: %llu requests, %llu connections opened, %llu reused, %llu retries, "
                        "%llu closed before the server's keep-alive timeout\n",
                (unsigned long long)s.requests, (unsigned long long)s.conns_opened, (unsigned long long)s.conns_reused,
                (unsigned long long)s.retries, (unsigned long long)s.conns_closed_ka_timeout);
    }
    rcode = g->finished && !g->failures ? 0 : g->exit_code ? g->exit_code : 1;
done:
    if (g->out && !g->out_is_stdout)
        fclose(g->out);
    /* The resolver first: its pending callbacks would reach the client's fetches. */
    dns_resolver_free(g->res);
    http_client_free(g->cl, synack_clock_now());
    synack_timer_free(g->wait_timer);
    synack_driver_run_once(g->run.driver, 0);   /* let the FINs leave */
    devrun_close(&g->run);
out:
    free(fmt_file);
    free(g);
    return rcode;
}
