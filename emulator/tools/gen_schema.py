#!/usr/bin/env python3
"""Derive the emulator's GraphQL SDL from the *shapes* the official Python client expects.

This reads (never copies) the operation documents and the pydantic result/input models of the
PyPI package `stigg-api-client-v2` and writes the field names/types they use as SDL. Output is
`emulator/schema/generated.graphql`; hand-written additions live in `emulator/schema/extra.graphql`.

Usage: python3 emulator/tools/gen_schema.py /work/ref/py/stigg_api_client_v2-6.25.0-py3-none-any
"""
import enum
import importlib
import os
import re
import shutil
import sys
import typing
from datetime import datetime, date

from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode,
                     OperationDefinitionNode, VariableNode, parse)

ref = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "schema", "generated.graphql")
tmp = "/tmp/stigg_gen_pkg"
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp + "/gen")
gdir = os.path.join(ref, "stigg", "generated")
for f in os.listdir(gdir):
    if f.endswith(".py") and f not in ("__init__.py", "client.py", "async_client.py", "base_client.py", "async_base_client.py"):
        shutil.copy(os.path.join(gdir, f), tmp + "/gen/" + f)
open(tmp + "/gen/__init__.py", "w").close()
sys.path.insert(0, tmp)
inputs_mod = importlib.import_module("gen.input_types")
enums_mod = importlib.import_module("gen.enums")

client = open(os.path.join(gdir, "client.py")).read()
docs = []
for m in re.finditer(r'gql\(\s*((?:"""[\s\S]*?"""\s*)+)\)', client):
    text = "".join(re.findall(r'"""([\s\S]*?)"""', m.group(1)))
    docs.append(text)

# (parent type, field) -> child type name, learned from the __typename literals of the Node
# client's generated operation result types (@stigg/api-client-js sdk.d.ts), when available.
child_names = {}


def learn_dts(path):
    text = open(path).read()
    # tokenise object literal types and track the __typename of each level
    tok = re.compile(r"(\w+)\??:\s*(?:Array<)?\{|__typename\?:\s*'(\w+)'|\{|\}")
    stack = []  # entries: [field_name, typename]
    for m in tok.finditer(text):
        if m.group(1):
            stack.append([m.group(1), None])
        elif m.group(2):
            if stack:
                stack[-1][1] = m.group(2)
                if len(stack) >= 2 and stack[-2][1]:
                    child_names.setdefault((stack[-2][1], stack[-1][0]), m.group(2))
        elif m.group(0) == "{":
            stack.append([None, None])
        else:
            if stack:
                stack.pop()


dts = os.environ.get("STIGG_DTS", "/work/ref/apijs/package/src/generated/sdk.d.ts")
if os.path.exists(dts):
    learn_dts(dts)
# Names the official documents never reveal (no __typename selected, no fragment): our choice.
MANUAL_NAMES = {
    ("EntitlementFeature", "unitTransformation"): "UnitTransformation",
    ("Entitlement", "creditRate"): "CreditRate",
    ("FeatureEntitlement", "creditRate"): "CreditRate",
    ("CreditEntitlement", "currency"): "CreditEntitlementCurrency",
    ("UsageMeasurementWithCurrentUsage", "credit"): "UsageMeasurementCredit",
    ("CreditConsumptionResponse", "credit"): "CreditConsumptionCredit",
    ("CreditCostEstimation", "estimates"): "CreditCostEstimate",
    ("CreditCostEstimate", "breakdown"): "CreditCostBreakdown",
    ("CheckoutBillingIntegration", "billingCredentials"): "BillingCredentials",
}
child_names.update(MANUAL_NAMES)
# Arguments the documents pass as literals (types from the API's input list).
LITERAL_ARGS = {
    ("Query", "coupons", "filter"): "CouponFilter",
    ("Query", "coupons", "paging"): "CursorPaging",
    ("Query", "products", "paging"): "CursorPaging",
}
add_input_later = set()

types = {}      # name -> {"kind": OBJECT|UNION|INTERFACE, "fields": {name: (type, args)}, "members": set}
input_names = set()
enum_names = set()
unknown = []

DATE_HINT = re.compile(r"(At|Date|Start|End|Anchor|timestamp|Until|DateTime)$")


def any_scalar(name):
    if name in ("after", "before", "cursor", "startCursor", "endCursor"):
        return "ConnectionCursor"
    if DATE_HINT.search(name):
        return "DateTime"
    return "JSON"


def ensure(name, kind="OBJECT"):
    t = types.setdefault(name, {"kind": kind, "fields": {}, "members": set()})
    if kind != "OBJECT" and t["kind"] == "OBJECT" and not t["fields"]:
        t["kind"] = kind
    return t


def strip_optional(ann):
    origin = typing.get_origin(ann)
    if origin is typing.Union:
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) < len(typing.get_args(ann)):
            if len(args) == 1:
                return args[0], True
            return typing.Union[tuple(args)], True
    return ann, False


def resolve_fwd(ann, module):
    if isinstance(ann, typing.ForwardRef):
        ann = ann.__forward_arg__
    if isinstance(ann, str):
        return getattr(module, ann)
    return ann


def typename_literal(cls):
    f = cls.model_fields.get("typename__")
    if f is None:
        return None
    if typing.get_origin(f.annotation) is typing.Literal:
        return typing.get_args(f.annotation)[0]
    return None


def field_by_alias(cls, key):
    for pname, f in cls.model_fields.items():
        if (f.alias or pname) == key:
            for k in cls.__mro__:
                if pname in getattr(k, "__annotations__", {}):
                    return f, sys.modules[k.__module__]
            return f, sys.modules[cls.__module__]
    return None, None


def collect(selset, tname, abstract, frags):
    """Flatten the selections applying to concrete type `tname` (or abstract type names)."""
    outl = []
    for sel in selset.selections:
        if isinstance(sel, FieldNode):
            outl.append(sel)
        elif isinstance(sel, FragmentSpreadNode):
            fd = frags[sel.name.value]
            tc = fd.type_condition.name.value
            if tc == tname or tc in abstract or tname is None:
                outl += collect(fd.selection_set, tname, abstract, frags)
        elif isinstance(sel, InlineFragmentNode):
            tc = sel.type_condition.name.value if sel.type_condition else tname
            if tc == tname or tc in abstract or tname is None:
                outl += collect(sel.selection_set, tname, abstract, frags)
    return outl


def type_conditions(selset, frags, acc):
    for sel in selset.selections:
        if isinstance(sel, FragmentSpreadNode):
            fd = frags[sel.name.value]
            acc.append(fd.type_condition.name.value)
            type_conditions(fd.selection_set, frags, acc)
        elif isinstance(sel, InlineFragmentNode) and sel.type_condition:
            acc.append(sel.type_condition.name.value)
            type_conditions(sel.selection_set, frags, acc)
    return acc


def out_type(ann, module, node, parent, frags, vars_):
    ann = resolve_fwd(ann, module)
    ann, nullable = strip_optional(ann)
    ann = resolve_fwd(ann, module)
    bang = "" if nullable else "!"
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return out_type(typing.get_args(ann)[0], module, node, parent, frags, vars_) if nullable is False else \
            out_type(typing.Optional[typing.get_args(ann)[0]], module, node, parent, frags, vars_)
    if origin in (list, typing.List):
        inner = out_type(typing.get_args(ann)[0], module, node, parent, frags, vars_)
        return "[" + inner + "]" + bang
    if origin is typing.Union:
        members = [resolve_fwd(a, module) for a in typing.get_args(ann)]
        members = [typing.get_args(m)[0] if typing.get_origin(m) is typing.Annotated else m for m in members]
        lits = [typename_literal(m) for m in members]
        conds = type_conditions(node.selection_set, frags, [])
        abstract = [c for c in conds if c not in lits]
        aname = abstract[0] if abstract else "UNION_%s_%s" % (parent, node.name.value)
        if not abstract and (parent, node.name.value) in child_names:
            aname = child_names[(parent, node.name.value)]
        elif not abstract:
            unknown.append(aname)
        t = ensure(aname, "UNION")
        direct = [s for s in collect(node.selection_set, aname, set(), frags) if s.name.value != "__typename"]
        if direct:
            t["kind"] = "INTERFACE"
        for m, lit in zip(members, lits):
            t["members"].add(lit)
            ensure(lit)
            walk(m, collect(node.selection_set, lit, {aname}, frags), lit, frags, vars_)
        return aname + bang
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        enum_names.add(ann.__name__)
        return ann.__name__ + bang
    if ann is str:
        return "String" + bang
    if ann is int:
        return "Int" + bang
    if ann is float:
        return "Float" + bang
    if ann is bool:
        return "Boolean" + bang
    if ann in (datetime, date):
        return "DateTime" + bang
    if ann is typing.Any:
        return any_scalar(node.name.value) + bang
    if isinstance(ann, type) and hasattr(ann, "model_fields"):
        lit = typename_literal(ann)
        if lit is None:
            conds = type_conditions(node.selection_set, frags, [])
            lit = conds[0] if conds else None
        if lit is None:
            lit = child_names.get((parent, node.name.value))
        if lit is None and parent in types:
            prev = types[parent]["fields"].get(node.name.value)
            if prev and "OBJ_" not in prev[0]:
                lit = base(prev[0])
        if lit is None:
            f0 = node.name.value
            lit = parent + f0[0].upper() + f0[1:]
            if not parent.startswith("Query") and not parent.startswith("Mutation"):
                pass
            lit = "OBJ_" + lit
            unknown.append(lit)
        ensure(lit)
        walk(ann, collect(node.selection_set, lit, set(), frags), lit, frags, vars_)
        return lit + bang
    raise Exception("unhandled annotation %r at %s.%s" % (ann, parent, node.name.value))


def walk(cls, fields, tname, frags, vars_):
    t = ensure(tname)
    module = sys.modules[cls.__module__]
    for fn in fields:
        name = fn.name.value
        if name == "__typename":
            continue
        key = fn.alias.value if fn.alias else name
        f, module = field_by_alias(cls, key)
        if f is None:
            raise Exception("no model field %s on %s" % (key, cls))
        ty = out_type(f.annotation, module, fn, tname, frags, vars_)
        args = []
        for a in fn.arguments:
            if isinstance(a.value, VariableNode):
                args.append((a.name.value, vars_[a.value.name.value]))
            else:
                lt = LITERAL_ARGS[(tname, name, a.name.value)]
                add_input_later.add(base(lt))
                args.append((a.name.value, lt))
        old = t["fields"].get(name)
        if old and old[1] and not args:
            args = old[1]
        if old and old[0] != ty:
            # prefer the nullable variant when two documents disagree
            if old[0].rstrip("!") == ty.rstrip("!"):
                ty = ty.rstrip("!")
            elif "OBJ_" in ty and "OBJ_" not in old[0]:
                ty = old[0]
            elif "OBJ_" in old[0] and "OBJ_" not in ty:
                pass
            else:
                print("conflict %s.%s: %s vs %s" % (tname, name, old[0], ty), file=sys.stderr)
        t["fields"][name] = (ty, args)


def type_str(tn):
    from graphql import NonNullTypeNode, ListTypeNode
    if isinstance(tn, NonNullTypeNode):
        return type_str(tn.type) + "!"
    if isinstance(tn, ListTypeNode):
        return "[" + type_str(tn.type) + "]"
    return tn.name.value


def base(t):
    return t.replace("[", "").replace("]", "").replace("!", "")


def run_pass():
  global ops
  ops = []
  for text in docs:
    d = parse(text)
    frags = {x.name.value: x for x in d.definitions if isinstance(x, FragmentDefinitionNode)}
    op = [x for x in d.definitions if isinstance(x, OperationDefinitionNode)][0]
    name = op.name.value
    ops.append(name)
    vars_ = {v.variable.name.value: type_str(v.type) for v in op.variable_definitions}
    for v in vars_.values():
        input_names.add(base(v))
    modname = re.sub(r"(?<!^)(?=[A-Z0-9])", "_", name).lower()
    try:
        mod = importlib.import_module("gen." + modname)
    except ModuleNotFoundError:
        mod = None
        for f in os.listdir(tmp + "/gen"):
            if ("class %s(" % name) in open(tmp + "/gen/" + f).read():
                mod = importlib.import_module("gen." + f[:-3])
    cls = getattr(mod, name)
    root = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}[op.operation.value]
    walk(cls, collect(op.selection_set, root, set(), frags), root, frags, vars_)


run_pass()
for tname, t in types.items():
    for fname, (ty, _a) in t["fields"].items():
        b = base(ty)
        if b in types and not b.startswith("OBJ_") and not b.startswith("UNION_"):
            child_names.setdefault((tname, fname), b)
types.clear()
unknown.clear()
run_pass()
# rename the remaining placeholders to plain names
ren = {}
for n in list(types):
    if n.startswith("OBJ_"):
        ren[n] = re.sub(r"OBJ_", "", n)
        ren[n] = re.sub(r"_(\w)", lambda m: m.group(1).upper(), ren[n])
for old, new in ren.items():
    types[new] = types.pop(old)
for t in types.values():
    for fname, (ty, a) in list(t["fields"].items()):
        b = base(ty)
        if b in ren:
            t["fields"][fname] = (ty.replace(b, ren[b]), a)

# ---- inputs -----------------------------------------------------------------------------------
inputs = {}
SCALARS = {"String", "Int", "Float", "Boolean", "ID", "JSON", "DateTime", "ConnectionCursor", "UUID"}


def in_type(ann, fname):
    ann = resolve_fwd(ann, inputs_mod)
    ann, nullable = strip_optional(ann)
    ann = resolve_fwd(ann, inputs_mod)
    bang = "" if nullable else "!"
    origin = typing.get_origin(ann)
    if origin in (list, typing.List):
        return "[" + in_type(typing.get_args(ann)[0], fname) + "]" + bang
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        enum_names.add(ann.__name__)
        return ann.__name__ + bang
    for py, g in ((str, "String"), (int, "Int"), (float, "Float"), (bool, "Boolean")):
        if ann is py:
            return g + bang
    if ann is typing.Any:
        return any_scalar(fname) + bang
    if isinstance(ann, type) and hasattr(ann, "model_fields"):
        add_input(ann.__name__)
        return ann.__name__ + bang
    if typing.get_origin(ann) is typing.Union:
        return "JSON" + bang
    raise Exception("input annotation %r" % (ann,))


def add_input(name):
    if name in inputs or name in SCALARS:
        return
    if hasattr(enums_mod, name):
        enum_names.add(name)
        return
    cls = getattr(inputs_mod, name)
    inputs[name] = {}
    for pname, f in cls.model_fields.items():
        gname = f.alias or pname
        inputs[name][gname] = in_type(f.annotation, gname)


for n in sorted(input_names):
    add_input(n)
# literal-argument types we know from the API docs (the documents pass these inline)
for n in sorted(add_input_later | {"ProductFilter"}):
    if hasattr(inputs_mod, n):
        add_input(n)

lines = ["# GENERATED by emulator/tools/gen_schema.py from the shapes used by stigg-api-client-v2.",
         "# Do not edit by hand: put additions in extra.graphql.", ""]
for s in ("JSON", "DateTime", "ConnectionCursor", "UUID"):
    lines.append("scalar %s" % s)
lines.append("")
for name in sorted(enum_names):
    e = getattr(enums_mod, name)
    lines.append("enum %s {" % name)
    for m in e:
        lines.append("  %s" % m.value)
    lines.append("}\n")
for name in sorted(inputs):
    lines.append("input %s {" % name)
    for f, t in sorted(inputs[name].items()):
        lines.append("  %s: %s" % (f, t))
    lines.append("}\n")
for name in sorted(types):
    t = types[name]
    if t["kind"] == "UNION" and t["members"]:
        lines.append("union %s = %s\n" % (name, " | ".join(sorted(t["members"]))))
        continue
    impl = ""
    if t["kind"] == "INTERFACE":
        lines.append("interface %s {" % name)
    else:
        ifaces = [n for n, u in types.items() if u["kind"] == "INTERFACE" and name in u["members"]]
        if ifaces:
            impl = " implements " + " & ".join(sorted(ifaces))
        lines.append("type %s%s {" % (name, impl))
    if not t["fields"]:
        lines.append("  \"Only __typename is selected by the official documents.\"\n  _unused: Boolean")
    for f, (ty, args) in sorted(t["fields"].items()):
        a = ""
        if args:
            a = "(" + ", ".join("%s: %s" % (an, at) for an, at in args) + ")"
        lines.append("  %s%s: %s" % (f, a, ty))
    lines.append("}\n")
os.makedirs(os.path.dirname(out), exist_ok=True)
open(out, "w").write("\n".join(lines))
print("ops:", len(ops), "types:", len(types), "inputs:", len(inputs), "enums:", len(enum_names), file=sys.stderr)
print("unknown names:", sorted(set(unknown)), file=sys.stderr)
