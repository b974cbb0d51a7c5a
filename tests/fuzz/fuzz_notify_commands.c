/* libFuzzer target: the decoders of the notification commands (notify_command_codec.h, served by
 * aduan-notify, and reporter_preferences_codec.h, served by aduan-intake). A decoder may refuse
 * the input, never crash, leak or read outside it (ASan/UBSan); what it accepts encodes again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "notify_command_codec.h"
#include "reporter_preferences_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode_again(int encoded, unsigned char *bytes)
{
    if (encoded != 0)
        abort();   /* a decoded message must always encode */
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[256];
    unsigned char *bytes = NULL;
    size_t n = 0;
    notify_command_t command;
    if (notify_command_decode(data, size, &command, reason, sizeof reason) == 0) {
        encode_again(notify_command_encode(&command, &bytes, &n), bytes);
        notify_command_clear(&command);
    }
    reporter_preferences_t preferences;
    if (reporter_preferences_decode(data, size, &preferences, reason, sizeof reason) == 0) {
        encode_again(reporter_preferences_encode(&preferences, &bytes, &n), bytes);
        reporter_preferences_clear(&preferences);
    }
    reporter_preferences_set_t set;
    if (reporter_preferences_set_decode(data, size, &set, reason, sizeof reason) == 0) {
        encode_again(reporter_preferences_set_encode(&set, &bytes, &n), bytes);
        reporter_preferences_set_clear(&set);
    }
    return 0;
}
