// Reads an .ics file with ical.js (Mozilla's parser, as Thunderbird and many web
// calendars use) and prints each event as JSON: what it says, its start in UTC with
// the file's own VTIMEZONE, and its first occurrences.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const iterator = event.iterator();
  const starts = [];
  for (let next = iterator.next(); next && starts.length < 10; next = iterator.next()) {
    starts.push(next.toJSDate().toISOString());
  }
  return {
    summary: event.summary,
    location: event.location,
    status: component.getFirstPropertyValue("status"),
    categories: component.getFirstPropertyValue("categories"),
    zone: event.startDate.zone.tzid,
    allDay: event.startDate.isDate,
    start: event.startDate.toString(),
    startUtc: event.startDate.isDate ? null : event.startDate.toJSDate().toISOString(),
    endUtc: event.endDate.isDate ? null : event.endDate.toJSDate().toISOString(),
    recurring: event.isRecurring(),
    starts,
  };
});
process.stdout.write(JSON.stringify(events));
