"""Our sidecar.proto against the official SDK's generated messages: every message, field name, number,
scalar type, `optional`, oneof group, repeated/map, enum value and RPC path must agree."""

import dataclasses
import inspect
import re
from pathlib import Path

import betterproto
import stigg_sidecar_sdk.generated.stigg.sidecar.v1 as sdk

PROTO = Path(__file__).resolve().parents[2] / "proto" / "stigg" / "sidecar" / "v1" / "sidecar.proto"

SCALARS = {"string": "string", "bool": "bool", "double": "double", "int32": "int32", "int64": "int64"}


def parse_proto(text: str):
    """(messages, enums, rpcs) of a proto3 file this simple (no nested messages)."""
    text = re.sub(r"//[^\n]*", "", text)
    messages, enums = {}, {}
    for kind, name, body in re.findall(r"\b(message|enum)\s+(\w+)\s*\{((?:[^{}]|\{[^{}]*\})*)\}", text):
        if kind == "enum":
            enums[name] = {k: int(v) for k, v in re.findall(r"(\w+)\s*=\s*(\d+)\s*;", body)}
            continue
        fields = {}
        for oneof, obody in re.findall(r"oneof\s+(\w+)\s*\{([^{}]*)\}", body):
            for typ, fname, num in re.findall(r"([\w.]+)\s+(\w+)\s*=\s*(\d+)", obody):
                fields[fname] = dict(number=int(num), type=typ, optional=False, group=oneof, label="")
        body_wo = re.sub(r"oneof\s+\w+\s*\{[^{}]*\}", "", body)
        for label, typ, fname, num in re.findall(
                r"(optional\s+|repeated\s+)?(map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*(\d+)", body_wo):
            label = label.strip()
            fields[fname] = dict(number=int(num), type=typ, optional=label == "optional",
                                 group=f"_{fname}" if label == "optional" else None, label=label)
        messages[name] = fields
    rpcs = re.findall(r"rpc\s+(\w+)\s*\(\s*([\w.]+)\s*\)\s*returns\s*\(\s*([\w.]+)\s*\)", text)
    package = re.search(r"package\s+([\w.]+);", text).group(1)
    return package, messages, enums, rpcs


def test_messages_and_fields_match_the_sdk():
    _, messages, _, _ = parse_proto(PROTO.read_text())
    sdk_messages = {name: cls for name, cls in inspect.getmembers(sdk, inspect.isclass)
                    if issubclass(cls, betterproto.Message) and cls.__module__ == sdk.__name__}
    assert set(messages) == set(sdk_messages), set(messages) ^ set(sdk_messages)
    for name, cls in sdk_messages.items():
        ours = messages[name]
        theirs = {f.name: betterproto.FieldMetadata.get(f) for f in dataclasses.fields(cls)}
        assert set(ours) == set(theirs), (name, set(ours) ^ set(theirs))
        for fname, meta in theirs.items():
            o = ours[fname]
            assert o["number"] == meta.number, (name, fname)
            assert o["optional"] == bool(meta.optional), (name, fname, "optional")
            assert o["group"] == meta.group, (name, fname, "oneof group")
            if meta.proto_type in SCALARS:
                assert o["type"] == SCALARS[meta.proto_type], (name, fname, o["type"], meta.proto_type)
            elif meta.proto_type == "map":
                assert o["type"].startswith("map<"), (name, fname)
            elif meta.proto_type == "enum":
                assert o["type"] in ("AccessDeniedReason", "FeatureType", "MeterType",
                                     "EntitlementResetPeriod", "UsageUpdateBehavior"), (name, fname)
            # repeated-ness: the SDK types repeated fields as List[...]
            is_list = str(cls.__annotations__.get(fname, "")).startswith(("List[", "typing.List["))
            assert (o["label"] == "repeated") == is_list, (name, fname, "repeated")


def test_enums_match_the_sdk():
    _, _, enums, _ = parse_proto(PROTO.read_text())
    for name, values in enums.items():
        theirs = {m.name: int(m.value) for m in getattr(sdk, name)}
        assert values == theirs, name


def test_rpcs_match_the_sdk_stub():
    package, _, _, rpcs = parse_proto(PROTO.read_text())
    assert package == "stigg.sidecar.v1"
    stub_src = inspect.getsource(sdk.SidecarServiceStub)
    paths = set(re.findall(r'"(/stigg\.sidecar\.v1\.SidecarService/\w+)"', stub_src))
    assert {f"/{package}.SidecarService/{name}" for name, _, _ in rpcs} == paths
    assert len(rpcs) == 12
    for name, req, resp in rpcs:
        expected_req = "ReportEventsRequest" if name == "ReportEvents" else f"{name}Request"
        expected_resp = "google.protobuf.Empty" if name == "ReportEvents" else f"{name}Response"
        assert (req, resp) == (expected_req, expected_resp), name
