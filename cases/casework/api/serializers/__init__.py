"""The casework API's serializers, by concern: cases, the case plan, referrals, shared fields."""
