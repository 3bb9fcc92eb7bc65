#!/usr/bin/env python3
"""Ground truth for hfenv's .env parser: python-dotenv 1.2.4's dotenv_values().

usage:
  expected.py [DIR]     print one JSON object per line for every DIR/*.env
                        (DIR defaults to this script's directory)
  expected.py --write   regenerate <name>.json and warnings.json next to this
                        script from the .env files there

Each printed object:
  file        the file name
  values      dotenv_values(path) as an ordered list of [key, value-or-null],
              or null when reading the file fails
  error       the exception ("UnicodeDecodeError: ...") or null
  warnings    lines python-dotenv logged "could not parse statement" for
  raw         parse_stream() on the file read with newline="" (no newline
              translation): [key, value-or-null, line-of-first-non-space]
              before interpolation, to check parse() on text with "\\r"
  raw_errors  error lines of that raw parse

The environment is replaced by exactly HFENV_TEST_ENV=from-env so results do
not depend on the caller's shell. Exit status 3 means python-dotenv 1.2.4 is
not available.
"""

import json
import logging
import os
import re
import sys

WANTED = "1.2.4"

try:
    from importlib.metadata import version

    import dotenv
    from dotenv.parser import parse_stream

    if version("python-dotenv") != WANTED:
        raise ImportError(f"python-dotenv {version('python-dotenv')} installed, need {WANTED}")
except Exception as exc:  # noqa: BLE001 - any failure means "no oracle"
    print(f"python-dotenv {WANTED} unavailable: {exc}", file=sys.stderr)
    sys.exit(3)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        if record.msg.startswith("python-dotenv could not parse statement"):
            self.lines.append(record.args[0])


LOGGER = logging.getLogger("dotenv.main")
LOGGER.propagate = False
HANDLER = Collect()
LOGGER.addHandler(HANDLER)

os.environ.clear()
os.environ["HFENV_TEST_ENV"] = "from-env"

NEWLINE = re.compile(r"\r\n|\n|\r")
LEADING = re.compile(r"\s*")


def raw_parse(path):
    with open(path, encoding="utf-8", newline="") as stream:
        bindings, errors = [], []
        for b in parse_stream(stream):
            if b.error:
                errors.append(b.original.line)
            elif b.key is not None:
                lead = LEADING.match(b.original.string).group()
                bindings.append([b.key, b.value, b.original.line + len(NEWLINE.findall(lead))])
        return bindings, errors


def evaluate(path):
    HANDLER.lines = []
    result = {"file": os.path.basename(path), "values": None, "error": None}
    try:
        result["values"] = [[k, v] for k, v in dotenv.dotenv_values(path).items()]
        result["raw"], result["raw_errors"] = raw_parse(path)
    except Exception as exc:  # noqa: BLE001 - recorded as the expected outcome
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["raw"], result["raw_errors"] = None, None
    result["warnings"] = HANDLER.lines
    return result


def env_files(directory):
    return sorted(
        os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".env")
    )


def write(directory):
    warnings = {}
    for path in env_files(directory):
        result = evaluate(path)
        warnings[result["file"]] = result["warnings"]
        if result["values"] is None:
            body = json.dumps({"error": result["error"]})
        else:
            rows = ",\n".join("  " + json.dumps(pair) for pair in result["values"])
            body = "[\n" + rows + "\n]" if rows else "[]"
        with open(path[: -len(".env")] + ".json", "w", encoding="utf-8") as out:
            out.write(body + "\n")
    with open(os.path.join(directory, "warnings.json"), "w", encoding="utf-8") as out:
        out.write(json.dumps(warnings, indent=1, sort_keys=True) + "\n")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    if argv == ["--write"]:
        write(here)
        return
    directory = argv[0] if argv else here
    for path in env_files(directory):
        print(json.dumps(evaluate(path)))


if __name__ == "__main__":
    main(sys.argv[1:])
