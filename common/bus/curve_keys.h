#ifndef ADUAN_CURVE_KEYS_H
#define ADUAN_CURVE_KEYS_H
#include <czmq.h>
#include <stddef.h>

#include "config.h"

/* A process's CURVE identity and the allow-list of its peers (DESIGN.md property 10; operations in
 * docs/operations.md "Keys"). ADUAN_CURVE_SECRET names this process's secret certificate (CZMQ's
 * zcert format); ADUAN_CURVE_PEERS a directory of public certificates, each with the metadata
 * "name" (the service or client it belongs to: a server's certificate is named after its service,
 * "intake", "stats", ...) and "role", which says what the key may do. Files ending in "_secret"
 * and hidden entries (Kubernetes' "..data") in that directory are skipped.
 *
 * A server admits exactly the peers' keys: CZMQ's zauth, started once per process on the first
 * server socket, checks every CURVE handshake against them, and sets the client's public key as
 * the "User-Id" of every message, which curve_keys_sender_roles turns into roles. The allow-list is
 * read once at start; a new peer key needs a restart.
 *
 * Without either setting a process has no keys (NULL): its links are plain, fit for one
 * machine's loopback only, and every sender has every role. */
typedef struct curve_keys_t curve_keys_t;

/* What a key may do; a command handler names the roles that may send its type. */
enum {
    CURVE_ROLE_GATEWAY = 1u << 0,    /* commands carrying a staff identity or a reporter token */
    CURVE_ROLE_SERVICE = 1u << 1,    /* a service's own consumer: subscribe and replay */
    CURVE_ROLE_ANALYTICS = 1u << 2,  /* an analytics consumer: subscribe and replay, nothing else */
    CURVE_ROLE_ADMIN = 1u << 3,      /* aduan-admin: stats.rebuild */
};
#define CURVE_ROLES_ANY (CURVE_ROLE_GATEWAY | CURVE_ROLE_SERVICE | CURVE_ROLE_ANALYTICS | CURVE_ROLE_ADMIN)
#define CURVE_NAME_MAX 63

/* Loads both; NULL with the reason when a file is unreadable, a certificate has no role or name
 * (or one not listed above), two certificates carry the same key, or the secret is missing. */
curve_keys_t *curve_keys_load(const char *secret_path, const char *peers_dir, char *reason, size_t reason_cap);
/* From ADUAN_CURVE_SECRET and ADUAN_CURVE_PEERS: 0 with *out NULL when neither is set (plain),
 * 0 with the keys, or -1 with the reason (also when only one of them is set). */
int curve_keys_from_config(const config_t *config, curve_keys_t **out, char *reason, size_t reason_cap);
/* Destroy after every socket that serves with the keys: zauth ends with them, and a CURVE server
 * without its ZAP handler would admit any key. */
void curve_keys_destroy(curve_keys_t **self_p);

/* Makes `socket` a CURVE server admitting the peers, before it binds `bind_endpoints`; starts the
 * process's zauth on first use (one set of keys per process may serve). NULL keys: a plain server,
 * allowed only on this machine's loopback (DESIGN.md property 10), so a forgotten key setting in a
 * deployment stops the service instead of opening it. 0, or -1 with the reason. */
int curve_keys_serve(curve_keys_t *self, zsock_t *socket, const char *bind_endpoints, char *reason,
                     size_t reason_cap);
/* Makes `socket` a CURVE client of the server whose certificate is named `server`, before it
 * connects. NULL keys: nothing to do. 0, or -1 with the reason. */
int curve_keys_connect(const curve_keys_t *self, zsock_t *socket, const char *server, char *reason, size_t reason_cap);
/* The roles of the key that sent `frame` (received on a socket that serves with these keys);
 * 0 for a key without a role; every role without keys. */
unsigned curve_keys_sender_roles(const curve_keys_t *self, zframe_t *frame);

/* Writes a new key pair DIR/NAME.cert (public, for every peer's ADUAN_CURVE_PEERS) and
 * DIR/NAME.cert_secret (for this process's ADUAN_CURVE_SECRET only) with the name and role
 * ("gateway", "service", "analytics" or "admin"); never overwrites. 0, or -1 with the reason. */
int curve_keys_generate(const char *name, const char *role, const char *dir, char *reason, size_t reason_cap);

#endif
