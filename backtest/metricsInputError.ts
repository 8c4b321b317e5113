/** Input the metrics or the Monte Carlo cannot judge (non-finite money, times outside the period...). */
import { MiaError } from '../core/errors.ts';
export class MetricsInputError extends MiaError<'METRICS_INPUT_INVALID'> {
  override readonly name = 'MetricsInputError';
  constructor(
    /** Which input is wrong, e.g. `trades[3].pnl` or `period.from`. */
    readonly field: string,
    reason: string,
  ) {
    super('METRICS_INPUT_INVALID', `${field}: ${reason}`);
  }
}
