"""Checks FIT files with Garmin's official FIT SDK (garmin-fit-sdk, pinned in
requirements.txt) and prints what it decodes as JSON.

    python check.py FILE_OR_DIR [FILE_OR_DIR ...]

Every FIT file named (or found directly in a directory named) must pass Garmin's checks:
`is_fit()`, `check_integrity()`, and `read()` with the SDK's default options returning no
errors. The output is one JSON object on stdout:

    {"sdk_version": "...", "files": {"<path>": {"ok": true, "errors": [],
     "messages": {"file_id_mesgs": [{...}], ...}}}}

with date-times as RFC 3339 UTC strings and bytes as lists of integers. The exit status is
0 when every file passed, 1 when any failed, 2 when the SDK is not installed.
"""

import datetime
import json
import sys
from importlib import metadata
from pathlib import Path

try:
    from garmin_fit_sdk import Decoder, Stream
except ImportError:
    print("garmin-fit-sdk is not installed (pip install -r requirements.txt)", file=sys.stderr)
    sys.exit(2)


def plain(value):
    """The SDK's values as JSON: date-times in UTC, bytes as integers, the rest as is."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.isoformat() + "Z"
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def decoder(path):
    # A fresh decoder for each call: is_fit() and check_integrity() move the stream.
    return Decoder(Stream.from_file(str(path)))


def check(path):
    errors = []
    if not decoder(path).is_fit():
        errors.append("is_fit() is false")
    if not decoder(path).check_integrity():
        errors.append("check_integrity() is false")
    messages, read_errors = decoder(path).read()
    errors.extend(str(e) for e in read_errors)
    if not messages:
        errors.append("read() decoded no message")
    return {"ok": not errors, "errors": errors, "messages": plain(messages)}


def main(arguments):
    if not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    paths = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".fit"))
        else:
            paths.append(path)
    results = {}
    for path in paths:
        try:
            results[str(path)] = check(path)
        except Exception as error:  # a crash in the SDK is a failed check, not a traceback
            results[str(path)] = {"ok": False, "errors": [repr(error)], "messages": {}}
    json.dump(
        {"sdk_version": metadata.version("garmin-fit-sdk"), "files": results},
        sys.stdout,
        sort_keys=True,
    )
    sys.stdout.write("\n")
    failed = [p for p, r in results.items() if not r["ok"]]
    for path in failed:
        print(f"{path}: {'; '.join(results[path]['errors'])}", file=sys.stderr)
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
