"""Loading JSON and JSON-lines input with errors that name the file and line."""

from __future__ import annotations

import json
from typing import Any

from workbench.importers.base import ImportFormatError, decode_text

# what a JSON document nested past Python's recursion limit is called (a hostile file:
# 100,000 brackets); one line instead of a RecursionError traceback
NESTED = "nested too deeply to be a document the workbench reads"


def load_json(data: bytes, source: str) -> Any:
    """Parse a JSON document, or JSON lines (one document per line) as a list.

    Examples
    --------
    >>> load_json(b'{"a": 1}', "x")
    {'a': 1}
    >>> load_json(b'{"a": 1}\\n{"a": 2}\\n', "x")
    [{'a': 1}, {'a': 2}]
    """
    text = decode_text(data)
    if not text.strip():
        raise ImportFormatError(source, "the file is empty")
    try:
        return json.loads(text)
    except RecursionError:
        raise ImportFormatError(source, f"not valid JSON ({NESTED})") from None
    except json.JSONDecodeError as whole:
        lines = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1) if ln.strip()]
        if len(lines) < 2 or not lines[0][1].lstrip().startswith(("{", "[")):
            raise ImportFormatError(
                source, f"not valid JSON ({whole.msg}, column {whole.colno})", line=whole.lineno
            ) from None
        docs = []
        for i, ln in lines:
            try:
                docs.append(json.loads(ln))
            except RecursionError:
                raise ImportFormatError(source, f"not valid JSON ({NESTED})", line=i) from None
            except json.JSONDecodeError as exc:
                if len(docs) == 0:  # not JSON lines after all: report the document error
                    raise ImportFormatError(
                        source,
                        f"not valid JSON ({whole.msg}, column {whole.colno})",
                        line=whole.lineno,
                    ) from None
                raise ImportFormatError(
                    source, f"not valid JSON ({exc.msg}, column {exc.colno})", line=i
                ) from None
        return docs
