"""Builders of small PRG address GML files (models 2012 and 2021) and of commune boundaries around Kielce.

Element names follow the published schemas as the real files use them: model 2012 as in
../shared/data/addresses/sample_model2012.xml (prg-ad, bt; `jednostkaAdmnistracyjna` sic);
model 2021 as in GUGiK's PRGAD.xsd 1.0 (prgad: AD_PunktAdresowy, AD_Miejscowosc, AD_UlicaPlac).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

NS_2012 = "urn:gugik:specyfikacje:gmlas:panstwowyRejestrGranicAdresy:1.0"
NS_2021 = "https://geoportal.gov.pl/schemas/prgad/1.0"
#: Kielce (commune 2661011) and a commune far to the north-west whose box holds Kielce's points swapped.
KIELCE = box(605_000, 325_000, 625_000, 345_000)
SWAP_TARGET = box(320_000, 600_000, 350_000, 630_000)


@dataclass
class Pt:
    """An address point: id, number, position (EPSG:2180 E, N) and how it is written."""

    local: str
    number: str
    e: float
    n: float
    postcode: str | None = "25-001"
    street: str | None = "Sienkiewicza"
    written: str = "srs"  # 'srs': the order the srsName says; 'swapped': the other one
    srs: str | None = None


def prg2012(points: list[Pt], *, teryt: str = "2661011", srs: str = "urn:ogc:def:crs:EPSG::2180") -> str:
    """A model-2012 file: the points, then the commune, locality and street objects they link to."""
    members = []
    for p in points:
        a, b = (p.n, p.e) if p.written == "srs" else (p.e, p.n)
        street = f"<prg-ad:ulica>{p.street}</prg-ad:ulica>" if p.street else ""
        postcode = f"<prg-ad:kodPocztowy>{p.postcode}</prg-ad:kodPocztowy>" if p.postcode else ""
        members.append(f"""
    <prg-ad:PRG_PunktAdresowy gml:id="PL.ZIPIN.T.EMUiA_{p.local}">
      <gml:identifier codeSpace="http://geoportal.gov.pl/">
          http://geoportal.gov.pl/PZGIK/dane/PL.ZIPIN.T.EMUiA/{p.local}</gml:identifier>
      <prg-ad:idIIP><bt:BT_Identyfikator><bt:lokalnyId>{p.local}</bt:lokalnyId>
        <bt:przestrzenNazw>PL.PZGIK.200</bt:przestrzenNazw><bt:wersjaId>2024-01-01T00:00:00+01:00</bt:wersjaId>
      </bt:BT_Identyfikator></prg-ad:idIIP>
      <prg-ad:waznyOd>2014-03-05</prg-ad:waznyOd>
      <prg-ad:jednostkaAdmnistracyjna>Polska</prg-ad:jednostkaAdmnistracyjna>
      <prg-ad:jednostkaAdmnistracyjna>świętokrzyskie</prg-ad:jednostkaAdmnistracyjna>
      <prg-ad:jednostkaAdmnistracyjna>Kielce</prg-ad:jednostkaAdmnistracyjna>
      <prg-ad:jednostkaAdmnistracyjna>Kielce</prg-ad:jednostkaAdmnistracyjna>
      <prg-ad:miejscowosc>Kielce</prg-ad:miejscowosc>
      {street}
      <prg-ad:numerPorzadkowy>{p.number}</prg-ad:numerPorzadkowy>
      {postcode}
      <prg-ad:status>istniejacy</prg-ad:status>
      <prg-ad:pozycja><gml:Point srsName="{p.srs or srs}" srsDimension="2">
        <gml:pos>{a} {b}</gml:pos></gml:Point></prg-ad:pozycja>
      <prg-ad:komponent xlink:href="http://geoportal.gov.pl/PZGIK/dane/PL.PZGIK.200_gm1" />
    </prg-ad:PRG_PunktAdresowy>""")
    members.append(f"""
    <prg-ad:PRG_JednostkaAdministracyjnaNazwa gml:id="PL.PZGIK.200_gm1">
      <prg-ad:nazwa>Kielce</prg-ad:nazwa><prg-ad:idTERYT>{teryt}</prg-ad:idTERYT>
      <prg-ad:poziom>4poziom</prg-ad:poziom>
    </prg-ad:PRG_JednostkaAdministracyjnaNazwa>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:bt="urn:gugik:specyfikacje:gmlas:modelPodstawowy:1.0" xmlns:prg-ad="{NS_2012}" gml:id="prg-ad">
  <gml:featureMembers>{"".join(members)}
  </gml:featureMembers>
</gml:FeatureCollection>
"""


def prg2021(points: list[Pt], *, srs: str = "EPSG:2180") -> str:
    """A model-2021 file: the locality and street first, then the points linking to them."""
    members = ["""
  <gml:featureMember>
    <prgad:AD_Miejscowosc gml:id="PL.ZIPIN.T.EMUiA_0937474_2025">
      <prgad:idIIP><prgad:AD_IdentyfikatorIIP><prgad:lokalnyId>loc-1</prgad:lokalnyId>
        <prgad:przestrzenNazw>PL.PZGIK.200</prgad:przestrzenNazw><prgad:wersjaId>2025-01-01T00:00:00+01:00</prgad:wersjaId>
      </prgad:AD_IdentyfikatorIIP></prgad:idIIP>
      <prgad:nazwa>Kielce</prgad:nazwa><prgad:rodzaj>96</prgad:rodzaj>
      <prgad:identyfikatorSIMC>0937474</prgad:identyfikatorSIMC>
      <prgad:TERYTGminy>2661011</prgad:TERYTGminy>
    </prgad:AD_Miejscowosc>
  </gml:featureMember>
  <gml:featureMember>
    <prgad:AD_UlicaPlac gml:id="PL.ZIPIN.T.EMUiA_ul1_2025">
      <prgad:nazwaPelna>Henryka Sienkiewicza</prgad:nazwaPelna><prgad:rodzaj>1</prgad:rodzaj>
      <prgad:TERYTNazwa1>Sienkiewicza</prgad:TERYTNazwa1><prgad:TERYTNazwa2>Henryka</prgad:TERYTNazwa2>
      <prgad:identyfikatorULIC>20291</prgad:identyfikatorULIC>
      <prgad:miejsce xlink:href="#PL.ZIPIN.T.EMUiA_0937474_2025" />
    </prgad:AD_UlicaPlac>
  </gml:featureMember>"""]
    for p in points:
        a, b = (p.e, p.n) if p.written == "srs" else (p.n, p.e)
        street = '<prgad:ulica2 xlink:href="#PL.ZIPIN.T.EMUiA_ul1_2025" />' if p.street else ""
        postcode = f"<prgad:kodPocztowy>{p.postcode}</prgad:kodPocztowy>" if p.postcode else ""
        members.append(f"""
  <gml:featureMember>
    <prgad:AD_PunktAdresowy gml:id="PL.ZIPIN.T.EMUiA_{p.local}_2025">
      <prgad:idIIP><prgad:AD_IdentyfikatorIIP><prgad:lokalnyId>{p.local}</prgad:lokalnyId>
        <prgad:przestrzenNazw>PL.PZGIK.200</prgad:przestrzenNazw><prgad:wersjaId>2025-10-14T14:05:46+02:00</prgad:wersjaId>
      </prgad:AD_IdentyfikatorIIP></prgad:idIIP>
      <prgad:poczatekWersjiObiektu>2025-10-14T14:05:46</prgad:poczatekWersjiObiektu>
      <prgad:numerPorzadkowy>{p.number}</prgad:numerPorzadkowy>
      <prgad:georeferencja><gml:Point srsName="{p.srs or srs}" srsDimension="2">
        <gml:pos>{a} {b}</gml:pos></gml:Point></prgad:georeferencja>
      {postcode}
      <prgad:dataNadania>2012-04-27</prgad:dataNadania>
      <prgad:miejscowosc xlink:href="#PL.ZIPIN.T.EMUiA_0937474_2025" />
      {street}
    </prgad:AD_PunktAdresowy>
  </gml:featureMember>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:prgad="{NS_2021}">{"".join(members)}
</gml:FeatureCollection>
"""


@pytest.fixture
def communes(tmp_path: Path) -> Path:
    """Two communes as a GPKG in EPSG:2180: Kielce (2661011) and one 300 km away (3064011)."""
    frame = gpd.GeoDataFrame(
        {"JPT_KOD_JE": ["2661011", "3064011"], "JPT_NAZWA_": ["Kielce", "Gmina Zamiana"]},
        geometry=[KIELCE, SWAP_TARGET],
        crs="EPSG:2180",
    )
    path = tmp_path / "gminy.gpkg"
    frame.to_file(path, layer="gminy")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
