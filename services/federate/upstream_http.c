#include "upstream_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_buffer.h"

#define REPLY_MAX (1024 * 1024)

static size_t collect(char *data, size_t size, size_t count, void *ctx)
{
    text_buffer_t *out = ctx;
    size_t n = size * count;
    if (out->len + n > REPLY_MAX)
        return 0;   /* libcurl stops with CURLE_WRITE_ERROR */
    text_buffer_append(out, data, n);
    return out->failed ? 0 : n;
}

int upstream_http(const char *url, const char *form, long timeout_ms, upstream_reply_t *reply, char *reason,
                  size_t reason_cap)
{
    memset(reply, 0, sizeof *reply);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
    if (!curl || !headers) {
        snprintf(reason, reason_cap, "out of memory");
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        return -1;
    }
    text_buffer_t body = {0};
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "aduan-federate");
    if (form) {
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    else
        snprintf(reason, reason_cap, "%s", error[0] ? error : curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    reply->body = text_buffer_take(&body, NULL);
    if (rc == CURLE_OK && !reply->body)
        snprintf(reason, reason_cap, "out of memory");
    if (rc != CURLE_OK || !reply->body) {
        upstream_reply_clear(reply);
        return -1;
    }
    return 0;
}

void upstream_reply_clear(upstream_reply_t *reply)
{
    free(reply->body);
    reply->body = NULL;
    reply->status = 0;
}
