#!/usr/bin/env python3
"""Validate every official operation document against the emulator SDL (graphql-core).

Also writes the de-duplicated documents to a directory (argument 3) for the Rust test corpus.
Usage: validate_docs.py <python-client-dir> <node-docs.json> [out-dir]
"""
import json
import os
import re
import sys

from graphql import build_schema, parse, validate, print_ast, FragmentDefinitionNode, OperationDefinitionNode
from graphql.language import DocumentNode

here = os.path.dirname(os.path.abspath(__file__))
sdl = open(os.path.join(here, "../schema/generated.graphql")).read() + "\n" + open(os.path.join(here, "../schema/extra.graphql")).read()
schema = build_schema(sdl)

docs = {}
client = open(os.path.join(sys.argv[1], "stigg/generated/client.py")).read()
for m in re.finditer(r'gql\(\s*((?:"""[\s\S]*?"""\s*)+)\)', client):
    text = "".join(re.findall(r'"""([\s\S]*?)"""', m.group(1)))
    name = re.search(r"(query|mutation|subscription)\s+(\w+)", text).group(2)
    docs["py_" + name] = text
if len(sys.argv) > 2:
    for name, text in json.load(open(sys.argv[2])).items():
        docs["node_" + name] = text

bad = 0
outdir = sys.argv[3] if len(sys.argv) > 3 else None
for key, text in sorted(docs.items()):
    d = parse(text)
    seen = set()
    defs = []
    for x in d.definitions:
        if isinstance(x, FragmentDefinitionNode):
            if x.name.value in seen:
                continue
            seen.add(x.name.value)
        defs.append(x)
    d = DocumentNode(definitions=tuple(defs))
    errs = validate(schema, d)
    if errs:
        bad += 1
        print(key, [e.message for e in errs][:6])
    if outdir:
        os.makedirs(outdir, exist_ok=True)
        open(os.path.join(outdir, key + ".graphql"), "w").write(print_ast(d) + "\n")
print("documents:", len(docs), "invalid:", bad)
