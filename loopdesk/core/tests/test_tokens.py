"""Bearer tokens for customer links: 256-bit, URL-safe, stored and compared by digest. Pure."""

from loopdesk.core import tokens


def test_tokens_are_256_bit_urlsafe_and_compared_by_digest():
    token = tokens.new_token()
    assert len(token) == 43 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert token != tokens.new_token()
    digest = tokens.digest(token)
    assert len(digest) == 64 and token not in digest
    assert tokens.same_digest(token, digest)
    assert not tokens.same_digest(token[:-1] + ("A" if token[-1] != "A" else "B"), digest)
