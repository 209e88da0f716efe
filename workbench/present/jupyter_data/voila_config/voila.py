# Voila configuration used by `workbench serve` (found through --Voila.config_file_paths):
# the security headers on every response, also on Tornado's own 404 page.
from workbench.present.serve import tornado_settings

c.Voila.tornado_settings = tornado_settings()  # noqa: F821 (``c`` is the traitlets config)
