"""The two resting blood-pressure limits of the sources, stated once (DOMAIN §2 and §7).

Screening flags an intake with them, the organisation's chair-side settings default to them, and the
check-in's start gates apply those settings; so the intake and the infusion day never disagree. "Above" is
strict everywhere: 180/100 itself is allowed.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    systolic: int
    diastolic: int

    def exceeded_by(self, systolic: int, diastolic: int) -> bool:
        return systolic > self.systolic or diastolic > self.diastolic

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


# Swiss ketamine label: stabilise first, no infusion above this at rest.
STABILISE_FIRST = Limit(180, 100)
# Esketamine (Spravato) label: above this, weigh delaying (a prescriber decides).
PRESCRIBER_DECIDES = Limit(140, 90)
