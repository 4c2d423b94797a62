"""The investigators' web application and REST API: FastAPI, server-rendered pages, every asset
served locally. `create_app(workspace)` is all a caller needs."""

from redzone.web.app import create_app
from redzone.web.config import WebSettings

__all__ = ["WebSettings", "create_app"]
