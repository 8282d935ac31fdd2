"""LISA, "hitta rätt hjälp": the help directory for residents and health
centres, consent-based referrals, and an HSDS 3.0 (Open Referral) API."""
