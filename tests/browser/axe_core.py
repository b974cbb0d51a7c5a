"""axe-core for the browser tests: the version package-lock.json pins, installed once per lock into a
cache folder by npm ci, and read from there.

The browser tests run side by side, and on a fresh machine several of them ask for it at once: each
used to find it missing and run npm ci in the same folder, and npm ci starts by deleting
node_modules, so one test read the script while another's install had just removed it. Now one
process installs at a time (a lock file beside the folder), into a folder of its own that is renamed
into place once complete: a reader sees the whole install or none."""
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def cache_folder():
    """Where the install for this package-lock.json lives."""
    with open(os.path.join(HERE, "package-lock.json"), "rb") as f:
        lock = f.read()
    cache_root = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(cache_root, "aduan", "browser-npm-" + hashlib.sha256(lock).hexdigest()[:16])


def install(cache):
    """npm ci into a new folder beside `cache`, then renamed to it (a partial one left there before
    is replaced)."""
    staging = tempfile.mkdtemp(prefix=os.path.basename(cache) + ".", dir=os.path.dirname(cache))
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(HERE, name), staging)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=staging, check=True,
                       timeout=600, stdout=subprocess.DEVNULL)
        shutil.rmtree(cache, ignore_errors=True)
        os.rename(staging, cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def axe_source():
    """The text of axe.min.js, installed first if this machine does not have it yet."""
    cache = cache_folder()
    script = os.path.join(cache, "node_modules", "axe-core", "axe.min.js")
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(script):
            install(cache)
    with open(script, encoding="utf-8") as f:
        return f.read()
