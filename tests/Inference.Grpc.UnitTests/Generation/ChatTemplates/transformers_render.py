"""Reference renderer for the chat-template parity tests.

Renders each case with Jinja2 set up the way transformers' apply_chat_template sets it up (an
ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and the loopcontrols extension, its
{% generation %} tag, tojson as json.dumps without ASCII escaping, raise_exception and strftime_now).
strftime_now reads the fixed time the test gives, so both renderers see the same clock.

stdin:  {"now": "YYYY-MM-DDTHH:MM:SS", "cases": [{"template": str, "variables": {...}}]}
stdout: [{"text": str} | {"error": str, "raised": bool}] in the order of the cases
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment


class RaisedByTemplate(Exception):
    pass


class GenerationTag(Extension):
    """transformers' AssistantTracker: {% generation %} renders its body (the mask it also records is not needed here)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def main():
    request = json.load(sys.stdin)
    now = datetime.fromisoformat(request["now"])

    def raise_exception(message):
        raise RaisedByTemplate(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return now.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now

    results = []
    for case in request["cases"]:
        try:
            results.append({"text": env.from_string(case["template"]).render(**case["variables"])})
        except RaisedByTemplate as error:
            results.append({"error": str(error), "raised": True})
        except Exception as error:  # the template failed on this conversation: the test expects a failure too
            results.append({"error": f"{type(error).__name__}: {error}", "raised": False})
    json.dump(results, sys.stdout, ensure_ascii=False)


main()
