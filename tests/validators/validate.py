"""Independent validation of the evidence's documents, run by the tests with the virtualenv
that tests/validators/setup.sh creates.

    validate.py cyclonedx 1.5|1.6 FILE     strict CycloneDX JSON schema (cyclonedx-python-lib)
    validate.py openvex SCHEMA FILE        the OpenVEX JSON schema (python-jsonschema, formats on)

Prints nothing and exits 0 when the file is valid; prints every error and exits 1 otherwise.
"""

import json
import sys


def cyclonedx(version, path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    schema = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}[version]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    errors = JsonStrictValidator(schema).validate_str(text, all_errors=True)
    if errors is None:
        return []
    if not isinstance(errors, (list, tuple)):
        errors = list(errors) if hasattr(errors, "__iter__") else [errors]
    return [str(e.data.message if hasattr(e, "data") and hasattr(e.data, "message") else e) + " at " + str(list(getattr(e.data, "absolute_path", []))) for e in errors]


def openvex(schema_path, path):
    import jsonschema

    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return [f"{e.message} at {list(e.absolute_path)}" for e in validator.iter_errors(doc)]


def main(argv):
    if len(argv) != 4 or argv[1] not in ("cyclonedx", "openvex"):
        print(__doc__, file=sys.stderr)
        return 2
    errors = cyclonedx(argv[2], argv[3]) if argv[1] == "cyclonedx" else openvex(argv[2], argv[3])
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
