/** Round a price to the instrument's tick grid (the venue, the fill model and labelling agree on it). */
export const roundToTick = (price: number, tick: number): number => Math.round(price / tick) * tick;
