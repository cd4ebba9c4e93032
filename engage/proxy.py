"""Behind nginx or a load balancer: believe the proxy's ``X-Forwarded-*`` headers, and only the proxy's.

``ENGAGE_PROXY_HOPS`` is how many proxies the deployer put in front (nginx alone: 1; a load balancer then
nginx: 2). With it set, Werkzeug's ProxyFix takes the client's address, the scheme (https), the host and the
port from that many hops of the forwarded headers, so rate limits and the "many people from one address"
signal see residents, not the proxy, and redirects stay on https. With it 0 (the default: ``make run``
serves directly) the headers are ignored, because anyone can send them. Set it higher than the real number
of proxies and a client can choose its own address: docs/deploy.md says how to count.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class _MarkBehindProxy:
    """Tell the app (engage.logs) that forwarded headers come from a proxy it trusts."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        environ["engage.behind_proxy"] = True
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    hops = app.config["ENGAGE_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            _MarkBehindProxy(app.wsgi_app), x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
