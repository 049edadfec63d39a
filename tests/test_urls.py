import pytest

from crawler.urls import SeenUrls, canonical, check_http_url, netloc, same_site_netloc


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.example/a?utm_source=t&id=3#top", "https://x.example/a?id=3"),
        ("https://x.example/a?b=2&a=1&fbclid=zz", "https://x.example/a?a=1&b=2"),
        ("https://X.example", "https://x.example/"),
        ("https://x.example/caf%c3%a9", "https://x.example/café"),
    ],
)
def test_canonical_forms_agree(a, b):
    assert canonical(a) == canonical(b)


def test_canonical_is_idempotent():
    url = "https://x.example/ü/a b?q=ä&utm_medium=x"
    assert canonical(canonical(url)) == canonical(url)


def test_check_http_url():
    assert check_http_url("https://x.example/") is None
    assert "http" in check_http_url("mailto:a@b.example")
    assert "no host" in check_http_url("http:///path")
    assert check_http_url(3) == "must be a non-empty string"
    assert "not a valid URL" in check_http_url("http://x.example:99999999/")


def test_site_boundary_is_host_and_port():
    assert netloc("http://127.0.0.2:8080/a") == "127.0.0.2:8080"
    assert same_site_netloc("www.x.example", {"x.example"})
    assert not same_site_netloc("127.0.0.3:8080", {"127.0.0.2:8080"})


def test_seen_urls_hold_what_was_added_and_only_that():
    seen = SeenUrls()
    urls = [f"https://news.example/{i}" for i in range(1000)]
    for url in urls[:500]:
        seen.add(url)
    assert all(url in seen for url in urls[:500])
    assert not any(url in seen for url in urls[500:])
