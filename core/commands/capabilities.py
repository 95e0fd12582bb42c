"""``python -m core capabilities PROVIDER MODEL`` / ``capabilities --schema-file FILE``:
print a model's capability JSON (API.md shape). A Replicate MODEL may be any ``owner/name`` or
``owner/name:version``: its schema is fetched with ``REPLICATE_API_TOKEN`` the first time and
kept; ``--refresh`` reads it again now."""
from __future__ import annotations

import argparse
import json

from core.errors import InvalidInput
from core.registry import capability_json, get_registry, load_capability_from_schema_file


def handle(args: argparse.Namespace) -> int:
    """Print the capability JSON; returns 0. Raises StoryreelError (the CLI prints it, exit 2)."""
    if args.schema_file:
        if args.provider or args.model:
            raise InvalidInput("give either PROVIDER MODEL or --schema-file, not both", field="schema_file")
        cap = load_capability_from_schema_file(args.schema_file)
    else:
        if not (args.provider and args.model):
            raise InvalidInput("give PROVIDER and MODEL, or --schema-file FILE", field="model")
        registry = get_registry()
        if args.refresh:
            cap = registry.refresh(provider=args.provider, model=args.model, operation=args.operation)
        else:
            cap = registry.get(provider=args.provider, model=args.model, operation=args.operation)
    print(json.dumps(capability_json(cap), indent=2, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``capabilities`` command."""
    parser = subparsers.add_parser("capabilities", help="print what a model accepts (capability JSON)")
    parser.add_argument("provider", nargs="?", help="provider name, e.g. google, replicate, local")
    parser.add_argument("model", nargs="?", help="model id, e.g. veo-3.1-generate-001, or any Replicate owner/name[:version]")
    parser.add_argument("--operation", default=None, help="operation when the model has several (e.g. extend)")
    parser.add_argument("--schema-file", default=None,
                        help="a Replicate openapi_schema, or a model JSON holding one, instead of a registered model")
    parser.add_argument("--refresh", action="store_true",
                        help="read the model's schema from its provider again now (Replicate, with its token)")
    parser.set_defaults(func=handle)
