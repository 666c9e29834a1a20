"""查询码: the code an applicant uses on the public status page (办事进度查询).

Derived by HMAC from the case id, so it is never stored (only its hash is, in the filing
event) and a retried filing can show it again.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at the counter


class QueryCodes:
    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def derive(self, case_id: UUID) -> str:
        digest = hmac.new(self.secret, case_id.bytes, hashlib.sha256).digest()
        return "".join(ALPHABET[b % 32] for b in digest[:10])

    @staticmethod
    def hash(code: str) -> str:
        return hashlib.sha256(code.strip().upper().encode()).hexdigest()

    def check(self, stored_hash: str, code: str) -> bool:
        return hmac.compare_digest(stored_hash, self.hash(code))
