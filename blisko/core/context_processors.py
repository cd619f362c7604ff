from django.conf import settings


def blisko(request):
    return {
        "BLISKO_TILE_URL": settings.BLISKO_TILE_URL,
        "BLISKO_TILE_ATTRIBUTION": settings.BLISKO_TILE_ATTRIBUTION,
    }
