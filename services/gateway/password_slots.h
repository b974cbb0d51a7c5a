#ifndef ADUAN_GATEWAY_PASSWORD_SLOTS_H
#define ADUAN_GATEWAY_PASSWORD_SLOTS_H

#include <stdbool.h>

/* A bound on argon2id hashes computed at once (sign-in, new accounts): each takes 64 MiB, so the
 * gateway's memory stays bounded whatever the number of sign-ins in flight (ADUAN_PASSWORD_CHECKS). */

/* `slots` hashes at once, at least 1. -1 when the semaphore cannot be made. */
int password_slots_setup(unsigned slots);
void password_slots_teardown(void);

/* Takes a slot, waiting at most `wait_ms` for one. False when none came free in time: the caller
 * answers 503 rather than holding an HTTP thread (and every connection it serves) any longer. */
bool password_slots_enter(int wait_ms);
void password_slots_leave(void);

#endif
