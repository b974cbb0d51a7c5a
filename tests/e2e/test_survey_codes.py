"""Security checks of the satisfaction survey (issue 12): a service user's answer counts only with a
one-time code the institution issued, so anonymous posts cannot stuff the index."""
import hashlib
import secrets
import time
import unittest

from aduan_harness import System, SystemTestCase

UNIT = "KOTA-21.71.PUPR"
ANSWERS = [4, 4, 4, 4, 4, 4, 4, 4, 4]
STUFFING = 1000
STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "pupr": ("unit_liaison", UNIT),
    "tpi": ("institution_admin", "KOTA-21.72"),
}


class SurveyCodes(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("survey-codes", with_stats=True).start()
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
        cls.auth = {name: cls.sys.login(name) for name in STAFF}

    def figures(self, institution):
        """The institution's IKM figures, without `as_of`: when aduan-stats computed them is no figure."""
        status, _, doc = self.sys.json("GET", f"/api/v1/stats/ikm?institution={institution}", headers=self.auth["nas"])
        self.assertEqual(status, 200, doc)
        return {k: v for k, v in doc.items() if k != "as_of"}

    def answer(self, body):
        return self.sys.json("POST", "/api/v1/surveys", body)

    def issue(self, who, institution, count):
        return self.sys.json("POST", "/api/v1/survey-codes", {"institution": institution, "count": count},
                             self.auth[who] if who else None)

    def test_anonymous_posts_without_a_valid_code_change_no_figure(self):
        before = self.figures(UNIT)
        other = self.sys.survey_codes(self.auth["tpi"], "KOTA-21.72.PUPR", 1)[0]
        bodies = [{"institution": UNIT, "answers": ANSWERS},
                  {"institution": UNIT, "code": other, "answers": ANSWERS},
                  {"institution": UNIT, "code": "", "answers": ANSWERS}]
        started = time.monotonic()
        statuses = {}
        for i in range(STUFFING):
            body = bodies[i] if i < len(bodies) else {"institution": UNIT, "code": secrets.token_urlsafe(32),
                                                      "answers": ANSWERS}
            status, _, doc = self.answer(body)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 422:
                self.assertEqual([e["field"] for e in doc["errors"]], ["code"], doc)
        self.assertLess(time.monotonic() - started, 120, "1,000 refused answers take bounded time")
        self.assertEqual(statuses.get(201, 0), 0, statuses)
        self.assertEqual(self.figures(UNIT), before)
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM survey_responses WHERE institution_code = '{UNIT}'"),
                         "0")

    def test_a_code_counts_once_and_only_for_its_institution(self):
        codes = self.sys.survey_codes(self.auth["kota"], "KOTA-21.71.DINSOS", 2)
        self.assertEqual(len(set(codes)), 2)
        before = self.figures("KOTA-21.71.DINSOS")["respondents"]
        status, _, doc = self.answer({"institution": "KOTA-21.71.DINSOS", "code": codes[0], "answers": ANSWERS})
        self.assertEqual(status, 201, doc)
        status, _, doc = self.answer({"institution": "KOTA-21.71.DINSOS", "code": codes[0], "answers": ANSWERS})
        self.assertEqual(status, 422, doc)
        status, _, doc = self.answer({"institution": "KOTA-21.71", "code": codes[1], "answers": ANSWERS})
        self.assertEqual(status, 422, doc)
        self.assertEqual(self.figures("KOTA-21.71.DINSOS")["respondents"], before + 1)
        # stored as their SHA-256 only
        digest = hashlib.sha256(codes[1].encode()).hexdigest()
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM survey_codes WHERE code_hash = '{digest}'"), "1")
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM survey_codes WHERE code_hash = '{codes[1]}'"), "0")

    def test_only_admins_of_the_subtree_issue_codes(self):
        self.assertEqual(self.issue(None, UNIT, 1)[0], 401)
        self.assertEqual(self.issue("pupr", UNIT, 1)[0], 403)
        self.assertEqual(self.issue("tpi", UNIT, 1)[0], 403)
        for count in (0, 1001, "5", None):
            status, _, doc = self.issue("kota", UNIT, count)
            self.assertEqual(status, 422, (count, doc))
        status, _, doc = self.issue("kota", "NOPE", 1)
        self.assertEqual((status, [e["field"] for e in doc["errors"]]), (422, ["institution"]), doc)
        status, hdrs, doc = self.issue("kota", UNIT, 3)
        self.assertEqual((status, hdrs.get("cache-control")), (201, "no-store"), doc)
        self.assertEqual((doc["institution"], len(doc["codes"])), (UNIT, 3))


if __name__ == "__main__":
    unittest.main(verbosity=2)
