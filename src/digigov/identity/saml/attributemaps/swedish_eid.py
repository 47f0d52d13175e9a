"""The Swedish eID Framework's attributes (Attribute Specification 3.1), NameFormat uri."""

FRO = {
    "urn:oid:1.2.752.29.4.13": "personalIdentityNumber",
    "urn:oid:2.5.4.42": "givenName",
    "urn:oid:2.5.4.4": "sn",
    "urn:oid:2.16.840.1.113730.3.1.241": "displayName",
    "urn:oid:1.3.6.1.5.5.7.9.1": "dateOfBirth",
}

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "fro": FRO,
    "to": {friendly: name for name, friendly in FRO.items()},
}
