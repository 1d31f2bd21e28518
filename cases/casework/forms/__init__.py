"""Forms of the casework pages, by concern: lists, the case, its plan, referrals."""
