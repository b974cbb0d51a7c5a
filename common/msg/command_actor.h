#ifndef ADUAN_COMMAND_ACTOR_H
#define ADUAN_COMMAND_ACTOR_H
#include <stddef.h>
#include <stdint.h>

#include "msgpack_fields.h"

/* The staff member a command acts for, as the gateway's session check found it: never from an
 * HTTP body. The commands that carry one (config_command_codec.h, notify_command_codec.h) hold it
 * as their member `actor` and write it as four keys of their own map, so the actor keeps one
 * layout and one set of wire names for all of them. Limits of the codec only, the sizes of
 * staff_member_t (staff_accounts.h). */
#define COMMAND_ACTOR_ROLE_MAX 31
#define COMMAND_ACTOR_USERNAME_MAX 64
#define COMMAND_ACTOR_INSTITUTION_MAX 32

typedef struct {
    char role[COMMAND_ACTOR_ROLE_MAX + 1];
    int64_t id;                         /* staff id */
    char username[COMMAND_ACTOR_USERNAME_MAX + 1];
    char institution[COMMAND_ACTOR_INSTITUTION_MAX + 1];
} command_actor_t;

/* The actor's entries of a codec's field table (msgpack_fields.h), for a `type` whose member
 * `actor` is a command_actor_t; every one required. */
#define COMMAND_ACTOR_FIELDS(type) \
    {"actor_role", MPF_CHARS, true, COMMAND_ACTOR_ROLE_MAX, offsetof(type, actor.role), MPF_NO_FLAG}, \
    {"actor_id", MPF_INT, true, 0, offsetof(type, actor.id), MPF_NO_FLAG}, \
    {"actor_username", MPF_CHARS, true, COMMAND_ACTOR_USERNAME_MAX, offsetof(type, actor.username), MPF_NO_FLAG}, \
    {"actor_institution", MPF_CHARS, true, COMMAND_ACTOR_INSTITUTION_MAX, offsetof(type, actor.institution), \
     MPF_NO_FLAG}

#endif
