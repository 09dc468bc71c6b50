"""The open-data catalogue: one record per dataset (OGC API – Records), ISO 19139 metadata and a DCAT-AP feed."""
