/* evk_msgbuf.h - one received message, reassembled from its pieces, with a
 * size bound (a hostile peer must not make the buffer grow without end).
 *
 * Ownership: caller storage; evk_msgbuf_free() releases the bytes. After a
 * message larger than EVK_MSGBUF_KEEP has been handled, evk_msgbuf_done()
 * gives its memory back, so one big message does not pin it.
 */
#ifndef EVK_MSGBUF_H
#define EVK_MSGBUF_H

#include <stddef.h>

#define EVK_MSGBUF_KEEP (1u << 20)

typedef struct evk_msgbuf {
    char *data;
    size_t len, cap;
    size_t max; /* the bound: a message may not exceed it */
} evk_msgbuf;

/* Start a new message (keeps the memory). */
void evk_msgbuf_reset(evk_msgbuf *b);
/* Append a piece: 0, EVK_ETOOBIG (nothing appended: over max), EVK_ENOMEM. */
int evk_msgbuf_add(evk_msgbuf *b, const void *piece, size_t len);
/* The message was handled: release big buffers. */
void evk_msgbuf_done(evk_msgbuf *b);
void evk_msgbuf_free(evk_msgbuf *b);

#endif
