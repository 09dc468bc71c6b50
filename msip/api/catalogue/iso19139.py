"""ISO 19139 metadata of a dataset following the INSPIRE metadata technical guidelines 2.0.

The elements the TG asks of a dataset: resource title/abstract/type/locator, unique identifier
(an anchor to the record URL), topic category, INSPIRE theme keyword (GEMET - INSPIRE themes),
geographic bounding box and temporal extent from the data, a creation/revision date, lineage
(the runs: file names, checksums, dates, counts), spatial resolution (rasters), conformity
(not evaluated: MSIP's models are not the INSPIRE data specifications, so `pass` is nil),
conditions for access and use (the licence) and public access, responsible party, and the
metadata point of contact, date and language. Records validate against apiso.xsd (ISO/TS 19139:2007).
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from msip.api.catalogue.datasets import Dataset, slug
from msip.api.catalogue.records import metadata_url
from msip.api.catalogue.themes import GEMET_INSPIRE_THEMES, THEME_LABELS, Publisher, theme_uri
from msip.api.downloads.formats import download_url, formats_for

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
SCHEMA_LOCATION = "http://www.isotc211.org/2005/gmd http://schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
REG_1089 = "http://data.europa.eu/eli/reg/2010/1089"
PUBLIC_ACCESS = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations"


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(tag), {(_q(k.replace("__", ":")) if "__" in k else k): v
                                            for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _text(parent: etree._Element, tag: str, value: str) -> None:
    _el(_el(parent, tag), "gco:CharacterString", value)


def _anchor(parent: etree._Element, tag: str, href: str, value: str) -> None:
    _el(_el(parent, tag), "gmx:Anchor", value, xlink__href=href)


def _code(parent: etree._Element, tag: str, codelist: str, value: str) -> None:
    _el(_el(parent, tag), f"gmd:{codelist}", value, codeList=f"{CODELISTS}#{codelist}", codeListValue=value)


def _date(parent: etree._Element, when: str, kind: str) -> None:
    ci = _el(_el(parent, "gmd:date"), "gmd:CI_Date")
    _el(_el(ci, "gmd:date"), "gco:Date", when)
    _code(ci, "gmd:dateType", "CI_DateTypeCode", kind)


def _party(parent: etree._Element, tag: str, pub: Publisher, role: str) -> None:
    rp = _el(_el(parent, tag), "gmd:CI_ResponsibleParty")
    _text(rp, "gmd:organisationName", pub.name)
    contact = _el(_el(rp, "gmd:contactInfo"), "gmd:CI_Contact")
    _text(_el(_el(contact, "gmd:address"), "gmd:CI_Address"), "gmd:electronicMailAddress", pub.email)
    _el(_el(_el(contact, "gmd:onlineResource"), "gmd:CI_OnlineResource"), "gmd:linkage").append(
        _url(pub.url))
    _code(rp, "gmd:role", "CI_RoleCode", role)


def _url(href: str) -> etree._Element:
    el = etree.Element(_q("gmd:URL"))
    el.text = href
    return el


def _lineage_statement(ds: Dataset) -> str:
    if not ds.lineage:
        return ("Dane wytworzone w MSIP; brak zapisanych wczytań. / Produced in MSIP; no recorded load runs.")
    parts = [f"run {r['run_id']} ({r['source_kind']}): {r['source_file']}, SHA-256 {r['source_sha256']}, "
             f"{r['finished_at']:%Y-%m-%d}" if r.get("finished_at") else f"run {r['run_id']}: {r['source_file']}"
             for r in ds.lineage]
    counts = [f"{r['rows_in']} in = {r['rows_loaded']} loaded + {r['rows_rejected']} rejected"
              for r in ds.lineage]
    return ("Wczytane i zwalidowane przez MSIP (przeliczone do EPSG:2180, odrzucone wiersze w kwarantannie). "
            "Loaded and validated by MSIP (reprojected to EPSG:2180, refused rows quarantined): "
            + "; ".join(f"{p} — {c}" for p, c in zip(parts, counts, strict=True)) + ".")


def iso_record(ds: Dataset, base_url: str, pub: Publisher, *, stamp: datetime | None = None) -> bytes:
    """The ISO 19139 (INSPIRE TG 2.0) XML of dataset `ds`, UTF-8 bytes."""
    root = etree.Element(_q("gmd:MD_Metadata"), nsmap=NS)
    root.set(_q("xsi:schemaLocation"), SCHEMA_LOCATION)
    record_url = metadata_url(base_url, ds.id)
    _text(root, "gmd:fileIdentifier", f"msip-{ds.id}")
    _el(_el(root, "gmd:language"), "gmd:LanguageCode", "polski", codeList="http://www.loc.gov/standards/iso639-2/",
        codeListValue="pol")
    _code(root, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", "dataset")
    _party(root, "gmd:contact", pub, "pointOfContact")
    stamp = stamp or ds.updated or datetime.now(UTC)
    _el(_el(root, "gmd:dateStamp"), "gco:Date", f"{stamp:%Y-%m-%d}")
    _text(root, "gmd:metadataStandardName", "ISO 19115:2003/19139:2007 (INSPIRE TG Metadata 2.0)")
    _text(root, "gmd:metadataStandardVersion", "2.0")
    rs = _el(_el(_el(root, "gmd:referenceSystemInfo"), "gmd:MD_ReferenceSystem"), "gmd:referenceSystemIdentifier")
    _anchor(_el(rs, "gmd:RS_Identifier"), "gmd:code", "http://www.opengis.net/def/crs/EPSG/0/2180", "EPSG:2180")

    ident = _el(_el(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification")
    cit = _el(_el(ident, "gmd:citation"), "gmd:CI_Citation")
    _text(cit, "gmd:title", f"{ds.title['pl']} / {ds.title['en']}")
    _date(cit, f"{stamp:%Y-%m-%d}", "revision")
    _anchor(_el(_el(cit, "gmd:identifier"), "gmd:MD_Identifier"), "gmd:code", record_url, f"msip:{ds.id}")
    _text(ident, "gmd:abstract", f"{ds.abstract['pl']}\n\n{ds.abstract['en']}")
    _party(ident, "gmd:pointOfContact", pub, "owner")
    if ds.theme:
        kw = _el(_el(ident, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
        _anchor(kw, "gmd:keyword", theme_uri(ds.theme), THEME_LABELS[ds.theme][0])
        th = _el(_el(kw, "gmd:thesaurusName"), "gmd:CI_Citation")
        _anchor(th, "gmd:title", GEMET_INSPIRE_THEMES, "GEMET - INSPIRE themes, version 1.0")
        _date(th, "2008-06-01", "publication")
    if ds.keywords:
        kw = _el(_el(ident, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
        for word in ds.keywords:
            _text(kw, "gmd:keyword", word)
    use = _el(_el(ident, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(use, "gmd:useConstraints", "MD_RestrictionCode", "otherRestrictions")
    _anchor(use, "gmd:otherConstraints", pub.licence_url, f"Licencja / licence: {pub.licence_name}")
    access = _el(_el(ident, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(access, "gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions")
    _anchor(access, "gmd:otherConstraints", PUBLIC_ACCESS, "No limitations to public access")
    _code(ident, "gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode",
          "vector" if ds.kind in ("features", "zoning-plan", "point-cloud-epoch") else "grid")
    if ds.resolution_m:
        res = _el(_el(ident, "gmd:spatialResolution"), "gmd:MD_Resolution")
        _el(_el(res, "gmd:distance"), "gco:Distance", f"{ds.resolution_m:g}", uom="m")
    _el(_el(ident, "gmd:language"), "gmd:LanguageCode", "polski", codeList="http://www.loc.gov/standards/iso639-2/",
        codeListValue="pol")
    _el(_el(ident, "gmd:topicCategory"), "gmd:MD_TopicCategoryCode", ds.topic)
    ext = _el(_el(ident, "gmd:extent"), "gmd:EX_Extent")
    if ds.bbox:
        box = _el(_el(ext, "gmd:geographicElement"), "gmd:EX_GeographicBoundingBox")
        for tag, value in zip(("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude",
                               "northBoundLatitude"), (ds.bbox[0], ds.bbox[2], ds.bbox[1], ds.bbox[3]), strict=True):
            _el(_el(box, f"gmd:{tag}"), "gco:Decimal", f"{value:.7f}")
    if ds.begin or ds.end:
        period = _el(_el(_el(_el(ext, "gmd:temporalElement"), "gmd:EX_TemporalExtent"), "gmd:extent"),
                     "gml:TimePeriod", gml__id=f"tp-{slug(ds.id)}")
        for tag, when in (("gml:beginPosition", ds.begin or ds.end), ("gml:endPosition", ds.end or ds.begin)):
            assert when is not None
            _el(period, tag, when.astimezone(UTC).isoformat())

    dist = _el(_el(root, "gmd:distributionInfo"), "gmd:MD_Distribution")
    for fmt in (*formats_for(ds.kind), *(f for _, f in ds.files)) or (None,):
        mf = _el(_el(dist, "gmd:distributionFormat"), "gmd:MD_Format")
        name = fmt.media_type.split(";")[0] if fmt else "application/geo+json"
        _anchor(mf, "gmd:name", (fmt.spec_url if fmt else None) or f"https://www.iana.org/assignments/media-types/{name}",
                name)
        _el(mf, "gmd:version", **{_q("gco:nilReason"): "unknown"})
    online = [(f"{base_url.rstrip('/')}/collections/{ds.collection}", "OGC API", "download")] if ds.collection else []
    online += [(download_url(base_url, ds.id, f.ext), f.title, "download") for f in formats_for(ds.kind)]
    online += [(f"{base_url.rstrip('/')}/{path}", f.title, "download") for path, f in ds.files]
    for href, title, service in online:
        res_el = _el(_el(_el(_el(dist, "gmd:transferOptions"), "gmd:MD_DigitalTransferOptions"), "gmd:onLine"),
                     "gmd:CI_OnlineResource")
        _el(res_el, "gmd:linkage").append(_url(href))
        _text(res_el, "gmd:name", title)
        _code(res_el, "gmd:function", "CI_OnLineFunctionCode", service)

    dq = _el(_el(root, "gmd:dataQualityInfo"), "gmd:DQ_DataQuality")
    _code(_el(_el(dq, "gmd:scope"), "gmd:DQ_Scope"), "gmd:level", "MD_ScopeCode", "dataset")
    result = _el(_el(_el(_el(dq, "gmd:report"), "gmd:DQ_DomainConsistency"), "gmd:result"), "gmd:DQ_ConformanceResult")
    spec = _el(_el(result, "gmd:specification"), "gmd:CI_Citation")
    _anchor(spec, "gmd:title", REG_1089, "Commission Regulation (EU) No 1089/2010 of 23 November 2010 implementing "
            "Directive 2007/2/EC as regards interoperability of spatial data sets and services")
    _date(spec, "2010-12-08", "publication")
    _text(result, "gmd:explanation", "Nie oceniono / not evaluated: MSIP's data models are not the INSPIRE data "
          "specifications")
    _el(result, "gmd:pass", **{_q("gco:nilReason"): "unknown"})
    _text(_el(_el(dq, "gmd:lineage"), "gmd:LI_Lineage"), "gmd:statement", _lineage_statement(ds))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
