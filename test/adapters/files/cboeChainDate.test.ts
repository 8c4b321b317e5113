import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCboeDate } from '../../../adapters/files/cboeChain.ts';

describe('CBOE header dates in the locales seen in the wild', () => {
  it('reads every form listed in the data README', () => {
    const cases: [string, object][] = [
      ['February 5 2022, 8:09 PM EST', { year: 2022, month: 2, day: 5, hour: 20, minute: 9, offsetMinutes: -300 }],
      ['February 19, 2022, 4:17 PM EST', { year: 2022, month: 2, day: 19, hour: 16, minute: 17, offsetMinutes: -300 }],
      ['23 de marzo de 2022, 10:11 GMT-4', { year: 2022, month: 3, day: 23, hour: 10, minute: 11, offsetMinutes: -240 }],
      ['February 7, 2023 at 5:34 PM EST', { year: 2023, month: 2, day: 7, hour: 17, minute: 34, offsetMinutes: -300 }],
      ['5 April 2023, 19:41 UTC\u22124', { year: 2023, month: 4, day: 5, hour: 19, minute: 41, offsetMinutes: -240 }],
      ['8 June 2023 7:56 PM EDT', { year: 2023, month: 6, day: 8, hour: 19, minute: 56, offsetMinutes: -240 }],
      ['9 декабря 2023 г. в 13:49 GMT-5', { year: 2023, month: 12, day: 9, hour: 13, minute: 49, offsetMinutes: -300 }],
      ['11 April, 2023 à 22:23 UTC\u22124', { year: 2023, month: 4, day: 11, hour: 22, minute: 23, offsetMinutes: -240 }],
      ['20 May 2023, 11:46 AM EDT"', { year: 2023, month: 5, day: 20, hour: 11, minute: 46, offsetMinutes: -240 }],
      ['January 7, 2024 at 12:05 AM EST', { year: 2024, month: 1, day: 7, hour: 0, minute: 5, offsetMinutes: -300 }],
      ['12 juillet 2023, 12:30 PM', { year: 2023, month: 7, day: 12, hour: 12, minute: 30, offsetMinutes: null }],
      ['3 juin 2023 09:15 UTC+2', { year: 2023, month: 6, day: 3, hour: 9, minute: 15, offsetMinutes: 120 }],
    ];
    for (const [text, expected] of cases) expect(parseCboeDate(text), text).toEqual(expected);
    // The malformed one: no year, left to the loader to infer.
    expect(parseCboeDate('4 June 4, 3:15 PM EDT')).toEqual({ month: 6, day: 4, hour: 15, minute: 15, offsetMinutes: -240 });
  });

  it('says null rather than guessing when there is no month, day or clock time', () => {
    for (const text of ['', 'sometime', 'June 2023', '7:30 PM EST', '2023-06-04 15:15', 'June 5, 2023, 13:15 PM EST']) expect(parseCboeDate(text), text).toBeNull();
  });

  const EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const ES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
  const FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
  const RU = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];

  it('round-trips generated dates through every layout', () => {
    const h12 = (h: number) => `${h % 12 === 0 ? 12 : h % 12}:`;
    const mm = (m: number) => String(m).padStart(2, '0');
    const layouts = [
      (y: number, mo: number, d: number, h: number, mi: number) => `${EN[mo - 1]} ${d}, ${y} at ${h12(h)}${mm(mi)} ${h < 12 ? 'AM' : 'PM'} EST`,
      (y: number, mo: number, d: number, h: number, mi: number) => `${EN[mo - 1]} ${d}, ${y}, ${h12(h)}${mm(mi)} ${h < 12 ? 'AM' : 'PM'} EST`,
      (y: number, mo: number, d: number, h: number, mi: number) => `${d} ${EN[mo - 1]} ${y}, ${h}:${mm(mi)} UTC\u22125`,
      (y: number, mo: number, d: number, h: number, mi: number) => `${d} de ${ES[mo - 1]} de ${y}, ${h}:${mm(mi)} GMT-5`,
      (y: number, mo: number, d: number, h: number, mi: number) => `${d} ${FR[mo - 1]}, ${y} à ${h}:${mm(mi)} UTC\u22125`,
      (y: number, mo: number, d: number, h: number, mi: number) => `${d} ${RU[mo - 1]} ${y} г. в ${h}:${mm(mi)} GMT-5`,
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2099 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: layouts.length - 1 }),
        (y, mo, d, h, mi, layout) => {
          const text = layouts[layout]!(y, mo, d, h, mi);
          expect(parseCboeDate(text), text).toEqual({ year: y, month: mo, day: d, hour: h, minute: mi, offsetMinutes: -300 });
        },
      ),
    );
  });
});
