import pytest

from loopdesk.portal.origins import frame_ancestors, invalid_origins, is_allowed, normalize_origin, parse_origins


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Shop.Example.com", "https://shop.example.com"),
        ("https://shop.example.com:443/", "https://shop.example.com"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://shop.example.com/path", ""),
        ("https://*.example.com", ""),
        ("null", ""),
        ("javascript:alert(1)", ""),
        ("https://user@shop.example.com", ""),
        ("ftp://shop.example.com", ""),
    ],
)
def test_origins_are_normalized_or_refused(value, expected):
    assert normalize_origin(value) == expected


def test_only_listed_origins_match_exactly():
    allowed = parse_origins("https://shop.example.com\nhttps://app.example.com:8443 bogus/")
    assert allowed == ["https://shop.example.com", "https://app.example.com:8443"]
    assert is_allowed("https://shop.example.com", allowed)
    assert not is_allowed("https://shop.example.com.evil.test", allowed)
    assert not is_allowed("null", allowed) and not is_allowed("", allowed)
    assert invalid_origins("https://ok.example bogus/") == ["bogus/"]
    assert frame_ancestors([]) == "'none'"
    assert frame_ancestors(allowed) == "https://shop.example.com https://app.example.com:8443"
