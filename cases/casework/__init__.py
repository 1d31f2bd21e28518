"""Protection casework: the services, selectors, rules and timeline of cases and referrals."""
