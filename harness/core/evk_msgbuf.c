#include "evk_msgbuf.h"

#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

void evk_msgbuf_reset(evk_msgbuf *b)
{
    b->len = 0;
}

int evk_msgbuf_add(evk_msgbuf *b, const void *piece, size_t len)
{
    if (len > b->max - b->len) return EVK_ETOOBIG;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len) cap *= 2;
        if (cap > b->max) cap = b->max;
        char *d = realloc(b->data, cap ? cap : 1);
        if (!d) return EVK_ENOMEM;
        b->data = d;
        b->cap = cap;
    }
    if (len) memcpy(b->data + b->len, piece, len);
    b->len += len;
    return 0;
}

void evk_msgbuf_done(evk_msgbuf *b)
{
    if (b->cap > EVK_MSGBUF_KEEP) {
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
    b->len = 0;
}

void evk_msgbuf_free(evk_msgbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
