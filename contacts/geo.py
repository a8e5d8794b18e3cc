def parse_position(value) -> tuple[float, float] | None:
    """`"lat,lng"` as floats when both parse and lie on the globe, else None."""
    try:
        lat_text, lng_text = str(value).split(",")
        lat, lng = float(lat_text), float(lng_text)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng
