"""The casework API's views, by concern: cases, the case plan, approvals, referrals."""
