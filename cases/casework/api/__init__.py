"""The API of protection casework: cases, their plans, approvals and referrals."""
