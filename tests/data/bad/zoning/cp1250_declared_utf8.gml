<?xml version='1.0' encoding='utf-8'?>
<wfs:FeatureCollection xmlns:app="https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" timeStamp="2025-01-01T00:00:00Z" numberReturned="2" numberMatched="unknown">
  <wfs:member>
    <app:AktPlanowaniaPrzestrzennego gml:id="act-1POG">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:tytul>Plan ogólny (korpus z³ych danych)</app:tytul>
      <app:typPlanu xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/TypAktuPlanowaniaPrzestrzennegoKod/planOgolnyGminy" xlink:title="plan ogólny gminy"/>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:zasiegPrzestrzenny><gml:MultiSurface gml:id="act-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2180" srsDimension="2"><gml:surfaceMember><gml:Polygon gml:id="act-G1" srsName="http://www.opengis.net/def/crs/EPSG/0/2180" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>334700.00 614100.00 334700.00 614300.00 334900.00 614300.00 334900.00 614100.00 334700.00 614100.00</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></app:zasiegPrzestrzenny>
    </app:AktPlanowaniaPrzestrzennego>
  </wfs:member>
  <wfs:member>
    <app:StrefaPlanistyczna gml:id="z-1POG-1SW">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SW</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1POG-1SW</app:oznaczenie>
      <app:symbol>SW</app:symbol>
      <app:geometria><gml:Polygon gml:id="z-1POG-1SW-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2180" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>334700.00 614100.00 334700.00 614200.00 334800.00 614200.00 334800.00 614100.00 334700.00 614100.00</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
      <app:maksUdzialPowierzchniZabudowy>30.0</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">12.5</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:StrefaPlanistyczna>
  </wfs:member>
</wfs:FeatureCollection>
