"""End to end: one owner per table, enforced by PostgreSQL (DESIGN.md property 9).

After `aduan-admin migrate`, every service role may do to every table exactly what the ownership
map in docs/architecture.md ("Who owns which table") says, and nothing else. The map is written out
again below, independently of db/grants.sql, so a change to either one alone fails here, and so
does a migration that adds a table nobody owns. Each write is tried for real as the role, with
statements that change no row (WHERE false) but are checked for privileges all the same.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from aduan_harness import BIN_DIR, IDEMPOTENCY_SECRET, Database, Service, free_port

ROLES = ["aduan_gateway", "aduan_intake", "aduan_verify", "aduan_route", "aduan_notify", "aduan_stats",
         "aduan_federate"]
BACKEND = ROLES[1:]
LIFECYCLE = ["aduan_intake", "aduan_verify", "aduan_route", "aduan_federate"]
CONSUMERS = ["aduan_verify", "aduan_route", "aduan_notify", "aduan_stats", "aduan_federate"]
S, SI, SIU, SID, SIUD = "S", "SI", "SIU", "SID", "SIUD"
REFERENCE = ["regions", "categories", "holidays", "deadline_kinds", "deadline_rules", "reason_codes",
             "routing_rules", "abuse_words", "lifecycle_settings", "report_statuses", "notification_rules",
             "notification_templates", "stats_settings", "institution_ancestors", "open311_attributes",
             "open311_statuses", "federation_upstreams", "federation_service_codes"]


def grants(*pairs):
    """grants((roles, "SIU"), ...) → {role: "SIU"}"""
    out = {}
    for roles, privileges in pairs:
        for role in ([roles] if isinstance(roles, str) else roles):
            out[role] = privileges
    return out


# table → {role: privileges}; a role not named has none. S SELECT, I INSERT, U UPDATE, D DELETE.
MAP = {
    **{table: grants((BACKEND, S)) for table in REFERENCE},
    # national admins edit these through their owner (docs/api.md "Administration")
    "categories": grants((BACKEND, S), ("aduan_intake", SIU)),
    "notification_templates": grants((BACKEND, S), ("aduan_notify", SIU)),
    "holidays": grants((BACKEND, S), ("aduan_route", SID)),
    "routing_rules": grants((BACKEND, S), ("aduan_route", SIUD)),
    "removed_reference_rows": grants(("aduan_route", SID)),
    "schema_migrations": grants((ROLES, S)),
    "institutions": grants((ROLES, S)),
    "staff": grants((BACKEND, S), ("aduan_gateway", SI)),
    "staff_sessions": grants(("aduan_gateway", SID)),
    "open311_keys": grants(("aduan_gateway", SI)),   # and UPDATE of revoked_at only, checked below
    "federation_forwards": grants(("aduan_federate", SIU)),
    "reports": grants((["aduan_notify", "aduan_stats"], S), (["aduan_verify", "aduan_route", "aduan_federate"], "SU"),
                      ("aduan_intake", SIU)),
    "report_actions": grants((LIFECYCLE, SI), ("aduan_notify", S)),
    "report_deadlines": grants((LIFECYCLE, SIU)),
    "attachments": grants(("aduan_intake", SI)),
    "report_supports": grants(("aduan_intake", SI)),
    "reporter_codes": grants(("aduan_intake", SIUD)),
    "reporter_sessions": grants(("aduan_intake", SID)),
    "desk_saved_filters": grants(("aduan_intake", SID)),
    "submission_keys": grants(("aduan_intake", SID)),
    "report_prechecks": grants((["aduan_intake", "aduan_route"], S), ("aduan_verify", SI)),
    "report_search": grants((["aduan_intake", "aduan_route"], S), ("aduan_verify", SI)),
    # stats may UPDATE events.seq only (the sequencer's numbering): checked column by column below
    "events": grants((LIFECYCLE + ["aduan_notify"], SI), ("aduan_stats", S), ("aduan_gateway", "I")),   # notify: config.template_changed; gateway: staff.*
    "event_counter": grants((CONSUMERS, S), ("aduan_stats", "SU")),
    "consumer_positions": grants((CONSUMERS, SIUD)),
    "consumer_members": grants((CONSUMERS, SIUD)),
    "webhooks": grants(("aduan_notify", SIU)),
    "deliveries": grants((LIFECYCLE, S), ("aduan_notify", SIU)),
    "delivery_attempts": grants(("aduan_notify", SIU)),
    "inbox_items": grants(("aduan_notify", SIU)),
    "report_followers": grants(("aduan_notify", SIUD)),
    "stat_reports": grants(("aduan_stats", SIUD)),
    "survey_responses": grants(("aduan_stats", SI)),
    "survey_codes": grants(("aduan_stats", SIUD)),
    "stats_generation": grants(("aduan_stats", S)),
    "stat_rollup": grants(("aduan_stats", S)),
    "stat_rollup_times": grants(("aduan_stats", S)),
}
PRIVILEGES = {"S": "SELECT", "I": "INSERT", "U": "UPDATE", "D": "DELETE"}


class DatabaseRoles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = Database("roles")
        cls.db.migrate()
        cls.db.migrate()  # grants are applied on every run: a second one must converge, not fail

    @classmethod
    def tearDownClass(cls):
        cls.db.drop()

    def as_role(self, role, sql):
        """Runs sql as role; returns (ok, SQLSTATE or "")."""
        done = subprocess.run(["psql", self.db.role_url(role), "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                               "-qAtc", sql], capture_output=True, text=True)
        if done.returncode == 0:
            return True, ""
        state = done.stderr.split("ERROR:", 1)[-1].strip().split(":", 1)[0]
        return False, state

    def relations(self):
        return self.db.scalar("SELECT string_agg(c.relname || ':' || c.relkind::text, ' ') FROM pg_class c "
                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')").split()

    def test_every_table_has_an_entry_in_the_map(self):
        tables = {r.split(":")[0] for r in self.relations()}
        self.assertEqual(tables - set(MAP), set(), "tables nobody owns: add them to docs, grants.sql and here")
        self.assertEqual(set(MAP) - tables, set(), "the map names tables that no longer exist")

    def test_catalogue_grants_equal_the_map(self):
        rows = self.db.scalar(
            "SELECT string_agg(format('%s|%s|%s|%s', t, r, p, has_table_privilege(r, t, p)), ' ') "
            f"FROM unnest('{{{','.join(MAP)}}}'::text[]) t, unnest('{{{','.join(ROLES)}}}'::text[]) r, "
            "unnest('{SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER}'::text[]) p").split()
        wrong = []
        for row in rows:
            table, role, privilege, granted = row.split("|")
            expected = any(PRIVILEGES[c] == privilege for c in MAP[table].get(role, ""))
            if expected != (granted == "t"):
                wrong.append(f"{role} {privilege} {table}: {'missing' if expected else 'granted'}")
        self.assertEqual(wrong, [])

    def test_only_stats_numbers_the_log(self):
        rows = self.db.scalar(
            "SELECT string_agg(format('%s|%s|%s', r, a.attname, has_column_privilege(r, 'events', a.attname, 'UPDATE')), ' ') "
            f"FROM unnest('{{{','.join(ROLES)}}}'::text[]) r, pg_attribute a "
            "WHERE a.attrelid = 'events'::regclass AND a.attnum > 0 AND NOT a.attisdropped").split()
        updatable = sorted(tuple(row.split("|")[:2]) for row in rows if row.endswith("|t"))
        self.assertEqual(updatable, [("aduan_stats", "seq")])

    def test_the_gateway_changes_only_an_accounts_state_and_when_a_session_was_used(self):
        for table, columns in (("staff", ("active", "institution_code", "password_hash", "role")),
                               ("staff_sessions", ("last_used_at",)), ("open311_keys", ("revoked_at",))):
            rows = self.db.scalar(
                "SELECT string_agg(format('%s|%s|%s', r, a.attname, has_column_privilege(r, a.attrelid, a.attname, 'UPDATE')), ' ') "
                f"FROM unnest('{{{','.join(ROLES)}}}'::text[]) r, pg_attribute a "
                f"WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped").split()
            updatable = sorted(tuple(row.split("|")[:2]) for row in rows if row.endswith("|t"))
            self.assertEqual(updatable, [("aduan_gateway", column) for column in columns], table)

    def test_writers_may_take_ids_from_the_serial_sequences(self):
        rows = self.db.scalar(
            "SELECT string_agg(format('%s|%s|%s', t.relname, r, has_sequence_privilege(r, s.oid, 'USAGE')), ' ') "
            "FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_class t ON t.oid = d.refobjid, "
            f"unnest('{{{','.join(ROLES)}}}'::text[]) r "
            "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass").split()
        self.assertTrue(rows)
        wrong = [row for row in rows
                 if ("I" in MAP[row.split("|")[0]].get(row.split("|")[1], "")) != row.endswith("|t")]
        self.assertEqual(wrong, [])

    def try_as_role(self, role, statements):
        """Runs each statement as role in a block of its own, in one session; {statement: SQLSTATE or ""}."""
        block = " ".join(f"BEGIN EXECUTE $q${sql}$q$; RAISE NOTICE 'tried|%|', {i}; "
                         f"EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'tried|%|%', {i}, SQLSTATE; END;"
                         for i, sql in enumerate(statements))
        done = subprocess.run(["psql", self.db.role_url(role), "-v", "ON_ERROR_STOP=1", "-qAtc",
                               f"DO $do$ BEGIN {block} END $do$"], capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        tried = [line.split("tried|", 1)[1].split("|") for line in done.stderr.splitlines() if "tried|" in line]
        self.assertEqual(len(tried), len(statements))
        return {statements[int(i)]: state for i, state in tried}

    def test_each_role_writes_what_it_owns_and_nothing_else(self):
        """INSERT, UPDATE and DELETE tried as every role on every table, changing no row."""
        probes = []  # (table, letter, statement)
        for relation in self.relations():
            table, kind = relation.split(":")
            if kind == "v":
                continue  # views are read only
            first = self.db.scalar(f"SELECT attname FROM pg_attribute WHERE attrelid = '{table}'::regclass "
                                   "AND attnum = 1")
            # the columns a writer gives (not the generated ones, which refuse any value)
            given = self.db.scalar(f"SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                                   f"WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped "
                                   "AND attgenerated = ''")
            # explicit (null) values of the table's row type, so the INSERT needs no SELECT on it
            probes += [(table, "I", f"INSERT INTO {table} ({given}) SELECT {given} FROM "
                                    f"(SELECT (NULL::{table}).*) blank WHERE false"),
                       (table, "U", f"UPDATE {table} SET {first} = {first} WHERE false"),
                       (table, "D", f"DELETE FROM {table} WHERE false")]
        wrong = []
        for role in ROLES:
            outcome = self.try_as_role(role, [sql for _, _, sql in probes])
            for table, letter, sql in probes:
                expected = letter in MAP[table].get(role, "")
                state = outcome[sql]
                if (state == "") != expected or state not in ("", "42501"):
                    wrong.append(f"{role} {PRIVILEGES[letter]} {table}: {state or 'ok'}")
        self.assertEqual(wrong, [])

    def test_the_rules_of_the_issue_for_real(self):
        report = ("INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, "
                  "anonymous, confidential, channel, status, reporter_token_hash) SELECT 'AAAA-BBBB-{n}', "
                  "'complaint', 'Jalan rusak', 'Lubang besar', 'JALAN.BERLUBANG', '21.71', false, false, 'web', "
                  "'waiting_verification', repeat('a', 64)")
        self.assertEqual(self.as_role("aduan_intake", report.format(n="CCC1")), (True, ""))
        self.assertEqual(self.db.count("reports"), 1)
        self.assertEqual(self.as_role("aduan_gateway", report.format(n="CCC2")), (False, "42501"))
        self.assertEqual(self.as_role("aduan_gateway", "UPDATE reports SET title = 'diubah'"), (False, "42501"))
        self.assertEqual(self.as_role("aduan_notify", "INSERT INTO stat_reports (tracking_id) VALUES ('AAAA-BBBB-CCC1')"),
                         (False, "42501"))
        self.assertEqual(self.as_role("aduan_stats", "UPDATE events SET type = 'x' WHERE false"), (False, "42501"))
        self.assertEqual(self.as_role("aduan_stats", "UPDATE events SET seq = seq WHERE false"), (True, ""))
        self.assertEqual(self.as_role("aduan_intake", "CREATE TABLE mine (x int)"), (False, "42501"))
        self.assertEqual(self.db.scalar("SELECT title FROM reports"), "Jalan rusak")

    def test_admin_commands_refuse_an_unmigrated_database(self):
        other = Database("rolesfresh")
        try:
            done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "create-staff", "pertama", "national_admin",
                                   "NASIONAL", "Admin Pertama"], input="rahasia-sekali-123\n", capture_output=True,
                                  text=True, timeout=60, env={**os.environ, "ADUAN_DB_URL": other.role_url("aduan_gateway")})
            self.assertEqual(done.returncode, 1)
            self.assertIn("run aduan-admin migrate first", done.stderr)
            done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "migrate"], capture_output=True,
                                  text=True, timeout=60, env={**os.environ, "ADUAN_DB_URL": other.role_url("aduan_intake")})
            self.assertEqual(done.returncode, 1, "a service role must not be able to migrate")
            self.assertIn("permission denied", done.stderr)
        finally:
            other.drop()

    def test_migrate_sets_each_role_password_from_its_service_url(self):
        def migrate(**urls):
            return subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "migrate"], capture_output=True, text=True,
                                  timeout=60, env={**os.environ, "ADUAN_DB_URL": self.db.url, **urls})
        verifier = "SELECT rolpassword FROM pg_authid WHERE rolname = 'aduan_notify'"
        url = self.db.role_url("aduan_notify").replace("aduan_notify@", "aduan_notify:rahasia-{}@")
        done = migrate(ADUAN_NOTIFY_DB_URL=url.format(1))
        self.assertEqual(done.returncode, 0, done.stderr)
        first = self.db.scalar(verifier)
        self.assertTrue(first.startswith("SCRAM-SHA-256$"), first)
        self.assertNotIn("rahasia", first)
        self.assertEqual(migrate(ADUAN_NOTIFY_DB_URL=url.format(2)).returncode, 0)
        self.assertNotEqual(self.db.scalar(verifier), first)
        done = migrate(ADUAN_NOTIFY_DB_URL=self.db.role_url("aduan_stats"))
        self.assertEqual(done.returncode, 1, "a URL of another role must not set this one's password")
        self.assertIn("must connect as aduan_notify", done.stderr)

    def test_a_service_started_before_migrate_waits_for_it(self):
        """The roles exist (setUpClass migrated a database of this cluster); this database has no
        schema yet: the service waits, logging so, and serves once migrate has run."""
        fresh = Database("roleswait")
        workdir = tempfile.mkdtemp(prefix="aduan-roleswait-")
        service = None
        try:
            service = Service("aduan-intake", {
                "ADUAN_DB_URL": fresh.service_url("aduan-intake"),
                "ADUAN_INTAKE_BIND": f"tcp://127.0.0.1:{free_port()}",
                "ADUAN_IDEMPOTENCY_SECRET": IDEMPOTENCY_SECRET,
                "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
            }, workdir, name="intake").start(wait_ready=False)
            log = os.path.join(workdir, "intake.1.log")
            deadline = time.monotonic() + 20
            def logged():
                with open(log) as f:
                    return f.read()
            while time.monotonic() < deadline and "waiting for migrations" not in logged():
                self.assertIsNone(service.proc.poll(), "the service gave up instead of waiting")
                time.sleep(0.1)
            self.assertIn("waiting for migrations", logged())
            self.assertEqual(fresh.scalar("SELECT to_regclass('reports') IS NULL"), "t",
                             "a service role created tables")
            fresh.migrate()
            service.wait_ready(30)
            self.assertEqual(service.stop(), 0)
            shutil.rmtree(workdir, ignore_errors=True)
        finally:
            if service:
                service.kill()
            fresh.drop()


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
