/* `synack get -w FORMAT`: curl's --write-out, expanded after each transfer. Variables are written
 * %{name} (http_code, response_code, time_namelookup, time_connect, time_appconnect,
 * time_pretransfer, time_starttransfer, time_redirect, time_total, num_connects, num_redirects,
 * size_download, size_header, size_request, size_upload, speed_download, speed_upload,
 * url_effective, url, remote_ip, remote_port, content_type, exitcode, errormsg, method, scheme,
 * http_version, redirect_url), %header{NAME} is a field of the final response head, %{stdout} and
 * %{stderr} switch the stream; "\n", "\r", "\t", "\\" and "%%" are escapes as in curl. Times are
 * seconds from the start of the transfer, printed with six decimals; a transfer without a
 * response has http_code 000. An unknown variable prints a warning on stderr and nothing. */
#ifndef TOOLS_WRITEOUT_H
#define TOOLS_WRITEOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct writeout_vars {
    int http_code;
    double time_namelookup, time_connect, time_pretransfer, time_starttransfer, time_redirect, time_total;
    int num_connects, num_redirects;
    uint64_t size_download, size_header, size_request;
    const char *url_effective, *url, *remote_ip;
    unsigned remote_port;
    int exitcode;
    const char *errormsg;
    const char *method;
    const char *head;        /* the final response head as received (NULL if none) */
    size_t head_len;
};

/* Expands fmt; output goes to out until %{stderr} switches it to err (and %{stdout} back). */
void writeout(FILE *out, FILE *err, const char *fmt, const struct writeout_vars *v);

/* The value of field `name` (case-insensitive) in an HTTP head, without surrounding blanks, into
 * buf; returns 0, or -1 if the head has no such field. */
int writeout_header(const char *head, size_t head_len, const char *name, char *buf, size_t cap);

#endif
