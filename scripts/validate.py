#!/usr/bin/env python3
"""Validate rampart's outputs against their schemas.

usage: validate.py report|sarif|cyclonedx|spdx FILE

report     rampart's JSON report against schemas/report.schema.json (jsonschema, draft 2020-12)
sarif      SARIF 2.1.0 against the official JSON schema (fetched by scripts/setup)
cyclonedx  CycloneDX 1.6 JSON against the official schema (cyclonedx-python-lib, strict)
spdx       SPDX 2.3 JSON with the official SPDX tools (spdx-tools)

Prints each problem and exits 1 when the file is invalid, 0 when it is valid.
"""
import json
import os
import sys


def main() -> int:
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if kind == "report":
        import jsonschema

        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "schemas", "report.schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        errors = list(validator.iter_errors(json.loads(text)))
        for e in errors:
            print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        return 1 if errors else 0
    if kind == "sarif":
        import jsonschema

        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "target", "test-cache", "sarif-2.1.0.json"), encoding="utf-8") as f:
            schema = json.load(f)
        validator = jsonschema.Draft7Validator(schema)
        errors = list(validator.iter_errors(json.loads(text)))
        for e in errors:
            print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        return 1 if errors else 0
    if kind == "cyclonedx":
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator

        err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
        if err is not None:
            print(f"{path}: {err}")
            return 1
        return 0
    if kind == "spdx":
        from spdx_tools.spdx.parser.parse_anything import parse_file
        from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

        doc = parse_file(path)
        messages = validate_full_spdx_document(doc, "SPDX-2.3")
        for m in messages:
            print(f"{path}: {m.validation_message}")
        return 1 if messages else 0
    print(f"unknown kind {kind}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
