"""Security checks of staff accounts and sessions (issue 12): an admin deactivates an account of
its subtree and that member's sessions stop at once; a session unused for
ADUAN_SESSION_IDLE_MINUTES ends (each use moves the limit on); DELETE /api/v1/sessions signs a
member out everywhere."""
import hashlib
import unittest

from aduan_harness import System, SystemTestCase

IDLE_MINUTES = 5
STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
    "dinsos": ("unit_liaison", "KOTA-21.71.DINSOS"),
    "tpi": ("unit_liaison", "KOTA-21.72"),
    "analis": ("analyst", "KOTA-21.71"),
    "lelah": ("analyst", "KOTA-21.71"),
    "pindah": ("analyst", "KOTA-21.71"),
}


class StaffSessions(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("staff-sessions", gateway_env={"ADUAN_SESSION_IDLE_MINUTES": str(IDLE_MINUTES)}).start()
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
        cls.auth = {name: cls.sys.login(name) for name in STAFF}

    def whoami(self, auth):
        status, _, _ = self.sys.json("GET", "/api/v1/sessions/current", headers=auth)
        return status

    def deactivate(self, who, username):
        return self.sys.json("POST", f"/api/v1/staff/{username}/deactivate", headers=self.auth[who])

    def idle_for(self, auth, minutes):
        token = auth["Authorization"].split(" ", 1)[1]
        digest = hashlib.sha256(token.encode()).hexdigest()
        self.sys.db.scalar(f"UPDATE staff_sessions SET last_used_at = now() - interval '{minutes} minutes' "
                           f"WHERE token_hash = '{digest}'")

    def test_a_deactivated_member_is_signed_out_at_once_and_cannot_sign_in(self):
        second = self.sys.login("pupr")
        self.assertEqual(self.whoami(second), 200)
        status, _, doc = self.deactivate("kota", "pupr")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc, {"username": "pupr", "active": False})
        self.assertEqual(self.whoami(self.auth["pupr"]), 401)
        self.assertEqual(self.whoami(second), 401)
        status, _, _ = self.sys.json("POST", "/api/v1/sessions", {"username": "pupr", "password": "rahasia-sekali-123"})
        self.assertEqual(status, 401)
        status, _, _ = self.deactivate("kota", "pupr")   # again: nothing changes
        self.assertEqual(status, 200)

    def test_only_admins_of_the_subtree_deactivate(self):
        self.assertEqual(self.deactivate("analis", "dinsos")[0], 403)
        self.assertEqual(self.deactivate("kota", "kota")[0], 403)       # not one's own
        self.assertEqual(self.deactivate("kota", "tpi")[0], 404)        # outside the subtree
        self.assertEqual(self.deactivate("kota", "nas")[0], 404)        # a national admin
        self.assertEqual(self.deactivate("kota", "tak-ada")[0], 404)
        status, hdrs, _ = self.sys.json("GET", "/api/v1/staff/dinsos/deactivate", headers=self.auth["kota"])
        self.assertEqual((status, hdrs.get("allow")), (405, "POST"))
        self.assertEqual(self.whoami(self.auth["tpi"]), 200)
        self.assertEqual(self.whoami(self.auth["dinsos"]), 200)
        self.assertEqual(self.deactivate("nas", "tpi")[0], 200)
        self.assertEqual(self.whoami(self.auth["tpi"]), 401)

    def test_an_idle_session_ends_and_use_keeps_one_alive(self):
        self.idle_for(self.auth["lelah"], IDLE_MINUTES + 1)
        self.assertEqual(self.whoami(self.auth["lelah"]), 401)
        fresh = self.sys.login("lelah")            # signing in again works
        self.idle_for(fresh, IDLE_MINUTES - 1)
        self.assertEqual(self.whoami(fresh), 200)  # used in time: the limit moves on
        self.idle_for(fresh, 1)
        self.assertEqual(self.whoami(fresh), 200)

    def test_signing_out_everywhere_ends_every_session_of_the_member_only(self):
        other = self.sys.login("pindah")
        status, _, _ = self.sys.request("DELETE", "/api/v1/sessions", headers=other)
        self.assertEqual(status, 204)
        self.assertEqual(self.whoami(other), 401)
        self.assertEqual(self.whoami(self.auth["pindah"]), 401)
        self.assertEqual(self.whoami(self.auth["analis"]), 200)
        status, _, _ = self.sys.request("DELETE", "/api/v1/sessions")
        self.assertEqual(status, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
