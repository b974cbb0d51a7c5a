#include "curve_keys.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zmq_endpoints.h"

#define KEY_TEXT 40   /* a Z85 key */
/* zcert_load builds "<path>_secret" in a 256-byte buffer: a longer path would load the wrong file. */
#define PATH_MAX_FOR_ZCERT 240

typedef struct {
    char key[KEY_TEXT + 1];
    char name[CURVE_NAME_MAX + 1];
    unsigned roles;
} peer_t;

struct curve_keys_t {
    zcert_t *own;
    peer_t *peers;
    size_t peer_count;
    zactor_t *auth;         /* zauth, once these keys serve */
    pthread_mutex_t lock;   /* guards starting it */
};

/* libzmq has one ZAP endpoint per context (CZMQ: per process); a second zauth would abort. */
static atomic_bool zauth_taken;

static const struct {
    const char *name;
    unsigned role;
} role_names[] = {
    {"gateway", CURVE_ROLE_GATEWAY},
    {"service", CURVE_ROLE_SERVICE},
    {"analytics", CURVE_ROLE_ANALYTICS},
    {"admin", CURVE_ROLE_ADMIN},
};

static unsigned role_named(const char *name)
{
    for (size_t i = 0; name && i < sizeof role_names / sizeof role_names[0]; i++)
        if (strcmp(role_names[i].name, name) == 0)
            return role_names[i].role;
    return 0;
}

static bool valid_name(const char *name)
{
    size_t length = name ? strlen(name) : 0;
    if (length == 0 || length > CURVE_NAME_MAX)
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") == length;
}

static const peer_t *peer_with_key(const curve_keys_t *self, const char *key)
{
    for (size_t i = 0; i < self->peer_count; i++)
        if (strcmp(self->peers[i].key, key) == 0)
            return &self->peers[i];
    return NULL;
}

/* Reads one public certificate into a new peer entry. */
static int add_peer(curve_keys_t *self, const char *path, char *reason, size_t cap)
{
    zcert_t *cert = zcert_load(path);
    if (!cert) {
        snprintf(reason, cap, "%s is not a CURVE certificate", path);
        return -1;
    }
    peer_t peer = {.roles = role_named(zcert_meta(cert, "role"))};
    const char *name = zcert_meta(cert, "name");
    snprintf(peer.key, sizeof peer.key, "%s", zcert_public_txt(cert));
    int rc = -1;
    if (!peer.roles || !valid_name(name))
        snprintf(reason, cap, "%s: the certificate needs a name and a role (gateway, service, analytics, admin)", path);
    else if (peer_with_key(self, peer.key))
        snprintf(reason, cap, "%s: the same key as the certificate named %s", path, peer_with_key(self, peer.key)->name);
    else {
        snprintf(peer.name, sizeof peer.name, "%s", name);
        peer_t *grown = realloc(self->peers, (self->peer_count + 1) * sizeof *grown);
        if (grown) {
            self->peers = grown;
            self->peers[self->peer_count++] = peer;
            rc = 0;
        } else
            snprintf(reason, cap, "out of memory");
    }
    zcert_destroy(&cert);
    return rc;
}

/* The certificates of a directory entry worth reading: regular files (through symlinks, as
 * Kubernetes mounts Secrets), not hidden, not secret. */
static bool is_public_certificate(const char *dir, const char *entry, char *path, size_t cap)
{
    size_t length = strlen(entry);
    if (entry[0] == '.' || (length >= 7 && strcmp(entry + length - 7, "_secret") == 0))
        return false;
    struct stat st;
    return (size_t) snprintf(path, cap, "%s/%s", dir, entry) < cap && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int load_peers(curve_keys_t *self, const char *dir, char *reason, size_t cap)
{
    DIR *listing = opendir(dir);
    if (!listing) {
        snprintf(reason, cap, "cannot read the peers' certificates in %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    char path[PATH_MAX_FOR_ZCERT];
    for (struct dirent *e = readdir(listing); e && rc == 0; e = readdir(listing))
        if (is_public_certificate(dir, e->d_name, path, sizeof path))
            rc = add_peer(self, path, reason, cap);
    closedir(listing);
    if (rc == 0 && self->peer_count == 0) {
        snprintf(reason, cap, "no certificate in %s: nobody could connect", dir);
        rc = -1;
    }
    return rc;
}

static int load_own(curve_keys_t *self, const char *path, char *reason, size_t cap)
{
    static const char no_secret[KEY_TEXT + 1] = "0000000000000000000000000000000000000000";
    if (strlen(path) >= PATH_MAX_FOR_ZCERT - 8 || !(self->own = zcert_load(path))) {
        snprintf(reason, cap, "cannot load this process's certificate %s", path);
        return -1;
    }
    if (strcmp(zcert_secret_txt(self->own), no_secret) == 0) {
        snprintf(reason, cap, "%s holds no secret key (give the NAME.cert_secret file)", path);
        return -1;
    }
    return 0;
}

curve_keys_t *curve_keys_load(const char *secret_path, const char *peers_dir, char *reason, size_t cap)
{
    if (!zsys_has_curve()) {
        snprintf(reason, cap, "this libzmq has no CURVE support");
        return NULL;
    }
    curve_keys_t *self = calloc(1, sizeof *self);
    if (!self || pthread_mutex_init(&self->lock, NULL) != 0) {
        free(self);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    if (load_own(self, secret_path, reason, cap) != 0 || load_peers(self, peers_dir, reason, cap) != 0)
        curve_keys_destroy(&self);
    return self;
}

int curve_keys_from_config(const config_t *config, curve_keys_t **out, char *reason, size_t cap)
{
    const char *secret = config_get(config, "ADUAN_CURVE_SECRET");
    const char *peers = config_get(config, "ADUAN_CURVE_PEERS");
    bool has_secret = secret && *secret, has_peers = peers && *peers;
    *out = NULL;
    if (!has_secret && !has_peers)
        return 0;
    if (!has_secret || !has_peers) {
        snprintf(reason, cap, "ADUAN_CURVE_SECRET and ADUAN_CURVE_PEERS go together (one is empty)");
        return -1;
    }
    *out = curve_keys_load(secret, peers, reason, cap);
    return *out ? 0 : -1;
}

void curve_keys_destroy(curve_keys_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    curve_keys_t *self = *self_p;
    if (self->auth) {
        zactor_destroy(&self->auth);
        atomic_store(&zauth_taken, false);
    }
    zcert_destroy(&self->own);
    pthread_mutex_destroy(&self->lock);
    free(self->peers);
    free(self);
    *self_p = NULL;
}

/* The allow-list for zauth: the peers' public keys only. Certificates without metadata, because
 * zauth 4.2.1 copies a certificate's metadata into a fixed 512-byte buffer unchecked. */
static zcertstore_t *allow_list(const curve_keys_t *self)
{
    static const byte no_secret[32] = {0};
    zcertstore_t *store = zcertstore_new(NULL);
    for (size_t i = 0; store && i < self->peer_count; i++) {
        byte key[32];
        zcert_t *cert = zmq_z85_decode(key, self->peers[i].key) ? zcert_new_from(key, no_secret) : NULL;
        if (!cert) {
            zcertstore_destroy(&store);
            break;
        }
        zcertstore_insert(store, &cert);
    }
    return store;
}

static int start_auth(curve_keys_t *self, char *reason, size_t cap)
{
    if (self->auth)
        return 0;
    if (atomic_exchange(&zauth_taken, true)) {
        snprintf(reason, cap, "another set of keys already serves in this process");
        return -1;
    }
    zcertstore_t *store = allow_list(self);
    /* zauth owns the store once it runs, and has bound the ZAP endpoint when zactor_new returns. */
    if (store && !(self->auth = zactor_new(zauth, store)))
        zcertstore_destroy(&store);
    if (!self->auth) {
        atomic_store(&zauth_taken, false);
        snprintf(reason, cap, "cannot start the ZAP handler (zauth)");
        return -1;
    }
    return 0;
}

int curve_keys_serve(curve_keys_t *self, zsock_t *socket, const char *bind_endpoints, char *reason, size_t cap)
{
    if (!self && !zmq_endpoints_all_local(bind_endpoints)) {
        snprintf(reason, cap, "%s is not loopback, and plain links are for one machine only: set ADUAN_CURVE_SECRET "
                              "and ADUAN_CURVE_PEERS", bind_endpoints);
        return -1;
    }
    if (!self)
        return 0;
    pthread_mutex_lock(&self->lock);
    int rc = start_auth(self, reason, cap);
    pthread_mutex_unlock(&self->lock);
    if (rc != 0)
        return -1;
    zcert_apply(self->own, socket);
    zsock_set_curve_server(socket, 1);
    return 0;
}

int curve_keys_connect(const curve_keys_t *self, zsock_t *socket, const char *server, char *reason, size_t cap)
{
    if (!self)
        return 0;
    const peer_t *found = NULL;
    for (size_t i = 0; i < self->peer_count; i++) {
        if (strcmp(self->peers[i].name, server) != 0)
            continue;
        if (found) {
            snprintf(reason, cap, "two certificates named %s in ADUAN_CURVE_PEERS: which server is it?", server);
            return -1;
        }
        found = &self->peers[i];
    }
    if (!found) {
        snprintf(reason, cap, "no certificate named %s in ADUAN_CURVE_PEERS: its key is needed to connect", server);
        return -1;
    }
    zcert_apply(self->own, socket);
    zsock_set_curve_serverkey(socket, found->key);
    return 0;
}

unsigned curve_keys_sender_roles(const curve_keys_t *self, zframe_t *frame)
{
    if (!self)
        return CURVE_ROLES_ANY;
    const char *user_id = zframe_meta(frame, "User-Id");
    const peer_t *peer = user_id ? peer_with_key(self, user_id) : NULL;
    return peer ? peer->roles : 0;
}

int curve_keys_generate(const char *name, const char *role, const char *dir, char *reason, size_t cap)
{
    char path[PATH_MAX_FOR_ZCERT];
    struct stat st;
    if (!valid_name(name) || !role_named(role)) {
        snprintf(reason, cap, "a name of a-z, 0-9, - and _ and a role of gateway, service, analytics or admin");
        return -1;
    }
    if ((size_t) snprintf(path, sizeof path - 8, "%s/%s.cert", dir, name) >= sizeof path - 8) {
        snprintf(reason, cap, "the folder's path is too long");
        return -1;
    }
    if (stat(path, &st) == 0) {
        snprintf(reason, cap, "%s exists: a key is never overwritten (remove it first to replace it)", path);
        return -1;
    }
    zcert_t *cert = zcert_new();
    if (!cert) {
        snprintf(reason, cap, "cannot make a key pair");
        return -1;
    }
    zcert_set_meta(cert, "name", "%s", name);
    zcert_set_meta(cert, "role", "%s", role);
    int rc = zcert_save(cert, path);
    zcert_destroy(&cert);
    if (rc != 0)
        snprintf(reason, cap, "cannot write %s: %s", path, strerror(errno));
    return rc == 0 ? 0 : -1;
}
