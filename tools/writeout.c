/* curl's --write-out for `synack get -w` (see writeout.h). */
#include "writeout.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int writeout_header(const char *head, size_t head_len, const char *name, char *buf, size_t cap)
{
    size_t nlen = strlen(name);
    const char *p = head, *end = head ? head + head_len : NULL;
    if (!head || !cap)
        return -1;
    /* Skip the status line; then one field per line, "name: value". */
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    while (nl && nl + 1 < end) {
        p = nl + 1;
        nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || (size_t)(colon - p) != nlen || strncasecmp(p, name, nlen) != 0)
            continue;
        const char *v = colon + 1;
        while (v < le && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = le;
        while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t n = (size_t)(ve - v) < cap - 1 ? (size_t)(ve - v) : cap - 1;
        memcpy(buf, v, n);
        buf[n] = 0;
        return 0;
    }
    return -1;
}

/* The HTTP version of the status line, "1.1" from "HTTP/1.1 200 OK". */
static void head_version(const struct writeout_vars *v, char *buf, size_t cap)
{
    buf[0] = 0;
    if (v->head && v->head_len > 8 && !strncmp(v->head, "HTTP/", 5)) {
        size_t n = strcspn(v->head + 5, " \r\n");
        snprintf(buf, cap, "%.*s", (int)n, v->head + 5);
    }
}

static int var(FILE *f, FILE *err, const char *name, const struct writeout_vars *v)
{
    char b[512];
    if (!strcmp(name, "http_code") || !strcmp(name, "response_code"))
        fprintf(f, "%03d", v->http_code);
    else if (!strcmp(name, "time_namelookup"))
        fprintf(f, "%.6f", v->time_namelookup);
    else if (!strcmp(name, "time_connect"))
        fprintf(f, "%.6f", v->time_connect);
    else if (!strcmp(name, "time_appconnect"))
        fprintf(f, "%.6f", 0.0);   /* no TLS */
    else if (!strcmp(name, "time_pretransfer"))
        fprintf(f, "%.6f", v->time_pretransfer);
    else if (!strcmp(name, "time_starttransfer"))
        fprintf(f, "%.6f", v->time_starttransfer);
    else if (!strcmp(name, "time_redirect"))
        fprintf(f, "%.6f", v->time_redirect);
    else if (!strcmp(name, "time_total"))
        fprintf(f, "%.6f", v->time_total);
    else if (!strcmp(name, "num_connects"))
        fprintf(f, "%d", v->num_connects);
    else if (!strcmp(name, "num_redirects"))
        fprintf(f, "%d", v->num_redirects);
    else if (!strcmp(name, "size_download"))
        fprintf(f, "%llu", (unsigned long long)v->size_download);
    else if (!strcmp(name, "size_header"))
        fprintf(f, "%llu", (unsigned long long)v->size_header);
    else if (!strcmp(name, "size_request"))
        fprintf(f, "%llu", (unsigned long long)v->size_request);
    else if (!strcmp(name, "size_upload") || !strcmp(name, "speed_upload"))
        fprintf(f, "0");
    else if (!strcmp(name, "speed_download"))
        fprintf(f, "%llu", (unsigned long long)(v->time_total > 0 ? (double)v->size_download / v->time_total : 0));
    else if (!strcmp(name, "url_effective"))
        fputs(v->url_effective ? v->url_effective : "", f);
    else if (!strcmp(name, "url"))
        fputs(v->url ? v->url : "", f);
    else if (!strcmp(name, "remote_ip"))
        fputs(v->remote_ip ? v->remote_ip : "", f);
    else if (!strcmp(name, "remote_port"))
        fprintf(f, "%u", v->remote_port);
    else if (!strcmp(name, "exitcode"))
        fprintf(f, "%d", v->exitcode);
    else if (!strcmp(name, "errormsg"))
        fputs(v->errormsg ? v->errormsg : "", f);
    else if (!strcmp(name, "method"))
        fputs(v->method ? v->method : "", f);
    else if (!strcmp(name, "scheme"))
        fputs("HTTP", f);
    else if (!strcmp(name, "http_version")) {
        head_version(v, b, sizeof(b));
        fputs(b[0] ? b : "0", f);
    } else if (!strcmp(name, "content_type")) {
        if (writeout_header(v->head, v->head_len, "content-type", b, sizeof(b)) == 0)
            fputs(b, f);
    } else if (!strcmp(name, "redirect_url")) {
        if (v->http_code >= 300 && v->http_code < 400 && writeout_header(v->head, v->head_len, "location", b, sizeof(b)) == 0)
            fputs(b, f);
    } else {
        fprintf(err, "synack get: unknown --write-out variable: '%s'\n", name);
        return -1;
    }
    return 0;
}

void writeout(FILE *out, FILE *err, const char *fmt, const struct writeout_vars *v)
{
    FILE *f = out;
    for (const char *p = fmt; *p; p++) {
        if (*p == '\\' && p[1]) {
            char c = p[1] == 'n' ? '\n' : p[1] == 'r' ? '\r' : p[1] == 't' ? '\t' : p[1] == '\\' ? '\\' : 0;
            if (c) {
                fputc(c, f);
                p++;
            } else {
                fputc('\\', f);   /* curl keeps an unknown escape as it is */
            }
            continue;
        }
        if (*p != '%') {
            fputc(*p, f);
            continue;
        }
        if (p[1] == '%') {
            fputc('%', f);
            p++;
            continue;
        }
        int is_header = !strncmp(p + 1, "header{", 7);
        if (p[1] != '{' && !is_header) {
            fputc('%', f);
            continue;
        }
        const char *open = p + (is_header ? 8 : 2);
        const char *close = strchr(open, '}');
        if (!close) {
            fputs(p, f);   /* unterminated: printed as it is */
            break;
        }
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(close - open), open);
        p = close;
        if (is_header) {
            char b[1024];
            if (writeout_header(v->head, v->head_len, name, b, sizeof(b)) == 0)
                fputs(b, f);
        } else if (!strcmp(name, "stdout")) {
            f = out;
        } else if (!strcmp(name, "stderr")) {
            f = err;
        } else {
            var(f, err, name, v);
        }
    }
    fflush(out);
    fflush(err);
}
