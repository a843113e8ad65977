"""Each brand's Ed25519 key: made on first need, kept in ``brand_key``; signatures over the
canonical JSON of a passport's facts, and the public keys as a JWK set (RFC 8037)."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.db.session import lock_keys, write_transaction
from backend.passports.tables import BrandKey

ALG = "EdDSA"
RAW = serialization.Encoding.Raw


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(facts: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes a signature covers (and a verifier rebuilds)."""
    return msgspec.json.encode(facts, order="sorted")


class Signature(msgspec.Struct, frozen=True):
    kid: str
    value: str  # base64url of the 64-byte Ed25519 signature


async def _newest(brand_id: int) -> dict[str, Any] | None:
    return await BrandKey.select().where(BrandKey.brand == brand_id).order_by(BrandKey.id, ascending=False).first()


async def key_of(brand_id: int) -> dict[str, Any]:
    """The brand's signing key, made on first need (two first needs at once make one)."""
    found = await _newest(brand_id)
    if found is not None:
        return found
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    private_raw = private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    async with write_transaction():
        await lock_keys(f"brand_key:{brand_id}")  # two first needs at once: the second finds the first's
        found = await _newest(brand_id)
        if found is None:
            await BrandKey.insert(
                BrandKey(
                    brand=brand_id,
                    kid=secrets.token_urlsafe(12),
                    public_key=b64url(public_raw),
                    private_key=b64url(private_raw),
                )
            )
    found = await _newest(brand_id)
    if found is None:
        raise RuntimeError(f"no signing key stored for brand {brand_id}")
    return found


def sign(key: dict[str, Any], facts: Any) -> Signature:
    private = Ed25519PrivateKey.from_private_bytes(unb64url(key["private_key"]))
    return Signature(kid=key["kid"], value=b64url(private.sign(canonical(facts))))


async def key_set() -> dict[str, list[dict[str, str]]]:
    """Every brand's public keys as a JWK set (kty OKP, crv Ed25519), stable by key id."""
    rows = await BrandKey.select(BrandKey.kid, BrandKey.public_key).order_by(BrandKey.id)
    return {
        "keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": row["public_key"], "kid": row["kid"], "alg": ALG, "use": "sig"}
            for row in rows
        ]
    }
