// Role start and end dates are calendar dates in England, so "today" is the date in London.
const londonDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function todayInLondon(nowMs: number = Date.now()): string {
  return londonDate.format(nowMs);
}
