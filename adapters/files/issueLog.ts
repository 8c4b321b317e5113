/**
 * The data-quality ledger of one load: every rejected row counted under its reason, gaps
 * noted, and the first few hundred issues kept verbatim (a bad file must not blow up memory).
 */
import { ISSUE_KINDS, type DataIssue, type IssueKind } from './seriesTypes.ts';

export const DEFAULT_ISSUE_CAP = 200;

export class IssueLog {
  readonly counts = Object.fromEntries(ISSUE_KINDS.map((k) => [k, 0])) as Record<IssueKind, number>;
  readonly list: DataIssue[] = [];
  rejected = 0;
  /** Entry name stamped on issues (zip entry, file of a directory). */
  entry: string | undefined;

  constructor(readonly cap = DEFAULT_ISSUE_CAP) {}

  /** The row is dropped, counted under `kind`. */
  reject(row: number, kind: Exclude<IssueKind, 'gap'>, detail: string): void {
    this.rejected++;
    this.add(row, kind, detail);
  }

  /** Informational: the row is kept. */
  note(row: number, kind: IssueKind, detail: string): void {
    this.add(row, kind, detail);
  }

  /** Adds another log's rejections and issues (up to this log's cap). */
  merge(other: IssueLog): void {
    this.rejected += other.rejected;
    for (const k of Object.keys(other.counts) as IssueKind[]) this.counts[k] += other.counts[k];
    for (const issue of other.list) if (this.list.length < this.cap) this.list.push(issue);
  }

  private add(row: number, kind: IssueKind, detail: string): void {
    this.counts[kind]++;
    if (this.list.length < this.cap) this.list.push(this.entry === undefined ? { row, kind, detail } : { row, kind, detail, entry: this.entry });
  }
}
