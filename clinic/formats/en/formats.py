"""Django's named formats as the clinic writes them (clinic/when.py), so admin and a bare `|date` agree.

Only display formats: the input formats (what a typed date may look like) stay Django's English ones.
"""

DATE_FORMAT = "D j M Y"  # Tue 1 Dec 2026
SHORT_DATE_FORMAT = "D j M"  # Tue 1 Dec
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "D j M Y, H:i T"  # Tue 1 Dec 2026, 14:30 PST
SHORT_DATETIME_FORMAT = "D j M, H:i"  # Tue 1 Dec, 14:30
