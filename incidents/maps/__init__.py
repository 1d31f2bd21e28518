"""The incident map: its offline base layer and the features drawn over it."""
