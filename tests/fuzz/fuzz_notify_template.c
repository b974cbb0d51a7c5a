/* libFuzzer target: what operators type into notification_templates (any bytes) rendered as text
 * and as HTML, and the result put into an e-mail — neither may crash, leak or loop, and an HTML
 * rendering never lets a value's markup through: every '<' of the output comes from the template
 * (each template byte is copied at most once), none from a value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail_message.h"
#include "notify_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const template_value_t values[] = {{"tracking_id", "ABCD-EFGH-JKMN"}, {"title", "<b>Jalan & \"pasar\"</b>"},
                                       {"note", "baris\r\nbaru"}, {"empty", ""}, {"none", NULL}};
    char reason[128];
    char *plain = notify_template_render(text, values, 5, false, reason, sizeof reason);
    char *html = notify_template_render(text, values, 5, true, reason, sizeof reason);
    if (html && count(html, '<') > count(text, '<'))
        abort();   /* a value's markup got through unescaped */
    if (plain) {
        mail_message_t m = {"aduan <noreply@aduan.localhost>", "warga@example.org", plain, plain, html,
                            "0123456789abcdef0123456789abcdef@aduan", 1764115200000, NULL};
        size_t n = 0;
        free(mail_message_render(&m, &n, reason, sizeof reason));
        m.list_unsubscribe = plain;   /* the one-click header's URL checks, on any text */
        free(mail_message_render(&m, &n, reason, sizeof reason));
    }
    free(plain);
    free(html);
    free(text);
    return 0;
}
