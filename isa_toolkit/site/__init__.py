"""The register site: static HTML pages of the register for the people who govern it (``isa site``).

:mod:`.data` gathers what the pages show from the functions the listings use, :mod:`.charts` draws the charts as
inline SVG, :mod:`.build` renders the shipped ``templates/site`` and writes the folder. It reads what
``register.load_register`` loads and holds no rules of its own.
"""

from .build import Built, build_site, site_languages

__all__ = ["Built", "build_site", "site_languages"]
