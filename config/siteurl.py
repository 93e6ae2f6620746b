"""The embedded default's SITE_URL: the address `scripts/run.sh` serves on (`ADDRPORT`).

`ADDRPORT` takes what `manage.py runserver` takes: `8080`, `127.0.0.1:8080`, `0.0.0.0:8080`,
`[::1]:8080`. An address that listens everywhere (0.0.0.0, ::) is linked as 127.0.0.1; set
`SITE_URL` to the public https address in production (it always wins).
"""

DEFAULT_ADDRPORT = "127.0.0.1:8000"
EVERYWHERE = {"0.0.0.0", "0", "::", "[::]"}  # noqa: S104 (addresses to recognise, not to bind)


def site_url_for(addrport: str) -> str:
    addrport = (addrport or DEFAULT_ADDRPORT).strip()
    if addrport.isdigit():
        host, port = "127.0.0.1", addrport
    else:
        host, _, port = addrport.rpartition(":")
        if not port.isdigit():  # a host without a port: runserver's default port
            host, port = addrport, "8000"
    if host in EVERYWHERE or not host:
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
