"""Streaming over the features of a GML 3.2 FeatureCollection (PRG boundaries and address points).

PRG files run to gigabytes, so features are read one at a time with lxml's iterparse and
cleared once handled. A feature is a child of gml:featureMember, gml:featureMembers (PRG 2012
puts every feature in one featureMembers) or wfs:member. A file that is not well-formed XML
is refused with the line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from msip.core.errors import SourceReadError
from pipelines.readers.sniff import refuse_unusable_file, xml_syntax_error

GML = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
_MEMBERS = {"featureMember", "featureMembers", "member"}
_MEMBER_ENDINGS = tuple(f"}}{m}" for m in _MEMBERS)


def iter_features(path: Path, expected: str) -> Iterator[tuple[etree._Element, dict[str, str]]]:
    """Yield (feature element, the root's namespace map) for each feature of `path`, in file order.

    The element is complete when yielded and cleared afterwards (do not keep it). `expected`
    names the file kind in refusals (e.g. "PRG address GML").
    """
    if not path.is_file():
        raise SourceReadError(f"{path}: no such file; give the path of {expected}")
    refuse_unusable_file(path, expected)
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        raise SourceReadError(f"{path.name} is not XML (it starts with {head[:20]!r}); give {expected}")
    root: etree._Element | None = None
    nsmap: dict[str, str] = {}
    try:
        for _, elem in etree.iterparse(
            str(path), events=("end",), huge_tree=True, resolve_entities=False, no_network=True
        ):
            parent = elem.getparent()
            if parent is None or not isinstance(elem.tag, str) or not parent.tag.endswith(_MEMBER_ENDINGS):
                continue
            if etree.QName(parent).localname not in _MEMBERS:
                continue
            if root is None:
                root = elem.getroottree().getroot()
                nsmap = {k or "": v for k, v in root.nsmap.items()}
            yield elem, nsmap
            elem.clear()
            while elem.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise xml_syntax_error(path, exc) from None


def child_text(elem: etree._Element, *names: str) -> str | None:
    """Stripped text of the first direct child with one of the local `names` (None when empty or nil)."""
    for child in elem:
        if isinstance(child.tag, str) and etree.QName(child).localname in names:
            text = (child.text or "").strip()
            if text:
                return text
    return None


def href_id(child: etree._Element) -> str | None:
    """The gml:id an xlink:href points to: '#id' → 'id', 'http://…/dane/id' → 'id'."""
    href = (child.get(f"{{{XLINK}}}href") or "").strip()
    if not href:
        return None
    return href[1:] if href.startswith("#") else href.rsplit("/", 1)[-1]
