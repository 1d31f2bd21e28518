"""Safe zones and humanitarian corridors: their geometry, services, reads, pages, API and admin."""
