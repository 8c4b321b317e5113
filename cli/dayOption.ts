/**
 * `--from`/`--to` as commander converters: a CME trading day YYYY-MM-DD, else commander's
 * own invalid-argument error (exit 2) with parseDay's message naming the flag.
 */
import { InvalidArgumentError } from 'commander';
import { parseDay } from '../backtest/engineData.ts';

export const dayOption =
  (flag: string) =>
  (value: string): string => {
    try {
      return parseDay(flag, value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
