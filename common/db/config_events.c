#include "config_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "event_log.h"
#include "msgpack_fields.h"

static void write_field(msgpack_packer *packer, const config_event_field_t *field)
{
    mpf_write_str(packer, field->key);
    if (field->is_number)
        msgpack_pack_int64(packer, field->number);
    else if (field->text)
        mpf_write_str(packer, field->text);
    else
        msgpack_pack_nil(packer);
}

int config_events_append(db_t *db, const config_event_t *change, db_error_t *error)
{
    mpf_writer_t writer;
    mpf_writer_init(&writer);
    msgpack_pack_map(&writer.packer, change->count);
    for (size_t i = 0; i < change->count; i++)
        write_field(&writer.packer, &change->fields[i]);
    char id[ENVELOPE_ID_MAX + 1], actor_id[72], type[64], role[32];
    envelope_random_id(id);
    snprintf(actor_id, sizeof actor_id, "%s", change->actor_id);
    snprintf(type, sizeof type, "%s", change->type);
    snprintf(role, sizeof role, "%s", change->actor_role);
    event_t event = {.id = id, .type = type, .version = CONFIG_EVENT_VERSION, .actor_role = role, .actor_id = actor_id};
    if (mpf_writer_finish(&writer, &event.payload, &event.payload_size) != 0) {
        snprintf(error->message, sizeof error->message, "out of memory for a %s event", change->type);
        return -1;
    }
    int rc = event_log_append(db, &event, error);
    free(event.payload);
    return rc;
}
