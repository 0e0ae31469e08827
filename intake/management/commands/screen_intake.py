"""Screen one intake from the command line: the answers JSON in, the screening JSON out.

A dry run unless --save, which stores exactly what the web form stores, through the same services and the same
check of the user, so a script meets every rule the page keeps. Options and exit statuses:
docs/intake.md#from-the-command-line.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from clinic.context import clinic_context
from clinic.roles import may
from intake import screening as rules
from intake import services

INVALID = 2
# An answers document is three levels deep; anything far deeper is refused before parsing (the
# JSON parser would otherwise recurse until RecursionError).
MAX_NESTING = 20
# No answer needs more digits; longer integers are refused before int() (Python refuses over 4,300
# digits with a ValueError, and a huge weight would overflow float()).
MAX_INT_DIGITS = 20


class _TooLong(float):
    """An integer literal with more digits than any answer has: validated as out of range (inf)."""


def _parse_int(text: str):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _TooLong("-inf" if text.startswith("-") else "inf")
    return int(text)


def _nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                break
        elif char in "]}":
            depth -= 1
    return deepest


class Command(BaseCommand):
    help = "Screen one intake (answers JSON from PATH or - for stdin) and print the screening JSON."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="JSON file with the intake answers, or - for stdin")
        parser.add_argument("--save", action="store_true", help="import: create patient, intake and screening")
        parser.add_argument("--user", metavar="USERNAME", help="with --save: the coordinator taking the intake")
        parser.add_argument("--consent-email", action="store_true", help="with --save: consents to e-mail reminders")
        parser.add_argument("--consent-sms", action="store_true", help="with --save: consents to SMS reminders")
        parser.add_argument(
            "--confirm-implausible",
            action="store_true",
            help="with --save: the implausible values (e.g. systolic 250 or more) were checked and are right",
        )

    def handle(self, *args, path, save, user, consent_email, consent_sms, confirm_implausible, **options):
        taken_by = self._user(user) if save else None
        if not save and (user or consent_email or consent_sms or confirm_implausible):
            raise CommandError(
                "--user, --consent-email, --consent-sms and --confirm-implausible only apply with --save",
                returncode=INVALID,
            )
        data = self._read(path)
        ctx = clinic_context()
        today = ctx.today()
        try:
            if save:
                screening = services.intake_create(
                    answers=data,
                    by=taken_by,
                    consent_email=consent_email,
                    consent_sms=consent_sms,
                    today=today,
                    confirm_implausible=confirm_implausible,
                )
                result = screening.as_dict()
            else:
                answers = rules.validate_answers(data, today=today)
                for path_, message in rules.implausible_values(answers, today=today).items():
                    self.stderr.write(f"warning: {path_}: {message}")
                # A dry run writes nothing: the clinic context only reads the setting.
                severity = ctx.clinic.breastfeeding_severity
                result = rules.screen(answers, today=today, breastfeeding_severity=severity).as_dict()
        except PermissionDenied:  # the service's refusal, as the check above (e.g. the role was taken meanwhile)
            message = f"user {user!r} may not add intakes (not an intake coordinator)"
            raise CommandError(message, returncode=INVALID) from None
        except services.ImplausibleValues as implausible:
            lines = [f"{path_}: {message}" for path_, message in implausible.errors.items()]
            raise CommandError(
                "implausible values, not saved (check them, then add --confirm-implausible):\n  " + "\n  ".join(lines),
                returncode=INVALID,
            ) from None
        except rules.AnswersInvalid as invalid:
            lines = [f"{path_}: {message}" for path_, message in invalid.errors.items()]
            raise CommandError("invalid intake answers:\n  " + "\n  ".join(lines), returncode=INVALID) from None
        except ValidationError as invalid:
            lines = [f"{field}: {'; '.join(messages)}" for field, messages in invalid.message_dict.items()]
            raise CommandError("intake not saved:\n  " + "\n  ".join(lines), returncode=INVALID) from None
        except DatabaseError:
            # A last guard: the database's message may quote the refused value, so it is not shown.
            raise CommandError("intake not saved: the database refused it", returncode=INVALID) from None
        self.stdout.write(json.dumps(result))
        if save:
            self.stderr.write(
                f"saved: patient {screening.patient_id}, intake {screening.intake_id}, screening {screening.pk}"
            )

    def _read(self, path: str):
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=INVALID) from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"not UTF-8 text (byte {exc.start})", returncode=INVALID) from None
        if _nesting_depth(text) > MAX_NESTING:
            message = f"not an answers document: nested more than {MAX_NESTING} levels deep"
            raise CommandError(message, returncode=INVALID)
        try:
            return json.loads(text, parse_int=_parse_int)
        except json.JSONDecodeError as exc:
            raise CommandError(f"not valid JSON (line {exc.lineno}, column {exc.colno})", returncode=INVALID) from None
        except (RecursionError, ValueError):  # a last guard; the checks above should catch these first
            raise CommandError("not an answers document the parser can read", returncode=INVALID) from None

    def _user(self, username: str | None):
        if not username:
            raise CommandError("--save needs --user USERNAME (the coordinator taking the intake)", returncode=INVALID)
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user named {username!r}", returncode=INVALID) from None
        if not may(user, *services.intake_create.required_permissions):  # the service's own door, asked first
            raise CommandError(f"user {username!r} may not add intakes (not an intake coordinator)", returncode=INVALID)
        return user
