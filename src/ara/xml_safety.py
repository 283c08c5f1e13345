"""The one safe XML parser of every certificate reader (RdSAP XML, full SAP XML, the register
transform): issue 16, "one of each concept".

Documents are parsed with ``defusedxml``: any entity declaration is refused (this stops both
external entities, XXE, and entity-expansion bombs, "billion laughs"), external references are
refused, and expat never fetches a DTD, so parsing touches neither the network nor the file
system. A document over the size limit is refused before parsing, and one nested deeper than
any certificate is refused before a reader walks it recursively.

Every refusal is an :class:`XmlRefusedError` whose ``reason`` says why in words; each reader
wraps it in its own error type (with the file or certificate it names), never a traceback.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml.ElementTree as DefusedET
from defusedxml.common import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

__all__ = ["MAX_DEPTH", "MAX_DOCUMENT_BYTES", "XmlRefusedError", "local_name", "parse_xml_safely"]

#: Documents above this size are refused (a lodged certificate is a few tens of kB).
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
#: Deepest element nesting accepted (certificates are under 15 deep).
MAX_DEPTH = 64


class XmlRefusedError(ValueError):
    """An XML document that was not parsed, and why.

    ``unsafe`` is True for a refusal on safety grounds (entities, external references, size,
    depth) and False for a document that is simply not well-formed or not decodable."""

    def __init__(self, reason: str, *, unsafe: bool) -> None:
        self.reason = reason
        self.unsafe = unsafe
        super().__init__(reason)


def local_name(tag: str) -> str:
    """``Wall`` from ``{namespace}Wall``, ``namespace}Wall`` or ``Wall``."""
    return tag.rsplit("}", 1)[-1]


def parse_xml_safely(data: bytes | str, *, max_bytes: int = MAX_DOCUMENT_BYTES,
                     max_depth: int = MAX_DEPTH) -> Element:
    """Parse one XML document safely (see the module docstring) and return its root, or
    raise :class:`XmlRefusedError`.

    Tags (and attribute names) in the returned tree may be in expat's ``namespace}local``
    form; read them with :func:`local_name`."""
    size = len(data)
    if size > max_bytes:
        raise XmlRefusedError(f"unsafe XML rejected: document of {size} bytes exceeds the "
                              f"{max_bytes}-byte limit", unsafe=True)
    try:
        builder = TreeBuilder()
        parser = DefusedET.DefusedXMLParser(target=builder, forbid_dtd=False,
                                            forbid_entities=True, forbid_external=True)
        _direct_callbacks(parser, builder)
        parser.feed(data)
        root: Element = parser.close()
    except EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            reason = (f"external entity {exc.name!r} ({exc.sysid or exc.pubid!r}) declared - "
                      "entity declarations are forbidden (XXE protection; nothing was read "
                      "from the file system or network)")
        else:
            reason = (f"entity {exc.name!r} declared - entity declarations are forbidden "
                      "(protection against entity expansion / 'billion laughs' bombs)")
        raise XmlRefusedError(f"unsafe XML rejected: {reason}", unsafe=True) from None
    except ExternalReferenceForbidden as exc:
        raise XmlRefusedError(f"unsafe XML rejected: external reference "
                              f"{exc.sysid or exc.pubid!r} is forbidden", unsafe=True) from None
    except DTDForbidden:  # pragma: no cover - forbid_dtd is False
        raise XmlRefusedError("unsafe XML rejected: DTD forbidden", unsafe=True) from None
    except DefusedXmlException as exc:
        raise XmlRefusedError(f"unsafe XML rejected: {exc}", unsafe=True) from None
    except ParseError as exc:
        raise XmlRefusedError(f"malformed XML: {exc}", unsafe=False) from None
    except (LookupError, UnicodeError, ValueError) as exc:  # e.g. an unknown encoding
        raise XmlRefusedError(f"unreadable XML: {exc}", unsafe=False) from None
    if _deeper_than(root, max_depth):
        raise XmlRefusedError(f"unsafe XML rejected: elements nested more than {max_depth} "
                              "deep", unsafe=True)
    return root


def _deeper_than(root: Element, max_depth: int) -> bool:
    """Whether the tree nests more than ``max_depth`` levels, measured without recursion."""
    depth, level = 1, [root]
    while depth <= max_depth:
        level = [child for element in level for child in element]
        if not level:
            return False
        depth += 1
    return True


def _direct_callbacks(parser: Any, builder: TreeBuilder) -> None:
    """Hand expat's element events straight to the (C) tree builder.

    ``defusedxml``'s parser is ElementTree's pure-Python ``XMLParser`` with guards added on the
    DTD handlers (entity declarations, external references); its element handlers are Python
    functions that only rename tags and reshape attributes. Pointing expat's start/end handlers
    at the builder's C methods leaves the guards in place and parses about 40 % faster. The
    tree's tags are then expat's ``namespace}local`` form (no leading brace), which
    :func:`local_name` reads as well. Any surprise in the parser's internals keeps the standard
    handlers.
    """
    expat = getattr(parser, "parser", None)
    if expat is None or not hasattr(expat, "StartElementHandler"):
        return
    try:
        expat.ordered_attributes = False
        expat.StartElementHandler = builder.start
        expat.EndElementHandler = builder.end
    except (AttributeError, TypeError):  # pragma: no cover - another Python's internals
        expat.ordered_attributes = True
        expat.StartElementHandler = parser._start
        expat.EndElementHandler = parser._end
