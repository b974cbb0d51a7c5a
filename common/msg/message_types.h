#ifndef ADUAN_MESSAGE_TYPES_H
#define ADUAN_MESSAGE_TYPES_H

/* Every message type of the command links and every event type of the stream, in one list
 * (docs/architecture.md "Messages"). A command server dispatches on MSG_*; a consumer filters on
 * EVENT_* (topics, so "report." selects them all). Each body's fields are defined once, by the
 * codec named beside it. */

/* Command links: request → reply. */
#define MSG_PING            "ping"              /* → pong; answered by cmd_server itself */
#define MSG_PONG            "pong"
#define MSG_ERROR           "error"             /* any failed request: error_reply.h */
#define MSG_REPORT_SUBMIT   "report.submit"     /* intake → report.receipt: report_codec.h */
#define MSG_REPORT_RECEIPT  "report.receipt"
#define MSG_REPORT_GET      "report.get"        /* intake → report.view: report_codec.h */
#define MSG_REPORT_VIEW     "report.view"
#define MSG_REFERENCE_LIST  "reference.list"    /* intake → reference.items: reference_codec.h */
#define MSG_REFERENCE_ITEMS "reference.items"
#define MSG_REPORT_ACT      "report.act"        /* intake|verify|route → report.outcome: report_step_codec.h */
#define MSG_REPORT_OUTCOME  "report.outcome"
#define MSG_STAFF_QUERY     "staff.query"       /* intake|verify|route → staff.document: staff_query_codec.h */
#define MSG_STAFF_DOCUMENT  "staff.document"
#define MSG_STATS_QUERY     "stats.query"       /* stats (queries) → stats.document: stats_query_codec.h */
#define MSG_STATS_DOCUMENT  "stats.document"
#define MSG_SURVEY_ANSWER   "survey.answer"     /* stats (queries) → survey.recorded: stats_query_codec.h */
#define MSG_SURVEY_RECORDED "survey.recorded"
#define MSG_SURVEY_CODES    "survey.codes"      /* stats (queries) → stats.document: stats_query_codec.h */
#define MSG_STATS_REBUILD   "stats.rebuild"     /* stats (queries) → stats.rebuilt: stats_query_codec.h */
#define MSG_STATS_REBUILT   "stats.rebuilt"
#define MSG_STREAM_REPLAY   "stream.replay"     /* stats (replay) → stream.batch: event_codec.h */
#define MSG_STREAM_BATCH    "stream.batch"
#define MSG_OPEN311_QUERY   "open311.query"     /* intake → staff.document: open311_query_codec.h */
#define MSG_REPORT_LIST     "report.list"       /* intake → staff.document: public_list_codec.h */
#define MSG_REPORT_SUPPORT  "report.support"    /* intake → report.support_count: support_codec.h */
#define MSG_REPORT_SUPPORT_COUNT "report.support_count"
#define MSG_REPORT_NOTIFICATIONS     "report.notifications"      /* intake → report.notifications_set: */
#define MSG_REPORT_NOTIFICATIONS_SET "report.notifications_set"  /*   reporter_preferences_codec.h */
#define MSG_REPORT_FOLLOW        "report.follow"        /* notify → follow.state: follow_codec.h */
#define MSG_FOLLOW_CONFIRM       "follow.confirm"       /* notify → follow.state */
#define MSG_FOLLOW_UNSUBSCRIBE   "follow.unsubscribe"   /* notify → follow.state */
#define MSG_FOLLOW_STATE         "follow.state"
#define MSG_ATTACHMENT_ADD    "attachment.add"     /* intake → attachment.stored: attachment_codec.h */
#define MSG_ATTACHMENT_STORED "attachment.stored"
#define MSG_ATTACHMENT_GET    "attachment.get"     /* intake → attachment.data: attachment_codec.h */
#define MSG_ATTACHMENT_DATA   "attachment.data"
#define MSG_REPORTER_CODE        "reporter.code"         /* intake → reporter.code_issued: */
#define MSG_REPORTER_CODE_ISSUED "reporter.code_issued"  /*   reporter_sign_in_codec.h ("my reports") */
#define MSG_REPORTER_SIGN_IN     "reporter.sign_in"      /* intake → staff.document: reporter_sign_in_codec.h */
#define MSG_REPORTER_REPORTS     "reporter.reports"      /* intake → staff.document: reporter_sign_in_codec.h */
#define MSG_REPORTER_RECOVER     "reporter.recover"      /* intake → staff.document: reporter_sign_in_codec.h */
#define MSG_REPORTER_CODE_SEND   "reporter.code_send"    /* notify → staff.document "{}": reporter.code_issued's body */
/* intake → staff.document ("{}" for a delete): desk_filter_codec.h, a member's saved desk filters */
#define MSG_DESK_FILTER_LIST     "desk_filter.list"
#define MSG_DESK_FILTER_SAVE     "desk_filter.save"      /* name, filters */
#define MSG_DESK_FILTER_DELETE   "desk_filter.delete"    /* id */
/* notify → staff.document (a JSON document), "{}" for the 204 answers: notify_command_codec.h */
#define MSG_WEBHOOK_REGISTER "webhook.register"   /* url, institution?, description?, event_types? */
#define MSG_WEBHOOK_LIST     "webhook.list"
#define MSG_WEBHOOK_DELETE   "webhook.delete"     /* id */
#define MSG_INBOX_LIST       "inbox.list"         /* unread_only, limit */
#define MSG_INBOX_READ       "inbox.read"         /* id (absent: every item) */
#define MSG_DELIVERY_LIST    "delivery.list"      /* tracking_id?, status?, channel?, limit, offset */
#define MSG_DELIVERY_RESEND  "delivery.resend"    /* delivery_id */
/* Reference data that admins edit → staff.document (JSON), "{}" for the 204 answers:
 * config_command_codec.h. Each change appends one EVENT_CONFIG_* event in its transaction. */
#define MSG_HOLIDAY_LIST        "holiday.list"        /* route */
#define MSG_HOLIDAY_ADD         "holiday.add"         /* route: day, name, kind */
#define MSG_HOLIDAY_REMOVE      "holiday.remove"      /* route: day */
#define MSG_ROUTING_RULE_LIST   "routing_rule.list"   /* route */
#define MSG_ROUTING_RULE_ADD    "routing_rule.add"    /* route: category?, region?, institution */
#define MSG_ROUTING_RULE_REMOVE "routing_rule.remove" /* route: id */
#define MSG_ROUTING_RULE_UPDATE "routing_rule.update" /* route: id, institution */
#define MSG_CATEGORY_LIST       "category.list"       /* intake: active and inactive */
#define MSG_CATEGORY_ADD        "category.add"        /* intake: code, parent?, name, name_en */
#define MSG_CATEGORY_RENAME     "category.rename"     /* intake: code, name?, name_en? */
#define MSG_CATEGORY_DEACTIVATE "category.deactivate" /* intake: code */
#define MSG_CATEGORY_REACTIVATE "category.reactivate" /* intake: code */
#define MSG_TEMPLATE_LIST       "template.list"       /* notify: every template, the names it may use */
#define MSG_TEMPLATE_SET        "template.set"        /* notify: template, language, subject, text_body, html_body */
#define MSG_TEMPLATE_PREVIEW    "template.preview"    /* notify: the same, rendered with sample values, not stored */

/* Events (topics of the stream; payloads in report_events.h, documented in docs/event-stream.md). */
#define EVENT_REPORT_SUBMITTED   "report.submitted"
#define EVENT_REPORT_VERIFIED    "report.verified"
#define EVENT_REPORT_POSTPONED   "report.postponed"
#define EVENT_REPORT_ARCHIVED    "report.archived"
#define EVENT_REPORT_DATA_ADDED  "report.data_added"
#define EVENT_REPORTER_REPLIED   "report.reporter_replied"
#define EVENT_REPORT_DISPATCHED  "report.dispatched"
#define EVENT_REPORT_TRANSFERRED "report.transferred"
#define EVENT_REPORT_FOLLOWED_UP "report.followed_up"
#define EVENT_REPORT_CLOSED      "report.closed"
#define EVENT_REPORT_REOPENED    "report.reopened"
#define EVENT_REPORT_NOTE_ADDED  "report.note_added"  /* an internal note: staff-only, never its text */
#define EVENT_REPORT_ASSIGNED    "report.assigned"    /* to one officer of the holder: staff-only */
#define EVENT_DEADLINE_MISSED    "report.deadline_missed"
#define EVENT_CLOSING_SOON       "report.closing_soon"
#define EVENT_NOTIFICATIONS_CHANGED "report.notifications_changed"
#define EVENT_UPSTREAM_DOWN      "report.upstream_down"  /* federation: a report stuck on its way upstream */
#define EVENT_REPORT_SUPPORTED   "report.supported"
#define EVENT_ATTACHMENT_ADDED   "report.attachment_added"
/* Reference data changed by an admin (payloads: docs/stream.md "Configuration events"). */
#define EVENT_HOLIDAY_ADDED        "config.holiday_added"
#define EVENT_HOLIDAY_REMOVED      "config.holiday_removed"
#define EVENT_ROUTING_RULE_ADDED   "config.routing_rule_added"
#define EVENT_ROUTING_RULE_REMOVED "config.routing_rule_removed"
#define EVENT_ROUTING_RULE_CHANGED "config.routing_rule_changed"
#define EVENT_CATEGORY_ADDED       "config.category_added"
#define EVENT_CATEGORY_RENAMED     "config.category_renamed"
#define EVENT_CATEGORY_DEACTIVATED "config.category_deactivated"
#define EVENT_CATEGORY_REACTIVATED "config.category_reactivated"
#define EVENT_TEMPLATE_CHANGED     "config.template_changed"
#define EVENT_CONFIG_PREFIX        "config."          /* every configuration event */
#define EVENT_REPORT_PREFIX      "report."          /* every report event */
/* Staff account changes by admins (appended by the gateway; payload in staff_events.h): who the
 * account is and its role and institution, never a password or an e-mail address. */
#define EVENT_STAFF_CREATED        "staff.created"
#define EVENT_STAFF_DEACTIVATED    "staff.deactivated"
#define EVENT_STAFF_REACTIVATED    "staff.reactivated"
#define EVENT_STAFF_PASSWORD_RESET "staff.password_reset"
#define EVENT_STAFF_CHANGED        "staff.changed"     /* role and/or institution */
#define EVENT_HEARTBEAT_TOPIC    "_heartbeat"        /* the hub's liveness beat, not an event */

#endif
