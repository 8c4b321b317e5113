/**
 * A training set in the layout the models want: one Float64Array per feature (trees sort
 * and sweep columns) and 0/1 labels. Built from row vectors; rows are never copied again.
 */
export interface Dataset {
  /** columns[j][i] = feature j of sample i. */
  readonly columns: readonly Float64Array[];
  /** 1 = win, 0 = loss. */
  readonly labels: Uint8Array;
  readonly size: number;
}

/** Columns from rows (every row the same length), labels 0/1. */
export function datasetFromRows(rows: readonly ArrayLike<number>[], labels: ArrayLike<number>): Dataset {
  const n = rows.length;
  if (labels.length !== n) throw new RangeError(`dataset: ${n} rows but ${labels.length} labels`);
  const width = n > 0 ? rows[0]!.length : 0;
  const columns = Array.from({ length: width }, () => new Float64Array(n));
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== width) throw new RangeError(`dataset: row ${i} has ${row.length} features, expected ${width}`);
    for (let j = 0; j < width; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) throw new RangeError(`dataset: row ${i} feature ${j} is ${v}`);
      columns[j]![i] = v;
    }
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new RangeError(`dataset: label ${i} is ${l}, expected 0 or 1`);
    y[i] = l;
  }
  return { columns, labels: y, size: n };
}

/** The rows `ids` of a dataset (a training fold). */
export function subset(data: Dataset, ids: readonly number[]): Dataset {
  const columns = data.columns.map((c) => Float64Array.from(ids, (i) => c[i]!));
  return { columns, labels: Uint8Array.from(ids, (i) => data.labels[i]!), size: ids.length };
}

/** Sample i as a row vector (allocates). */
export const rowOf = (data: Dataset, i: number): number[] => data.columns.map((c) => c[i]!);

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
