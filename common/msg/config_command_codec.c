#include "config_command_codec.h"

#include <string.h>

#include "msgpack_fields.h"

#define S(key, member) {key, MPF_STR, false, CONFIG_TEXT_MAX, offsetof(config_command_t, member), MPF_NO_FLAG}

static const mpf_field_t command_fields[] = {
    COMMAND_ACTOR_FIELDS(config_command_t),
    {"id", MPF_INT, false, 0, offsetof(config_command_t, id), offsetof(config_command_t, has_id)},
    S("day", day),
    S("name", name),
    S("kind", kind),
    S("category", category),
    S("region", region),
    S("institution", institution),
    S("code", code),
    S("parent", parent),
    S("name_en", name_en),
    S("template", template),
    S("language", language),
    S("subject", subject),
    S("text_body", text_body),
    S("html_body", html_body),
};

int config_command_encode(const config_command_t *in, unsigned char **out, size_t *out_size)
{
    return mpf_encode(command_fields, MPF_COUNT(command_fields), in, out, out_size);
}

int config_command_decode(const void *data, size_t size, config_command_t *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    mpf_doc_t doc;
    if (mpf_doc_open(&doc, data, size, 1, reason, cap) != 0)
        return -1;
    int rc = mpf_read(doc.root, command_fields, MPF_COUNT(command_fields), out, NULL, reason, cap);
    mpf_doc_close(&doc);
    if (rc != 0)
        config_command_clear(out);
    return rc;
}

void config_command_clear(config_command_t *self)
{
    mpf_free_strings(command_fields, MPF_COUNT(command_fields), self);
}
