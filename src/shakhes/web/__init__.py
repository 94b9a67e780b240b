"""The web pages of shakhes: Jinja2 templates over the service layer, in English and Persian.

The server (:mod:`shakhes.server`) owns users, sessions, CSRF and workspace membership; it
mounts these pages and supplies one FastAPI dependency that says who is calling
(:class:`~shakhes.web.caller.PageCaller`):

- :func:`shakhes.web.pages.router` — the page routes under ``/w/{workspace}/…``;
- :func:`shakhes.web.static.mount` — ``/static/…``: the pages' own CSS and JavaScript,
  Plotly's JavaScript from the installed ``plotly`` package and the Noto Sans Arabic font
  from the ``fontpkg-noto-sans-arabic`` package (nothing from a CDN).

Pages only read: they gather data with :mod:`shakhes.web.views` (which calls the service
layer) and render it; forms that change state post to the server's API with the CSRF token.
"""
