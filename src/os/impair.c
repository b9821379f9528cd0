/* The impaired path (synack/os.h): a seeded impairment stage between a real device and a stack.
 * Rather than a second implementation of loss, delay and the rest, each direction is a simulated
 * link (src/link/simlink.c, through its public API) used one way, from end 0 to end 1, with a
 * receive hook on end 1 that hands released frames to the direction's sink. The simulated link
 * decides per frame, from its own seeded generator, exactly as it does in the sim tier; this file
 * adds what a real device needs on top: a bound on the frames held, the frame's offload metadata
 * carried beside its bytes, release at real times and counters of what was done.
 *
 * Time: frames are pushed with the caller's `now` and released when the caller's clock reaches
 * their arrival; the sink gets the release time, not the arrival time, so a stack fed by it never
 * sees time step back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synack/link.h"
#include "synack/os.h"

/* Largest frame carried: a 64 KB offload frame, or an MTU of up to 65535 plus Ethernet. */
#define IMPAIR_FRAME_MAX 65600u
#define IMPAIR_LIMIT_MAX 100000u

struct impair_dir {
    synack_simlink_t *link;
    synack_impair_sink_fn sink;
    void *sink_ctx;
    synack_time_t release_now;     /* the time handed to the sink during a release */
    int fresh;                     /* releasing right after a push: copies are not delayed */
    int carry_meta;                /* offload: each held frame is [struct synack_tx_meta][frame] */
    uint64_t limit_drops, delivered, delayed, sink_errors;
};

struct synack_impair {
    struct synack_impair_config cfg;
    struct impair_dir dir[2];
    uint8_t *scratch;              /* metadata + frame, for offload frames */
};

void synack_impair_config_init(struct synack_impair_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->reorder_gap = SYNACK_MS(1);
    cfg->limit = 1000;
    cfg->seed = 1;
}

/* ---------------- parser ---------------- */

/* A number with an optional unit suffix (case-insensitive): "2", "0.5", "2%", "10ms". Rejects
 * empty text, anything after the suffix, NaN and infinities. */
static int parse_num(const char *s, size_t n, const char *suffix, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || v != v || v > 1e18 || v < -1e18)   /* NaN, infinities */
        return -1;
    if (*end && strcasecmp(end, suffix) != 0)
        return -1;
    *out = v;
    return 0;
}

static int why_set(char *why, size_t why_len, const char *fmt, const char *key, size_t key_len)
{
    if (why && why_len)
        snprintf(why, why_len, fmt, (int)key_len, key);
    return -EINVAL;
}

int synack_impair_parse(const char *spec, struct synack_impair_config *cfg, char *why, size_t why_len)
{
    if (!spec || !cfg || !*spec)
        return why_set(why, why_len, "%.*sempty: give key=value items such as loss=2,delay=10", "", 0);
    struct synack_impair_config c = *cfg;
    const char *p = spec;
    for (;;) {
        const char *item = p, *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(item, '=', len);
        size_t klen = eq ? (size_t)(eq - item) : len;
        const char *val = eq ? eq + 1 : NULL;
        size_t vlen = eq ? len - klen - 1 : 0;
        double v;
#define KEY(k) (klen == strlen(k) && strncmp(item, k, klen) == 0)
        if (len == 0)
            return why_set(why, why_len, "%.*san empty item (two commas, or a comma at an end)", "", 0);
        if (KEY("offload")) {
            if (eq)
                return why_set(why, why_len, "'%.*s' takes no value", item, klen);
            c.offload = 1;
        } else if (!eq) {
            return why_set(why, why_len, "'%.*s' needs a value (key=value)", item, len);
        } else if (KEY("loss") || KEY("dup") || KEY("reorder")) {
            if (parse_num(val, vlen, "%", &v) != 0 || v < 0 || v > 100)
                return why_set(why, why_len, "%.*s is a percentage from 0 to 100 (e.g. 2, 0.5 or 2%%)", item, klen);
            double *dst = KEY("loss") ? &c.loss : KEY("dup") ? &c.dup : &c.reorder;
            *dst = v / 100.0;
        } else if (KEY("delay") || KEY("jitter") || KEY("gap")) {
            if (parse_num(val, vlen, "ms", &v) != 0 || v < 0 || v > 60000)
                return why_set(why, why_len, "%.*s is in milliseconds, 0 to 60000 (e.g. 10 or 10ms)", item, klen);
            synack_time_t us = (synack_time_t)(v * 1000.0 + 0.5);
            synack_time_t *dst = KEY("delay") ? &c.delay : KEY("jitter") ? &c.jitter : &c.reorder_gap;
            *dst = us;
        } else if (KEY("rate")) {
            if (parse_num(val, vlen, "mbit", &v) != 0 || v < 0.001 || v > 1000000)
                return why_set(why, why_len, "%.*s is in Mbit/s, 0.001 to 1000000 (e.g. 100 or 100mbit)", item, klen);
            c.rate_bps = (uint64_t)(v * 1e6 + 0.5);
        } else if (KEY("limit")) {
            if (parse_num(val, vlen, "", &v) != 0 || v < 1 || v > IMPAIR_LIMIT_MAX || v != (double)(unsigned)v)
                return why_set(why, why_len, "%.*s is a whole number of frames, 1 to 100000", item, klen);
            c.limit = (unsigned)v;
        } else {
            return why_set(why, why_len,
                           "unknown key '%.*s' (loss, delay, jitter, rate, reorder, dup, gap, limit, offload)",
                           item, klen);
        }
#undef KEY
        if (!comma)
            break;
        p = comma + 1;
    }
    *cfg = c;
    return 0;
}

/* ---------------- the stage ---------------- */

/* Receive hook of a direction's link: a frame is due. */
static void impair_arrive(void *ctx, int side, const uint8_t *frame, size_t len, synack_time_t at)
{
    (void)side;
    (void)at;
    struct impair_dir *d = ctx;
    d->delivered++;
    if (!d->fresh)
        d->delayed++;
    const struct synack_tx_meta *meta = NULL;
    struct synack_tx_meta m;
    if (d->carry_meta) {
        if (len < sizeof(m))
            return;
        memcpy(&m, frame, sizeof(m));
        meta = &m;
        frame += sizeof(m);
        len -= sizeof(m);
    }
    if (d->sink && d->sink(d->sink_ctx, frame, len, meta, d->release_now) < 0)
        d->sink_errors++;
}

synack_impair_t *synack_impair_new(const struct synack_impair_config *cfg)
{
    if (!cfg || cfg->limit == 0)
        return NULL;
    struct synack_impair *im = calloc(1, sizeof(*im));
    if (!im)
        return NULL;
    im->cfg = *cfg;
    for (int dir = 0; dir < 2; dir++) {
        struct synack_simlink_config lc;
        synack_simlink_config_init(&lc);
        lc.latency = cfg->delay;
        lc.jitter = cfg->jitter;
        lc.bandwidth_bps = cfg->rate_bps;
        lc.queue_limit = cfg->limit;
        lc.loss = cfg->loss;
        lc.duplicate = cfg->dup;
        lc.reorder = cfg->reorder;
        lc.reorder_delay = cfg->reorder_gap;
        lc.seed = cfg->seed * 2 + (uint64_t)dir;
        struct impair_dir *d = &im->dir[dir];
        /* Only frames out have offload metadata (frames in arrive as the device hands them). */
        d->carry_meta = cfg->offload && dir == SYNACK_IMPAIR_OUT;
        d->link = synack_simlink_new(&lc);
        if (!d->link) {
            synack_impair_free(im);
            return NULL;
        }
        synack_simlink_set_rx(d->link, 1, impair_arrive, d);
    }
    if (cfg->offload && !(im->scratch = malloc(sizeof(struct synack_tx_meta) + IMPAIR_FRAME_MAX))) {
        synack_impair_free(im);
        return NULL;
    }
    return im;
}

void synack_impair_free(synack_impair_t *im)
{
    if (!im)
        return;
    for (int dir = 0; dir < 2; dir++)
        synack_simlink_free(im->dir[dir].link);
    free(im->scratch);
    free(im);
}

void synack_impair_set_sink(synack_impair_t *im, int dir, synack_impair_sink_fn fn, void *ctx)
{
    if (!im || (dir != SYNACK_IMPAIR_IN && dir != SYNACK_IMPAIR_OUT))
        return;
    im->dir[dir].sink = fn;
    im->dir[dir].sink_ctx = ctx;
}

/* Copies a direction's link holds now: scheduled (sent, less lost and queue-dropped, plus
 * duplicates) and not yet delivered. */
static uint64_t held(const struct impair_dir *d)
{
    struct synack_simlink_stats s;
    synack_simlink_stats(d->link, 0, &s);
    return s.sent - s.lost - s.queue_drops + s.duplicated - s.delivered;
}

void synack_impair_release(synack_impair_t *im, int dir, synack_time_t now)
{
    if (!im || (dir != SYNACK_IMPAIR_IN && dir != SYNACK_IMPAIR_OUT))
        return;
    struct impair_dir *d = &im->dir[dir];
    d->release_now = now;
    synack_simlink_deliver(d->link, now);
}

int synack_impair_push(synack_impair_t *im, int dir, const uint8_t *frame, size_t len,
                       const struct synack_tx_meta *meta, synack_time_t now)
{
    if (!im || (dir != SYNACK_IMPAIR_IN && dir != SYNACK_IMPAIR_OUT) || (!frame && len > 0))
        return -EINVAL;
    struct impair_dir *d = &im->dir[dir];
    /* What was due before this frame came was held: release it first, so that what the release
     * after the push hands over is this frame alone, and only if nothing held it. */
    synack_impair_release(im, dir, now);
    if (held(d) >= im->cfg.limit) {
        d->limit_drops++;
        return 0;
    }
    int err;
    if (d->carry_meta) {
        if (len > IMPAIR_FRAME_MAX)
            return -EMSGSIZE;
        struct synack_tx_meta m;
        memset(&m, 0, sizeof(m));
        if (meta)
            m = *meta;
        memcpy(im->scratch, &m, sizeof(m));
        memcpy(im->scratch + sizeof(m), frame, len);
        err = synack_simlink_tx(synack_simlink_end(d->link, 0), im->scratch, sizeof(m) + len, now);
    } else {
        err = synack_simlink_tx(synack_simlink_end(d->link, 0), frame, len, now);
    }
    d->fresh = 1;
    synack_impair_release(im, dir, now);
    d->fresh = 0;
    return err;
}

int synack_impair_tx(void *im, const uint8_t *frame, size_t len, synack_time_t now)
{
    return synack_impair_push(im, SYNACK_IMPAIR_OUT, frame, len, NULL, now);
}

int synack_impair_tx_meta(void *im, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta,
                          synack_time_t now)
{
    return synack_impair_push(im, SYNACK_IMPAIR_OUT, frame, len, meta, now);
}

synack_time_t synack_impair_next(const synack_impair_t *im)
{
    if (!im)
        return SYNACK_TIME_NEVER;
    synack_time_t a = synack_simlink_next(im->dir[0].link), b = synack_simlink_next(im->dir[1].link);
    return a < b ? a : b;
}

void synack_impair_stats(const synack_impair_t *im, int dir, struct synack_impair_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!im || (dir != SYNACK_IMPAIR_IN && dir != SYNACK_IMPAIR_OUT))
        return;
    const struct impair_dir *d = &im->dir[dir];
    struct synack_simlink_stats s;
    synack_simlink_stats(d->link, 0, &s);
    out->frames = s.sent + d->limit_drops;
    out->delivered = d->delivered;
    out->lost = s.lost;
    out->duplicated = s.duplicated;
    out->reordered = s.reordered;
    out->delayed = d->delayed;
    out->queue_drops = s.queue_drops + d->limit_drops;
    out->sink_errors = d->sink_errors;
}
