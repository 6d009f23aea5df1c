# tc -j -s filter show output → one line per pref, "pref<TAB>filters" without what legitimately differs between
# two installs of the same flow: handle, action cookie, counters, timestamps, action index and
# reference counts. Used by TcOracleVmTest to compare our filters with iproute2's.
import json
import sys

VOLATILE = {"handle", "cookie", "stats", "installed", "last_used", "first_used", "expires", "index", "ref", "bind"}


def clean(o):
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items() if k not in VOLATILE}
    if isinstance(o, list):
        return [clean(x) for x in o]
    return o


out = {}
for f in json.load(open(sys.argv[1])):
    if "options" in f and "handle" in f["options"]:
        out.setdefault(str(f["pref"]), []).append(json.dumps(clean(f), sort_keys=True))
for pref in sorted(out, key=int):
    print(pref + "\t" + " | ".join(sorted(out[pref])))
