"""Writes the APP GML fixtures of this folder (run once; the outputs are committed).

Geometry is laid out on a grid in EPSG:2180 inside the sample district of Kielce
(E 614000–614400, N 334600–335000) and written in EPSG:2178 northing-first, as APP files are.
"""

from __future__ import annotations

from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent
APP2 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
NS = "PL.ZIPPZP.9999/266101-POG"
SRS = "http://www.opengis.net/def/crs/EPSG/0/2178"
ACT = f"https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/{NS}/1POG"
CODES = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist"
KPT = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-"
TO_2178 = Transformer.from_crs(2180, 2178, always_xy=True)

HEAD = f"""<?xml version='1.0' encoding='utf-8'?>
<wfs:FeatureCollection xmlns:app="{APP2}" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" timeStamp="2025-01-01T00:00:00Z" numberReturned="{{n}}" numberMatched="unknown">
"""
TAIL = "</wfs:FeatureCollection>\n"


def pos_list(points: list[tuple[float, float]]) -> str:
    """EPSG:2180 (E, N) points → '<N E> …' in EPSG:2178, 2 decimals, closed."""
    ring = [*points, points[0]]
    out = []
    for e, n in ring:
        x, y = TO_2178.transform(e, n)
        out.append(f"{y:.2f} {x:.2f}")
    return " ".join(out)


def polygon(gid: str, points: list[tuple[float, float]], srs: str = SRS) -> str:
    return (
        f'<gml:Polygon gml:id="{gid}" srsName="{srs}" srsDimension="2"><gml:exterior><gml:LinearRing>'
        f"<gml:posList>{pos_list(points)}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
    )


def rect(e0: float, n0: float, e1: float, n1: float) -> list[tuple[float, float]]:
    return [(e0, n0), (e1, n0), (e1, n1), (e0, n1)]


def iip(local: str, version: str, ns: str = NS) -> str:
    return (
        f"<app:idIIP><app:Identyfikator><app:przestrzenNazw>{ns}</app:przestrzenNazw>"
        f"<app:lokalnyId>{local}</app:lokalnyId><app:wersjaId>{version}</app:wersjaId>"
        "</app:Identyfikator></app:idIIP>"
    )


def gid(local: str, version: str) -> str:
    return f"PL.ZIPPZP.9999_266101-POG_{local}_{version}"


def act(version: str = "20250101T000000") -> str:
    # The zones' corners on the boundary are vertices of the extent too, so shared edges match exactly.
    outline = [
        (614000, 334600),
        (614200, 334600),
        (614400, 334600),
        (614400, 334800),
        (614400, 335000),
        (614200, 335000),
        (614000, 335000),
    ]
    plan = polygon(f"{gid('1POG', version)}-G1", outline)
    return f"""  <wfs:member>
    <app:AktPlanowaniaPrzestrzennego gml:id="{gid("1POG", version)}">
      {iip("1POG", version)}
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:tytul>Plan ogólny miasta Kielce (fixture)</app:tytul>
      <app:typPlanu xlink:href="{CODES}/TypAktuPlanowaniaPrzestrzennegoKod/planOgolnyGminy" xlink:title="plan ogólny gminy"/>
      <app:poziomHierarchii xlink:href="http://inspire.ec.europa.eu/codelist/LevelOfSpatialPlanValue/local" xlink:title="lokalny"/>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:modyfikacja>false</app:modyfikacja>
      <app:zasiegPrzestrzenny><gml:MultiSurface gml:id="{gid("1POG", version)}-G" srsName="{SRS}" srsDimension="2"><gml:surfaceMember>{plan}</gml:surfaceMember></gml:MultiSurface></app:zasiegPrzestrzenny>
      <app:dokument xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/DokumentFormalny/{NS}/UCHWALA-1"/>
      <app:rysunek xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/RysunekAktuPlanowaniaPrzestrzennego/{NS}/RYS-1"/>
    </app:AktPlanowaniaPrzestrzennego>
  </wfs:member>
"""


def document() -> str:
    v = "20250101T000000"
    return f"""  <wfs:member>
    <app:DokumentFormalny gml:id="{gid("UCHWALA-1", v)}">
      {iip("UCHWALA-1", v)}
      <app:tytul>Uchwała nr I/1/2025 Rady Miasta Kielce w sprawie planu ogólnego (fixture)</app:tytul>
      <app:data><gmd:CI_Date><gmd:date><gco:Date>2025-01-15</gco:Date></gmd:date><gmd:dateType><gmd:CI_DateTypeCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_DateTypeCode" codeListValue="publication">publikacja</gmd:CI_DateTypeCode></gmd:dateType></gmd:CI_Date></app:data>
      <app:lacze>https://example.org/kielce/uchwala-1.pdf</app:lacze>
      <app:uchwala xlink:href="{ACT}"/>
    </app:DokumentFormalny>
  </wfs:member>
  <wfs:member>
    <app:RysunekAktuPlanowaniaPrzestrzennego gml:id="{gid("RYS-1", v)}">
      {iip("RYS-1", v)}
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:tytul>Rysunek planu ogólnego (fixture)</app:tytul>
      <app:lacze>https://example.org/kielce/rysunek-1.tif</app:lacze>
      <app:ukladOdniesieniaPrzestrzennego>{SRS}</app:ukladOdniesieniaPrzestrzennego>
      <app:rozdzielczoscPrzestrzenna>1000</app:rozdzielczoscPrzestrzenna>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:plan xlink:href="{ACT}"/>
    </app:RysunekAktuPlanowaniaPrzestrzennego>
  </wfs:member>
"""


def zone(
    local: str,
    symbol: str,
    points: list[tuple[float, float]],
    version: str,
    *,
    srs: str = SRS,
    coverage: str = "30.0",
    height: str = "12.5",
    with_id: bool = True,
    kind: str = "StrefaPlanistyczna",
) -> str:
    return f"""  <wfs:member>
    <app:{kind} gml:id="{gid(local, version)}">
      {iip(local, version) if with_id else ""}
      <app:oznaczenie>{local.split("-")[-1]}</app:oznaczenie>
      <app:symbol>{symbol}</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria>{polygon(gid(local, version) + "-G", points, srs)}</app:geometria>
      <app:plan xlink:href="{ACT}"/>
      <app:nazwa xlink:href="{CODES}/RodzajStrefyPlanistycznejKod/strefa{symbol}" xlink:title="strefa {symbol}"/>
      <app:profilPodstawowy xlink:href="{KPT}MN" xlink:title="teren zabudowy mieszkaniowej jednorodzinnej"/>
      <app:profilPodstawowy xlink:href="{KPT}U" xlink:title="teren usług"/>
      <app:profilDodatkowy xlink:href="{KPT}ZP" xlink:title="teren zieleni urządzonej"/>
      <app:maksNadziemnaIntensywnoscZabudowy>0.8</app:maksNadziemnaIntensywnoscZabudowy>
      <app:maksUdzialPowierzchniZabudowy>{coverage}</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">{height}</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:{kind}>
  </wfs:member>
"""


def write(name: str, members: list[str]) -> None:
    (HERE / name).write_text(
        HEAD.format(n=len(members)) + "".join(members) + TAIL, encoding="utf-8"
    )


def main() -> None:
    v1, v2, v3 = "20250101T000000", "20250601T000000", "20250701T000000"
    west = [
        (614000, 334600),
        (614200, 334600),
        (614200, 334800),
        (614200, 335000),
        (614000, 335000),
    ]
    north_east, south_east = (
        rect(614200, 334800, 614400, 335000),
        rect(614200, 334600, 614400, 334800),
    )
    write(
        "kielce_plan.gml",
        [
            act(),
            document(),
            zone("1POG-1SJ", "SJ", west, v1, coverage="30.0", height="12.5"),
            zone("1POG-1SU", "SU", north_east, v1, coverage="60.0", height="20.0"),
            zone("1POG-1SN", "SN", south_east, v1, coverage="5.0", height="6.0"),
        ],
    )
    # 1SJ reaches 10 m into 1SU (2000 m² overlap); 1SN stops 20 m short of 1SU (4000 m² gap).
    sj_over = [
        (614000, 334600),
        (614200, 334600),
        (614200, 334800),
        (614210, 334800),
        (614210, 335000),
        (614000, 335000),
    ]
    write(
        "kielce_zones_overlap_gap.gml",
        [
            zone("1POG-1SJ", "SJ", sj_over, v2),
            zone("1POG-1SU", "SU", north_east, v2),
            zone("1POG-1SN", "SN", rect(614200, 334600, 614400, 334780), v2),
        ],
    )
    bowtie = [(614000, 334600), (614100, 334700), (614100, 334600), (614000, 334700)]
    write(
        "kielce_zones_bad.gml",
        [
            zone("1POG-1SJ", "SJ", west, v3),  # 1 loaded
            zone("1POG-2SJ", "SJ", bowtie, v3),  # 2 self-intersecting
            zone("1POG-1SJ", "SJ", west, v3),  # 3 duplicate idIIP
            zone(
                "1POG-1SN", "SN", south_east, v3, srs="http://www.opengis.net/def/crs/EPSG/0/3857"
            ),  # 4
            zone("1POG-1SX", "XX", north_east, v3),  # 5 unknown symbol
            zone("1POG-1SW", "SW", north_east, v3, coverage="130.0"),  # 6 coverage > 100 %
            zone(
                "1POG-1MW", "SW", north_east, v3, kind="ObszarZabudowySrodmiejskiej"
            ),  # 7 not loaded type
            zone(
                "1POG-2SU", "SU", north_east, v3, srs="urn:x-local:crs:kielce"
            ),  # 8 srsName not understood
            zone("1POG-3SU", "SU", north_east, v3, with_id=False),  # 9 no idIIP
        ],
    )


if __name__ == "__main__":
    main()
