"""pysaml2 attribute maps: the Swedish eID Framework's attribute names (urn:oid:...)."""
