"""Independent validation of the evidence's documents, run by the tests with the virtualenv
that tests/validators/setup.sh creates.

    validate.py cyclonedx 1.5|1.6|1.7 FILE    strict CycloneDX JSON schema (cyclonedx-python-lib)
    validate.py openvex SCHEMA FILE        the OpenVEX JSON schema (python-jsonschema, formats on)
    validate.py spdx3 FILE                 SPDX 3.0.1 JSON-LD by spdx-python-model, the bindings
                                           generated from the official SPDX 3.0.1 SHACL model:
                                           every object's class and property known, values of the
                                           right type, pattern and enumeration, references to
                                           objects of the right class that exist, cardinalities
                                           (checked when the graph is written back); and what our
                                           documents promise beyond the model: unique spdxIds, one
                                           SpdxDocument holding every element of the file (as its
                                           element or an element of a collection it holds), each
                                           rootElement among its collection's elements,
                                           specVersion 3.0.1 (the official `spdx3-validate`
                                           downloads its JSON schema and SHACL model from spdx.org
                                           at run time, and no registry package ships them)
    validate.py dsse BUNDLE SSH_PUBKEY     each line of an .intoto.jsonl bundle: its DSSE signature
                                           by securesystemslib with the Ed25519 key of an OpenSSH
                                           public key file (keyid = the key's SHA256 fingerprint),
                                           its in-toto Statement by in-toto-attestation, and the
                                           SLSA provenance / VSA predicates by their protobufs

Prints nothing and exits 0 when the file is valid; prints every error and exits 1 otherwise.
"""

import json
import sys


def cyclonedx(version, path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    schema = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}[version]
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


SPDX3_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"


def spdx3(path):
    import io

    from spdx_python_model import v3_0_1 as spdx

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("@context") != SPDX3_CONTEXT or SPDX3_CONTEXT not in spdx.CONTEXT_URLS:
        return [f"@context must be {SPDX3_CONTEXT}, found {data.get('@context')!r}"]
    errors = []
    graph = data.get("@graph")
    if not isinstance(graph, list):
        return ["no @graph array"]
    ids = [o.get("spdxId") for o in graph if isinstance(o, dict) and "spdxId" in o]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    if dups:
        errors.append(f"duplicate spdxIds: {dups[:5]}")
    objects = spdx.SHACLObjectSet()
    try:
        spdx.JSONLDDeserializer().deserialize_data(data, objects)
        missing = objects.link()
    except Exception as e:  # unknown class or property, wrong type, pattern, enum, reference class
        return errors + [f"{type(e).__name__}: {e}"]
    # The SPDX License List's licenses are referenced by their IRI, not defined in the document.
    missing = sorted(m for m in missing if not m.startswith("https://spdx.org/licenses/"))
    if missing:
        errors.append(f"references to objects that are not in the document: {missing[:5]}")
    try:
        spdx.JSONLDSerializer().write(objects, io.BytesIO())  # min/max counts, required IRIs
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
    docs = list(objects.foreach_type(spdx.SpdxDocument))
    if len(docs) != 1:
        errors.append(f"expected one SpdxDocument, found {len(docs)}")
        return errors
    doc = docs[0]
    for o in objects.foreach_type(spdx.Element):
        info = o.creationInfo
        if not isinstance(info, spdx.CreationInfo) or info.specVersion != "3.0.1":
            errors.append(f"{o._id}: no creationInfo of specVersion 3.0.1")
    # What the document holds: its elements, and the elements of the collections among them.
    ident = lambda e: e._id if isinstance(e, spdx.SHACLObject) else e
    listed, todo = set(), [doc]
    while todo:
        for e in todo.pop().element:
            if ident(e) not in listed:
                listed.add(ident(e))
                if isinstance(e, spdx.ElementCollection):
                    todo.append(e)
    for o in objects.foreach_type(spdx.Element):
        if o is not doc and o._id not in listed:
            errors.append(f"{o._id} ({type(o).__name__}) is not held by the SpdxDocument")
    for c in [doc, *objects.foreach_type(spdx.ElementCollection)]:
        own = {ident(e) for e in c.element}
        if any(ident(r) not in own for r in c.rootElement):
            errors.append(f"{c._id}: a rootElement is not one of its elements")
    return errors


def ed25519_of_ssh_public_key(path):
    """(keyid, raw public key hex) of an `ssh-ed25519 AAAA...` line, parsed here from the wire
    format (RFC 8709): string "ssh-ed25519", string key (32 bytes)."""
    import base64
    import hashlib
    import struct

    with open(path, encoding="utf-8") as f:
        kind, b64 = f.read().split()[:2]
    blob = base64.b64decode(b64)
    fields, i = [], 0
    while i < len(blob):
        (n,) = struct.unpack(">I", blob[i : i + 4])
        fields.append(blob[i + 4 : i + 4 + n])
        i += 4 + n
    if kind != "ssh-ed25519" or fields[0] != b"ssh-ed25519" or len(fields[1]) != 32:
        raise SystemExit(f"{path}: not an ssh-ed25519 public key")
    keyid = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return keyid, fields[1].hex()


def dsse(bundle, pubkey):
    import copy
    from google.protobuf import json_format
    from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
    from in_toto_attestation.predicates.vsa.v1 import vsa_pb2
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey

    keyid, public = ed25519_of_ssh_public_key(pubkey)
    key = SSlibKey(keyid, "ed25519", "ed25519", {"public": public})
    errors, kinds = [], []
    with open(bundle, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    for n, line in enumerate(lines, 1):
        try:
            envelope = Envelope.from_dict(json.loads(line))
            envelope.verify([key], 1)
        except Exception as e:  # VerificationError, parse errors
            errors.append(f"line {n}: DSSE: {type(e).__name__}: {e}")
            continue
        if envelope.payload_type != "application/vnd.in-toto+json":
            errors.append(f"line {n}: payloadType {envelope.payload_type}")
        stmt = json.loads(envelope.payload)
        try:
            Statement.copy_from_pb(json_format.ParseDict(stmt, statement_pb2.Statement())).validate()
        except Exception as e:
            errors.append(f"line {n}: in-toto Statement: {e}")
            continue
        ptype = stmt["predicateType"]
        kinds.append(ptype)
        try:
            if ptype == "https://slsa.dev/provenance/v1":
                json_format.ParseDict(stmt["predicate"], provenance_pb2.Provenance())
            elif ptype == "https://slsa.dev/verification_summary/v1":
                pred = copy.deepcopy(stmt["predicate"])
                # The spec's verifiedLevels is an array; this package's proto declares a string.
                levels = pred.pop("verifiedLevels")
                if not (isinstance(levels, list) and levels and all(isinstance(l, str) for l in levels)):
                    errors.append(f"line {n}: VSA verifiedLevels must be a non-empty array of strings")
                vsa = json_format.ParseDict(pred, vsa_pb2.VerificationSummary(), ignore_unknown_fields=True)
                if not vsa.verifier.id or not vsa.resource_uri or not vsa.policy.uri:
                    errors.append(f"line {n}: VSA verifier.id, resourceUri and policy.uri are required")
                if vsa.verification_result not in ("PASSED", "FAILED"):
                    errors.append(f"line {n}: VSA verificationResult {vsa.verification_result}")
                if not vsa.time_verified.seconds:
                    errors.append(f"line {n}: VSA timeVerified is required")
            else:
                errors.append(f"line {n}: unexpected predicateType {ptype}")
        except Exception as e:
            errors.append(f"line {n}: predicate: {e}")
    if not errors and sorted(kinds) != ["https://slsa.dev/provenance/v1", "https://slsa.dev/verification_summary/v1"]:
        errors.append(f"expected one provenance and one VSA, found {kinds}")
    return errors


def main(argv):
    if argv[1:2] == ["spdx3"] and len(argv) == 3:
        errors = spdx3(argv[2])
    elif len(argv) != 4 or argv[1] not in ("cyclonedx", "openvex", "dsse"):
        print(__doc__, file=sys.stderr)
        return 2
    elif argv[1] == "dsse":
        errors = dsse(argv[2], argv[3])
    elif argv[1] == "cyclonedx":
        errors = cyclonedx(argv[2], argv[3])
    else:
        errors = openvex(argv[2], argv[3])
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
