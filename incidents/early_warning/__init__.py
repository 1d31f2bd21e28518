"""Early warning: alerts about a site whose recent incidents are improbably many for it."""
