import { IANAZone } from 'luxon';
import { OpenSearchError } from '../../shared/errors';

/**
 * Time-zone ids as Java's `ZoneId.of` accepts them (the plugin stores `zoneId.id`): IANA region
 * names (case-sensitive), `Z`, fixed offsets (`+01:00`, `-5`) and `UTC`/`GMT`/`UT` optionally
 * followed by an offset. Offsets are re-rendered as Java does (`+1` → `+01:00`, `+00:00` → `Z`).
 * Region names are checked against the runtime's tz database through luxon.
 *
 * Refused ids carry Java's exception type and message (ZoneRulesException for an unknown
 * region, DateTimeException for a malformed id), with status 400: the plugin lets them escape
 * as a 500.
 */
const unknownZone = (id: string) =>
  new OpenSearchError(400, 'zone_rules_exception', `Unknown time-zone ID: ${id}`);
const dateTime = (reason: string) => new OpenSearchError(400, 'date_time_exception', reason);

const REGION_ID = /^[A-Za-z][A-Za-z0-9~/._+-]+$/;

/** ZoneOffset.of: ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss, within ±18:00. */
const parseOffsetSeconds = (s: string): number | undefined => {
  const m = /^([+-])(\d{1,2})(?::?(\d{2})(?::?(\d{2}))?)?$/.exec(s);
  if (!m) return undefined;
  if (m[2].length === 1 && m[3] !== undefined) return undefined; // "+1:30" is not a Java offset
  const [h, min, sec] = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 18 || min > 59 || sec > 59) return undefined;
  const total = (h * 3600 + min * 60 + sec) * (m[1] === '-' ? -1 : 1);
  return Math.abs(total) > 18 * 3600 ? undefined : total;
};

const offsetId = (total: number): string => {
  if (total === 0) return 'Z';
  const abs = Math.abs(total);
  const pad = (n: number) => String(n).padStart(2, '0');
  const [h, m, s] = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60];
  return `${total < 0 ? '-' : '+'}${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
};

const isRegion = (id: string): boolean => {
  if (!IANAZone.isValidZone(id)) return false;
  // Intl matches names case-insensitively; Java does not.
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
  return resolved === id || resolved.toLowerCase() !== id.toLowerCase();
};

/** ZoneId.of(id).getId(), or a 400 with Java's exception and message. */
export const normalizeZoneId = (id: string): string => {
  if (id === 'Z') return 'Z';
  if (id.startsWith('+') || id.startsWith('-')) {
    const total = parseOffsetSeconds(id);
    if (total === undefined) throw dateTime(`Invalid ID for ZoneOffset, invalid format: ${id}`);
    return offsetId(total);
  }
  for (const prefix of ['UTC', 'GMT', 'UT']) {
    if (id === prefix) return id;
    if (id.startsWith(`${prefix}+`) || id.startsWith(`${prefix}-`)) {
      const total = parseOffsetSeconds(id.slice(prefix.length));
      if (total === undefined) throw dateTime(`Invalid ID for offset-based ZoneId: ${id}`);
      return total === 0 ? prefix : `${prefix}${offsetId(total)}`;
    }
  }
  if (!REGION_ID.test(id)) throw dateTime(`Invalid ID for region-based ZoneId, invalid format: ${id}`);
  if (!isRegion(id)) throw unknownZone(id);
  return id;
};
