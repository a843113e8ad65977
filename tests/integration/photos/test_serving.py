"""Photos served to those allowed: the list size as WebP where the browser takes it, every
size with an ETag, cached for a year, and 304 without the bytes on a repeat."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests import support


async def _photo(client: httpx.AsyncClient) -> tuple[support.Person, int]:
    artisan = await support.artisan(await support.brand())
    return artisan, await support.upload_photo(client, artisan, color=(30, 120, 200))


async def test_the_list_size_comes_as_webp_to_browsers_that_take_it_and_fewer_bytes(client: httpx.AsyncClient) -> None:
    artisan, photo = await _photo(client)
    url = f"/api/v1/photos/{photo}/list"

    webp = await client.get(url, headers=artisan.auth | {"Accept": "image/webp,image/*,*/*"})
    jpeg = await client.get(url, headers=artisan.auth | {"Accept": "image/*"})
    review = await client.get(f"/api/v1/photos/{photo}/review", headers=artisan.auth | {"Accept": "image/webp"})

    assert (webp.headers["content-type"], Image.open(io.BytesIO(webp.content)).format) == ("image/webp", "WEBP")
    assert (jpeg.headers["content-type"], Image.open(io.BytesIO(jpeg.content)).format) == ("image/jpeg", "JPEG")
    assert review.headers["content-type"] == "image/jpeg"  # only the list size has a WebP twin
    assert webp.headers["vary"] == "Accept"
    assert webp.headers["etag"] != jpeg.headers["etag"]
    assert "immutable" in jpeg.headers["cache-control"]


async def test_a_repeat_with_its_etag_gets_304_without_the_bytes(client: httpx.AsyncClient) -> None:
    artisan, photo = await _photo(client)
    url = f"/api/v1/photos/{photo}/full"
    first = await client.get(url, headers=artisan.auth)

    again = await client.get(url, headers=artisan.auth | {"If-None-Match": first.headers["etag"]})
    other = await client.get(url, headers=artisan.auth | {"If-None-Match": '"something-else"'})

    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert (other.status_code, other.content) == (200, first.content)
