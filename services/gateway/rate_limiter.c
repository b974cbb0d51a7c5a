#include "rate_limiter.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define MS_PER_MINUTE 60000.0

typedef struct {
    char client[RATE_CLIENT_MAX + 1];
    uint32_t kind;
    uint32_t slot;                 /* of heads */
    uint32_t chain_next;           /* in the slot's chain */
    uint32_t newer, older;         /* in the order of use */
    double tokens;
    int64_t updated_ms;
} bucket_t;

struct rate_limiter_t {
    pthread_mutex_t lock;
    rate_rule_t *rules;
    size_t kinds;
    bucket_t *buckets;
    uint32_t capacity, used;
    uint32_t *heads;
    uint32_t slot_mask;
    uint32_t newest, oldest;
    /* Clients choose their keys; a secret hash key keeps them from choosing collisions. */
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
};

static uint32_t slot_of(const rate_limiter_t *self, uint32_t kind, const char *client)
{
    unsigned char input[sizeof kind + RATE_CLIENT_MAX], digest[crypto_shorthash_BYTES];
    size_t n = strlen(client);
    memcpy(input, &kind, sizeof kind);
    memcpy(input + sizeof kind, client, n);
    crypto_shorthash(digest, input, sizeof kind + n, self->hash_key);
    uint32_t h;
    memcpy(&h, digest, sizeof h);
    return h & self->slot_mask;
}

static uint32_t slots_for(size_t capacity)
{
    uint32_t slots = 1;
    while (slots < capacity)
        slots <<= 1;
    return slots;
}

rate_limiter_t *rate_limiter_new(size_t capacity, const rate_rule_t *rules, size_t kinds)
{
    if (capacity == 0 || capacity >= NONE / 2 || sodium_init() < 0)
        return NULL;
    rate_limiter_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    uint32_t slots = slots_for(capacity);
    self->rules = malloc(kinds * sizeof *rules);
    self->buckets = calloc(capacity, sizeof *self->buckets);
    self->heads = malloc(slots * sizeof *self->heads);
    if (!self->rules || !self->buckets || !self->heads || pthread_mutex_init(&self->lock, NULL) != 0) {
        free(self->rules);
        free(self->buckets);
        free(self->heads);
        free(self);
        return NULL;
    }
    memcpy(self->rules, rules, kinds * sizeof *rules);
    self->kinds = kinds;
    self->capacity = (uint32_t) capacity;
    self->slot_mask = slots - 1;
    memset(self->heads, 0xff, slots * sizeof *self->heads);
    self->newest = self->oldest = NONE;
    randombytes_buf(self->hash_key, sizeof self->hash_key);
    return self;
}

void rate_limiter_destroy(rate_limiter_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_mutex_destroy(&(*self_p)->lock);
    free((*self_p)->rules);
    free((*self_p)->buckets);
    free((*self_p)->heads);
    free(*self_p);
    *self_p = NULL;
}

static void unlink_use(rate_limiter_t *self, uint32_t i)
{
    bucket_t *b = &self->buckets[i];
    if (b->newer != NONE)
        self->buckets[b->newer].older = b->older;
    else
        self->newest = b->older;
    if (b->older != NONE)
        self->buckets[b->older].newer = b->newer;
    else
        self->oldest = b->newer;
}

static void mark_newest(rate_limiter_t *self, uint32_t i)
{
    bucket_t *b = &self->buckets[i];
    b->newer = NONE;
    b->older = self->newest;
    if (self->newest != NONE)
        self->buckets[self->newest].newer = i;
    self->newest = i;
    if (self->oldest == NONE)
        self->oldest = i;
}

static void unlink_chain(rate_limiter_t *self, uint32_t i)
{
    uint32_t *link = &self->heads[self->buckets[i].slot];
    while (*link != i)
        link = &self->buckets[*link].chain_next;
    *link = self->buckets[i].chain_next;
}

static uint32_t find(const rate_limiter_t *self, uint32_t slot, uint32_t kind, const char *client)
{
    for (uint32_t i = self->heads[slot]; i != NONE; i = self->buckets[i].chain_next)
        if (self->buckets[i].kind == kind && strcmp(self->buckets[i].client, client) == 0)
            return i;
    return NONE;
}

/* A full bucket for a new client: an unused one, or else the one used least recently. */
static uint32_t add(rate_limiter_t *self, uint32_t slot, uint32_t kind, const char *client, int64_t now_ms)
{
    uint32_t i;
    if (self->used < self->capacity)
        i = self->used++;
    else {
        i = self->oldest;
        unlink_use(self, i);
        unlink_chain(self, i);
    }
    bucket_t *b = &self->buckets[i];
    memcpy(b->client, client, strlen(client) + 1);
    b->kind = kind;
    b->slot = slot;
    b->chain_next = self->heads[slot];
    self->heads[slot] = i;
    b->tokens = self->rules[kind].burst;
    b->updated_ms = now_ms;
    mark_newest(self, i);
    return i;
}

static bool spend(bucket_t *b, const rate_rule_t *rule, int64_t now_ms, int64_t *retry_after_ms)
{
    double elapsed = now_ms > b->updated_ms ? (double) (now_ms - b->updated_ms) : 0;
    b->tokens += elapsed * rule->per_minute / MS_PER_MINUTE;
    if (b->tokens > rule->burst)
        b->tokens = rule->burst;
    b->updated_ms = now_ms > b->updated_ms ? now_ms : b->updated_ms;
    if (b->tokens >= 1) {
        b->tokens -= 1;
        return true;
    }
    *retry_after_ms = (int64_t) ((1 - b->tokens) * MS_PER_MINUTE / rule->per_minute) + 1;
    return false;
}

bool rate_limiter_take(rate_limiter_t *self, size_t kind, const char *client, int64_t now_ms, int64_t *retry_after_ms)
{
    char key[RATE_CLIENT_MAX + 1];
    snprintf(key, sizeof key, "%s", client);
    pthread_mutex_lock(&self->lock);
    uint32_t slot = slot_of(self, (uint32_t) kind, key);
    uint32_t i = find(self, slot, (uint32_t) kind, key);
    if (i == NONE)
        i = add(self, slot, (uint32_t) kind, key, now_ms);
    else {
        unlink_use(self, i);
        mark_newest(self, i);
    }
    bool taken = spend(&self->buckets[i], &self->rules[kind], now_ms, retry_after_ms);
    pthread_mutex_unlock(&self->lock);
    return taken;
}

size_t rate_limiter_size(rate_limiter_t *self)
{
    pthread_mutex_lock(&self->lock);
    size_t n = self->used;
    pthread_mutex_unlock(&self->lock);
    return n;
}
