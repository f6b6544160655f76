"""iCalendar (RFC 5545) feeds of meetings, in Europe/Amsterdam time."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from hcimv_lc.sprints.models import Meeting

TIMEZONE = ZoneInfo("Europe/Amsterdam")
PRODUCT_ID = "-//HCIMV Leergemeenschappen//NL"


def meeting_event(meeting: Meeting, sprint_title: str) -> Event:
    """Return the VEVENT of one meeting; its UID never changes."""
    event = Event()
    event.add("uid", f"{meeting.uid}@hcimv-lc")
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", datetime.combine(meeting.date, meeting.start_time, TIMEZONE))
    event.add("dtend", datetime.combine(meeting.date, meeting.end_time, TIMEZONE))
    event.add("summary", sprint_title)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    return event


def build_feed(name: str, meetings: Iterable[Meeting]) -> bytes:
    """Return a calendar with the meetings and the time zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, meeting.sprint.title))
    calendar.add_missing_timezones()
    return calendar.to_ical()
