#ifndef ADUAN_GATEWAY_REPORT_SUBJECTS_H
#define ADUAN_GATEWAY_REPORT_SUBJECTS_H

#include <stddef.h>

/* The institution each report is at as the live feed last heard it, for the events of the report
 * that name none (a verification, before the report is dispatched). Past `max` reports it starts
 * again: an event of a report it forgot goes to national admins only. The feed thread's only. */
typedef struct report_subjects_t report_subjects_t;

report_subjects_t *report_subjects_new(size_t max);
void report_subjects_destroy(report_subjects_t **self_p);
/* 0 remembered; -1 not (out of memory, or a tracking id longer than any aduan makes). */
int report_subjects_set(report_subjects_t *self, const char *tracking_id, const char *institution);
/* NULL when the report's institution is not known; valid while the set lives. */
const char *report_subjects_get(const report_subjects_t *self, const char *tracking_id);

#endif
