"""What MSIP adds to pygeoapi's JSON documents for real clients: layer types, TMS 1.0 members, feature schemas."""
