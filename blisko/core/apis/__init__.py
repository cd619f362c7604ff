"""What every JSON API of Blisko shares: the base view, the schema pieces, paging, errors."""
