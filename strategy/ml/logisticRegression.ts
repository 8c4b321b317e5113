/**
 * Logistic regression: inputs standardised with the training set's mean and standard
 * deviation, L2 penalty on the weights (not the bias), fitted by plain batch gradient
 * descent from zero for a fixed number of iterations: the same data gives the same model.
 */
import { sigmoid, type Dataset } from './dataset.ts';

export interface LogisticParams {
  /** L2 penalty: loss = mean log loss + l2/2 * |w|^2 / n. */
  l2: number;
  learningRate: number;
  iterations: number;
}

/** The model as stored: standardisation and weights on the standardised inputs. */
export interface LogisticModel {
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
}

export function trainLogistic(data: Dataset, p: LogisticParams): LogisticModel {
  const n = data.size;
  const m = data.columns.length;
  if (n === 0) throw new RangeError('logistic regression: no samples');
  const mean = data.columns.map((c) => c.reduce((a, v) => a + v, 0) / n);
  const std = data.columns.map((c, j) => {
    const v = c.reduce((a, x) => a + (x - mean[j]!) ** 2, 0) / n;
    // A constant column carries nothing: scale 1 keeps it at 0 after centring.
    return v > 1e-24 ? Math.sqrt(v) : 1;
  });
  const z = data.columns.map((c, j) => Float64Array.from(c, (x) => (x - mean[j]!) / std[j]!));
  const w = new Float64Array(m);
  let b = 0;
  const err = new Float64Array(n);
  const y = data.labels;
  for (let it = 0; it < p.iterations; it++) {
    for (let i = 0; i < n; i++) {
      let s = b;
      for (let j = 0; j < m; j++) s += w[j]! * z[j]![i]!;
      err[i] = sigmoid(s) - y[i]!;
    }
    let gb = 0;
    for (let i = 0; i < n; i++) gb += err[i]!;
    b -= (p.learningRate * gb) / n;
    for (let j = 0; j < m; j++) {
      const col = z[j]!;
      let g = 0;
      for (let i = 0; i < n; i++) g += err[i]! * col[i]!;
      w[j] = w[j]! - p.learningRate * ((g + p.l2 * w[j]!) / n);
    }
  }
  return { mean, std, weights: Array.from(w), bias: b };
}

export function predictLogistic(model: LogisticModel, row: ArrayLike<number>): number {
  let s = model.bias;
  for (let j = 0; j < model.weights.length; j++) s += (model.weights[j]! * (row[j]! - model.mean[j]!)) / model.std[j]!;
  return sigmoid(s);
}

/** Intercept and slopes on the original (unstandardised) inputs. */
export function logisticCoefficients(model: LogisticModel): { intercept: number; slopes: number[] } {
  const slopes = model.weights.map((w, j) => w / model.std[j]!);
  const intercept = model.bias - slopes.reduce((a, s, j) => a + s * model.mean[j]!, 0);
  return { intercept, slopes };
}

/** |weight| on standardised inputs, normalised to sum 1 (all 0 when every weight is 0). */
export function logisticImportance(model: LogisticModel): number[] {
  const abs = model.weights.map(Math.abs);
  const total = abs.reduce((a, v) => a + v, 0);
  return abs.map((v) => (total > 0 ? v / total : 0));
}
