<?xml version='1.0' encoding='utf-8'?>
<wfs:FeatureCollection xmlns:app="https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" timeStamp="2025-01-01T00:00:00Z" numberReturned="5" numberMatched="unknown">
  <wfs:member>
    <app:AktPlanowaniaPrzestrzennego gml:id="PL.ZIPPZP.9999_266101-POG_1POG_20250101T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:tytul>Plan ogólny miasta Kielce (fixture)</app:tytul>
      <app:typPlanu xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/TypAktuPlanowaniaPrzestrzennegoKod/planOgolnyGminy" xlink:title="plan ogólny gminy"/>
      <app:poziomHierarchii xlink:href="http://inspire.ec.europa.eu/codelist/LevelOfSpatialPlanValue/local" xlink:title="lokalny"/>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:modyfikacja>false</app:modyfikacja>
      <app:zasiegPrzestrzenny><gml:MultiSurface gml:id="PL.ZIPPZP.9999_266101-POG_1POG_20250101T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:surfaceMember><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG_20250101T000000-G1" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5636929.96 7473288.83 5636924.54 7473488.85 5636919.12 7473688.87 5637119.14 7473694.29 5637319.16 7473699.71 5637324.58 7473499.69 5637330.00 7473299.66 5636929.96 7473288.83</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></app:zasiegPrzestrzenny>
      <app:dokument xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/DokumentFormalny/PL.ZIPPZP.9999/266101-POG/UCHWALA-1"/>
      <app:rysunek xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/RysunekAktuPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/RYS-1"/>
    </app:AktPlanowaniaPrzestrzennego>
  </wfs:member>
  <wfs:member>
    <app:DokumentFormalny gml:id="PL.ZIPPZP.9999_266101-POG_UCHWALA-1_20250101T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>UCHWALA-1</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:tytul>Uchwała nr I/1/2025 Rady Miasta Kielce w sprawie planu ogólnego (fixture)</app:tytul>
      <app:data><gmd:CI_Date><gmd:date><gco:Date>2025-01-15</gco:Date></gmd:date><gmd:dateType><gmd:CI_DateTypeCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_DateTypeCode" codeListValue="publication">publikacja</gmd:CI_DateTypeCode></gmd:dateType></gmd:CI_Date></app:data>
      <app:lacze>https://example.org/kielce/uchwala-1.pdf</app:lacze>
      <app:uchwala xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
    </app:DokumentFormalny>
  </wfs:member>
  <wfs:member>
    <app:RysunekAktuPlanowaniaPrzestrzennego gml:id="PL.ZIPPZP.9999_266101-POG_RYS-1_20250101T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>RYS-1</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:tytul>Rysunek planu ogólnego (fixture)</app:tytul>
      <app:lacze>https://example.org/kielce/rysunek-1.tif</app:lacze>
      <app:ukladOdniesieniaPrzestrzennego>http://www.opengis.net/def/crs/EPSG/0/2178</app:ukladOdniesieniaPrzestrzennego>
      <app:rozdzielczoscPrzestrzenna>1000</app:rozdzielczoscPrzestrzenna>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
    </app:RysunekAktuPlanowaniaPrzestrzennego>
  </wfs:member>
  <wfs:member>
    <app:StrefaPlanistyczna gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SJ_20250101T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SJ</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1SJ</app:oznaczenie>
      <app:symbol>SJ</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SJ_20250101T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5636929.96 7473288.83 5636924.54 7473488.85 5637124.56 7473494.27 5637324.58 7473499.69 5637330.00 7473299.66 5636929.96 7473288.83</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
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
    <app:StrefaPlanistyczna gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SU_20250101T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SU</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1SU</app:oznaczenie>
      <app:symbol>SU</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SU_20250101T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5637124.56 7473494.27 5637119.14 7473694.29 5637319.16 7473699.71 5637324.58 7473499.69 5637124.56 7473494.27</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
      <app:nazwa xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/RodzajStrefyPlanistycznejKod/strefaSU" xlink:title="strefa SU"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-MN" xlink:title="teren zabudowy mieszkaniowej jednorodzinnej"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-U" xlink:title="teren usług"/>
      <app:profilDodatkowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-ZP" xlink:title="teren zieleni urządzonej"/>
      <app:maksNadziemnaIntensywnoscZabudowy>0.8</app:maksNadziemnaIntensywnoscZabudowy>
      <app:maksUdzialPowierzchniZabudowy>60.0</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">20.0</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:StrefaPlanistyczna>
  </wfs:member>
  <wfs:member>
    <app:StrefaPlanistyczna gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SN_20250101T000000">
      <app:idIIP><app:Identyfikator><app:przestrzenNazw>PL.ZIPPZP.9999/266101-POG</app:przestrzenNazw><app:lokalnyId>1POG-1SN</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId></app:Identyfikator></app:idIIP>
      <app:oznaczenie>1SN</app:oznaczenie>
      <app:symbol>SN</app:symbol>
      <app:poczatekWersjiObiektu>2025-01-01T00:00:00Z</app:poczatekWersjiObiektu>
      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>
      <app:status xlink:href="http://inspire.ec.europa.eu/codelist/ProcessStepGeneralValue/legalForce" xlink:title="prawnie wiążący"/>
      <app:charakterUstalenia xlink:href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding" xlink:title="ogólnie wiążące"/>
      <app:geometria><gml:Polygon gml:id="PL.ZIPPZP.9999_266101-POG_1POG-1SN_20250101T000000-G" srsName="http://www.opengis.net/def/crs/EPSG/0/2178" srsDimension="2"><gml:exterior><gml:LinearRing><gml:posList>5636924.54 7473488.85 5636919.12 7473688.87 5637119.14 7473694.29 5637124.56 7473494.27 5636924.54 7473488.85</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></app:geometria>
      <app:plan xlink:href="https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG"/>
      <app:nazwa xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/RodzajStrefyPlanistycznejKod/strefaSN" xlink:title="strefa SN"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-MN" xlink:title="teren zabudowy mieszkaniowej jednorodzinnej"/>
      <app:profilPodstawowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-U" xlink:title="teren usług"/>
      <app:profilDodatkowy xlink:href="https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-ZP" xlink:title="teren zieleni urządzonej"/>
      <app:maksNadziemnaIntensywnoscZabudowy>0.8</app:maksNadziemnaIntensywnoscZabudowy>
      <app:maksUdzialPowierzchniZabudowy>5.0</app:maksUdzialPowierzchniZabudowy>
      <app:maksWysokoscZabudowy uom="m">6.0</app:maksWysokoscZabudowy>
      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>
    </app:StrefaPlanistyczna>
  </wfs:member>
</wfs:FeatureCollection>
