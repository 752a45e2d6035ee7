// Tests for DATEFORMAT/TIMEFORMAT patterns, 'auto' recognition and epoch input.
import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../sql/types/datetime.ts';
import { DateTimeFields, compileDateTimePattern, dateTimeReader, fieldsToDays, fieldsToMicros, readAuto } from './date-time-format.ts';
import { UTC } from '../../sql/types/time-zone.ts';

const f = new DateTimeFields();
const us = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

function auto(text: string): bigint | null {
  return readAuto(text, f) ? fieldsToMicros(f, text, true, UTC) : null;
}

describe("'auto' recognition", () => {
  it.each([
    ['2019-02-11T05:09:12.195Z', '2019-02-11T05:09:12.195Z'],
    ['1996-01-08 04:05:06.789', '1996-01-08T04:05:06.789Z'],
    ['1997-12-17 07:37:16-08', '1997-12-17T15:37:16Z'],
    ['1997-12-17 07:37:16+05:30', '1997-12-17T02:07:16Z'],
    ['12/17/1997 07:37:16.00 PST', '1997-12-17T15:37:16Z'],
    ['17 Dec 07:37:16 1997 PST', '1997-12-17T15:37:16Z'],
    ['12.17.1997 07:37:16.00 PST', '1997-12-17T15:37:16Z'],
    ['19960108 040809', '1996-01-08T04:08:09Z'],
    ['960108 040809', '1996-01-08T04:08:09Z'],
    ['1996.008', '1996-01-08T00:00:00Z'],
    ['J2451187', '1999-01-08T00:00:00Z'],
    ['March 31, 2003', '2003-03-31T00:00:00Z'],
    ['31-Mar-2003', '2003-03-31T00:00:00Z'],
    ['Mar-31-03', '2003-03-31T00:00:00Z'],
    ['2003-Mar-31', '2003-03-31T00:00:00Z'],
    ['03/31/2003 6:45:05 pm', '2003-03-31T18:45:05Z'],
    ['Tue, 1 Apr 2003 12:00:00 AM', '2003-04-01T00:00:00Z'],
    ['20030331', '2003-03-31T00:00:00Z'],
  ])('%s', (text, iso) => {
    expect(auto(text)).toBe(us(iso));
  });

  it('reads BC years and rejects garbage', () => {
    expect(readAuto('Jan-08-95 BC', f)).toBe(true);
    expect(f.year).toBe(1 - 1995);
    for (const bad of ['', 'tomorrow', '2020-01', '2020/13', '12:00', '2020-01-01 12:00 XYZ']) expect(readAuto(bad, f), bad).toBe(false);
  });

  it('raises 22008 for impossible dates', () => {
    expect(readAuto('2021-02-29', f)).toBe(true);
    expect(() => fieldsToDays(f, '2021-02-29')).toThrow(expect.objectContaining({ code: '22008' }));
  });
});

describe('DATEFORMAT / TIMEFORMAT patterns', () => {
  it.each([
    ['MM/DD/YYYY', '03/31/2003', daysFromCivil(2003, 3, 31)],
    ['MON DD, YYYY', 'March 31, 2003', daysFromCivil(2003, 3, 31)],
    ['MON-DD-YYYY', 'Jan-01-1999', daysFromCivil(1999, 1, 1)],
    ['DD.MM.YY', '31.03.03', daysFromCivil(2003, 3, 31)],
    ['YYYYMMDD', '20030331', daysFromCivil(2003, 3, 31)],
  ])('%s reads %s', (pattern, text, days) => {
    const read = compileDateTimePattern(pattern);
    expect(read(text, f)).toBe(true);
    expect(fieldsToDays(f, text)).toBe(days);
  });

  it('times: HH24, HH12 with AM/PM, fractions', () => {
    const read = compileDateTimePattern('MM.DD.YYYY HH:MI:SS');
    expect(read('03.31.2003 18:45:05.123456', f)).toBe(true);
    expect(fieldsToMicros(f, '', false, UTC)).toBe(us('2003-03-31T18:45:05.123Z') + 456n);
    const read12 = compileDateTimePattern('YYYY-MM-DD HH12:MI AM');
    expect(read12('2003-03-31 12:15 AM', f) && fieldsToMicros(f, '', false, UTC)).toBe(us('2003-03-31T00:15:00Z'));
    expect(read12('2003-03-31 12:15 PM', f) && fieldsToMicros(f, '', false, UTC)).toBe(us('2003-03-31T12:15:00Z'));
    expect(read12('2003-03-31 13:15 PM', f)).toBe(false);
  });

  it('rejects what does not match, and patterns with zones', () => {
    expect(compileDateTimePattern('MM/DD/YYYY')('2003-03-31', f)).toBe(false);
    expect(compileDateTimePattern('MM/DD/YYYY')('03/31/2003 extra', f)).toBe(false);
    expect(() => compileDateTimePattern('YYYY-MM-DD HH:MI:SSOF')).toThrow(expect.objectContaining({ code: '22007' }));
    expect(() => compileDateTimePattern('nothing')).toThrow(expect.objectContaining({ code: '22007' }));
  });

  it('epochsecs and epochmillisecs', () => {
    expect(dateTimeReader('epochsecs')('1700000000.5', f) && fieldsToMicros(f, '', true, UTC)).toBe(1_700_000_000_500_000n);
    expect(dateTimeReader('epochmillisecs')('-1000', f) && fieldsToMicros(f, '', true, UTC)).toBe(-1_000_000n);
    expect(dateTimeReader('epochsecs')('-1', f) && fieldsToDays(f, '')).toBe(-1);
    expect(dateTimeReader('epochsecs')('12abc', f)).toBe(false);
  });
});
