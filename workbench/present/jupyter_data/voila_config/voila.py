# Voila configuration used by `workbench serve` (found through --Voila.config_file_paths):
# the security headers on every response, also on Tornado's own 404 page.
from workbench.present.voila_server import tornado_settings

config = globals().get("c")  # traitlets sets ``c`` when Voila loads this file
if config is not None:
    config.Voila.tornado_settings = tornado_settings()
