"""Sign-in (SPEC §6 v2): lockout by django-axes on every sign-in path, hashed expiring API tokens by
django-rest-knox, a second factor for staff by django-otp. The settings are in the "Sign-in" block of
portal/settings.py."""
