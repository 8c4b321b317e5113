/** Input the metrics or the Monte Carlo cannot judge (non-finite money, times outside the period...). */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  constructor(
    /** Which input is wrong, e.g. `trades[3].pnl` or `period.from`. */
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
