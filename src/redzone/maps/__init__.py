"""The offline incident map: outlines built from installed npm packages (`python -m redzone.maps.build`),
incident counts by place with small counts merged or hidden, rendered as SVG. See docs/maps.md."""

from redzone.maps.incidents import PlaceCount, place_counts
from redzone.maps.render import has_base_map, render_incident_map

__all__ = ["PlaceCount", "has_base_map", "place_counts", "render_incident_map"]
