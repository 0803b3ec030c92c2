from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.signin.services import second_factor_enrol


class Command(BaseCommand):
    help = (
        "Give a user a second factor: prints the otpauth:// URL for an authenticator app and ten single-use "
        "recovery codes. Replaces the user's earlier authenticator and codes. Hand the output to the user alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        enrolment = second_factor_enrol(user=user)
        self.stdout.write(f"Authenticator app for {user.username} (scan as a QR code or paste into the app):")
        self.stdout.write(f"  {enrolment.config_url}")
        self.stdout.write("Recovery codes, each good for one sign-in when the app is not at hand:")
        for code in enrolment.recovery_codes:
            self.stdout.write(f"  {code}")
        self.stdout.write(self.style.SUCCESS(f"{user.username}: second factor enrolled."))
