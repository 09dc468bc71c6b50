<?xml version='1.0' encoding='utf-8'?>
<wfs:FeatureCollection xmlns:app="https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" timeStamp="2025-01-01T00:00:00Z" numberReturned="3" numberMatched="unknown">
  <wfs:member>
    <app:StrefaPlanistyczna gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SJ_20250601T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SJ</app:lokalnyId><app:wersjaId>20250601T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1SJ</app:oznaczenie>
      <app:symbol>SJ</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SJ_20250601T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5636929.96 7473288.83 5636924.54 7473488.85 5637124.56 7473494.27 5637124.29 7473504.27 5637324.31 7473509.69 5637330.00 7473299.66 5636929.96 7473288.83</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
      <app:nazwa xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/RodzajStrefyPlanistycznejKod/strefaSJ" xlink:title="strefa SJ"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-MN" xlink:title="teren zabudowy mieszkaniowej jednorodzinnej"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-U" xlink:title="teren usług"/>
      <app:profilDodatkowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-ZP" xlink:title="teren zieleni urządzonej"/>
      <app:maksNadziemnaIntensywnoscZabudowy>0.8</app:maksNadziemnaIntensywnoscZabudowy>
      <app:maksUdzialPowierzchniZabudowy>30.0</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">12.5</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:StrefaPlanistyczna>
  </wfs:member>
  <wfs:member>
    <app:StrefaPlanistyczna gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SU_20250601T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SU</app:lokalnyId><app:wersjaId>20250601T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1SU</app:oznaczenie>
      <app:symbol>SU</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SU_20250601T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5637124.56 7473494.27 5637119.14 7473694.29 5637319.16 7473699.71 5637324.58 7473499.69 5637124.56 7473494.27</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
      <app:nazwa xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/RodzajStrefyPlanistycznejKod/strefaSU" xlink:title="strefa SU"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-MN" xlink:title="teren zabudowy mieszkaniowej jednorodzinnej"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-U" xlink:title="teren usług"/>
      <app:profilDodatkowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-ZP" xlink:title="teren zieleni urządzonej"/>
      <app:maksNadziemnaIntensywnoscZabudowy>0.8</app:maksNadziemnaIntensywnoscZabudowy>
      <app:maksUdzialPowierzchniZabudowy>30.0</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">12.5</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:StrefaPlanistyczna>
  </wfs:member>
  <wfs:member>
    <app:StrefaPlanistyczna gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SN_20250601T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SN</app:lokalnyId><app:wersjaId>20250601T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1SN</app:oznaczenie>
      <app:symbol>SN</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SN_20250601T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5636924.54 7473488.85 5636919.12 7473688.87 5637099.14 7473693.75 5637104.56 7473493.73 5636924.54 7473488.85</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
      <app:nazwa xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/RodzajStrefyPlanistycznejKod/strefaSN" xlink:title="strefa SN"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-MN" xlink:title="teren zabudowy mieszkaniowej jednorodzinnej"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-U" xlink:title="teren usług"/>
      <app:profilDodatkowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-ZP" xlink:title="teren zieleni urządzonej"/>
      <app:maksNadziemnaIntensywnoscZabudowy>0.8</app:maksNadziemnaIntensywnoscZabudowy>
      <app:maksUdzialPowierzchniZabudowy>30.0</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">12.5</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:StrefaPlanistyczna>
  </wfs:member>
</wfs:FeatureCollection>
