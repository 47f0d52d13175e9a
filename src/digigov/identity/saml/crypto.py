"""XML signatures and decryption for the service provider in this process (python-xmlsec,
the same libxmlsec1 as the `xmlsec1` program), instead of a `xmlsec1` process for each
step: a sign-in's three checks took over 100 ms in process start-ups alone.

It keeps the program's rules, and is stricter where signature wrapping hides: the node
named must be the only one with its ID, its signature a direct child of it, referring to
that ID (same document only), with the key only from the certificate given.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import xmlsec
from lxml import etree
from saml2.sigver import CryptoBackendXmlSec1, DecryptError, SignatureError

DSIG = xmlsec.constants.DSigNs
ENC = xmlsec.constants.EncNs


_local = threading.local()


def _manager(key_file: str) -> xmlsec.KeysManager:
    """A keys manager holding the key in `key_file`, one per thread and key: making one
    takes longer than the decryption itself."""
    with open(key_file, "rb") as file:
        pem = file.read()
    digest = hashlib.sha256(pem).hexdigest()
    managers: dict[str, xmlsec.KeysManager] = _local.__dict__.setdefault("managers", {})
    if digest not in managers:
        manager = xmlsec.KeysManager()
        manager.add_key(xmlsec.Key.from_memory(pem, xmlsec.constants.KeyDataFormatPem))
        managers[digest] = manager
    return managers[digest]


def _parsed(text: str | bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(text.encode() if isinstance(text, str) else text, parser)


class InProcess(CryptoBackendXmlSec1):
    """The xmlsec1 backend, with verification and decryption done here (signing and
    encrypting, which only the test identity provider does, still run the program)."""

    def validate_signature(
        self, signedtext: Any, cert_file: str, cert_type: str, node_name: str, node_id: str
    ) -> bool:
        try:
            root = _parsed(signedtext)
            namespace, _sep, local = node_name.rpartition(":")
            named = root.xpath("//*[@ID=$id]", id=node_id) if node_id else [root]
            if len(named) != 1:
                raise SignatureError("the signed node is missing or its ID is not unique")
            node = named[0]
            if etree.QName(node).localname != local or etree.QName(node).namespace != namespace:
                raise SignatureError("the signed node is not the kind expected")
            signatures = [child for child in node if child.tag == f"{{{DSIG}}}Signature"]
            if len(signatures) != 1:
                raise SignatureError("the node has no signature of its own")
            references = signatures[0].findall(f"{{{DSIG}}}SignedInfo/{{{DSIG}}}Reference")
            wanted = f"#{node.get('ID')}"
            if len(references) != 1 or references[0].get("URI") != wanted:
                raise SignatureError("the signature does not refer to the node")
            xmlsec.tree.add_ids(root, ["ID"])
            context = xmlsec.SignatureContext()
            form = (
                xmlsec.constants.KeyDataFormatCertPem
                if cert_type == "pem"
                else xmlsec.constants.KeyDataFormatCertDer
            )
            context.key = xmlsec.Key.from_file(cert_file, form)
            context.set_enabled_key_data([])  # no key from the document's own KeyInfo
            context.verify(signatures[0])
        except SignatureError:
            raise
        except (xmlsec.Error, etree.XMLSyntaxError, ValueError) as error:
            raise SignatureError(f"the signature does not verify: {error}") from error
        return True

    def decrypt(self, enctext: Any, key_file: str) -> str:
        try:
            root = _parsed(enctext)
            encrypted = (
                root
                if root.tag == f"{{{ENC}}}EncryptedData"
                else root.find(f".//{{{ENC}}}EncryptedData")
            )
            if encrypted is None:
                raise DecryptError("nothing encrypted")
            decrypted = xmlsec.EncryptionContext(_manager(key_file)).decrypt(encrypted)
            result = root if encrypted is not root else decrypted
            return etree.tostring(result, encoding="unicode")
        except DecryptError:
            raise
        except (xmlsec.Error, etree.XMLSyntaxError, ValueError) as error:
            raise DecryptError(f"the assertion cannot be decrypted: {error}") from error
