export const zoneListId = 'sched-zones';

/** The IANA time zones the browser knows, offered once per page to every time zone input. */
export function ZoneList() {
  const zones: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return <datalist id={zoneListId}>{zones.map((zone) => <option key={zone} value={zone} />)}</datalist>;
}
