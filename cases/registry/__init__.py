"""Registration of displaced people and households: services, selectors, forms, pages, API."""
