<?xml version='1.0' encoding='utf-8'?>
<wfs:FeatureCollection xmlns:app="https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" timeStamp="2025-01-01T00:00:00Z" numberReturned="0" numberMatched="unknown">
</wfs:FeatureCollection>
