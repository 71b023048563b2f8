/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the shipper's reply handling (shipper_classify): the
 * status, Retry-After and the response body (OTLP partialSuccess, error
 * messages), as http_client hands them over. The input is shaped like a
 * raw reply: "HTTP/1.1 NNN reason", header lines (Retry-After: seconds is
 * what libcurl would give), a blank line, the body (capped as the client
 * caps it). No status line: a transfer without a response, the first byte
 * being the curl code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shipper.h"

static void classify_all(const struct http_response *resp) {
        static const enum output_format fs[] = { OUTPUT_NATIVE, OUTPUT_OCSF, OUTPUT_OTLP, OUTPUT_SPLUNK_HEC };
        struct ship_reply r;

        for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
                shipper_classify(fs[i], resp, &r);
                if (strlen(r.message) >= sizeof(r.message) || r.verdict > SHIP_DEAD_LETTER ||
                    (r.retry_after_usec && (r.retry_after_usec < HTTP_RETRY_AFTER_MIN_USEC ||
                                            r.retry_after_usec > HTTP_RETRY_AFTER_MAX_USEC)))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct http_response resp = { .error = "" };
        char *text, *body, *p;
        size_t body_len;

        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (strncmp(text, "HTTP/", 5) != 0) {
                resp.curl_code = size ? data[0] : 7;
                resp.error = text + (size ? 1 : 0);
                resp.body = "";
                classify_all(&resp);
                free(text);
                return 0;
        }
        p = strchr(text, ' ');
        resp.status = p ? strtol(p + 1, NULL, 10) : 0;
        body = strstr(text, "\r\n\r\n");
        body = body ? body + 4 : (strstr(text, "\n\n") ? strstr(text, "\n\n") + 2 : text + size);
        for (p = text; p && p < body; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncasecmp(p, "Retry-After:", 12) == 0) {
                        unsigned long long s = strtoull(p + 12, NULL, 10);
                        resp.retry_after_usec = s > UINT64_MAX / 1000000 ? UINT64_MAX : s * 1000000ULL;
                }
        body_len = (size_t) (text + size - body);
        if (body_len > HTTP_RESPONSE_MAX) {
                body_len = HTTP_RESPONSE_MAX;
                resp.body_truncated = true;
        }
        body[body_len] = '\0';
        resp.body = body;
        resp.body_len = strlen(body); /* as the client: NUL-terminated text */
        classify_all(&resp);
        free(text);
        return 0;
}
