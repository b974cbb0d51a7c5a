#ifndef ADUAN_STRINGIFY_H
#define ADUAN_STRINGIFY_H

/* A numeric constant as a string literal, so SQL text and C code share one definition of it
 * (a limit, a time-to-live, a length). */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

#endif
