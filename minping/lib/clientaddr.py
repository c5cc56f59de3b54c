"""The client's address behind reverse proxies. `X-Forwarded-For` is believed only as far as it was written by
proxies we trust: when the request comes from an address in MINPING_TRUSTED_PROXIES, the list is read from the
right, skipping trusted hops, and the first address that is not one is the client's. From anyone else the header
is ignored, so a client cannot name itself someone else. Everything that keys on a client (throttles) reads
REMOTE_ADDR after this middleware; the proxy's own address stays in PROXY_ADDR."""

import ipaddress

from django.conf import settings


def parse_networks(values: list[str]) -> list:
    """ipaddress networks from "10.0.0.1", "10.0.0.0/8" or "::1"; ValueError names a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"MINPING_TRUSTED_PROXIES: {value!r} is not an address or network") from None
    return networks


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str, trusted: list) -> str:
    """The client's address for a request from `peer` carrying `forwarded_for`."""

    def is_trusted(address) -> bool:
        return address is not None and any(address in network for network in trusted)

    if not trusted or not is_trusted(_address(peer)):
        return peer
    for hop in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break  # garbage in the header: the last trusted hop is as far as we can see
        if not is_trusted(address):
            return str(address)
        peer = str(address)
    return peer


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["PROXY_ADDR"] = peer
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        request.META["REMOTE_ADDR"] = client_address(peer, forwarded, settings.TRUSTED_PROXIES) if forwarded else peer
        return self.get_response(request)
